#ifndef LK_STORE_H
#define LK_STORE_H

#include <stddef.h>

#include "password.h"
#include "token.h"

/*
 * The user store: one SQLite database in WAL mode, opened once per
 * process, every statement prepared once.  Emails are unique without
 * regard to ASCII case.  Every change is one transaction: nothing is ever
 * half-written.
 */

#define LK_EMAIL_MAX	254
#define LK_NAME_MAX_BYTES 400

struct lk_store;

struct lk_user {
	long long	id;
	char		email[LK_EMAIL_MAX + 1];
	char		name[LK_NAME_MAX_BYTES + 1];
	char		hash[LK_HASH_MAX + 1];
	int		disabled;
	long long	created;
	long long	updated;
	long long	tokens_valid_after;	/* older tokens are revoked */
};

/* One refresh token of a session (a family of rotated tokens). */
struct lk_refresh {
	char		jti[LK_JTI_MAX + 1];
	char		family[LK_JTI_MAX + 1];
	long long	user_id;
	char		access_jti[LK_JTI_MAX + 1];	/* issued with it */
	long long	exp;
	long long	family_started;			/* the login */
	long long	rotated_at;			/* 0 if not yet */
	int		revoked;
};

enum lk_store_res {
	LK_STORE_OK,
	LK_STORE_NOT_FOUND,
	LK_STORE_EXISTS,	/* an account with that email exists */
	LK_STORE_ERROR		/* database error, logged */
};

/*
 * Open the database at path.  With create set, the file is made (mode
 * 0600) if missing; otherwise it must exist.  Brings the schema up to date
 * (inside a transaction) and refuses a database newer than this program.
 * Returns a handle, or NULL with a reason in err.
 */
struct lk_store *lk_store_open(const char *path, int create,
	    char *err, size_t errsz);

void	lk_store_close(struct lk_store *);

/* The schema version this build writes. */
int	lk_store_schema_version(void);

/* Find a user by email (ASCII case-insensitive). */
enum lk_store_res lk_store_user_find(struct lk_store *, const char *email,
	    struct lk_user *out);

/* Add a user; LK_STORE_EXISTS if the email is taken. */
enum lk_store_res lk_store_user_add(struct lk_store *, const char *email,
	    const char *name, const char *hash);

enum lk_store_res lk_store_user_set_name(struct lk_store *,
	    const char *email, const char *name);

enum lk_store_res lk_store_user_set_hash(struct lk_store *,
	    const char *email, const char *hash);

enum lk_store_res lk_store_user_set_disabled(struct lk_store *,
	    const char *email, int disabled);

enum lk_store_res lk_store_user_delete(struct lk_store *, const char *email);

/*
 * Call fn for every user in email order; stops early (and returns
 * LK_STORE_OK) when fn returns non-zero.
 */
enum lk_store_res lk_store_user_each(struct lk_store *,
	    int (*fn)(const struct lk_user *, void *), void *arg);

/*
 * Transactions around several calls (BEGIN IMMEDIATE: the write lock is
 * taken at once, so concurrent processes serialise instead of failing).
 */
enum lk_store_res lk_store_begin(struct lk_store *);
enum lk_store_res lk_store_commit(struct lk_store *);
void	lk_store_rollback(struct lk_store *);

/*
 * Revoke every token of the user issued before now (password change,
 * disable) and every refresh family of theirs but keep_family (may be
 * NULL), in one transaction (the caller's, if one is open).
 */
enum lk_store_res lk_store_user_invalidate(struct lk_store *,
	    const char *email, const char *keep_family, long long now);

/* Refresh tokens: record, look up, mark rotated, revoke a family. */
enum lk_store_res lk_store_refresh_add(struct lk_store *,
	    const struct lk_refresh *);
enum lk_store_res lk_store_refresh_find(struct lk_store *, const char *jti,
	    struct lk_refresh *out);
enum lk_store_res lk_store_refresh_mark_rotated(struct lk_store *,
	    const char *jti, long long now);
enum lk_store_res lk_store_family_revoke(struct lk_store *,
	    const char *family);
/* The family of the refresh token issued together with an access token. */
enum lk_store_res lk_store_family_of_access(struct lk_store *,
	    const char *access_jti, char *family, size_t familysz);

/* Revoked token ids, kept until the tokens would have expired anyway. */
enum lk_store_res lk_store_revoke(struct lk_store *, const char *jti,
	    long long exp);
/*
 * LK_STORE_OK if the token is revoked, itself or with its whole session
 * (logout, reuse detection, password change, disabling), else
 * LK_STORE_NOT_FOUND.
 */
enum lk_store_res lk_store_is_revoked(struct lk_store *, const char *jti);
/* Forget revocations, refresh tokens and failure counts past their time. */
enum lk_store_res lk_store_prune(struct lk_store *, long long now);

/*
 * Failed-login counters, shared by all processes: failures within the
 * current window (0 if it ended) and when that window ends.
 */
enum lk_store_res lk_store_throttle_get(struct lk_store *, const char *key,
	    long long window, long long now, long long *failures,
	    long long *window_end);
/* Count one failure, starting a new window if the last one ended. */
enum lk_store_res lk_store_throttle_fail(struct lk_store *, const char *key,
	    long long window, long long now);
enum lk_store_res lk_store_throttle_clear(struct lk_store *, const char *key);

/* Check an email address: bounded, one "@", no spaces or controls. */
int	lk_email_valid(const char *email);

#endif
