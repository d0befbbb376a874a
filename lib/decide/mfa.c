#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/json.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/sha256.h"
#include "base/util.h"
#include "decide/body.h"
#include "decide/mfa.h"
#include "decide/session.h"
#include "domain/cookie.h"
#include "domain/password.h"
#include "domain/qr.h"
#include "domain/secretbox.h"

/* The accessible name of the QR code (qr.h): what a screen reader says. */
#define QR_LABEL	"QR code for two-step verification"
#define PATH		"/api/login"	/* where the pending cookie goes */
#define ID_LEN		(2 * LK_SHA256_LEN)
#define TOKEN_LEN	LK_B64URL_LEN(LK_MFA_TOKEN_BYTES)

/*
 * The sealing key, read from mfa_key_file when a request first needs it
 * and kept for the life of the process (loaded again if another
 * configuration names another file).
 */
static struct lk_secretbox_key	mfa_key;
static char			mfa_key_path[LK_CONFIG_PATH_MAX];

static const struct lk_secretbox_key *
sealing_key(struct lk_ctx *ctx)
{
	const char	*path = ctx->cfg->mfa_key_file;
	char		 err[LK_CONFIG_ERR_MAX], user[64];

	if (mfa_key_path[0] != '\0' && strcmp(mfa_key_path, path) == 0)
		return &mfa_key;
	mfa_key_path[0] = '\0';
	if (lk_secretbox_key_load(&mfa_key, path, err, sizeof(err)) == -1) {
		/*
		 * A file that is there but not the worker's is the usual
		 * mistake (made by root, mode 0600): name the user who
		 * cannot read it, not the command that made it.
		 */
		if (access(path, F_OK) == -1 && errno == ENOENT)
			lk_log(LK_LOG_ERR, "no second factors: mfa_key_file %s "
			    "does not exist (latchkey init makes it)", path);
		else
			lk_log(LK_LOG_ERR, "no second factors: cannot read %s "
			    "as user %s (%s)", path,
			    lk_effective_user(user, sizeof(user)), err);
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return NULL;
	}
	(void)lk_strlcpy(mfa_key_path, ctx->cfg->mfa_key_file,
	    sizeof(mfa_key_path));
	return &mfa_key;
}

