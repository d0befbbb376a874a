#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/io.h"
#include "http/response.h"

static const struct {
	int		 code;
	const char	*text;
} statuses[] = {
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 302, "Found" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *
lk_status_text(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == status)
			return statuses[i].text;
	return "Unknown";
}

void
lk_response_reset(struct lk_response *r)
{
	size_t	i, used;

	/*
	 * Headers and body may hold cookies: wipe, not just forget.  Only
	 * header slots up to nheaders (and the one a refused header was
	 * written into) can hold anything, and of each only the bytes a
	 * header was written into; the rest stay zero from the last reset.
	 * Wiping all 100 KiB twice a request cost the profile endpoint ~8%
	 * of its CPU, and whole 8.5 KiB slots a forward-auth grant ~2%
	 * (perf, bench/analysis.md).
	 */
	used = r->nheaders < LK_RESP_HEADERS_MAX ? r->nheaders + 1 :
	    LK_RESP_HEADERS_MAX;
	for (i = 0; i < used; i++) {
		memset(r->headers[i], 0, r->header_used[i] < LK_RESP_HEADER_MAX ?
		    r->header_used[i] : LK_RESP_HEADER_MAX);
		r->header_used[i] = 0;
	}
	/* The body the same way: 128 KiB for a QR code, a few bytes mostly. */
	memset(r->body, 0, r->body_used < sizeof(r->body) ? r->body_used :
	    sizeof(r->body));
	r->nheaders = 0;
	r->body_len = 0;
	r->body_used = 0;
	r->failed = 0;
	r->bare = 0;
	r->cache = NULL;
	r->type = NULL;
	r->status = 500;
}

void
lk_response_header(struct lk_response *r, const char *name,
    const char *fmt, ...)
{
	va_list	ap;
	int	n, m;
	char	*h;
	size_t	prior;

	if (r->nheaders >= LK_RESP_HEADERS_MAX) {
		r->failed = 1;
		return;
	}
	h = r->headers[r->nheaders];
	/*
	 * Until the header is known to fit, the slot is wiped whole at the
	 * next reset; a refused header before this one in the same slot keeps
	 * it so.
	 */
	prior = r->header_used[r->nheaders];
	r->header_used[r->nheaders] = LK_RESP_HEADER_MAX;
	n = snprintf(h, LK_RESP_HEADER_MAX, "%s: ", name);
	if (n < 0 || n >= LK_RESP_HEADER_MAX) {
		r->failed = 1;
		return;
	}
	va_start(ap, fmt);
	m = vsnprintf(h + n, LK_RESP_HEADER_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || m >= LK_RESP_HEADER_MAX - n ||
	    strpbrk(h, "\r\n") != NULL) {
		h[0] = '\0';
		r->failed = 1;
		return;
	}
	/* It fits: the header and its terminating NUL are all it wrote. */
	r->header_used[r->nheaders] = prior > (size_t)n + (size_t)m + 1 ?
	    prior : (size_t)n + (size_t)m + 1;
	r->nheaders++;
}

void
lk_response_json(struct lk_response *r, int status,
    const struct lk_json_out *out)
{
	long	n;

	n = lk_json_out_write(out, r->body, sizeof(r->body));
	if (n < 0) {
		/* Cut short anywhere in the buffer: all of it is wiped. */
		r->body_used = sizeof(r->body);
		r->failed = 1;
		return;
	}
	r->status = status;
	r->body_len = (size_t)n;
	if (r->body_used < (size_t)n + 1)
		r->body_used = (size_t)n + 1;
}

void
lk_response_json_text(struct lk_response *r, int status, const char *json,
    size_t len)
{
	if (len + 2 > sizeof(r->body)) {
		r->failed = 1;
		return;
	}
	memcpy(r->body, json, len);
	r->body[len] = '\n';
	r->body[len + 1] = '\0';
	r->status = status;
	r->body_len = len + 1;
	if (r->body_used < len + 2)
		r->body_used = len + 2;
}

void
lk_response_text(struct lk_response *r, int status, const char *type,
    const char *text, size_t len)
{
	if (len + 1 > sizeof(r->body)) {
		r->failed = 1;
		return;
	}
	memcpy(r->body, text, len);
	r->body[len] = '\0';
	r->status = status;
	r->type = type;
	r->body_len = len;
	if (r->body_used < len + 1)
		r->body_used = len + 1;
}

void
lk_response_msg(struct lk_response *r, int status, const char *msg)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "msg", msg);
	lk_response_json(r, status, &o);
}


int
lk_response_send(const struct lk_response *r, struct lk_io *io)
{
	static const char	 fallback[] = "{\"msg\":\"Internal error\"}\n";
	char			 head[256];
	const char		*body = r->body;
	const char		*cache = "no-store";
	const char		*type = "application/json";
	size_t			 i, blen = r->body_len;
	int			 n, status = r->status;

	if (r->failed) {
		status = 500;
		body = fallback;
		blen = sizeof(fallback) - 1;
	} else {
		if (r->cache != NULL && status == 200)
			cache = r->cache;
		if (r->type != NULL)
			type = r->type;
	}
	if (r->bare && !r->failed) {
		n = snprintf(head, sizeof(head), "Status: %d %s\r\n\r\n",
		    status, lk_status_text(status));
		if (n < 0 || (size_t)n >= sizeof(head))
			return -1;
		return lk_io_write(io, head, (size_t)n) == -1 ? -1 : 0;
	}
	if (status == 204)
		n = snprintf(head, sizeof(head), "Status: 204 %s\r\n"
		    "Cache-Control: no-store\r\n", lk_status_text(status));
	else
		n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
		    "Content-Type: %s\r\n"
		    "Cache-Control: %s\r\n"
		    "Content-Length: %zu\r\n", status, lk_status_text(status),
		    type, cache, blen);
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    lk_io_write(io, head, (size_t)n) == -1)
		return -1;
	/* A failed response carries none of its headers (no half-set cookies). */
	for (i = 0; !r->failed && i < r->nheaders; i++)
		if (lk_io_write(io, r->headers[i], strlen(r->headers[i])) == -1 ||
		    lk_io_write(io, "\r\n", 2) == -1)
			return -1;
	if (lk_io_write(io, "\r\n", 2) == -1 ||
	    (status != 204 && lk_io_write(io, body, blen) == -1))
		return -1;
	return 0;
}
