/*
 * Signing tokens, through libjwt: apart from token.c so that a program
 * that only verifies (profile, the authorizer, logout) links neither
 * libjwt nor jansson, and a plain-CGI request to it does not pay for
 * loading them.  libjwt takes an ES256 or RS256 key as its private PEM
 * and writes the JWS form of the signature (R || S for ES256), which is
 * made the low-S one here.
 */
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "base/util.h"
#include "domain/token.h"

/*
 * Rewrite the ES256 signature of token in place as its low-S twin, the
 * one lk_key_verify takes (OpenSSL's signer makes either).  0, or -1 for
 * a signature that is not R || S.
 */
static int
low_s(char *token)
{
	unsigned char	 sig[64];
	char		*enc = strrchr(token, '.');
	size_t		 len;
	int		 rc = -1;

	if (enc == NULL)
		return -1;
	enc++;
	len = strlen(enc);
	if (lk_b64url_decode(enc, len, sig, sizeof(sig)) != (long)sizeof(sig))
		goto out;
	switch (lk_key_es256_low_s(sig)) {
	case 0:
		rc = 0;
		break;
	case 1:
		/* The same length: 64 bytes are 86 characters either way. */
		rc = lk_b64url_encode(sig, sizeof(sig), enc, len + 1) ==
		    (long)len ? 0 : -1;
		break;
	default:
		break;
	}
out:
	lk_explicit_bzero(sig, sizeof(sig));
	return rc;
}

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
	if (out != NULL && key->alg == LK_KEY_ES256 && low_s(out) == -1) {
		free(out);
		out = NULL;
	}
	return out;
}
