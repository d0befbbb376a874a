#ifndef LK_BASIC_H
#define LK_BASIC_H

#include <stddef.h>

/*
 * HTTP Basic credentials (RFC 7617) as OAuth clients send them to the
 * token, revocation and introspection endpoints (RFC 6749 2.3.1): the
 * client's id and secret each form-urlencoded, then joined with ':' and
 * base64-encoded (the standard alphabet, padded).
 */

enum lk_basic_res {
	LK_BASIC_OK,
	LK_BASIC_NONE,		/* no Authorization, or another scheme */
	LK_BASIC_BAD,		/* Basic, but not a valid id and secret */
	LK_BASIC__MAX
};

/*
 * Read the Authorization header value header ("" or NULL for none) into
 * id and secret (NUL-terminated, each bounded by its size).  The scheme
 * is matched without regard to case, one space after it; the base64
 * must be whole (padding included) and decode to "ID:SECRET" with a
 * non-empty id, and each part must form-decode (lk_form_decode: no bad
 * escape, NUL or invalid UTF-8) within its buffer.  On anything but
 * LK_BASIC_OK, id and secret are empty.
 */
enum lk_basic_res lk_basic_parse(const char *header, char *id, size_t idsz,
	    char *secret, size_t secretsz);

#endif
