/*
 * POST /api/password {"current_password": ..., "new_password": ...}
 * -> 200 {"password": true}.  Needs the access cookie and the CSRF
 * header, and the current password (a wrong one counts as a failed login).
 * Every other session of the user ends; this one goes on with new tokens.
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "log.h"
#include "password.h"
#include "policy.h"
#include "store.h"
#include "throttle.h"
#include "util.h"

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_json_out	 o;
	const char		*cur, *new, *why;
	char			 hash[LK_HASH_MAX + 1];
	size_t			 clen, nlen;
	enum lk_pw_res		 pr;

	memset(hash, 0, sizeof(hash));
	if (lk_auth_require(ctx, &user, &claims) == -1)
		return;
	if ((body = lk_app_json(ctx)) == NULL)
		goto out;
	if ((cur = lk_app_field(ctx, body, "current_password", &clen)) == NULL ||
	    (new = lk_app_field(ctx, body, "new_password", &nlen)) == NULL)
		goto out;
	if (clen >= LK_PASSWORD_MAX) {
		lk_response_msg(ctx->resp, 400,
		    "Field \"current_password\" is too long");
		goto out;
	}
	if ((why = lk_policy_password(ctx->cfg, new, nlen, user.email)) != NULL) {
		lk_response_msg(ctx->resp, 400, why);
		goto out;
	}
	/* Guessing the current password is a login attempt like any other. */
	if (lk_throttle_check(ctx, user.email) == -1)
		goto out;
	pr = lk_password_verify(ctx->cfg, cur, user.hash);
	if (pr == LK_PW_ERROR) {
		lk_response_msg(ctx->resp, 500, "Internal error");
		goto out;
	}
	if (pr == LK_PW_BAD) {
		lk_throttle_failed(ctx, user.email);
		lk_log_audit("password_change_failed", ctx->now, ctx->req->remote_addr,
		    user.email, (char *)NULL);
		lk_response_msg(ctx->resp, 401, "Current password is incorrect");
		goto out;
	}
	if (lk_password_hash(ctx->cfg, new, hash, sizeof(hash)) == -1) {
		lk_response_msg(ctx->resp, 500, "Internal error");
		goto out;
	}
	/*
	 * New hash, every older token and session revoked, and a new
	 * session for this client: one transaction, all or nothing.
	 */
	if (lk_store_begin(ctx->store) != LK_STORE_OK ||
	    lk_store_user_set_hash(ctx->store, user.email, hash) != LK_STORE_OK ||
	    lk_store_user_invalidate(ctx->store, user.email, NULL,
	    (long long)ctx->now) != LK_STORE_OK ||
	    lk_store_revoke(ctx->store, claims.jti, claims.exp) != LK_STORE_OK)
		goto unavailable;
	if (lk_auth_start_session(ctx, &user, NULL, 0) == -1) {
		lk_store_rollback(ctx->store);
		goto out;
	}
	if (lk_store_commit(ctx->store) != LK_STORE_OK)
		goto unavailable;
	lk_throttle_succeeded(ctx, user.email);
	lk_log_audit("password_changed", ctx->now, ctx->req->remote_addr, user.email,
	    (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "password", 1);
	lk_response_json(ctx->resp, 200, &o);
	goto out;
unavailable:
	lk_app_unavailable(ctx);
out:
	lk_explicit_bzero(hash, sizeof(hash));
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
	json_object_put(body);
}

static const struct lk_endpoint endpoint = {
	"password", "POST", LK_METHOD_POST, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
