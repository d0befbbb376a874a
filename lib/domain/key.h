#ifndef LK_KEY_H
#define LK_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

/*
 * The signing keys.  An HS256 key is one line of text in a file of mode
 * 0600: the HMAC key is that line's bytes, so the same value works as
 * JWT_SECRET_KEY in flask-jwt-extended.  An ES256 key (P-256) or an
 * RS256 key (RSA, LK_RSA_BITS_MIN to LK_RSA_BITS_MAX bits) is a private
 * key PEM in such a file (flask-jwt-extended's JWT_PRIVATE_KEY); its
 * public half verifies anywhere, and is all a verify-only node holds.
 *
 * A key's algorithm belongs to the key: a token is checked with the
 * algorithm of the key its kid names, never with the one its header
 * asks for, so no one can pass a public key off as an HMAC secret.
 */

#define LK_KEY_MIN	43	/* characters: 256 bits in base64 */
#define LK_KEY_MAX	512
#define LK_KEY_PEM_MAX	8192	/* bytes of a private or public key PEM */
#define LK_KEY_DER_MAX	1024	/* bytes of a public key's DER */

#define LK_KID_LEN	16	/* hex digits of SHA-256 naming a key */
#define LK_KEYS_MAX	8	/* previous keys kept after rotations */
#define LK_RING_MAX	(LK_KEYS_MAX + 1)	/* keys a ring keeps that only verify */

#define LK_RSA_BITS	2048	/* the RS256 keys latchkey makes */
#define LK_RSA_BITS_MIN	2048
#define LK_RSA_BITS_MAX	4096

enum lk_key_alg {
	LK_KEY_HS256,
	LK_KEY_ES256,
	LK_KEY_RS256,
	LK_KEY_ALG__MAX
};

struct evp_pkey_st;	/* OpenSSL's EVP_PKEY */

/*
 * One key.  A key holding an OpenSSL key (pkey, pem) owns them: it is
 * moved, never copied with "=", and lk_key_clear() frees them.
 */
struct lk_key {
	enum lk_key_alg		 alg;
	unsigned char		 bytes[LK_KEY_MAX];	/* HS256: the secret */
	size_t			 len;			/* HS256: its length; else 0 */
	struct evp_pkey_st	*pkey;			/* ES256, RS256; else NULL */
	char			*pem;			/* the private key's PEM, to sign; NULL if public */
	size_t			 pem_len;
	char			 kid[LK_KID_LEN + 1];	/* "kid" header of its tokens */
	long long		 retired;		/* when rotated out; 0 if current */
	struct lk_hmac_key	 hmac;			/* HS256: its HMAC-SHA256 state */
};

/* The name of an algorithm ("HS256", ...), or NULL out of range. */
const char *lk_key_alg_name(enum lk_key_alg alg);

/* The algorithm named exactly name ("ES256"); 0, or -1 for any other name. */
int	lk_key_alg_parse(const char *name, enum lk_key_alg *alg);

/*
 * Make key the HS256 secret bytes[0..len) (at most LK_KEY_MAX): its kid
 * and its HMAC state computed once.  Returns 0, or -1 if len is out of
 * range.
 */
int	lk_key_set(struct lk_key *key, const void *bytes, size_t len);

/*
 * Make key the OpenSSL key pkey, which it then owns (freed on failure
 * too): an EC key on P-256 (ES256) or an RSA key of LK_RSA_BITS_MIN to
 * LK_RSA_BITS_MAX bits (RS256), anything else refused.  Its kid is the
 * first LK_KID_LEN hex digits of SHA-256 of the public key's DER
 * (SubjectPublicKeyInfo, as "openssl pkey -pubout -outform DER" writes
 * it).  The key verifies only; lk_key_load() gives it its PEM to sign.
 * Returns 0, or -1 with a reason in err.
 */
int	lk_key_set_pkey(struct lk_key *key, struct evp_pkey_st *pkey,
	    char *err, size_t errsz);

/*
 * Read the key from path: an HS256 line, or (a file starting with
 * "-----BEGIN ") an unencrypted private key PEM of ES256 or RS256.
 * Refuses (returns -1 with a reason in err) a missing or unreadable
 * file, a file readable or writable by group or others, a file that is
 * not a regular file; for HS256 more than one line, a line shorter than
 * LK_KEY_MIN or longer than LK_KEY_MAX, or a line with characters other
 * than printable ASCII; for a PEM anything lk_key_set_pkey() refuses.
 * Returns 0 on success.
 */
int	lk_key_load(struct lk_key *key, const char *path,
	    char *err, size_t errsz);

/*
 * Create a new HS256 key file at path with 64 hex digits (256 random
 * bits) and mode 0600.  Never overwrites: fails if the file exists.  The
 * file is written and synced under a temporary name, then linked into
 * place.  Returns 0, or -1 with a reason in err.
 */
int	lk_key_generate(const char *path, char *err, size_t errsz);

/*
 * The same for a new key pair of alg: a P-256 key (ES256) or an RSA key
 * of LK_RSA_BITS bits (RS256), as an unencrypted PKCS #8 PEM of mode
 * 0600; HS256 is lk_key_generate().  Returns 0, or -1 with a reason.
 */
int	lk_key_generate_pair(const char *path, enum lk_key_alg alg, char *err,
	    size_t errsz);

/* Whether key can sign: an HS256 secret, or a private key with its PEM. */
int	lk_key_can_sign(const struct lk_key *key);

/*
 * Whether sig[0..siglen) is key's signature of msg[0..len) under the
 * key's own algorithm: HMAC-SHA256 from the key's prepared state,
 * compared in constant time (no OpenSSL); an ECDSA P-256 signature as a
 * JWS carries it, R and S of 32 bytes each (RFC 7518 3.4, not DER), with
 * S at most n / 2 (the low-S form: the other, n - S, is refused); an
 * RSASSA-PKCS1-v1_5 signature with SHA-256 exactly as long as the
 * modulus.  An empty key verifies nothing.  Returns 1 or 0.
 */
int	lk_key_verify(const struct lk_key *key, const void *msg, size_t len,
	    const unsigned char *sig, size_t siglen);

/*
 * Make the ES256 signature sig (R || S, as a JWS carries it) the low-S
 * one: S replaced by n - S (n, the order of P-256) when it is above n / 2.
 * Both verify; lk_key_verify takes only the low one, so that a token has
 * one spelling.  Returns 1 if S was replaced, 0 if it was low already, -1
 * if S is not below n (no signature: sig unchanged).
 */
int	lk_key_es256_low_s(unsigned char sig[64]);

/*
 * The DER of key's public half (SubjectPublicKeyInfo) into out.  Returns
 * its length, or -1 (an HS256 key, or out too small).
 */
long	lk_key_public_der(const struct lk_key *key, unsigned char *out,
	    size_t outsz);

/* Wipe the key from memory, freeing what it owns. */
void	lk_key_clear(struct lk_key *key);

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
 * ignored), or a JWKS file (RFC 7517, lib/domain/jwk.h).  Neither the directory
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

#endif
