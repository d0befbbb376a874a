#ifndef LK_TOKEN_H
#define LK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "domain/config.h"
#include "domain/keyring.h"

/*
 * JSON Web Tokens as flask-jwt-extended writes and reads them: HS256,
 * ES256 or RS256 (the algorithm of the signing key), claims fresh, iat,
 * jti, type, sub, nbf, csrf, exp (plus iss and aud when configured, and
 * latchkey's own "mfa": true after a login with a second factor, which
 * flask-jwt-extended ignores).
 * Signing goes through libjwt (token_sign.c); every check is ours
 * (libjwt 1.10 checks no claim, accepts any HMAC alg and takes the
 * algorithm from the token's header even for a public key): HS256
 * signatures in process (sha256.c), ES256 and RS256 through OpenSSL,
 * each by the algorithm of the key the token's kid names.
 */

#define LK_TOKEN_MAX	4096	/* longest token we will decode, bytes */
#define LK_SUB_MAX	320	/* longest subject (an email address) */
#define LK_JTI_MAX	64
#define LK_CSRF_MAX	64

enum lk_token_type {
	LK_TOKEN_ACCESS,
	LK_TOKEN_REFRESH,
	LK_TOKEN_OTHER,		/* any other "type" claim */
	LK_TOKEN_TYPE__MAX
};

/*
 * Why a token was refused, one value per message flask-jwt-extended (and
 * PyJWT under it) gives; the runtime's table of refusals holds the
 * messages and statuses.
 */
enum lk_token_err {
	LK_TOKEN_OK,
	LK_TOKEN_TOO_LARGE,		/* longer than LK_TOKEN_MAX */
	LK_TOKEN_SEGMENTS,		/* not three dot-separated parts */
	LK_TOKEN_HEADER_PADDING,	/* header not base64url */
	LK_TOKEN_HEADER_STRING,		/* header not a JSON object */
	LK_TOKEN_PAYLOAD_PADDING,
	LK_TOKEN_CRYPTO_PADDING,
	LK_TOKEN_ALG,			/* alg no key of ours has, or not its key's */
	LK_TOKEN_SIGNATURE,		/* signature does not verify */
	LK_TOKEN_PAYLOAD_STRING,	/* payload not a JSON object */
	LK_TOKEN_IAT_TYPE,
	LK_TOKEN_NBF_TYPE,
	LK_TOKEN_IMMATURE,		/* nbf in the future */
	LK_TOKEN_EXP_MISSING,
	LK_TOKEN_EXP_TYPE,
	LK_TOKEN_EXPIRED,
	LK_TOKEN_AUD_MISSING,
	LK_TOKEN_AUD_INVALID,
	LK_TOKEN_ISS_MISSING,
	LK_TOKEN_ISS_INVALID,
	LK_TOKEN_SUB_MISSING,
	LK_TOKEN_SUB_TYPE,
	LK_TOKEN_TYPE_MISSING,
	LK_TOKEN_CRIT,			/* a "crit" header we cannot honour */
	LK_TOKEN_ONLY_ACCESS,		/* refresh token where access wanted */
	LK_TOKEN_ONLY_REFRESH,		/* access token where refresh wanted */
	LK_TOKEN_TYPE_INVALID,
	LK_TOKEN_JTI_MISSING,
	LK_TOKEN_JTI_TYPE,
	LK_TOKEN_CSRF_MISSING,
	LK_TOKEN_CSRF_TYPE,
	LK_TOKEN_FRESH_TYPE,
	LK_TOKEN_INTERNAL,		/* out of memory or similar */
	LK_TOKEN__MAX
};

struct lk_claims {
	enum lk_token_type type;
	char		 sub[LK_SUB_MAX + 1];
	char		 jti[LK_JTI_MAX + 1];
	char		 csrf[LK_CSRF_MAX + 1];
	long long	 iat;
	long long	 nbf;
	long long	 exp;
	/*
	 * The fresh claim: whether it held when the token was verified, and
	 * until when it holds (0: false or absent; LLONG_MAX: true; else the
	 * timestamp flask-jwt-extended may write instead of true).
	 */
	int		 fresh;
	/*
	 * The login used a second factor (a TOTP or recovery code, or a
	 * passkey with user verification): the claim "mfa": true, which
	 * the refresh token carries on to each new pair.  Absent, or any
	 * other value, is one factor.
	 */
	int		 mfa;
	long long	 fresh_until;
};

