#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "base/json.h"
#include "base/util.h"
#include "domain/webauthn.h"

/*
 * Nesting each CBOR item may have: the attestationObject is a map holding
 * the attStmt map, whose x5c (refused later, but recognised) is an array;
 * a COSE key is a flat map; extension values may be one map deeper.
 */
#define DEPTH_ATT_OBJ	3
#define DEPTH_COSE_KEY	1
#define DEPTH_EXT	3

#define AUTH_DATA_MIN	37	/* rpIdHash(32) flags(1) signCount(4) */
#define ES256_SIG_MAX	72	/* DER of two 33-byte integers */
#define RSA_BITS_MIN	2048
#define RSA_BITS_MAX	4096

static const char *const res_str[LK_WEBAUTHN__MAX] = {
	"ok",
	"internal error",
	"bad expectations",
	"input empty or too large",
	"malformed client data",
	"wrong ceremony type",
	"challenge mismatch",
	"origin not allowed",
	"cross-origin ceremony",
	"token binding unsupported",
	"malformed CBOR",
	"malformed attestation object",
	"attestation format not accepted",
	"bad attestation signature",
	"malformed authenticator data",
	"rp id mismatch",
	"user not present",
	"user not verified",
	"backup state without backup eligibility",
	"bad credential id",
	"key algorithm not accepted",
	"bad public key",
	"RSA key under 2048 bits",
	"stored key unusable",
	"bad signature",
	"counter went backwards",
};

const char *
lk_webauthn_res_str(enum lk_webauthn_res r)
{
	if ((unsigned int)r >= LK_WEBAUTHN__MAX)
		return "unknown";
	return res_str[r];
}

/*
 * Strict CBOR.  A scan of the raw bytes runs before libcbor sees them: it
 * bounds every length and count by the bytes actually there (libcbor 0.8
 * allocates what a header claims), refuses what WebAuthn never needs, and
 * finds duplicate map keys by value (libcbor keeps both).
 */
struct cbor_key {
	int			 major;
	uint64_t		 val;	/* integer, or text length */
	const unsigned char	*text;
};

static int
cbor_head(const unsigned char *p, size_t len, size_t *pos, int *major,
    uint64_t *val)
{
	unsigned int	ai, n, i;

	if (*pos >= len)
		return -1;
	*major = p[*pos] >> 5;
	ai = p[*pos] & 0x1f;
	(*pos)++;
	if (ai < 24) {
		*val = ai;
		return 0;
	}
	/* 28-30 are reserved, 31 is an indefinite length or a break. */
	if (ai > 27)
		return -1;
	n = 1u << (ai - 24);
	if (len - *pos < n)
		return -1;
	*val = 0;
	for (i = 0; i < n; i++)
		*val = (*val << 8) | p[(*pos)++];
	return 0;
}

static int
cbor_text_ok(const unsigned char *s, size_t len)
{
	unsigned long	cp;
	size_t		i = 0;
	int		k;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = lk_utf8_decode(s + i, len - i, &cp)) < 0)
			return -1;
		i += (size_t)k;
	}
	return 0;
}

static int
cbor_scan(const unsigned char *p, size_t len, size_t *pos, int depth)
{
	struct cbor_key	 keys[LK_WEBAUTHN_CBOR_ITEMS];
	uint64_t	 val, i, j;
	size_t		 start = *pos;
	int		 major;

	if (cbor_head(p, len, pos, &major, &val) == -1)
		return -1;
	switch (major) {
	case 0:		/* unsigned integer */
	case 1:		/* negative integer */
		return 0;
	case 2:		/* byte string */
	case 3:		/* text string */
		if (val > len - *pos)
			return -1;
		if (major == 3 && cbor_text_ok(p + *pos, (size_t)val) == -1)
			return -1;
		*pos += (size_t)val;
		return 0;
	case 4:		/* array */
	case 5:		/* map */
		if (depth < 1 || val > LK_WEBAUTHN_CBOR_ITEMS)
			return -1;
		for (i = 0; i < val; i++) {
			if (major == 5) {
				struct cbor_key *k = &keys[i];

				/* Keys: integers (COSE) or text, once each. */
				if (cbor_head(p, len, pos, &k->major,
				    &k->val) == -1)
					return -1;
				k->text = NULL;
				if (k->major == 3) {
					if (k->val > len - *pos ||
					    cbor_text_ok(p + *pos,
					    (size_t)k->val) == -1)
						return -1;
					k->text = p + *pos;
					*pos += (size_t)k->val;
				} else if (k->major != 0 && k->major != 1)
					return -1;
				for (j = 0; j < i; j++)
					if (keys[j].major == k->major &&
					    keys[j].val == k->val &&
					    (k->text == NULL || memcmp(keys[j].text,
					    k->text, (size_t)k->val) == 0))
						return -1;
			}
			if (cbor_scan(p, len, pos, depth - 1) == -1)
				return -1;
		}
		return 0;
	case 7:
		/* false, true, null; no floats, undefined or other simples. */
		return p[start] >= 0xf4 && p[start] <= 0xf6 ? 0 : -1;
	default:	/* 6: tags */
		return -1;
	}
}

