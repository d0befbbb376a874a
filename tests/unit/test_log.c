#include <string.h>

#include "base/log.h"
#include "t.h"

TEST(audit_values_are_quoted_and_escaped)
{
	const char	*kv[] = { "event", "login_failed",
	    "user", "a\"b c=d\\e\r\nf \xc3\xa9@x",
	    "origin", "http://x\" event=login_ok addr=203.0.113.7 user=\"v",
	    "empty", "", "null", NULL, "tab", "a\tb\x7f" };
	char		 out[1024];

	CHECK_INT(lk_log_audit_format(out, sizeof(out), kv, 6),
	    (long)strlen(out));
	CHECK_STR(out, "event=\"login_failed\" "
	    "user=\"a\\\"b c=d\\\\e\\x0d\\x0af \\xc3\\xa9@x\" "
	    "origin=\"http://x\\\" event=login_ok addr=203.0.113.7 user=\\\"v\" "
	    "empty=\"\" null=\"\" tab=\"a\\x09b\\x7f\"");
}

TEST(audit_keys_and_bounds)
{
	const char	*bad[] = { "Event", "x" };
	const char	*sp[] = { "a b", "x" };
	const char	*ok[] = { "k", "vvvv" };
	char		 big[LK_LOG_VALUE_MAX + 10], out[2 * LK_LOG_VALUE_MAX];
	const char	*longv[] = { "k", big };

	CHECK_INT(lk_log_audit_format(out, sizeof(out), bad, 1), -1);
	CHECK_STR(out, "");
	CHECK_INT(lk_log_audit_format(out, sizeof(out), sp, 1), -1);
	/* k="vvvv" is 8 bytes: 9 with the NUL. */
	CHECK_INT(lk_log_audit_format(out, 9, ok, 1), 8);
	CHECK_INT(lk_log_audit_format(out, 8, ok, 1), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(lk_log_audit_format(out, sizeof(out), longv, 1),
	    3 + LK_LOG_VALUE_MAX + 3 + 1);
	CHECK(strcmp(out + 3 + LK_LOG_VALUE_MAX, "...\"") == 0);
}

int
main(void)
{
	RUN(audit_values_are_quoted_and_escaped);
	RUN(audit_keys_and_bounds);
	return T_END();
}
