/*
 * ES256 and RS256 keys: loading, the algorithm each key pins, signatures
 * as JWS carries them, rotation across algorithms, verify-only rings from
 * a directory of public keys or a JWKS file, JWKs as an independent
 * encoder (Node's crypto, tests/fixtures/keys/jwk.json) writes them.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "base/util.h"
#include "domain/config.h"
#include "domain/jwk.h"
#include "domain/key.h"
#include "domain/keyring.h"
#include "domain/token.h"
#include "t.h"
#include "tmpdir.h"
#include "forge.h"

#define NOW	1795715788LL
#define FIX	"tests/fixtures/keys/"
#define SECRET	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct lk_config	cfg;

/* A fixture's text (static until the next call). */
static const char *
fixture_text(const char *name)
{
	static char	buf[16384];
	char		path[256];
	FILE		*f;
	size_t		n;

	(void)snprintf(path, sizeof(path), FIX "%s", name);
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A fixture copied to the temporary directory with mode 0600. */
static const char *
fixture_file(const char *name)
{
	static char	path[512];

	(void)snprintf(path, sizeof(path), "%s", tmp_file(name,
	    fixture_text(name), 0600));
	return path;
}

/* A member of the JWK of fixture key name in jwk.json. */
static const char *
jwk_member(const char *name, const char *member)
{
	static struct json_object	*fx;
	struct json_object		*o;

	if (fx == NULL && (fx = json_object_from_file(FIX "jwk.json")) == NULL) {
		fprintf(stderr, "cannot read " FIX "jwk.json\n");
		exit(1);
	}
	if (!json_object_object_get_ex(fx, name, &o) ||
	    !json_object_object_get_ex(o, member, &o))
		return NULL;
	return json_object_get_string(o);
}

static int
load(struct lk_key *k, const char *name)
{
	char	err[512];
	int	rc;

	memset(k, 0, sizeof(*k));
	rc = lk_key_load(k, fixture_file(name), err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "%s: %s\n", name, err);
	return rc;
}

/* Verify tok with a ring of one key (not copied: moved in and out). */
static enum lk_token_err
verify_with(struct lk_key *k, const char *tok, int verify_only)
{
	static struct lk_keyring	ring;
	struct lk_claims		c;
	enum lk_token_err		e;

	memset(&ring, 0, sizeof(ring));
	ring.verify_only = verify_only;
	if (verify_only) {
		ring.previous[0] = *k;
		ring.nprevious = 1;
	} else
		ring.current = *k;
	e = lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c);
	memset(&ring, 0, sizeof(ring));
	return e;
}

static char *
sign(const struct lk_key *k)
{
	struct lk_claims	c;

	return t_issue(&cfg, k, LK_TOKEN_ACCESS, "test@example.com", NOW, 3600,
	    &c);
}

static const char *
payload(void)
{
	static char	pl[512];

	(void)snprintf(pl, sizeof(pl), "{\"type\":\"access\",\"sub\":\"a@b.c\","
	    "\"jti\":\"j\",\"csrf\":\"c\",\"iat\":%lld,\"nbf\":%lld,"
	    "\"exp\":%lld}", NOW, NOW, NOW + 60);
	return pl;
}

TEST(loads_es256_and_rs256_pems_with_their_kid_and_alg)
{
	struct lk_key	k;

	lk_config_defaults(&cfg);
	CHECK_INT(load(&k, "es256.pem"), 0);
	CHECK_INT(k.alg, LK_KEY_ES256);
	CHECK_INT(k.len, 0);
	CHECK(lk_key_can_sign(&k));
	/* The kid of `openssl pkey -pubout -outform DER | sha256sum`. */
	CHECK_STR(k.kid, jwk_member("es256", "kid"));
	lk_key_clear(&k);
	CHECK(k.pkey == NULL && k.pem == NULL);
	CHECK_INT(load(&k, "rs256.pem"), 0);
	CHECK_INT(k.alg, LK_KEY_RS256);
	CHECK_STR(k.kid, jwk_member("rs256", "kid"));
	lk_key_clear(&k);
}

TEST(refuses_other_curves_small_rsa_other_kinds_and_encrypted_keys)
{
	struct lk_key	k;
	char		err[512], text[4096];

	memset(&k, 0, sizeof(k));
	CHECK_INT(lk_key_load(&k, fixture_file("p384.pem"), err, sizeof(err)), -1);
	CHECK(strstr(err, "another curve than P-256") != NULL);
	CHECK_INT(lk_key_load(&k, fixture_file("rsa1024.pem"), err, sizeof(err)), -1);
	CHECK(strstr(err, "RSA key of 1024 bits") != NULL);
	CHECK_INT(lk_key_load(&k, fixture_file("ed25519.pem"), err, sizeof(err)), -1);
	CHECK(strstr(err, "neither a P-256") != NULL);
	/* Never asks for a passphrase. */
	CHECK_INT(lk_key_load(&k, fixture_file("encrypted.pem"), err, sizeof(err)), -1);
	CHECK(strstr(err, "not one unencrypted private key PEM") != NULL);
	/* A public key is no signing key; nothing may follow the block. */
	CHECK_INT(lk_key_load(&k, fixture_file("es256.pub.pem"), err, sizeof(err)), -1);
	(void)snprintf(text, sizeof(text), "%sextra\n", fixture_text("es256.pem"));
	CHECK_INT(lk_key_load(&k, tmp_file("trail.pem", text, 0600), err,
	    sizeof(err)), -1);
	(void)snprintf(text, sizeof(text), "%s\n\n", fixture_text("es256.pem"));
	CHECK_INT(lk_key_load(&k, tmp_file("blank.pem", text, 0600), err,
	    sizeof(err)), 0);
	lk_key_clear(&k);
	/* Mode 0600, as for a secret. */
	CHECK_INT(lk_key_load(&k, tmp_file("loose.pem", fixture_text("es256.pem"),
	    0644), err, sizeof(err)), -1);
	CHECK(strstr(err, "mode 0644") != NULL);
	CHECK(k.pkey == NULL);
}

