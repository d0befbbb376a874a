/*
 * POST /api/login {"email": ..., "password": ...}
 * 200 {"login": true} with the access, refresh and CSRF cookies, or 401
 * {"login": false}.  Every attempt costs exactly one password hash, found
 * account or not, so timing does not tell which emails exist; it is
 * reserved against the throttle first, so that a throttled attempt (429)
 * costs none and parallel guesses never buy more than the limit.
 *
 * A user with a second factor gets 200 {"login": false, "mfa_required":
 * [...]} and the mfa_pending cookie instead of tokens; POST
 * /api/login/mfa {"code": ...} or {"recovery_code": ...} with that
 * cookie then finishes the login (lib/decide/mfa.h).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "decide/body.h"
#include "decide/mfa.h"
#include "decide/session.h"
#include "decide/throttle.h"
#include "domain/password.h"
#include "domain/policy.h"
#include "domain/store/store.h"

static void
answer(struct lk_ctx *ctx, int ok)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", ok);
	lk_response_json(ctx->resp, ok ? 200 : 401, &o);
}

static void
audit(struct lk_ctx *ctx, const char *event, const char *email,
    unsigned long hashes)
{
	char	n[24];

	(void)snprintf(n, sizeof(n), "%lu", hashes);
	lk_log_audit(event, ctx->now, ctx->req->remote_addr, email, "hashes", n,
	    (char *)NULL);
}

/* The first step's answer: which second factors finish the login. */
static void
ask_second_factor(struct lk_ctx *ctx, const struct lk_mfa_state *state)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 0);
	(void)lk_json_out_raw(&o, "mfa_required", lk_mfa_methods_json(state));
	lk_response_json(ctx->resp, 200, &o);
}

/* What a password login records: lk_store_login, with its throttle. */
struct record_login {
	const char		*new_hash;
	const struct lk_throttle *t;
};

static int
record_login(struct lk_ctx *ctx, struct lk_login *l,
    const struct lk_issue *issue, void *arg)
{
	const struct record_login	*a = arg;
	enum lk_store_res		 res;

	(void)issue;
	l->new_hash = a->new_hash;
	l->throttle_account = a->t->account;
	l->throttle_address = a->t->address;
	l->throttle_window = ctx->cfg->throttle_window;
	res = lk_store_login(lk_ctx_store(ctx), l, ctx->now);
	/* Changed or disabled while we hashed: the old password is dead. */
	if (res == LK_STORE_CHANGED)
		return 1;
	if (lk_deny_store(ctx, res, NULL, 0) == -1)
		return -1;
	if (a->new_hash != NULL)
		lk_log(LK_LOG_INFO, "password hash upgraded to %s",
		    ctx->cfg->hash.method);
	return 0;
}

/*
 * The password of a known, enabled user matched: record the session (the
 * store checks that the hash did not change meanwhile) and set cookies,
 * or, for a user with a second factor, the pending login that asks for
 * it.  Returns 1 logged in, 2 second factor asked for, 0 refused, -1
 * denied.
 */
static int
start(struct lk_ctx *ctx, const struct lk_user *user, const char *password,
    enum lk_pw_res pr, int remember, const struct lk_throttle *t)
{
	struct lk_mfa_state	 state;
	struct record_login	 a;
	char			 rehash[LK_HASH_MAX + 1];
	int			 rc = -1;

	memset(&a, 0, sizeof(a));
	a.t = t;
	rehash[0] = '\0';
	if (pr == LK_PW_OK_REHASH && lk_password_hash(&ctx->cfg->hash,
	    password, rehash, sizeof(rehash)) == 0)
		a.new_hash = rehash;	/* else keep the old hash: the login stands */
	if (lk_mfa_state(ctx, user, &state) == -1)
		goto out;
	if (state.totp) {
		/* No token before both factors. */
		if ((rc = lk_mfa_first_step(ctx, user, a.new_hash, remember,
		    t)) == 1) {
			ask_second_factor(ctx, &state);
			rc = 2;
		}
		goto out;
	}
	switch (lk_session_start(ctx, user, NULL, remember, LK_ISSUE_LOGIN,
	    record_login, &a)) {
	case 0:
		rc = 1;
		break;
	case 1:
		rc = 0;
		break;
	default:
		rc = -1;
		break;
	}
out:
	lk_explicit_bzero(rehash, sizeof(rehash));
	lk_explicit_bzero(&state, sizeof(state));
	return rc;
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_user		 user;
	struct lk_throttle	 t;
	const char		*email, *password;
	size_t			 elen, plen;
	unsigned long		 hashes = lk_password_hash_count();
	enum lk_store_res	 sr;
	enum lk_pw_res		 pr;
	int			 remember, rc;

	memset(&user, 0, sizeof(user));
	if (lk_session_can_issue(ctx) == -1)
		return;
	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((email = lk_body_field(ctx, body, "email", LK_EMAIL_MAX,
	    &elen)) == NULL ||
	    (password = lk_body_field(ctx, body, "password",
	    LK_PASSWORD_MAX - 1, &plen)) == NULL ||
	    (remember = lk_body_bool(ctx, body, "remember", 0)) == -1)
		goto out;
	if (lk_throttle_reserve(ctx, email, &t) == -1) {
		if (ctx->denial.reason == LK_R_THROTTLED)
			lk_metrics_count(LK_M_LOGIN_THROTTLED);
		goto out;
	}

	sr = lk_store_user_find(lk_ctx_store(ctx), email, &user);
	if (sr == LK_STORE_ERROR) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	/* A pending account has no password yet: as unknown as none. */
	if (sr == LK_STORE_OK && !user.disabled && !lk_store_user_pending(&user))
		pr = lk_password_verify(&ctx->cfg->hash, password, user.hash);
	else {
		lk_password_verify_dummy(&ctx->cfg->hash, password);
		pr = LK_PW_BAD;
	}
	hashes = lk_password_hash_count() - hashes;
	if (pr == LK_PW_ERROR) {
		lk_log(LK_LOG_ERR, "password hashing failed");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	/* A failure stays counted: its reservation is not given back. */
	rc = pr == LK_PW_BAD ? 0 : start(ctx, &user, password, pr, remember, &t);
	if (rc == -1)
		goto out;
	audit(ctx, rc == 1 ? "login_ok" : rc == 2 ? "login_second_factor" :
	    "login_failed", rc ? user.email : email, hashes);
	lk_metrics_count(rc == 1 ? LK_M_LOGIN_SUCCESS : rc == 2 ?
	    LK_M_LOGIN_SECOND_FACTOR : sr == LK_STORE_OK && user.disabled ?
	    LK_M_LOGIN_DISABLED : LK_M_LOGIN_BAD_CREDENTIALS);
	if (rc != 2)
		answer(ctx, rc);
out:
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

/*
 * POST /api/login/mfa {"code": "123456"} or {"recovery_code": "..."},
 * with the mfa_pending cookie of the password step: 200 {"login": true}
 * and the session's cookies, or 401 {"msg": "Invalid code"}.
 */
static void
second_factor(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_mfa_proof	 proof;

	/* Before the throttle's write: a verify-only node's role only reads. */
	if (lk_session_can_issue(ctx) == -1 ||
	    (body = lk_body_json(ctx)) == NULL)
		return;
	if (lk_mfa_proof(ctx, body, &proof) == 0 &&
	    lk_mfa_second_step(ctx, &proof) == 0)
		answer(ctx, 1);
	json_object_put(body);
}

static const struct lk_route routes[] = {
	{ "/mfa", LK_METHOD_POST, second_factor },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"login", LK_METHOD_POST, handle, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
