#ifndef LK_BODY_H
#define LK_BODY_H

#include <stddef.h>

#include "decide/ctx.h"

/*
 * The request body as JSON, and its fields: each refusal the same for
 * every endpoint and decision (415 not JSON, 400 not an object, a field
 * missing, not a string, too long, not a boolean), given with lk_deny.
 */

struct json_object;

/*
 * Parse the request body as a JSON object.  Returns the object (release
 * it with json_object_put), or NULL denied (not JSON, or not an object).
 */
struct json_object *lk_body_json(struct lk_ctx *ctx);

/*
 * Get a required string field of a request body, of at most max bytes.
 * Returns it (*len its length), or NULL denied (missing, not a string,
 * too long).
 */
const char *lk_body_field(struct lk_ctx *ctx, struct json_object *obj,
	    const char *key, size_t max, size_t *len);

/*
 * Get an optional boolean field: 1 or 0, the default if absent, or -1
 * denied if it is there and not a boolean.
 */
int	lk_body_bool(struct lk_ctx *ctx, struct json_object *obj,
	    const char *key, int def);

#endif
