#ifndef LK_KEYRING_H
#define LK_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "base/watch.h"
#include "domain/key.h"

/*
 * The key ring: the key that signs and the keys that only verify, the
 * files they live in (the key file and "KEY_FILE.previous", or a verify-
 * only node's public keys), rotation, pruning, and publishing the public
 * halves (as KID.pem files, or as a JWK Set through lib/domain/jwk.h).
 * One key alone is lib/domain/key.h's.
 */

#define LK_KEYS_MAX	8	/* previous keys kept after rotations */
#define LK_RING_MAX	(LK_KEYS_MAX + 1)	/* keys a ring keeps that only verify */
/* Room for the JWK Set of a full ring of LK_RSA_BITS_MAX-bit keys. */
#define LK_JWKS_MAX	8000

/*
 * The current key and the keys that only verify.  On a signing node
 * these are the keys the current one replaced: they live in
 * "KEY_FILE.previous" (mode 0600), one per line: "KID RETIRED SECRET"
 * for HS256, "KID RETIRED ALG PUBLIC" for ES256 and RS256 (PUBLIC is the
 * base64url of the public key's DER: a retired key never signs again,
 * so its private half is not kept).  On a verify-only node (public keys
 * alone) there is no current key and every key is one that only
 * verifies.  Tokens carry the kid of the key that signed them; a kid
 * only ever selects among these keys.
 */
struct lk_keyring {
	struct lk_key	current;	/* signs; empty when verify_only */
	struct lk_key	previous[LK_RING_MAX];
	size_t		nprevious;
	int		verify_only;
};

/*
 * Load the current key (as lk_key_load) and the previous keys, if their
 * file exists (same ownership and mode rules; at most LK_KEYS_MAX, each
 * line's kid that of its key).  Returns 0 or -1.  The ring must be empty
 * (zeroed or cleared) before.
 */
int	lk_keyring_load(struct lk_keyring *ring, const char *path,
	    char *err, size_t errsz);

/*
 * Load a verify-only ring from public keys: path is a directory of PEM
 * public keys, each named KID.pem after its own kid (other names are
 * ignored), or a JWKS file (RFC 7517: lk_keyring_jwks_parse).  Neither the directory
 * nor a file in it may be writable by group or others (whoever could
 * write there could add a key), and none may be a symbolic link.  At
 * least one key and at most LK_RING_MAX; a file named after another kid
 * than its key's, a key of another kind, a private key or an HMAC secret
 * is refused.  Returns 0 or -1 with a reason in err.  The ring must be
 * empty before.
 */
int	lk_keyring_load_public(struct lk_keyring *ring, const char *path,
	    char *err, size_t errsz);

/* The key named kid, or NULL. */
const struct lk_key *lk_keyring_find(const struct lk_keyring *ring,
	    const char *kid);

/*
 * Whether key (of ring) can still verify a live token at now: the
 * current key, a key of a verify-only ring, or a previous key retired
 * no more than max_lifetime seconds ago (no token outlives its key's
 * retirement by more than the longest token lifetime).
 */
int	lk_keyring_live(const struct lk_keyring *ring, const struct lk_key *key,
	    long long now, long long max_lifetime);

/*
 * An identity of the files a ring is loaded from (path as given to
 * lk_keyring_load, or to lk_keyring_load_public when public is set):
 * their inodes, sizes and modification times, so that a process notices
 * a rotation or a new public key made by another.  Files missing count
 * as missing; it never fails.
 */
uint64_t lk_keyring_stamp(const char *path, int public);

/*
 * Watch the files lk_keyring_stamp looks at (w: lib/base/watch.h), so
 * that a process asks the watch before each request and takes the stamp
 * only when it says they may have changed.  Returns 0, or -1 when they
 * cannot be watched (w then watches nothing and always says "maybe").
 */
int	lk_keyring_watch(struct lk_watch *w, const char *path, int public);

/*
 * Replace the current key with a new one of alg (lk_key_generate or
 * lk_key_generate_pair); the old one joins the previous keys (retired
 * now, an ES256 or RS256 key by its public half).  The previous-keys
 * file is written first, so that a crash never loses a key that live
 * tokens need.  Fails if LK_KEYS_MAX previous keys are kept already
 * (prune first).  Returns 0 or -1 with a reason in err.
 */
int	lk_keyring_rotate(const char *path, enum lk_key_alg alg,
	    long long now, char *err, size_t errsz);

/*
 * Drop previous keys retired more than max_lifetime seconds ago: no token
 * they signed can still be valid.  Sets *dropped.  Returns 0 or -1.
 */
int	lk_keyring_prune(const char *path, long long now,
	    long long max_lifetime, size_t *dropped, char *err, size_t errsz);

/*
 * Write the public half of every ES256 and RS256 key of the ring at path
 * that can still verify a live token (lk_keyring_live) into the
 * directory dir (made mode 0755 if missing) as KID.pem, mode 0644, each
 * through a temporary file renamed into place; remove the other KID.pem
 * files there, of keys no longer kept.  dir is what a verify-only node's
 * public_keys names.  Sets *written and *removed.  Returns 0 or -1 with
 * a reason in err.
 */
int	lk_keyring_publish(const char *path, const char *dir, long long now,
	    long long max_lifetime, size_t *written, size_t *removed,
	    char *err, size_t errsz);

/* Wipe all keys from memory, freeing what they own. */
void	lk_keyring_clear(struct lk_keyring *ring);

/*
 * Write the "keys" array of a JWK Set ("[...]", "[]" for none) of every
 * ES256 and RS256 key of ring that can still verify a live token at now
 * (lk_keyring_live with max_lifetime): the current key first.  Returns
 * the length, or -1.
 */
long	lk_keyring_jwks_write(const struct lk_keyring *ring, long long now,
	    long long max_lifetime, char *out, size_t outsz);

/*
 * Read a JWK Set, text[0..len), into ring as a verify-only ring of 1 to
 * LK_RING_MAX keys (lk_jwk_keys_parse says what a key must be).
 * Returns 0, or -1 with a reason (naming the key's place) in err.  The
 * ring must be empty before.
 */
int	lk_keyring_jwks_parse(const char *text, size_t len,
	    struct lk_keyring *ring, char *err, size_t errsz);

#endif
