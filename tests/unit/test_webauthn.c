/*
 * WebAuthn checks against registrations and assertions recorded from
 * Chromium's virtual authenticator (tests/fixtures/webauthn/), then each
 * check refused on its own by altering a copy.  Where an altered assertion
 * needs a valid signature, it is signed again with the authenticator's
 * private key, which the recording kept, so that only the check under test
 * can refuse it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "base/json.h"
#include "base/util.h"
#include "domain/webauthn.h"
#include "t.h"

#define FIXTURES	"tests/fixtures/webauthn/"
#define BLOB_MAX	10240

struct blob {
	unsigned char	b[BLOB_MAX];
	size_t		n;
};

struct vec {
	char		 origin[256];
	char		 rp_id[256];
	struct blob	 chal, cd, att, ad, spki, id;
	int		 alg;
	struct {
		struct blob	chal, cd, ad, sig;
	}		 as[2];
	size_t		 nas;
	EVP_PKEY	*priv;
};

static struct vec	es256, rs256, backup, direct;
static const char	*one_origin[1];

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int
b64_member(struct json_object *o, const char *key, struct blob *out)
{
	const char	*s;
	long		 n;

	if ((s = json_object_get_string(member(o, key))) == NULL ||
	    (n = lk_b64url_decode(s, strlen(s), out->b, sizeof(out->b))) < 0)
		return -1;
	out->n = (size_t)n;
	return 0;
}

static int
vec_load(const char *name, struct vec *v)
{
	static char		 text[65536];
	struct json_object	*root = NULL, *rj, *resp, *as, *a;
	struct blob		*pk = NULL;
	const unsigned char	*p;
	char			 path[256];
	FILE			*f;
	size_t			 len, i;
	int			 rc = -1;

	memset(v, 0, sizeof(*v));
	if (snprintf(path, sizeof(path), FIXTURES "%s.json", name) >=
	    (int)sizeof(path) || (f = fopen(path, "r")) == NULL)
		return -1;
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (len == 0 || len == sizeof(text) ||
	    (root = lk_json_parse_object(text, len)) == NULL)
		goto out;
	if (lk_strlcpy(v->origin, json_object_get_string(member(root,
	    "origin")), sizeof(v->origin)) == -1 ||
	    lk_strlcpy(v->rp_id, json_object_get_string(member(root, "rpId")),
	    sizeof(v->rp_id)) == -1)
		goto out;
	rj = member(root, "registration");
	resp = member(rj, "response");
	if (b64_member(rj, "challenge", &v->chal) == -1 ||
	    b64_member(resp, "clientDataJSON", &v->cd) == -1 ||
	    b64_member(resp, "attestationObject", &v->att) == -1 ||
	    b64_member(resp, "authenticatorData", &v->ad) == -1 ||
	    b64_member(resp, "publicKey", &v->spki) == -1 ||
	    b64_member(resp, "rawId", &v->id) == -1)
		goto out;
	v->alg = json_object_get_int(member(resp, "publicKeyAlgorithm"));
	as = member(root, "assertions");
	for (i = 0; i < json_object_array_length(as) && i < 2; i++) {
		a = json_object_array_get_idx(as, i);
		resp = member(a, "response");
		if (b64_member(a, "challenge", &v->as[i].chal) == -1 ||
		    b64_member(resp, "clientDataJSON", &v->as[i].cd) == -1 ||
		    b64_member(resp, "authenticatorData", &v->as[i].ad) == -1 ||
		    b64_member(resp, "signature", &v->as[i].sig) == -1)
			goto out;
		v->nas++;
	}
	if ((pk = malloc(sizeof(*pk))) == NULL ||
	    b64_member(root, "privateKeyPkcs8", pk) == -1)
		goto out;
	p = pk->b;
	if ((v->priv = d2i_AutoPrivateKey(NULL, &p, (long)pk->n)) == NULL)
		goto out;
	rc = 0;
out:
	free(pk);
	json_object_put(root);
	if (rc == -1)
		fprintf(stderr, "cannot load %s\n", path);
	return rc;
}

static struct lk_webauthn_expect
expect(const struct vec *v, const struct blob *chal)
{
	struct lk_webauthn_expect	e;

	one_origin[0] = v->origin;
	e.challenge = chal->b;
	e.challenge_len = chal->n;
	e.rp_id = v->rp_id;
	e.origins = one_origin;
	e.origins_n = 1;
	e.require_uv = 1;
	return e;
}

/* Register v with clientDataJSON cd and attestationObject att. */
static enum lk_webauthn_res
reg_raw(const struct vec *v, const struct lk_webauthn_expect *e,
    const struct blob *cd, const unsigned char *att, size_t attlen,
    struct lk_webauthn_credential *out)
{
	struct lk_webauthn_expect	def = expect(v, &v->chal);

	return lk_webauthn_register_verify(e != NULL ? e : &def, cd->b, cd->n,
	    att, attlen, out);
}

static enum lk_webauthn_res
reg(const struct vec *v, const unsigned char *att, size_t attlen)
{
	struct lk_webauthn_credential	c;

	return reg_raw(v, NULL, &v->cd, att, attlen, &c);
}

static enum lk_webauthn_res
reg_cd(const struct vec *v, const struct blob *cd)
{
	struct lk_webauthn_credential	c;

	return reg_raw(v, NULL, cd, v->att.b, v->att.n, &c);
}

/* Assert with v's key stored under alg with counter stored. */
static enum lk_webauthn_res
assert_raw(const struct vec *v, const struct lk_webauthn_expect *e,
    const struct blob *cd, const unsigned char *ad, size_t adlen,
    const unsigned char *sig, size_t siglen, int alg, uint32_t stored,
    struct lk_webauthn_assertion *out)
{
	struct lk_webauthn_stored	c;
	struct lk_webauthn_expect	def = expect(v, &v->as[0].chal);
	struct lk_webauthn_assertion	tmp;

	c.alg = alg;
	c.pubkey = v->spki.b;
	c.pubkey_len = v->spki.n;
	c.sign_count = stored;
	return lk_webauthn_assertion_verify(e != NULL ? e : &def, cd->b, cd->n,
	    ad, adlen, sig, siglen, &c, out != NULL ? out : &tmp);
}

/* The first assertion of v, with its own data and signature. */
static enum lk_webauthn_res
assert0(const struct vec *v, const struct lk_webauthn_expect *e,
    const struct blob *cd, uint32_t stored)
{
	return assert_raw(v, e, cd, v->as[0].ad.b, v->as[0].ad.n,
	    v->as[0].sig.b, v->as[0].sig.n, v->alg, stored, NULL);
}

/* Sign authData || SHA-256(cd) with key, as an authenticator does. */
static int
sign_with(EVP_PKEY *key, const unsigned char *ad, size_t adlen,
    const struct blob *cd, struct blob *sig)
{
	unsigned char	 msg[BLOB_MAX + SHA256_DIGEST_LENGTH];
	EVP_MD_CTX	*md;
	size_t		 n = sizeof(sig->b);
	int		 ok;

	if (adlen > BLOB_MAX)
		return -1;
	memcpy(msg, ad, adlen);
	SHA256(cd->b, cd->n, msg + adlen);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, sig->b, &n, msg, adlen + SHA256_DIGEST_LENGTH)
	    == 1;
	EVP_MD_CTX_free(md);
	sig->n = n;
	return ok ? 0 : -1;
}

/*
 * The first assertion of v with its authenticator data changed by the
 * caller (ad, adlen), signed again with v's key; stored counter 1.
 */
static enum lk_webauthn_res
assert_resigned(const struct vec *v, const struct lk_webauthn_expect *e,
    const unsigned char *ad, size_t adlen, uint32_t stored,
    struct lk_webauthn_assertion *out)
{
	static struct blob	sig;

	if (sign_with(v->priv, ad, adlen, &v->as[0].cd, &sig) == -1)
		return LK_WEBAUTHN__MAX;
	return assert_raw(v, e, &v->as[0].cd, ad, adlen, sig.b, sig.n,
	    v->alg, stored, out);
}

