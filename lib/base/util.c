#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

const char	lk_hex_lower[17] = "0123456789abcdef";
const char	lk_hex_upper[17] = "0123456789ABCDEF";
#define hexdigits	lk_hex_lower

int
lk_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char	*pa = a, *pb = b;
	unsigned char			 diff;
	size_t				 i;

	/*
	 * Walk the longer length in full so that the time does not reveal
	 * where the first difference is; lengths themselves are not secret.
	 */
	diff = (alen != blen);
	for (i = 0; i < alen && i < blen; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}

int
lk_random_bytes(void *buf, size_t n)
{
	unsigned char	*p = buf;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
lk_uuid4(char out[37])
{
	unsigned char		 b[16];
	size_t			 i, o;

	if (lk_random_bytes(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexdigits[b[i] >> 4];
		out[o++] = hexdigits[b[i] & 0x0f];
	}
	out[o] = '\0';
	lk_explicit_bzero(b, sizeof(b));
	return 0;
}

int
lk_strlcpy(char *dst, const char *src, size_t dstsz)
{
	size_t	len;

	if (dstsz == 0)
		return -1;
	len = strlen(src);
	if (len >= dstsz) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int
lk_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
lk_ascii_caseeq(const char *a, const char *b)
{
	unsigned char	ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return 0;
		if (ca == '\0')
			return 1;
	}
}

long
lk_utf8_text_len(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 i = 0;
	long			 n = 0;
	int			 k;

	while (i < len) {
		if ((k = lk_utf8_decode(p + i, len - i, &cp)) < 0)
			return -1;
		/* No C0 controls, DEL or C1 controls. */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return -1;
		i += (size_t)k;
		n++;
	}
	return n;
}

void
lk_explicit_bzero(void *p, size_t n)
{
	explicit_bzero(p, n);
}

int
lk_utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long	v;
	size_t		need, k;

	if (len == 0)
		return -1;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		v = s[0] & 0x1f;
		need = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		v = s[0] & 0x0f;
		need = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		v = s[0] & 0x07;
		need = 3;
	} else
		return -1;
	if (len <= need)
		return -1;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if ((need == 1 && v < 0x80) || (need == 2 && v < 0x800) ||
	    (need == 3 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = v;
	return (int)need + 1;
}


int
lk_hex_encode(const void *in, size_t n, char *out, size_t outsz)
{
	const unsigned char	*p = in;
	size_t			 i;

	if (outsz == 0 || n > (outsz - 1) / 2)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[p[i] >> 4];
		out[2 * i + 1] = hexdigits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return 0;
}

int
lk_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char	b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char	b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * The one base64 encoder: n bytes in the alphabet given, padded with '='
 * to whole quanta or not, plus NUL.  Returns the length, or -1.
 */
static long
b64_encode(const void *in, size_t n, char *out, size_t outsz,
    const char *alphabet, int pad)
{
	const unsigned char	*p = in;
	unsigned long		 v;
	size_t			 i, o = 0;

	if (outsz == 0 || (pad ? LK_B64_LEN(n) : LK_B64URL_LEN(n)) >= outsz)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = ((unsigned long)p[i] << 16) | ((unsigned long)p[i + 1] << 8) |
		    p[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = ((unsigned long)p[i] << 16) | ((unsigned long)p[i + 1] << 8);
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (long)o;
}

long
lk_b64url_encode(const void *in, size_t n, char *out, size_t outsz)
{
	return b64_encode(in, n, out, outsz, b64url_alphabet, 0);
}

long
lk_b64_encode(const void *in, size_t n, char *out, size_t outsz)
{
	return b64_encode(in, n, out, outsz, b64_alphabet, 1);
}

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
lk_b64url_decode(const char *in, size_t len, void *out, size_t outsz)
{
	unsigned char	*o = out;
	unsigned long	 acc = 0;
	size_t		 i, n = 0;
	int		 bits = 0, v;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz)
				return -1;
			o[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one spelling per byte string. */
	if (acc != 0)
		return -1;
	return (long)n;
}

int
lk_write_all(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
lk_read_all(int fd, char *buf, size_t bufsz, size_t *len)
{
	size_t	n = 0;
	ssize_t	r;

	*len = 0;
	while (n + 1 < bufsz) {
		r = read(fd, buf + n, bufsz - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n + 1 >= bufsz)
		return 1;
	buf[n] = '\0';
	*len = n;
	return 0;
}

int
lk_read_private(const char *path, char *buf, size_t bufsz, size_t *len,
    char *err, size_t errsz)
{
	struct stat	st;
	int		fd, rc = -1;

	*len = 0;
	if (bufsz > 0)
		buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 0;
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errsz, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		(void)snprintf(err, errsz, "%s: mode %04o lets group or others "
		    "read it; it must be mode 0600: run chmod 600 on it", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	switch (lk_read_all(fd, buf, bufsz, len)) {
	case 0:
		rc = 1;
		break;
	case 1:
		(void)snprintf(err, errsz, "%s: larger than %zu bytes", path,
		    bufsz - 1);
		break;
	default:
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		break;
	}
out:
	if (rc == -1 && bufsz > 0)
		lk_explicit_bzero(buf, bufsz);
	close(fd);
	return rc;
}

const char *
lk_effective_user(char *buf, size_t bufsz)
{
	struct passwd	*pw;
	uid_t		 uid = geteuid();

	if ((pw = getpwuid(uid)) != NULL && pw->pw_name != NULL &&
	    lk_strlcpy(buf, pw->pw_name, bufsz) == 0)
		return buf;
	(void)snprintf(buf, bufsz, "uid %lu", (unsigned long)uid);
	return buf;
}

#define SIP_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);	\
	v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t
lk_siphash24(const unsigned char key[16], const void *data, size_t len)
{
	const unsigned char	*p = data;
	uint64_t		 k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t		 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t		 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t		 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t		 v3 = 0x7465646279746573ULL ^ k1;
	size_t			 i, left = len % 8;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(p + i);
		v3 ^= m;
		SIP_ROUND(v0, v1, v2, v3);
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	for (; left > 0; left--)
		b |= (uint64_t)p[i + left - 1] << (8 * (left - 1));
	v3 ^= b;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

int
lk_url_escape(const char *s, const char *keep, char *out, size_t outsz,
    size_t *o)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || strchr(keep, *p) != NULL) {
			if (*o + 1 >= outsz)
				return -1;
			out[(*o)++] = (char)*p;
			continue;
		}
		if (*o + 3 >= outsz)
			return -1;
		out[(*o)++] = '%';
		out[(*o)++] = lk_hex_upper[*p >> 4];
		out[(*o)++] = lk_hex_upper[*p & 15];
	}
	if (*o >= outsz)
		return -1;
	out[*o] = '\0';
	return 0;
}
