#include <stdio.h>

#include <json-c/json.h>

#include "base/json.h"
#include "decide/body.h"
#include "http/request.h"

struct json_object *
lk_body_json(struct lk_ctx *ctx)
{
	struct json_object	*obj;

	if (!lk_request_is_json(ctx->req)) {
		(void)lk_deny(ctx, LK_R_NOT_JSON, NULL);
		return NULL;
	}
	obj = lk_json_parse_object(ctx->req->body, ctx->req->body_len);
	if (obj == NULL)
		(void)lk_deny(ctx, LK_R_BAD_JSON, NULL);
	return obj;
}

const char *
lk_body_field(struct lk_ctx *ctx, struct json_object *obj, const char *key,
    size_t max, size_t *len)
{
	const char	*s;

	switch (lk_json_get_string(obj, key, &s, len)) {
	case LK_JSON_FIELD_OK:
		if (*len > max) {
			(void)lk_deny(ctx, LK_R_FIELD_TOO_LONG, key);
			return NULL;
		}
		return s;
	case LK_JSON_FIELD_MISSING:
		(void)lk_deny(ctx, LK_R_FIELD_MISSING, key);
		return NULL;
	default:
		(void)lk_deny(ctx, LK_R_FIELD_TYPE, key);
		return NULL;
	}
}

int
lk_body_bool(struct lk_ctx *ctx, struct json_object *obj, const char *key,
    int def)
{
	struct json_object	*v;
	char			 msg[96];

	if (!json_object_object_get_ex(obj, key, &v))
		return def;
	if (json_object_get_type(v) != json_type_boolean) {
		(void)snprintf(msg, sizeof(msg), "Field \"%s\" must be true or "
		    "false", key);
		return lk_deny(ctx, LK_R_INVALID, msg);
	}
	return json_object_get_boolean(v) ? 1 : 0;
}
