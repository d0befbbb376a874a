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

/* Check an email address: bounded, one "@", no spaces or controls. */
int	lk_email_valid(const char *email);

#endif
