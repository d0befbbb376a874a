#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "domain/mail.h"
#include "domain/notice.h"

#define SUBJECT_MAX	(LK_MAIL_SUBJECT_MAX + 1)
#define BODY_MAX	8192

static const char *const names[LK_NOTICE__MAX] = {
	[LK_NOTICE_RESET] = "reset_link",
	[LK_NOTICE_INVITE] = "invite_link",
	[LK_NOTICE_SIGNUP] = "signup_link",
	[LK_NOTICE_SIGNUP_EXISTS] = "signup_exists",
	[LK_NOTICE_PASSWORD_CHANGED] = "password_changed",
	[LK_NOTICE_PASSWORD_RESET] = "password_reset",
	[LK_NOTICE_SECOND_FACTOR_ADDED] = "second_factor_added",
	[LK_NOTICE_SECOND_FACTOR_REMOVED] = "second_factor_removed",
	[LK_NOTICE_PASSKEY_ADDED] = "passkey_added",
	[LK_NOTICE_PASSKEY_REMOVED] = "passkey_removed",
	[LK_NOTICE_RECOVERY_REGENERATED] = "recovery_regenerated",
};

/* Text being written into a bounded buffer; full once anything is cut. */
struct text {
	char	*p;
	size_t	 cap;
	size_t	 len;
	int	 full;
};

