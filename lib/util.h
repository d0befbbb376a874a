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

#endif
