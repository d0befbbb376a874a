#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "base/util.h"
#include "domain/key.h"

static const char *const alg_names[LK_KEY_ALG__MAX] = {
	"HS256",	/* LK_KEY_HS256 */
	"ES256",	/* LK_KEY_ES256 */
	"RS256",	/* LK_KEY_RS256 */
};

const char *
lk_key_alg_name(enum lk_key_alg alg)
{
	return alg < LK_KEY_ALG__MAX ? alg_names[alg] : NULL;
}

int
lk_key_alg_parse(const char *name, enum lk_key_alg *alg)
{
	size_t	i;

	for (i = 0; i < LK_KEY_ALG__MAX; i++)
		if (strcmp(name, alg_names[i]) == 0) {
			*alg = (enum lk_key_alg)i;
			return 0;
		}
	return -1;
}

/* The first LK_KID_LEN hex digits of SHA-256 of data. */
static void
kid_of(const void *data, size_t len, char kid[LK_KID_LEN + 1])
{
	unsigned char	md[LK_SHA256_LEN];

	lk_sha256(data, len, md);
	(void)lk_hex_encode(md, LK_KID_LEN / 2, kid, LK_KID_LEN + 1);
	lk_explicit_bzero(md, sizeof(md));
}

int
lk_key_set(struct lk_key *key, const void *bytes, size_t len)
{
	long long	retired = key->retired;

	lk_explicit_bzero(key, sizeof(*key));
	if (len == 0 || len > LK_KEY_MAX)
		return -1;
	key->alg = LK_KEY_HS256;
	memcpy(key->bytes, bytes, len);
	key->len = len;
	key->retired = retired;
	kid_of(key->bytes, key->len, key->kid);
	lk_hmac_sha256_key(&key->hmac, key->bytes, key->len);
	return 0;
}

int
lk_key_set_pkey(struct lk_key *key, EVP_PKEY *pkey, char *err, size_t errsz)
{
	unsigned char	der[LK_KEY_DER_MAX];
	char		group[64];
	long		n;
	int		bits;

	lk_explicit_bzero(key, sizeof(*key));
	if (pkey == NULL) {
		(void)snprintf(err, errsz, "no key");
		return -1;
	}
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) != 1 || strcmp(group, "prime256v1") != 0) {
			(void)snprintf(err, errsz, "an EC key on another curve "
			    "than P-256: ES256 needs P-256");
			goto fail;
		}
		key->alg = LK_KEY_ES256;
		break;
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < LK_RSA_BITS_MIN || bits > LK_RSA_BITS_MAX) {
			(void)snprintf(err, errsz, "an RSA key of %d bits: RS256 "
			    "takes %d to %d", bits, LK_RSA_BITS_MIN,
			    LK_RSA_BITS_MAX);
			goto fail;
		}
		key->alg = LK_KEY_RS256;
		break;
	default:
		(void)snprintf(err, errsz, "neither a P-256 (ES256) nor an "
		    "RSA (RS256) key");
		goto fail;
	}
	key->pkey = pkey;
	if ((n = lk_key_public_der(key, der, sizeof(der))) < 0) {
		key->pkey = NULL;
		(void)snprintf(err, errsz, "cannot encode the public key");
		goto fail;
	}
	kid_of(der, (size_t)n, key->kid);
	return 0;
fail:
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	lk_explicit_bzero(key, sizeof(*key));
	return -1;
}

long
lk_key_public_der(const struct lk_key *key, unsigned char *out, size_t outsz)
{
	unsigned char	*p = out;
	int		 n;

	if (key->pkey == NULL || (n = i2d_PUBKEY(key->pkey, NULL)) <= 0 ||
	    (size_t)n > outsz || i2d_PUBKEY(key->pkey, &p) != n)
		return -1;
	return n;
}

void
lk_key_clear(struct lk_key *key)
{
	EVP_PKEY_free(key->pkey);
	if (key->pem != NULL) {
		lk_explicit_bzero(key->pem, key->pem_len);
		free(key->pem);
	}
	lk_explicit_bzero(key, sizeof(*key));
}

int
lk_key_can_sign(const struct lk_key *key)
{
	if (key->alg == LK_KEY_HS256)
		return key->len > 0;
	return key->pkey != NULL && key->pem != NULL;
}

/* A key file may be encrypted: it is refused, never asked for a passphrase. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* Whether text[0..len) past a PEM block is blank. */
static int
blank(const char *text, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ' &&
		    text[i] != '\t')
			return 0;
	return 1;
}

