#include <sys/stat.h>

#include <dirent.h>
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
#include "domain/jwk.h"
#include "domain/key.h"

/* A JWKS file: room for certificate chains ("x5c") beside the keys. */
#define JWKS_FILE_MAX	65536
/* One line of KEY_FILE.previous: "KID RETIRED ALG PUBLIC" at most. */
#define PREV_LINE_MAX	(LK_KID_LEN + 24 + 8 + LK_B64URL_LEN(LK_KEY_DER_MAX))
#define PREV_FILE_MAX	(LK_KEYS_MAX * (PREV_LINE_MAX + 1) + 1)

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

static int
previous_path(const char *path, char *out, size_t outsz)
{
	int	n = snprintf(out, outsz, "%s.previous", path);

	return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* "ALG PUBLIC" of a previous-keys line into k: the public half of a key pair. */
static int
parse_public(struct lk_key *k, char *text, const char *where, char *err,
    size_t errsz)
{
	unsigned char		 der[LK_KEY_DER_MAX];
	const unsigned char	*p = der;
	enum lk_key_alg		 alg;
	EVP_PKEY		*pkey;
	char			*sp, why[256];
	long			 n;

	if ((sp = strchr(text, ' ')) == NULL)
		goto bad;
	*sp = '\0';
	if (lk_key_alg_parse(text, &alg) == -1 || alg == LK_KEY_HS256 ||
	    (n = lk_b64url_decode(sp + 1, strlen(sp + 1), der,
	    sizeof(der))) <= 0 ||
	    (pkey = d2i_PUBKEY(NULL, &p, n)) == NULL || p != der + n) {
		ERR_clear_error();
		goto bad;
	}
	if (lk_key_set_pkey(k, pkey, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", where, why);
		return -1;
	}
	if (k->alg != alg) {
		(void)snprintf(err, errsz, "%s: an %s key, not %s", where,
		    lk_key_alg_name(k->alg), text);
		lk_key_clear(k);
		return -1;
	}
	return 0;
bad:
	(void)snprintf(err, errsz, "%s: bad line", where);
	return -1;
}

/*
 * Parse "KID RETIRED SECRET" (HS256) and "KID RETIRED ALG PUBLIC" lines
 * into ring->previous.
 */
static int
parse_previous(struct lk_keyring *ring, char *text, const char *ppath,
    char *err, size_t errsz)
{
	char		*line, *next, *sp1, *sp2, where[4200];
	size_t		 n = 0, len, i;
	long long	 retired;
	struct lk_key	*k;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		n++;
		(void)snprintf(where, sizeof(where), "%s:%zu", ppath, n);
		if (ring->nprevious >= LK_KEYS_MAX ||
		    (sp1 = strchr(line, ' ')) == NULL ||
		    (sp2 = strchr(sp1 + 1, ' ')) == NULL) {
			(void)snprintf(err, errsz, "%s: expected \"KID "
			    "RETIRED SECRET\" or \"KID RETIRED ALG PUBLIC\" "
			    "(at most %d lines)", where, LK_KEYS_MAX);
			return -1;
		}
		*sp1 = *sp2 = '\0';
		k = &ring->previous[ring->nprevious];
		if (lk_parse_ll(sp1 + 1, 0, 253402300799LL, &retired) == -1) {
			(void)snprintf(err, errsz, "%s: bad line", where);
			return -1;
		}
		if (strchr(sp2 + 1, ' ') != NULL) {
			if (parse_public(k, sp2 + 1, where, err, errsz) == -1)
				return -1;
		} else {
			len = strlen(sp2 + 1);
			if (len < LK_KEY_MIN || len > LK_KEY_MAX) {
				(void)snprintf(err, errsz, "%s: bad line", where);
				return -1;
			}
			for (i = 0; i < len; i++)
				if ((unsigned char)sp2[1 + i] <= 0x20 ||
				    (unsigned char)sp2[1 + i] >= 0x7f) {
					(void)snprintf(err, errsz, "%s: bad key",
					    where);
					return -1;
				}
			(void)lk_key_set(k, sp2 + 1, len);
		}
		ring->nprevious++;
		k->retired = retired;
		if (strcmp(k->kid, line) != 0) {
			(void)snprintf(err, errsz, "%s: kid does not match "
			    "the key", where);
			return -1;
		}
	}
	return 0;
}

int
lk_keyring_load(struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	char	ppath[4096], *text;
	size_t	n;
	int	rc = -1;

	memset(ring, 0, sizeof(*ring));
	if (lk_key_load(&ring->current, path, err, errsz) == -1)
		return -1;
	if (previous_path(path, ppath, sizeof(ppath)) == -1) {
		(void)snprintf(err, errsz, "%s: path too long", path);
		goto out;
	}
	if ((text = malloc(PREV_FILE_MAX)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		goto out;
	}
	/* No file is no previous key: lk_read_private leaves "" in text. */
	if (lk_read_private(ppath, text, PREV_FILE_MAX, &n, err, errsz) >= 0 &&
	    parse_previous(ring, text, ppath, err, errsz) == 0)
		rc = 0;
	lk_explicit_bzero(text, PREV_FILE_MAX);
	free(text);
out:
	if (rc == -1)
		lk_keyring_clear(ring);
	return rc;
}

/*
 * Read a file others may read but not write, of at most bufsz - 1 bytes,
 * NUL-terminated: a regular file (no symbolic link followed), opened at
 * dirfd (or AT_FDCWD).  Returns 0 with *len set, or -1 with a reason.
 */
static int
read_public(int dirfd, const char *name, const char *shown, char *buf,
    size_t bufsz, size_t *len, char *err, size_t errsz)
{
	struct stat	st;
	int		fd, rc = -1;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errsz, "%s: not a regular file", shown);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)snprintf(err, errsz, "%s: mode %04o lets group or others "
		    "write it: whoever can could add a key (chmod go-w)", shown,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	switch (lk_read_all(fd, buf, bufsz, len)) {
	case 0:
		rc = 0;
		break;
	case 1:
		(void)snprintf(err, errsz, "%s: larger than %zu bytes", shown,
		    bufsz - 2);
		break;
	default:
		(void)snprintf(err, errsz, "%s: %s", shown, strerror(errno));
		break;
	}
out:
	close(fd);
	return rc;
}

/* Whether name is "KID.pem" (LK_KID_LEN lower-case hex digits). */
static int
kid_name(const char *name)
{
	return strlen(name) == LK_KID_LEN + 4 &&
	    strspn(name, "0123456789abcdef") == LK_KID_LEN &&
	    strcmp(name + LK_KID_LEN, ".pem") == 0;
}

/* Whether name ends in ".pem". */
static int
pem_name(const char *name)
{
	size_t	n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".pem") == 0;
}

