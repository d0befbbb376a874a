#include <string.h>

#include "base/util.h"
#include "domain/csrf.h"

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