TEST(generate_pair_makes_a_private_pem_and_never_overwrites)
{
	struct lk_key	k;
	struct stat	st;
	char		err[512], path[512];
	int		i;

	for (i = 0; i < 2; i++) {
		(void)snprintf(path, sizeof(path), "%s/pair%d.key", tmp_dir(), i);
		(void)unlink(path);
		CHECK_INT(lk_key_generate_pair(path, i == 0 ? LK_KEY_ES256 :
		    LK_KEY_RS256, err, sizeof(err)), 0);
		CHECK_INT(stat(path, &st), 0);
		CHECK_INT(st.st_mode & 0777, 0600);
		memset(&k, 0, sizeof(k));
		CHECK_INT(lk_key_load(&k, path, err, sizeof(err)), 0);
		CHECK_INT(k.alg, i == 0 ? LK_KEY_ES256 : LK_KEY_RS256);
		CHECK(strncmp(k.pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		if (i == 1)
			CHECK_INT(EVP_PKEY_get_bits(k.pkey), LK_RSA_BITS);
		lk_key_clear(&k);
		CHECK_INT(lk_key_generate_pair(path, LK_KEY_ES256, err,
		    sizeof(err)), -1);
	}
	CHECK_INT(lk_key_generate_pair(path, LK_KEY_HS256, err, sizeof(err)), -1);
}

TEST(es256_and_rs256_tokens_verify_with_their_key_only)
{
	struct lk_key	 es, rs, other;
	char		*tok, want[128], enc[256];
	int		 i, bad = 0;

	lk_config_defaults(&cfg);
	CHECK_INT(load(&es, "es256.pem"), 0);
	CHECK_INT(load(&rs, "rs256.pem"), 0);
	CHECK_INT(load(&other, "es256-zero-x.pem"), 0);
	/*
	 * Many, so that some R or S has leading zero bytes: libjwt's signer
	 * and our verifier must agree on the fixed 32-byte form.
	 */
	for (i = 0; i < 600; i++) {
		if ((tok = sign(&es)) == NULL) {
			bad++;
			continue;
		}
		if (verify_with(&es, tok, 0) != LK_TOKEN_OK)
			bad++;
		if (i == 0) {
			(void)snprintf(want, sizeof(want), "{\"alg\":\"ES256\","
			    "\"kid\":\"%s\",\"typ\":\"JWT\"}", es.kid);
			(void)lk_b64url_encode(want, strlen(want), enc, sizeof(enc));
			CHECK(strncmp(tok, enc, strlen(enc)) == 0);
			/* 64 bytes of R || S: 86 characters. */
			CHECK_INT(strlen(strrchr(tok, '.') + 1), 86);
			CHECK_INT(verify_with(&other, tok, 0), LK_TOKEN_SIGNATURE);
			CHECK_INT(verify_with(&es, tok, 1), LK_TOKEN_OK);
		}
		free(tok);
	}
	CHECK_INT(bad, 0);
	tok = sign(&rs);
	CHECK(tok != NULL);
	if (tok != NULL) {
		CHECK_INT(verify_with(&rs, tok, 0), LK_TOKEN_OK);
		CHECK_INT(strlen(strrchr(tok, '.') + 1), 342);
		/* An ES256 key does not take an RS256 token. */
		CHECK_INT(verify_with(&es, tok, 0), LK_TOKEN_ALG);
		/* RS256 is deterministic: the same claims, the same token. */
		free(tok);
	}
	lk_key_clear(&es);
	lk_key_clear(&rs);
	lk_key_clear(&other);
}

/* The token header.payload signed by key's OpenSSL key in DER form. */
static const char *
der_signed(const struct lk_key *k, const char *hdr)
{
	static char	 tok[4096];
	unsigned char	 sig[256];
	size_t		 siglen = sizeof(sig), n;
	EVP_MD_CTX	*md = EVP_MD_CTX_new();

	n = b64url((const unsigned char *)hdr, strlen(hdr), tok);
	tok[n++] = '.';
	n += b64url((const unsigned char *)payload(), strlen(payload()), tok + n);
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (unsigned char *)tok, n) != 1)
		siglen = 0;
	EVP_MD_CTX_free(md);
	tok[n++] = '.';
	b64url(sig, siglen, tok + n);
	return tok;
}

