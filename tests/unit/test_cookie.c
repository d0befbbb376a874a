#include <string.h>

#include "domain/config.h"
#include "domain/cookie.h"
#include "t.h"

TEST(finds_cookie_among_others)
{
	char	v[64];

	CHECK_INT(lk_cookie_get("a=1; access_token_cookie=tok; b=2",
	    "access_token_cookie", v, sizeof(v)), LK_COOKIE_FOUND);
	CHECK_STR(v, "tok");
	CHECK_INT(lk_cookie_get("access_token_cookie=first", "access_token_cookie",
	    v, sizeof(v)), LK_COOKIE_FOUND);
	CHECK_STR(v, "first");
}

TEST(absent_and_null_header)
{
	char	v[16];

	CHECK_INT(lk_cookie_get(NULL, "x", v, sizeof(v)), LK_COOKIE_ABSENT);
	CHECK_INT(lk_cookie_get("", "x", v, sizeof(v)), LK_COOKIE_ABSENT);
	CHECK_INT(lk_cookie_get("y=1", "x", v, sizeof(v)), LK_COOKIE_ABSENT);
	CHECK_STR(v, "");
}

TEST(name_must_match_exactly)
{
	char	v[16];

	CHECK_INT(lk_cookie_get("xaccess=1; access=2", "access", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "2");
	CHECK_INT(lk_cookie_get("ACCESS=1", "access", v, sizeof(v)),
	    LK_COOKIE_ABSENT);
	CHECK_INT(lk_cookie_get("access_x=1", "access", v, sizeof(v)),
	    LK_COOKIE_ABSENT);
}

TEST(first_duplicate_wins)
{
	char	v[16];

	CHECK_INT(lk_cookie_get("t=one; t=two", "t", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "one");
}

TEST(whitespace_quotes_and_empty_values)
{
	char	v[16];

	CHECK_INT(lk_cookie_get("  t =  val  ;u=1", "t", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "val");
	CHECK_INT(lk_cookie_get("t=\"quoted\"", "t", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "quoted");
	CHECK_INT(lk_cookie_get("t=", "t", v, sizeof(v)), LK_COOKIE_ABSENT);
	CHECK_INT(lk_cookie_get("t=\"\"", "t", v, sizeof(v)), LK_COOKIE_ABSENT);
	CHECK_INT(lk_cookie_get("junk; t=ok", "t", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "ok");
	CHECK_INT(lk_cookie_get(";;; t=ok;;", "t", v, sizeof(v)),
	    LK_COOKIE_FOUND);
	CHECK_STR(v, "ok");
}

TEST(value_with_equals_sign)
{
	char	v[16];

	CHECK_INT(lk_cookie_get("t=a=b", "t", v, sizeof(v)), LK_COOKIE_FOUND);
	CHECK_STR(v, "a=b");
}

TEST(too_long_value_and_header)
{
	char	v[8], big[LK_COOKIE_HEADER_MAX + 16];

	CHECK_INT(lk_cookie_get("t=12345678", "t", v, sizeof(v)),
	    LK_COOKIE_TOO_LONG);
	CHECK_STR(v, "");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "t=", 2);
	CHECK_INT(lk_cookie_get(big, "t", v, sizeof(v)), LK_COOKIE_BAD);
}

TEST(format_access_cookie_defaults)
{
	struct lk_config	cfg;
	struct lk_cookie_attr	a;
	char			out[256];

	lk_config_defaults(&cfg);
	lk_cookie_attr_access(&cfg, &a, 1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "access_token_cookie",
	    "abc", &a, 0), 0);
	CHECK_STR(out, "access_token_cookie=abc; Secure; HttpOnly; Path=/; "
	    "SameSite=Lax");
	lk_cookie_attr_access(&cfg, &a, 0);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "csrf_access_token",
	    "c-1", &a, 0), 0);
	CHECK_STR(out, "csrf_access_token=c-1; Secure; Path=/; SameSite=Lax");
}

TEST(format_clear_and_persistent)
{
	struct lk_config	cfg;
	struct lk_cookie_attr	a;
	char			out[256];

	lk_config_defaults(&cfg);
	cfg.cookie_secure = 0;
	(void)snprintf(cfg.cookie_domain, sizeof(cfg.cookie_domain), "%s",
	    "example.com");
	lk_cookie_attr_access(&cfg, &a, 1);
	a.max_age = 0;
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t", "", &a, 0), 0);
	CHECK_STR(out, "t=; Domain=example.com; Expires=Thu, 01 Jan 1970 "
	    "00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax");
	a.max_age = 3600;
	a.domain = NULL;
	a.samesite = LK_SAMESITE_OFF;
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t", "v", &a, 0), 0);
	CHECK_STR(out, "t=v; Expires=Thu, 01 Jan 1970 01:00:00 GMT; "
	    "Max-Age=3600; HttpOnly; Path=/");
}

TEST(format_refuses_bad_octets_and_overflow)
{
	struct lk_config	cfg;
	struct lk_cookie_attr	a;
	char			out[32];

	lk_config_defaults(&cfg);
	lk_cookie_attr_access(&cfg, &a, 1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t", "a;b", &a, 0), -1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t", "a b", &a, 0), -1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t", "a\r\nX: y", &a, 0),
	    -1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t=x", "v", &a, 0), -1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "", "v", &a, 0), -1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "t",
	    "0123456789012345678901234567890123456789", &a, 0), -1);
}

TEST(names_and_refresh_attributes)
{
	struct lk_config	cfg;
	struct lk_cookie_names	n;
	struct lk_cookie_attr	a;
	char			out[256];

	lk_config_defaults(&cfg);
	lk_config_cookie_names(&cfg, &n);
	CHECK_STR(n.access, "access_token_cookie");
	CHECK_STR(n.refresh_csrf, "csrf_refresh_token");
	cfg.cookie_host_prefix = 1;
	lk_config_cookie_names(&cfg, &n);
	CHECK_STR(n.access, "__Host-access_token_cookie");
	CHECK_STR(n.access_csrf, "__Host-csrf_access_token");
	CHECK_STR(n.refresh, "__Secure-refresh_token_cookie");
	CHECK_STR(n.refresh_csrf, "__Host-csrf_refresh_token");
	lk_cookie_attr_refresh(&cfg, &a, 1);
	CHECK_INT(lk_cookie_format(out, sizeof(out), "r", "v", &a, 0), 0);
	CHECK_STR(out, "r=v; Secure; HttpOnly; Path=/api/refresh; SameSite=Lax");
	cfg.session_cookie = 0;
	lk_cookie_attr_refresh(&cfg, &a, 0);
	CHECK_INT(a.max_age, 30 * 86400);
	CHECK_STR(a.path, "/");
	CHECK_INT(a.http_only, 0);
}

int
main(void)
{
	RUN(finds_cookie_among_others);
	RUN(absent_and_null_header);
	RUN(name_must_match_exactly);
	RUN(first_duplicate_wins);
	RUN(whitespace_quotes_and_empty_values);
	RUN(value_with_equals_sign);
	RUN(too_long_value_and_header);
	RUN(format_access_cookie_defaults);
	RUN(format_clear_and_persistent);
	RUN(format_refuses_bad_octets_and_overflow);
	RUN(names_and_refresh_attributes);
	return T_END();
}
