/*
 * GET /api/profile -> 200 {"email": ..., "name": ...}
 * PATCH /api/profile {"name": ...} -> the same, with the new name stored.
 * Both need a valid access cookie; PATCH also the CSRF header.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "store.h"
#include "util.h"

static void
reply(struct lk_ctx *ctx, const char *email, const char *name)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "email", email);
	(void)lk_json_out_str(&o, "name", name);
	lk_response_json(ctx->resp, 200, &o);
}

static void
set_name(struct lk_ctx *ctx, struct lk_user *user)
{
	struct json_object	*body;
	const char		*name;
	char			 msg[LK_EMAIL_MAX + 128];
	size_t			 len;
	long			 chars;

	if ((body = lk_app_json(ctx)) == NULL)
		return;
	if ((name = lk_app_field(ctx, body, "name", &len)) == NULL)
		goto out;
	chars = lk_utf8_text_len(name, len);
	if (chars < 1 || (size_t)chars > ctx->cfg->name_max ||
	    len > LK_NAME_MAX_BYTES || name[0] == ' ' || name[len - 1] == ' ') {
		(void)snprintf(msg, sizeof(msg), "Field \"name\" must be 1 to "
		    "%zu characters of text without leading or trailing spaces",
		    ctx->cfg->name_max);
		lk_response_msg(ctx->resp, 400, msg);
		goto out;
	}
	switch (lk_store_user_set_name(ctx->store, user->email, name)) {
	case LK_STORE_OK:
		reply(ctx, user->email, name);
		break;
	case LK_STORE_NOT_FOUND:
		/* Deleted between the check and the update. */
		(void)snprintf(msg, sizeof(msg), "Error loading the user %s",
		    user->email);
		lk_response_msg(ctx->resp, 401, msg);
		break;
	default:
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		break;
	}
out:
	json_object_put(body);
}

static void
handle(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_claims	claims;

	if (lk_auth_require(ctx, &user, &claims) == -1)
		return;
	if (strcmp(ctx->req->method, "PATCH") == 0)
		set_name(ctx, &user);
	else
		reply(ctx, user.email, user.name);
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static const struct lk_endpoint endpoint = {
	"profile", "GET, HEAD, PATCH",
	LK_METHOD_GET | LK_METHOD_HEAD | LK_METHOD_PATCH, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
