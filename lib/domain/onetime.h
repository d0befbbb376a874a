#ifndef LK_ONETIME_H
#define LK_ONETIME_H

#include <stddef.h>

#include "base/util.h"

/*
 * The tokens of one-time links (a password reset, an invitation, a
 * sign-up's verification): 256 random bits, written base64url without
 * padding (43 characters) for the link, and kept by the store only as
 * their SHA-256 in hex, so that a copy of the database opens no account.
 * The link carries the token in its fragment ("/reset#TOKEN"), which no
 * browser sends to a server or in a Referer.
 */

#define LK_ONETIME_BYTES	32
#define LK_ONETIME_TOKEN_LEN	LK_B64URL_LEN(LK_ONETIME_BYTES)	/* 43 */
#define LK_ONETIME_HASH_LEN	64	/* hex SHA-256 */

/*
 * A fresh token (NUL-terminated) and its hash.  Returns 0, or -1 if the
 * random source failed (both then hold "").
 */
int	lk_onetime_new(char token[LK_ONETIME_TOKEN_LEN + 1],
	    char hash[LK_ONETIME_HASH_LEN + 1]);

/*
 * The hash of the len bytes of token, as lk_onetime_new gave it.  Returns
 * 0, or -1 (hash "") for anything lk_onetime_new cannot have made: another
 * length, a character outside base64url, a non-canonical last character.
 * Such a token matches no stored hash, so the caller answers as for an
 * unknown one.
 */
int	lk_onetime_hash(const char *token, size_t len,
	    char hash[LK_ONETIME_HASH_LEN + 1]);

/*
 * How many hashes this process has computed (lk_onetime_new and
 * lk_onetime_hash alike): the tests count the work of a request with it.
 */
unsigned long lk_onetime_hash_count(void);

#endif