/*
 * One PEM block of text[0..len), a private key (private set) or a public
 * key, and nothing else but blanks after it.  Returns the key or NULL.
 */
static EVP_PKEY *
pem_key(const char *text, size_t len, int private)
{
	BIO		*bio;
	EVP_PKEY	*pkey;

	if (len > LK_KEY_PEM_MAX ||
	    (bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return NULL;
	pkey = private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL) : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (pkey != NULL && BIO_pending(bio) > 0) {
		char	*rest;
		long	 n = BIO_get_mem_data(bio, &rest);

		if (n < 0 || !blank(rest, (size_t)n)) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

/* An ES256 or RS256 private key from its PEM text. */
static int
load_pem(struct lk_key *key, const char *text, size_t len, const char *path,
    char *err, size_t errsz)
{
	EVP_PKEY	*pkey;
	char		 why[256];

	if ((pkey = pem_key(text, len, 1)) == NULL) {
		(void)snprintf(err, errsz, "key file %s: not one unencrypted "
		    "private key PEM", path);
		return -1;
	}
	if (lk_key_set_pkey(key, pkey, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "key file %s: %s", path, why);
		return -1;
	}
	if ((key->pem = malloc(len + 1)) == NULL) {
		lk_key_clear(key);
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(key->pem, text, len);
	key->pem[len] = '\0';
	key->pem_len = len;
	return 0;
}

int
lk_key_set_public_pem(struct lk_key *key, const char *text, size_t len,
    char *err, size_t errsz)
{
	EVP_PKEY	*pkey;

	lk_explicit_bzero(key, sizeof(*key));
	if ((pkey = pem_key(text, len, 0)) == NULL) {
		(void)snprintf(err, errsz, "not one public key PEM");
		return -1;
	}
	return lk_key_set_pkey(key, pkey, err, errsz);
}

/* An HS256 secret: one line of printable characters. */
static int
load_line(struct lk_key *key, char *buf, size_t len, const char *path,
    char *err, size_t errsz)
{
	size_t	i;

	/* One line: strip one trailing newline (and a CR before it). */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > LK_KEY_MAX) {
		(void)snprintf(err, errsz, "key file %s: longer than %d "
		    "characters", path, LK_KEY_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= 0x20 ||
		    (unsigned char)buf[i] >= 0x7f) {
			(void)snprintf(err, errsz, "key file %s: must be one "
			    "line of printable characters without spaces", path);
			return -1;
		}
	if (len < LK_KEY_MIN) {
		(void)snprintf(err, errsz, "key file %s: %zu characters, at "
		    "least %d needed", path, len, LK_KEY_MIN);
		return -1;
	}
	return lk_key_set(key, buf, len);
}

int
lk_key_load(struct lk_key *key, const char *path, char *err, size_t errsz)
{
	char	*buf, why[1280];
	size_t	 len;
	int	 r, rc = -1;

	lk_explicit_bzero(key, sizeof(*key));
	if ((buf = malloc(LK_KEY_PEM_MAX + 1)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	r = lk_read_private(path, buf, LK_KEY_PEM_MAX + 1, &len, why,
	    sizeof(why));
	if (r == 0)
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(ENOENT));
	else if (r == -1)
		(void)snprintf(err, errsz, "key file %s", why);
	else if (len >= 11 && memcmp(buf, "-----BEGIN ", 11) == 0)
		rc = load_pem(key, buf, len, path, err, errsz);
	else
		rc = load_line(key, buf, len, path, err, errsz);
	lk_explicit_bzero(buf, LK_KEY_PEM_MAX + 1);
	free(buf);
	return rc;
}

/*
 * Create path holding text[0..len), mode 0600: written and synced under
 * a temporary name, then linked into place, so that an existing file is
 * never lost or half-written.
 */
static int
create_private(const char *path, const void *text, size_t len, char *err,
    size_t errsz)
{
	char	tmp[4096];
	int	fd = -1, rc = -1, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(err, errsz, "key file %s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (lk_write_all(fd, text, len) == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* link(2) fails if the target exists: an existing key is never lost. */
	if (link(tmp, path) == -1) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return rc;
}

int
lk_key_generate(const char *path, char *err, size_t errsz)
{
	unsigned char	raw[32];
	char		line[65 + 1];
	int		rc;

	if (lk_random_bytes(raw, sizeof(raw)) == -1) {
		(void)snprintf(err, errsz, "random source: %s", strerror(errno));
		return -1;
	}
	(void)lk_hex_encode(raw, sizeof(raw), line, sizeof(line));
	line[64] = '\n';
	line[65] = '\0';
	rc = create_private(path, line, 65, err, errsz);
	lk_explicit_bzero(raw, sizeof(raw));
	lk_explicit_bzero(line, sizeof(line));
	return rc;
}

int
lk_key_generate_pair(const char *path, enum lk_key_alg alg, char *err,
    size_t errsz)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*mem = NULL;
	char		*text;
	long		 len;
	int		 rc = -1;

	if (alg == LK_KEY_ES256)
		pkey = EVP_EC_gen("P-256");
	else if (alg == LK_KEY_RS256)
		pkey = EVP_RSA_gen(LK_RSA_BITS);
	else {
		(void)snprintf(err, errsz, "%s is not a key pair's algorithm",
		    lk_key_alg_name(alg) != NULL ? lk_key_alg_name(alg) : "?");
		return -1;
	}
	if (pkey == NULL || (mem = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 || (len = BIO_get_mem_data(mem, &text)) <= 0) {
		(void)snprintf(err, errsz, "cannot make an %s key pair",
		    lk_key_alg_name(alg));
		goto out;
	}
	rc = create_private(path, text, (size_t)len, err, errsz);
	OPENSSL_cleanse(text, (size_t)len);
out:
	BIO_free(mem);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

/* A digest signature check with SHA-256 (PKCS #1 v1.5 padding for RSA). */
static int
digest_verify(EVP_PKEY *pkey, int rsa, const unsigned char *sig,
    size_t siglen, const void *msg, size_t len)
{
	EVP_MD_CTX	*md;
	EVP_PKEY_CTX	*pctx = NULL;
	int		 ok = 0;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) == 1 &&
	    (!rsa || EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PADDING) == 1) &&
	    EVP_DigestVerify(md, sig, siglen, msg, len) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

/* The order n of P-256 and n / 2 (rounded down), big-endian. */
static const unsigned char p256_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};
static const unsigned char p256_half_order[32] = {
	0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00,
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42,
	0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8
};

int
lk_key_es256_low_s(unsigned char sig[64])
{
	unsigned char	*s = sig + 32;
	unsigned int	 borrow = 0, d;
	int		 i;

	/* Public values: no need for a constant-time comparison. */
	if (memcmp(s, p256_half_order, 32) <= 0)
		return 0;
	if (memcmp(s, p256_order, 32) >= 0)
		return -1;
	for (i = 31; i >= 0; i--) {
		d = (unsigned int)p256_order[i] - s[i] - borrow;
		borrow = d > 0xff;
		s[i] = (unsigned char)(d & 0xff);
	}
	return 1;
}

/*
 * A JWS ES256 signature is R and S, 32 bytes each (RFC 7518 3.4); OpenSSL
 * verifies the DER of ECDSA-Sig-Value.  WebAuthn's signatures are DER
 * already and never come here.  For every good signature (r, s) there is
 * another, (r, n - s): only the one with s at most n / 2 is taken, so
 * that a token has one spelling (the verified-token cache and anything
 * that remembers a token key on its exact bytes).
 */
static int
es256_verify(EVP_PKEY *pkey, const unsigned char sig[64], const void *msg,
    size_t len)
{
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r, *s;
	unsigned char	 der[80], *p = der;
	int		 n, ok = 0;

	if (memcmp(sig + 32, p256_half_order, 32) > 0)
		return 0;
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (r == NULL || s == NULL || (es = ECDSA_SIG_new()) == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	if ((n = i2d_ECDSA_SIG(es, NULL)) > 0 && (size_t)n <= sizeof(der) &&
	    i2d_ECDSA_SIG(es, &p) == n)
		ok = digest_verify(pkey, 0, der, (size_t)n, msg, len);
out:
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok;
}

int
lk_key_verify(const struct lk_key *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	unsigned char	mac[LK_SHA256_LEN];
	int		ok;

	switch (key->alg) {
	case LK_KEY_HS256:
		if (key->len == 0 || siglen != sizeof(mac))
			return 0;
		lk_hmac_sha256(&key->hmac, msg, len, mac);
		ok = lk_ct_equal(mac, sizeof(mac), sig, siglen);
		lk_explicit_bzero(mac, sizeof(mac));
		return ok;
	case LK_KEY_ES256:
		return key->pkey != NULL && siglen == 64 &&
		    es256_verify(key->pkey, sig, msg, len);
	case LK_KEY_RS256:
		return key->pkey != NULL &&
		    siglen == (size_t)EVP_PKEY_get_size(key->pkey) &&
		    digest_verify(key->pkey, 1, sig, siglen, msg, len);
	default:
		return 0;
	}
}
