#include <string.h>

#include "t.h"
#include "base/form.h"

static struct lk_form	f;

static enum lk_form_res
parse(const char *s)
{
	return lk_form_parse(&f, s, strlen(s));
}

TEST(pairs_are_decoded)
{
	CHECK_INT(parse("grant_type=authorization_code&code=a%2Bb+c"
	    "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"), LK_FORM_OK);
	CHECK_INT(f.n, 3);
	CHECK_STR(lk_form_get(&f, "grant_type"), "authorization_code");
	CHECK_STR(lk_form_get(&f, "code"), "a+b c");
	CHECK_STR(lk_form_get(&f, "redirect_uri"), "https://app.example/cb");
	CHECK(lk_form_get(&f, "state") == NULL);
	/* UTF-8 escaped, in either case of hex digit. */
	CHECK_INT(parse("n=%C3%a9"), LK_FORM_OK);
	CHECK_STR(lk_form_get(&f, "n"), "\xc3\xa9");
}

TEST(empty_pairs_skipped_and_bare_names_empty)
{
	CHECK_INT(parse(""), LK_FORM_OK);
	CHECK_INT(f.n, 0);
	CHECK_INT(parse("&a=1&&b&c=&"), LK_FORM_OK);
	CHECK_INT(f.n, 3);
	CHECK_STR(lk_form_get(&f, "a"), "1");
	CHECK_STR(lk_form_get(&f, "b"), "");
	CHECK_STR(lk_form_get(&f, "c"), "");
	/* '=' in a value is the value's. */
	CHECK_INT(parse("a=b=c"), LK_FORM_OK);
	CHECK_STR(lk_form_get(&f, "a"), "b=c");
}

TEST(bad_input_is_refused_whole)
{
	CHECK_INT(parse("a=1&b=%2"), LK_FORM_BAD);
	CHECK_INT(f.n, 0);
	CHECK(lk_form_get(&f, "a") == NULL);
	CHECK_INT(parse("a=%zz"), LK_FORM_BAD);
	CHECK_INT(parse("a=%"), LK_FORM_BAD);
	CHECK_INT(parse("a=x%00y"), LK_FORM_BAD);
	CHECK_INT(parse("=1"), LK_FORM_BAD);
	CHECK_INT(parse("%3D=1&b=2"), LK_FORM_OK);
	CHECK_STR(lk_form_get(&f, "="), "1");
	/* Not UTF-8: a lone continuation byte, an overlong '/'. */
	CHECK_INT(parse("a=%80"), LK_FORM_BAD);
	CHECK_INT(parse("a=%C0%AF"), LK_FORM_BAD);
}

TEST(a_name_given_twice_is_refused)
{
	CHECK_INT(parse("scope=openid&client_id=a&scope=email"),
	    LK_FORM_REPEATED);
	CHECK_STR(f.repeated, "scope");
	CHECK_INT(f.n, 0);
	CHECK(lk_form_get(&f, "client_id") == NULL);
	/* Escaped, it is the same name. */
	CHECK_INT(parse("a=1&%61=2"), LK_FORM_REPEATED);
}

TEST(bounds)
{
	static char	big[LK_FORM_MAX + 2];
	char		many[LK_FORM_FIELDS_MAX * 6 + 8];
	size_t		i, o = 0;

	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'x';
	big[1] = '=';
	CHECK_INT(lk_form_parse(&f, big, LK_FORM_MAX + 1), LK_FORM_TOO_LARGE);
	CHECK_INT(lk_form_parse(&f, big, LK_FORM_MAX), LK_FORM_OK);
	CHECK_INT(strlen(lk_form_get(&f, "x")), LK_FORM_MAX - 2);
	for (i = 0; i < LK_FORM_FIELDS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%s%c%c",
		    i ? "&" : "", 'a' + (int)(i / 26), 'a' + (int)(i % 26));
	CHECK_INT(parse(many), LK_FORM_OK);
	CHECK_INT(f.n, LK_FORM_FIELDS_MAX);
	(void)snprintf(many + o, sizeof(many) - o, "&zz");
	CHECK_INT(parse(many), LK_FORM_TOO_LARGE);
	/* As many one-letter names as fit: every one has room. */
	memset(big, 0, sizeof(big));
	for (i = 0, o = 0; i < LK_FORM_FIELDS_MAX; i++) {
		big[o++] = (char)('A' + (i % 26));
		if (i >= 26)
			big[o++] = (char)('a' + (i % 26));
		big[o++] = '&';
	}
	CHECK_INT(lk_form_parse(&f, big, o), LK_FORM_OK);
	CHECK_INT(f.n, LK_FORM_FIELDS_MAX);
}

TEST(decode_one_component)
{
	char	out[8];

	CHECK_INT(lk_form_decode("a%3Ab+c", 7, out, sizeof(out)), 5);
	CHECK_STR(out, "a:b c");
	CHECK_INT(lk_form_decode("abcdefgh", 8, out, sizeof(out)), -1);
	CHECK_INT(lk_form_decode("abcdefg", 7, out, sizeof(out)), 7);
	CHECK_INT(lk_form_decode("%4", 2, out, sizeof(out)), -1);
	CHECK_INT(lk_form_decode("%00", 3, out, sizeof(out)), -1);
}

int
main(void)
{
	RUN(pairs_are_decoded);
	RUN(empty_pairs_skipped_and_bare_names_empty);
	RUN(bad_input_is_refused_whole);
	RUN(a_name_given_twice_is_refused);
	RUN(bounds);
	RUN(decode_one_component);
	return T_END();
}