/*
 * Decode one strict CBOR item of at most depth nested containers at the
 * start of buf[0..len).  With used NULL the item must take the whole
 * buffer; otherwise *used is its length.  Returns the item or NULL.
 */
static cbor_item_t *
cbor_decode(const unsigned char *buf, size_t len, int depth, size_t *used)
{
	struct cbor_load_result	 res;
	cbor_item_t		*item;
	size_t			 pos = 0;

	if (len == 0 || cbor_scan(buf, len, &pos, depth) == -1)
		return NULL;
	if (used == NULL && pos != len)
		return NULL;
	/* libcbor 0.8 reads one item: give it exactly that item's bytes. */
	memset(&res, 0, sizeof(res));
	if ((item = cbor_load(buf, pos, &res)) == NULL)
		return NULL;
	if (res.error.code != CBOR_ERR_NONE || res.read != pos) {
		cbor_decref(&item);
		return NULL;
	}
	if (used != NULL)
		*used = pos;
	return item;
}

/* The integer value of a CBOR integer item, if it fits an int64_t. */
static int
cbor_int(const cbor_item_t *it, int64_t *out)
{
	uint64_t	v;

	if (it == NULL || (!cbor_isa_uint(it) && !cbor_isa_negint(it)))
		return -1;
	if ((v = cbor_get_int(it)) > INT64_MAX)
		return -1;
	*out = cbor_isa_uint(it) ? (int64_t)v : -1 - (int64_t)v;
	return 0;
}

static cbor_item_t *
map_get_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair	*pairs = cbor_map_handle(map);
	size_t			 i, n = cbor_map_size(map);
	int64_t			 k;

	for (i = 0; i < n; i++)
		if (cbor_int(pairs[i].key, &k) == 0 && k == key)
			return pairs[i].value;
	return NULL;
}

static cbor_item_t *
map_get_text(const cbor_item_t *map, const char *key)
{
	struct cbor_pair	*pairs = cbor_map_handle(map);
	size_t			 i, n = cbor_map_size(map), klen = strlen(key);

	for (i = 0; i < n; i++)
		if (cbor_isa_string(pairs[i].key) &&
		    cbor_string_length(pairs[i].key) == klen &&
		    memcmp(cbor_string_handle(pairs[i].key), key, klen) == 0)
			return pairs[i].value;
	return NULL;
}

static int
text_is(const cbor_item_t *it, const char *s)
{
	size_t	n = strlen(s);

	return it != NULL && cbor_isa_string(it) &&
	    cbor_string_length(it) == n &&
	    memcmp(cbor_string_handle(it), s, n) == 0;
}

static int
expect_ok(const struct lk_webauthn_expect *e)
{
	size_t	i;

	if (e == NULL || e->challenge == NULL ||
	    e->challenge_len < LK_WEBAUTHN_CHALLENGE_MIN ||
	    e->challenge_len > LK_WEBAUTHN_CHALLENGE_MAX ||
	    e->rp_id == NULL || e->rp_id[0] == '\0' ||
	    e->origins == NULL || e->origins_n == 0)
		return 0;
	for (i = 0; i < e->origins_n; i++)
		if (e->origins[i] == NULL || e->origins[i][0] == '\0')
			return 0;
	return 1;
}

