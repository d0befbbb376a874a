#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/json.h"
#include "base/util.h"
#include "domain/jwk.h"

/* An RSA modulus of LK_RSA_BITS_MAX bits, in bytes. */
#define RSA_BYTES_MAX	(LK_RSA_BITS_MAX / 8)
/* Members whose presence means a private key or a secret. */
static const char *const private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

/* The big number param of pkey as base64url of its bytes (pad: fixed width). */
static int
bn_b64(const EVP_PKEY *pkey, const char *param, int pad, char *out,
    size_t outsz)
{
	unsigned char	 buf[RSA_BYTES_MAX];
	BIGNUM		*bn = NULL;
	int		 n, rc = -1;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
		goto out;
	if (pad > 0)
		n = BN_bn2binpad(bn, buf, pad);
	else if ((n = BN_num_bytes(bn)) <= (int)sizeof(buf))
		n = BN_bn2bin(bn, buf);
	else
		n = -1;
	if (n > 0 && lk_b64url_encode(buf, (size_t)n, out, outsz) >= 0)
		rc = 0;
out:
	BN_free(bn);
	ERR_clear_error();
	return rc;
}

long
lk_jwk_write(const struct lk_key *key, char *out, size_t outsz)
{
	char	a[LK_B64URL_LEN(RSA_BYTES_MAX) + 1];
	char	b[LK_B64URL_LEN(RSA_BYTES_MAX) + 1];
	int	n;

	if (key->pkey == NULL)
		return -1;
	if (key->alg == LK_KEY_ES256) {
		/* x and y keep their leading zeros: 32 bytes each. */
		if (bn_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32, a,
		    sizeof(a)) == -1 || bn_b64(key->pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, 32, b, sizeof(b)) == -1)
			return -1;
		n = snprintf(out, outsz, "{\"alg\":\"ES256\",\"crv\":\"P-256\","
		    "\"kid\":\"%s\",\"kty\":\"EC\",\"use\":\"sig\",\"x\":\"%s\","
		    "\"y\":\"%s\"}", key->kid, a, b);
	} else if (key->alg == LK_KEY_RS256) {
		if (bn_b64(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0, a,
		    sizeof(a)) == -1 || bn_b64(key->pkey,
		    OSSL_PKEY_PARAM_RSA_E, 0, b, sizeof(b)) == -1)
			return -1;
		n = snprintf(out, outsz, "{\"alg\":\"RS256\",\"e\":\"%s\","
		    "\"kid\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\",\"use\":\"sig\"}",
		    b, key->kid, a);
	} else
		return -1;
	return (n < 0 || (size_t)n >= outsz) ? -1 : n;
}

long
lk_jwk_keys_write(const struct lk_key *const *keys, size_t n, char *out,
    size_t outsz)
{
	size_t	i, len = 1;
	long	w;

	if (outsz < 3)
		return -1;
	out[0] = '[';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (len + 1 >= outsz)
				return -1;
			out[len++] = ',';
		}
		if ((w = lk_jwk_write(keys[i], out + len, outsz - len)) < 0)
			return -1;
		len += (size_t)w;
	}
	if (len + 2 > outsz)
		return -1;
	out[len++] = ']';
	out[len] = '\0';
	return (long)len;
}

/* A string member of a JWK, or NULL if absent or not a string without NULs. */
static const char *
member(struct json_object *jwk, const char *name, size_t *len)
{
	const char	*s;

	if (lk_json_get_string(jwk, name, &s, len) != LK_JSON_FIELD_OK)
		return NULL;
	return s;
}

/* base64url member name of exactly want bytes (want 0: 1 to max, no leading zero). */
static long
member_bytes(struct json_object *jwk, const char *name, size_t want,
    unsigned char *out, size_t max)
{
	const char	*s;
	size_t		 len;
	long		 n;

	if ((s = member(jwk, name, &len)) == NULL ||
	    (n = lk_b64url_decode(s, len, out, max)) <= 0)
		return -1;
	if (want > 0 ? (size_t)n != want : out[0] == 0)
		return -1;
	return n;
}

/* An OpenSSL public key from parameters. */
static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL, *check = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	/* An EC point off the curve is no key. */
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(check) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	ERR_clear_error();
	return pkey;
}

static EVP_PKEY *
ec_key(struct json_object *jwk)
{
	unsigned char	 point[65];
	const char	*crv;
	OSSL_PARAM_BLD	*bld;
	EVP_PKEY	*pkey = NULL;
	size_t		 len;

	if ((crv = member(jwk, "crv", &len)) == NULL ||
	    strcmp(crv, "P-256") != 0)
		return NULL;
	/* The uncompressed point: 0x04 || x || y. */
	point[0] = 4;
	if (member_bytes(jwk, "x", 32, point + 1, 32) == -1 ||
	    member_bytes(jwk, "y", 32, point + 33, 32) == -1)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point)) == 1)
		pkey = from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
