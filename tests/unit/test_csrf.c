#include "domain/config.h"
#include "domain/csrf.h"
#include "http/method.h"
#include "t.h"

TEST(applies_to_configured_methods)
{
	struct lk_config	c;

	lk_config_defaults(&c);
	CHECK(lk_config_csrf_applies(&c, "POST"));
	CHECK(lk_config_csrf_applies(&c, "PUT"));
	CHECK(lk_config_csrf_applies(&c, "PATCH"));
	CHECK(lk_config_csrf_applies(&c, "DELETE"));
	CHECK(!lk_config_csrf_applies(&c, "GET"));
	CHECK(!lk_config_csrf_applies(&c, "HEAD"));
	CHECK(!lk_config_csrf_applies(&c, "post"));
	c.csrf_methods = LK_METHOD_POST;
	CHECK(!lk_config_csrf_applies(&c, "PATCH"));
	c.csrf_methods = LK_METHOD_PATCH;
	c.csrf_protect = 0;
	CHECK(!lk_config_csrf_applies(&c, "PATCH"));
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
}

TEST(method_bits_and_allow_text)
{
	char		allow[LK_METHOD_ALLOW_MAX];
	unsigned int	bits = 0;

	CHECK_INT(lk_method_bit("GET"), LK_METHOD_GET);
	CHECK_INT(lk_method_bit("OPTIONS"), LK_METHOD_OPTIONS);
	CHECK_INT(lk_method_bit("TRACE"), 0);
	CHECK_INT(lk_method_bit("get"), 0);
	CHECK_INT(lk_method_bit(""), 0);
	lk_method_allow(LK_METHOD_PATCH | LK_METHOD_GET | LK_METHOD_HEAD, allow);
	CHECK_STR(allow, "GET, HEAD, PATCH");
	lk_method_allow(LK_METHOD_POST, allow);
	CHECK_STR(allow, "POST");
	lk_method_allow(0x7f, allow);
	CHECK_STR(allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	lk_method_allow(0, allow);
	CHECK_STR(allow, "");
	CHECK_INT(lk_method_list("POST, patch", &bits), -1);
	CHECK_INT(lk_method_list("POST,\tPATCH  DELETE", &bits), 0);
	CHECK_INT(bits, LK_METHOD_POST | LK_METHOD_PATCH | LK_METHOD_DELETE);
}

int
main(void)
{
	RUN(applies_to_configured_methods);
	RUN(check_results_and_messages);
	RUN(method_bits_and_allow_text);
	return T_END();
}
