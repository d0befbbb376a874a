#include <string.h>

#include "config.h"
#include "policy.h"
#include "t.h"

static const char *
check(const char *pw, const char *email)
{
	struct lk_config	cfg;

	lk_config_defaults(&cfg);
	return lk_policy_password(&cfg, pw, strlen(pw), email);
}

TEST(accepts_reasonable_passwords)
{
	CHECK(check("correct horse battery", "a@b.c") == NULL);
	CHECK(check("j\xc3\xbcrgen-2026", "a@b.c") == NULL);
}

TEST(refuses_short_common_email_and_controls)
{
	CHECK_STR(check("short", "a@b.c"),
	    "The password must have at least 8 characters");
	CHECK_STR(check("\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", "a@b.c"),
	    "The password must have at least 8 characters");
	CHECK_STR(check("password123", "a@b.c"), "The password is too common");
	CHECK_STR(check("PassWord1", "a@b.c"), "The password is too common");
	CHECK_STR(check("qwertyuiop", "a@b.c"), "The password is too common");
	CHECK_STR(check("Ann@Example.com", "ann@example.com"),
	    "The password must not be the email address");
	CHECK_STR(check("tab\there-long", "a@b.c"),
	    "The password must be text without control characters");
}

TEST(minimum_is_configurable)
{
	struct lk_config	cfg;

	lk_config_defaults(&cfg);
	cfg.password_min = 12;
	CHECK_STR(lk_policy_password(&cfg, "elevenchars", 11, NULL),
	    "The password must have at least 12 characters");
	CHECK(lk_policy_password(&cfg, "twelve-chars", 12, NULL) == NULL);
}

int
main(void)
{
	RUN(accepts_reasonable_passwords);
	RUN(refuses_short_common_email_and_controls);
	RUN(minimum_is_configurable);
	return T_END();
}
