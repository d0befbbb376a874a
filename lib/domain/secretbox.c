#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/util.h"
#include "domain/key.h"
#include "domain/secretbox.h"

#define PREFIX		"v1."
#define PREFIX_LEN	3
#define RAW_MAX		(LK_SECRETBOX_NONCE_LEN + LK_SECRETBOX_DATA_MAX + \
	LK_SECRETBOX_TAG_LEN)

void
lk_secretbox_key_clear(struct lk_secretbox_key *key)
{
	lk_explicit_bzero(key, sizeof(*key));
}

/*
 * The signing key's generator writes exactly this file (64 hex digits, a
 * newline, mode 0600, synced, linked into place): one copy of that code.
 */
int
lk_secretbox_key_generate(const char *path, char *err, size_t errsz)
{
	return lk_key_generate(path, err, errsz);
}

int
lk_secretbox_key_load(struct lk_secretbox_key *key, const char *path,
    char *err, size_t errsz)
{
	char	buf[2 * LK_SECRETBOX_KEY_LEN + 2 + 1], why[1280];
	size_t	len, i;
	int	r, hi, lo, rc = -1;

	lk_secretbox_key_clear(key);
	r = lk_read_private(path, buf, sizeof(buf), &len, why, sizeof(why));
	if (r == 0) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(ENOENT));
		return -1;
	}
	if (r == -1) {
		(void)snprintf(err, errsz, "key file %s", why);
		return -1;
	}
	if (len == 2 * LK_SECRETBOX_KEY_LEN + 1 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * LK_SECRETBOX_KEY_LEN) {
		(void)snprintf(err, errsz, "key file %s: must be %d hex digits "
		    "and an optional newline", path, 2 * LK_SECRETBOX_KEY_LEN);
		goto out;
	}
	for (i = 0; i < LK_SECRETBOX_KEY_LEN; i++) {
		hi = lk_hex_value((unsigned char)buf[2 * i]);
		lo = lk_hex_value((unsigned char)buf[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			(void)snprintf(err, errsz, "key file %s: must be %d hex "
			    "digits and an optional newline", path,
			    2 * LK_SECRETBOX_KEY_LEN);
			goto out;
		}
		key->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	rc = 0;
out:
	if (rc == -1)
		lk_secretbox_key_clear(key);
	lk_explicit_bzero(buf, sizeof(buf));
	return rc;
}

long
lk_secretbox_seal(const struct lk_secretbox_key *key, const void *in,
    size_t len, const void *aad, size_t aadlen, char *out, size_t outsz)
{
	unsigned char	 raw[RAW_MAX];
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*ct;
	long		 n, rc = -1;
	int		 outl;

	if (outsz > 0)
		out[0] = '\0';
	if (len > LK_SECRETBOX_DATA_MAX || aadlen > LK_SECRETBOX_DATA_MAX ||
	    outsz < LK_SECRETBOX_SEALED_LEN(len) + 1)
		return -1;
	ct = raw + LK_SECRETBOX_NONCE_LEN;
	/* A random 96-bit nonce: 2^32 seals under one key stay safe. */
	if (lk_random_bytes(raw, LK_SECRETBOX_NONCE_LEN) == -1 ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->bytes,
	    raw) != 1)
		goto out;
	if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &outl, aad,
	    (int)aadlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(ctx, ct, &outl, in, (int)len) != 1 ||
	    (size_t)outl != len ||
	    EVP_EncryptFinal_ex(ctx, ct + len, &outl) != 1 || outl != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    LK_SECRETBOX_TAG_LEN, ct + len) != 1)
		goto out;
	memcpy(out, PREFIX, PREFIX_LEN);
	n = lk_b64url_encode(raw, LK_SECRETBOX_NONCE_LEN + len +
	    LK_SECRETBOX_TAG_LEN, out + PREFIX_LEN, outsz - PREFIX_LEN);
	if (n == -1)
		goto out;
	rc = PREFIX_LEN + n;
out:
	if (rc == -1 && outsz > 0)
		lk_explicit_bzero(out, outsz);
	EVP_CIPHER_CTX_free(ctx);
	lk_explicit_bzero(raw, sizeof(raw));
	return rc;
}

long
lk_secretbox_open(const struct lk_secretbox_key *key, const char *in,
    size_t len, const void *aad, size_t aadlen, void *out, size_t outsz)
{
	unsigned char	 raw[RAW_MAX];
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*ct, *tag, fin[LK_SECRETBOX_TAG_LEN];
	size_t		 ctlen;
	long		 n, rc = -1;
	int		 outl;

	if (len < PREFIX_LEN || memcmp(in, PREFIX, PREFIX_LEN) != 0 ||
	    len > LK_SECRETBOX_SEALED_LEN(LK_SECRETBOX_DATA_MAX) ||
	    aadlen > LK_SECRETBOX_DATA_MAX)
		goto out;
	n = lk_b64url_decode(in + PREFIX_LEN, len - PREFIX_LEN, raw,
	    sizeof(raw));
	if (n < LK_SECRETBOX_NONCE_LEN + LK_SECRETBOX_TAG_LEN)
		goto out;
	ctlen = (size_t)n - LK_SECRETBOX_NONCE_LEN - LK_SECRETBOX_TAG_LEN;
	if (ctlen > outsz)
		goto out;
	ct = raw + LK_SECRETBOX_NONCE_LEN;
	tag = ct + ctlen;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->bytes,
	    raw) != 1)
		goto out;
	if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &outl, aad,
	    (int)aadlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, out, &outl, ct, (int)ctlen) != 1 ||
	    (size_t)outl != ctlen ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    LK_SECRETBOX_TAG_LEN, tag) != 1)
		goto out;
	/* The tag is checked here; until then out holds unauthenticated bytes. */
	if (EVP_DecryptFinal_ex(ctx, fin, &outl) != 1 || outl != 0)
		goto out;
	rc = (long)ctlen;
out:
	if (rc == -1 && outsz > 0)
		lk_explicit_bzero(out, outsz);
	EVP_CIPHER_CTX_free(ctx);
	lk_explicit_bzero(raw, sizeof(raw));
	return rc;
}
