/*
 * GET /api/profile -> 200 {"email": ..., "groups": [...], "name": ...}
 * (the groups sorted, read with the token).
 * PATCH /api/profile {"name": ...} -> the same, with the new name stored.
 * Both need a valid access cookie; PATCH also the CSRF header.
 */
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "decide/auth.h"
#include "decide/body.h"
#include "domain/policy.h"
#include "domain/store/store.h"

static void
reply(struct lk_ctx *ctx, const char *email, const char *name,
    const struct lk_store_groups *groups)
{
	static char		json[LK_AUTH_GROUPS_JSON_MAX];
	struct lk_json_out	o;

	if (lk_auth_groups_json(groups, json, sizeof(json)) < 0) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "email", email);
	(void)lk_json_out_raw(&o, "groups", json);
	(void)lk_json_out_str(&o, "name", name);
	lk_response_json(ctx->resp, 200, &o);
}

static void
set_name(struct lk_ctx *ctx, struct lk_user *user,
    const struct lk_store_groups *groups)
{
	struct lk_store_refusal	 refusals[] = {
		{ LK_STORE_NOT_FOUND, LK_R_USER, user->email },
	};
	struct json_object	*body;
	const char		*name, *why;
	size_t			 len;

	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((name = lk_body_field(ctx, body, "name", ctx->cfg->max_body,
	    &len)) == NULL)
		goto out;
	if ((why = lk_policy_name(ctx->cfg, name, len)) != NULL) {
		(void)lk_deny(ctx, LK_R_INVALID, why);
		goto out;
	}
	/* Not found: deleted between the check and the update. */
	if (lk_deny_store(ctx, lk_store_user_set_name(lk_ctx_store(ctx),
	    user->email, name, ctx->now), refusals,
	    LK_NREFUSALS(refusals)) == 0)
		reply(ctx, user->email, name, groups);
out:
	json_object_put(body);
}

static void
handle(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_claims	claims;
	struct lk_token_state	state;

	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	if (lk_method_bit(ctx->req->method) == LK_METHOD_PATCH)
		set_name(ctx, &user, &state.groups);
	else
		reply(ctx, user.email, user.name, &state.groups);
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static const struct lk_endpoint endpoint = {
	"profile", LK_METHOD_GET | LK_METHOD_HEAD | LK_METHOD_PATCH, handle,
	NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