/*
 * Check clientDataJSON (section 7.1 steps 5-12, 7.2 steps 10-16) and hash
 * the bytes exactly as received into hash.
 */
static enum lk_webauthn_res
client_data_check(const struct lk_webauthn_expect *e, const char *type,
    const unsigned char *cd, size_t cdlen, unsigned char hash[SHA256_DIGEST_LENGTH])
{
	char			 want[LK_B64URL_LEN(LK_WEBAUTHN_CHALLENGE_MAX) + 1];
	struct json_object	*obj = NULL, *v, *tb;
	enum lk_webauthn_res	 r = LK_WEBAUTHN_ERR_CLIENT_DATA;
	const char		*s;
	size_t			 slen, i;
	long			 wlen;

	if (cd == NULL || cdlen == 0 || cdlen > LK_WEBAUTHN_CLIENT_DATA_MAX)
		return LK_WEBAUTHN_ERR_TOO_LARGE;
	if ((obj = lk_json_parse_object((const char *)cd, cdlen)) == NULL)
		goto out;

	if (lk_json_get_string(obj, "type", &s, &slen) != LK_JSON_FIELD_OK)
		goto out;
	if (slen != strlen(type) || memcmp(s, type, slen) != 0) {
		r = LK_WEBAUTHN_ERR_TYPE;
		goto out;
	}

	/* The canonical unpadded spelling of the issued bytes, nothing else. */
	if (lk_json_get_string(obj, "challenge", &s, &slen) !=
	    LK_JSON_FIELD_OK)
		goto out;
	if ((wlen = lk_b64url_encode(e->challenge, e->challenge_len, want,
	    sizeof(want))) < 0) {
		r = LK_WEBAUTHN_ERR_INTERNAL;
		goto out;
	}
	if (!lk_ct_equal(s, slen, want, (size_t)wlen)) {
		r = LK_WEBAUTHN_ERR_CHALLENGE;
		goto out;
	}

	if (lk_json_get_string(obj, "origin", &s, &slen) != LK_JSON_FIELD_OK)
		goto out;
	for (i = 0; i < e->origins_n; i++)
		if (strlen(e->origins[i]) == slen &&
		    memcmp(e->origins[i], s, slen) == 0)
			break;
	if (i == e->origins_n) {
		r = LK_WEBAUTHN_ERR_ORIGIN;
		goto out;
	}

	/* latchkey is never framed by another origin. */
	if (json_object_object_get_ex(obj, "crossOrigin", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			goto out;
		if (json_object_get_boolean(v)) {
			r = LK_WEBAUTHN_ERR_CROSS_ORIGIN;
			goto out;
		}
	}

	/* Token binding "present" would need the TLS layer's binding id. */
	if (json_object_object_get_ex(obj, "tokenBinding", &tb)) {
		/* (json-c finds no member in a non-object.) */
		if (lk_json_get_string(tb, "status", &s, &slen) !=
		    LK_JSON_FIELD_OK)
			goto out;
		if (slen == 7 && memcmp(s, "present", 7) == 0) {
			r = LK_WEBAUTHN_ERR_TOKEN_BINDING;
			goto out;
		}
		if (slen != 9 || memcmp(s, "supported", 9) != 0)
			goto out;
	}

	if (SHA256(cd, cdlen, hash) == NULL) {
		r = LK_WEBAUTHN_ERR_INTERNAL;
		goto out;
	}
	r = LK_WEBAUTHN_OK;
out:
	json_object_put(obj);
	return r;
}

struct auth_data {
	const unsigned char	*rp_id_hash;
	uint8_t			 flags;
	uint32_t		 sign_count;
	const unsigned char	*aaguid;
	const unsigned char	*cred_id;
	size_t			 cred_id_len;
	cbor_item_t		*cose;		/* attested: the COSE key */
};

/*
 * Split authenticator data (section 6.1): attested says whether attested
 * credential data must be there (registration) or must not (assertion).
 * Nothing may follow but extensions announced by ED.  On success with
 * attested, ad->cose must be released.
 */
static enum lk_webauthn_res
auth_data_parse(const unsigned char *buf, size_t len, int attested,
    struct auth_data *ad)
{
	struct cbor_pair	*pairs;
	cbor_item_t		*ext = NULL;
	size_t			 pos = AUTH_DATA_MIN, used, i;

	memset(ad, 0, sizeof(*ad));
	if (len < AUTH_DATA_MIN)
		return LK_WEBAUTHN_ERR_AUTH_DATA;
	ad->rp_id_hash = buf;
	ad->flags = buf[32];
	ad->sign_count = (uint32_t)buf[33] << 24 | (uint32_t)buf[34] << 16 |
	    (uint32_t)buf[35] << 8 | buf[36];
	if (!(ad->flags & LK_WEBAUTHN_FLAG_AT) != !attested)
		return LK_WEBAUTHN_ERR_AUTH_DATA;

	if (attested) {
		if (len - pos < 18)
			return LK_WEBAUTHN_ERR_AUTH_DATA;
		ad->aaguid = buf + pos;
		ad->cred_id_len = (size_t)buf[pos + 16] << 8 | buf[pos + 17];
		pos += 18;
		if (ad->cred_id_len == 0 ||
		    ad->cred_id_len > LK_WEBAUTHN_CRED_ID_MAX)
			return LK_WEBAUTHN_ERR_CRED_ID;
		if (len - pos < ad->cred_id_len)
			return LK_WEBAUTHN_ERR_AUTH_DATA;
		ad->cred_id = buf + pos;
		pos += ad->cred_id_len;
		if ((ad->cose = cbor_decode(buf + pos, len - pos,
		    DEPTH_COSE_KEY, &used)) == NULL)
			return LK_WEBAUTHN_ERR_AUTH_DATA;
		pos += used;
	}

	if (ad->flags & LK_WEBAUTHN_FLAG_ED) {
		/* One map of extension identifiers to values, then the end. */
		if ((ext = cbor_decode(buf + pos, len - pos, DEPTH_EXT,
		    NULL)) == NULL || !cbor_isa_map(ext))
			goto bad;
		pairs = cbor_map_handle(ext);
		for (i = 0; i < cbor_map_size(ext); i++)
			if (!cbor_isa_string(pairs[i].key))
				goto bad;
		cbor_decref(&ext);
		pos = len;
	}
	if (pos != len)
		goto bad;
	return LK_WEBAUTHN_OK;
bad:
	if (ext != NULL)
		cbor_decref(&ext);
	if (ad->cose != NULL)
		cbor_decref(&ad->cose);
	return LK_WEBAUTHN_ERR_AUTH_DATA;
}

/* Section 7.1 steps 13-17, 7.2 steps 15-18. */
static enum lk_webauthn_res
auth_data_check(const struct lk_webauthn_expect *e, const struct auth_data *ad)
{
	unsigned char	h[SHA256_DIGEST_LENGTH];

	if (SHA256((const unsigned char *)e->rp_id, strlen(e->rp_id),
	    h) == NULL)
		return LK_WEBAUTHN_ERR_INTERNAL;
	if (!lk_ct_equal(ad->rp_id_hash, sizeof(h), h, sizeof(h)))
		return LK_WEBAUTHN_ERR_RP_ID;
	if (!(ad->flags & LK_WEBAUTHN_FLAG_UP))
		return LK_WEBAUTHN_ERR_USER_PRESENT;
	if (e->require_uv && !(ad->flags & LK_WEBAUTHN_FLAG_UV))
		return LK_WEBAUTHN_ERR_USER_VERIFIED;
	if ((ad->flags & LK_WEBAUTHN_FLAG_BS) &&
	    !(ad->flags & LK_WEBAUTHN_FLAG_BE))
		return LK_WEBAUTHN_ERR_BACKUP_FLAGS;
	return LK_WEBAUTHN_OK;
}

/*
 * Build a public key from OpenSSL parameters and run OpenSSL's public key
 * check (on the curve and not the identity for EC; SP 800-56B for RSA).
 */
static enum lk_webauthn_res
key_from_params(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM		*params = NULL;
	EVP_PKEY_CTX		*ctx = NULL, *check = NULL;
	EVP_PKEY		*key = NULL;
	enum lk_webauthn_res	 r = LK_WEBAUTHN_ERR_INTERNAL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	r = LK_WEBAUTHN_ERR_KEY;
	if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL) {
		r = LK_WEBAUTHN_ERR_INTERNAL;
		goto out;
	}
	if (EVP_PKEY_public_check(check) != 1)
		goto out;
	*out = key;
	key = NULL;
	r = LK_WEBAUTHN_OK;
out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return r;
}

