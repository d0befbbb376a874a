/*
 * lib/notice: the mails a user gets, as a reader sees them (headers, and
 * the body decoded from quoted-printable): the one-time links built from
 * site_url, the lifetimes in words, the security notices, and what makes
 * a message impossible.
 */
#include <stdio.h>
#include <string.h>

#include "domain/mail.h"
#include "domain/notice.h"
#include "t.h"

#define NOW_2026	1767225600LL	/* 2026-01-01 00:00:00 UTC */
#define TOKEN		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static char	out[LK_MAIL_MAX], body[LK_MAIL_MAX], err[256];

static const struct lk_notice_site site = {
	"Example", "https://login.example.com", "noreply@example.com",
};

static struct lk_notice_args
args(void)
{
	struct lk_notice_args	a = { "ann@example.org", "Ann Lee", TOKEN,
	    1800, NULL };

	return a;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Format, then decode the body (quoted-printable) into body. */
static long
fmt(enum lk_notice kind, const struct lk_notice_site *s,
    const struct lk_notice_args *a)
{
	const char	*p;
	size_t		 n = 0;
	long		 len;

	err[0] = '\0';
	body[0] = '\0';
	len = lk_notice_format(kind, s, a, NOW_2026, out, sizeof(out), err,
	    sizeof(err));
	if (len < 0 || (p = strstr(out, "\n\n")) == NULL)
		return len;
	for (p += 2; *p != '\0' && n + 1 < sizeof(body); p++) {
		if (p[0] == '=' && p[1] == '\n')
			p++;
		else if (p[0] == '=' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			body[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else
			body[n++] = *p;
	}
	body[n] = '\0';
	return len;
}

/* The value of header name ("Subject"), unfolded. */
static const char *
header(const char *name)
{
	static char	 v[1024];
	char		 want[64];
	const char	*p;
	size_t		 n = 0;

	(void)snprintf(want, sizeof(want), "\n%s: ", name);
	if (strncmp(out, want + 1, strlen(want) - 1) == 0)
		p = out + strlen(want) - 1;
	else if ((p = strstr(out, want)) != NULL)
		p += strlen(want);
	else
		return "(none)";
	for (; *p != '\0' && n + 1 < sizeof(v); p++) {
		if (p[0] == '\n' && p[1] == ' ')
			continue;
		if (p[0] == '\n')
			break;
		v[n++] = *p;
	}
	v[n] = '\0';
	return v;
}

TEST(a_reset_mail_carries_the_link_from_site_url)
{
	struct lk_notice_args	a = args();

	CHECK(fmt(LK_NOTICE_RESET, &site, &a) > 0);
	CHECK_STR(header("From"), "Example <noreply@example.com>");
	CHECK_STR(header("To"), "Ann Lee <ann@example.org>");
	CHECK_STR(header("Subject"), "Reset your password on Example");
	CHECK_STR(body,
	    "Hello Ann Lee,\n"
	    "\n"
	    "Someone, probably you, asked to reset the password of your "
	    "Example account, ann@example.org.\n"
	    "\n"
	    "To choose a new password, open this link within 30 minutes:\n"
	    "\n"
	    "https://login.example.com/reset#" TOKEN "\n"
	    "\n"
	    "The link works once; a newer request or a change of password "
	    "replaces it. If you did not ask for this, you can ignore this "
	    "message: your password stays as it is.\n");
}

TEST(invitations_and_signups_lead_to_the_invite_page)
{
	struct lk_notice_args	a = args();

	a.lifetime = 7 * 86400;
	CHECK(fmt(LK_NOTICE_INVITE, &site, &a) > 0);
	CHECK_STR(header("Subject"), "You are invited to Example");
	CHECK(strstr(body, "\nhttps://login.example.com/invite#" TOKEN "\n") !=
	    NULL);
	CHECK(strstr(body, "within 7 days:") != NULL);
	a.lifetime = 86400;
	/* Whoever signs up chooses the name: it goes nowhere in the mail. */
	a.name = "URGENT: call +1 555 0100";
	CHECK(fmt(LK_NOTICE_SIGNUP, &site, &a) > 0);
	CHECK_STR(header("Subject"), "Confirm your address for Example");
	CHECK_STR(header("To"), "ann@example.org");
	CHECK(strncmp(body, "Hello ann@example.org,\n\n", 24) == 0);
	CHECK(strstr(out, "URGENT") == NULL);
	CHECK(strstr(out, "555") == NULL);
	CHECK(strstr(body, "\nhttps://login.example.com/invite#" TOKEN "\n") !=
	    NULL);
	CHECK(strstr(body, "within 1 day:") != NULL);
}

TEST(lifetimes_are_said_in_the_largest_exact_unit)
{
	static const struct {
		long long	 s;
		const char	*words;
	} cases[] = {
		{ 60, "within 1 minute:" }, { 150, "within 2 minutes:" },
		{ 3600, "within 1 hour:" }, { 5400, "within 90 minutes:" },
		{ 7200, "within 2 hours:" }, { 86400, "within 1 day:" },
		{ 90000, "within 25 hours:" }, { 14 * 86400, "within 14 days:" },
	};
	struct lk_notice_args	a = args();
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a.lifetime = cases[i].s;
		CHECK(fmt(LK_NOTICE_RESET, &site, &a) > 0);
		if (strstr(body, cases[i].words) == NULL) {
			fprintf(stderr, "  %lld s: no \"%s\"\n", cases[i].s,
			    cases[i].words);
			t_now_failed = 1;
		}
	}
}

TEST(a_signup_for_an_existing_account_points_to_login_and_reset)
{
	struct lk_notice_args	a = args();

	a.token = NULL;
	CHECK(fmt(LK_NOTICE_SIGNUP_EXISTS, &site, &a) > 0);
	CHECK_STR(header("Subject"), "Your Example account");
	CHECK(strstr(body, "but it has one already.") != NULL);
	CHECK(strstr(body, "\nTo log in: https://login.example.com/login\n") !=
	    NULL);
	CHECK(strstr(body, "password: https://login.example.com/forgot\n") !=
	    NULL);
}

TEST(security_notices_say_what_when_and_from_where)
{
	struct lk_notice_args		a = args();
	struct lk_notice_site		nourl = site;

	a.token = NULL;
	a.address = "192.0.2.10";
	CHECK(fmt(LK_NOTICE_PASSWORD_CHANGED, &site, &a) > 0);
	CHECK_STR(header("Subject"), "Your Example password was changed");
	CHECK_STR(body,
	    "Hello Ann Lee,\n"
	    "\n"
	    "The password of your Example account, ann@example.org, was "
	    "changed on 2026-01-01 00:00 UTC, from the address 192.0.2.10. "
	    "Every other session of the account was logged out.\n"
	    "\n"
	    "If this was not you, reset your password now at "
	    "https://login.example.com/forgot and tell the site's "
	    "administrators.\n");
	a.address = NULL;
	CHECK(fmt(LK_NOTICE_PASSWORD_RESET, &site, &a) > 0);
	CHECK_STR(header("Subject"), "Your Example password was reset");
	CHECK(strstr(body, "was reset through a link sent to this address, on "
	    "2026-01-01 00:00 UTC. Every session") != NULL);
	/* Without site_url a notice still goes, without the link. */
	nourl.url = "";
	CHECK(fmt(LK_NOTICE_SECOND_FACTOR_ADDED, &nourl, &a) > 0);
	CHECK_STR(header("Subject"), "Two-step verification turned on for "
	    "Example");
	CHECK(strstr(body, "reset your password now and tell") != NULL);
	CHECK(fmt(LK_NOTICE_SECOND_FACTOR_REMOVED, &site, &a) > 0);
	CHECK_STR(header("Subject"), "Two-step verification turned off for "
	    "Example");
	CHECK(fmt(LK_NOTICE_PASSKEY_ADDED, &site, &a) > 0);
	CHECK_STR(header("Subject"), "A passkey was added to your Example "
	    "account");
	CHECK(fmt(LK_NOTICE_PASSKEY_REMOVED, &site, &a) > 0);
	CHECK_STR(header("Subject"), "A passkey was removed from your Example "
	    "account");
	CHECK(strstr(body, "It can no longer sign in") != NULL);
}

TEST(every_kind_has_a_name_and_a_message)
{
	struct lk_notice_args	a = args();
	int			k;

	CHECK_STR(lk_notice_name(LK_NOTICE_RESET), "reset_link");
	CHECK_STR(lk_notice_name(LK_NOTICE_PASSKEY_REMOVED), "passkey_removed");
	CHECK_STR(lk_notice_name(LK_NOTICE__MAX), "unknown");
	for (k = 0; k < LK_NOTICE__MAX; k++) {
		CHECK(strcmp(lk_notice_name((enum lk_notice)k), "unknown") != 0);
		if (fmt((enum lk_notice)k, &site, &a) <= 0) {
			fprintf(stderr, "  %s: %s\n",
			    lk_notice_name((enum lk_notice)k), err);
			t_now_failed = 1;
		}
	}
	CHECK_INT(fmt(LK_NOTICE__MAX, &site, &a), -1);
}

TEST(no_mail_without_a_sender_an_address_or_a_token)
{
	struct lk_notice_args	a = args();
	struct lk_notice_site	s = site;

	s.from = "";
	CHECK_INT(fmt(LK_NOTICE_PASSWORD_CHANGED, &s, &a), -1);
	CHECK_STR(err, "mail_from is not set");
	s = site;
	s.url = "";
	CHECK_INT(fmt(LK_NOTICE_RESET, &s, &a), -1);
	CHECK_STR(err, "site_url is not set");
	CHECK_INT(fmt(LK_NOTICE_SIGNUP_EXISTS, &s, &a), -1);
	a.token = "";
	CHECK_INT(fmt(LK_NOTICE_INVITE, &site, &a), -1);
	CHECK_STR(err, "no token for the link");
	a = args();
	/* Mail reaches plain ASCII addresses only (no SMTPUTF8). */
	a.email = "\xc3\xa9lodie@example.org";
	CHECK_INT(fmt(LK_NOTICE_RESET, &site, &a), -1);
	CHECK(strstr(err, "not a plain ASCII address") != NULL);
	a.email = "ann@example.org\r\nBcc: eve@example.net";
	CHECK_INT(fmt(LK_NOTICE_RESET, &site, &a), -1);
	CHECK_STR(out, "");
}

TEST(names_never_reach_the_headers_raw)
{
	struct lk_notice_args	a = args();

	a.name = "Ann\r\nBcc: eve@example.net";
	CHECK_INT(fmt(LK_NOTICE_RESET, &site, &a), -1);
	CHECK(strstr(err, "to_name") != NULL);
	CHECK(strstr(err, "eve") == NULL);
	CHECK(strstr(err, TOKEN) == NULL);
	CHECK_STR(out, "");
	a.name = "\xc3\x89lodie Dupont";
	CHECK(fmt(LK_NOTICE_RESET, &site, &a) > 0);
	CHECK_STR(header("To"), "=?UTF-8?B?w4lsb2RpZSBEdXBvbnQ=?= "
	    "<ann@example.org>");
	CHECK(strncmp(body, "Hello \xc3\x89lodie Dupont,\n", 21) == 0);
}

int
main(void)
{
	RUN(a_reset_mail_carries_the_link_from_site_url);
	RUN(invitations_and_signups_lead_to_the_invite_page);
	RUN(lifetimes_are_said_in_the_largest_exact_unit);
	RUN(a_signup_for_an_existing_account_points_to_login_and_reset);
	RUN(security_notices_say_what_when_and_from_where);
	RUN(every_kind_has_a_name_and_a_message);
	RUN(no_mail_without_a_sender_an_address_or_a_token);
	RUN(names_never_reach_the_headers_raw);
	return T_END();
}
