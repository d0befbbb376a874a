#ifndef LK_COOKIE_H
#define LK_COOKIE_H

#include <stddef.h>

#include "domain/config.h"
#include "http/request.h"

/*
 * Cookie parsing (the request's Cookie header, RFC 6265 section 5.4) and
 * Set-Cookie formatting.
 */

#define LK_SET_COOKIE_MAX	(LK_COOKIE_HEADER_MAX + 256)

struct lk_response;

enum lk_cookie_res {
	LK_COOKIE_FOUND,
	LK_COOKIE_ABSENT,
	LK_COOKIE_TOO_LONG,	/* the value does not fit in the buffer */
	LK_COOKIE_BAD		/* header too long or malformed near the name */
};

/*
 * Find the first cookie called name in the Cookie header value hdr (may be
 * NULL) and copy its value, without surrounding double quotes, into out of
 * size outsz.  Pairs without "=" are skipped, names compare exactly, and
 * the first of several cookies of the same name wins (browsers send the
 * most specific path first).  A cookie whose value is empty counts as
 * absent.
 */
enum lk_cookie_res lk_cookie_get(const char *hdr, const char *name,
	    char *out, size_t outsz);

struct lk_cookie_attr {
	const char	*path;
	const char	*domain;	/* NULL or "" for host-only */
	int		 secure;
	int		 http_only;
	enum lk_samesite samesite;
	long long	 max_age;	/* < 0: session cookie (no Max-Age) */
};

/*
 * Write the value of a Set-Cookie header (without the header name) to out.
 * A max_age of 0 clears the cookie: it also gets an Expires in the past.
 * Returns 0, or -1 if name or value hold characters a cookie cannot carry
 * or the result does not fit.
 */
int	lk_cookie_format(char *out, size_t outsz, const char *name,
	    const char *value, const struct lk_cookie_attr *attr, long long now);

/* The attributes the configuration gives the refresh (or its CSRF) cookie. */
void	lk_cookie_attr_refresh(const struct lk_config *cfg,
	    struct lk_cookie_attr *attr, int http_only);

/* The attributes the configuration gives the access cookie. */
void	lk_cookie_attr_access(const struct lk_config *cfg,
	    struct lk_cookie_attr *attr, int http_only);

/*
 * Add a Set-Cookie header for name=value with attr to the response; marks
 * the response failed (a 500 with no headers) if it cannot be formed.
 */
void	lk_cookie_set(struct lk_response *resp, const char *name,
	    const char *value, const struct lk_cookie_attr *attr, long long now);

#endif