static enum lk_webauthn_res
cose_ec2(const cbor_item_t *map, EVP_PKEY **out)
{
	unsigned char		 pt[65];
	OSSL_PARAM_BLD		*bld = NULL;
	cbor_item_t		*x, *y;
	enum lk_webauthn_res	 r;
	int64_t			 crv;

	if (cbor_int(map_get_int(map, -1), &crv) == -1)
		return LK_WEBAUTHN_ERR_KEY;
	if (crv != 1)		/* P-256, the only curve ES256 allows */
		return LK_WEBAUTHN_ERR_KEY_ALG;
	x = map_get_int(map, -2);
	y = map_get_int(map, -3);
	if (cbor_map_size(map) != 5 || x == NULL || y == NULL ||
	    !cbor_isa_bytestring(x) || cbor_bytestring_length(x) != 32 ||
	    !cbor_isa_bytestring(y) || cbor_bytestring_length(y) != 32)
		return LK_WEBAUTHN_ERR_KEY;
	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pt + 1, cbor_bytestring_handle(x), 32);
	memcpy(pt + 33, cbor_bytestring_handle(y), 32);

	r = LK_WEBAUTHN_ERR_INTERNAL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    SN_X9_62_prime256v1, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt)) != 1)
		goto out;
	r = key_from_params("EC", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	return r;
}

