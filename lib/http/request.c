#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "base/util.h"
#include "http/io.h"
#include "http/request.h"

/*
 * Copy a parameter into a buffer.  Returns 1 if present and copied, 0 if
 * absent, -1 if present but too long (the buffer is left empty).
 */
static int
copy_param(struct lk_io *io, const char *name, char *out, size_t outsz)
{
	const char	*v;

	out[0] = '\0';
	if ((v = lk_io_param(io, name)) == NULL)
		return 0;
	return lk_strlcpy(out, v, outsz) == 0 ? 1 : -1;
}

/* The CGI variable name of a request header: X-CSRF-TOKEN -> HTTP_X_CSRF_TOKEN. */
static void
header_var(const char *header, char *out, size_t outsz)
{
	size_t	i, o;

	o = (size_t)snprintf(out, outsz, "HTTP_");
	for (i = 0; header[i] != '\0' && o + 1 < outsz; i++, o++) {
		char c = header[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		else if (c == '-')
			c = '_';
		out[o] = c;
	}
	out[o] = '\0';
}

/* Copy a header that is only ever shown: cut to fit, printable ASCII. */
static void
copy_shown(struct lk_io *io, const char *name, char *out, size_t outsz)
{
	const char	*v;
	size_t		 i;

	out[0] = '\0';
	if ((v = lk_io_param(io, name)) == NULL)
		return;
	for (i = 0; v[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	out[i] = '\0';
}

void
lk_request_load(struct lk_request *req, struct lk_io *io,
    const char *csrf_header)
{
	char		 var[LK_HEADER_MAX], cl[32];
	long long	 n;
	int		 r;

	/*
	 * Every field is set below (a string by copy_param, which empties it
	 * first): no wipe of the whole struct per request.
	 */
	req->content_length = -1;
	req->cookie_too_long = 0;
	req->csrf_header_too_long = 0;
	req->body = NULL;
	req->body_len = 0;
	req->io = io;
	(void)copy_param(io, "REQUEST_METHOD", req->method,
	    sizeof(req->method));
	r = copy_param(io, "CONTENT_TYPE", req->content_type,
	    sizeof(req->content_type));
	req->has_content_type = r != 0;
	r = copy_param(io, "CONTENT_LENGTH", cl, sizeof(cl));
	if (r == 1 && cl[0] != '\0') {
		if (lk_parse_ll(cl, 0, (long long)1 << 40, &n) == 0)
			req->content_length = n;
		else
			req->content_length = -2;	/* garbage */
	} else if (r == -1)
		req->content_length = -2;
	r = copy_param(io, "HTTP_COOKIE", req->cookie, sizeof(req->cookie));
	req->has_cookie = r != 0;
	req->cookie_too_long = r == -1;
	header_var(csrf_header, var, sizeof(var));
	r = copy_param(io, var, req->csrf_header, sizeof(req->csrf_header));
	req->has_csrf_header = r != 0;
	req->csrf_header_too_long = r == -1;
	req->has_origin = copy_param(io, "HTTP_ORIGIN", req->origin,
	    sizeof(req->origin)) != 0;
	req->has_referer = copy_param(io, "HTTP_REFERER", req->referer,
	    sizeof(req->referer)) != 0;
	(void)copy_param(io, "HTTP_HOST", req->host, sizeof(req->host));
	{
		const char *v;

		v = lk_io_param(io, "HTTPS");
		req->https = v != NULL && (strcasecmp(v, "on") == 0 ||
		    strcmp(v, "1") == 0);
		v = lk_io_param(io, "REQUEST_SCHEME");
		if (v != NULL && strcmp(v, "https") == 0)
			req->https = 1;
	}
	(void)copy_param(io, "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
	    req->preflight_method, sizeof(req->preflight_method));
	(void)copy_param(io, "REMOTE_ADDR", req->remote_addr,
	    sizeof(req->remote_addr));
	(void)copy_param(io, "PATH_INFO", req->path_info,
	    sizeof(req->path_info));
	r = copy_param(io, "REQUEST_URI", req->uri, sizeof(req->uri));
	req->has_uri = r == 1;
	req->uri_too_long = r == -1;
	copy_shown(io, "HTTP_USER_AGENT", req->user_agent,
	    sizeof(req->user_agent));
	(void)copy_param(io, "HTTP_ACCEPT", req->accept, sizeof(req->accept));
	if (copy_param(io, "HTTP_AUTHORIZATION", req->authorization,
	    sizeof(req->authorization)) == -1)
		req->authorization[0] = '\0';
	/* HTTP_PROXY (httpoxy) is never read. */
}

/*
 * A body without CONTENT_LENGTH (Apache's mod_cgi passes a chunked one so,
 * the stream's end marking its end): read to the end, never more than
 * max_body bytes, so that one byte more is enough to refuse it.
 */
static enum lk_req_err
read_to_end(struct lk_request *req, struct lk_io *io, size_t max_body)
{
	size_t	got = 0;
	long	r;

	if ((req->body = malloc(max_body + 2)) == NULL)
		return LK_REQ_NOMEM;
	while (got <= max_body) {
		r = lk_io_read(io, req->body + got, max_body + 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got > max_body) {
		lk_explicit_bzero(req->body, got);
		free(req->body);
		req->body = NULL;
		return LK_REQ_TOO_LARGE;
	}
	if (got == 0) {
		free(req->body);
		req->body = NULL;
		return LK_REQ_OK;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return LK_REQ_OK;
}

enum lk_req_err
lk_request_read_body(struct lk_request *req, struct lk_io *io,
    size_t max_body)
{
	size_t	len, got = 0;
	long	r;

	if (req->content_length == -2)
		return LK_REQ_BAD_LENGTH;
	if (req->content_length == -1)
		return read_to_end(req, io, max_body);
	/* Check the announced size before reading a single byte. */
	if ((unsigned long long)req->content_length > max_body)
		return LK_REQ_TOO_LARGE;
	len = (size_t)req->content_length;
	if ((req->body = malloc(len + 1)) == NULL)
		return LK_REQ_NOMEM;
	while (got < len) {
		r = lk_io_read(io, req->body + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return got == len ? LK_REQ_OK : LK_REQ_SHORT;
}

int
lk_request_origin(const struct lk_request *req, char *out, size_t outsz)
{
	const char	*p, *end;
	size_t		 n;

	out[0] = '\0';
	if (req->has_origin) {
		/* "null" (sandboxed or opaque origins) never matches a site. */
		if (req->origin[0] == '\0' || lk_strlcpy(out, req->origin,
		    outsz) == -1)
			return -1;
		return 1;
	}
	if (!req->has_referer || req->referer[0] == '\0')
		return 0;
	if ((p = strstr(req->referer, "://")) == NULL)
		return -1;
	end = strchr(p + 3, '/');
	n = end != NULL ? (size_t)(end - req->referer) : strlen(req->referer);
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, req->referer, n);
	out[n] = '\0';
	return 1;
}

void
lk_request_own_origin(const struct lk_request *req, char *out, size_t outsz)
{
	(void)snprintf(out, outsz, "%s://%s", req->https ? "https" : "http",
	    req->host);
}

int
lk_request_is_json(const struct lk_request *req)
{
	const char	*p = req->content_type, *q;
	static const char json[] = "application/json";
	size_t		 n = sizeof(json) - 1;

	if (!req->has_content_type || strncasecmp(p, json, n) != 0)
		return 0;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 1;
	if (*p++ != ';')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	/* The only parameter JSON may carry is charset, and only UTF-8. */
	if (strncasecmp(p, "charset=", 8) != 0)
		return 0;
	p += 8;
	q = (*p == '"') ? p + 1 : p;
	if (strncasecmp(q, "utf-8", 5) != 0)
		return 0;
	q += 5;
	if (*p == '"' && *q++ != '"')
		return 0;
	while (*q == ' ' || *q == '\t')
		q++;
	return *q == '\0';
}

int
lk_request_param(const struct lk_request *req, const char *name, char *out,
    size_t outsz)
{
	if (outsz == 0)
		return -1;
	if (req->io == NULL) {
		out[0] = '\0';
		return 0;
	}
	return copy_param(req->io, name, out, outsz);
}

int
lk_request_accepts_html(const struct lk_request *req)
{
	const char	*p = req->accept, *e, *q;
	size_t		 n;

	/* The media ranges one by one, types compared without case. */
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, ",; \t");
		e = p + n;
		while (*e != '\0' && *e != ',')
			e++;
		if (n == 9 && strncasecmp(p, "text/html", 9) == 0) {
			/* "q=0", "q=0.0", ... refuses it. */
			q = p + n;
			while ((q = strchr(q, ';')) != NULL && q < e) {
				q++;
				while (*q == ' ' || *q == '\t')
					q++;
				if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
					q += 2;
					if (*q++ != '0')
						return 1;
					if (*q == '.')
						q++;
					while (*q == '0')
						q++;
					return *q >= '1' && *q <= '9';
				}
			}
			return 1;
		}
		p = e;
	}
	return 0;
}

/* Wipe a string field: its bytes are the string and its NUL, no more. */
#define WIPE(f)	lk_explicit_bzero((f), strnlen((f), sizeof(f)))

void
lk_request_reset(struct lk_request *req)
{
	if (req->body != NULL) {
		lk_explicit_bzero(req->body, req->body_len);
		free(req->body);
	}
	/*
	 * Only what the strings hold (the cookie and CSRF header are
	 * secrets): wiping the whole 16 KiB twice a request showed in the
	 * authorizer's profile.
	 */
	WIPE(req->method);
	WIPE(req->content_type);
	WIPE(req->cookie);
	WIPE(req->csrf_header);
	WIPE(req->origin);
	WIPE(req->referer);
	WIPE(req->host);
	WIPE(req->preflight_method);
	WIPE(req->remote_addr);
	WIPE(req->path_info);
	WIPE(req->authorization);
	WIPE(req->user_agent);
	WIPE(req->accept);
	req->has_content_type = 0;
	req->has_cookie = 0;
	req->cookie_too_long = 0;
	req->has_csrf_header = 0;
	req->csrf_header_too_long = 0;
	req->has_origin = 0;
	req->has_referer = 0;
	req->https = 0;
	req->body = NULL;
	req->body_len = 0;
	req->content_length = -1;
	req->io = NULL;
}
