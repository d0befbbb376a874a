#ifndef LK_RECOVERY_H
#define LK_RECOVERY_H

#include <stddef.h>

/*
 * Recovery codes: the second factor of last resort, shown once, stored
 * only as hashes, each good once.  A code is 20 characters from an
 * alphabet without the look-alikes 0 O 1 I L (31 symbols: 99 bits), in
 * five groups of four, "7KQD-M2XH-..."; 4 groups of 4 would give only 79
 * bits with so small an alphabet.
 */

#define LK_RECOVERY_COUNT	10	/* codes per set */
#define LK_RECOVERY_CHARS	20	/* significant characters of a code */
#define LK_RECOVERY_GROUP	4	/* characters between dashes */
#define LK_RECOVERY_LEN		(LK_RECOVERY_CHARS + \
	LK_RECOVERY_CHARS / LK_RECOVERY_GROUP - 1)	/* as shown: 24 */
#define LK_RECOVERY_INPUT_MAX	64	/* bytes of typed input considered */
#define LK_RECOVERY_HASH_LEN	64	/* hex digits of SHA-256 */

/* The alphabet, for tests and for a form's input hint. */
#define LK_RECOVERY_ALPHABET	"23456789ABCDEFGHJKMNPQRSTUVWXYZ"

/*
 * Fill codes with LK_RECOVERY_COUNT distinct fresh codes in their shown
 * form (dashes between groups, NUL-terminated), each character drawn
 * uniformly from the alphabet.  Returns 0, or -1 if the random source
 * failed (codes are wiped then).
 */
int	lk_recovery_generate(char codes[LK_RECOVERY_COUNT][LK_RECOVERY_LEN + 1]);

/*
 * Write the storage hash of a code, or of what a user typed for one, to
 * out: lower-case hex SHA-256 of the normalised code (ASCII letters upper
 * cased, dashes and spaces removed), so "7kqd m2xh-..." and "7KQD-M2XH-..."
 * hash alike.  Refuses (returns -1, out "") input longer than
 * LK_RECOVERY_INPUT_MAX bytes, or whose remaining characters are not
 * exactly LK_RECOVERY_CHARS of the alphabet.  Returns 0.
 */
int	lk_recovery_hash(const char *input, size_t len,
	    char out[LK_RECOVERY_HASH_LEN + 1]);

#endif