/* The public keys of a directory, each KID.pem. */
static int
load_dir(struct lk_keyring *ring, int dfd, const char *path, char *err,
    size_t errsz)
{
	DIR		*d;
	struct dirent	*e;
	struct lk_key	*k;
	EVP_PKEY	*pkey;
	char		 shown[4200], why[256], *text;
	size_t		 len;
	int		 rc = -1;

	if ((text = malloc(LK_KEY_PEM_MAX + 2)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		close(dfd);
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		(void)snprintf(err, errsz, "public keys %s: %s", path,
		    strerror(errno));
		close(dfd);
		free(text);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !pem_name(e->d_name))
			continue;
		(void)snprintf(shown, sizeof(shown), "public keys %s/%s", path,
		    e->d_name);
		if (ring->nprevious >= LK_RING_MAX) {
			(void)snprintf(err, errsz, "public keys %s: more than "
			    "%d keys", path, LK_RING_MAX);
			goto out;
		}
		if (read_public(dirfd(d), e->d_name, shown, text,
		    LK_KEY_PEM_MAX + 2, &len, err, errsz) == -1)
			goto out;
		if ((pkey = pem_key(text, len, 0)) == NULL) {
			(void)snprintf(err, errsz, "%s: not one public key PEM",
			    shown);
			goto out;
		}
		k = &ring->previous[ring->nprevious];
		if (lk_key_set_pkey(k, pkey, why, sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "%s: %s", shown, why);
			goto out;
		}
		ring->nprevious++;
		if (!kid_name(e->d_name) ||
		    strncmp(e->d_name, k->kid, LK_KID_LEN) != 0) {
			(void)snprintf(err, errsz, "%s: the file of key %s must "
			    "be named %s.pem", shown, k->kid, k->kid);
			goto out;
		}
		if (lk_keyring_find(ring, k->kid) != k) {
			(void)snprintf(err, errsz, "%s: key %s twice", shown,
			    k->kid);
			goto out;
		}
	}
	if (ring->nprevious == 0) {
		(void)snprintf(err, errsz, "public keys %s: no KID.pem public "
		    "key in it", path);
		goto out;
	}
	rc = 0;
out:
	closedir(d);
	free(text);
	return rc;
}

