#include <string.h>

#include "http/basic.h"
#include "t.h"

static char	id[129], secret[129];

static enum lk_basic_res
parse(const char *h)
{
	return lk_basic_parse(h, id, sizeof(id), secret, sizeof(secret));
}

TEST(an_oauth_client_s_id_and_secret_are_form_decoded)
{
	/* "my%20client:s%3Acret+x" */
	CHECK_INT(parse("Basic bXklMjBjbGllbnQ6cyUzQWNyZXQreA=="), LK_BASIC_OK);
	CHECK_STR(id, "my client");
	CHECK_STR(secret, "s:cret x");
	/* The scheme in any case; an empty secret (a public client). */
	CHECK_INT(parse("basic YTo="), LK_BASIC_OK);
	CHECK_STR(id, "a");
	CHECK_STR(secret, "");
	CHECK_INT(parse("BASIC YWI6Y2Q="), LK_BASIC_OK);
	CHECK_STR(id, "ab");
	CHECK_STR(secret, "cd");
}

TEST(no_basic_is_none)
{
	CHECK_INT(parse(NULL), LK_BASIC_NONE);
	CHECK_INT(parse(""), LK_BASIC_NONE);
	CHECK_INT(parse("Bearer abc"), LK_BASIC_NONE);
	CHECK_INT(parse("Basicx YTo="), LK_BASIC_NONE);
}

TEST(anything_else_is_refused_whole)
{
	CHECK_INT(parse("Basic "), LK_BASIC_BAD);
	CHECK_INT(parse("Basic YQ=="), LK_BASIC_BAD);		/* no ':' */
	CHECK_INT(parse("Basic OnM="), LK_BASIC_BAD);		/* no id */
	CHECK_INT(parse("Basic YTo"), LK_BASIC_BAD);		/* unpadded */
	CHECK_INT(parse("Basic YT=o"), LK_BASIC_BAD);		/* '=' inside */
	CHECK_INT(parse("Basic YWI6Y2Q_"), LK_BASIC_BAD);	/* base64url */
	CHECK_INT(parse("Basic  YTo="), LK_BASIC_BAD);		/* two spaces */
	/* "a%zz:b": a bad escape in the id. */
	CHECK_INT(parse("Basic YSV6ejpi"), LK_BASIC_BAD);
	CHECK_STR(id, "");
	CHECK_STR(secret, "");
}

int
main(void)
{
	RUN(an_oauth_client_s_id_and_secret_are_form_decoded);
	RUN(no_basic_is_none);
	RUN(anything_else_is_refused_whole);
	return T_END();
}
