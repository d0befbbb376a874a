#ifndef LK_OIDC_TOKEN_H
#define LK_OIDC_TOKEN_H

#include <stddef.h>

#include "domain/key.h"
#include "domain/keyring.h"

/*
 * The OpenID provider's tokens: ID tokens (OpenID Connect Core 2) and
 * access tokens in the JWT profile of RFC 9068 ("typ": "at+jwt"), both
 * signed RS256 with the provider's own key (lib/domain/keyring.h's ring
 * of oidc_key_file), whatever token_algorithm the site's cookies use;
 * at_hash; the PKCE S256 check (RFC 7636).  Neither token ever carries
 * flask-jwt-extended's "type" claim, which every cookie token must: one
 * of them presented as a cookie is refused, even by a verifier that
 * trusts the whole JWK Set.
 */

#define LK_OIDC_AT_HASH_LEN	22	/* base64url of 16 bytes */
#define LK_OIDC_TOKEN_MAX	8192	/* bytes of a token we read */

/*
 * What the tokens say.  Strings are NUL-terminated; NULL (or "" where
 * noted) leaves a claim out.  amr is the login's factors joined with ' '
 * ("pwd otp"), groups the user's groups joined with ',' (NULL: the
 * groups scope was not granted; "": granted, none).
 */
struct lk_oidc_claims {
	const char	*iss;
	const char	*sub;
	const char	*aud;		/* the client's id */
	long long	 iat;
	long long	 exp;
	long long	 auth_time;
	const char	*nonce;		/* ID token; "" none */
	const char	*amr;		/* ID token; "" none */
	const char	*at_hash;	/* ID token; "" none */
	const char	*jti;		/* access token */
	const char	*scope;		/* access token */
	const char	*grant;		/* access token: the grant it is of */
	/* The claims of the granted scopes (profile, email, groups). */
	const char	*name;
	const char	*preferred_username;
	const char	*email;
	int		 email_verified;	/* -1: left out */
	const char	*groups;
};

/*
 * Sign an ID token with key (an RS256 key that can sign): header alg,
 * kid and "typ": "JWT"; iss, sub, aud, exp, iat, auth_time, then nonce,
 * amr (an array), at_hash and the scopes' claims when given.  Returns a
 * string to free(3), or NULL (memory, a key that cannot sign RS256, a
 * missing iss, sub or aud).
 */
char	*lk_oidc_id_token(const struct lk_key *key,
	    const struct lk_oidc_claims *c);

/*
 * Sign an access token (RFC 9068): header "typ": "at+jwt", alg, kid;
 * iss, sub, aud and client_id (the client), exp, iat, jti, scope,
 * auth_time and the grant.  As lk_oidc_id_token.
 */
char	*lk_oidc_access_token(const struct lk_key *key,
	    const struct lk_oidc_claims *c);

/* What a verified access token says. */
struct lk_oidc_access {
	char		sub[65];
	char		client_id[129];
	char		scope[257];
	char		jti[65];
	char		grant[65];
	long long	iat;
	long long	exp;
	long long	auth_time;
};

/*
 * Verify an access token of ours (userinfo, introspection): at most
 * LK_OIDC_TOKEN_MAX bytes, a header of alg RS256, typ at+jwt (RFC 9068
 * 4) and the kid of an RS256 key of ring, that key's signature, then iss
 * equal to issuer, exp not past (now - leeway), and sub, aud equal to
 * client_id, jti, scope and grant strings that fit *out.  Whether the
 * grant is still live is the store's to say.  0 with *out filled, or -1
 * (*out zeroed).
 */
int	lk_oidc_access_verify(const struct lk_keyring *ring, const char *issuer,
	    const char *token, size_t len, long long now, long long leeway,
	    struct lk_oidc_access *out);

/*
 * The at_hash of an access token (OpenID Connect Core 3.1.3.6): the
 * left half of the SHA-256 of its ASCII, base64url without padding,
 * into out (LK_OIDC_AT_HASH_LEN characters and a NUL).
 */
void	lk_oidc_at_hash(const char *token, size_t len,
	    char out[LK_OIDC_AT_HASH_LEN + 1]);

/*
 * Whether verifier (len bytes) answers the S256 challenge (RFC 7636
 * 4.6): it must be 43 to 128 of A-Z, a-z, 0-9, '-', '.', '_' and '~',
 * and the base64url of its SHA-256 equal challenge, compared in constant
 * time.  1 or 0.
 */
int	lk_oidc_pkce_s256(const char *verifier, size_t len,
	    const char *challenge);

/* Whether challenge is an S256 challenge: 43 characters of base64url. */
int	lk_oidc_pkce_challenge_ok(const char *challenge);

#endif