int
lk_keyring_load_public(struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	struct stat	 st;
	char		*text = NULL, why[4400];
	size_t		 len;
	int		 fd, rc = -1;

	memset(ring, 0, sizeof(*ring));
	ring->verify_only = 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fd, &st) == -1) {
		(void)snprintf(err, errsz, "public keys %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			(void)snprintf(err, errsz, "public keys %s: mode %04o "
			    "lets group or others add a key (chmod go-w)", path,
			    (unsigned)(st.st_mode & 07777));
			close(fd);
			goto out;
		}
		/* load_dir closes fd. */
		if (load_dir(ring, fd, path, err, errsz) == 0)
			rc = 0;
		goto out;
	}
	close(fd);
	if ((text = malloc(JWKS_FILE_MAX + 2)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (read_public(AT_FDCWD, path, path, text, JWKS_FILE_MAX + 2, &len,
	    why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "public keys %s", why);
		goto out;
	}
	if (lk_jwk_set_parse(text, len, ring, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "public keys %s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	free(text);
	if (rc == -1) {
		lk_keyring_clear(ring);
		ring->verify_only = 1;
	}
	return rc;
}

const struct lk_key *
lk_keyring_find(const struct lk_keyring *ring, const char *kid)
{
	size_t	i;

	if (!ring->verify_only && strcmp(ring->current.kid, kid) == 0)
		return &ring->current;
	for (i = 0; i < ring->nprevious; i++)
		if (strcmp(ring->previous[i].kid, kid) == 0)
			return &ring->previous[i];
	return NULL;
}

int
lk_keyring_live(const struct lk_keyring *ring, const struct lk_key *key,
    long long now, long long max_lifetime)
{
	if (key == &ring->current || ring->verify_only || key->retired == 0)
		return 1;
	return key->retired + max_lifetime >= now;
}

void
lk_keyring_clear(struct lk_keyring *ring)
{
	size_t	i;

	lk_key_clear(&ring->current);
	for (i = 0; i < LK_RING_MAX; i++)
		lk_key_clear(&ring->previous[i]);
	lk_explicit_bzero(ring, sizeof(*ring));
}

/* What identifies one file's content: it changes when the file does. */
static uint64_t
stamp_of(int dirfd, const char *name)
{
	static const unsigned char	 zero[16];
	struct stat			 st;
	struct {
		unsigned long long	 dev, ino, size, sec, nsec, mode;
		uint64_t		 name;
	}				 id;

	memset(&id, 0, sizeof(id));
	id.name = lk_siphash24(zero, name, strlen(name));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		id.dev = (unsigned long long)st.st_dev;
		id.ino = (unsigned long long)st.st_ino;
		id.size = (unsigned long long)st.st_size;
		id.sec = (unsigned long long)st.st_mtim.tv_sec;
		id.nsec = (unsigned long long)st.st_mtim.tv_nsec;
		id.mode = (unsigned long long)st.st_mode;
	}
	return lk_siphash24(zero, &id, sizeof(id));
}

uint64_t
lk_keyring_stamp(const char *path, int public)
{
	char		 ppath[4096];
	DIR		*d;
	struct dirent	*e;
	uint64_t	 acc = 1;
	int		 fd;

	if (!public)
		return previous_path(path, ppath, sizeof(ppath)) == 0 ?
		    stamp_of(AT_FDCWD, path) ^ (stamp_of(AT_FDCWD, ppath) * 3) :
		    stamp_of(AT_FDCWD, path);
	/* A JWKS file (or nothing there). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_DIRECTORY)) == -1)
		return stamp_of(AT_FDCWD, path);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	/*
	 * The KID.pem files, summed whatever order readdir gives; other
	 * files (temporary ones of key publish among them) do not count.
	 */
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && pem_name(e->d_name))
			acc += stamp_of(dirfd(d), e->d_name);
	closedir(d);
	return acc;
}

/* Write text to path through a synced temporary file and rename(2). */
static int
replace_file(const char *path, const char *text, size_t len, mode_t mode,
    char *err, size_t errsz)
{
	char	tmp[4096];
	int	fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || lk_write_all(fd, text, len) == -1 ||
	    fsync(fd) == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* The text of a previous-keys file holding ring's previous keys. */
static long
format_previous(const struct lk_keyring *ring, char *out, size_t outsz)
{
	const struct lk_key	*k;
	unsigned char		 der[LK_KEY_DER_MAX];
	char			 pub[LK_B64URL_LEN(LK_KEY_DER_MAX) + 1];
	size_t			 i, len = 0;
	long			 d;
	int			 n;

	out[0] = '\0';
	for (i = 0; i < ring->nprevious; i++) {
		k = &ring->previous[i];
		if (k->alg == LK_KEY_HS256)
			n = snprintf(out + len, outsz - len, "%s %lld %.*s\n",
			    k->kid, k->retired, (int)k->len,
			    (const char *)k->bytes);
		else if ((d = lk_key_public_der(k, der, sizeof(der))) < 0 ||
		    lk_b64url_encode(der, (size_t)d, pub, sizeof(pub)) < 0)
			return -1;
		else
			n = snprintf(out + len, outsz - len, "%s %lld %s %s\n",
			    k->kid, k->retired, lk_key_alg_name(k->alg), pub);
		if (n < 0 || (size_t)n >= outsz - len)
			return -1;
		len += (size_t)n;
	}
	return (long)len;
}

/*
 * Write ring's previous keys to PATH.previous (synced, renamed into
 * place, mode 0600).  Returns 0 or -1.
 */
static int
write_previous(const struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	char	*text, ppath[4096];
	long	 len;
	int	 rc = -1;

	if ((text = malloc(PREV_FILE_MAX)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (previous_path(path, ppath, sizeof(ppath)) == -1 ||
	    (len = format_previous(ring, text, PREV_FILE_MAX)) < 0)
		(void)snprintf(err, errsz, "%s: cannot write the previous keys",
		    path);
	else if (replace_file(ppath, text, (size_t)len, 0600, err,
	    errsz) == 0)
		rc = 0;
	lk_explicit_bzero(text, PREV_FILE_MAX);
	free(text);
	return rc;
}

/* The keyring in a heap allocation (keys stay off the stack), or NULL. */
static struct lk_keyring *
ring_load(const char *path, char *err, size_t errsz)
{
	struct lk_keyring	*ring;

	if ((ring = calloc(1, sizeof(*ring))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (lk_keyring_load(ring, path, err, errsz) == -1) {
		free(ring);
		return NULL;
	}
	return ring;
}

static void
ring_free(struct lk_keyring *ring)
{
	if (ring != NULL) {
		lk_keyring_clear(ring);
		free(ring);
	}
}

int
lk_keyring_rotate(const char *path, enum lk_key_alg alg, long long now,
    char *err, size_t errsz)
{
	struct lk_keyring	*ring;
	struct lk_key		*old;
	struct stat		 st;
	char			 ppath[4096], newkey[4096];
	int			 rc = -1;

	if (lk_key_alg_name(alg) == NULL) {
		(void)snprintf(err, errsz, "no such algorithm");
		return -1;
	}
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	if (ring->nprevious >= LK_KEYS_MAX) {
		(void)snprintf(err, errsz, "%d previous keys kept already: run "
		    "'latchkey key prune' first", LK_KEYS_MAX);
		goto out;
	}
	/* The current key moves to the previous keys: no copy owns twice. */
	old = &ring->previous[ring->nprevious++];
	*old = ring->current;
	memset(&ring->current, 0, sizeof(ring->current));
	old->retired = now;
	if (previous_path(path, ppath, sizeof(ppath)) == -1 ||
	    write_previous(ring, path, err, errsz) == -1)
		goto out;
	/* The new key, made beside the old one, then moved over it. */
	if (snprintf(newkey, sizeof(newkey), "%s.new", path) >= (int)sizeof(newkey))
		goto out;
	(void)unlink(newkey);
	if ((alg == LK_KEY_HS256 ? lk_key_generate(newkey, err, errsz) :
	    lk_key_generate_pair(newkey, alg, err, errsz)) == -1)
		goto out;
	/*
	 * An administrator rotating as root keeps the files readable by the
	 * web server's user that owns the old key.
	 */
	if (geteuid() == 0 && stat(path, &st) == 0 &&
	    (chown(newkey, st.st_uid, st.st_gid) == -1 ||
	    chown(ppath, st.st_uid, st.st_gid) == -1)) {
		(void)snprintf(err, errsz, "%s: %s", newkey, strerror(errno));
		(void)unlink(newkey);
		goto out;
	}
	if (rename(newkey, path) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(newkey);
		goto out;
	}
	rc = 0;
out:
	ring_free(ring);
	return rc;
}

int
lk_keyring_prune(const char *path, long long now, long long max_lifetime,
    size_t *dropped, char *err, size_t errsz)
{
	struct lk_keyring	*ring;
	size_t			 i, n, kept = 0;
	int			 rc = 0;

	*dropped = 0;
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	n = ring->nprevious;
	for (i = 0; i < n; i++) {
		if (!lk_keyring_live(ring, &ring->previous[i], now,
		    max_lifetime)) {
			(*dropped)++;
			lk_key_clear(&ring->previous[i]);
			continue;
		}
		if (kept != i) {
			/* Moved down: the old slot owns nothing any more. */
			ring->previous[kept] = ring->previous[i];
			memset(&ring->previous[i], 0, sizeof(ring->previous[i]));
		}
		kept++;
	}
	ring->nprevious = kept;
	if (*dropped > 0)
		rc = write_previous(ring, path, err, errsz);
	ring_free(ring);
	return rc;
}

/* The public PEM of key into DIR/KID.pem. */
static int
publish_one(const struct lk_key *key, const char *dir, char *err,
    size_t errsz)
{
	BIO	*mem;
	char	*text, path[4096];
	long	 len;
	int	 rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s.pem", dir, key->kid) >=
	    (int)sizeof(path)) {
		(void)snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(mem, key->pkey) != 1 ||
	    (len = BIO_get_mem_data(mem, &text)) <= 0)
		(void)snprintf(err, errsz, "%s: cannot encode the key", path);
	else
		rc = replace_file(path, text, (size_t)len, 0644, err, errsz);
	BIO_free(mem);
	ERR_clear_error();
	return rc;
}

/* Remove DIR/KID.pem files of keys ring does not publish. */
static int
unpublish(const struct lk_keyring *ring, const char *dir, long long now,
    long long max_lifetime, size_t *removed, char *err, size_t errsz)
{
	const struct lk_key	*k;
	DIR			*d;
	struct dirent		*e;
	char			 kid[LK_KID_LEN + 1];
	int			 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		(void)snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!kid_name(e->d_name))
			continue;
		memcpy(kid, e->d_name, LK_KID_LEN);
		kid[LK_KID_LEN] = '\0';
		if ((k = lk_keyring_find(ring, kid)) != NULL &&
		    k->alg != LK_KEY_HS256 &&
		    lk_keyring_live(ring, k, now, max_lifetime))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == -1) {
			(void)snprintf(err, errsz, "%s/%s: %s", dir, e->d_name,
			    strerror(errno));
			rc = -1;
			break;
		}
		(*removed)++;
	}
	closedir(d);
	return rc;
}

int
lk_keyring_publish(const char *path, const char *dir, long long now,
    long long max_lifetime, size_t *written, size_t *removed, char *err,
    size_t errsz)
{
	struct lk_keyring	*ring;
	const struct lk_key	*k;
	struct stat		 st;
	size_t			 i;
	int			 rc = -1;

	*written = *removed = 0;
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		(void)snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)snprintf(err, errsz, "%s: not a directory that only its "
		    "owner may write", dir);
		goto out;
	}
	for (i = 0; i <= ring->nprevious; i++) {
		k = i == 0 ? &ring->current : &ring->previous[i - 1];
		if (k->alg == LK_KEY_HS256 ||
		    !lk_keyring_live(ring, k, now, max_lifetime))
			continue;
		if (publish_one(k, dir, err, errsz) == -1)
			goto out;
		(*written)++;
	}
	rc = unpublish(ring, dir, now, max_lifetime, removed, err, errsz);
out:
	ring_free(ring);
	return rc;
}
