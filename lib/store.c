#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_pg.h"

/*
 * The store's public functions: each hands the call to the backend that
 * opened the handle.  A NULL handle is a store that could not be opened:
 * every operation fails (LK_STORE_ERROR), so callers need no other check.
 */

/* A factor to spend names exactly one proof; none names nothing. */
static int
factor_ok(const struct lk_factor_spend *f)
{
	return !f->given || (f->step < 0) == (f->recovery != NULL);
}

/* Whether c may be in an id of ours (base64url). */
static int
id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
lk_store_keep_json(const struct lk_passkey_keep *k, char *out, size_t outsz)
{
	size_t	i, j, o = 0, len;
	int	first = 1;

	if (outsz < 3)
		return -1;
	out[o++] = '[';
	for (i = 0; i < k->n; i++) {
		len = strlen(k->ids[i]);
		for (j = 0; j < len && id_char(k->ids[i][j]); j++)
			;
		/* Not an id of ours: it names no passkey. */
		if (len == 0 || len > LK_STORE_ID_MAX || j != len)
			continue;
		if (o + len + 4 > outsz)
			return -1;
		if (!first)
			out[o++] = ',';
		out[o++] = '"';
		memcpy(out + o, k->ids[i], len);
		o += len;
		out[o++] = '"';
		first = 0;
	}
	out[o++] = ']';
	out[o] = '\0';
	return 0;
}

int
lk_store_is_uri(const char *where)
{
	/* libpq's own two spellings of a connection URI. */
	return strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0;
}

struct lk_store *
lk_store_open(const char *where, const struct lk_store_options *opts,
    char *err, size_t errsz)
{
	struct lk_store	*s;

	if (where == NULL || *where == '\0') {
		(void)snprintf(err, errsz, "no database named");
		return NULL;
	}
	if (lk_store_is_uri(where))
		s = lk_store_pg_open(where, opts->password_file, err, errsz);
	else
		s = lk_store_sqlite_open(where, opts->create, err, errsz);
	if (s == NULL)
		return NULL;
	s->leeway = opts->leeway;
	return s;
}

int
lk_store_schema_version(void)
{
	return LK_STORE_SCHEMA_VERSION;
}

const char *
lk_store_rec_name(enum lk_store_rec kind)
{
	static const char *const names[LK_STORE_REC__MAX] = {
		[LK_STORE_REC_USER] = "user",
		[LK_STORE_REC_DELETED] = "deleted-user mark",
		[LK_STORE_REC_SESSION] = "session",
		[LK_STORE_REC_TOKENS] = "refresh token",
		[LK_STORE_REC_REVOKED] = "revocation",
		[LK_STORE_REC_THROTTLE] = "throttle counter",
		[LK_STORE_REC_TOTP] = "TOTP secret",
		[LK_STORE_REC_RECOVERY] = "recovery code",
		[LK_STORE_REC_PENDING] = "pending login",
		[LK_STORE_REC_WEBAUTHN_USER] = "WebAuthn user handle",
		[LK_STORE_REC_PASSKEY] = "passkey",
		[LK_STORE_REC_CHALLENGE] = "WebAuthn challenge",
		[LK_STORE_REC_LINK] = "one-time link",
	};

	return kind < LK_STORE_REC__MAX ? names[kind] : "record";
}

void
lk_store_close(struct lk_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

enum lk_store_res
lk_store_user_find(struct lk_store *s, const char *email, struct lk_user *out)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_find(s, email, out);
}

enum lk_store_res
lk_store_user_add(struct lk_store *s, const char *email, const char *name,
    const char *hash, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_add(s, email, name, hash, now);
}

enum lk_store_res
lk_store_user_set_name(struct lk_store *s, const char *email,
    const char *name, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_name(s, email, name, now);
}

enum lk_store_res
lk_store_user_set_password(struct lk_store *s, const char *email,
    const char *hash, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_password(s, email, hash, now);
}

enum lk_store_res
lk_store_user_set_disabled(struct lk_store *s, const char *email,
    int disabled, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_set_disabled(s, email, disabled, now);
}

enum lk_store_res
lk_store_user_delete(struct lk_store *s, const char *email, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->user_delete(s, email, now);
}

int
lk_store_user_pending(const struct lk_user *u)
{
	return u->hash[0] == '\0';
}

const char *
lk_link_purpose_name(enum lk_link_purpose p)
{
	static const char *const names[LK_LINK__MAX] = {
		[LK_LINK_RESET] = "reset",
		[LK_LINK_INVITE] = "invite",
		[LK_LINK_SIGNUP] = "signup",
	};

	return p < LK_LINK__MAX ? names[p] : "unknown";
}

