#ifndef LK_CSRF_H
#define LK_CSRF_H

#include "config.h"

/*
 * CSRF double submit, as flask-jwt-extended does it: on the configured
 * methods the header (X-CSRF-TOKEN by default) must equal the token's csrf
 * claim, which the script reads from the non-HttpOnly csrf cookie.
 */

enum lk_csrf_res {
	LK_CSRF_OK,
	LK_CSRF_MISSING,	/* "Missing CSRF token" */
	LK_CSRF_MISMATCH,	/* "CSRF double submit tokens do not match" */
	LK_CSRF__MAX
};

/* Whether the CSRF rule applies to the request method (e.g. "PATCH"). */
int	lk_csrf_applies(const struct lk_config *cfg, const char *method);

/*
 * Compare the header value (NULL if absent) with the claim in constant
 * time.  An empty header counts as missing.
 */
enum lk_csrf_res lk_csrf_check(const char *header, const char *claim);

/* flask-jwt-extended's message for res. */
const char *lk_csrf_msg(enum lk_csrf_res res);

/* Parse a method name into its LK_METHOD_* bit, or 0 if unknown. */
unsigned int lk_method_bit(const char *method);

#endif
