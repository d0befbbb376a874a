/*
 * HTTP Basic credentials of OAuth clients (RFC 7617, RFC 6749 2.3.1).
 */
#include <string.h>
#include <strings.h>

#include "base/form.h"
#include "base/util.h"
#include "http/basic.h"

#define BASIC_MAX	1024	/* bytes of the base64 we decode */

enum lk_basic_res
lk_basic_parse(const char *header, char *id, size_t idsz, char *secret,
    size_t secretsz)
{
	char		 b64[BASIC_MAX + 1], raw[BASIC_MAX];
	const char	*v, *colon;
	size_t		 n, i, pad = 0;
	long		 len;
	enum lk_basic_res r = LK_BASIC_BAD;

	if (idsz == 0 || secretsz == 0)
		return LK_BASIC_BAD;
	id[0] = secret[0] = '\0';
	if (header == NULL || *header == '\0')
		return LK_BASIC_NONE;
	if (strncasecmp(header, "Basic ", 6) != 0)
		return LK_BASIC_NONE;
	v = header + 6;
	n = strlen(v);
	if (n == 0 || n > BASIC_MAX || n % 4 != 0)
		return LK_BASIC_BAD;
	/* The standard alphabet, as base64url with its padding taken off. */
	for (i = 0; i < n; i++) {
		if (v[i] == '=') {
			if (i < n - 2 || (i == n - 2 && v[n - 1] != '='))
				return LK_BASIC_BAD;
			pad++;
			continue;
		}
		if (v[i] == '-' || v[i] == '_')
			return LK_BASIC_BAD;
		b64[i] = v[i] == '+' ? '-' : v[i] == '/' ? '_' : v[i];
	}
	b64[n - pad] = '\0';
	if ((len = lk_b64url_decode(b64, n - pad, raw, sizeof(raw))) <= 0)
		goto out;
	if ((colon = memchr(raw, ':', (size_t)len)) == NULL || colon == raw)
		goto out;
	if (lk_form_decode(raw, (size_t)(colon - raw), id, idsz) <= 0 ||
	    lk_form_decode(colon + 1, (size_t)(raw + len - colon - 1), secret,
	    secretsz) < 0)
		goto out;
	r = LK_BASIC_OK;
out:
	lk_explicit_bzero(raw, sizeof(raw));
	lk_explicit_bzero(b64, sizeof(b64));
	if (r != LK_BASIC_OK) {
		lk_explicit_bzero(id, idsz);
		lk_explicit_bzero(secret, secretsz);
	}
	return r;
}
