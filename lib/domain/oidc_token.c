/*
 * Signing the OpenID provider's tokens (RS256, with OpenSSL), at_hash
 * and PKCE.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "base/json.h"
#include "base/sha256.h"
#include "base/util.h"
#include "domain/oidc_token.h"

#define PAYLOAD_MAX	16384

/* Whether s is a claim to write (not NULL, not empty). */
static int
given(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Add the words of list, split at sep, to o as the array key. */
static int
add_words(struct json_object *o, const char *key, const char *list, char sep)
{
	struct json_object	*a;
	const char		*p, *end;

	if ((a = json_object_new_array()) == NULL)
		return -1;
	for (p = list; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if (end > p && json_object_array_add(a,
		    json_object_new_string_len(p, (int)(end - p))) != 0) {
			json_object_put(a);
			return -1;
		}
	}
	return json_object_object_add(o, key, a) == 0 ? 0 : -1;
}

static int
add_str(struct json_object *o, const char *key, const char *v)
{
	struct json_object	*s;

	if ((s = json_object_new_string(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static int
add_int(struct json_object *o, const char *key, long long v)
{
	struct json_object	*n;

	if ((n = json_object_new_int64(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, n) != 0) {
		json_object_put(n);
		return -1;
	}
	return 0;
}

/*
 * Append the base64url of data[0..len) to out at *at: 0, or -1 if it
 * does not fit.
 */
static int
append_b64(char *out, size_t outsz, size_t *at, const void *data, size_t len)
{
	long	n;

	if ((n = lk_b64url_encode(data, len, out + *at, outsz - *at)) < 0)
		return -1;
	*at += (size_t)n;
	return 0;
}

/*
 * Sign the payload o with key, RS256 (RSASSA-PKCS1-v1_5 with SHA-256),
 * under a header of alg, kid and typ: the compact JWS, or NULL.  Signed
 * here rather than by libjwt, which writes its own "typ".
 */
static char *
sign(const struct lk_key *key, const char *typ, struct json_object *o)
{
	struct json_object	*h = NULL;
	EVP_MD_CTX		*md = NULL;
	unsigned char		 sig[LK_RSA_BITS_MAX / 8];
	char			*json = NULL, *out = NULL;
	size_t			 at = 0, siglen = sizeof(sig);
	long			 n;
	int			 ok = 0;

	if (key == NULL || key->alg != LK_KEY_RS256 || !lk_key_can_sign(key) ||
	    key->pkey == NULL)
		return NULL;
	if ((json = malloc(PAYLOAD_MAX)) == NULL ||
	    (out = malloc(PAYLOAD_MAX * 2)) == NULL ||
	    (h = json_object_new_object()) == NULL ||
	    add_str(h, "alg", "RS256") == -1 || add_str(h, "typ", typ) == -1 ||
	    (key->kid[0] != '\0' && add_str(h, "kid", key->kid) == -1))
		goto out;
	if ((n = lk_json_dump(h, json, PAYLOAD_MAX)) < 0 ||
	    append_b64(out, PAYLOAD_MAX * 2, &at, json, (size_t)n) == -1)
		goto out;
	out[at++] = '.';
	if ((n = lk_json_dump(o, json, PAYLOAD_MAX)) < 0 ||
	    append_b64(out, PAYLOAD_MAX * 2, &at, json, (size_t)n) == -1)
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out,
	    at) != 1)
		goto out;
	out[at++] = '.';
	if (append_b64(out, PAYLOAD_MAX * 2, &at, sig, siglen) == -1)
		goto out;
	ok = 1;
out:
	EVP_MD_CTX_free(md);
	json_object_put(h);
	free(json);
	if (!ok) {
		free(out);
		out = NULL;
	}
	return out;
}

/* The claims both tokens have, and those of the granted scopes. */
static int
common(struct json_object *o, const struct lk_oidc_claims *c)
{
	if (!given(c->iss) || !given(c->sub) || !given(c->aud))
		return -1;
	if (add_str(o, "iss", c->iss) == -1 || add_str(o, "sub", c->sub) == -1 ||
	    add_str(o, "aud", c->aud) == -1 || add_int(o, "exp", c->exp) == -1 ||
	    add_int(o, "iat", c->iat) == -1 ||
	    add_int(o, "auth_time", c->auth_time) == -1)
		return -1;
	if (c->name != NULL && add_str(o, "name", c->name) == -1)
		return -1;
	if (c->preferred_username != NULL && add_str(o, "preferred_username",
	    c->preferred_username) == -1)
		return -1;
	if (c->email != NULL && add_str(o, "email", c->email) == -1)
		return -1;
	if (c->email_verified >= 0 && json_object_object_add(o,
	    "email_verified", json_object_new_boolean(c->email_verified)) != 0)
		return -1;
	if (c->groups != NULL && add_words(o, "groups", c->groups, ',') == -1)
		return -1;
	return 0;
}

char *
lk_oidc_id_token(const struct lk_key *key, const struct lk_oidc_claims *c)
{
	struct json_object	*o;
	char			*out = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (common(o, c) == 0 &&
	    (!given(c->nonce) || add_str(o, "nonce", c->nonce) == 0) &&
	    (!given(c->amr) || add_words(o, "amr", c->amr, ' ') == 0) &&
	    (!given(c->at_hash) || add_str(o, "at_hash", c->at_hash) == 0))
		out = sign(key, "JWT", o);
	json_object_put(o);
	return out;
}

char *
lk_oidc_access_token(const struct lk_key *key, const struct lk_oidc_claims *c)
{
	struct json_object	*o;
	char			*out = NULL;

	if (!given(c->jti) || !given(c->grant) || c->scope == NULL)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (common(o, c) == 0 && add_str(o, "client_id", c->aud) == 0 &&
	    add_str(o, "jti", c->jti) == 0 &&
	    add_str(o, "scope", c->scope) == 0 &&
	    add_str(o, "grant", c->grant) == 0)
		out = sign(key, "at+jwt", o);
	json_object_put(o);
	return out;
}

void
lk_oidc_at_hash(const char *token, size_t len,
    char out[LK_OIDC_AT_HASH_LEN + 1])
{
	unsigned char	d[LK_SHA256_LEN];

	lk_sha256(token, len, d);
	(void)lk_b64url_encode(d, LK_SHA256_LEN / 2, out,
	    LK_OIDC_AT_HASH_LEN + 1);
}

/* Whether s[0..len) is 43 to 128 of the unreserved characters. */
static int
unreserved(const char *s, size_t len, size_t min, size_t max)
{
	size_t	i;

	if (len < min || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '.' || s[i] == '_' || s[i] == '~'))
			return 0;
	return 1;
}

int
lk_oidc_pkce_challenge_ok(const char *challenge)
{
	size_t	n = strlen(challenge);

	/* base64url of 32 bytes: no '.' or '~'. */
	return n == 43 && unreserved(challenge, n, 43, 43) &&
	    strpbrk(challenge, ".~") == NULL;
}

int
lk_oidc_pkce_s256(const char *verifier, size_t len, const char *challenge)
{
	unsigned char	d[LK_SHA256_LEN];
	char		enc[LK_B64URL_LEN(LK_SHA256_LEN) + 1];
	int		ok;

	if (!unreserved(verifier, len, 43, 128) ||
	    !lk_oidc_pkce_challenge_ok(challenge))
		return 0;
	lk_sha256(verifier, len, d);
	if (lk_b64url_encode(d, sizeof(d), enc, sizeof(enc)) != 43)
		return 0;
	ok = lk_ct_equal(enc, 43, challenge, strlen(challenge));
	lk_explicit_bzero(d, sizeof(d));
	return ok;
}

/* The JSON object of the base64url text p[0..len), or NULL. */
static struct json_object *
decode_part(const char *p, size_t len)
{
	char			*buf;
	struct json_object	*o = NULL;
	long			 n;

	if ((buf = malloc(LK_OIDC_TOKEN_MAX)) == NULL)
		return NULL;
	if ((n = lk_b64url_decode(p, len, buf, LK_OIDC_TOKEN_MAX - 1)) > 0 &&
	    memchr(buf, '\0', (size_t)n) == NULL)
		o = lk_json_parse_object(buf, (size_t)n);
	free(buf);
	return o;
}

/* Copy the string member key of o into out (outsz): 0, or -1. */
static int
get_text(struct json_object *o, const char *key, char *out, size_t outsz)
{
	struct json_object	*v;
	size_t			 n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= outsz || memchr(json_object_get_string(v), '\0',
	    n) != NULL)
		return -1;
	memcpy(out, json_object_get_string(v), n + 1);
	return 0;
}

static int
get_number(struct json_object *o, const char *key, long long *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

int
lk_oidc_access_verify(const struct lk_keyring *ring, const char *issuer,
    const char *token, size_t len, long long now, long long leeway,
    struct lk_oidc_access *out)
{
	struct json_object	*h = NULL, *p = NULL;
	const struct lk_key	*key;
	const char		*dot1, *dot2;
	unsigned char		 sig[LK_RSA_BITS_MAX / 8];
	char			 alg[16], typ[16], kid[LK_KID_LEN + 1];
	char			 iss[512], aud[129];
	long			 n;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	if (ring == NULL || issuer == NULL || len == 0 ||
	    len > LK_OIDC_TOKEN_MAX || memchr(token, '\0', len) != NULL)
		return -1;
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) ==
	    NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) !=
	    NULL)
		return -1;
	if ((h = decode_part(token, (size_t)(dot1 - token))) == NULL ||
	    get_text(h, "alg", alg, sizeof(alg)) == -1 ||
	    strcmp(alg, "RS256") != 0 ||
	    get_text(h, "typ", typ, sizeof(typ)) == -1 ||
	    strcmp(typ, "at+jwt") != 0 ||
	    get_text(h, "kid", kid, sizeof(kid)) == -1 ||
	    (key = lk_keyring_find(ring, kid)) == NULL ||
	    key->alg != LK_KEY_RS256)
		goto out;
	n = lk_b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), sig,
	    sizeof(sig));
	if (n <= 0 || !lk_key_verify(key, token, (size_t)(dot2 - token), sig,
	    (size_t)n))
		goto out;
	if ((p = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL ||
	    get_text(p, "iss", iss, sizeof(iss)) == -1 ||
	    strcmp(iss, issuer) != 0 ||
	    get_number(p, "exp", &out->exp) == -1 ||
	    out->exp <= now - leeway ||
	    get_number(p, "iat", &out->iat) == -1 ||
	    get_number(p, "auth_time", &out->auth_time) == -1 ||
	    get_text(p, "sub", out->sub, sizeof(out->sub)) == -1 ||
	    get_text(p, "aud", aud, sizeof(aud)) == -1 ||
	    get_text(p, "client_id", out->client_id,
	    sizeof(out->client_id)) == -1 ||
	    strcmp(aud, out->client_id) != 0 ||
	    get_text(p, "jti", out->jti, sizeof(out->jti)) == -1 ||
	    get_text(p, "scope", out->scope, sizeof(out->scope)) == -1 ||
	    get_text(p, "grant", out->grant, sizeof(out->grant)) == -1)
		goto out;
	rc = 0;
out:
	json_object_put(h);
	json_object_put(p);
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}