enum lk_store_res
lk_store_link_add(struct lk_store *s, const struct lk_link_new *link,
    long long now, struct lk_user *user)
{
	memset(user, 0, sizeof(*user));
	if (s == NULL || link->purpose >= LK_LINK__MAX)
		return LK_STORE_ERROR;
	return s->ops->link_add(s, link, now, user);
}

enum lk_store_res
lk_store_link_find(struct lk_store *s, const char *hash, unsigned int purposes,
    long long now, struct lk_link *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->link_find(s, hash, purposes, now, out);
}

enum lk_store_res
lk_store_link_use(struct lk_store *s, const struct lk_link_use *use,
    long long now)
{
	if (s == NULL || use->new_hash == NULL || use->new_hash[0] == '\0')
		return LK_STORE_ERROR;
	return s->ops->link_use(s, use, now);
}

enum lk_store_res
lk_store_user_each(struct lk_store *s,
    int (*fn)(const struct lk_user *, void *), void *arg)
{
	return s->ops->user_each(s, fn, arg);
}

enum lk_store_res
lk_store_token_check(struct lk_store *s, const char *email, const char *jti,
    int refresh, struct lk_user *user, struct lk_token_state *state)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->token_check(s, email, jti, refresh, user, state);
}

enum lk_store_res
lk_store_throttle_reserve(struct lk_store *s, const char *const *keys,
    const long long *limits, size_t n, long long window, long long now,
    long long *retry_after)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_reserve(s, keys, limits, n, window, now,
	    retry_after);
}

enum lk_store_res
lk_store_login(struct lk_store *s, const struct lk_login *l, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	/* A pending account's empty hash is matched by no password. */
	if (l->hash == NULL || l->hash[0] == '\0')
		return LK_STORE_CHANGED;
	return s->ops->login(s, l, now);
}

enum lk_store_res
lk_store_password_change(struct lk_store *s, const struct lk_login *l,
    const struct lk_revoke *revoke, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->password_change(s, l, revoke, now);
}

enum lk_refresh_res
lk_store_refresh(struct lk_store *s, const struct lk_refresh *r,
    long long now, struct lk_store_tokens *successor)
{
	if (s == NULL)
		return LK_REFRESH_ERROR;
	return s->ops->refresh(s, r, now, successor);
}

enum lk_store_res
lk_store_logout(struct lk_store *s, const struct lk_revoke *t, size_t n,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->logout(s, t, n, now);
}

enum lk_store_res
lk_store_prune(struct lk_store *s, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->prune(s, now);
}

enum lk_store_res
lk_store_throttle_give_back(struct lk_store *s, const char *const *keys,
    size_t n, long long window, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_give_back(s, keys, n, window, now);
}

enum lk_store_res
lk_store_throttle_clear(struct lk_store *s, const char *const *keys,
    size_t n)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->throttle_clear(s, keys, n);
}

enum lk_store_res
lk_store_mfa_state(struct lk_store *s, long long user_id,
    struct lk_mfa_state *out)
{
	memset(out, 0, sizeof(*out));
	out->last_step = -1;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_state(s, user_id, out);
}

enum lk_store_res
lk_store_totp_setup(struct lk_store *s, long long user_id, const char *sealed,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->totp_setup(s, user_id, sealed, now);
}

enum lk_store_res
lk_store_totp_enable(struct lk_store *s, long long user_id, const char *sealed,
    long long step, const char *const *hashes, size_t n, long long now)
{
	if (s == NULL || n > LK_STORE_RECOVERY_MAX)
		return LK_STORE_ERROR;
	return s->ops->totp_enable(s, user_id, sealed, step, hashes, n, now);
}

enum lk_store_res
lk_store_totp_disable(struct lk_store *s, long long user_id, long long step,
    const char *recovery)
{
	/* Exactly one proof. */
	if (s == NULL || (step < 0) == (recovery == NULL))
		return LK_STORE_ERROR;
	return s->ops->totp_disable(s, user_id, step, recovery);
}

enum lk_store_res
lk_store_recovery_replace(struct lk_store *s, long long user_id,
    const struct lk_factor_spend *f, const char *const *hashes, size_t n,
    long long now)
{
	if (s == NULL || n > LK_STORE_RECOVERY_MAX || f == NULL || !f->given ||
	    !factor_ok(f))
		return LK_STORE_ERROR;
	return s->ops->recovery_replace(s, user_id, f, hashes, n, now);
}

enum lk_store_res
lk_store_mfa_reset(struct lk_store *s, const char *email, int passkeys,
    long long *npasskeys)
{
	long long	n;

	if (npasskeys == NULL)
		npasskeys = &n;
	*npasskeys = 0;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_reset(s, email, passkeys != 0, npasskeys);
}

enum lk_store_res
lk_store_mfa_start(struct lk_store *s, const struct lk_mfa_start *m,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_start(s, m, now);
}