TEST(es256_signatures_are_r_and_s_never_der)
{
	struct lk_key	es;
	char		hdr[128];

	lk_config_defaults(&cfg);
	CHECK_INT(load(&es, "es256.pem"), 0);
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\"}",
	    es.kid);
	/* A valid ECDSA signature, but DER as WebAuthn has it: refused. */
	CHECK_INT(verify_with(&es, der_signed(&es, hdr), 0), LK_TOKEN_SIGNATURE);
	lk_key_clear(&es);
}

/*
 * The token tok with its ES256 S replaced by n - S (n, the order of
 * P-256), computed here with OpenSSL's big numbers, into out.
 */
static void
flip_s(const char *tok, char *out, size_t outsz)
{
	unsigned char	 sig[64];
	const char	*dot = strrchr(tok, '.');
	BIGNUM		*n = NULL, *s = NULL;
	EC_GROUP	*g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	size_t		 pre = (size_t)(dot + 1 - tok);

	out[0] = '\0';
	if (g == NULL || lk_b64url_decode(dot + 1, strlen(dot + 1), sig,
	    sizeof(sig)) != 64 || (n = BN_dup(EC_GROUP_get0_order(g))) ==
	    NULL || (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL ||
	    BN_sub(s, n, s) != 1 || BN_bn2binpad(s, sig + 32, 32) != 32 ||
	    pre >= outsz)
		goto out;
	memcpy(out, tok, pre);
	b64url(sig, sizeof(sig), out + pre);
out:
	BN_free(n);
	BN_free(s);
	EC_GROUP_free(g);
}

/* Whether tok's R || S is a good ECDSA signature, as OpenSSL alone sees it. */
static int
openssl_verifies(const struct lk_key *k, const char *tok)
{
	unsigned char	 sig[64], der[80], *p = der;
	const char	*dot = strrchr(tok, '.');
	ECDSA_SIG	*es = ECDSA_SIG_new();
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	int		 n, ok = 0;

	if (es != NULL && md != NULL && lk_b64url_decode(dot + 1,
	    strlen(dot + 1), sig, sizeof(sig)) == 64 &&
	    ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
	    BN_bin2bn(sig + 32, 32, NULL)) == 1 &&
	    (n = i2d_ECDSA_SIG(es, &p)) > 0 &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1)
		ok = EVP_DigestVerify(md, der, (size_t)n,
		    (const unsigned char *)tok, (size_t)(dot - tok)) == 1;
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return ok;
}

TEST(an_es256_token_has_one_spelling_high_s_is_refused)
{
	struct lk_key	 es;
	unsigned char	 sig[64], twin[64];
	char		*tok, flipped[1024];
	const char	*dot;
	int		 i;

	lk_config_defaults(&cfg);
	CHECK_INT(load(&es, "es256.pem"), 0);
	for (i = 0; i < 8; i++) {
		if ((tok = sign(&es)) == NULL) {
			CHECK(tok != NULL);
			continue;
		}
		CHECK_INT(verify_with(&es, tok, 0), LK_TOKEN_OK);
		flip_s(tok, flipped, sizeof(flipped));
		CHECK(flipped[0] != '\0' && strcmp(flipped, tok) != 0);
		/* A good ECDSA signature all the same ... */
		CHECK(openssl_verifies(&es, flipped));
		/* ... that neither a signing ring nor a verify-only one takes. */
		CHECK_INT(verify_with(&es, flipped, 0), LK_TOKEN_SIGNATURE);
		CHECK_INT(verify_with(&es, flipped, 1), LK_TOKEN_SIGNATURE);
		/* lk_key_es256_low_s maps the twin back, and leaves low alone. */
		dot = strrchr(flipped, '.');
		CHECK_INT(lk_b64url_decode(dot + 1, strlen(dot + 1), twin,
		    sizeof(twin)), 64);
		dot = strrchr(tok, '.');
		CHECK_INT(lk_b64url_decode(dot + 1, strlen(dot + 1), sig,
		    sizeof(sig)), 64);
		CHECK_INT(lk_key_es256_low_s(twin), 1);
		CHECK(memcmp(twin, sig, sizeof(sig)) == 0);
		CHECK_INT(lk_key_es256_low_s(sig), 0);
		free(tok);
	}
	/* S at or above n is no signature. */
	memset(sig, 0xff, sizeof(sig));
	CHECK_INT(lk_key_es256_low_s(sig), -1);
	lk_key_clear(&es);
}

