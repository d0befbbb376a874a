#include <string.h>

#include "t.h"
#include "util.h"

TEST(ct_equal_same_and_different)
{
	CHECK(lk_ct_equal("abc", 3, "abc", 3));
	CHECK(!lk_ct_equal("abc", 3, "abd", 3));
	CHECK(!lk_ct_equal("abc", 3, "abcd", 4));
	CHECK(!lk_ct_equal("", 0, "a", 1));
	CHECK(lk_ct_equal("", 0, "", 0));
}

TEST(uuid4_form_and_uniqueness)
{
	char	a[37], b[37];
	size_t	i;

	CHECK_INT(lk_uuid4(a), 0);
	CHECK_INT(lk_uuid4(b), 0);
	CHECK_INT(strlen(a), 36);
	CHECK(strcmp(a, b) != 0);
	CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	for (i = 0; i < 36; i++)
		CHECK(a[i] == '-' || strchr("0123456789abcdef", a[i]) != NULL);
}

TEST(strlcpy_bounds)
{
	char	buf[4];

	CHECK_INT(lk_strlcpy(buf, "abc", sizeof(buf)), 0);
	CHECK_STR(buf, "abc");
	CHECK_INT(lk_strlcpy(buf, "abcd", sizeof(buf)), -1);
	CHECK_STR(buf, "");
}

TEST(parse_ll_strict)
{
	long long	v = 0;

	CHECK_INT(lk_parse_ll("42", 0, 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(lk_parse_ll("101", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("-1", -5, 100, &v), -1);
	CHECK_INT(lk_parse_ll("4x", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll(" 4", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("99999999999999999999999", 0, 100, &v), -1);
}

TEST(utf8_text_rules)
{
	CHECK_INT(lk_utf8_text_len("John Doe", 8), 8);
	CHECK_INT(lk_utf8_text_len("J\xc3\xbcrg", 5), 4);
	CHECK_INT(lk_utf8_text_len("\xf0\x9f\x94\x91", 4), 1);
	CHECK_INT(lk_utf8_text_len("a\nb", 3), -1);		/* control */
	CHECK_INT(lk_utf8_text_len("a\0b", 3), -1);		/* NUL */
	CHECK_INT(lk_utf8_text_len("\xc0\xaf", 2), -1);		/* overlong */
	CHECK_INT(lk_utf8_text_len("\xed\xa0\x80", 3), -1);	/* surrogate */
	CHECK_INT(lk_utf8_text_len("\xc3", 1), -1);		/* truncated */
	CHECK_INT(lk_utf8_text_len("\xc2\x85", 2), -1);		/* C1 control */
	CHECK_INT(lk_utf8_text_len("\xff", 1), -1);
}

TEST(ascii_caseeq)
{
	CHECK(lk_ascii_caseeq("Test@Example.COM", "test@example.com"));
	CHECK(!lk_ascii_caseeq("test@example.com", "test@example.co"));
}

int
main(void)
{
	RUN(ct_equal_same_and_different);
	RUN(uuid4_form_and_uniqueness);
	RUN(strlcpy_bounds);
	RUN(parse_ll_strict);
	RUN(utf8_text_rules);
	RUN(ascii_caseeq);
	return T_END();
}
