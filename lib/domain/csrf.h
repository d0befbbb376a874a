#ifndef LK_CSRF_H
#define LK_CSRF_H

/*
 * CSRF double submit, as flask-jwt-extended does it: on the configured
 * methods the header (X-CSRF-TOKEN by default) must equal the token's csrf
 * claim, which the script reads from the non-HttpOnly csrf cookie.
 */

enum lk_csrf_res {
	LK_CSRF_OK,
	LK_CSRF_MISSING,	/* no header, or an empty one */
	LK_CSRF_MISMATCH,	/* header and claim differ */
	LK_CSRF__MAX
};

/*
 * Compare the header value (NULL if absent) with the claim in constant
 * time.  An empty header counts as missing.
 */
enum lk_csrf_res lk_csrf_check(const char *header, const char *claim);

#endif
