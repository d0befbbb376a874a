#ifndef LK_JWK_H
#define LK_JWK_H

#include <stddef.h>

#include "domain/key.h"

/*
 * JSON Web Keys (RFC 7517, RFC 7518 section 6) of the ES256 and RS256
 * public keys: what GET /.well-known/jwks.json publishes, and what a
 * verify-only node may read its keys from (lib/domain/keyring.h turns a
 * key ring into a JWK Set and back).  An HMAC secret never
 * becomes a JWK, and none is ever taken from one.
 */

/*
 * Write key's public JWK, compact with its members sorted:
 * {"alg":"ES256","crv":"P-256","kid":...,"kty":"EC","use":"sig","x":...,"y":...}
 * (x and y 32 bytes each, leading zeros kept) or
 * {"alg":"RS256","e":...,"kid":...,"kty":"RSA","n":...,"use":"sig"}
 * (n and e unsigned big-endian without leading zeros), base64url without
 * padding, to out.  Returns the length, or -1 (an HS256 key, out too
 * small, an OpenSSL failure).
 */
long	lk_jwk_write(const struct lk_key *key, char *out, size_t outsz);

/*
 * Write the "keys" array of a JWK Set ("[...]", "[]" for none): the JWK
 * of each of keys[0..n), in that order (each as lk_jwk_write writes it).
 * Returns the length, or -1 (a key without a JWK, out too small).
 */
long	lk_jwk_keys_write(const struct lk_key *const *keys, size_t n,
	    char *out, size_t outsz);

/*
 * Read a JWK Set, text[0..len), into keys[0..*n): a JSON object whose
 * "keys" is an array of 1 to max keys, each with "kty" "EC" ("crv"
 * "P-256", "x" and "y" of exactly 32 bytes, a point on the curve) or
 * "RSA" ("n", "e", no leading zero bytes), a "kid" that is the key's own
 * (lk_key_set_pkey), an "alg" if given that is the key's, a "use" if
 * given of "sig", and no private member ("d", "p", "q", "dp", "dq",
 * "qi", "oth", "k"); kids unique.  Members it does not know are ignored.
 * Each key is made as lk_key_set_pkey makes it, and verifies only.
 * Returns 0, or -1 with a reason (naming the key's place) in err and
 * every key of keys[0..max) cleared.  keys[0..max) must be empty before.
 */
int	lk_jwk_keys_parse(const char *text, size_t len, struct lk_key *keys,
	    size_t max, size_t *n, char *err, size_t errsz);

#endif
