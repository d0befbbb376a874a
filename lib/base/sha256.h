#ifndef LK_SHA256_H
#define LK_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), in process: the
 * hottest path of every request (the HS256 signature of its token, the
 * kid of a key) costs neither OpenSSL's start-up, which is most of a
 * plain-CGI request, nor a context built per call: an HMAC key's inner
 * and outer states are computed once and copied for each message.
 */

#define LK_SHA256_LEN	32
#define LK_SHA256_BLOCK	64

struct lk_sha256 {
	uint32_t	h[8];
	uint64_t	len;		/* bytes hashed so far */
	unsigned char	buf[LK_SHA256_BLOCK];
	size_t		n;		/* bytes in buf */
};

void	lk_sha256_init(struct lk_sha256 *);
void	lk_sha256_update(struct lk_sha256 *, const void *data, size_t len);
void	lk_sha256_final(struct lk_sha256 *, unsigned char out[LK_SHA256_LEN]);

/* SHA-256 of data in one call. */
void	lk_sha256(const void *data, size_t len, unsigned char out[LK_SHA256_LEN]);

/* A key made ready for HMAC-SHA256: its inner and outer states. */
struct lk_hmac_key {
	struct lk_sha256	inner, outer;
};

/* Prepare key (any length; longer than a block is hashed first, per RFC 2104). */
void	lk_hmac_sha256_key(struct lk_hmac_key *, const void *key, size_t len);

/* HMAC-SHA256 of data under a prepared key. */
void	lk_hmac_sha256(const struct lk_hmac_key *, const void *data, size_t len,
	    unsigned char out[LK_SHA256_LEN]);

#endif