static void	add(struct text *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
add(struct text *t, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->full = 1;
		t->p[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

const char *
lk_notice_name(enum lk_notice kind)
{
	return kind < LK_NOTICE__MAX ? names[kind] : "unknown";
}

int
lk_notice_has_link(enum lk_notice kind)
{
	return kind == LK_NOTICE_RESET || kind == LK_NOTICE_INVITE ||
	    kind == LK_NOTICE_SIGNUP;
}

/* "30 minutes", "1 hour", "7 days": the largest unit that is exact. */
static void
duration(long long s, char *out, size_t outsz)
{
	long long	n;
	const char	*unit;

	if (s >= 86400 && s % 86400 == 0) {
		n = s / 86400;
		unit = "day";
	} else if (s >= 3600 && s % 3600 == 0) {
		n = s / 3600;
		unit = "hour";
	} else {
		/* Never more than it is: minutes round down, at least one. */
		n = s / 60 > 0 ? s / 60 : 1;
		unit = "minute";
	}
	(void)snprintf(out, outsz, "%lld %s%s", n, unit, n == 1 ? "" : "s");
}

/* "2026-01-01 09:30 UTC" */
static int
date(long long now, char *out, size_t outsz)
{
	struct tm	tm;
	time_t		t = (time_t)now;

	if (now < 0 || gmtime_r(&t, &tm) == NULL)
		return -1;
	(void)snprintf(out, outsz, "%04d-%02d-%02d %02d:%02d UTC",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min);
	return 0;
}

/*
 * Whether the kind goes to an address nobody has confirmed yet (a
 * sign-up's verification): whoever asked chose the name as freely as the
 * address, so the mail carries neither the name nor any other text of
 * theirs, and greets the address.
 */
static int
unconfirmed(enum lk_notice kind)
{
	return kind == LK_NOTICE_SIGNUP;
}

/* The greeting, then the paragraphs of each kind. */
static void
greet(struct text *b, enum lk_notice kind, const struct lk_notice_args *a)
{
	if (unconfirmed(kind))
		add(b, "Hello %s,\n\n", a->email);
	else if (a->name != NULL && a->name[0] != '\0')
		add(b, "Hello %s,\n\n", a->name);
	else
		add(b, "Hello,\n\n");
}

static void
link_mail(struct text *s, struct text *b, enum lk_notice kind,
    const struct lk_notice_site *site, const struct lk_notice_args *a)
{
	char	dur[64];

	duration(a->lifetime, dur, sizeof(dur));
	greet(b, kind, a);
	switch (kind) {
	case LK_NOTICE_RESET:
		add(s, "Reset your password on %s", site->name);
		add(b, "Someone, probably you, asked to reset the password of "
		    "your %s account, %s.\n\n"
		    "To choose a new password, open this link within %s:\n\n"
		    "%s/reset#%s\n\n"
		    "The link works once; a newer request or a change of "
		    "password replaces it. If you did not ask for this, you "
		    "can ignore this message: your password stays as it is.\n",
		    site->name, a->email, dur, site->url, a->token);
		break;
	case LK_NOTICE_INVITE:
		add(s, "You are invited to %s", site->name);
		add(b, "You have been invited to open an account on %s with "
		    "this address, %s.\n\n"
		    "To choose your password, open this link within %s:\n\n"
		    "%s/invite#%s\n\n"
		    "The link works once. If you did not expect this "
		    "invitation, you can ignore this message.\n",
		    site->name, a->email, dur, site->url, a->token);
		break;
	default:
		add(s, "Confirm your address for %s", site->name);
		add(b, "Someone, probably you, asked to open an account on %s "
		    "with this address, %s.\n\n"
		    "To confirm it and choose your password, open this link "
		    "within %s:\n\n"
		    "%s/invite#%s\n\n"
		    "The link works once. If you did not ask for this, you can "
		    "ignore this message: no account opens without it.\n",
		    site->name, a->email, dur, site->url, a->token);
		break;
	}
}

/*
 * What a security notice says happened, around the site's name and the
 * account's email: "<what> your SITE account, EMAIL<after> on DATE".
 */
static const struct {
	const char	*subject, *subject_after;	/* around the site */
	const char	*what, *after;
	const char	*means;
} events[LK_NOTICE__MAX] = {
	[LK_NOTICE_PASSWORD_CHANGED] = { "Your ", " password was changed",
	    "The password of", ", was changed",
	    "Every other session of the account was logged out." },
	[LK_NOTICE_PASSWORD_RESET] = { "Your ", " password was reset",
	    "The password of", ", was reset through a link sent to this "
	    "address,", "Every session of the account was logged out." },
	[LK_NOTICE_SECOND_FACTOR_ADDED] = { "Two-step verification turned on "
	    "for ", "", "Two-step verification was turned on for", "",
	    "Logging in now asks for a code as well as the password." },
	[LK_NOTICE_SECOND_FACTOR_REMOVED] = { "Two-step verification turned "
	    "off for ", "", "Two-step verification was turned off for", "",
	    "Logging in now asks for the password alone." },
	[LK_NOTICE_PASSKEY_ADDED] = { "A passkey was added to your ",
	    " account", "A passkey was added to", "",
	    "It can sign in to the account without the password." },
	[LK_NOTICE_PASSKEY_REMOVED] = { "A passkey was removed from your ",
	    " account", "A passkey was removed from", "",
	    "It can no longer sign in to the account." },
	[LK_NOTICE_RECOVERY_REGENERATED] = { "New recovery codes for your ",
	    " account", "New recovery codes were made for", "",
	    "The earlier codes no longer work." },
};

static int
event_mail(struct text *s, struct text *b, enum lk_notice kind,
    const struct lk_notice_site *site, const struct lk_notice_args *a,
    long long now)
{
	char	when[64];

	if (date(now, when, sizeof(when)) == -1)
		return -1;
	greet(b, kind, a);
	add(s, "%s%s%s", events[kind].subject, site->name,
	    events[kind].subject_after);
	add(b, "%s your %s account, %s%s on %s", events[kind].what,
	    site->name, a->email, events[kind].after, when);
	if (a->address != NULL && a->address[0] != '\0')
		add(b, ", from the address %s", a->address);
	add(b, ". %s\n\n", events[kind].means);
	if (site->url[0] != '\0')
		add(b, "If this was not you, reset your password now at "
		    "%s/forgot and tell the site's administrators.\n",
		    site->url);
	else
		add(b, "If this was not you, reset your password now and tell "
		    "the site's administrators.\n");
	return 0;
}

long
lk_notice_format(enum lk_notice kind, const struct lk_notice_site *site,
    const struct lk_notice_args *a, long long now, char *out, size_t outsz,
    char *err, size_t errsz)
{
	struct lk_notice_site	 st;
	struct lk_mail	 m;
	struct text	 s, b;
	char		 subject[SUBJECT_MAX], body[BODY_MAX];
	long		 n = -1;

	if (outsz > 0)
		out[0] = '\0';
	memset(&s, 0, sizeof(s));
	memset(&b, 0, sizeof(b));
	s.p = subject;
	s.cap = sizeof(subject);
	subject[0] = '\0';
	b.p = body;
	b.cap = sizeof(body);
	body[0] = '\0';
	if (kind >= LK_NOTICE__MAX) {
		(void)snprintf(err, errsz, "no such notice");
		goto out;
	}
	st.name = site->name != NULL ? site->name : "";
	st.url = site->url != NULL ? site->url : "";
	st.from = site->from != NULL ? site->from : "";
	site = &st;
	if (site->from[0] == '\0') {
		(void)snprintf(err, errsz, "mail_from is not set");
		goto out;
	}
	if ((lk_notice_has_link(kind) || kind == LK_NOTICE_SIGNUP_EXISTS) &&
	    site->url[0] == '\0') {
		(void)snprintf(err, errsz, "site_url is not set");
		goto out;
	}
	if (lk_notice_has_link(kind) && (a->token == NULL ||
	    a->token[0] == '\0')) {
		(void)snprintf(err, errsz, "no token for the link");
		goto out;
	}
	if (a->email == NULL || !lk_mail_addr_valid(a->email)) {
		(void)snprintf(err, errsz, "the account's email is not a plain "
		    "ASCII address: mail cannot reach it");
		goto out;
	}
	if (lk_notice_has_link(kind))
		link_mail(&s, &b, kind, site, a);
	else if (kind == LK_NOTICE_SIGNUP_EXISTS) {
		add(&s, "Your %s account", site->name);
		greet(&b, kind, a);
		add(&b, "Someone, probably you, asked to open an account on %s "
		    "with this address, %s, but it has one already.\n\n"
		    "To log in: %s/login\n"
		    "If you have forgotten your password: %s/forgot\n\n"
		    "If you did not ask for this, you can ignore this "
		    "message.\n", site->name, a->email, site->url, site->url);
	} else if (event_mail(&s, &b, kind, site, a, now) == -1) {
		(void)snprintf(err, errsz, "now: out of range");
		goto out;
	}
	if (s.full || b.full) {
		(void)snprintf(err, errsz, "the message is too long");
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.from_name = site->name;
	m.from_addr = site->from;
	m.to_name = unconfirmed(kind) ? NULL : a->name;
	m.to_addr = a->email;
	m.subject = subject;
	m.body = body;
	n = lk_mail_format(&m, now, out, outsz, err, errsz);
out:
	/* The body held the token. */
	lk_explicit_bzero(body, sizeof(body));
	return n;
}
