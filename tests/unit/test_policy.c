#include <string.h>

#include "domain/config.h"
#include "domain/policy.h"
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

TEST(email_rules)
{
	CHECK(lk_policy_email("test@example.com") == NULL);
	CHECK(lk_policy_email("j\xc3\xbcrg@example.com") == NULL);
	CHECK(lk_policy_email("no-at-sign") != NULL);
	CHECK(lk_policy_email("@example.com") != NULL);
	CHECK(lk_policy_email("a@") != NULL);
	CHECK(lk_policy_email("a@b@c") != NULL);
	CHECK(lk_policy_email("a b@c.d") != NULL);
	CHECK(lk_policy_email("a\n@c.d") != NULL);
	CHECK(lk_policy_email("\xff@c.d") != NULL);
	CHECK(lk_policy_email("a@") != NULL);
	CHECK(lk_policy_email("ab") != NULL);
}

static const char *
name(const char *n)
{
	struct lk_config	cfg;

	lk_config_defaults(&cfg);
	return lk_policy_name(&cfg, n, strlen(n));
}

TEST(name_rules)
{
	char	long_name[102];

	CHECK(name("Ann Lee") == NULL);
	CHECK(name("J\xc3\xbcrgen \xe5\xb1\xb1\xe7\x94\xb0") == NULL);
	CHECK(name("\xd8\xb9\xd9\x84\xd9\x8a") == NULL);	/* Arabic */
	CHECK_STR(name(""), "Field \"name\" must be 1 to 100 characters of text "
	    "without leading or trailing spaces");
	CHECK(name(" Ann") != NULL);
	CHECK(name("Ann ") != NULL);
	CHECK(name("A\tB") != NULL);
	memset(long_name, 'x', 101);
	long_name[101] = '\0';
	CHECK(name(long_name) != NULL);
	long_name[100] = '\0';
	CHECK(name(long_name) == NULL);
	/* What reorders or hides text: overrides, isolates, marks. */
	CHECK_STR(name("a\xe2\x80\xae" "b"), "Field \"name\" must not contain "
	    "invisible characters that change the direction of text");
	CHECK(name("a\xe2\x80\xaa" "b") != NULL);		/* U+202A */
	CHECK(name("a\xe2\x81\xa6" "b") != NULL);		/* U+2066 */
	CHECK(name("a\xe2\x81\xa9" "b") != NULL);		/* U+2069 */
	CHECK(name("a\xe2\x80\x8f" "b") != NULL);		/* U+200F */
	CHECK(name("a\xd8\x9c" "b") != NULL);			/* U+061C */
	CHECK(name("a\xe2\x80\x8d" "b") == NULL);		/* U+200D joiner */
	/* Other format characters that show nothing. */
	CHECK_STR(name("a\xe2\x80\x8b" "b"), "Field \"name\" must not contain "
	    "invisible characters");				/* U+200B */
	CHECK(name("a\xc2\xad" "b") != NULL);			/* U+00AD */
	CHECK(name("a\xe1\xa0\x8e" "b") != NULL);		/* U+180E */
	CHECK(name("a\xe2\x81\xa0" "b") != NULL);		/* U+2060 */
	CHECK(name("a\xe2\x81\xa4" "b") != NULL);		/* U+2064 */
	CHECK(name("a\xe2\x81\xaa" "b") != NULL);		/* U+206A */
	CHECK(name("a\xe2\x81\xaf" "b") != NULL);		/* U+206F */
	CHECK(name("a\xef\xbb\xbf" "b") != NULL);		/* U+FEFF */
	CHECK(name("a\xef\xbf\xb9" "b") != NULL);		/* U+FFF9 */
	CHECK(name("a\xef\xbf\xbb" "b") != NULL);		/* U+FFFB */
	/* What scripts and emoji need stays: ZWNJ, ZWJ sequences, tags. */
	CHECK(name("\xd9\x85\xe2\x80\x8c\xd9\x85") == NULL);	/* ZWNJ */
	CHECK(name("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb") == NULL);
	CHECK(name("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2"
	    "\xf3\xa0\x81\xb3\xf3\xa0\x81\xa3\xf3\xa0\x81\xb4"
	    "\xf3\xa0\x81\xbf") == NULL);			/* flag of Scotland */
}

int
main(void)
{
	RUN(accepts_reasonable_passwords);
	RUN(refuses_short_common_email_and_controls);
	RUN(minimum_is_configurable);
	RUN(email_rules);
	RUN(name_rules);
	return T_END();
}