static enum lk_webauthn_res
cose_rsa(const cbor_item_t *map, EVP_PKEY **out)
{
	OSSL_PARAM_BLD		*bld = NULL;
	BIGNUM			*n = NULL, *e = NULL;
	cbor_item_t		*ni, *ei;
	const unsigned char	*nb, *eb;
	size_t			 nlen, elen;
	enum lk_webauthn_res	 r;

	ni = map_get_int(map, -1);
	ei = map_get_int(map, -2);
	if (cbor_map_size(map) != 4 || ni == NULL || ei == NULL ||
	    !cbor_isa_bytestring(ni) || !cbor_isa_bytestring(ei))
		return LK_WEBAUTHN_ERR_KEY;
	nb = cbor_bytestring_handle(ni);
	nlen = cbor_bytestring_length(ni);
	eb = cbor_bytestring_handle(ei);
	elen = cbor_bytestring_length(ei);
	/* Unsigned big-endian without leading zeros (RFC 8230). */
	if (nlen == 0 || nb[0] == 0 || elen == 0 || elen > 8 || eb[0] == 0)
		return LK_WEBAUTHN_ERR_KEY;
	if (nlen > RSA_BITS_MAX / 8)
		return LK_WEBAUTHN_ERR_KEY;

	r = LK_WEBAUTHN_ERR_INTERNAL;
	if ((n = BN_bin2bn(nb, (int)nlen, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		goto out;
	/* Bits, not bytes: 256 bytes starting 0x01 are a 2041-bit modulus. */
	if (BN_num_bits(n) < RSA_BITS_MIN) {
		r = LK_WEBAUTHN_ERR_KEY_WEAK;
		goto out;
	}
	/*
	 * OpenSSL's own check (outside FIPS mode) takes any odd e > 1; small
	 * exponents are what lax PKCS#1 v1.5 verifiers get forged with.
	 */
	if (BN_num_bits(e) < 17 || !BN_is_odd(e)) {
		r = LK_WEBAUTHN_ERR_KEY;
		goto out;
	}
	r = key_from_params("RSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return r;
}

/*
 * Read a credential public key (a COSE_Key, RFC 9053 and RFC 8230): EC2
 * with ES256 on P-256, or RSA with RS256, with no other members.
 */
static enum lk_webauthn_res
cose_key(const cbor_item_t *map, int *alg, EVP_PKEY **out)
{
	int64_t	kty, a;

	if (!cbor_isa_map(map) || cbor_int(map_get_int(map, 1), &kty) == -1 ||
	    cbor_int(map_get_int(map, 3), &a) == -1)
		return LK_WEBAUTHN_ERR_KEY;
	if (kty == 2 && a == LK_WEBAUTHN_ALG_ES256) {
		*alg = LK_WEBAUTHN_ALG_ES256;
		return cose_ec2(map, out);
	}
	if (kty == 3 && a == LK_WEBAUTHN_ALG_RS256) {
		*alg = LK_WEBAUTHN_ALG_RS256;
		return cose_rsa(map, out);
	}
	return LK_WEBAUTHN_ERR_KEY_ALG;
}

/*
 * Check that sig is key's signature under alg over authData ||
 * clientDataHash.  ES256 signatures must be strict DER (one encoding per
 * signature, no trailing bytes); RS256 ones RSASSA-PKCS1-v1_5 with SHA-256
 * and exactly the modulus' length.  Returns LK_WEBAUTHN_OK, bad, or
 * LK_WEBAUTHN_ERR_INTERNAL.
 */
static enum lk_webauthn_res
signature_check(EVP_PKEY *key, int alg, const unsigned char *auth_data,
    size_t adlen, const unsigned char hash[SHA256_DIGEST_LENGTH],
    const unsigned char *sig, size_t siglen, enum lk_webauthn_res bad)
{
	EVP_MD_CTX		*md = NULL;
	EVP_PKEY_CTX		*pctx = NULL;
	ECDSA_SIG		*es = NULL;
	unsigned char		*msg = NULL, *der = NULL;
	const unsigned char	*p;
	enum lk_webauthn_res	 r = bad;
	int			 derlen;

	if (alg == LK_WEBAUTHN_ALG_ES256) {
		if (siglen == 0 || siglen > ES256_SIG_MAX)
			goto out;
		p = sig;
		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)siglen)) == NULL ||
		    p != sig + siglen)
			goto out;
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0 ||
		    (size_t)derlen != siglen || memcmp(der, sig, siglen) != 0)
			goto out;
	} else if (alg == LK_WEBAUTHN_ALG_RS256) {
		if (EVP_PKEY_get_size(key) <= 0 ||
		    siglen != (size_t)EVP_PKEY_get_size(key))
			goto out;
	} else
		goto out;

	r = LK_WEBAUTHN_ERR_INTERNAL;
	if ((msg = malloc(adlen + SHA256_DIGEST_LENGTH)) == NULL)
		goto out;
	memcpy(msg, auth_data, adlen);
	memcpy(msg + adlen, hash, SHA256_DIGEST_LENGTH);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) != 1)
		goto out;
	if (alg == LK_WEBAUTHN_ALG_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	r = EVP_DigestVerify(md, sig, siglen, msg,
	    adlen + SHA256_DIGEST_LENGTH) == 1 ? LK_WEBAUTHN_OK : bad;
out:
	EVP_MD_CTX_free(md);
	free(msg);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	/* Leave no failure behind for the next user of OpenSSL's queue. */
	ERR_clear_error();
	return r;
}