TEST(the_key_pins_the_algorithm)
{
	static struct lk_keyring	 ring;
	struct lk_claims		 c;
	const char			*pem, *tok;
	char				 hdr[256], pemcopy[4096], secret[LK_KEY_MAX + 1];

	lk_config_defaults(&cfg);
	memset(&ring, 0, sizeof(ring));
	CHECK_INT(load(&ring.current, "es256.pem"), 0);
	pem = fixture_text("es256.pub.pem");
	(void)lk_strlcpy(pemcopy, pem, sizeof(pemcopy));

	/* An HS256 token whose "secret" is our public key's PEM, under our kid. */
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
	    ring.current.kid);
	tok = forge(hdr, payload(), pemcopy, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);
	/* Without a kid: no key of ours is HS256. */
	tok = forge("{\"alg\":\"HS256\"}", payload(), pemcopy, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);
	/* The same with the PEM as a JWK or DER would be no better: alg none. */
	tok = forge("{\"alg\":\"none\"}", payload(), "", NULL);
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);
	tok = forge("{\"alg\":\"es256\"}", payload(), "", NULL);
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);

	/* An HS256 key retired, an ES256 key current. */
	CHECK_INT(lk_key_set(&ring.previous[0], SECRET, strlen(SECRET)), 0);
	ring.previous[0].retired = NOW - 10;
	ring.nprevious = 1;
	(void)lk_strlcpy(secret, SECRET, sizeof(secret));
	/* ES256 under the HS256 key's kid: refused for its alg. */
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\"}",
	    ring.previous[0].kid);
	tok = der_signed(&ring.current, hdr);
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);
	/* HS256 under the ES256 kid, signed with the real HMAC secret: still not. */
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
	    ring.current.kid);
	tok = forge(hdr, payload(), secret, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_ALG);
	/* Under its own kid it verifies; the PEM as its secret does not. */
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
	    ring.previous[0].kid);
	tok = forge(hdr, payload(), secret, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_OK);
	tok = forge(hdr, payload(), pemcopy, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_SIGNATURE);
	/* A kid we do not have. */
	tok = forge("{\"alg\":\"HS256\",\"kid\":\"0000000000000000\"}", payload(),
	    secret, "sha256");
	CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
	    LK_TOKEN_SIGNATURE);
	lk_keyring_clear(&ring);
}

TEST(a_verify_only_ring_verifies_but_cannot_sign)
{
	static struct lk_keyring	 full, pub;
	struct lk_claims		 c;
	char				 err[512], dir[512], *tok;

	lk_config_defaults(&cfg);
	memset(&full, 0, sizeof(full));
	CHECK_INT(load(&full.current, "es256.pem"), 0);
	tok = sign(&full.current);
	CHECK(tok != NULL);
	(void)snprintf(dir, sizeof(dir), "%s/pub-only", tmp_dir());
	(void)mkdir(dir, 0755);
	(void)snprintf(err, sizeof(err), "pub-only/%s.pem", full.current.kid);
	(void)tmp_file(err, fixture_text("es256.pub.pem"), 0644);
	CHECK_INT(lk_keyring_load_public(&pub, dir, err, sizeof(err)), 0);
	CHECK(pub.verify_only);
	CHECK_INT(pub.nprevious, 1);
	CHECK(!lk_key_can_sign(&pub.previous[0]));
	CHECK(!lk_key_can_sign(&pub.current));
	CHECK(lk_token_sign(&cfg, &pub.previous[0], &c) == NULL);
	if (tok != NULL) {
		CHECK_INT(lk_token_verify(&cfg, &pub, tok, strlen(tok), NOW, &c),
		    LK_TOKEN_OK);
		CHECK_STR(c.sub, "test@example.com");
		free(tok);
	}
	lk_keyring_clear(&pub);
	lk_keyring_clear(&full);
}

TEST(rotation_across_algorithms_keeps_old_tokens_until_pruned)
{
	static struct lk_keyring	 ring;
	struct lk_claims		 c;
	char				 err[512], path[512], prev[600], text[8192];
	char				*hs, *es, *rs;
	size_t				 dropped;
	FILE				*f;
	long long			 now = (long long)time(NULL);

	lk_config_defaults(&cfg);
	(void)snprintf(path, sizeof(path), "%s/rot.key", tmp_dir());
	(void)snprintf(prev, sizeof(prev), "%s.previous", path);
	(void)unlink(path);
	(void)unlink(prev);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), 0);
	hs = t_issue(&cfg, &ring.current, LK_TOKEN_ACCESS, "a@b.c", now, 60, &c);
	lk_keyring_clear(&ring);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, now - 100, err,
	    sizeof(err)), 0);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), 0);
	CHECK_INT(ring.current.alg, LK_KEY_ES256);
	es = t_issue(&cfg, &ring.current, LK_TOKEN_ACCESS, "a@b.c", now, 60, &c);
	lk_keyring_clear(&ring);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_RS256, now, err, sizeof(err)),
	    0);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), 0);
	CHECK_INT(ring.current.alg, LK_KEY_RS256);
	CHECK_INT(ring.nprevious, 2);
	CHECK_INT(ring.previous[0].alg, LK_KEY_HS256);
	CHECK_INT(ring.previous[1].alg, LK_KEY_ES256);
	/* A retired key pair keeps its public half only. */
	CHECK(ring.previous[1].pkey != NULL && ring.previous[1].pem == NULL);
	rs = t_issue(&cfg, &ring.current, LK_TOKEN_ACCESS, "a@b.c", now, 60, &c);
	CHECK(hs != NULL && es != NULL && rs != NULL);
	if (hs != NULL && es != NULL && rs != NULL) {
		CHECK_INT(lk_token_verify(&cfg, &ring, hs, strlen(hs), now, &c),
		    LK_TOKEN_OK);
		CHECK_INT(lk_token_verify(&cfg, &ring, es, strlen(es), now, &c),
		    LK_TOKEN_OK);
		CHECK_INT(lk_token_verify(&cfg, &ring, rs, strlen(rs), now, &c),
		    LK_TOKEN_OK);
	}
	/* "KID RETIRED SECRET", then "KID RETIRED ES256 PUBLIC-DER". */
	f = fopen(prev, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		CHECK(strncmp(text, ring.previous[0].kid, LK_KID_LEN) == 0);
		CHECK(strstr(text, " ES256 MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE") !=
		    NULL);
		CHECK(strstr(text, "PRIVATE") == NULL);
	}
	lk_keyring_clear(&ring);
	/* 50 s of lifetime: the ES256 key (retired 100 s ago) goes, HS256 too. */
	CHECK_INT(lk_keyring_prune(path, now, 50, &dropped, err, sizeof(err)), 0);
	CHECK_INT(dropped, 1);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 1);
	CHECK_INT(ring.previous[0].alg, LK_KEY_ES256);
	if (es != NULL)
		CHECK_INT(lk_token_verify(&cfg, &ring, es, strlen(es), now, &c),
		    LK_TOKEN_OK);
	lk_keyring_clear(&ring);
	free(hs);
	free(es);
	free(rs);
}

