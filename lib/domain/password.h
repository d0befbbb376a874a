#ifndef LK_PASSWORD_H
#define LK_PASSWORD_H

#include <stddef.h>


/*
 * Password hashing through libxcrypt.  Only the allowed methods verify;
 * a good password whose hash uses another method or cost than configured
 * is reported so the caller can store a new hash.
 */

#define LK_PASSWORD_MAX	512	/* bytes, libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE */
#define LK_HASH_MAX	256	/* longest stored hash */

#define LK_HASH_YESCRYPT	0x01u	/* $y$ */
#define LK_HASH_BCRYPT		0x02u	/* $2b$, $2y$ */
#define LK_HASH_SHA512CRYPT	0x04u	/* $6$ */

#define LK_HASH_METHOD_MAX	16

/* How new passwords are hashed, and which stored hashes may verify. */
struct lk_hash {
	char		method[LK_HASH_METHOD_MAX];	/* yescrypt, bcrypt, sha512crypt */
	unsigned long	cost;
	unsigned int	allow;		/* LK_HASH_* bits */
};

enum lk_pw_res {
	LK_PW_OK,		/* matches, hash is as configured */
	LK_PW_OK_REHASH,	/* matches, store a new hash */
	LK_PW_BAD,		/* does not match, or method not allowed */
	LK_PW_ERROR		/* hashing failed */
};

/* The LK_HASH_* bit of a method name, or 0 if unknown. */
unsigned int lk_password_method_bit(const char *name);

/* Default cost for a method name (yescrypt 5, bcrypt 12, sha512crypt 5000). */
unsigned long lk_password_default_cost(const char *name);

/* Whether cost is a valid cost for the method name. */
int	lk_password_cost_ok(const char *name, unsigned long cost);

/*
 * Hash password with the configured method and cost and a fresh salt.
 * Returns 0, or -1 (password too long, random source or library failure).
 */
int	lk_password_hash(const struct lk_hash *h, const char *password,
	    char *out, size_t outsz);

/*
 * Check password against the stored hash, in one hash computation and a
 * constant-time comparison.
 */
enum lk_pw_res lk_password_verify(const struct lk_hash *h,
	    const char *password, const char *hash);

/*
 * Prepare the dummy setting used by lk_password_verify_dummy() (no hash
 * is computed).  Returns 0, or -1 on failure.
 */
int	lk_password_init(const struct lk_hash *h);

/*
 * Spend exactly the time of one verification and fail: used for unknown or
 * disabled accounts so that timing does not tell them apart.  Prepares a
 * dummy hash of the configured method and cost on first use.
 */
void	lk_password_verify_dummy(const struct lk_hash *h,
	    const char *password);

/* Number of hash computations this process has done (for tests). */
unsigned long lk_password_hash_count(void);

#endif
