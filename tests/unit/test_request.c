/*
 * The request and response glue in plain CGI mode: parameters from the
 * environment, body from standard input, response to standard output.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/extern.h"
#include "domain/config.h"
#include "http/request.h"
#include "http/response.h"
#include "t.h"

static struct lk_config	cfg;

/* Feed text to standard input through a pipe. */
static void
stdin_from(const char *text)
{
	int	fd[2];

	if (pipe(fd) == -1)
		exit(1);
	if (write(fd[1], text, strlen(text)) != (ssize_t)strlen(text))
		exit(1);
	close(fd[1]);
	dup2(fd[0], STDIN_FILENO);
	close(fd[0]);
}

static void
env_clear(void)
{
	unsetenv("REQUEST_METHOD");
	unsetenv("CONTENT_TYPE");
	unsetenv("CONTENT_LENGTH");
	unsetenv("HTTP_COOKIE");
	unsetenv("HTTP_X_CSRF_TOKEN");
	unsetenv("PATH_INFO");
	unsetenv("REMOTE_ADDR");
}

TEST(loads_parameters)
{
	struct lk_request	r;
	struct lk_io		io;

	memset(&io, 0, sizeof(io));
	lk_config_defaults(&cfg);
	env_clear();
	setenv("REQUEST_METHOD", "PATCH", 1);
	setenv("CONTENT_TYPE", "application/json", 1);
	setenv("CONTENT_LENGTH", "15", 1);
	setenv("HTTP_COOKIE", "a=b", 1);
	setenv("HTTP_X_CSRF_TOKEN", "tok", 1);
	setenv("REMOTE_ADDR", "127.0.0.1", 1);
	setenv("HTTP_PROXY", "http://evil:8080", 1);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_STR(r.method, "PATCH");
	CHECK_INT(r.content_length, 15);
	CHECK_STR(r.cookie, "a=b");
	CHECK_INT(r.has_cookie, 1);
	CHECK_STR(r.csrf_header, "tok");
	CHECK_INT(r.has_csrf_header, 1);
	CHECK_STR(r.remote_addr, "127.0.0.1");
	CHECK(lk_request_is_json(&r));
	stdin_from("{\"name\":\"Jane\"}");
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_OK);
	CHECK_INT(r.body_len, 15);
	CHECK_STR(r.body, "{\"name\":\"Jane\"}");
	lk_request_reset(&r);
	CHECK(r.body == NULL);
	CHECK_STR(r.method, "");
	CHECK_STR(r.cookie, "");
}

TEST(body_limits)
{
	struct lk_request	r;
	struct lk_io		io;

	memset(&io, 0, sizeof(io));
	lk_config_defaults(&cfg);
	env_clear();
	setenv("REQUEST_METHOD", "POST", 1);
	setenv("CONTENT_LENGTH", "8193", 1);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	/* Refused from the header alone: nothing is read. */
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_TOO_LARGE);
	lk_request_reset(&r);
	setenv("CONTENT_LENGTH", "-1", 1);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_BAD_LENGTH);
	lk_request_reset(&r);
	setenv("CONTENT_LENGTH", "12abc", 1);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_BAD_LENGTH);
	lk_request_reset(&r);
	setenv("CONTENT_LENGTH", "10", 1);
	stdin_from("short");
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_SHORT);
	lk_request_reset(&r);
}

/* A chunked body under mod_cgi comes without CONTENT_LENGTH: read to EOF. */
TEST(a_body_without_a_length_is_read_to_its_end_within_the_limit)
{
	struct lk_request	 r;
	struct lk_io		 io;
	char			*big;

	memset(&io, 0, sizeof(io));
	lk_config_defaults(&cfg);
	env_clear();
	setenv("REQUEST_METHOD", "POST", 1);
	stdin_from("{\"a\":1}");
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(r.content_length, -1);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_OK);
	CHECK_STR(r.body != NULL ? r.body : "(none)", "{\"a\":1}");
	CHECK_INT(r.body_len, 7);
	lk_request_reset(&r);
	stdin_from("");
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_OK);
	CHECK(r.body == NULL);
	lk_request_reset(&r);
	big = malloc(cfg.max_body + 2);
	memset(big, 'x', cfg.max_body + 1);
	big[cfg.max_body] = '\0';
	stdin_from(big);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_OK);
	CHECK_INT(r.body_len, cfg.max_body);
	lk_request_reset(&r);
	big[cfg.max_body] = 'x';
	big[cfg.max_body + 1] = '\0';
	stdin_from(big);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(lk_request_read_body(&r, &io, cfg.max_body), LK_REQ_TOO_LARGE);
	CHECK(r.body == NULL);
	lk_request_reset(&r);
	free(big);
}

