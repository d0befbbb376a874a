#ifndef LK_METHOD_H
#define LK_METHOD_H

#include <stddef.h>

/*
 * HTTP methods, in one table: the bits endpoints and the CSRF rule name
 * them by, the names requests carry, and the Allow header made from bits.
 */

#define LK_METHOD_GET		0x01u
#define LK_METHOD_HEAD		0x02u
#define LK_METHOD_POST		0x04u
#define LK_METHOD_PUT		0x08u
#define LK_METHOD_PATCH		0x10u
#define LK_METHOD_DELETE	0x20u
#define LK_METHOD_OPTIONS	0x40u

/* Methods whose requests carry a body (and change state). */
#define LK_METHODS_WITH_BODY	(LK_METHOD_POST | LK_METHOD_PUT | \
				 LK_METHOD_PATCH | LK_METHOD_DELETE)

/* Longest Allow text: every name, ", "-separated, plus NUL. */
#define LK_METHOD_ALLOW_MAX	64

/*
 * The bit of a method name, compared exactly (methods are case-sensitive,
 * RFC 9110 section 9.1), or 0 for any other name.
 */
unsigned int lk_method_bit(const char *name);

/*
 * The Allow header's value for a set of bits, in the table's order
 * ("GET, HEAD, PATCH"), written to out (LK_METHOD_ALLOW_MAX bytes).
 */
void	lk_method_allow(unsigned int bits, char out[LK_METHOD_ALLOW_MAX]);

/*
 * Parse a list of method names separated by spaces, tabs or commas into
 * bits.  Returns 0, or -1 for an unknown or over-long name.
 */
int	lk_method_list(const char *list, unsigned int *bits);

#endif
