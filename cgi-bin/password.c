/*
 * POST /api/password {"current_password": ..., "new_password": ...}
 * -> 200 {"password": true}.  Needs the access cookie and the CSRF
 * header, and the current password (a guess counts against the login
 * throttle, reserved before the hash as for logins).  In one transaction
 * the new hash is stored, every other session of the user ends, and this
 * client gets a new session.
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "log.h"
#include "password.h"
#include "policy.h"
#include "session.h"
#include "store.h"
#include "throttle.h"
#include "util.h"

static void
change(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_claims *claims, const struct lk_token_state *state,
    const char *new, const struct lk_throttle *t)
{
	struct lk_issue		 issue;
	struct lk_login		 l;
	struct lk_revoke	 r;
	struct lk_json_out	 o;
	char			 hash[LK_HASH_MAX + 1];

	memset(&l, 0, sizeof(l));
	if (lk_password_hash(&ctx->cfg->hash, new, hash, sizeof(hash)) == -1) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_session_prepare(ctx, user, NULL, state->ours &&
	    state->session.persistent, &issue) == -1)
		goto out;
	l.user_id = user->id;
	l.hash = user->hash;
	l.new_hash = hash;
	l.session = &issue.session;
	l.tokens = &issue.tokens;
	l.throttle_account = t->account;
	l.throttle_address = t->address;
	l.throttle_window = ctx->cfg->throttle_window;
	r.jti = claims->jti;
	r.exp = claims->exp;
	r.refresh = 0;
	switch (lk_store_password_change(lk_ctx_store(ctx), &l, &r, ctx->now)) {
	case LK_STORE_OK:
		break;
	case LK_STORE_CHANGED:
		/* Changed by another request meanwhile: this one is stale. */
		(void)lk_deny(ctx, LK_R_WRONG_PASSWORD, NULL);
		goto out;
	default:
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	if (lk_session_send(ctx, &issue) == -1)
		goto out;
	lk_log_audit("password_changed", ctx->now, ctx->req->remote_addr,
	    user->email, (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "password", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_explicit_bzero(hash, sizeof(hash));
	lk_explicit_bzero(&issue, sizeof(issue));
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_token_state	 state;
	struct lk_throttle	 t;
	const char		*cur, *new, *why;
	size_t			 clen, nlen;
	enum lk_pw_res		 pr;

	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	if ((body = lk_app_json(ctx)) == NULL)
		goto out;
	if ((cur = lk_app_field(ctx, body, "current_password",
	    LK_PASSWORD_MAX - 1, &clen)) == NULL ||
	    (new = lk_app_field(ctx, body, "new_password", ctx->cfg->max_body,
	    &nlen)) == NULL)
		goto out;
	if ((why = lk_policy_password(ctx->cfg, new, nlen, user.email)) != NULL) {
		(void)lk_deny(ctx, LK_R_INVALID, why);
		goto out;
	}
	if (clen == nlen && lk_ct_equal(cur, clen, new, nlen)) {
		(void)lk_deny(ctx, LK_R_INVALID,
		    "The new password must differ from the current one");
		goto out;
	}
	/* Guessing the current password is a login attempt like any other. */
	if (lk_throttle_reserve(ctx, user.email, &t) == -1)
		goto out;
	pr = lk_password_verify(&ctx->cfg->hash, cur, user.hash);
	if (pr == LK_PW_ERROR) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (pr == LK_PW_BAD) {
		lk_log_audit("password_change_failed", ctx->now,
		    ctx->req->remote_addr, user.email, (char *)NULL);
		(void)lk_deny(ctx, LK_R_WRONG_PASSWORD, NULL);
		goto out;
	}
	change(ctx, &user, &claims, &state, new, &t);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
	json_object_put(body);
}

static const struct lk_endpoint endpoint = {
	"password", LK_METHOD_POST, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
