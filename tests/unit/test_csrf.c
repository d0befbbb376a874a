#include "config.h"
#include "csrf.h"
#include "t.h"

TEST(applies_to_configured_methods)
{
	struct lk_config	c;

	lk_config_defaults(&c);
	CHECK(lk_csrf_applies(&c, "POST"));
	CHECK(lk_csrf_applies(&c, "PUT"));
	CHECK(lk_csrf_applies(&c, "PATCH"));
	CHECK(lk_csrf_applies(&c, "DELETE"));
	CHECK(!lk_csrf_applies(&c, "GET"));
	CHECK(!lk_csrf_applies(&c, "HEAD"));
	CHECK(!lk_csrf_applies(&c, "post"));
	c.csrf_methods = LK_METHOD_POST;
	CHECK(!lk_csrf_applies(&c, "PATCH"));
	c.csrf_methods = LK_METHOD_PATCH;
	c.csrf_protect = 0;
	CHECK(!lk_csrf_applies(&c, "PATCH"));
}

TEST(check_results_and_messages)
{
	CHECK_INT(lk_csrf_check(NULL, "abc"), LK_CSRF_MISSING);
	CHECK_INT(lk_csrf_check("", "abc"), LK_CSRF_MISSING);
	CHECK_INT(lk_csrf_check("abc", "abc"), LK_CSRF_OK);
	CHECK_INT(lk_csrf_check("abd", "abc"), LK_CSRF_MISMATCH);
	CHECK_INT(lk_csrf_check("abcd", "abc"), LK_CSRF_MISMATCH);
	CHECK_INT(lk_csrf_check("ab", "abc"), LK_CSRF_MISMATCH);
	CHECK_INT(lk_csrf_check("abc", ""), LK_CSRF_MISMATCH);
	CHECK_STR(lk_csrf_msg(LK_CSRF_MISSING), "Missing CSRF token");
	CHECK_STR(lk_csrf_msg(LK_CSRF_MISMATCH),
	    "CSRF double submit tokens do not match");
}

TEST(method_bits)
{
	CHECK_INT(lk_method_bit("GET"), LK_METHOD_GET);
	CHECK_INT(lk_method_bit("OPTIONS"), LK_METHOD_OPTIONS);
	CHECK_INT(lk_method_bit("TRACE"), 0);
	CHECK_INT(lk_method_bit(""), 0);
}

int
main(void)
{
	RUN(applies_to_configured_methods);
	RUN(check_results_and_messages);
	RUN(method_bits);
	return T_END();
}
