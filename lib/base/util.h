#ifndef LK_UTIL_H
#define LK_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Small helpers shared by every module: constant-time comparison, the OS
 * random source, bounded string handling.
 */

/*
 * Compare two byte strings in time that depends only on their lengths.
 * Returns 1 when they are equal (same length, same bytes), 0 otherwise.
 */
int	lk_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/*
 * Fill buf with n bytes from the kernel's random source (getrandom(2)).
 * Returns 0, or -1 if the source failed (the caller must fail closed).
 */
int	lk_random_bytes(void *buf, size_t n);

/*
 * Write a random (version 4) UUID in its 36-character text form, plus NUL,
 * to out.  Returns 0, or -1 if the random source failed.
 */
int	lk_uuid4(char out[37]);

/*
 * Copy src into dst of size dstsz, always NUL-terminating.
 * Returns 0, or -1 if src did not fit (dst then holds nothing useful).
 */
int	lk_strlcpy(char *dst, const char *src, size_t dstsz);

/*
 * Parse a whole string as a decimal integer in [min, max].
 * Returns 0 and sets *out, or -1 on any garbage, sign or range error.
 */
int	lk_parse_ll(const char *s, long long min, long long max, long long *out);

/*
 * Case-insensitive ASCII comparison of two NUL-terminated strings.
 * Returns 1 when equal.
 */
int	lk_ascii_caseeq(const char *a, const char *b);

/*
 * Check that s[0..len) is valid UTF-8 (no overlongs, no surrogates), with
 * no NUL and no control characters (C0, DEL, C1).  Returns the number of
 * code points, or -1 if the string is not acceptable.
 */
long	lk_utf8_text_len(const char *s, size_t len);

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void	lk_explicit_bzero(void *p, size_t n);

/*
 * Decode one UTF-8 sequence at s[0..len) in its shortest form, not a
 * surrogate, at most U+10FFFF.  Returns the number of bytes it takes (1 to
 * 4) and sets *cp, or -1 if the bytes are not such a sequence.
 */
int	lk_utf8_decode(const unsigned char *s, size_t len, unsigned long *cp);

/*
 * Write n bytes as lower-case hex plus NUL to out (2n + 1 bytes needed).
 * Returns 0, or -1 if out is too small.
 */
int	lk_hex_encode(const void *in, size_t n, char *out, size_t outsz);

/* The value of hex digit c (either case), or -1 if c is none. */
int	lk_hex_value(unsigned char c);

/* The sixteen digits, lower and upper case, for escapes of one byte. */
extern const char lk_hex_lower[17];
extern const char lk_hex_upper[17];

/*
 * Append s to out at *o, percent-encoded (RFC 3986: every byte but the
 * unreserved A-Z a-z 0-9 - . _ ~ and those in keep as %XX, upper case),
 * NUL-terminated, *o moved past it.  Returns 0, or -1 if it does not fit.
 */
int	lk_url_escape(const char *s, const char *keep, char *out,
	    size_t outsz, size_t *o);

/* The number of characters base64url without padding needs for n bytes. */
#define LK_B64URL_LEN(n)	(((n) / 3) * 4 + ((n) % 3 == 0 ? 0 : (n) % 3 + 1))

/*
 * Encode n bytes as base64url without padding (RFC 4648 section 5) plus
 * NUL.  Returns the length written, or -1 if out is too small.
 */
long	lk_b64url_encode(const void *in, size_t n, char *out, size_t outsz);

/* The number of characters padded base64 needs for n bytes. */
#define LK_B64_LEN(n)	((((n) + 2) / 3) * 4)

/*
 * Encode n bytes as standard base64 with padding (RFC 4648 section 4, as
 * RFC 2047's encoded-words want) plus NUL.  Returns the length written,
 * or -1 if out is too small.
 */
long	lk_b64_encode(const void *in, size_t n, char *out, size_t outsz);

/*
 * Decode unpadded base64url strictly: only the URL-safe alphabet, no '=',
 * no whitespace, and the canonical form only (unused trailing bits zero),
 * so that each byte string has exactly one accepted spelling.  Returns the
 * decoded length, or -1.
 */
long	lk_b64url_decode(const char *in, size_t len, void *out, size_t outsz);

/*
 * SipHash-2-4 of data under a 16-byte key: a keyed hash for tables that
 * hold what requests send, so that no one can aim at a bucket.
 */
uint64_t lk_siphash24(const unsigned char key[16], const void *data,
	    size_t len);

/* Write all n bytes to fd, retrying on EINTR.  Returns 0, or -1 (errno set). */
int	lk_write_all(int fd, const void *buf, size_t n);

/*
 * Read fd to its end into buf, NUL-terminated, retrying on EINTR.  Returns
 * 0 with *len set, 1 when the file fills bufsz - 1 bytes or more (too
 * large: buf then holds a part), or -1 (errno set).
 */
int	lk_read_all(int fd, char *buf, size_t bufsz, size_t *len);

/*
 * Read a whole private file into buf (NUL-terminated): a regular file,
 * not a symbolic link, that neither group nor others may read or write,
 * of at most bufsz - 1 bytes.  Returns 1 with *len set, 0 if the file does
 * not exist (buf then holds ""), or -1 with a reason naming path in err.
 */
int	lk_read_private(const char *path, char *buf, size_t bufsz,
	    size_t *len, char *err, size_t errsz);

/*
 * The name of the user the process runs as (its effective uid), or
 * "uid N" for a uid without one, in buf: what a log line about a file the
 * program cannot use must name.  Returns buf.
 */
const char *lk_effective_user(char *buf, size_t bufsz);

#endif