enum lk_store_res
lk_store_mfa_pending(struct lk_store *s, const char *id, long long now,
    struct lk_mfa_pending *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->mfa_pending(s, id, now, out);
}

enum lk_store_res
lk_store_mfa_login(struct lk_store *s, const struct lk_mfa_login *m,
    long long now)
{
	/* Exactly one factor. */
	if (s == NULL || (m->step < 0) == (m->recovery == NULL))
		return LK_STORE_ERROR;
	return s->ops->mfa_login(s, m, now);
}

enum lk_store_res
lk_store_webauthn_handle(struct lk_store *s, long long user_id,
    const char *candidate, char *out, size_t outsz)
{
	if (outsz > 0)
		out[0] = '\0';
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->webauthn_handle(s, user_id, candidate, out, outsz);
}

enum lk_store_res
lk_store_challenge_add(struct lk_store *s, const struct lk_challenge *c,
    long long limit, const struct lk_factor_spend *f, long long now)
{
	/* A proof is of a user: a registration's. */
	if (s == NULL || c->kind >= LK_CHALLENGE__MAX || (f != NULL &&
	    (c->kind != LK_CHALLENGE_REGISTER || !factor_ok(f))))
		return LK_STORE_ERROR;
	return s->ops->challenge_add(s, c, limit, f, now);
}

enum lk_store_res
lk_store_passkey_add(struct lk_store *s, const char *challenge,
    const struct lk_passkey *p, long long max, long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_add(s, challenge, p, max, now);
}

enum lk_store_res
lk_store_passkey_find(struct lk_store *s, const char *credential_id,
    struct lk_passkey *p, struct lk_user *user, char *handle, size_t handlesz)
{
	memset(p, 0, sizeof(*p));
	memset(user, 0, sizeof(*user));
	if (handlesz > 0)
		handle[0] = '\0';
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_find(s, credential_id, p, user, handle,
	    handlesz);
}

enum lk_store_res
lk_store_passkey_login(struct lk_store *s, const struct lk_passkey_login *pl,
    long long now)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_login(s, pl, now);
}

enum lk_store_res
lk_store_passkey_each(struct lk_store *s, long long user_id,
    int (*fn)(const struct lk_passkey *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_each(s, user_id, fn, arg);
}

enum lk_store_res
lk_store_passkey_delete(struct lk_store *s, long long user_id, const char *id)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->passkey_delete(s, user_id, id);
}

enum lk_store_res
lk_store_session_each(struct lk_store *s, long long user_id, long long now,
    int (*fn)(const struct lk_session *, void *), void *arg)
{
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->session_each(s, user_id, now, fn, arg);
}

enum lk_store_res
lk_store_session_end(struct lk_store *s, long long user_id, const char *id,
    const char *keep, long long now, long long *n)
{
	long long	ignored;

	if (n == NULL)
		n = &ignored;
	*n = 0;
	if (s == NULL)
		return LK_STORE_ERROR;
	return s->ops->session_end(s, user_id, id, keep, now, n);
}

enum lk_store_res
lk_store_export(struct lk_store *s,
    int (*fn)(const struct lk_store_record *, void *), void *arg)
{
	return s->ops->export(s, fn, arg);
}

/* A copy under way: the source, and the target's writer of one record. */
struct copy {
	struct lk_store	*from;
	int		(*put)(const struct lk_store_record *, void *);
	void		*putarg;
	size_t		*counts;
	int		 failed;
};

static int
copy_record(const struct lk_store_record *rec, void *arg)
{
	struct copy	*c = arg;

	if (rec->kind >= LK_STORE_REC__MAX || c->put(rec, c->putarg) != 0) {
		c->failed = 1;
		return 1;
	}
	c->counts[rec->kind]++;
	return 0;
}

/* The target's import feeds on the source's export. */
static enum lk_store_res
copy_feed(void *arg, int (*put)(const struct lk_store_record *, void *),
    void *putarg)
{
	struct copy		*c = arg;
	enum lk_store_res	 r;

	c->put = put;
	c->putarg = putarg;
	r = c->from->ops->export(c->from, copy_record, c);
	return r == LK_STORE_OK && c->failed ? LK_STORE_ERROR : r;
}

enum lk_store_res
lk_store_copy(struct lk_store *from, struct lk_store *to, int replace,
    size_t counts[LK_STORE_REC__MAX])
{
	struct copy		c;
	size_t			mine[LK_STORE_REC__MAX];
	enum lk_store_res	r;

	memset(&c, 0, sizeof(c));
	memset(mine, 0, sizeof(mine));
	c.from = from;
	c.counts = mine;
	r = to->ops->import(to, replace, copy_feed, &c);
	if (r != LK_STORE_OK)
		memset(mine, 0, sizeof(mine));
	if (counts != NULL)
		memcpy(counts, mine, sizeof(mine));
	return r;
}