TEST(oversized_headers_are_flagged_not_truncated)
{
	struct lk_request	 r;
	struct lk_io		 io;
	char			*big;

	memset(&io, 0, sizeof(io));
	lk_config_defaults(&cfg);
	env_clear();
	big = malloc(LK_COOKIE_HEADER_MAX + 100);
	memset(big, 'a', LK_COOKIE_HEADER_MAX + 99);
	big[LK_COOKIE_HEADER_MAX + 99] = '\0';
	setenv("HTTP_COOKIE", big, 1);
	setenv("HTTP_X_CSRF_TOKEN", big, 1);
	lk_request_load(&r, &io, cfg.csrf_header_name);
	CHECK_INT(r.cookie_too_long, 1);
	CHECK_STR(r.cookie, "");
	CHECK_INT(r.csrf_header_too_long, 1);
	CHECK_STR(r.csrf_header, "");
	free(big);
}

TEST(json_content_types)
{
	struct lk_request	r;
	const char		*yes[] = { "application/json",
				    "Application/JSON", "application/json; charset=utf-8",
				    "application/json;charset=UTF-8",
				    "application/json; charset=\"utf-8\"" };
	const char		*no[] = { "text/plain", "application/jsonx",
				    "application/x-www-form-urlencoded",
				    "multipart/form-data; boundary=x",
				    "application/json; charset=latin1",
				    "application/json; foo=bar", "" };
	size_t			i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.has_content_type = 1;
		(void)snprintf(r.content_type, sizeof(r.content_type), "%s", yes[i]);
		CHECK(lk_request_is_json(&r));
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.has_content_type = 1;
		(void)snprintf(r.content_type, sizeof(r.content_type), "%s", no[i]);
		CHECK(!lk_request_is_json(&r));
	}
	memset(&r, 0, sizeof(r));
	CHECK(!lk_request_is_json(&r));
}

TEST(response_headers_and_failure)
{
	struct lk_response	r;

	memset(&r, 0, sizeof(r));
	lk_response_reset(&r);
	lk_response_msg(&r, 401, "Missing CSRF token");
	CHECK_INT(r.status, 401);
	CHECK_STR(r.body, "{\"msg\":\"Missing CSRF token\"}\n");
	lk_response_header(&r, "Allow", "%s", "POST");
	CHECK_INT(r.nheaders, 1);
	CHECK_STR(r.headers[0], "Allow: POST");
	/* Header injection is refused and fails the whole response. */
	lk_response_header(&r, "X", "%s", "a\r\nSet-Cookie: evil=1");
	CHECK_INT(r.nheaders, 1);
	CHECK_INT(r.failed, 1);
	CHECK_STR(lk_status_text(413), "Content Too Large");
}

/* Every byte of the body is zero. */
static int
body_clean(const struct lk_response *r)
{
	size_t	i;

	for (i = 0; i < sizeof(r->body); i++)
		if (r->body[i] != '\0')
			return 0;
	return 1;
}

