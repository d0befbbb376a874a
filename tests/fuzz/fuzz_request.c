/*
 * libFuzzer harness: a whole FastCGI request as the programs parse it,
 * before any decision: the parameters (lk_request_load), the body read
 * against CONTENT_LENGTH and max_body (lk_request_read_body), the content
 * type check, the strict JSON object parser and the string fields, the
 * cookie and the CSRF header.
 *
 * Input: "NAME=value" parameter lines, an empty line, then the body the
 * web server streams (which may be shorter or longer than CONTENT_LENGTH).
 * The parameters and the body reach the library through a real
 * FCGX_Request whose input stream is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "base/json.h"
#include "domain/config.h"
#include "domain/cookie.h"
#include "domain/csrf.h"
#include "domain/token.h"
#include "http/io.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARAMS	64

/* The body ends where the input ends: the stream then reports closed. */
static void
fill_closed(FCGX_Stream *s)
{
	s->isClosed = 1;
}

static void
fields(struct json_object *obj)
{
	static const char *const keys[] = { "email", "password", "name" };
	const char	*s;
	size_t		 i, len;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (lk_json_get_string(obj, keys[i], &s, &len) ==
		    LK_JSON_FIELD_OK && strlen(s) != len)
			abort();	/* an embedded NUL got through */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lk_config	 cfg;
	static int		 ready;
	struct lk_request	 req;
	FCGX_Request		 fr;
	FCGX_Stream		 in;
	struct lk_io		 io;
	struct json_object	*obj;
	char			*copy, *p, *end, *nl, *envp[MAX_PARAMS + 1];
	char			 tok[LK_TOKEN_MAX + 1];
	unsigned char		*body;
	size_t			 n = 0, blen;

	if (!ready) {
		lk_config_defaults(&cfg);
		ready = 1;
	}
	/* Parameters are C strings: the copy is cut at NULs by the parser. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	end = copy + size;
	body = (unsigned char *)end;
	while (p < end && n < MAX_PARAMS) {
		if (*p == '\n') {		/* the empty line: body follows */
			body = (unsigned char *)p + 1;
			break;
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		envp[n++] = p;
		p = nl + 1;
	}
	envp[n] = NULL;
	blen = (size_t)((unsigned char *)end - body);
	if ((unsigned char *)end < body)
		blen = 0;

	memset(&in, 0, sizeof(in));
	in.rdNext = in.stopUnget = body;
	in.stop = in.wrNext = body + blen;
	in.isReader = 1;
	in.fillBuffProc = fill_closed;
	memset(&fr, 0, sizeof(fr));
	fr.in = &in;
	fr.envp = envp;
	memset(&io, 0, sizeof(io));
	io.fcgi = &fr;

	/* The JSON parser alone, on the raw bytes, whatever the headers say. */
	if ((obj = lk_json_parse_object((const char *)body, blen)) != NULL) {
		fields(obj);
		json_object_put(obj);
	}

	memset(&req, 0, sizeof(req));
	lk_request_load(&req, &io, cfg.csrf_header_name);
	if (lk_request_read_body(&req, &io, cfg.max_body) == LK_REQ_OK &&
	    req.body != NULL) {
		if (req.body_len > cfg.max_body)
			abort();
		if (lk_request_is_json(&req) &&
		    (obj = lk_json_parse_object(req.body, req.body_len)) !=
		    NULL) {
			if (!json_object_is_type(obj, json_type_object))
				abort();
			fields(obj);
			json_object_put(obj);
		}
	}
	if (lk_cookie_get(req.has_cookie ? req.cookie : NULL,
	    cfg.access_cookie_name, tok, sizeof(tok)) == LK_COOKIE_FOUND &&
	    req.has_csrf_header)
		(void)lk_csrf_check(req.csrf_header, tok);
	(void)lk_config_csrf_applies(&cfg, req.method);
	lk_request_reset(&req);
	free(copy);
	return 0;
}