/*
 * Fresh claims for a token of the given type for sub, valid from now for
 * lifetime seconds, with random jti and csrf values (fresh is false, as
 * flask-jwt-extended writes it for tokens not made by a login: the
 * caller sets it for those).
 * Returns 0, or -1 if sub is too long or the random source failed.
 */
int	lk_token_claims_new(enum lk_token_type type, const char *sub,
	    long long now, long long lifetime, struct lk_claims *claims);

/*
 * Sign claims with key, by the key's algorithm: flask-jwt-extended's
 * header and claim order, the key's kid in the header, iss and aud when
 * configured.  The same claims and key give the same token under HS256
 * and RS256 (both deterministic); under ES256 the signature differs each
 * time (ECDSA is randomised), the claims stay the same: a refresh
 * replayed inside its grace gets the same successor tokens, by jti and
 * csrf, whichever.  Returns a string the caller frees with free(3), or
 * NULL (memory, a key that cannot sign).
 */
char	*lk_token_sign(const struct lk_config *cfg, const struct lk_key *key,
	    const struct lk_claims *claims);

/*
 * Verify token (a NUL-terminated string of len bytes) at time now with
 * the keyring: size, structure, alg (HS256, ES256 or RS256, and one that
 * a key of the ring has), then the key — a "kid" header picks one of the
 * ring's keys and nothing else (an unknown kid fails as a bad signature,
 * whoever signed the token; a kid of a key of another algorithm than the
 * header's fails as LK_TOKEN_ALG: the key pins the algorithm); without
 * one, the current key and then each previous key of the header's
 * algorithm are tried — and the signature by that key's algorithm
 * (lk_key_verify), then the claims (iat, nbf, exp, iss, aud, then the presence and JSON
 * type of sub, type, jti, csrf, fresh).  Fills *claims and returns
 * LK_TOKEN_OK, or says why not.  The token's type is checked apart, with
 * lk_token_check_type(), because flask-jwt-extended checks it after the
 * CSRF header.  A ring without a key (no current key, or a verify-only
 * ring without public keys) is refused as LK_TOKEN_INTERNAL.
 */
enum lk_token_err lk_token_verify(const struct lk_config *cfg,
	    const struct lk_keyring *ring, const char *token, size_t len,
	    long long now, struct lk_claims *claims);

/*
 * The same, but a token outside its nbf..exp window still passes: for
 * logout, which must revoke the session of an access token that expired
 * while its refresh token lives on.
 */
enum lk_token_err lk_token_verify_any_time(const struct lk_config *cfg,
	    const struct lk_keyring *ring, const char *token, size_t len,
	    long long now, struct lk_claims *claims);

/*
 * A per-process cache of verified tokens: a FastCGI process sees the same
 * cookie again and again, and need not check its signature and claims
 * each time.  Keyed by the token's exact bytes: a slot is found by a
 * keyed hash (SipHash, a random key per cache) and a token is taken from
 * it only after a constant-time comparison of every byte, never on a
 * prefix or a hash alone.  Entries die at their token's exp (plus leeway)
 * and when the keys change (lk_token_cache_clear).  Only what a token
 * proves by itself is kept: revocation, the session and the user are the
 * store's, read for every request.
 */
#define LK_TOKEN_CACHE_SLOTS	64

struct lk_token_cache_entry {
	uint64_t		 hash;
	size_t			 len;
	char			*token;		/* a copy; NULL if the slot is free */
	struct lk_claims	 claims;
};

struct lk_token_cache {
	unsigned char		 key[16];
	int			 keyed;
	unsigned long		 hits, misses;	/* for tests and benchmarks */
	struct lk_token_cache_entry slot[LK_TOKEN_CACHE_SLOTS];
};

/*
 * lk_token_verify through the cache (NULL: no cache): a token cached and
 * still inside its time window gives its claims at once; any other is
 * verified in full and, if good, cached.
 */
enum lk_token_err lk_token_verify_cached(struct lk_token_cache *cache,
	    const struct lk_config *cfg, const struct lk_keyring *ring,
	    const char *token, size_t len, long long now,
	    struct lk_claims *claims);

/* Forget every cached token (the keys changed), wiping them. */
void	lk_token_cache_clear(struct lk_token_cache *cache);

/* Whether verified claims are of the type wanted. */
enum lk_token_err lk_token_check_type(const struct lk_claims *claims,
	    enum lk_token_type want);

#endif
