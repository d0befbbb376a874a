#include <string.h>

#include "base/sha256.h"
#include "base/util.h"
#include "domain/onetime.h"

static unsigned long	hashes;

static int
hash_bytes(const unsigned char raw[LK_ONETIME_BYTES],
    char hash[LK_ONETIME_HASH_LEN + 1])
{
	unsigned char	md[LK_SHA256_LEN];
	int		rc;

	hashes++;
	lk_sha256(raw, LK_ONETIME_BYTES, md);
	rc = lk_hex_encode(md, sizeof(md), hash, LK_ONETIME_HASH_LEN + 1);
	lk_explicit_bzero(md, sizeof(md));
	return rc;
}

int
lk_onetime_new(char token[LK_ONETIME_TOKEN_LEN + 1],
    char hash[LK_ONETIME_HASH_LEN + 1])
{
	unsigned char	raw[LK_ONETIME_BYTES];
	int		rc = -1;

	token[0] = '\0';
	hash[0] = '\0';
	if (lk_random_bytes(raw, sizeof(raw)) == -1 ||
	    lk_b64url_encode(raw, sizeof(raw), token, LK_ONETIME_TOKEN_LEN + 1) !=
	    LK_ONETIME_TOKEN_LEN ||
	    hash_bytes(raw, hash) == -1) {
		lk_explicit_bzero(token, LK_ONETIME_TOKEN_LEN + 1);
		hash[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	lk_explicit_bzero(raw, sizeof(raw));
	return rc;
}

int
lk_onetime_hash(const char *token, size_t len,
    char hash[LK_ONETIME_HASH_LEN + 1])
{
	unsigned char	raw[LK_ONETIME_BYTES];
	int		rc = -1;

	hash[0] = '\0';
	/* Strict and canonical: one spelling per token, nothing else. */
	if (len != LK_ONETIME_TOKEN_LEN ||
	    lk_b64url_decode(token, len, raw, sizeof(raw)) != LK_ONETIME_BYTES)
		goto out;
	if (hash_bytes(raw, hash) == -1) {
		hash[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	lk_explicit_bzero(raw, sizeof(raw));
	return rc;
}

unsigned long
lk_onetime_hash_count(void)
{
	return hashes;
}
