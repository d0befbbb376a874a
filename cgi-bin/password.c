/*
 * POST /api/password {"current_password": ..., "new_password": ...}
 * -> 200 {"password": true}.  Needs the access cookie and the CSRF
 * header, and the current password (a guess counts against the login
 * throttle, reserved before the hash as for logins).  In one transaction
 * the new hash is stored, every other session of the user ends, and this
 * client gets a new session.  The user gets the "password changed"
 * notice by mail.
 *
 * POST /api/password/forgot {"email": ...} -> 202 {"sent": true}, for any
 * email: an enabled account with a password gets a one-time link
 * (SITE_URL/reset#TOKEN) by mail, after the answer.
 *
 * POST /api/password/reset {"token": ..., "password": ...} (plus "code"
 * or "recovery_code" for an account with a second factor) -> 200
 * {"reset": true}: the link's account gets the password, every session
 * and token of it ends, and the "password reset" notice goes by mail.
 * A link unknown, used, replaced or expired: 400 {"msg": "This link is
 * invalid or has expired"}.  Both a change and a reset take an optional
 * "keep_passkeys": [ids]: present, every other passkey of the account is
 * deleted with the new password, in its transaction.
 *
 * POST /api/password/reset/check {"token": ...} -> 200 {"email": ...,
 * "name": ..., "passkeys": [{"created", "id", "name"}, ...]} for a live
 * reset link (reads only; counted per client as asking for links is), or
 * the 400 above.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/log.h"
#include "base/util.h"
#include "decide/account.h"
#include "decide/auth.h"
#include "decide/body.h"
#include "decide/mfa.h"
#include "decide/notify.h"
#include "decide/passkey.h"
#include "decide/session.h"
#include "decide/throttle.h"
#include "domain/password.h"
#include "domain/policy.h"
#include "domain/store/store.h"

/*
 * The audit line of a new password (event), saying how many passkeys the
 * request named to keep when it named any: the others went with it.
 */
static void
audit_new_password(struct lk_ctx *ctx, const char *event, const char *email,
    const struct lk_passkey_keep *keep)
{
	char	n[24];

	if (!keep->only) {
		lk_log_audit(event, ctx->now, ctx->req->remote_addr, email,
		    (char *)NULL);
		return;
	}
	(void)snprintf(n, sizeof(n), "%zu", keep->n);
	lk_log_audit(event, ctx->now, ctx->req->remote_addr, email,
	    "passkeys_kept", n, (char *)NULL);
}

/* What a password change records: lk_store_password_change. */
struct record_change {
	const char			*new_hash;
	const struct lk_claims		*claims;
	const struct lk_throttle	*t;
	const struct lk_passkey_keep	*keep;
};

static int
record_change(struct lk_ctx *ctx, struct lk_login *l,
    const struct lk_issue *issue, void *arg)
{
	/* Changed by another request meanwhile: this one is stale. */
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_CHANGED, LK_R_WRONG_PASSWORD, NULL },
	};
	const struct record_change		*a = arg;
	struct lk_revoke			 r;

	(void)issue;
	l->new_hash = a->new_hash;
	l->throttle_account = a->t->account;
	l->throttle_address = a->t->address;
	l->throttle_window = ctx->cfg->throttle_window;
	l->keep = *a->keep;
	r.jti = a->claims->jti;
	r.exp = a->claims->exp;
	r.refresh = 0;
	return lk_deny_store(ctx, lk_store_password_change(lk_ctx_store(ctx),
	    l, &r, ctx->now), refusals, LK_NREFUSALS(refusals));
}

static void
change(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_claims *claims, const struct lk_token_state *state,
    const char *new, const struct lk_throttle *t,
    const struct lk_passkey_keep *keep)
{
	struct record_change	 a;
	struct lk_json_out	 o;
	char			 hash[LK_HASH_MAX + 1];

	if (lk_password_hash(&ctx->cfg->hash, new, hash, sizeof(hash)) == -1) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	a.new_hash = hash;
	a.claims = claims;
	a.t = t;
	a.keep = keep;
	/*
	 * Not a login (the password alone, where a login may need more), so
	 * not fresh; the new session keeps the old one's factors.
	 */
	if (lk_session_start(ctx, user, NULL, state->ours &&
	    state->session.persistent, claims->mfa ? LK_ISSUE_MFA : 0,
	    record_change, &a) != 0)
		goto out;
	audit_new_password(ctx, "password_changed", user->email, keep);
	lk_notify(ctx, LK_NOTICE_PASSWORD_CHANGED, user, NULL, 0);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "password", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_explicit_bzero(hash, sizeof(hash));
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_token_state	 state;
	struct lk_throttle	 t;
	struct lk_passkey_kept	 kept;
	const char		*cur, *new, *why;
	size_t			 clen, nlen;
	enum lk_pw_res		 pr;

	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	if ((body = lk_body_json(ctx)) == NULL)
		goto out;
	if ((cur = lk_body_field(ctx, body, "current_password",
	    LK_PASSWORD_MAX - 1, &clen)) == NULL ||
	    (new = lk_body_field(ctx, body, "new_password", ctx->cfg->max_body,
	    &nlen)) == NULL ||
	    lk_passkey_keep_field(ctx, body, &kept) == -1)
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
	change(ctx, &user, &claims, &state, new, &t, &kept.keep);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
	json_object_put(body);
}

