#ifndef LK_KEY_H
#define LK_KEY_H

#include <stddef.h>

#include "sha256.h"

/*
 * The secret signing key: one line of text in a file of mode 0600.  The
 * HMAC key is that line's bytes, so the same value works as JWT_SECRET_KEY
 * in flask-jwt-extended.
 */

#define LK_KEY_MIN	43	/* characters: 256 bits in base64 */
#define LK_KEY_MAX	512

#define LK_KID_LEN	16	/* hex digits of SHA-256 naming a key */
#define LK_KEYS_MAX	8	/* previous keys kept after rotations */

struct lk_key {
	unsigned char	bytes[LK_KEY_MAX];
	size_t		len;
	char		kid[LK_KID_LEN + 1];	/* "kid" header of its tokens */
	long long	retired;		/* when rotated out; 0 if current */
	struct lk_hmac_key hmac;		/* its HMAC-SHA256 state */
};

/*
 * Make key the secret bytes[0..len) (at most LK_KEY_MAX): its kid and its
 * HMAC state computed once.  Returns 0, or -1 if len is out of range.
 */
int	lk_key_set(struct lk_key *key, const void *bytes, size_t len);

/*
 * The current key and the keys it replaced.  Previous keys live in
 * "KEY_FILE.previous" (mode 0600), one per line: "KID RETIRED SECRET".
 * Tokens carry the kid of the key that signed them; a kid only ever
 * selects among these keys.
 */
struct lk_keyring {
	struct lk_key	current;
	struct lk_key	previous[LK_KEYS_MAX];
	size_t		nprevious;
};

/*
 * Read the key from path.  Refuses (returns -1 with a reason in err) a
 * missing or unreadable file, a file readable or writable by group or
 * others, a file that is not a regular file, more than one line, a line
 * shorter than LK_KEY_MIN or longer than LK_KEY_MAX, or a line with
 * characters other than printable ASCII.  Returns 0 on success.
 */
int	lk_key_load(struct lk_key *key, const char *path,
	    char *err, size_t errsz);

/*
 * Create a new key file at path with 64 hex digits (256 random bits) and
 * mode 0600.  Never overwrites: fails if the file exists.  The file is
 * written and synced under a temporary name, then linked into place.
 * Returns 0, or -1 with a reason in err.
 */
int	lk_key_generate(const char *path, char *err, size_t errsz);

/* Wipe the key from memory. */
void	lk_key_clear(struct lk_key *key);

/*
 * Load the current key (as lk_key_load) and the previous keys, if their
 * file exists (same ownership and mode rules).  Returns 0 or -1.
 */
int	lk_keyring_load(struct lk_keyring *ring, const char *path,
	    char *err, size_t errsz);

/* The key named kid, or NULL. */
const struct lk_key *lk_keyring_find(const struct lk_keyring *ring,
	    const char *kid);

/*
 * Replace the current key with a new random one; the old one joins the
 * previous keys (retired now).  The previous-keys file is written first,
 * so that a crash never loses a key that live tokens need.  Fails if
 * LK_KEYS_MAX previous keys are kept already (prune first).
 */
int	lk_keyring_rotate(const char *path, long long now, char *err,
	    size_t errsz);

/*
 * Drop previous keys retired more than max_lifetime seconds ago: no token
 * they signed can still be valid.  Sets *dropped.  Returns 0 or -1.
 */
int	lk_keyring_prune(const char *path, long long now,
	    long long max_lifetime, size_t *dropped, char *err, size_t errsz);

/* Wipe all keys from memory. */
void	lk_keyring_clear(struct lk_keyring *ring);

#endif
