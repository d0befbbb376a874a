/*
 * libFuzzer harness: WebAuthn registration (clientDataJSON, then the
 * attestationObject with its authenticator data and COSE key) and
 * assertion (clientDataJSON, authenticator data, signature) checks.
 *
 * Input: mode, options, challenge length C, clientDataJSON length (2
 * bytes, big-endian) and authenticator-part length (2 bytes), then the
 * challenge (C bytes), clientDataJSON, the authenticator part, and the
 * rest.  Short fields are cut at the end of the input.
 *   mode % 4 == 0: registration; the authenticator part is the
 *     attestationObject.
 *   mode % 4 == 1, 2: assertion; the part is authenticatorData and the
 *     rest the signature, checked against a stored ES256 (1) or RS256 (2)
 *     key recorded from Chromium (tests/fixtures/webauthn/).
 *   mode % 4 == 3: assertion signed by the harness with the ES256
 *     credential's private key, so that the checks behind the signature
 *     (the counter) are reached and OK results come up.
 * Option bits: require UV (1), stored counter (the other 7 bits).
 * Expected RP ID "localhost", origins those of the recording.
 *
 * Invariants: the result is a known value; on a refusal the output is
 * cleared; an accepted ceremony has every flag and length the API promises
 * (rpIdHash, UP, UV when required, AT only on registration, BS only with
 * BE, counter rule) and a registered key loads with d2i_PUBKEY as the kind
 * its algorithm names; an accepted assertion's signature verifies with
 * OpenSSL directly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "base/util.h"
#include "domain/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char es256_spki_b64[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEP-1koFgGwko9fD1qfJ8veFwUKnjjC32O"
    "uHP1U_ozFW9HA1ql4aQex8XZuFw2wz4SAKL2eJJCdh2kqXZHxEGPGQ";
static const char es256_pkcs8_b64[] =
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtuX0SZjD_csJPTYX4ev8"
    "ZxIq4i67fiB54UfLEtagNnOhRANCAAQ_7WSgWAbCSj18PWp8ny94XBQqeOMLfY64c_VT"
    "-jMVb0cDWqXhpB7Hxdm4XDbDPhIAovZ4kkJ2HaSpdkfEQY8Z";
static const char rs256_spki_b64[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAurjweUb1I5RzjKInGEm2jqfN"
    "wtMH0X_x9KM7BgHXxyobKweXpL2lYuJMTTPq9y1Vg1CmOuulAZKduK0TWwF9M300mJu5"
    "lKXDosD1tbQBQgmozBR0osjaApip4d_GglTnGv6MtdJFtddYyrHqvqcGQpRZMO0YV8XU"
    "lbLC677DbPWpwUcZO-BlM9-N_3lvOnoXPwd6MM8ABgi1FHLD30vsO8x5eHKN793aSM9-"
    "ClBmrtOBcsXyzwmFzRgjyvQco51tj9pTO_lFnyiETKZcjuXKVFMyJsclRV8YKFR3a4Q2"
    "8nNCAuJ0HhfvifYS8YIFYqaPOzcB8JEee8B5WUIU4dstVQIDAQAB";

static const char *const origins[] = {
	"http://localhost:46603", "https://example.com",
};

static unsigned char	 es256_spki[128], rs256_spki[512];
static size_t		 es256_spki_len, rs256_spki_len;
static EVP_PKEY		*es256_priv;

static size_t
decode(const char *b64, unsigned char *out, size_t outsz)
{
	long	n = lk_b64url_decode(b64, strlen(b64), out, outsz);

	if (n <= 0)
		abort();
	return (size_t)n;
}

static void
init(void)
{
	static int		 done;
	unsigned char		 der[256];
	const unsigned char	*p = der;
	size_t			 n;

	if (done)
		return;
	done = 1;
	es256_spki_len = decode(es256_spki_b64, es256_spki, sizeof(es256_spki));
	rs256_spki_len = decode(rs256_spki_b64, rs256_spki, sizeof(rs256_spki));
	n = decode(es256_pkcs8_b64, der, sizeof(der));
	if ((es256_priv = d2i_AutoPrivateKey(NULL, &p, (long)n)) == NULL)
		abort();
}

/* Whether sig verifies over ad || SHA-256(cd) with key, per OpenSSL alone. */
static int
openssl_verifies(const unsigned char *spki, size_t spkilen, int alg,
    const uint8_t *ad, size_t adlen, const uint8_t *cd, size_t cdlen,
    const uint8_t *sig, size_t siglen)
{
	unsigned char		*msg;
	const unsigned char	*p = spki;
	EVP_PKEY		*key;
	EVP_MD_CTX		*md;
	EVP_PKEY_CTX		*pctx = NULL;
	int			 ok = 0;

	if ((key = d2i_PUBKEY(NULL, &p, (long)spkilen)) == NULL)
		abort();
	if ((msg = malloc(adlen + SHA256_DIGEST_LENGTH)) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL)
		abort();
	memcpy(msg, ad, adlen);
	SHA256(cd, cdlen, msg + adlen);
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1 &&
	    (alg != LK_WEBAUTHN_ALG_RS256 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1))
		ok = EVP_DigestVerify(md, sig, siglen, msg,
		    adlen + SHA256_DIGEST_LENGTH) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	free(msg);
	return ok;
}

