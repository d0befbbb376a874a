#ifndef LK_KEY_H
#define LK_KEY_H

#include <stddef.h>

/*
 * The secret signing key: one line of text in a file of mode 0600.  The
 * HMAC key is that line's bytes, so the same value works as JWT_SECRET_KEY
 * in flask-jwt-extended.
 */

#define LK_KEY_MIN	43	/* characters: 256 bits in base64 */
#define LK_KEY_MAX	512

struct lk_key {
	unsigned char	bytes[LK_KEY_MAX];
	size_t		len;
};

/*
 * Read the key from path.  Refuses (returns -1 with a reason in err) a
 * missing or unreadable file, a file readable or writable by group or
 * others, a file that is not a regular file, more than one line, a line
 * shorter than LK_KEY_MIN or longer than LK_KEY_MAX, or a line with
 * characters other than printable ASCII.  Returns 0 on success.
 */
int	lk_key_load(struct lk_key *key, const char *path,
	    char *err, size_t errsz);

/*
 * Create a new key file at path with 64 hex digits (256 random bits) and
 * mode 0600.  Never overwrites: fails if the file exists.  The file is
 * written and synced under a temporary name, then linked into place.
 * Returns 0, or -1 with a reason in err.
 */
int	lk_key_generate(const char *path, char *err, size_t errsz);

/* Wipe the key from memory. */
void	lk_key_clear(struct lk_key *key);

#endif
