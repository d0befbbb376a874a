/*
 * libFuzzer harness: the Cookie header parser (lk_cookie_get) and the
 * Set-Cookie writer (lk_cookie_format).
 *
 * Input: one byte choosing the cookie name and the output buffer size,
 * then the Cookie header value (cut at the first NUL, as the web server's
 * parameter would be).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/config.h"
#include "domain/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"access_token_cookie", "csrf_access_token", "a", "x y", "",
	"refresh_token_cookie", "__Host-access_token_cookie", "=",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 outszs[] = { 0, 1, 2, 16, 4097, 8193 };
	struct lk_cookie_attr	 attr;
	enum lk_cookie_res	 r;
	char			*hdr, out[8193], set[LK_SET_COOKIE_MAX];
	const char		*name;
	size_t			 outsz, len;

	if (size < 1)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	outsz = outszs[(data[0] >> 3) % (sizeof(outszs) / sizeof(outszs[0]))];
	if ((hdr = malloc(size)) == NULL)
		return 0;
	memcpy(hdr, data + 1, size - 1);
	hdr[size - 1] = '\0';

	r = lk_cookie_get((data[0] & 0x80) ? NULL : hdr, name, out, outsz);
	if (r == LK_COOKIE_FOUND) {
		/* A found value is non-empty, fits, and came from the header. */
		len = strlen(out);
		if (len == 0 || len >= outsz || strstr(hdr, out) == NULL)
			abort();
	}

	/* Whatever came in, the writer must refuse it or write it whole. */
	memset(&attr, 0, sizeof(attr));
	attr.path = "/";
	attr.secure = 1;
	attr.http_only = 1;
	attr.samesite = (enum lk_samesite)(data[0] % LK_SAMESITE__MAX);
	attr.max_age = (data[0] & 0x40) ? 3600 : -1;
	if (lk_cookie_format(set, sizeof(set), name, hdr, &attr,
	    1700000000LL) == 0 && strncmp(set, name, strlen(name)) != 0)
		abort();
	free(hdr);
	return 0;
}
