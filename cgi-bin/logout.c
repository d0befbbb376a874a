/*
 * POST /api/logout {} -> 200 {"logout": true}, clearing the access and
 * CSRF cookies, with or without a valid cookie.  The body must be JSON, so
 * that a cross-site HTML form (which cannot send JSON) cannot log anyone
 * out.
 */
#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;

	if ((body = lk_app_json(ctx)) == NULL)
		return;
	json_object_put(body);
	lk_auth_clear_cookies(ctx);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "logout", 1);
	lk_response_json(ctx->resp, 200, &o);
}

static const struct lk_endpoint endpoint = {
	"logout", "POST", LK_METHOD_POST, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