TEST(response_reset_wipes_whatever_the_body_held)
{
	static struct lk_response	r;
	static char			big[LK_RESP_BODY_MAX];
	struct lk_json_out		o;

	lk_response_reset(&r);
	memset(big, 'x', sizeof(big) / 2);
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "qr_svg", big);
	lk_response_json(&r, 200, &o);
	CHECK_INT(r.failed, 0);
	CHECK_INT(r.body_len, sizeof(big) / 2 + 14);
	lk_response_reset(&r);
	CHECK(body_clean(&r));
	/* A body that did not fit was cut anywhere: all of it goes. */
	memset(big, 'y', sizeof(big) - 1);
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "qr_svg", big);
	lk_response_json(&r, 200, &o);
	CHECK_INT(r.failed, 1);
	CHECK(!body_clean(&r));
	lk_response_reset(&r);
	CHECK(body_clean(&r));
	CHECK_INT(r.failed, 0);
}

/* Every byte of every header slot is zero. */
static int
headers_clean(const struct lk_response *r)
{
	size_t	i, j;

	for (i = 0; i < LK_RESP_HEADERS_MAX; i++)
		for (j = 0; j < LK_RESP_HEADER_MAX; j++)
			if (r->headers[i][j] != '\0')
				return 0;
	return 1;
}

TEST(response_reset_wipes_whatever_the_headers_held)
{
	static struct lk_response	r;
	static char			big[LK_RESP_HEADER_MAX + 16];

	lk_response_reset(&r);
	lk_response_header(&r, "Set-Cookie", "%s", "access_token_cookie=secret");
	lk_response_header(&r, "Remote-User", "%s", "a@example.com");
	CHECK_INT(r.nheaders, 2);
	lk_response_reset(&r);
	CHECK(headers_clean(&r));
	/* A header too long fills its slot before it is refused ... */
	memset(big, 'z', sizeof(big) - 1);
	lk_response_header(&r, "Set-Cookie", "%s", big);
	CHECK_INT(r.failed, 1);
	CHECK_INT(r.nheaders, 0);
	/* ... and a short one written over it after does not hide the rest. */
	lk_response_header(&r, "Vary", "%s", "Accept");
	CHECK_INT(r.nheaders, 1);
	CHECK(!headers_clean(&r));
	lk_response_reset(&r);
	CHECK(headers_clean(&r));
	/* Every slot, the last included. */
	while (r.nheaders < LK_RESP_HEADERS_MAX)
		lk_response_header(&r, "X-Filler", "%s", "abcdefghijklmnop");
	lk_response_header(&r, "X-One-Too-Many", "%s", "x");
	CHECK_INT(r.failed, 1);
	lk_response_reset(&r);
	CHECK(headers_clean(&r));
}

TEST(origins_from_origin_or_referer)
{
	struct lk_request	r;
	char			o[256];

	memset(&r, 0, sizeof(r));
	CHECK_INT(lk_request_origin(&r, o, sizeof(o)), 0);
	r.has_referer = 1;
	(void)snprintf(r.referer, sizeof(r.referer), "https://a.example:8443/x/y?z");
	CHECK_INT(lk_request_origin(&r, o, sizeof(o)), 1);
	CHECK_STR(o, "https://a.example:8443");
	(void)snprintf(r.referer, sizeof(r.referer), "not a url");
	CHECK_INT(lk_request_origin(&r, o, sizeof(o)), -1);
	r.has_origin = 1;
	(void)snprintf(r.origin, sizeof(r.origin), "null");
	CHECK_INT(lk_request_origin(&r, o, sizeof(o)), 1);
	CHECK_STR(o, "null");
	(void)snprintf(r.host, sizeof(r.host), "127.0.0.1:8080");
	lk_request_own_origin(&r, o, sizeof(o));
	CHECK_STR(o, "http://127.0.0.1:8080");
	r.https = 1;
	lk_request_own_origin(&r, o, sizeof(o));
	CHECK_STR(o, "https://127.0.0.1:8080");
}

int
main(void)
{
	RUN(loads_parameters);
	RUN(body_limits);
	RUN(a_body_without_a_length_is_read_to_its_end_within_the_limit);
	RUN(oversized_headers_are_flagged_not_truncated);
	RUN(json_content_types);
	RUN(response_headers_and_failure);
	RUN(response_reset_wipes_whatever_the_body_held);
	RUN(response_reset_wipes_whatever_the_headers_held);
	RUN(origins_from_origin_or_referer);
	return T_END();
}