TEST(previous_key_pairs_are_checked_like_secrets)
{
	static struct lk_keyring	 ring;
	char				 err[512], path[512], prev[600], line[2048];
	const char			*spki = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE";

	(void)snprintf(path, sizeof(path), "%s/prev.key", tmp_dir());
	(void)snprintf(prev, sizeof(prev), "%s.previous", path);
	(void)unlink(path);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), 0);
	/* A kid that is not the key's; an algorithm that is not the key's. */
	(void)snprintf(line, sizeof(line), "0000000000000000 1 ES256 %s\n", spki);
	(void)tmp_file("prev.key.previous", line, 0600);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "bad line") != NULL);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, 5, err, sizeof(err)), -1);
	(void)unlink(prev);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, 5, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_HS256, 6, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), 0);
	lk_keyring_clear(&ring);
	/* The ES256 line claiming RS256. */
	{
		char	text[8192], *p;
		FILE	*f = fopen(prev, "r");

		if (f == NULL)
			return;
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		if ((p = strstr(text, " ES256 ")) != NULL)
			memcpy(p + 1, "RS256", 5);
		(void)tmp_file("prev.key.previous", text, 0600);
		CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), -1);
		CHECK(strstr(err, "an ES256 key, not RS256") != NULL);
		(void)tmp_file("prev.key.previous", text, 0644);
		CHECK_INT(lk_keyring_load(&ring, path, err, sizeof(err)), -1);
		CHECK(strstr(err, "mode 0644") != NULL);
	}
}

/* A fresh directory under the temporary one. */
static const char *
fresh_dir(const char *name, mode_t mode)
{
	static char	path[512];
	char		cmd[600];

	(void)snprintf(path, sizeof(path), "%s/%s", tmp_dir(), name);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		return path;
	(void)mkdir(path, 0700);
	(void)chmod(path, mode);
	return path;
}

static void
put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	rel[600];

	(void)snprintf(rel, sizeof(rel), "%s/%s", dir + strlen(tmp_dir()) + 1,
	    name);
	(void)tmp_file(rel, text, mode);
}

TEST(a_public_key_directory_names_each_key_by_its_kid)
{
	static struct lk_keyring	 ring;
	char				 err[1024], name[600], dir[512];
	const char			*eskid = jwk_member("es256", "kid");
	const char			*rskid = jwk_member("rs256", "kid");

	(void)lk_strlcpy(dir, fresh_dir("pubdir", 0755), sizeof(dir));
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), -1);
	CHECK(strstr(err, "no KID.pem public key") != NULL);
	(void)snprintf(name, sizeof(name), "%s.pem", eskid);
	put(dir, name, fixture_text("es256.pub.pem"), 0644);
	(void)snprintf(name, sizeof(name), "%s.pem", rskid);
	put(dir, name, fixture_text("rs256.pub.pem"), 0444);
	put(dir, "README", "other files are ignored\n", 0666);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 2);
	CHECK(lk_keyring_find(&ring, eskid) != NULL);
	CHECK(lk_keyring_find(&ring, rskid) != NULL);
	lk_keyring_clear(&ring);

	/* A key under another kid's name. */
	put(dir, "0123456789abcdef.pem", fixture_text("es256-zero-x.pub.pem"), 0644);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), -1);
	CHECK(strstr(err, "must be named") != NULL);
	(void)snprintf(name, sizeof(name), "%s/0123456789abcdef.pem", dir);
	(void)unlink(name);
	/* A public key file others may write. */
	(void)snprintf(name, sizeof(name), "%s.pem", eskid);
	put(dir, name, fixture_text("es256.pub.pem"), 0664);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), -1);
	CHECK(strstr(err, "lets group or others write it") != NULL);
	put(dir, name, fixture_text("es256.pub.pem"), 0644);
	/* A private key where a public one belongs. */
	put(dir, name, fixture_text("es256.pem"), 0600);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), -1);
	CHECK(strstr(err, "not one public key PEM") != NULL);
	put(dir, name, fixture_text("es256.pub.pem"), 0644);
	/* A directory others may write. */
	(void)chmod(dir, 0777);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), -1);
	CHECK(strstr(err, "lets group or others add a key") != NULL);
	(void)chmod(dir, 0755);
	/* A symbolic link is not followed. */
	(void)snprintf(name, sizeof(name), "%s/%s.pem", dir, eskid);
	(void)unlink(name);
	if (symlink(fixture_file("es256.pub.pem"), name) == 0) {
		CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)),
		    -1);
		CHECK(strstr(err, "Too many levels of symbolic links") != NULL ||
		    strstr(err, "not a regular file") != NULL);
	}
	lk_keyring_clear(&ring);
}