/*
 * The attestation statement (section 8.2 for "packed", 8.7 for "none").
 * Only self attestation is verified: a certificate would need trust roots
 * latchkey does not have, and it asks for "none".
 */
static enum lk_webauthn_res
att_stmt_check(const cbor_item_t *fmt, const cbor_item_t *stmt, EVP_PKEY *key,
    int alg, const unsigned char *auth_data, size_t adlen,
    const unsigned char hash[SHA256_DIGEST_LENGTH])
{
	cbor_item_t	*sig;
	int64_t		 salg;

	if (text_is(fmt, "none"))
		return cbor_map_size(stmt) == 0 ? LK_WEBAUTHN_OK :
		    LK_WEBAUTHN_ERR_ATT_FORMAT;
	if (!text_is(fmt, "packed") || cbor_map_size(stmt) != 2 ||
	    cbor_int(map_get_text(stmt, "alg"), &salg) == -1 ||
	    salg != alg || (sig = map_get_text(stmt, "sig")) == NULL ||
	    !cbor_isa_bytestring(sig))
		return LK_WEBAUTHN_ERR_ATT_FORMAT;
	return signature_check(key, alg, auth_data, adlen, hash,
	    cbor_bytestring_handle(sig), cbor_bytestring_length(sig),
	    LK_WEBAUTHN_ERR_ATT_SIGNATURE);
}

