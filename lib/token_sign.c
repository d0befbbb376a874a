/*
 * Signing tokens, through libjwt: apart from token.c so that a program
 * that only verifies (profile, the authorizer, logout) links neither
 * libjwt nor jansson, and a plain-CGI request to it does not pay for
 * loading them.  libjwt takes an ES256 or RS256 key as its private PEM
 * and writes the JWS form of the signature (R || S for ES256).
 */
#include <stdlib.h>

#include <jwt.h>

#include "token.h"

char *
lk_token_sign(const struct lk_config *cfg, const struct lk_key *key,
    const struct lk_claims *c)
{
	jwt_t			*jwt = NULL;
	jwt_alg_t		 alg;
	const unsigned char	*secret;
	size_t			 len;
	char			*out = NULL;
	int			 ok;

	/* libjwt treats an empty key as "do not sign". */
	if (key == NULL || !lk_key_can_sign(key) || c->type >= LK_TOKEN_OTHER ||
	    c->sub[0] == '\0' || c->jti[0] == '\0')
		return NULL;
	switch (key->alg) {
	case LK_KEY_HS256:
		alg = JWT_ALG_HS256;
		secret = key->bytes;
		len = key->len;
		break;
	case LK_KEY_ES256:
		alg = JWT_ALG_ES256;
		secret = (const unsigned char *)key->pem;
		len = key->pem_len;
		break;
	case LK_KEY_RS256:
		alg = JWT_ALG_RS256;
		secret = (const unsigned char *)key->pem;
		len = key->pem_len;
		break;
	default:
		return NULL;
	}
	if (jwt_new(&jwt) != 0)
		return NULL;
	ok = jwt_add_grant_bool(jwt, "fresh", c->fresh) == 0 &&
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) == 0 &&
	    jwt_add_grant(jwt, "jti", c->jti) == 0 &&
	    jwt_add_grant(jwt, "type",
	    c->type == LK_TOKEN_ACCESS ? "access" : "refresh") == 0 &&
	    jwt_add_grant(jwt, "sub", c->sub) == 0 &&
	    jwt_add_grant_int(jwt, "nbf", (long)c->nbf) == 0 &&
	    (!cfg->csrf_protect || jwt_add_grant(jwt, "csrf", c->csrf) == 0) &&
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) == 0 &&
	    (cfg->issuer[0] == '\0' ||
	    jwt_add_grant(jwt, "iss", cfg->issuer) == 0) &&
	    (cfg->audience[0] == '\0' ||
	    jwt_add_grant(jwt, "aud", cfg->audience) == 0) &&
	    (!c->mfa || jwt_add_grant_bool(jwt, "mfa", 1) == 0) &&
	    (key->kid[0] == '\0' ||
	    jwt_add_header(jwt, "kid", key->kid) == 0) &&
	    jwt_set_alg(jwt, alg, secret, (int)len) == 0;
	if (ok)
		out = jwt_encode_str(jwt);
	jwt_free(jwt);
	return out;
}