/* The JWK fixture name as we write it, from jwk.json's members. */
static const char *
expected_jwk(const char *name)
{
	static char	out[2048];

	if (strcmp(jwk_member(name, "kty"), "EC") == 0)
		(void)snprintf(out, sizeof(out), "{\"alg\":\"ES256\",\"crv\":"
		    "\"P-256\",\"kid\":\"%s\",\"kty\":\"EC\",\"use\":\"sig\","
		    "\"x\":\"%s\",\"y\":\"%s\"}", jwk_member(name, "kid"),
		    jwk_member(name, "x"), jwk_member(name, "y"));
	else
		(void)snprintf(out, sizeof(out), "{\"alg\":\"RS256\",\"e\":\"%s\","
		    "\"kid\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\",\"use\":\"sig\"}",
		    jwk_member(name, "e"), jwk_member(name, "kid"),
		    jwk_member(name, "n"));
	return out;
}

TEST(jwks_are_what_an_independent_encoder_writes)
{
	static const char *const names[] = { "es256", "rs256", "es256-zero-x" };
	struct lk_key	k, hs;
	char		out[2048], file[64];
	size_t		i;

	for (i = 0; i < 3; i++) {
		(void)snprintf(file, sizeof(file), "%s.pem", names[i]);
		CHECK_INT(load(&k, file), 0);
		CHECK(lk_jwk_write(&k, out, sizeof(out)) > 0);
		CHECK_STR(out, expected_jwk(names[i]));
		CHECK_INT(lk_jwk_write(&k, out, 20), -1);
		lk_key_clear(&k);
	}
	/* The x with a leading zero byte keeps it: 43 characters, "A" first. */
	CHECK(jwk_member("es256-zero-x", "x")[0] == 'A');
	memset(&hs, 0, sizeof(hs));
	CHECK_INT(lk_key_set(&hs, SECRET, strlen(SECRET)), 0);
	CHECK_INT(lk_jwk_write(&hs, out, sizeof(out)), -1);
}

TEST(a_jwk_set_holds_the_keys_that_can_verify_a_live_token)
{
	static struct lk_keyring	ring;
	char				out[LK_JWKS_MAX], want[4096];

	memset(&ring, 0, sizeof(ring));
	CHECK_INT(lk_key_set(&ring.current, SECRET, strlen(SECRET)), 0);
	CHECK_INT(lk_keyring_jwks_write(&ring, NOW, 3600, out, sizeof(out)), 2);
	CHECK_STR(out, "[]");
	lk_keyring_clear(&ring);
	CHECK_INT(load(&ring.current, "es256.pem"), 0);
	CHECK_INT(load(&ring.previous[0], "rs256.pem"), 0);
	ring.previous[0].retired = NOW - 100;
	CHECK_INT(load(&ring.previous[1], "es256-zero-x.pem"), 0);
	ring.previous[1].retired = NOW - 5000;
	CHECK_INT(lk_key_set(&ring.previous[2], SECRET, strlen(SECRET)), 0);
	ring.previous[2].retired = NOW - 10;
	ring.nprevious = 3;
	(void)snprintf(want, sizeof(want), "[%s,", expected_jwk("es256"));
	(void)snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s]",
	    expected_jwk("rs256"));
	/* The one retired 5000 s ago is past a 3600 s lifetime; HS256 never shows. */
	CHECK(lk_keyring_jwks_write(&ring, NOW, 3600, out, sizeof(out)) > 0);
	CHECK_STR(out, want);
	CHECK_INT(lk_keyring_jwks_write(&ring, NOW, 3600, out, 100), -1);
	lk_keyring_clear(&ring);
}

static int
parse_set(const char *text, char *err, size_t errsz)
{
	static struct lk_keyring	ring;
	int				rc;

	rc = lk_keyring_jwks_parse(text, strlen(text), &ring, err, errsz);
	lk_keyring_clear(&ring);
	return rc;
}