enum lk_webauthn_res
lk_webauthn_register_verify(const struct lk_webauthn_expect *e,
    const unsigned char *client_data, size_t client_data_len,
    const unsigned char *att_obj, size_t att_obj_len,
    struct lk_webauthn_credential *out)
{
	unsigned char		 hash[SHA256_DIGEST_LENGTH], *q;
	struct auth_data	 ad;
	cbor_item_t		*top = NULL, *fmt, *stmt, *adi;
	EVP_PKEY		*key = NULL;
	const unsigned char	*adb;
	size_t			 adlen;
	enum lk_webauthn_res	 r;
	int			 alg = 0, derlen;

	memset(&ad, 0, sizeof(ad));
	if (out == NULL)
		return LK_WEBAUTHN_ERR_USAGE;
	memset(out, 0, sizeof(*out));
	if (!expect_ok(e))
		return LK_WEBAUTHN_ERR_USAGE;
	if ((r = client_data_check(e, "webauthn.create", client_data,
	    client_data_len, hash)) != LK_WEBAUTHN_OK)
		return r;

	if (att_obj == NULL || att_obj_len == 0 ||
	    att_obj_len > LK_WEBAUTHN_ATT_OBJ_MAX)
		return LK_WEBAUTHN_ERR_TOO_LARGE;
	if ((top = cbor_decode(att_obj, att_obj_len, DEPTH_ATT_OBJ,
	    NULL)) == NULL)
		return LK_WEBAUTHN_ERR_CBOR;
	r = LK_WEBAUTHN_ERR_ATT_OBJ;
	if (!cbor_isa_map(top) || cbor_map_size(top) != 3)
		goto out;
	fmt = map_get_text(top, "fmt");
	stmt = map_get_text(top, "attStmt");
	adi = map_get_text(top, "authData");
	if (fmt == NULL || !cbor_isa_string(fmt) || stmt == NULL ||
	    !cbor_isa_map(stmt) || adi == NULL || !cbor_isa_bytestring(adi))
		goto out;
	adb = cbor_bytestring_handle(adi);
	adlen = cbor_bytestring_length(adi);

	if ((r = auth_data_parse(adb, adlen, 1, &ad)) != LK_WEBAUTHN_OK ||
	    (r = auth_data_check(e, &ad)) != LK_WEBAUTHN_OK ||
	    (r = cose_key(ad.cose, &alg, &key)) != LK_WEBAUTHN_OK ||
	    (r = att_stmt_check(fmt, stmt, key, alg, adb, adlen, hash)) !=
	    LK_WEBAUTHN_OK)
		goto out;

	r = LK_WEBAUTHN_ERR_INTERNAL;
	if ((derlen = i2d_PUBKEY(key, NULL)) <= 0 ||
	    (size_t)derlen > sizeof(out->pubkey))
		goto out;
	q = out->pubkey;
	if (i2d_PUBKEY(key, &q) != derlen)
		goto out;
	out->pubkey_len = (size_t)derlen;
	memcpy(out->id, ad.cred_id, ad.cred_id_len);
	out->id_len = ad.cred_id_len;
	out->alg = alg;
	out->sign_count = ad.sign_count;
	memcpy(out->aaguid, ad.aaguid, sizeof(out->aaguid));
	out->flags = ad.flags;
	r = LK_WEBAUTHN_OK;
out:
	if (r != LK_WEBAUTHN_OK)
		memset(out, 0, sizeof(*out));
	EVP_PKEY_free(key);
	if (ad.cose != NULL)
		cbor_decref(&ad.cose);
	if (top != NULL)
		cbor_decref(&top);
	ERR_clear_error();
	return r;
}