static int
flags_ok(uint8_t f, int require_uv)
{
	return (f & LK_WEBAUTHN_FLAG_UP) &&
	    (!require_uv || (f & LK_WEBAUTHN_FLAG_UV)) &&
	    (!(f & LK_WEBAUTHN_FLAG_BS) || (f & LK_WEBAUTHN_FLAG_BE));
}

static void
registration(const struct lk_webauthn_expect *e, const uint8_t *cd,
    size_t cdlen, const uint8_t *att, size_t attlen)
{
	static struct lk_webauthn_credential	 c;
	static const struct lk_webauthn_credential zero;
	unsigned char				 rph[SHA256_DIGEST_LENGTH];
	const unsigned char			*p;
	const uint8_t				*ad;
	EVP_PKEY				*key;
	enum lk_webauthn_res			 r;

	r = lk_webauthn_register_verify(e, cd, cdlen, att, attlen, &c);
	if ((unsigned int)r >= LK_WEBAUTHN__MAX)
		abort();
	if (r != LK_WEBAUTHN_OK) {
		if (memcmp(&c, &zero, sizeof(c)) != 0)
			abort();
		return;
	}
	/* The authenticator data is in there, starting with the RP ID hash. */
	SHA256((const unsigned char *)"localhost", 9, rph);
	if ((ad = memmem(att, attlen, rph, sizeof(rph))) == NULL ||
	    (size_t)(att + attlen - ad) < 37 + 18 + c.id_len)
		abort();
	if (c.flags != ad[32] || !flags_ok(c.flags, e->require_uv) ||
	    !(c.flags & LK_WEBAUTHN_FLAG_AT) ||
	    c.sign_count != ((uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 |
	    (uint32_t)ad[35] << 8 | ad[36]) ||
	    memcmp(c.aaguid, ad + 37, 16) != 0 ||
	    c.id_len == 0 || c.id_len > LK_WEBAUTHN_CRED_ID_MAX ||
	    c.id_len != ((size_t)ad[53] << 8 | ad[54]) ||
	    memcmp(c.id, ad + 55, c.id_len) != 0)
		abort();
	if (c.pubkey_len == 0 || c.pubkey_len > LK_WEBAUTHN_PUBKEY_MAX)
		abort();
	p = c.pubkey;
	if ((key = d2i_PUBKEY(NULL, &p, (long)c.pubkey_len)) == NULL ||
	    p != c.pubkey + c.pubkey_len)
		abort();
	if (c.alg == LK_WEBAUTHN_ALG_ES256) {
		if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_bits(key) != 256)
			abort();
	} else if (c.alg == LK_WEBAUTHN_ALG_RS256) {
		if (!EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_get_bits(key) < 2048 ||
		    EVP_PKEY_get_bits(key) > 4096)
			abort();
	} else
		abort();
	EVP_PKEY_free(key);
}

