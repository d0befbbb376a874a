#ifndef LK_NOTICE_H
#define LK_NOTICE_H

#include <stddef.h>

/*
 * What latchkey writes to a user: the mails with a one-time link (a
 * password reset, an invitation, a sign-up's verification), the answer to
 * a sign-up for an address that has an account already, and the security
 * notices (password changed or reset, a second factor or a passkey added
 * or removed, new recovery codes).  Each is one plain-text message formatted by lk_mail_format
 * (lib/domain/mail.h), so that nothing a user typed can add a header.  Links are
 * built from the site's configured address (site_url), never from a
 * request, with the token in the fragment: SITE_URL/reset#TOKEN,
 * SITE_URL/invite#TOKEN.
 */

enum lk_notice {
	LK_NOTICE_RESET,		/* link: choose a new password */
	LK_NOTICE_INVITE,		/* link: an invitation's password */
	LK_NOTICE_SIGNUP,		/* link: a sign-up's password */
	LK_NOTICE_SIGNUP_EXISTS,	/* a sign-up for an existing account */
	LK_NOTICE_PASSWORD_CHANGED,
	LK_NOTICE_PASSWORD_RESET,
	LK_NOTICE_SECOND_FACTOR_ADDED,
	LK_NOTICE_SECOND_FACTOR_REMOVED,
	LK_NOTICE_PASSKEY_ADDED,
	LK_NOTICE_PASSKEY_REMOVED,
	LK_NOTICE_RECOVERY_REGENERATED,	/* new recovery codes */
	LK_NOTICE__MAX
};

/* The site as the mails name it: the configuration's values. */
struct lk_notice_site {
	const char	*name;		/* site_name */
	const char	*url;		/* site_url, no final '/'; "" for none */
	const char	*from;		/* mail_from; "" for none */
};

/* One message's particulars. */
struct lk_notice_args {
	const char	*email;		/* the recipient, the account's email */
	const char	*name;		/* the account's name, or "" (never
				   used for LK_NOTICE_SIGNUP, which goes to
				   an address not confirmed yet: it greets
				   the address, with no name in To) */
	const char	*token;		/* the link's token, for kinds with one */
	long long	 lifetime;	/* seconds the link works */
	const char	*address;	/* the client's address, or NULL */
};

/*
 * The kind's name for the log and the audit line ("reset_link",
 * "password_changed", ...), or "unknown" for a value out of range.
 */
const char *lk_notice_name(enum lk_notice kind);

/* Whether the kind carries a one-time link (and so needs a token). */
int	lk_notice_has_link(enum lk_notice kind);

/*
 * Format the message of kind for a into out (see lk_mail_format), dated
 * now.  Returns its length, or -1 with the reason in err (never a
 * token): no sender (site->from empty), no site_url for a kind that
 * needs one (every link, and the sign-up answer's log-in link), no token
 * for a link, or whatever lk_mail_format refuses (a recipient that is
 * not a plain ASCII address, a name with a control character, a message
 * too long for outsz).
 */
long	lk_notice_format(enum lk_notice kind, const struct lk_notice_site *site,
	    const struct lk_notice_args *a, long long now, char *out,
	    size_t outsz, char *err, size_t errsz);

#endif