/* Copy in with the first from replaced by to; 0 if from is absent. */
static size_t
subst(const struct blob *in, const char *from, const char *to,
    struct blob *out)
{
	const unsigned char	*at;
	size_t			 fl = strlen(from), tl = strlen(to), off;

	if ((at = memmem(in->b, in->n, from, fl)) == NULL ||
	    in->n - fl + tl > sizeof(out->b))
		return 0;
	off = (size_t)(at - in->b);
	memcpy(out->b, in->b, off);
	memcpy(out->b + off, to, tl);
	memcpy(out->b + off + tl, at + fl, in->n - off - fl);
	out->n = in->n - fl + tl;
	return out->n;
}

/* Where v's authenticator data sits inside its attestationObject. */
static size_t
ad_offset(const struct vec *v)
{
	const unsigned char	*at = memmem(v->att.b, v->att.n, v->ad.b,
	    v->ad.n);

	return at == NULL ? 0 : (size_t)(at - v->att.b);
}

/* Offset and length of the COSE key inside v's registration authData. */
static size_t
cose_offset(const struct vec *v)
{
	return 37 + 16 + 2 + ((size_t)v->ad.b[53] << 8 | v->ad.b[54]);
}

/* Serialize item (consumed) into out. */
static size_t
emit(cbor_item_t *item, unsigned char *out, size_t outsz)
{
	unsigned char	*buf = NULL;
	size_t		 bufsz, n;

	n = cbor_serialize_alloc(item, &buf, &bufsz);
	cbor_decref(&item);
	if (n == 0 || n > outsz) {
		free(buf);
		return 0;
	}
	memcpy(out, buf, n);
	free(buf);
	return n;
}

static cbor_item_t *
build_int(int64_t v)
{
	uint64_t	u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
	cbor_item_t	*it;

	if (u < 256)
		it = v >= 0 ? cbor_build_uint8((uint8_t)u) :
		    cbor_build_negint8((uint8_t)u);
	else
		it = v >= 0 ? cbor_build_uint16((uint16_t)u) :
		    cbor_build_negint16((uint16_t)u);
	return it;
}

static void
map_put(cbor_item_t *m, cbor_item_t *k, cbor_item_t *v)
{
	struct cbor_pair	p;

	p.key = cbor_move(k);
	p.value = cbor_move(v);
	(void)cbor_map_add(m, p);
}

/* An attestationObject {fmt, attStmt (consumed, NULL: empty), authData}. */
static size_t
make_att(const char *fmt, cbor_item_t *stmt, const unsigned char *ad,
    size_t adlen, struct blob *out)
{
	cbor_item_t	*m = cbor_new_definite_map(3);

	map_put(m, cbor_build_string("fmt"), cbor_build_string(fmt));
	map_put(m, cbor_build_string("attStmt"),
	    stmt != NULL ? stmt : cbor_new_definite_map(0));
	map_put(m, cbor_build_string("authData"),
	    cbor_build_bytestring(ad, adlen));
	out->n = emit(m, out->b, sizeof(out->b));
	return out->n;
}

/*
 * v's registration authData with its flags, its COSE key replaced by
 * cose[0..coselen) (NULL: keep it) and tail appended.
 */
static size_t
make_reg_ad(const struct vec *v, int flags, const unsigned char *cose,
    size_t coselen, const void *tail, size_t taillen, struct blob *out)
{
	size_t	off = cose_offset(v);

	if (cose == NULL) {
		cose = v->ad.b + off;
		coselen = v->ad.n - off;
	}
	memcpy(out->b, v->ad.b, off);
	if (flags >= 0)
		out->b[32] = (unsigned char)flags;
	memcpy(out->b + off, cose, coselen);
	memcpy(out->b + off + coselen, tail, taillen);
	out->n = off + coselen + taillen;
	return out->n;
}

/* Register v with authData replaced as make_reg_ad does, fmt "none". */
static enum lk_webauthn_res
reg_ad(const struct vec *v, int flags, const unsigned char *cose,
    size_t coselen, const void *tail, size_t taillen)
{
	static struct blob	ad, att;

	make_reg_ad(v, flags, cose, coselen, tail, taillen, &ad);
	if (make_att("none", NULL, ad.b, ad.n, &att) == 0)
		return LK_WEBAUTHN__MAX;
	return reg(v, att.b, att.n);
}

/* An EC2 COSE key with the given members. */
static size_t
cose_ec2(int64_t alg, int64_t crv, const unsigned char *x,
    const unsigned char *y, size_t clen, unsigned char *out, size_t outsz)
{
	cbor_item_t	*m = cbor_new_definite_map(5);

	map_put(m, build_int(1), build_int(2));
	map_put(m, build_int(3), build_int(alg));
	map_put(m, build_int(-1), build_int(crv));
	map_put(m, build_int(-2), cbor_build_bytestring(x, clen));
	map_put(m, build_int(-3), cbor_build_bytestring(y, clen));
	return emit(m, out, outsz);
}

static size_t
cose_rsa(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, unsigned char *out, size_t outsz)
{
	cbor_item_t	*m = cbor_new_definite_map(4);

	map_put(m, build_int(1), build_int(3));
	map_put(m, build_int(3), build_int(LK_WEBAUTHN_ALG_RS256));
	map_put(m, build_int(-1), cbor_build_bytestring(n, nlen));
	map_put(m, build_int(-2), cbor_build_bytestring(e, elen));
	return emit(m, out, outsz);
}

/* x and y of v's P-256 key: the last 64 bytes of its SubjectPublicKeyInfo. */
static const unsigned char *
ec_xy(const struct vec *v)
{
	return v->spki.b + v->spki.n - 64;
}

/* The modulus and exponent of an RSA key. */
static int
rsa_ne(EVP_PKEY *k, unsigned char *n, size_t *nlen, unsigned char *e,
    size_t *elen)
{
	BIGNUM	*bn = NULL, *be = NULL;
	int	 rc = -1;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn) == 1 &&
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &be) == 1) {
		*nlen = (size_t)BN_bn2bin(bn, n);
		*elen = (size_t)BN_bn2bin(be, e);
		rc = 0;
	}
	BN_free(bn);
	BN_free(be);
	return rc;
}

/* ---- the recorded vectors ---- */

