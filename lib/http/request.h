#ifndef LK_REQUEST_H
#define LK_REQUEST_H

#include <stddef.h>


/*
 * One HTTP request as the web server hands it over, through FastCGI or
 * plain CGI.  Everything is copied out of the server's parameters into
 * bounded buffers, so nothing points into memory the next request reuses.
 */

#define LK_METHOD_NAME_MAX	16
#define LK_HEADER_MAX		1024
#define LK_ADDR_MAX		64
#define LK_PATH_MAX		1024
#define LK_URI_MAX		4096	/* longest REQUEST_URI kept */
#define LK_COOKIE_HEADER_MAX	8192	/* longest Cookie header we parse */
#define LK_USER_AGENT_MAX	256	/* kept, cut to this many bytes */

struct lk_io;

struct lk_request {
	char	 method[LK_METHOD_NAME_MAX];
	char	 content_type[LK_HEADER_MAX];
	int	 has_content_type;
	long long content_length;	/* -1 if absent */
	char	 cookie[LK_COOKIE_HEADER_MAX + 1];
	int	 has_cookie;
	int	 cookie_too_long;
	char	 csrf_header[LK_HEADER_MAX];
	int	 has_csrf_header;
	int	 csrf_header_too_long;
	char	 origin[LK_HEADER_MAX];
	int	 has_origin;
	char	 referer[LK_HEADER_MAX];
	int	 has_referer;
	char	 host[LK_ADDR_MAX * 4];	/* the Host header */
	int	 https;			/* HTTPS=on or REQUEST_SCHEME=https */
	char	 preflight_method[LK_METHOD_NAME_MAX];	/* Access-Control-Request-Method */
	char	 remote_addr[LK_ADDR_MAX];
	char	 path_info[LK_PATH_MAX];
	char	 uri[LK_URI_MAX + 1];	/* REQUEST_URI: path and query */
	int	 has_uri;
	int	 uri_too_long;
	char	 user_agent[LK_USER_AGENT_MAX];	/* printable ASCII, cut */
	char	 accept[LK_HEADER_MAX];	/* the Accept header, "" if too long */
	/* The Authorization header (GET /metrics's bearer token), "" if too long. */
	char	 authorization[LK_HEADER_MAX];
	char	*body;			/* NUL-terminated, or NULL */
	size_t	 body_len;
	struct lk_io *io;		/* where it came from, for lk_request_param */
};

enum lk_req_err {
	LK_REQ_OK,
	LK_REQ_TOO_LARGE,	/* 413: CONTENT_LENGTH over the limit */
	LK_REQ_BAD_LENGTH,	/* 400: CONTENT_LENGTH not a number */
	LK_REQ_SHORT,		/* 400: the body ended early */
	LK_REQ_NOMEM,		/* 500 */
	LK_REQ__MAX
};

/*
 * Fill req from the request parameters of io, the CSRF token from the
 * header csrf_header (e.g. "X-CSRF-TOKEN").  Bounds every copy; a header
 * too long for its buffer is noted, not truncated into a wrong value
 * (the User-Agent alone is cut, and kept to printable ASCII, since it is
 * only ever shown).  Never reads HTTP_PROXY.
 */
void	lk_request_load(struct lk_request *req, struct lk_io *io,
	    const char *csrf_header);

/*
 * Read exactly CONTENT_LENGTH bytes of body after checking it against
 * max_body.  A request with no body reads nothing.
 */
enum lk_req_err lk_request_read_body(struct lk_request *req,
	    struct lk_io *io, size_t max_body);

/*
 * The origin ("scheme://host[:port]") the request was sent from: its
 * Origin header, else the start of its Referer.  Returns 1 and fills out,
 * 0 if the request names none, -1 if what it names is unusable.
 */
int	lk_request_origin(const struct lk_request *req, char *out,
	    size_t outsz);

/* The site's own origin as the request reached it ("https://" Host). */
void	lk_request_own_origin(const struct lk_request *req, char *out,
	    size_t outsz);

/*
 * Copy the request parameter name (a CGI variable: "HTTP_X_FORWARDED_URI"
 * for the header X-Forwarded-Uri) of the request being served into out,
 * for the few headers a single endpoint reads.  Returns 1 if present and
 * copied, 0 if absent, -1 if present but too long (out is then empty).
 */
int	lk_request_param(const struct lk_request *req, const char *name,
	    char *out, size_t outsz);

/*
 * Whether the request's Accept header names text/html (with a q-value
 * above 0): what a browser loading a page sends.
 */
int	lk_request_accepts_html(const struct lk_request *req);

/* Whether the content type is JSON (application/json, optional charset=utf-8). */
int	lk_request_is_json(const struct lk_request *req);

/* Free the body and wipe the whole struct for the next request. */
void	lk_request_reset(struct lk_request *req);

#endif
