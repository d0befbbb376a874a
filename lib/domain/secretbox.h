#ifndef LK_SECRETBOX_H
#define LK_SECRETBOX_H

#include <stddef.h>

#include "base/util.h"

/*
 * Sealing small secrets (TOTP seeds) for the database with AES-256-GCM
 * under a key that lives in a file of its own, so that a stolen database
 * alone opens nothing.  Sealed text is "v1." + base64url(nonce ‖
 * ciphertext ‖ tag), with a random 96-bit nonce per seal.  Associated
 * data binds a sealed value to its place (the user id): a value copied
 * into another user's row does not open.
 */

#define LK_SECRETBOX_KEY_LEN	32	/* bytes: AES-256 */
#define LK_SECRETBOX_NONCE_LEN	12	/* bytes: GCM's 96-bit IV */
#define LK_SECRETBOX_TAG_LEN	16	/* bytes: the full GCM tag */
#define LK_SECRETBOX_DATA_MAX	1024	/* bytes of plaintext, and of aad */

/* Characters of sealed text (plus 1 for the NUL) for n bytes of plaintext. */
#define LK_SECRETBOX_SEALED_LEN(n) (3 + LK_B64URL_LEN(LK_SECRETBOX_NONCE_LEN + \
	(n) + LK_SECRETBOX_TAG_LEN))

struct lk_secretbox_key {
	unsigned char	bytes[LK_SECRETBOX_KEY_LEN];
};

/*
 * Create a key file at path: 64 random hex digits and a newline, mode
 * 0600, written and synced under a temporary name and linked into place,
 * so an existing key is never overwritten (fails if path exists).
 * Returns 0, or -1 with a reason in err.
 */
int	lk_secretbox_key_generate(const char *path, char *err, size_t errsz);

/*
 * Read the key file at path (as lk_read_private: a regular file that
 * group and others cannot read or write): exactly 64 hex digits and an
 * optional newline.  Returns 0, or -1 with a reason in err (missing file,
 * wrong mode, any other content); the key is wiped on failure.
 */
int	lk_secretbox_key_load(struct lk_secretbox_key *key, const char *path,
	    char *err, size_t errsz);

/* Wipe a key from memory. */
void	lk_secretbox_key_clear(struct lk_secretbox_key *key);

/*
 * Seal len bytes (at most LK_SECRETBOX_DATA_MAX) bound to aad (aadlen at
 * most LK_SECRETBOX_DATA_MAX; may be empty) into out as sealed text plus
 * NUL; out needs LK_SECRETBOX_SEALED_LEN(len) + 1 bytes.  Returns the
 * length written, or -1 (sizes, random source or OpenSSL failure).
 */
long	lk_secretbox_seal(const struct lk_secretbox_key *key,
	    const void *in, size_t len, const void *aad, size_t aadlen,
	    char *out, size_t outsz);

/*
 * Open sealed text in[0..len) bound to aad into out.  Refuses anything but
 * "v1." and canonical base64url of at least nonce and tag, a tag that does
 * not verify (wrong key, aad, or any changed byte), and an out smaller
 * than the plaintext.  Returns the plaintext length, or -1 with out
 * wiped.
 */
long	lk_secretbox_open(const struct lk_secretbox_key *key,
	    const char *in, size_t len, const void *aad, size_t aadlen,
	    void *out, size_t outsz);

#endif
