#ifndef LK_KEY_H
#define LK_KEY_H

#include <stddef.h>

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
 * Make key the public key of the PEM text[0..len) (one public key block,
 * nothing but blanks after it, at most LK_KEY_PEM_MAX bytes), as
 * lk_key_set_pkey does.  Returns 0, or -1 with a reason in err ("not one
 * public key PEM", or lk_key_set_pkey's).
 */
int	lk_key_set_public_pem(struct lk_key *key, const char *text, size_t len,
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

#endif