TEST(recorded_registrations_verify)
{
	const struct vec *const	 vs[] = { &es256, &rs256, &backup };
	struct lk_webauthn_credential	 c;
	size_t				 i;

	for (i = 0; i < 3; i++) {
		const struct vec *v = vs[i];

		CHECK_INT(reg_raw(v, NULL, &v->cd, v->att.b, v->att.n, &c),
		    LK_WEBAUTHN_OK);
		CHECK_INT(c.alg, v->alg);
		CHECK(lk_ct_equal(c.id, c.id_len, v->id.b, v->id.n));
		/* The DER key is byte for byte what the browser reports. */
		CHECK(lk_ct_equal(c.pubkey, c.pubkey_len, v->spki.b,
		    v->spki.n));
		CHECK_INT(c.sign_count, 1);
		CHECK(c.flags & LK_WEBAUTHN_FLAG_UV);
		CHECK(memcmp(c.aaguid, v->ad.b + 37, 16) == 0);
	}
	CHECK_INT(es256.alg, LK_WEBAUTHN_ALG_ES256);
	CHECK_INT(rs256.alg, LK_WEBAUTHN_ALG_RS256);
	CHECK_INT(reg_raw(&backup, NULL, &backup.cd, backup.att.b,
	    backup.att.n, &c), LK_WEBAUTHN_OK);
	CHECK_INT(c.flags & (LK_WEBAUTHN_FLAG_BE | LK_WEBAUTHN_FLAG_BS),
	    LK_WEBAUTHN_FLAG_BE | LK_WEBAUTHN_FLAG_BS);
	CHECK_INT(reg_raw(&es256, NULL, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_OK);
	CHECK_INT(c.flags & (LK_WEBAUTHN_FLAG_BE | LK_WEBAUTHN_FLAG_BS), 0);
}

TEST(registered_key_loads_with_d2i_pubkey)
{
	struct lk_webauthn_credential	 c;
	const unsigned char		*p;
	EVP_PKEY			*k;

	CHECK_INT(reg_raw(&rs256, NULL, &rs256.cd, rs256.att.b, rs256.att.n,
	    &c), LK_WEBAUTHN_OK);
	p = c.pubkey;
	k = d2i_PUBKEY(NULL, &p, (long)c.pubkey_len);
	CHECK(k != NULL && EVP_PKEY_is_a(k, "RSA") &&
	    EVP_PKEY_get_bits(k) == 2048);
	EVP_PKEY_free(k);
}

TEST(recorded_assertions_verify)
{
	const struct vec *const	 vs[] = { &es256, &rs256, &backup };
	struct lk_webauthn_assertion	 a;
	struct lk_webauthn_expect	 e;
	uint32_t			 count;
	size_t				 i, j;

	for (i = 0; i < 3; i++) {
		const struct vec *v = vs[i];

		CHECK_INT(v->nas, 2);
		for (j = 0, count = 1; j < v->nas; j++) {
			e = expect(v, &v->as[j].chal);
			CHECK_INT(assert_raw(v, &e, &v->as[j].cd, v->as[j].ad.b,
			    v->as[j].ad.n, v->as[j].sig.b, v->as[j].sig.n,
			    v->alg, count, &a), LK_WEBAUTHN_OK);
			CHECK_INT(a.sign_count, count + 1);
			CHECK(a.flags & LK_WEBAUTHN_FLAG_UV);
			count = a.sign_count;
		}
	}
}

TEST(resigning_an_unchanged_assertion_verifies)
{
	/* The tests below rely on the re-signing path itself being sound. */
	CHECK_INT(assert_resigned(&es256, NULL, es256.as[0].ad.b,
	    es256.as[0].ad.n, 1, NULL), LK_WEBAUTHN_OK);
	CHECK_INT(assert_resigned(&rs256, NULL, rs256.as[0].ad.b,
	    rs256.as[0].ad.n, 1, NULL), LK_WEBAUTHN_OK);
}

TEST(rebuilt_attestation_object_matches_the_recorded_one)
{
	struct blob	att;
	unsigned char	cose[128];
	size_t		n, off = cose_offset(&es256);

	CHECK(make_att("none", NULL, es256.ad.b, es256.ad.n, &att) > 0);
	CHECK(lk_ct_equal(att.b, att.n, es256.att.b, es256.att.n));
	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 1, ec_xy(&es256),
	    ec_xy(&es256) + 32, 32, cose, sizeof(cose));
	CHECK(lk_ct_equal(cose, n, es256.ad.b + off, es256.ad.n - off));
}

/* ---- clientDataJSON ---- */

TEST(wrong_challenge_refused)
{
	struct lk_webauthn_expect	e;
	struct blob			other;

	memcpy(&other, &es256.chal, sizeof(other));
	other.b[0] ^= 1;
	e = expect(&es256, &other);
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &(struct lk_webauthn_credential){ 0 }), LK_WEBAUTHN_ERR_CHALLENGE);
	/* A registration's challenge is no good for a sign-in. */
	e = expect(&es256, &es256.chal);
	CHECK_INT(assert0(&es256, &e, &es256.as[0].cd, 1),
	    LK_WEBAUTHN_ERR_CHALLENGE);
	/* A prefix of the issued bytes. */
	memcpy(&other, &es256.as[0].chal, sizeof(other));
	other.n = 16;
	e = expect(&es256, &other);
	CHECK_INT(assert0(&es256, &e, &es256.as[0].cd, 1),
	    LK_WEBAUTHN_ERR_CHALLENGE);
}

TEST(challenge_spelling_must_be_canonical)
{
	static const char	 alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char			 b64[128], from[140], to[140];
	struct blob		 cd;
	const char		*at;
	size_t			 n;

	n = (size_t)lk_b64url_encode(es256.chal.b, es256.chal.n, b64,
	    sizeof(b64));
	/* Padded. */
	snprintf(from, sizeof(from), "\"%s\"", b64);
	snprintf(to, sizeof(to), "\"%s=\"", b64);
	CHECK(subst(&es256.cd, from, to, &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CHALLENGE);
	/* Unused low bits set: a lenient decoder reads the same bytes. */
	if ((at = strchr(alpha, b64[n - 1])) == NULL) {
		CHECK(at != NULL);
		return;
	}
	CHECK(((at - alpha) & 3) == 0);
	b64[n - 1] = alpha[(at - alpha) | 1];
	snprintf(to, sizeof(to), "\"%s\"", b64);
	CHECK(subst(&es256.cd, from, to, &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CHALLENGE);
}

TEST(wrong_origin_refused)
{
	struct lk_webauthn_expect	 e = expect(&es256, &es256.chal);
	struct lk_webauthn_credential	 c;
	char				 slash[300], upper[300];
	const char			*list[2];
	size_t				 i;

	snprintf(slash, sizeof(slash), "%s/", es256.origin);
	snprintf(upper, sizeof(upper), "%s", es256.origin);
	for (i = 0; upper[i] != '\0'; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	e.origins = list;
	e.origins_n = 1;
	list[0] = "http://localhost:1";
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_ORIGIN);
	list[0] = slash;
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_ORIGIN);
	list[0] = upper;
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_ORIGIN);
	/* Any one of the allowed list will do. */
	list[1] = es256.origin;
	e.origins_n = 2;
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_OK);

	e = expect(&es256, &es256.as[0].chal);
	e.origins = list;
	e.origins_n = 1;
	list[0] = slash;
	CHECK_INT(assert0(&es256, &e, &es256.as[0].cd, 1),
	    LK_WEBAUTHN_ERR_ORIGIN);
}