rsa_key(struct json_object *jwk)
{
	unsigned char	 nb[RSA_BYTES_MAX], eb[8];
	OSSL_PARAM_BLD	*bld = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	EVP_PKEY	*pkey = NULL;
	long		 nl, el;

	if ((nl = member_bytes(jwk, "n", 0, nb, sizeof(nb))) == -1 ||
	    (el = member_bytes(jwk, "e", 0, eb, sizeof(eb))) == -1)
		return NULL;
	if ((n = BN_bin2bn(nb, (int)nl, NULL)) != NULL &&
	    (e = BN_bin2bn(eb, (int)el, NULL)) != NULL &&
	    (bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
		pkey = from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* One JWK into k; 0, or -1 with the reason in why. */
static int
parse_one(struct json_object *jwk, struct lk_key *k, char *why, size_t whysz)
{
	const char	*kty, *kid, *v;
	enum lk_key_alg	 alg;
	EVP_PKEY	*pkey;
	size_t		 i, len;

	if (json_object_get_type(jwk) != json_type_object) {
		(void)snprintf(why, whysz, "not a JSON object");
		return -1;
	}
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
	    i++)
		if (json_object_object_get_ex(jwk, private_members[i], NULL)) {
			(void)snprintf(why, whysz, "holds a private key or a "
			    "secret (\"%s\"): publish the public key only",
			    private_members[i]);
			return -1;
		}
	if ((kty = member(jwk, "kty", &len)) == NULL) {
		(void)snprintf(why, whysz, "no \"kty\"");
		return -1;
	}
	if (strcmp(kty, "EC") == 0)
		pkey = ec_key(jwk);
	else if (strcmp(kty, "RSA") == 0)
		pkey = rsa_key(jwk);
	else {
		(void)snprintf(why, whysz, "kty must be \"EC\" or \"RSA\"");
		return -1;
	}
	if (pkey == NULL) {
		(void)snprintf(why, whysz, "not a valid %s public key (P-256 "
		    "with 32-byte x and y; RSA n and e without leading zeros)",
		    kty);
		return -1;
	}
	if (lk_key_set_pkey(k, pkey, why, whysz) == -1)
		return -1;
	if ((kid = member(jwk, "kid", &len)) == NULL ||
	    strcmp(kid, k->kid) != 0) {
		(void)snprintf(why, whysz, "its \"kid\" must be the key's own, "
		    "\"%s\"", k->kid);
		return -1;
	}
	if (json_object_object_get_ex(jwk, "alg", NULL) &&
	    ((v = member(jwk, "alg", &len)) == NULL ||
	    lk_key_alg_parse(v, &alg) == -1 || alg != k->alg)) {
		(void)snprintf(why, whysz, "\"alg\" must be the key's, \"%s\"",
		    lk_key_alg_name(k->alg));
		return -1;
	}
	if (json_object_object_get_ex(jwk, "use", NULL) &&
	    ((v = member(jwk, "use", &len)) == NULL || strcmp(v, "sig") != 0)) {
		(void)snprintf(why, whysz, "\"use\" must be \"sig\"");
		return -1;
	}
	return 0;
}

/* Whether the kid of keys[i] is one of keys[0..i). */
static int
kid_twice(const struct lk_key *keys, size_t i)
{
	size_t	j;

	for (j = 0; j < i; j++)
		if (strcmp(keys[j].kid, keys[i].kid) == 0)
			return 1;
	return 0;
}

int
lk_jwk_keys_parse(const char *text, size_t len, struct lk_key *keys,
    size_t max, size_t *n, char *err, size_t errsz)
{
	struct json_object	*set, *array;
	char			 why[256];
	size_t			 i, count;
	int			 rc = -1;

	*n = 0;
	if ((set = lk_json_parse_object(text, len)) == NULL) {
		(void)snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	if (!json_object_object_get_ex(set, "keys", &array) ||
	    json_object_get_type(array) != json_type_array ||
	    (count = json_object_array_length(array)) == 0 || count > max) {
		(void)snprintf(err, errsz, "\"keys\" must be an array of 1 to "
		    "%zu keys", max);
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (parse_one(json_object_array_get_idx(array, i), &keys[i], why,
		    sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "keys[%zu]: %s", i, why);
			goto out;
		}
		*n = i + 1;
		if (kid_twice(keys, i)) {
			(void)snprintf(err, errsz, "keys[%zu]: kid %s twice", i,
			    keys[i].kid);
			goto out;
		}
	}
	rc = 0;
out:
	json_object_put(set);
	if (rc == -1) {
		for (i = 0; i < max; i++)
			lk_key_clear(&keys[i]);
		*n = 0;
	}
	return rc;
}