static void
forgot(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;
	const char		*email;
	size_t			 len;

	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((email = lk_body_field(ctx, body, "email", LK_EMAIL_MAX,
	    &len)) == NULL ||
	    lk_account_send_link(ctx, LK_LINK_RESET, email, NULL) == -1)
		goto out;
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "sent", 1);
	lk_response_json(ctx->resp, 202, &o);
out:
	json_object_put(body);
}

/*
 * The reset's one check of a second factor: a link proves the mailbox,
 * not the second factor, so a reset never gets around one.  An account
 * with TOTP on must send "code" or "recovery_code" with the password;
 * the store spends it in the reset's transaction (lk_account_link_use).
 * Returns 1 to go on (l says what to spend), or 0 with the answer made
 * and the link unused: 401 {"mfa_required": [...], "reset": false}
 * without a code, 401 {"msg": "Invalid code"} for a wrong one.
 */
static int
second_factor_ok(struct lk_ctx *ctx, struct lk_account_link *l,
    struct json_object *body, char hash[LK_RECOVERY_HASH_LEN + 1])
{
	struct lk_mfa_state	 state;
	struct lk_mfa_proof	 proof;
	struct lk_json_out	 o;
	int			 ok = 0;

	memset(&state, 0, sizeof(state));
	l->factor = 0;
	l->step = -1;
	l->recovery = NULL;
	if (lk_mfa_state(ctx, &l->link.user, &state) == -1)
		goto out;
	if (!state.totp) {
		ok = 1;
		goto out;
	}
	if (!json_object_object_get_ex(body, "code", NULL) &&
	    !json_object_object_get_ex(body, "recovery_code", NULL)) {
		lk_json_out_init(&o);
		(void)lk_json_out_raw(&o, "mfa_required",
		    "[\"totp\",\"recovery_code\"]");
		(void)lk_json_out_bool(&o, "reset", 0);
		lk_response_json(ctx->resp, 401, &o);
		goto out;
	}
	if (lk_mfa_proof(ctx, body, &proof) == -1)
		goto out;
	/* A code guessed here is a login attempt like any other. */
	if (lk_throttle_reserve(ctx, l->link.user.email, &l->login) == -1)
		goto out;
	l->login_reserved = 1;
	if (lk_mfa_check(ctx, &l->link.user, &state, &proof, &l->step, hash,
	    "reset_code_failed") == -1)
		goto out;
	l->factor = 1;
	l->recovery = l->step < 0 ? hash : NULL;
	ok = 1;
out:
	lk_explicit_bzero(&state, sizeof(state));
	return ok;
}

static void
reset(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_account_link	 l;
	struct lk_passkey_kept	 kept;
	struct lk_json_out	 o;
	const char		*token, *password;
	char			 hash[LK_RECOVERY_HASH_LEN + 1];
	size_t			 tlen, plen;

	memset(&l, 0, sizeof(l));
	hash[0] = '\0';
	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((token = lk_body_field(ctx, body, "token",
	    LK_ACCOUNT_TOKEN_FIELD_MAX, &tlen)) == NULL ||
	    (password = lk_body_field(ctx, body, "password", ctx->cfg->max_body,
	    &plen)) == NULL ||
	    lk_passkey_keep_field(ctx, body, &kept) == -1 ||
	    lk_account_link_find(ctx, token, tlen, password, plen,
	    LK_LINK_BIT(LK_LINK_RESET), &l) == -1 ||
	    !second_factor_ok(ctx, &l, body, hash))
		goto out;
	l.keep = kept.keep;
	if (lk_account_link_use(ctx, &l, NULL) == -1)
		goto out;
	audit_new_password(ctx, "password_reset", l.link.user.email, &l.keep);
	lk_notify(ctx, LK_NOTICE_PASSWORD_RESET, &l.link.user, NULL, 0);
	/* Whatever session this browser had is over with the others. */
	lk_session_clear(ctx);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "reset", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_explicit_bzero(&l, sizeof(l));
	lk_explicit_bzero(hash, sizeof(hash));
	json_object_put(body);
}

/*
 * The account of a reset link and its passkeys, for the page to show
 * before anyone types a password (the same 400 for a dead link).
 */
static void
reset_check(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_link		 l;
	struct lk_json_out	 o;
	const char		*token;
	char			 list[LK_PASSKEY_MAX *
				    (LK_STORE_PASSKEY_NAME_MAX * 6 + 128) + 8];
	size_t			 tlen;

	memset(&l, 0, sizeof(l));
	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((token = lk_body_field(ctx, body, "token",
	    LK_ACCOUNT_TOKEN_FIELD_MAX, &tlen)) == NULL ||
	    lk_account_link_check(ctx, token, tlen, LK_LINK_BIT(LK_LINK_RESET),
	    &l) == -1 ||
	    lk_passkey_names_json(ctx, &l.user, list, sizeof(list)) < 0)
		goto out;
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "email", l.user.email);
	(void)lk_json_out_str(&o, "name", l.user.name);
	(void)lk_json_out_raw(&o, "passkeys", list);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_explicit_bzero(&l, sizeof(l));
	json_object_put(body);
}

static const struct lk_route routes[] = {
	{ "/forgot", LK_METHOD_POST, forgot },
	{ "/reset", LK_METHOD_POST, reset },
	{ "/reset/check", LK_METHOD_POST, reset_check },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"password", LK_METHOD_POST, handle, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