TEST(origin_in_client_data_compared_exactly)
{
	char		from[300], to[300];
	struct blob	cd;

	snprintf(from, sizeof(from), "\"%s\"", es256.origin);
	snprintf(to, sizeof(to), "\"%s/\"", es256.origin);
	CHECK(subst(&es256.cd, from, to, &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_ORIGIN);
	CHECK(subst(&es256.cd, "localhost", "LOCALHOST", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_ORIGIN);
}

TEST(wrong_type_refused)
{
	struct lk_webauthn_expect	e;
	struct blob			cd;

	/* A sign-in's client data in a registration, and back. */
	e = expect(&es256, &es256.as[0].chal);
	CHECK_INT(reg_raw(&es256, &e, &es256.as[0].cd, es256.att.b,
	    es256.att.n, &(struct lk_webauthn_credential){ 0 }),
	    LK_WEBAUTHN_ERR_TYPE);
	e = expect(&es256, &es256.chal);
	CHECK_INT(assert0(&es256, &e, &es256.cd, 1), LK_WEBAUTHN_ERR_TYPE);
	CHECK(subst(&es256.cd, "webauthn.create", "webauthn.Create", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_TYPE);
	CHECK(subst(&es256.cd, "webauthn.create", "webauthn.create ", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_TYPE);
}

TEST(client_data_must_be_strict_json)
{
	struct blob	cd;

	CHECK(subst(&es256.cd, "}", "} x", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
	CHECK(subst(&es256.cd, "\"type\"", "'type'", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
	CHECK(subst(&es256.cd, "\"type\":\"webauthn.create\",", "", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
	CHECK(subst(&es256.cd, "\"webauthn.create\"", "1", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
	CHECK(subst(&es256.cd, "\"crossOrigin\":false", "\"crossOrigin\":0",
	    &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
	/* Extra members are fine (Chromium adds some on purpose). */
	CHECK(subst(&es256.cd, "\"crossOrigin\":false",
	    "\"crossOrigin\":false,\"other\":[1,{}]", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_OK);
}

TEST(cross_origin_refused)
{
	struct blob	cd;

	CHECK(subst(&es256.cd, "\"crossOrigin\":false",
	    "\"crossOrigin\":true", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CROSS_ORIGIN);
	CHECK(subst(&es256.cd, ",\"crossOrigin\":false", "", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_OK);
}

TEST(token_binding_present_refused)
{
	struct blob	cd;

	CHECK(subst(&es256.cd, "\"crossOrigin\":false",
	    "\"tokenBinding\":{\"status\":\"present\",\"id\":\"AAAA\"}",
	    &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_TOKEN_BINDING);
	CHECK(subst(&es256.cd, "\"crossOrigin\":false",
	    "\"tokenBinding\":{\"status\":\"supported\"}", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_OK);
	CHECK(subst(&es256.cd, "\"crossOrigin\":false",
	    "\"tokenBinding\":\"present\"", &cd) > 0);
	CHECK_INT(reg_cd(&es256, &cd), LK_WEBAUTHN_ERR_CLIENT_DATA);
}

/* ---- authenticator data ---- */

TEST(wrong_rp_id_refused)
{
	struct lk_webauthn_expect	e = expect(&es256, &es256.chal);

	e.rp_id = "example.com";
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &(struct lk_webauthn_credential){ 0 }), LK_WEBAUTHN_ERR_RP_ID);
	e.rp_id = "LOCALHOST";
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &(struct lk_webauthn_credential){ 0 }), LK_WEBAUTHN_ERR_RP_ID);
	e = expect(&rs256, &rs256.as[0].chal);
	e.rp_id = "localhost.";
	CHECK_INT(assert0(&rs256, &e, &rs256.as[0].cd, 1),
	    LK_WEBAUTHN_ERR_RP_ID);
}

TEST(user_presence_required)
{
	struct blob	ad;
	size_t		off = ad_offset(&es256);

	CHECK(off > 0);
	memcpy(&ad, &es256.att, sizeof(ad));
	ad.b[off + 32] &= (unsigned char)~LK_WEBAUTHN_FLAG_UP;
	CHECK_INT(reg(&es256, ad.b, ad.n), LK_WEBAUTHN_ERR_USER_PRESENT);

	memcpy(&ad, &es256.as[0].ad, sizeof(ad));
	ad.b[32] &= (unsigned char)~LK_WEBAUTHN_FLAG_UP;
	CHECK_INT(assert_resigned(&es256, NULL, ad.b, ad.n, 1, NULL),
	    LK_WEBAUTHN_ERR_USER_PRESENT);
}

TEST(user_verification_required_when_asked)
{
	struct lk_webauthn_expect	 e = expect(&rs256, &rs256.chal);
	struct lk_webauthn_credential	 c;
	struct lk_webauthn_assertion	 a;
	struct blob			 att, ad;
	size_t				 off = ad_offset(&rs256);

	CHECK(off > 0);
	memcpy(&att, &rs256.att, sizeof(att));
	att.b[off + 32] &= (unsigned char)~LK_WEBAUTHN_FLAG_UV;
	CHECK_INT(reg_raw(&rs256, &e, &rs256.cd, att.b, att.n, &c),
	    LK_WEBAUTHN_ERR_USER_VERIFIED);
	e.require_uv = 0;
	CHECK_INT(reg_raw(&rs256, &e, &rs256.cd, att.b, att.n, &c),
	    LK_WEBAUTHN_OK);
	CHECK_INT(c.flags & LK_WEBAUTHN_FLAG_UV, 0);

	memcpy(&ad, &rs256.as[0].ad, sizeof(ad));
	ad.b[32] &= (unsigned char)~LK_WEBAUTHN_FLAG_UV;
	CHECK_INT(assert_resigned(&rs256, NULL, ad.b, ad.n, 1, NULL),
	    LK_WEBAUTHN_ERR_USER_VERIFIED);
	e = expect(&rs256, &rs256.as[0].chal);
	e.require_uv = 0;
	CHECK_INT(assert_resigned(&rs256, &e, ad.b, ad.n, 1, &a),
	    LK_WEBAUTHN_OK);
	CHECK_INT(a.flags & LK_WEBAUTHN_FLAG_UV, 0);
}

TEST(backed_up_without_backup_eligibility_refused)
{
	struct blob	ad;

	memcpy(&ad, &backup.as[0].ad, sizeof(ad));
	ad.b[32] &= (unsigned char)~LK_WEBAUTHN_FLAG_BE;
	CHECK_INT(assert_resigned(&backup, NULL, ad.b, ad.n, 1, NULL),
	    LK_WEBAUTHN_ERR_BACKUP_FLAGS);
	CHECK_INT(reg_ad(&backup, backup.ad.b[32] & ~LK_WEBAUTHN_FLAG_BE,
	    NULL, 0, "", 0), LK_WEBAUTHN_ERR_BACKUP_FLAGS);
	/* Eligible but not backed up is fine. */
	ad.b[32] = (unsigned char)((ad.b[32] | LK_WEBAUTHN_FLAG_BE) &
	    ~LK_WEBAUTHN_FLAG_BS);
	CHECK_INT(assert_resigned(&backup, NULL, ad.b, ad.n, 1, NULL),
	    LK_WEBAUTHN_OK);
}

TEST(truncated_or_extended_auth_data_refused)
{
	const struct vec	*v = &es256;
	struct blob		 ad, att;
	static const unsigned char ext[] = {	/* {"credProtect": 2} */
		0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e',
		'c', 't', 0x02,
	};
	int			 fl = v->ad.b[32];

	/* Registration: one byte short (inside the COSE key), one over. */
	CHECK(make_att("none", NULL, v->ad.b, v->ad.n - 1, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK(make_att("none", NULL, v->ad.b, 36, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK(make_att("none", NULL, v->ad.b, 60, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK_INT(reg_ad(v, fl, NULL, 0, "", 1), LK_WEBAUTHN_ERR_AUTH_DATA);
	/* Extensions only when ED says so, and then exactly one map. */
	CHECK_INT(reg_ad(v, fl, NULL, 0, ext, sizeof(ext)),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, ext,
	    sizeof(ext)), LK_WEBAUTHN_OK);
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, "", 0),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, ext,
	    sizeof(ext) - 1), LK_WEBAUTHN_ERR_AUTH_DATA);
	memcpy(ad.b, ext, sizeof(ext));
	ad.b[sizeof(ext)] = 0;
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, ad.b,
	    sizeof(ext) + 1), LK_WEBAUTHN_ERR_AUTH_DATA);
	/* Extensions are a map keyed by text. */
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, "\x02", 1),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	CHECK_INT(reg_ad(v, fl | LK_WEBAUTHN_FLAG_ED, NULL, 0, "\xa1\x01\x02",
	    3), LK_WEBAUTHN_ERR_AUTH_DATA);
	/* No attested credential data in a registration. */
	memcpy(&ad, &v->ad, sizeof(ad));
	ad.n = 37;
	ad.b[32] &= (unsigned char)~LK_WEBAUTHN_FLAG_AT;
	CHECK(make_att("none", NULL, ad.b, ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_AUTH_DATA);

	/* Assertion: short, long, attested data, extensions (re-signed). */
	memcpy(&ad, &v->as[0].ad, sizeof(ad));
	CHECK_INT(assert_resigned(v, NULL, ad.b, 36, 1, NULL),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	ad.b[37] = 0;
	CHECK_INT(assert_resigned(v, NULL, ad.b, 38, 1, NULL),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	ad.b[32] |= LK_WEBAUTHN_FLAG_AT;
	CHECK_INT(assert_resigned(v, NULL, ad.b, 37, 1, NULL),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
	ad.b[32] = (unsigned char)(v->as[0].ad.b[32] | LK_WEBAUTHN_FLAG_ED);
	memcpy(ad.b + 37, ext, sizeof(ext));
	CHECK_INT(assert_resigned(v, NULL, ad.b, 37 + sizeof(ext), 1, NULL),
	    LK_WEBAUTHN_OK);
	CHECK_INT(assert_resigned(v, NULL, ad.b, 37, 1, NULL),
	    LK_WEBAUTHN_ERR_AUTH_DATA);
}

TEST(credential_id_length_bounded)
{
	static unsigned char	 big[1100 + 256];
	struct blob		 ad, att;
	const struct vec	*v = &es256;
	size_t			 off = cose_offset(v), klen = v->ad.n - off;
	size_t			 idlen;

	/* Rebuild authData around a credential id of idlen bytes. */
	for (idlen = 1022; idlen <= 1024; idlen++) {
		memcpy(ad.b, v->ad.b, 53);
		ad.b[53] = (unsigned char)(idlen >> 8);
		ad.b[54] = (unsigned char)idlen;
		memset(big, 0x5a, idlen);
		memcpy(ad.b + 55, big, idlen);
		memcpy(ad.b + 55 + idlen, v->ad.b + off, klen);
		ad.n = 55 + idlen + klen;
		CHECK(make_att("none", NULL, ad.b, ad.n, &att) > 0);
		CHECK_INT(reg(v, att.b, att.n), idlen <= 1023 ?
		    LK_WEBAUTHN_OK : LK_WEBAUTHN_ERR_CRED_ID);
	}
	memcpy(ad.b, v->ad.b, v->ad.n);
	ad.b[53] = 0;
	ad.b[54] = 0;
	CHECK(make_att("none", NULL, ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_CRED_ID);
}

/* ---- CBOR ---- */

TEST(attestation_object_cbor_strict)
{
	const struct vec	*v = &es256;
	struct blob		 att;
	size_t			 n = v->att.n, off = ad_offset(v);

	/* Trailing bytes. */
	memcpy(&att, &v->att, sizeof(att));
	att.b[n] = 0x00;
	CHECK_INT(reg(v, att.b, n + 1), LK_WEBAUTHN_ERR_CBOR);
	CHECK_INT(reg(v, att.b, n - 1), LK_WEBAUTHN_ERR_CBOR);
	/* Duplicate key: a fourth pair, "fmt" again. */
	att.b[0] = 0xa4;
	memcpy(att.b + n, "\x63" "fmt" "\x64" "none", 9);
	CHECK_INT(reg(v, att.b, n + 9), LK_WEBAUTHN_ERR_CBOR);
	/* The same with a non-shortest spelling of the key's length. */
	memcpy(att.b + n, "\x78\x03" "fmt" "\x64" "none", 10);
	CHECK_INT(reg(v, att.b, n + 10), LK_WEBAUTHN_ERR_CBOR);
	/* Keys are integers or text, never byte strings. */
	memcpy(att.b + n, "\x43" "fmt" "\x64" "none", 9);
	CHECK_INT(reg(v, att.b, n + 9), LK_WEBAUTHN_ERR_CBOR);
	/* Text must be UTF-8. */
	memcpy(att.b + n, "\x63" "fm\xff" "\x64" "none", 9);
	CHECK_INT(reg(v, att.b, n + 9), LK_WEBAUTHN_ERR_CBOR);
	memcpy(&att, &v->att, sizeof(att));
	CHECK(memcmp(att.b + 5, "\x64" "none", 5) == 0);
	att.b[9] = 0xff;
	CHECK_INT(reg(v, att.b, n), LK_WEBAUTHN_ERR_CBOR);
	att.b[9] = 'f';
	CHECK_INT(reg(v, att.b, n), LK_WEBAUTHN_ERR_ATT_FORMAT);
	memcpy(&att, &v->att, sizeof(att));
	att.b[0] = 0xa4;
	/* A fourth, distinct key is well-formed CBOR but not ours. */
	memcpy(att.b + n, "\x63" "fmu" "\x64" "none", 9);
	CHECK_INT(reg(v, att.b, n + 9), LK_WEBAUTHN_ERR_ATT_OBJ);
	/* Indefinite-length map: 0xbf ... 0xff. */
	memcpy(&att, &v->att, sizeof(att));
	att.b[0] = 0xbf;
	att.b[n] = 0xff;
	CHECK_INT(reg(v, att.b, n + 1), LK_WEBAUTHN_ERR_CBOR);
	/* Indefinite-length byte string for authData, in one chunk. */
	memcpy(att.b, v->att.b, off - 2);
	att.b[off - 2] = 0x5f;
	memcpy(att.b + off - 1, v->att.b + off - 2, 2 + v->ad.n);
	att.b[off + 1 + v->ad.n] = 0xff;
	CHECK(v->att.b[off - 2] == 0x58);
	CHECK_INT(reg(v, att.b, n + 2), LK_WEBAUTHN_ERR_CBOR);
	/* Indefinite-length empty attStmt map: 0xbf 0xff for 0xa0. */
	memcpy(&att, &v->att, sizeof(att));
	CHECK(memcmp(att.b + 11, "attStmt\xa0", 8) == 0);
	memcpy(att.b + 19, v->att.b + 18, n - 18);
	att.b[18] = 0xbf;
	att.b[19] = 0xff;
	CHECK_INT(reg(v, att.b, n + 1), LK_WEBAUTHN_ERR_CBOR);
	/* The top-level item is not a map. */
	CHECK_INT(reg(v, (const unsigned char *)"\x80", 1),
	    LK_WEBAUTHN_ERR_ATT_OBJ);
	CHECK_INT(reg(v, (const unsigned char *)"", 0),
	    LK_WEBAUTHN_ERR_TOO_LARGE);
}

TEST(cbor_tags_floats_and_deep_nesting_refused)
{
	const struct vec	*v = &es256;
	struct blob		 att;
	cbor_item_t		*stmt, *a, *b;

	/* attStmt {"x": [[1]]}: one level deeper than WebAuthn uses. */
	stmt = cbor_new_definite_map(1);
	a = cbor_new_definite_array(1);
	b = cbor_new_definite_array(1);
	(void)cbor_array_push(b, cbor_move(cbor_build_uint8(1)));
	(void)cbor_array_push(a, cbor_move(b));
	map_put(stmt, cbor_build_string("x"), a);
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_CBOR);
	/* attStmt {"x": [1]} nests fine but is no "none" statement. */
	stmt = cbor_new_definite_map(1);
	a = cbor_new_definite_array(1);
	(void)cbor_array_push(a, cbor_move(cbor_build_uint8(1)));
	map_put(stmt, cbor_build_string("x"), a);
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_FORMAT);
	/* A tag, a float, undefined. */
	stmt = cbor_new_definite_map(1);
	map_put(stmt, cbor_build_string("x"),
	    cbor_build_tag(1, cbor_move(cbor_build_uint8(1))));
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_CBOR);
	stmt = cbor_new_definite_map(1);
	map_put(stmt, cbor_build_string("x"), cbor_build_float4(1.5f));
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_CBOR);
	stmt = cbor_new_definite_map(1);
	map_put(stmt, cbor_build_string("x"), cbor_new_undef());
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_CBOR);
	/* A header claiming more items than bytes could hold. */
	CHECK_INT(reg(v, (const unsigned char *)
	    "\xbb\xff\xff\xff\xff\xff\xff\xff\xff", 9), LK_WEBAUTHN_ERR_CBOR);
	CHECK_INT(reg(v, (const unsigned char *)"\xa2\x01\x02", 3),
	    LK_WEBAUTHN_ERR_CBOR);
}

TEST(cbor_map_size_bounded)
{
	const struct vec	*v = &es256;
	struct blob		 att;
	cbor_item_t		*stmt;
	char			 k[8];
	int			 i, n;

	for (n = LK_WEBAUTHN_CBOR_ITEMS; n <= LK_WEBAUTHN_CBOR_ITEMS + 1;
	    n++) {
		stmt = cbor_new_definite_map((size_t)n);
		for (i = 0; i < n; i++) {
			snprintf(k, sizeof(k), "k%d", i);
			map_put(stmt, cbor_build_string(k),
			    cbor_build_uint8(0));
		}
		CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
		/* Within the bound, it is only a bad "none" statement. */
		CHECK_INT(reg(v, att.b, att.n), n <= LK_WEBAUTHN_CBOR_ITEMS ?
		    LK_WEBAUTHN_ERR_ATT_FORMAT : LK_WEBAUTHN_ERR_CBOR);
	}
}

TEST(attestation_object_shape_required)
{
	const struct vec	*v = &es256;
	struct blob		 att;
	cbor_item_t		*m;

	/* authData as text, fmt as bytes. */
	m = cbor_new_definite_map(3);
	map_put(m, cbor_build_string("fmt"), cbor_build_string("none"));
	map_put(m, cbor_build_string("attStmt"), cbor_new_definite_map(0));
	map_put(m, cbor_build_string("authData"), cbor_build_string("x"));
	att.n = emit(m, att.b, sizeof(att.b));
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_OBJ);
	m = cbor_new_definite_map(3);
	map_put(m, cbor_build_string("fmt"),
	    cbor_build_bytestring((const unsigned char *)"none", 4));
	map_put(m, cbor_build_string("attStmt"), cbor_new_definite_map(0));
	map_put(m, cbor_build_string("authData"),
	    cbor_build_bytestring(v->ad.b, v->ad.n));
	att.n = emit(m, att.b, sizeof(att.b));
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_OBJ);
}

/* ---- COSE keys ---- */

TEST(cose_key_wrong_curve_or_point_refused)
{
	const struct vec	*v = &es256;
	unsigned char		 cose[200], y[32];
	size_t			 n;

	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 1, ec_xy(v), ec_xy(v) + 32, 32,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_OK);
	/* P-384 (2), P-521 (3), Ed25519 (6) under ES256. */
	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 2, ec_xy(v), ec_xy(v) + 32, 32,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY_ALG);
	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 6, ec_xy(v), ec_xy(v) + 32, 32,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY_ALG);
	/* A point off the curve: y changed by one bit. */
	memcpy(y, ec_xy(v) + 32, 32);
	y[31] ^= 1;
	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 1, ec_xy(v), y, 32, cose,
	    sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY);
	/* Coordinates of the wrong length. */
	n = cose_ec2(LK_WEBAUTHN_ALG_ES256, 1, ec_xy(v), ec_xy(v) + 32, 31,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY);
	/* An EC2 key claiming RS256, an unknown algorithm (ES384). */
	n = cose_ec2(LK_WEBAUTHN_ALG_RS256, 1, ec_xy(v), ec_xy(v) + 32, 32,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY_ALG);
	n = cose_ec2(-35, 1, ec_xy(v), ec_xy(v) + 32, 32, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, n, "", 0), LK_WEBAUTHN_ERR_KEY_ALG);
}

TEST(cose_key_duplicate_or_extra_members_refused)
{
	const struct vec	*v = &es256;
	unsigned char		 cose[200];
	size_t			 off = cose_offset(v), n = v->ad.n - off;

	/* The recorded key: a5 01 02 03 26 20 01 21 58 20 x 22 58 20 y. */
	memcpy(cose, v->ad.b + off, n);
	CHECK(cose[0] == 0xa5 && cose[3] == 0x03 && cose[4] == 0x26);
	/* A sixth member repeating alg, then a new label (kid, 2). */
	cose[0] = 0xa6;
	memcpy(cose + n, "\x03\x26", 2);
	CHECK_INT(reg_ad(v, -1, cose, n + 2, "", 0), LK_WEBAUTHN_ERR_AUTH_DATA);
	memcpy(cose + n, "\x18\x03\x26", 3);	/* label 3, non-shortest */
	CHECK_INT(reg_ad(v, -1, cose, n + 3, "", 0), LK_WEBAUTHN_ERR_AUTH_DATA);
	memcpy(cose + n, "\x02\x41\x00", 3);
	CHECK_INT(reg_ad(v, -1, cose, n + 3, "", 0), LK_WEBAUTHN_ERR_KEY);
	/* A COSE key nested in an array is not a flat map. */
	cose[0] = 0x81;
	cose[1] = 0xa5;
	memcpy(cose + 2, v->ad.b + off + 1, n - 1);
	CHECK_INT(reg_ad(v, -1, cose, n + 1, "", 0), LK_WEBAUTHN_ERR_AUTH_DATA);
}

TEST(rsa_key_under_2048_bits_refused)
{
	const struct vec	*v = &rs256;
	unsigned char		 n[600], e[16], cose[700];
	size_t			 nlen, elen, clen;
	EVP_PKEY		*small = EVP_RSA_gen(1024), *k;
	const unsigned char	*p = v->spki.b;

	CHECK(small != NULL);
	CHECK(rsa_ne(small, n, &nlen, e, &elen) == 0);
	clen = cose_rsa(n, nlen, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY_WEAK);
	EVP_PKEY_free(small);

	/*
	 * The recorded key rebuilt verifies; with e = 3, 65535 or even, an
	 * even n, a fifth member or a leading zero in n, it does not.
	 */
	k = d2i_PUBKEY(NULL, &p, (long)v->spki.n);
	CHECK(k != NULL && rsa_ne(k, n + 1, &nlen, e, &elen) == 0);
	EVP_PKEY_free(k);
	clen = cose_rsa(n + 1, nlen, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_OK);
	clen = cose_rsa(n + 1, nlen, (const unsigned char *)"\x03", 1, cose,
	    sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY);
	clen = cose_rsa(n + 1, nlen, (const unsigned char *)"\xff\xff", 2,
	    cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY);
	clen = cose_rsa(n + 1, nlen, (const unsigned char *)"\x01\x00\x02",
	    3, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY);
	/* An even modulus (OpenSSL's public key check). */
	n[nlen] ^= 1;
	clen = cose_rsa(n + 1, nlen, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY);
	n[nlen] ^= 1;
	/* A fifth member (kid). */
	clen = cose_rsa(n + 1, nlen, e, elen, cose, sizeof(cose));
	CHECK(cose[0] == 0xa4);
	cose[0] = 0xa5;
	memcpy(cose + clen, "\x02\x41\x00", 3);
	CHECK_INT(reg_ad(v, -1, cose, clen + 3, "", 0), LK_WEBAUTHN_ERR_KEY);
	n[0] = 0;
	clen = cose_rsa(n, nlen + 1, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY);
	/* 256 bytes, but a 2041-bit number (found by fuzz_webauthn). */
	n[1] = 0x01;
	clen = cose_rsa(n + 1, nlen, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY_WEAK);
	/* 255 bytes. */
	clen = cose_rsa(n + 2, nlen - 1, e, elen, cose, sizeof(cose));
	CHECK_INT(reg_ad(v, -1, cose, clen, "", 0), LK_WEBAUTHN_ERR_KEY_WEAK);
}

/* ---- attestation statements ---- */

TEST(attestation_formats)
{
	const struct vec	*v = &es256;
	struct blob		 att, sig;
	cbor_item_t		*stmt;

	/* Full "packed" attestation (certificates) is not what we ask for. */
	CHECK_INT(reg(&direct, direct.att.b, direct.att.n),
	    LK_WEBAUTHN_ERR_ATT_FORMAT);
	CHECK(make_att("fido-u2f", NULL, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_FORMAT);
	stmt = cbor_new_definite_map(1);
	map_put(stmt, cbor_build_string("alg"), build_int(-7));
	CHECK(make_att("none", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_FORMAT);

	/* "packed" self attestation, signed with the credential's own key. */
	CHECK(sign_with(v->priv, v->ad.b, v->ad.n, &v->cd, &sig) == 0);
	stmt = cbor_new_definite_map(2);
	map_put(stmt, cbor_build_string("alg"), build_int(-7));
	map_put(stmt, cbor_build_string("sig"),
	    cbor_build_bytestring(sig.b, sig.n));
	CHECK(make_att("packed", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_OK);
	/* The same statement under another format's name. */
	stmt = cbor_new_definite_map(2);
	map_put(stmt, cbor_build_string("alg"), build_int(-7));
	map_put(stmt, cbor_build_string("sig"),
	    cbor_build_bytestring(sig.b, sig.n));
	CHECK(make_att("fido-u2f", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_FORMAT);
	/* ... naming another algorithm than the key's. */
	stmt = cbor_new_definite_map(2);
	map_put(stmt, cbor_build_string("alg"), build_int(-257));
	map_put(stmt, cbor_build_string("sig"),
	    cbor_build_bytestring(sig.b, sig.n));
	CHECK(make_att("packed", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_FORMAT);
	/* ... with a bad signature. */
	sig.b[sig.n - 1] ^= 1;
	stmt = cbor_new_definite_map(2);
	map_put(stmt, cbor_build_string("alg"), build_int(-7));
	map_put(stmt, cbor_build_string("sig"),
	    cbor_build_bytestring(sig.b, sig.n));
	CHECK(make_att("packed", stmt, v->ad.b, v->ad.n, &att) > 0);
	CHECK_INT(reg(v, att.b, att.n), LK_WEBAUTHN_ERR_ATT_SIGNATURE);
}

/* ---- signatures ---- */

TEST(flipped_signature_bit_refused)
{
	const struct vec *const vs[] = { &es256, &rs256 };
	struct blob	 sig;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		const struct vec *v = vs[i];

		memcpy(&sig, &v->as[0].sig, sizeof(sig));
		sig.b[sig.n - 1] ^= 0x01;
		CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
		    v->as[0].ad.n, sig.b, sig.n, v->alg, 1, NULL),
		    LK_WEBAUTHN_ERR_SIGNATURE);
		/* A signature over other client data (one byte of it). */
		CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
		    v->as[0].ad.n, v->as[1].sig.b, v->as[1].sig.n, v->alg, 1,
		    NULL), LK_WEBAUTHN_ERR_SIGNATURE);
	}
}

TEST(signature_from_another_key_refused)
{
	const struct vec *const vs[] = { &es256, &rs256 };
	struct blob	 sig;
	EVP_PKEY	*other;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		const struct vec *v = vs[i];

		other = i == 0 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
		CHECK(other != NULL);
		CHECK(sign_with(other, v->as[0].ad.b, v->as[0].ad.n,
		    &v->as[0].cd, &sig) == 0);
		CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
		    v->as[0].ad.n, sig.b, sig.n, v->alg, 1, NULL),
		    LK_WEBAUTHN_ERR_SIGNATURE);
		EVP_PKEY_free(other);
	}
	/* The backed-up credential's (another P-256 key) signature too. */
	CHECK(sign_with(backup.priv, es256.as[0].ad.b, es256.as[0].ad.n,
	    &es256.as[0].cd, &sig) == 0);
	CHECK_INT(assert_raw(&es256, NULL, &es256.as[0].cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, sig.b, sig.n, es256.alg, 1, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
}

TEST(algorithm_comes_from_the_stored_credential)
{
	/* An ES256 key stored as RS256, an RS256 key stored as ES256. */
	CHECK_INT(assert_raw(&es256, NULL, &es256.as[0].cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, es256.as[0].sig.b, es256.as[0].sig.n,
	    LK_WEBAUTHN_ALG_RS256, 1, NULL), LK_WEBAUTHN_ERR_STORED_KEY);
	CHECK_INT(assert_raw(&rs256, NULL, &rs256.as[0].cd, rs256.as[0].ad.b,
	    rs256.as[0].ad.n, rs256.as[0].sig.b, rs256.as[0].sig.n,
	    LK_WEBAUTHN_ALG_ES256, 1, NULL), LK_WEBAUTHN_ERR_STORED_KEY);
	CHECK_INT(assert_raw(&es256, NULL, &es256.as[0].cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, es256.as[0].sig.b, es256.as[0].sig.n,
	    -8, 1, NULL), LK_WEBAUTHN_ERR_STORED_KEY);
}

TEST(stored_key_must_be_exact_der)
{
	struct lk_webauthn_stored	c;
	struct lk_webauthn_assertion	a;
	struct lk_webauthn_expect	e = expect(&es256, &es256.as[0].chal);
	unsigned char			der[LK_WEBAUTHN_PUBKEY_MAX + 1];

	memcpy(der, es256.spki.b, es256.spki.n);
	der[es256.spki.n] = 0;
	c.alg = LK_WEBAUTHN_ALG_ES256;
	c.pubkey = der;
	c.pubkey_len = es256.spki.n + 1;
	c.sign_count = 1;
	CHECK_INT(lk_webauthn_assertion_verify(&e, es256.as[0].cd.b,
	    es256.as[0].cd.n, es256.as[0].ad.b, es256.as[0].ad.n,
	    es256.as[0].sig.b, es256.as[0].sig.n, &c, &a),
	    LK_WEBAUTHN_ERR_STORED_KEY);
	c.pubkey_len = es256.spki.n - 1;
	CHECK_INT(lk_webauthn_assertion_verify(&e, es256.as[0].cd.b,
	    es256.as[0].cd.n, es256.as[0].ad.b, es256.as[0].ad.n,
	    es256.as[0].sig.b, es256.as[0].sig.n, &c, &a),
	    LK_WEBAUTHN_ERR_STORED_KEY);
	c.pubkey_len = es256.spki.n;
	CHECK_INT(lk_webauthn_assertion_verify(&e, es256.as[0].cd.b,
	    es256.as[0].cd.n, es256.as[0].ad.b, es256.as[0].ad.n,
	    es256.as[0].sig.b, es256.as[0].sig.n, &c, &a), LK_WEBAUTHN_OK);
}

TEST(es256_signature_must_be_strict_der)
{
	const struct vec	*v = &es256;
	struct blob		 sig;
	const unsigned char	*s = v->as[0].sig.b;
	size_t			 rl, n = v->as[0].sig.n;

	/* Trailing byte after the DER sequence. */
	memcpy(&sig, &v->as[0].sig, sizeof(sig));
	sig.b[n] = 0;
	CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
	    v->as[0].ad.n, sig.b, n + 1, v->alg, 1, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
	/* r with a superfluous leading zero: BER, not DER. */
	CHECK(s[0] == 0x30 && s[2] == 0x02);
	rl = s[3];
	sig.b[0] = 0x30;
	sig.b[1] = (unsigned char)(s[1] + 1);
	sig.b[2] = 0x02;
	sig.b[3] = (unsigned char)(rl + 1);
	sig.b[4] = 0x00;
	memcpy(sig.b + 5, s + 4, n - 4);
	CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
	    v->as[0].ad.n, sig.b, n + 1, v->alg, 1, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
	/* Raw r || s (the JWS form) is not a WebAuthn signature. */
	memset(sig.b, 0x11, 64);
	CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
	    v->as[0].ad.n, sig.b, 64, v->alg, 1, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
}

TEST(rs256_signature_length_is_the_modulus)
{
	const struct vec	*v = &rs256;
	struct blob		 sig;

	/* A leading zero makes the same integer, one byte longer. */
	sig.b[0] = 0;
	memcpy(sig.b + 1, v->as[0].sig.b, v->as[0].sig.n);
	CHECK_INT(assert_raw(v, NULL, &v->as[0].cd, v->as[0].ad.b,
	    v->as[0].ad.n, sig.b, v->as[0].sig.n + 1, v->alg, 1, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
}

/* ---- the sign counter ---- */

TEST(counter_must_grow)
{
	const struct vec		*v = &es256;
	struct lk_webauthn_assertion	 a;
	struct blob			 ad;
	uint32_t			 got = 2;	/* the first assertion's */

	CHECK_INT(v->as[0].ad.b[36], got);
	CHECK_INT(assert0(v, NULL, &v->as[0].cd, got - 1), LK_WEBAUTHN_OK);
	CHECK_INT(assert0(v, NULL, &v->as[0].cd, got),
	    LK_WEBAUTHN_ERR_COUNTER);
	CHECK_INT(assert0(v, NULL, &v->as[0].cd, got + 1),
	    LK_WEBAUTHN_ERR_COUNTER);
	CHECK_INT(assert0(v, NULL, &v->as[0].cd, 0xffffffffu),
	    LK_WEBAUTHN_ERR_COUNTER);
	/* An authenticator without a counter: both zero is fine. */
	memcpy(&ad, &v->as[0].ad, sizeof(ad));
	memset(ad.b + 33, 0, 4);
	CHECK_INT(assert_resigned(v, NULL, ad.b, ad.n, 0, &a),
	    LK_WEBAUTHN_OK);
	CHECK_INT(a.sign_count, 0);
	/* A counter that drops to zero. */
	CHECK_INT(assert_resigned(v, NULL, ad.b, ad.n, 5, &a),
	    LK_WEBAUTHN_ERR_COUNTER);
	CHECK_INT(a.sign_count, 0);
	/* The highest counter after a stored zero. */
	memset(ad.b + 33, 0xff, 4);
	CHECK_INT(assert_resigned(v, NULL, ad.b, ad.n, 0, &a),
	    LK_WEBAUTHN_OK);
	CHECK_INT(a.sign_count, 0xffffffffu);
}

TEST(counter_checked_only_after_the_signature)
{
	struct blob	sig;

	/* A forged assertion must not raise the cloned-key alarm. */
	memcpy(&sig, &es256.as[0].sig, sizeof(sig));
	sig.b[sig.n - 1] ^= 0x01;
	CHECK_INT(assert_raw(&es256, NULL, &es256.as[0].cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, sig.b, sig.n, es256.alg, 7, NULL),
	    LK_WEBAUTHN_ERR_SIGNATURE);
}

/* ---- the interface ---- */

TEST(bounds_and_usage)
{
	struct lk_webauthn_expect	 e;
	struct lk_webauthn_credential	 c;
	static struct blob		 big;
	struct blob			 chal;
	const char			*none[1] = { NULL };

	memset(big.b, ' ', sizeof(big.b));
	memcpy(big.b, es256.cd.b, es256.cd.n);
	big.n = LK_WEBAUTHN_CLIENT_DATA_MAX;
	CHECK_INT(reg_raw(&es256, NULL, &big, es256.att.b, es256.att.n, &c),
	    LK_WEBAUTHN_OK);
	big.n++;
	CHECK_INT(reg_raw(&es256, NULL, &big, es256.att.b, es256.att.n, &c),
	    LK_WEBAUTHN_ERR_TOO_LARGE);
	CHECK_INT(reg_raw(&es256, NULL, &es256.cd, es256.att.b,
	    LK_WEBAUTHN_ATT_OBJ_MAX + 1, &c), LK_WEBAUTHN_ERR_TOO_LARGE);

	memcpy(&chal, &es256.chal, sizeof(chal));
	chal.n = LK_WEBAUTHN_CHALLENGE_MIN - 1;
	e = expect(&es256, &chal);
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_USAGE);
	e = expect(&es256, &es256.chal);
	e.origins_n = 0;
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_USAGE);
	e.origins = none;
	e.origins_n = 1;
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_USAGE);
	e = expect(&es256, &es256.chal);
	e.rp_id = "";
	CHECK_INT(reg_raw(&es256, &e, &es256.cd, es256.att.b, es256.att.n,
	    &c), LK_WEBAUTHN_ERR_USAGE);
	e = expect(&es256, &es256.as[0].chal);
	CHECK_INT(lk_webauthn_assertion_verify(&e, es256.as[0].cd.b,
	    es256.as[0].cd.n, es256.as[0].ad.b, es256.as[0].ad.n,
	    es256.as[0].sig.b, es256.as[0].sig.n, NULL,
	    &(struct lk_webauthn_assertion){ 0 }), LK_WEBAUTHN_ERR_USAGE);
}

TEST(output_cleared_on_refusal)
{
	struct lk_webauthn_credential	c;
	struct lk_webauthn_assertion	a;
	struct blob			att;
	size_t				off = ad_offset(&es256);

	memcpy(&att, &es256.att, sizeof(att));
	att.b[off + 32] &= (unsigned char)~LK_WEBAUTHN_FLAG_UP;
	memset(&c, 0x5a, sizeof(c));
	CHECK_INT(reg_raw(&es256, NULL, &es256.cd, att.b, att.n, &c),
	    LK_WEBAUTHN_ERR_USER_PRESENT);
	CHECK(c.id_len == 0 && c.pubkey_len == 0 && c.alg == 0 &&
	    c.id[0] == 0 && c.pubkey[0] == 0);
	/* Refused before the attestation object is looked at. */
	memset(&c, 0x5a, sizeof(c));
	CHECK_INT(reg_raw(&es256, NULL, &es256.as[0].cd, es256.att.b,
	    es256.att.n, &c), LK_WEBAUTHN_ERR_TYPE);
	CHECK(c.id_len == 0 && c.pubkey_len == 0 && c.alg == 0 &&
	    c.id[0] == 0 && c.pubkey[0] == 0);
	memset(&a, 0x5a, sizeof(a));
	CHECK_INT(assert_raw(&es256, NULL, &es256.cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, es256.as[0].sig.b, es256.as[0].sig.n,
	    es256.alg, 1, &a), LK_WEBAUTHN_ERR_TYPE);
	CHECK(a.sign_count == 0 && a.flags == 0);
	memset(&a, 0x5a, sizeof(a));
	CHECK_INT(assert_raw(&es256, NULL, &es256.as[0].cd, es256.as[0].ad.b,
	    es256.as[0].ad.n, es256.as[0].sig.b, es256.as[0].sig.n,
	    es256.alg, 2, &a), LK_WEBAUTHN_ERR_COUNTER);
	CHECK(a.sign_count == 0 && a.flags == 0);
}

TEST(every_result_has_its_text)
{
	int	i, j;

	for (i = 0; i < LK_WEBAUTHN__MAX; i++) {
		CHECK(lk_webauthn_res_str((enum lk_webauthn_res)i) != NULL);
		CHECK(strcmp(lk_webauthn_res_str((enum lk_webauthn_res)i),
		    "unknown") != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(lk_webauthn_res_str((enum lk_webauthn_res)i),
			    lk_webauthn_res_str((enum lk_webauthn_res)j)) != 0);
	}
	CHECK_STR(lk_webauthn_res_str(LK_WEBAUTHN_OK), "ok");
	CHECK_STR(lk_webauthn_res_str(LK_WEBAUTHN_ERR_CHALLENGE),
	    "challenge mismatch");
	CHECK_STR(lk_webauthn_res_str(LK_WEBAUTHN_ERR_SIGNATURE),
	    "bad signature");
	CHECK_STR(lk_webauthn_res_str(LK_WEBAUTHN_ERR_COUNTER),
	    "counter went backwards");
	CHECK_STR(lk_webauthn_res_str(LK_WEBAUTHN__MAX), "unknown");
}

int
main(void)
{
	if (vec_load("es256", &es256) == -1 || vec_load("rs256", &rs256) == -1 ||
	    vec_load("es256-backup", &backup) == -1 ||
	    vec_load("es256-direct", &direct) == -1) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(recorded_registrations_verify);
	RUN(registered_key_loads_with_d2i_pubkey);
	RUN(recorded_assertions_verify);
	RUN(resigning_an_unchanged_assertion_verifies);
	RUN(rebuilt_attestation_object_matches_the_recorded_one);
	RUN(wrong_challenge_refused);
	RUN(challenge_spelling_must_be_canonical);
	RUN(wrong_origin_refused);
	RUN(origin_in_client_data_compared_exactly);
	RUN(wrong_type_refused);
	RUN(client_data_must_be_strict_json);
	RUN(cross_origin_refused);
	RUN(token_binding_present_refused);
	RUN(wrong_rp_id_refused);
	RUN(user_presence_required);
	RUN(user_verification_required_when_asked);
	RUN(backed_up_without_backup_eligibility_refused);
	RUN(truncated_or_extended_auth_data_refused);
	RUN(credential_id_length_bounded);
	RUN(attestation_object_cbor_strict);
	RUN(cbor_tags_floats_and_deep_nesting_refused);
	RUN(cbor_map_size_bounded);
	RUN(attestation_object_shape_required);
	RUN(cose_key_wrong_curve_or_point_refused);
	RUN(cose_key_duplicate_or_extra_members_refused);
	RUN(rsa_key_under_2048_bits_refused);
	RUN(attestation_formats);
	RUN(flipped_signature_bit_refused);
	RUN(signature_from_another_key_refused);
	RUN(algorithm_comes_from_the_stored_credential);
	RUN(stored_key_must_be_exact_der);
	RUN(es256_signature_must_be_strict_der);
	RUN(rs256_signature_length_is_the_modulus);
	RUN(counter_must_grow);
	RUN(counter_checked_only_after_the_signature);
	RUN(bounds_and_usage);
	RUN(output_cleared_on_refusal);
	RUN(every_result_has_its_text);
	EVP_PKEY_free(es256.priv);
	EVP_PKEY_free(rs256.priv);
	EVP_PKEY_free(backup.priv);
	EVP_PKEY_free(direct.priv);
	return T_END();
}
