#include <string.h>

#include "csrf.h"
#include "util.h"

static const char *const msgs[LK_CSRF__MAX] = {
	"",					/* LK_CSRF_OK */
	"Missing CSRF token",			/* LK_CSRF_MISSING */
	"CSRF double submit tokens do not match", /* LK_CSRF_MISMATCH */
};

static const struct {
	const char	*name;
	unsigned int	 bit;
} methods[] = {
	{ "GET", LK_METHOD_GET },
	{ "HEAD", LK_METHOD_HEAD },
	{ "POST", LK_METHOD_POST },
	{ "PUT", LK_METHOD_PUT },
	{ "PATCH", LK_METHOD_PATCH },
	{ "DELETE", LK_METHOD_DELETE },
	{ "OPTIONS", LK_METHOD_OPTIONS },
};

unsigned int
lk_method_bit(const char *method)
{
	size_t	i;

	/* Methods are case-sensitive (RFC 9110 section 9.1). */
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].bit;
	return 0;
}

int
lk_csrf_applies(const struct lk_config *cfg, const char *method)
{
	return cfg->csrf_protect &&
	    (lk_method_bit(method) & cfg->csrf_methods) != 0;
}

enum lk_csrf_res
lk_csrf_check(const char *header, const char *claim)
{
	if (header == NULL || header[0] == '\0')
		return LK_CSRF_MISSING;
	if (claim == NULL || claim[0] == '\0')
		return LK_CSRF_MISMATCH;
	return lk_ct_equal(header, strlen(header), claim, strlen(claim)) ?
	    LK_CSRF_OK : LK_CSRF_MISMATCH;
}

const char *
lk_csrf_msg(enum lk_csrf_res res)
{
	return res < LK_CSRF__MAX ? msgs[res] : msgs[LK_CSRF_MISMATCH];
}