/* What a sealed secret is bound to: its user. */
static size_t
aad_of(long long user_id, char *out, size_t outsz)
{
	int	n = snprintf(out, outsz, "totp:%lld", user_id);

	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

/*
 * Open the sealed TOTP secret of user_id into secret.  Returns 0, or -1
 * denied: a secret that does not open means the key file is not the one
 * it was sealed with, or the row was moved or changed.
 */
static int
open_secret(struct lk_ctx *ctx, long long user_id, const char *sealed,
    unsigned char secret[LK_TOTP_SECRET_LEN])
{
	const struct lk_secretbox_key	*key;
	char				 aad[32];
	size_t				 alen = aad_of(user_id, aad, sizeof(aad));

	if ((key = sealing_key(ctx)) == NULL)
		return -1;
	if (lk_secretbox_open(key, sealed, strlen(sealed), aad, alen, secret,
	    LK_TOTP_SECRET_LEN) != LK_TOTP_SECRET_LEN) {
		lk_explicit_bzero(secret, LK_TOTP_SECRET_LEN);
		lk_log(LK_LOG_ERR, "the TOTP secret of user %lld does not open "
		    "with mfa_key_file (another key, or a changed row)", user_id);
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	return 0;
}

/*
 * Check code against the sealed secret of user_id: LK_TOTP_OK with *step
 * (which the store must still accept), another result for a refusal, or
 * LK_TOTP_ERROR denied.
 */
static enum lk_totp_res
check_code(struct lk_ctx *ctx, long long user_id, const char *sealed,
    long long last_step, const char *code, long long *step)
{
	unsigned char		secret[LK_TOTP_SECRET_LEN];
	enum lk_totp_res	r;

	if (open_secret(ctx, user_id, sealed, secret) == -1)
		return LK_TOTP_ERROR;
	r = lk_totp_verify(secret, sizeof(secret), code, ctx->now,
	    LK_MFA_WINDOW, last_step, step);
	lk_explicit_bzero(secret, sizeof(secret));
	if (r == LK_TOTP_ERROR) {
		lk_log(LK_LOG_ERR, "TOTP check failed");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	return r;
}

static void
audit(struct lk_ctx *ctx, const char *event, const char *email,
    const char *why)
{
	if (why != NULL)
		lk_log_audit(event, ctx->now, ctx->req->remote_addr, email,
		    "reason", why, (char *)NULL);
	else
		lk_log_audit(event, ctx->now, ctx->req->remote_addr, email,
		    (char *)NULL);
}

/* The store's answers these refuse with, besides failing. */
static const struct lk_store_refusal	pending_refusals[] = {
	{ LK_STORE_NOT_FOUND, LK_R_MFA_EXPIRED, NULL },
};
static const struct lk_store_refusal	enable_refusals[] = {
	{ LK_STORE_CHANGED, LK_R_INVALID, "Set up two-step verification first" },
};

int
lk_mfa_proof(struct lk_ctx *ctx, struct json_object *body,
    struct lk_mfa_proof *out)
{
	struct json_object	*v;
	size_t			 len;

	memset(out, 0, sizeof(*out));
	if (json_object_object_get_ex(body, "recovery_code", &v)) {
		if (json_object_object_get_ex(body, "code", &v))
			return lk_deny(ctx, LK_R_INVALID, "Send either \"code\" "
			    "or \"recovery_code\", not both");
		out->recovery = lk_body_field(ctx, body, "recovery_code",
		    LK_RECOVERY_INPUT_MAX, &out->recovery_len);
		return out->recovery != NULL ? 0 : -1;
	}
	out->code = lk_body_field(ctx, body, "code", LK_MFA_CODE_MAX, &len);
	return out->code != NULL ? 0 : -1;
}

int
lk_mfa_state(struct lk_ctx *ctx, const struct lk_user *user,
    struct lk_mfa_state *state)
{
	return lk_deny_store(ctx, lk_store_mfa_state(lk_ctx_store(ctx),
	    user->id, state), NULL, 0);
}

const char *
lk_mfa_methods_json(const struct lk_mfa_state *state)
{
	return state->passkeys > 0 ?
	    "[\"totp\",\"recovery_code\",\"webauthn\"]" :
	    "[\"totp\",\"recovery_code\"]";
}

/* Set (token) or clear (NULL) the pending login's cookie. */
static void
pending_cookie(struct lk_ctx *ctx, const char *token)
{
	struct lk_cookie_names	names;
	struct lk_cookie_attr	attr;

	lk_config_cookie_names(ctx->cfg, &names);
	memset(&attr, 0, sizeof(attr));
	attr.path = PATH;
	attr.domain = ctx->cfg->cookie_domain;
	attr.secure = ctx->cfg->cookie_secure;
	attr.http_only = 1;
	attr.samesite = ctx->cfg->cookie_samesite;
	attr.max_age = token != NULL ? LK_MFA_PENDING_LIFE : 0;
	lk_cookie_set(ctx->resp, names.mfa_pending, token != NULL ? token : "",
	    &attr, ctx->now);
}

/* The store's id of a pending login: the hex SHA-256 of its token. */
static void
pending_id(const char *token, size_t len, char id[ID_LEN + 1])
{
	unsigned char	md[LK_SHA256_LEN];

	lk_sha256(token, len, md);
	(void)lk_hex_encode(md, sizeof(md), id, ID_LEN + 1);
	lk_explicit_bzero(md, sizeof(md));
}

int
lk_mfa_first_step(struct lk_ctx *ctx, const struct lk_user *user,
    const char *new_hash, int remember, const struct lk_throttle *t)
{
	struct lk_mfa_start	m;
	unsigned char		raw[LK_MFA_TOKEN_BYTES];
	char			token[TOKEN_LEN + 1], id[ID_LEN + 1];
	enum lk_store_res	res;
	int			rc = -1;

	memset(&m, 0, sizeof(m));
	if (lk_random_bytes(raw, sizeof(raw)) == -1 ||
	    lk_b64url_encode(raw, sizeof(raw), token, sizeof(token)) !=
	    TOKEN_LEN) {
		lk_log(LK_LOG_ERR, "cannot make a pending login: random source "
		    "failed");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	pending_id(token, TOKEN_LEN, id);
	m.user_id = user->id;
	m.hash = user->hash;
	m.new_hash = new_hash;
	m.id = id;
	m.persistent = remember != 0;
	m.exp = ctx->now + LK_MFA_PENDING_LIFE;
	m.throttle_account = t->account;
	m.throttle_address = t->address;
	m.throttle_window = ctx->cfg->throttle_window;
	res = lk_store_mfa_start(lk_ctx_store(ctx), &m, ctx->now);
	if (res == LK_STORE_CHANGED) {
		rc = 0;		/* the caller fails the login */
		goto out;
	}
	if (lk_deny_store(ctx, res, NULL, 0) == -1)
		goto out;
	pending_cookie(ctx, token);
	rc = 1;
out:
	lk_explicit_bzero(raw, sizeof(raw));
	lk_explicit_bzero(token, sizeof(token));
	return rc;
}

/*
 * The pending login the request's cookie names: 0 with *p and id, or -1
 * denied (no cookie; a cookie of no live login).
 */
static int
find_pending(struct lk_ctx *ctx, struct lk_mfa_pending *p,
    char id[ID_LEN + 1])
{
	struct lk_cookie_names	 names;
	char			 token[TOKEN_LEN + 2];
	int			 rc = -1;

	lk_config_cookie_names(ctx->cfg, &names);
	if (ctx->req->cookie_too_long)
		return lk_deny(ctx, LK_R_COOKIE_TOO_LARGE, NULL);
	switch (lk_cookie_get(ctx->req->has_cookie ? ctx->req->cookie : NULL,
	    names.mfa_pending, token, sizeof(token))) {
	case LK_COOKIE_FOUND:
		break;
	case LK_COOKIE_ABSENT:
		return lk_deny(ctx, LK_R_COOKIE_MISSING, names.mfa_pending);
	default:
		return lk_deny(ctx, LK_R_MFA_EXPIRED, NULL);
	}
	if (strlen(token) != TOKEN_LEN) {
		(void)lk_deny(ctx, LK_R_MFA_EXPIRED, NULL);
		goto out;
	}
	pending_id(token, TOKEN_LEN, id);
	if (lk_deny_store(ctx, lk_store_mfa_pending(lk_ctx_store(ctx), id,
	    ctx->now, p), pending_refusals,
	    LK_NREFUSALS(pending_refusals)) == -1)
		goto out;
	if (p->user.disabled) {
		(void)lk_deny(ctx, LK_R_MFA_EXPIRED, NULL);
		goto out;
	}
	rc = 0;
out:
	lk_explicit_bzero(token, sizeof(token));
	return rc;
}

/*
 * The result of a second-factor change whose proof the store spends in
 * its transaction: 0 if made, or -1 refused (the proof spent already or
 * wrong, two-step verification off, the store unavailable).
 */
static int
change_spent(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_mfa_proof *proof, enum lk_store_res res)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_USED, LK_R_CODE, NULL },
		{ LK_STORE_NOT_FOUND, LK_R_INVALID,
		    "Two-step verification is off" },
	};

	if (res == LK_STORE_USED)
		audit(ctx, "mfa_change_failed", user->email,
		    proof->code != NULL ? "code used already" :
		    "wrong recovery code");
	return lk_deny_store(ctx, res, refusals, LK_NREFUSALS(refusals));
}

/*
 * The proof of a second factor, checked as far as it can be before the
 * store spends it: *step for a good code, hash for a recovery code.
 * Returns 0, or -1 denied (LK_R_CODE, audited with event).
 */
static int
check_factor(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_mfa_state *state, const struct lk_mfa_proof *proof,
    long long *step, char hash[LK_RECOVERY_HASH_LEN + 1], const char *event)
{
	enum lk_totp_res	r;

	*step = -1;
	hash[0] = '\0';
	if (proof->code != NULL) {
		r = check_code(ctx, user->id, state->secret, state->last_step,
		    proof->code, step);
		if (r == LK_TOTP_OK)
			return 0;
		if (r == LK_TOTP_ERROR)
			return -1;
		audit(ctx, event, user->email, r == LK_TOTP_REPLAY ?
		    "code used already" : r == LK_TOTP_MALFORMED ?
		    "not a code" : "wrong code");
		return lk_deny(ctx, LK_R_CODE, NULL);
	}
	if (proof->recovery == NULL ||
	    lk_recovery_hash(proof->recovery, proof->recovery_len, hash) == -1) {
		audit(ctx, event, user->email, "not a recovery code");
		return lk_deny(ctx, LK_R_CODE, NULL);
	}
	return 0;
}

int
lk_mfa_check(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_mfa_state *state, const struct lk_mfa_proof *proof,
    long long *step, char hash[LK_RECOVERY_HASH_LEN + 1], const char *event)
{
	if (check_factor(ctx, user, state, proof, step, hash, event) == -1)
		return -1;
	if (proof->code == NULL)
		*step = -1;
	return 0;
}

/* What a second step records: lk_store_mfa_login, the factor spent. */
struct record_second {
	const char			*id;
	const struct lk_mfa_pending	*p;
	const struct lk_mfa_proof	*proof;
	const struct lk_throttle	*t;
	long long			 step;
	const char			*hash;
};

static int
record_second(struct lk_ctx *ctx, struct lk_login *l,
    const struct lk_issue *issue, void *arg)
{
	static const struct lk_store_refusal	refusals[] = {
		/* Spent by another request meanwhile, or before. */
		{ LK_STORE_USED, LK_R_CODE, NULL },
		{ LK_STORE_NOT_FOUND, LK_R_MFA_EXPIRED, NULL },
		{ LK_STORE_CHANGED, LK_R_MFA_EXPIRED, NULL },
	};
	const struct record_second		*a = arg;
	struct lk_mfa_login			 m;
	enum lk_store_res			 res;

	(void)issue;
	l->throttle_account = a->t->account;
	l->throttle_address = a->t->address;
	l->throttle_window = ctx->cfg->throttle_window;
	memset(&m, 0, sizeof(m));
	m.id = a->id;
	m.step = a->proof->code != NULL ? a->step : -1;
	m.recovery = a->proof->code != NULL ? NULL : a->hash;
	m.login = l;
	res = lk_store_mfa_login(lk_ctx_store(ctx), &m, ctx->now);
	if (res == LK_STORE_USED)
		audit(ctx, "login_failed", a->p->user.email,
		    a->proof->code != NULL ? "code used already" :
		    "wrong recovery code");
	return lk_deny_store(ctx, res, refusals, LK_NREFUSALS(refusals));
}

/* Count a second step by its factor and how it ended (rc 0: logged in). */
static void
count_step(const struct lk_ctx *ctx, const struct lk_mfa_proof *proof, int rc)
{
	int	totp = proof->code != NULL;

	if (rc == 0)
		lk_metrics_count(totp ? LK_M_SECOND_TOTP_SUCCESS :
		    LK_M_SECOND_RECOVERY_SUCCESS);
	else if (ctx->denial.reason == LK_R_CODE)
		lk_metrics_count(totp ? LK_M_SECOND_TOTP_FAILURE :
		    LK_M_SECOND_RECOVERY_FAILURE);
	else if (ctx->denial.reason == LK_R_MFA_EXPIRED)
		lk_metrics_count(totp ? LK_M_SECOND_TOTP_EXPIRED :
		    LK_M_SECOND_RECOVERY_EXPIRED);
	else if (ctx->denial.reason == LK_R_THROTTLED)
		lk_metrics_count(totp ? LK_M_SECOND_TOTP_THROTTLED :
		    LK_M_SECOND_RECOVERY_THROTTLED);
}

int
lk_mfa_second_step(struct lk_ctx *ctx, const struct lk_mfa_proof *proof)
{
	struct lk_mfa_pending	 p;
	struct lk_mfa_state	 state;
	struct lk_throttle	 t;
	struct record_second	 a;
	char			 id[ID_LEN + 1], hash[LK_RECOVERY_HASH_LEN + 1];
	long long		 step = -1;
	int			 rc = -1;

	memset(&p, 0, sizeof(p));
	memset(&state, 0, sizeof(state));
	hash[0] = '\0';
	if (find_pending(ctx, &p, id) == -1)
		goto out;
	/* Each code guessed is a login attempt like any other. */
	if (lk_throttle_reserve(ctx, p.user.email, &t) == -1 ||
	    lk_mfa_state(ctx, &p.user, &state) == -1)
		goto out;
	if (!state.totp) {
		(void)lk_deny(ctx, LK_R_MFA_EXPIRED, NULL);
		goto out;
	}
	if (check_factor(ctx, &p.user, &state, proof, &step, hash,
	    "login_failed") == -1)
		goto out;
	a.id = id;
	a.p = &p;
	a.proof = proof;
	a.t = &t;
	a.step = step;
	a.hash = hash;
	if (lk_session_start(ctx, &p.user, p.hash, p.persistent,
	    LK_ISSUE_LOGIN | LK_ISSUE_MFA, record_second, &a) != 0)
		goto out;
	pending_cookie(ctx, NULL);
	lk_log_audit("login_ok", ctx->now, ctx->req->remote_addr, p.user.email,
	    "factor", proof->code != NULL ? "totp" : "recovery_code",
	    (char *)NULL);
	rc = 0;
out:
	count_step(ctx, proof, rc);
	lk_explicit_bzero(&p, sizeof(p));
	lk_explicit_bzero(&state, sizeof(state));
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}

int
lk_mfa_password(struct lk_ctx *ctx, const struct lk_user *user,
    const char *password, struct lk_throttle *t)
{
	enum lk_pw_res	pr;

	if (lk_throttle_reserve(ctx, user->email, t) == -1)
		return -1;
	pr = lk_password_verify(&ctx->cfg->hash, password, user->hash);
	if (pr == LK_PW_ERROR) {
		lk_log(LK_LOG_ERR, "password hashing failed");
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	}
	if (pr == LK_PW_BAD) {
		audit(ctx, "mfa_change_failed", user->email, "wrong password");
		return lk_deny(ctx, LK_R_WRONG_PASSWORD, NULL);
	}
	return 0;
}

void
lk_mfa_give_back(struct lk_ctx *ctx, const struct lk_throttle *t)
{
	const char	*keys[2];

	keys[0] = t->account;
	keys[1] = t->address;
	/* Only bookkeeping: a failure costs the user one attempt. */
	if (lk_store_throttle_give_back(lk_ctx_store(ctx), keys, 2,
	    ctx->cfg->throttle_window, ctx->now) != LK_STORE_OK)
		lk_log(LK_LOG_WARN, "throttle: could not give back an attempt");
}

/*
 * s, or as much of it as fits a TOTP name without cutting a UTF-8
 * sequence, into out.
 */
static void
totp_name(const char *s, char out[LK_TOTP_NAME_MAX + 1])
{
	size_t	n = strlen(s);

	if (n > LK_TOTP_NAME_MAX) {
		n = LK_TOTP_NAME_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void
lk_mfa_setup_clear(struct lk_mfa_setup *out)
{
	lk_qr_svg_free(out->qr_svg);
	lk_explicit_bzero(out, sizeof(*out));
}

int
lk_mfa_setup(struct lk_ctx *ctx, const struct lk_user *user,
    const char *password, struct lk_mfa_setup *out)
{
	const struct lk_secretbox_key	*key;
	struct lk_mfa_state		 state;
	struct lk_throttle		 t;
	unsigned char			 secret[LK_TOTP_SECRET_LEN];
	char				 sealed[LK_STORE_SECRET_MAX + 1];
	char				 issuer[LK_TOTP_NAME_MAX + 1];
	char				 account[LK_TOTP_NAME_MAX + 1];
	char				 aad[32];
	size_t				 alen = aad_of(user->id, aad, sizeof(aad));
	int				 rc = -1;
	const struct lk_store_refusal	 setup_refusals[] = {
		{ LK_STORE_EXISTS, LK_R_INVALID,
		    "Two-step verification is already on" },
		{ LK_STORE_NOT_FOUND, LK_R_USER, user->email },
	};

	memset(out, 0, sizeof(*out));
	if (lk_mfa_state(ctx, user, &state) == -1)
		return -1;
	if (state.totp)
		return lk_deny(ctx, LK_R_INVALID,
		    "Two-step verification is already on");
	if ((key = sealing_key(ctx)) == NULL ||
	    lk_mfa_password(ctx, user, password, &t) == -1)
		return -1;
	if (lk_totp_secret_new(secret) == -1 ||
	    lk_secretbox_seal(key, secret, sizeof(secret), aad, alen, sealed,
	    sizeof(sealed)) < 0) {
		lk_log(LK_LOG_ERR, "cannot make a TOTP secret");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	totp_name(ctx->cfg->site_name, issuer);
	totp_name(user->email, account);
	if (lk_base32_encode(secret, sizeof(secret), out->secret,
	    sizeof(out->secret)) < 0 ||
	    lk_totp_uri(issuer, account, secret, sizeof(secret), out->uri,
	    sizeof(out->uri)) == -1 ||
	    (out->qr_svg = lk_qr_svg(out->uri, QR_LABEL)) == NULL) {
		lk_log(LK_LOG_ERR, "cannot write the TOTP secret's URI or QR code");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	if (lk_deny_store(ctx, lk_store_totp_setup(lk_ctx_store(ctx), user->id,
	    sealed, ctx->now), setup_refusals,
	    LK_NREFUSALS(setup_refusals)) == -1)
		goto out;
	lk_mfa_give_back(ctx, &t);
	audit(ctx, "totp_setup", user->email, NULL);
	rc = 0;
out:
	if (rc == -1)
		lk_mfa_setup_clear(out);
	lk_explicit_bzero(secret, sizeof(secret));
	lk_explicit_bzero(sealed, sizeof(sealed));
	return rc;
}

/* Ten new codes into out and their hashes into hashes. */
static int
new_codes(struct lk_ctx *ctx, struct lk_mfa_codes *out,
    char hashes[LK_RECOVERY_COUNT][LK_RECOVERY_HASH_LEN + 1],
    const char *ptrs[LK_RECOVERY_COUNT])
{
	size_t	i;

	if (lk_recovery_generate(out->code) == -1)
		goto fail;
	for (i = 0; i < LK_RECOVERY_COUNT; i++) {
		if (lk_recovery_hash(out->code[i], strlen(out->code[i]),
		    hashes[i]) == -1)
			goto fail;
		ptrs[i] = hashes[i];
	}
	return 0;
fail:
	lk_mfa_codes_clear(out);
	lk_log(LK_LOG_ERR, "cannot make recovery codes");
	return lk_deny(ctx, LK_R_INTERNAL, NULL);
}

int
lk_mfa_enable(struct lk_ctx *ctx, const struct lk_user *user,
    const char *code, struct lk_mfa_codes *out)
{
	struct lk_mfa_state	 state;
	struct lk_throttle	 t;
	char			 hashes[LK_RECOVERY_COUNT][LK_RECOVERY_HASH_LEN + 1];
	const char		*ptrs[LK_RECOVERY_COUNT];
	long long		 step;
	enum lk_totp_res	 r;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	if (lk_mfa_state(ctx, user, &state) == -1)
		return -1;
	if (state.totp)
		return lk_deny(ctx, LK_R_INVALID,
		    "Two-step verification is already on");
	/* A set-up left unfinished dies: its secret cannot be guessed at. */
	if (!state.totp_pending ||
	    ctx->now - state.totp_created >= LK_MFA_SETUP_LIFE) {
		lk_explicit_bzero(&state, sizeof(state));
		return lk_deny(ctx, LK_R_INVALID,
		    "Set up two-step verification first");
	}
	/* Each code guessed is a login attempt like any other. */
	if (lk_throttle_reserve(ctx, user->email, &t) == -1)
		goto out;
	r = check_code(ctx, user->id, state.secret, LK_TOTP_NO_STEP, code,
	    &step);
	if (r == LK_TOTP_ERROR)
		goto out;
	if (r != LK_TOTP_OK) {
		audit(ctx, "totp_enable_failed", user->email, "wrong code");
		(void)lk_deny(ctx, LK_R_CODE, NULL);
		goto out;
	}
	if (new_codes(ctx, out, hashes, ptrs) == -1)
		goto out;
	/* Only the secret the code proved: not one set up anew meanwhile. */
	if (lk_deny_store(ctx, lk_store_totp_enable(lk_ctx_store(ctx),
	    user->id, state.secret, step, ptrs, LK_RECOVERY_COUNT, ctx->now),
	    enable_refusals, LK_NREFUSALS(enable_refusals)) == -1)
		goto out;
	lk_mfa_give_back(ctx, &t);
	audit(ctx, "totp_enabled", user->email, NULL);
	rc = 0;
out:
	if (rc == -1)
		lk_mfa_codes_clear(out);
	lk_explicit_bzero(&state, sizeof(state));
	lk_explicit_bzero(hashes, sizeof(hashes));
	return rc;
}

int
lk_mfa_disable(struct lk_ctx *ctx, const struct lk_user *user,
    const char *password, const struct lk_mfa_proof *proof)
{
	struct lk_mfa_state	state;
	struct lk_throttle	t;
	char			hash[LK_RECOVERY_HASH_LEN + 1];
	long long		step = -1;
	int			rc = -1;

	hash[0] = '\0';
	if (lk_mfa_state(ctx, user, &state) == -1)
		return -1;
	if (!state.totp)
		return lk_deny(ctx, LK_R_INVALID, "Two-step verification is off");
	/* One reservation for the two factors: a guess of either counts. */
	if (lk_mfa_password(ctx, user, password, &t) == -1 ||
	    check_factor(ctx, user, &state, proof, &step, hash,
	    "mfa_change_failed") == -1)
		goto out;
	if (change_spent(ctx, user, proof,
	    lk_store_totp_disable(lk_ctx_store(ctx), user->id,
	    proof->code != NULL ? step : -1,
	    proof->code != NULL ? NULL : hash)) == -1)
		goto out;
	lk_mfa_give_back(ctx, &t);
	audit(ctx, "totp_disabled", user->email, NULL);
	rc = 0;
out:
	lk_explicit_bzero(&state, sizeof(state));
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}

int
lk_mfa_regenerate(struct lk_ctx *ctx, const struct lk_user *user,
    const char *password, struct json_object *body, struct lk_mfa_codes *out)
{
	struct lk_mfa_proof	 p, *proof = &p;
	struct lk_mfa_state	 state;
	struct lk_factor_spend	 f;
	struct lk_throttle	 t;
	char			 hashes[LK_RECOVERY_COUNT][LK_RECOVERY_HASH_LEN + 1];
	char			 hash[LK_RECOVERY_HASH_LEN + 1];
	const char		*ptrs[LK_RECOVERY_COUNT];
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	hash[0] = '\0';
	if (lk_mfa_state(ctx, user, &state) == -1)
		return -1;
	if (!state.totp) {
		lk_explicit_bzero(&state, sizeof(state));
		return lk_deny(ctx, LK_R_INVALID, "Two-step verification is off");
	}
	/*
	 * Both factors, as for turning TOTP off: new codes are a second
	 * factor, which the password alone must not mint.  One reservation
	 * for the two: a guess of either counts.
	 */
	memset(&f, 0, sizeof(f));
	f.given = 1;
	if (lk_mfa_proof(ctx, body, proof) == -1 ||
	    lk_mfa_password(ctx, user, password, &t) == -1 ||
	    check_factor(ctx, user, &state, proof, &f.step, hash,
	    "mfa_change_failed") == -1 ||
	    new_codes(ctx, out, hashes, ptrs) == -1)
		goto out;
	if (proof->code == NULL) {
		f.step = -1;
		f.recovery = hash;
	}
	if (change_spent(ctx, user, proof,
	    lk_store_recovery_replace(lk_ctx_store(ctx), user->id, &f, ptrs,
	    LK_RECOVERY_COUNT, ctx->now)) == -1)
		goto out;
	lk_mfa_give_back(ctx, &t);
	audit(ctx, "recovery_regenerated", user->email, NULL);
	rc = 0;
out:
	if (rc == -1)
		lk_mfa_codes_clear(out);
	lk_explicit_bzero(&state, sizeof(state));
	lk_explicit_bzero(hashes, sizeof(hashes));
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}

int
lk_mfa_reauth(struct lk_ctx *ctx, const struct lk_user *user,
    struct json_object *body, struct lk_factor_spend *f,
    char hash[LK_RECOVERY_HASH_LEN + 1], struct lk_throttle *t)
{
	struct lk_mfa_state	 state;
	struct lk_mfa_proof	 proof;
	const char		*password;
	size_t			 len;
	int			 rc = -1;

	memset(f, 0, sizeof(*f));
	f->step = -1;
	hash[0] = '\0';
	memset(&state, 0, sizeof(state));
	/* Without a password the session alone would do: not enough. */
	if (body == NULL || !json_object_object_get_ex(body, "password", NULL))
		return lk_deny(ctx, LK_R_FRESH, NULL);
	if ((password = lk_body_field(ctx, body, "password", LK_PASSWORD_MAX - 1,
	    &len)) == NULL || lk_mfa_state(ctx, user, &state) == -1)
		goto out;
	/* The factor's shape before the password costs a hash. */
	if (state.totp && lk_mfa_proof(ctx, body, &proof) == -1)
		goto out;
	if (lk_mfa_password(ctx, user, password, t) == -1)
		goto out;
	if (state.totp) {
		f->given = 1;
		if (check_factor(ctx, user, &state, &proof, &f->step, hash,
		    "mfa_change_failed") == -1)
			goto out;
		if (proof.code == NULL) {
			f->step = -1;
			f->recovery = hash;
		}
	}
	rc = 0;
out:
	lk_explicit_bzero(&state, sizeof(state));
	if (rc == -1) {
		memset(f, 0, sizeof(*f));
		lk_explicit_bzero(hash, LK_RECOVERY_HASH_LEN + 1);
	}
	return rc;
}

long
lk_mfa_codes_json(const struct lk_mfa_codes *codes, char *out, size_t outsz)
{
	size_t	i, o = 0;
	int	n;

	/* The alphabet and '-' need no escaping. */
	for (i = 0; i < LK_RECOVERY_COUNT; i++) {
		n = snprintf(out + o, outsz - o, "%s\"%s\"", i == 0 ? "[" : ",",
		    codes->code[i]);
		if (n < 0 || (size_t)n >= outsz - o)
			return -1;
		o += (size_t)n;
	}
	if (o + 2 > outsz)
		return -1;
	out[o++] = ']';
	out[o] = '\0';
	return (long)o;
}

void
lk_mfa_codes_clear(struct lk_mfa_codes *codes)
{
	lk_explicit_bzero(codes, sizeof(*codes));
}