TEST(a_jwks_file_is_read_strictly)
{
	static struct lk_keyring	 ring;
	char				 text[8192], err[512], jwk[2048];
	char				*p;
	struct lk_claims		 c;
	struct lk_key			 es;
	char				*tok;

	lk_config_defaults(&cfg);
	(void)lk_strlcpy(jwk, expected_jwk("es256"), sizeof(jwk));
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s,%s]}", jwk,
	    expected_jwk("rs256"));
	CHECK_INT(lk_keyring_jwks_parse(text, strlen(text), &ring, err, sizeof(err)),
	    0);
	CHECK(ring.verify_only);
	CHECK_INT(ring.nprevious, 2);
	CHECK_INT(load(&es, "es256.pem"), 0);
	tok = sign(&es);
	if (tok != NULL) {
		CHECK_INT(lk_token_verify(&cfg, &ring, tok, strlen(tok), NOW, &c),
		    LK_TOKEN_OK);
		free(tok);
	}
	lk_key_clear(&es);
	lk_keyring_clear(&ring);

	/* Without "alg" and "use" (both optional) the key is the same. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"EC\",\"crv\":"
	    "\"P-256\",\"kid\":\"%s\",\"x\":\"%s\",\"y\":\"%s\",\"extra\":1}]}",
	    jwk_member("es256", "kid"), jwk_member("es256", "x"),
	    jwk_member("es256", "y"));
	CHECK_INT(parse_set(text, err, sizeof(err)), 0);
	/* Another kid than the key's own. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]}", jwk);
	p = strstr(text, jwk_member("es256", "kid"));
	p[0] = p[0] == '0' ? '1' : '0';
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	CHECK(strstr(err, "must be the key's own") != NULL);
	/* An alg that is not the key's. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]}", jwk);
	memcpy(strstr(text, "ES256"), "HS256", 5);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"alg\" must be the key's") != NULL);
	/* use "enc". */
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]}", jwk);
	memcpy(strstr(text, "\"sig\""), "\"enc\"", 5);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	/* A private member. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[{\"d\":\"AAAA\",%s]}",
	    jwk + 1);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	CHECK(strstr(err, "holds a private key or a secret") != NULL);
	/* An HMAC secret. */
	CHECK_INT(parse_set("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
	    err, sizeof(err)), -1);
	CHECK_INT(parse_set("{\"keys\":[{\"kty\":\"oct\"}]}", err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "kty must be") != NULL);
	/* x one byte short; y off the curve. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"EC\",\"crv\":"
	    "\"P-256\",\"kid\":\"x\",\"x\":\"%.40s\",\"y\":\"%s\"}]}",
	    jwk_member("es256", "x"), jwk_member("es256", "y"));
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	(void)snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"EC\",\"crv\":"
	    "\"P-256\",\"kid\":\"x\",\"x\":\"%s\",\"y\":\"%s\"}]}",
	    jwk_member("es256", "x"), jwk_member("es256", "x"));
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a valid EC public key") != NULL);
	/* Another curve. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]}", jwk);
	memcpy(strstr(text, "P-256"), "P-384", 5);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	/* An RSA modulus with a leading zero byte ("AA..." is 0x00 first). */
	(void)snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"RSA\","
	    "\"kid\":\"x\",\"e\":\"AQAB\",\"n\":\"AAAA%s\"}]}",
	    jwk_member("rs256", "n"));
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	/* The same key twice; none; not a set; trailing garbage. */
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s,%s]}", jwk, jwk);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
	CHECK(strstr(err, "twice") != NULL);
	CHECK_INT(parse_set("{\"keys\":[]}", err, sizeof(err)), -1);
	CHECK_INT(parse_set("[]", err, sizeof(err)), -1);
	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]} x", jwk);
	CHECK_INT(parse_set(text, err, sizeof(err)), -1);
}

TEST(a_jwks_file_must_not_be_writable_by_others)
{
	static struct lk_keyring	 ring;
	char				 text[4096], err[1024];
	const char			*path;

	(void)snprintf(text, sizeof(text), "{\"keys\":[%s]}",
	    expected_jwk("es256"));
	path = tmp_file("keys.jwks", text, 0644);
	CHECK_INT(lk_keyring_load_public(&ring, path, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 1);
	lk_keyring_clear(&ring);
	path = tmp_file("keys.jwks", text, 0646);
	CHECK_INT(lk_keyring_load_public(&ring, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "lets group or others write it") != NULL);
	CHECK_INT(lk_keyring_load_public(&ring, "/nonexistent", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "No such file") != NULL);
}

TEST(the_stamp_changes_when_the_key_files_do)
{
	char		err[512], dir[512], path[512];
	uint64_t	a, b;

	(void)snprintf(path, sizeof(path), "%s/stamp.key", tmp_dir());
	(void)unlink(path);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), 0);
	a = lk_keyring_stamp(path, 0);
	CHECK(a == lk_keyring_stamp(path, 0));
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, NOW, err, sizeof(err)),
	    0);
	b = lk_keyring_stamp(path, 0);
	CHECK(a != b);
	(void)lk_strlcpy(dir, fresh_dir("stampdir", 0755), sizeof(dir));
	a = lk_keyring_stamp(dir, 1);
	put(dir, "0123456789abcdef.pem", "x", 0644);
	b = lk_keyring_stamp(dir, 1);
	CHECK(a != b);
	put(dir, "README", "not a key", 0644);
	CHECK(b == lk_keyring_stamp(dir, 1));
}

