/*
 * GET /api/settings -> 200 {"admin": true, "mail": false, "name_max": 100,
 * "password_min": 8}: whether the administration API is on (admin), the
 * public limits of the configuration the web app checks its
 * fields against before the server has the last word, and whether the
 * site can send mail (lk_notify_can_mail: without it the app offers no
 * reset link).  No cookie needed, and nothing in it is a secret.
 */
#include "app/app.h"
#include "base/json.h"
#include "decide/notify.h"

static void
handle(struct lk_ctx *ctx)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "admin", ctx->cfg->admin);
	(void)lk_json_out_int(&o, "name_max", (long long)ctx->cfg->name_max);
	(void)lk_json_out_int(&o, "password_min",
	    (long long)ctx->cfg->password_min);
	(void)lk_json_out_bool(&o, "mail", lk_notify_can_mail(ctx->cfg));
	lk_response_json(ctx->resp, 200, &o);
}

static const struct lk_endpoint endpoint = {
	"settings", LK_METHOD_GET | LK_METHOD_HEAD, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