static void
assertion(const struct lk_webauthn_expect *e, int which, uint32_t stored,
    const uint8_t *cd, size_t cdlen, const uint8_t *ad, size_t adlen,
    const uint8_t *sig, size_t siglen)
{
	struct lk_webauthn_stored	 cred;
	struct lk_webauthn_assertion	 a;
	unsigned char			 rph[SHA256_DIGEST_LENGTH], mysig[80];
	unsigned char			*msg;
	EVP_MD_CTX			*md;
	enum lk_webauthn_res		 r;
	uint32_t			 count;
	size_t				 n = sizeof(mysig);

	cred.alg = which == 2 ? LK_WEBAUTHN_ALG_RS256 : LK_WEBAUTHN_ALG_ES256;
	cred.pubkey = which == 2 ? rs256_spki : es256_spki;
	cred.pubkey_len = which == 2 ? rs256_spki_len : es256_spki_len;
	cred.sign_count = stored;
	if (which == 3 && adlen <= LK_WEBAUTHN_AUTH_DATA_MAX) {
		if ((msg = malloc(adlen + SHA256_DIGEST_LENGTH)) == NULL ||
		    (md = EVP_MD_CTX_new()) == NULL)
			abort();
		memcpy(msg, ad, adlen);
		SHA256(cd, cdlen, msg + adlen);
		if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
		    es256_priv) != 1 || EVP_DigestSign(md, mysig, &n, msg,
		    adlen + SHA256_DIGEST_LENGTH) != 1)
			abort();
		EVP_MD_CTX_free(md);
		free(msg);
		sig = mysig;
		siglen = n;
	}

	memset(&a, 0x5a, sizeof(a));
	r = lk_webauthn_assertion_verify(e, cd, cdlen, ad, adlen, sig, siglen,
	    &cred, &a);
	if ((unsigned int)r >= LK_WEBAUTHN__MAX)
		abort();
	if (r != LK_WEBAUTHN_OK) {
		if (a.sign_count != 0 || a.flags != 0)
			abort();
		if (which == 3 && r == LK_WEBAUTHN_ERR_SIGNATURE)
			abort();	/* a good signature refused */
		return;
	}
	SHA256((const unsigned char *)"localhost", 9, rph);
	if (adlen < 37 || memcmp(ad, rph, sizeof(rph)) != 0)
		abort();
	count = (uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 |
	    (uint32_t)ad[35] << 8 | ad[36];
	if (a.flags != ad[32] || !flags_ok(a.flags, e->require_uv) ||
	    (a.flags & LK_WEBAUTHN_FLAG_AT) || a.sign_count != count ||
	    (adlen > 37) != !!(a.flags & LK_WEBAUTHN_FLAG_ED) ||
	    ((stored != 0 || count != 0) && count <= stored))
		abort();
	if (!openssl_verifies(cred.pubkey, cred.pubkey_len, cred.alg, ad,
	    adlen, cd, cdlen, sig, siglen))
		abort();
}

static size_t
take(size_t want, size_t *left)
{
	size_t	n = want < *left ? want : *left;

	*left -= n;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lk_webauthn_expect	 e;
	const uint8_t			*chal, *cd, *part, *rest;
	size_t				 left, clen, cdlen, plen;
	int				 mode;

	init();
	if (size < 7)
		return 0;
	mode = data[0] & 3;
	left = size - 7;
	clen = take(data[2], &left);
	cdlen = take((size_t)data[3] << 8 | data[4], &left);
	plen = take((size_t)data[5] << 8 | data[6], &left);
	chal = data + 7;
	cd = chal + clen;
	part = cd + cdlen;
	rest = part + plen;

	e.challenge = chal;
	e.challenge_len = clen;
	e.rp_id = "localhost";
	e.origins = origins;
	e.origins_n = sizeof(origins) / sizeof(origins[0]);
	e.require_uv = data[1] & 1;
	if (mode == 0)
		registration(&e, cd, cdlen, part, plen);
	else
		assertion(&e, mode, data[1] >> 1, cd, cdlen, part, plen, rest,
		    left);
	return 0;
}