/*
 * Load the stored key, which must be exactly one DER SubjectPublicKeyInfo
 * of the kind its algorithm names: the message never chooses.
 */
static enum lk_webauthn_res
stored_key(const struct lk_webauthn_stored *c, EVP_PKEY **out)
{
	char			 group[32];
	EVP_PKEY		*key = NULL;
	const unsigned char	*p;
	int			 bits;

	if (c->pubkey == NULL || c->pubkey_len == 0 ||
	    c->pubkey_len > LK_WEBAUTHN_PUBKEY_MAX)
		goto bad;
	p = c->pubkey;
	if ((key = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len)) == NULL ||
	    p != c->pubkey + c->pubkey_len)
		goto bad;
	bits = EVP_PKEY_get_bits(key);
	if (c->alg == LK_WEBAUTHN_ALG_ES256) {
		if (!EVP_PKEY_is_a(key, "EC") ||
		    EVP_PKEY_get_group_name(key, group, sizeof(group),
		    NULL) != 1 || strcmp(group, SN_X9_62_prime256v1) != 0)
			goto bad;
	} else if (c->alg == LK_WEBAUTHN_ALG_RS256) {
		if (!EVP_PKEY_is_a(key, "RSA") || bits < RSA_BITS_MIN ||
		    bits > RSA_BITS_MAX)
			goto bad;
	} else
		goto bad;
	*out = key;
	return LK_WEBAUTHN_OK;
bad:
	EVP_PKEY_free(key);
	ERR_clear_error();
	return LK_WEBAUTHN_ERR_STORED_KEY;
}

enum lk_webauthn_res
lk_webauthn_assertion_verify(const struct lk_webauthn_expect *e,
    const unsigned char *client_data, size_t client_data_len,
    const unsigned char *auth_data, size_t auth_data_len,
    const unsigned char *sig, size_t sig_len,
    const struct lk_webauthn_stored *cred,
    struct lk_webauthn_assertion *out)
{
	unsigned char		 hash[SHA256_DIGEST_LENGTH];
	struct auth_data	 ad;
	EVP_PKEY		*key = NULL;
	enum lk_webauthn_res	 r;

	if (out == NULL)
		return LK_WEBAUTHN_ERR_USAGE;
	memset(out, 0, sizeof(*out));
	if (!expect_ok(e) || cred == NULL)
		return LK_WEBAUTHN_ERR_USAGE;
	if ((r = client_data_check(e, "webauthn.get", client_data,
	    client_data_len, hash)) != LK_WEBAUTHN_OK)
		return r;
	if (auth_data == NULL || auth_data_len == 0 ||
	    auth_data_len > LK_WEBAUTHN_AUTH_DATA_MAX ||
	    sig == NULL || sig_len == 0 || sig_len > LK_WEBAUTHN_SIG_MAX)
		return LK_WEBAUTHN_ERR_TOO_LARGE;
	if ((r = auth_data_parse(auth_data, auth_data_len, 0, &ad)) !=
	    LK_WEBAUTHN_OK || (r = auth_data_check(e, &ad)) != LK_WEBAUTHN_OK)
		return r;

	if ((r = stored_key(cred, &key)) != LK_WEBAUTHN_OK)
		return r;
	if ((r = signature_check(key, cred->alg, auth_data, auth_data_len,
	    hash, sig, sig_len, LK_WEBAUTHN_ERR_SIGNATURE)) != LK_WEBAUTHN_OK)
		goto out;

	/*
	 * Section 7.2 step 21: a counter that does not grow, when either side
	 * has one, means two authenticators share the key.  A genuine
	 * signature got us here, so this is worth an alarm, not a retry.
	 */
	if ((cred->sign_count != 0 || ad.sign_count != 0) &&
	    ad.sign_count <= cred->sign_count) {
		r = LK_WEBAUTHN_ERR_COUNTER;
		goto out;
	}
	out->sign_count = ad.sign_count;
	out->flags = ad.flags;
	r = LK_WEBAUTHN_OK;
out:
	EVP_PKEY_free(key);
	return r;
}
