#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/sha256.h"
#include "base/util.h"
#include "t.h"

static const char *
hex(const unsigned char *d)
{
	static char	out[2 * LK_SHA256_LEN + 1];

	(void)lk_hex_encode(d, LK_SHA256_LEN, out, sizeof(out));
	return out;
}

static const char *
digest(const char *msg)
{
	unsigned char	d[LK_SHA256_LEN];

	lk_sha256(msg, strlen(msg), d);
	return hex(d);
}

/* FIPS 180-2 appendix B and the NIST examples. */
TEST(sha256_vectors)
{
	struct lk_sha256	s;
	unsigned char		d[LK_SHA256_LEN], chunk[1000];
	int			i;

	CHECK_STR(digest(""),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(digest("abc"),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(chunk, 'a', sizeof(chunk));
	lk_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		lk_sha256_update(&s, chunk, sizeof(chunk));
	lk_sha256_final(&s, d);
	CHECK_STR(hex(d),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Any split of the input, and every length around the block edges, as OpenSSL. */
TEST(sha256_splits_and_lengths_match_openssl)
{
	unsigned char	 msg[300], d[LK_SHA256_LEN], want[EVP_MAX_MD_SIZE];
	unsigned int	 wl;
	struct lk_sha256 s;
	size_t		 n, cut;

	for (n = 0; n < sizeof(msg); n++)
		msg[n] = (unsigned char)(n * 7 + 3);
	for (n = 0; n <= sizeof(msg); n++) {
		(void)EVP_Digest(msg, n, want, &wl, EVP_sha256(), NULL);
		cut = n / 3;
		lk_sha256_init(&s);
		lk_sha256_update(&s, msg, cut);
		lk_sha256_update(&s, msg + cut, n - cut);
		lk_sha256_final(&s, d);
		if (memcmp(d, want, LK_SHA256_LEN) != 0)
			fprintf(stderr, "length %zu differs\n", n);
		CHECK(memcmp(d, want, LK_SHA256_LEN) == 0);
	}
}

static const char *
hmac(const char *key, size_t klen, const char *msg, size_t mlen)
{
	struct lk_hmac_key	hk;
	unsigned char		d[LK_SHA256_LEN];

	lk_hmac_sha256_key(&hk, key, klen);
	lk_hmac_sha256(&hk, msg, mlen, d);
	return hex(d);
}

/* RFC 4231 test cases 1, 2, 3, 4, 6 and 7. */
TEST(hmac_rfc4231)
{
	char	k1[20], k3[20], d3[50], k4[25], d4[50], k6[131];
	int	i;

	memset(k1, 0x0b, sizeof(k1));
	CHECK_STR(hmac(k1, sizeof(k1), "Hi There", 8),
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	CHECK_STR(hmac("Jefe", 4, "what do ya want for nothing?", 28),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k3, 0xaa, sizeof(k3));
	memset(d3, 0xdd, sizeof(d3));
	CHECK_STR(hmac(k3, sizeof(k3), d3, sizeof(d3)),
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (i = 0; i < 25; i++)
		k4[i] = (char)(i + 1);
	memset(d4, 0xcd, sizeof(d4));
	CHECK_STR(hmac(k4, sizeof(k4), d4, sizeof(d4)),
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(k6, 0xaa, sizeof(k6));
	CHECK_STR(hmac(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - "
	    "Hash Key First", 54),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	CHECK_STR(hmac(k6, sizeof(k6), "This is a test using a larger than "
	    "block-size key and a larger than block-size data. The key needs to "
	    "be hashed before being used by the HMAC algorithm.", 152),
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* One prepared key serves many messages, each as a fresh HMAC. */
TEST(hmac_key_is_reused_not_consumed)
{
	struct lk_hmac_key	hk;
	unsigned char		a[LK_SHA256_LEN], b[LK_SHA256_LEN];
	unsigned char		want[EVP_MAX_MD_SIZE];
	unsigned int		wl;
	const char		*key = "0123456789abcdef0123456789abcdef0123456789abcdef"
				    "0123456789abcdef";

	lk_hmac_sha256_key(&hk, key, strlen(key));
	lk_hmac_sha256(&hk, "one", 3, a);
	lk_hmac_sha256(&hk, "two", 3, b);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	lk_hmac_sha256(&hk, "one", 3, b);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	(void)HMAC(EVP_sha256(), key, (int)strlen(key),
	    (const unsigned char *)"one", 3, want, &wl);
	CHECK(memcmp(a, want, sizeof(a)) == 0);
}

int
main(void)
{
	RUN(sha256_vectors);
	RUN(sha256_splits_and_lengths_match_openssl);
	RUN(hmac_rfc4231);
	RUN(hmac_key_is_reused_not_consumed);
	return T_END();
}
