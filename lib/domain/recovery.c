#include <string.h>

#include <openssl/evp.h>

#include "base/util.h"
#include "domain/recovery.h"

static const char	alphabet[] = LK_RECOVERY_ALPHABET;

#define NSYMBOLS	(sizeof(alphabet) - 1)
/* Bytes at or above this multiple of NSYMBOLS would bias the draw. */
#define DRAW_LIMIT	(256 - 256 % NSYMBOLS)

/* Fill sym with n uniform alphabet characters. */
static int
draw(char *sym, size_t n)
{
	unsigned char	pool[64];
	size_t		i = 0, p = sizeof(pool);
	int		rc = -1;

	while (i < n) {
		if (p == sizeof(pool)) {
			if (lk_random_bytes(pool, sizeof(pool)) == -1)
				goto out;
			p = 0;
		}
		if (pool[p] < DRAW_LIMIT)
			sym[i++] = alphabet[pool[p] % NSYMBOLS];
		p++;
	}
	rc = 0;
out:
	lk_explicit_bzero(pool, sizeof(pool));
	return rc;
}

int
lk_recovery_generate(char codes[LK_RECOVERY_COUNT][LK_RECOVERY_LEN + 1])
{
	char	sym[LK_RECOVERY_CHARS];
	size_t	i, j, k, o, draws = 0;
	int	rc = -1;

	for (i = 0; i < LK_RECOVERY_COUNT; ) {
		/* A source that repeats itself is broken: fail, do not spin. */
		if (++draws > 2 * LK_RECOVERY_COUNT ||
		    draw(sym, sizeof(sym)) == -1)
			goto out;
		for (j = o = 0; j < LK_RECOVERY_CHARS; j++) {
			if (j > 0 && j % LK_RECOVERY_GROUP == 0)
				codes[i][o++] = '-';
			codes[i][o++] = sym[j];
		}
		codes[i][o] = '\0';
		/* 99 bits make a repeat absurd, but a set must not hold one. */
		for (k = 0; k < i; k++)
			if (strcmp(codes[k], codes[i]) == 0)
				break;
		if (k == i)
			i++;
	}
	rc = 0;
out:
	lk_explicit_bzero(sym, sizeof(sym));
	if (rc == -1)
		lk_explicit_bzero(codes, sizeof(codes[0]) * LK_RECOVERY_COUNT);
	return rc;
}

int
lk_recovery_hash(const char *input, size_t len,
    char out[LK_RECOVERY_HASH_LEN + 1])
{
	char		 norm[LK_RECOVERY_CHARS];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 i, n = 0;
	int		 rc = -1;
	char		 c;

	out[0] = '\0';
	if (len > LK_RECOVERY_INPUT_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = input[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		/* memchr, not strchr: a NUL must not match the terminator. */
		if (n == sizeof(norm) || memchr(alphabet, c, NSYMBOLS) == NULL)
			goto out;
		norm[n++] = c;
	}
	if (n != sizeof(norm) ||
	    EVP_Digest(norm, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32 ||
	    lk_hex_encode(md, mdlen, out, LK_RECOVERY_HASH_LEN + 1) == -1)
		goto out;
	rc = 0;
out:
	lk_explicit_bzero(norm, sizeof(norm));
	lk_explicit_bzero(md, sizeof(md));
	return rc;
}
