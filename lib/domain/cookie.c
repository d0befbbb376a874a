#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "domain/cookie.h"
#include "http/response.h"

/* RFC 6265 cookie-octet: no controls, space, DQUOTE, comma, ';' or '\'. */
static int
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

static int
is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

enum lk_cookie_res
lk_cookie_get(const char *hdr, const char *name, char *out, size_t outsz)
{
	const char	*p, *end, *eq, *nb, *ne, *vb;
	size_t		 namelen, hlen, vlen;

	if (outsz > 0)
		out[0] = '\0';
	if (hdr == NULL)
		return LK_COOKIE_ABSENT;
	hlen = strlen(hdr);
	if (hlen > LK_COOKIE_HEADER_MAX)
		return LK_COOKIE_BAD;
	namelen = strlen(name);

	for (p = hdr; *p != '\0'; p = (*end == ';') ? end + 1 : end) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		/* One pair: [nb, ne) = [vb, ve), trimmed of spaces and tabs. */
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			continue;
		nb = p;
		while (nb < eq && (*nb == ' ' || *nb == '\t'))
			nb++;
		ne = eq;
		while (ne > nb && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		if ((size_t)(ne - nb) != namelen ||
		    memcmp(nb, name, namelen) != 0)
			continue;
		vb = eq + 1;
		while (vb < end && (*vb == ' ' || *vb == '\t'))
			vb++;
		vlen = (size_t)(end - vb);
		while (vlen > 0 && (vb[vlen - 1] == ' ' || vb[vlen - 1] == '\t'))
			vlen--;
		/* A value may be wrapped in one pair of double quotes. */
		if (vlen >= 2 && vb[0] == '"' && vb[vlen - 1] == '"') {
			vb++;
			vlen -= 2;
		}
		if (vlen == 0)
			return LK_COOKIE_ABSENT;
		if (vlen >= outsz)
			return LK_COOKIE_TOO_LONG;
		memcpy(out, vb, vlen);
		out[vlen] = '\0';
		return LK_COOKIE_FOUND;
	}
	return LK_COOKIE_ABSENT;
}

int
lk_cookie_format(char *out, size_t outsz, const char *name, const char *value,
    const struct lk_cookie_attr *attr, long long now)
{
	const char	*ss;
	char		 date[64];
	size_t		 len = 0;
	int		 n;
	const char	*p;
	time_t		 t;
	struct tm	 tm;

	if (*name == '\0')
		return -1;
	for (p = name; *p != '\0'; p++)
		if (!is_token_char((unsigned char)*p))
			return -1;
	for (p = value; *p != '\0'; p++)
		if (!is_cookie_octet((unsigned char)*p))
			return -1;

#define APPEND(...) do {						\
	n = snprintf(out + len, outsz - len, __VA_ARGS__);		\
	if (n < 0 || (size_t)n >= outsz - len)				\
		return -1;						\
	len += (size_t)n;						\
} while (0)
	if (outsz == 0)
		return -1;
	/* Attributes in the order Werkzeug writes them. */
	APPEND("%s=%s", name, value);
	if (attr->domain != NULL && attr->domain[0] != '\0')
		APPEND("; Domain=%s", attr->domain);
	if (attr->max_age == 0) {
		/* Clearing: old browsers read Expires, new ones Max-Age. */
		APPEND("; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0");
	} else if (attr->max_age > 0) {
		t = (time_t)(now + attr->max_age);
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
		    &tm) == 0)
			return -1;
		APPEND("; Expires=%s; Max-Age=%lld", date, attr->max_age);
	}
	if (attr->secure)
		APPEND("; Secure");
	if (attr->http_only)
		APPEND("; HttpOnly");
	APPEND("; Path=%s", attr->path != NULL ? attr->path : "/");
	if ((ss = lk_samesite_str(attr->samesite)) != NULL)
		APPEND("; SameSite=%s", ss);
#undef APPEND
	return 0;
}

void
lk_cookie_attr_access(const struct lk_config *cfg, struct lk_cookie_attr *attr,
    int http_only)
{
	memset(attr, 0, sizeof(*attr));
	attr->path = http_only ? cfg->access_cookie_path :
	    cfg->access_csrf_cookie_path;
	attr->domain = cfg->cookie_domain;
	attr->secure = cfg->cookie_secure;
	attr->http_only = http_only;
	attr->samesite = cfg->cookie_samesite;
	/*
	 * A persistent access cookie lives as long as a refresh can: an
	 * expired token must still reach the server, which answers "Token
	 * has expired" so that the app refreshes.
	 */
	attr->max_age = cfg->session_cookie ? -1 : cfg->refresh_token_expires;
}

void
lk_cookie_attr_refresh(const struct lk_config *cfg,
    struct lk_cookie_attr *attr, int http_only)
{
	memset(attr, 0, sizeof(*attr));
	attr->path = http_only ? cfg->refresh_cookie_path :
	    cfg->refresh_csrf_cookie_path;
	attr->domain = cfg->cookie_domain;
	attr->secure = cfg->cookie_secure;
	attr->http_only = http_only;
	attr->samesite = cfg->cookie_samesite;
	attr->max_age = cfg->session_cookie ? -1 : cfg->refresh_token_expires;
}

void
lk_cookie_set(struct lk_response *resp, const char *name, const char *value,
    const struct lk_cookie_attr *attr, long long now)
{
	char	buf[LK_SET_COOKIE_MAX];

	if (lk_cookie_format(buf, sizeof(buf), name, value, attr, now) == -1) {
		resp->failed = 1;
		return;
	}
	lk_response_header(resp, "Set-Cookie", "%s", buf);
	lk_explicit_bzero(buf, sizeof(buf));
}