TEST(publish_writes_the_live_public_keys_and_removes_the_rest)
{
	static struct lk_keyring	 ring;
	char				 err[1024], dir[512], path[512], stale[600];
	size_t				 written, removed;
	struct stat			 st;

	(void)snprintf(path, sizeof(path), "%s/pub.key", tmp_dir());
	(void)unlink(path);
	(void)snprintf(stale, sizeof(stale), "%s.previous", path);
	(void)unlink(stale);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, NOW - 20000, err,
	    sizeof(err)), 0);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_RS256, NOW - 10000, err,
	    sizeof(err)), 0);
	CHECK_INT(lk_keyring_rotate(path, LK_KEY_ES256, NOW - 10, err,
	    sizeof(err)), 0);
	(void)lk_strlcpy(dir, fresh_dir("published", 0755), sizeof(dir));
	put(dir, "0123456789abcdef.pem", "an old key\n", 0644);
	put(dir, "notes.txt", "kept\n", 0644);
	/*
	 * The current ES256 key and the RS256 key retired 10 s ago; not the
	 * ES256 key retired 10000 s ago, past a lifetime of 3600 s; never
	 * the HS256 secret.
	 */
	CHECK_INT(lk_keyring_publish(path, dir, NOW, 3600, &written, &removed,
	    err, sizeof(err)), 0);
	CHECK_INT(written, 2);
	CHECK_INT(removed, 1);
	CHECK_INT(lk_keyring_load_public(&ring, dir, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 2);
	(void)snprintf(stale, sizeof(stale), "%s/%s.pem", dir,
	    ring.previous[0].kid);
	CHECK_INT(stat(stale, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	lk_keyring_clear(&ring);
	(void)snprintf(stale, sizeof(stale), "%s/notes.txt", dir);
	CHECK_INT(access(stale, F_OK), 0);
	/* With a longer lifetime, the older ES256 key too. */
	CHECK_INT(lk_keyring_publish(path, dir, NOW, 20000, &written, &removed,
	    err, sizeof(err)), 0);
	CHECK_INT(written, 3);
	CHECK_INT(removed, 0);
	/* And with a short one, it goes again. */
	CHECK_INT(lk_keyring_publish(path, dir, NOW, 3600, &written, &removed,
	    err, sizeof(err)), 0);
	CHECK_INT(removed, 1);
}

TEST(the_token_cache_holds_es256_tokens_until_the_keys_change)
{
	static struct lk_token_cache	 cache;
	static struct lk_keyring	 ring;
	struct lk_claims		 c;
	char				*tok;

	lk_config_defaults(&cfg);
	memset(&ring, 0, sizeof(ring));
	CHECK_INT(load(&ring.current, "es256.pem"), 0);
	tok = sign(&ring.current);
	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, strlen(tok),
	    NOW, &c), LK_TOKEN_OK);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, strlen(tok),
	    NOW, &c), LK_TOKEN_OK);
	CHECK_INT(cache.hits, 1);
	CHECK_INT(cache.misses, 1);
	lk_token_cache_clear(&cache);
	/* After a change of keys the token is checked in full again. */
	lk_keyring_clear(&ring);
	CHECK_INT(load(&ring.current, "rs256.pem"), 0);
	CHECK_INT(lk_token_verify_cached(&cache, &cfg, &ring, tok, strlen(tok),
	    NOW, &c), LK_TOKEN_ALG);
	CHECK_INT(cache.hits, 1);
	free(tok);
	lk_token_cache_clear(&cache);
	lk_keyring_clear(&ring);
}

int
main(void)
{
	RUN(loads_es256_and_rs256_pems_with_their_kid_and_alg);
	RUN(refuses_other_curves_small_rsa_other_kinds_and_encrypted_keys);
	RUN(generate_pair_makes_a_private_pem_and_never_overwrites);
	RUN(es256_and_rs256_tokens_verify_with_their_key_only);
	RUN(es256_signatures_are_r_and_s_never_der);
	RUN(an_es256_token_has_one_spelling_high_s_is_refused);
	RUN(the_key_pins_the_algorithm);
	RUN(a_verify_only_ring_verifies_but_cannot_sign);
	RUN(rotation_across_algorithms_keeps_old_tokens_until_pruned);
	RUN(previous_key_pairs_are_checked_like_secrets);
	RUN(a_public_key_directory_names_each_key_by_its_kid);
	RUN(jwks_are_what_an_independent_encoder_writes);
	RUN(a_jwk_set_holds_the_keys_that_can_verify_a_live_token);
	RUN(a_jwks_file_is_read_strictly);
	RUN(a_jwks_file_must_not_be_writable_by_others);
	RUN(the_stamp_changes_when_the_key_files_do);
	RUN(publish_writes_the_live_public_keys_and_removes_the_rest);
	RUN(the_token_cache_holds_es256_tokens_until_the_keys_change);
	tmp_cleanup();
	return T_END();
}
