#ifndef LK_ACCOUNT_H
#define LK_ACCOUNT_H

#include <stddef.h>

#include "decide/ctx.h"
#include "decide/notify.h"
#include "decide/session.h"
#include "decide/throttle.h"
#include "domain/onetime.h"
#include "domain/store/store.h"

/*
 * Accounts by mail, as requests use them: sending a one-time link (a
 * password reset, a sign-up's verification) and following one (the new
 * password of a reset or of an invitation).  A link's token travels in
 * the body as "token"; the store knows only its hash (lib/domain/onetime.h).
 */

/*
 * Ask for the link of purpose (LK_LINK_RESET or LK_LINK_SIGNUP) for
 * email (name: a new account's, for a sign-up): counted against the
 * throttle of scope (see lk_throttle_reserve_for), a fresh token made
 * and hashed, and a link job queued (lib/decide/notify.h), without looking at
 * the account: whether it exists, is disabled, pending or has a password
 * changes nothing the request does, in the store included, before its
 * answer is out.  lk_account_link_job does the rest after the answer.
 * Returns 0, or -1 denied (LK_R_TOO_MANY, LK_R_UNAVAILABLE,
 * LK_R_INTERNAL).
 */
int	lk_account_send_link(struct lk_ctx *ctx, enum lk_link_purpose purpose,
	    const char *email, const char *name);

/*
 * The link job queued in box, after the answer: record the link in
 * store (lk_store_link_add, whose rules say which account may have one)
 * and format the mail: the link for an account that may have one; for
 * a sign-up whose address has an enabled account already, the notice
 * that says so; nothing (box->nobody) otherwise, or when the store
 * fails (logged).  The token is wiped either way.  Does nothing for a
 * box that holds no link job.
 */
void	lk_account_link_job(const struct lk_config *cfg, struct lk_store *store,
	    struct lk_outbox *box);

/* A link being followed: found, its account's new password checked. */
struct lk_account_link {
	struct lk_link	 link;		/* the link and its account */
	char		 hash[LK_ONETIME_HASH_LEN + 1];	/* the token's */
	const char	*password;	/* the body's "password" */
	size_t		 password_len;
	/*
	 * The second factor the use spends, checked as far as it can be
	 * (lk_mfa_check): factor set, with the TOTP step or (step -1) the
	 * recovery code's hash.  Without it the account must have none.
	 */
	int		 factor;
	long long	 step;
	const char	*recovery;
	/*
	 * The attempt reserved on the account's login counters before its
	 * code was checked (login_reserved set): given back with the use.
	 */
	struct lk_throttle login;
	int		 login_reserved;
	/* The passkeys of the account that stay (a reset's choice). */
	struct lk_passkey_keep keep;
};

/* The longest "token" field worth looking at (a token is 43 bytes). */
#define LK_ACCOUNT_TOKEN_FIELD_MAX	128

/*
 * Look at the link of token (tlen bytes, a body's "token") for one of
 * purposes before its user chooses a password: counted first on the
 * client's "reset" throttle (as asking for a link is), then found as
 * lk_account_link_find finds it, without using it or writing anything
 * else.  Returns 0 with *out the link and its account, or -1 denied:
 * LK_R_LINK (the 400 its use would get), LK_R_TOO_MANY, LK_R_UNAVAILABLE.
 */
int	lk_account_link_check(struct lk_ctx *ctx, const char *token,
	    size_t tlen, unsigned int purposes, struct lk_link *out);

/*
 * The link of token (tlen bytes, a body's "token") for one of purposes
 * (LK_LINK_BIT()s), with password (a body's "password", which must stay
 * valid while out is used) checked against the password policy for its
 * account, and an attempt reserved on the "reset" throttle of the account
 * and the client.  Returns 0, or -1 denied: LK_R_LINK (no live link of
 * that token: unknown, used, expired, replaced, of another purpose, or
 * its account changed), LK_R_INVALID (the policy's reason), LK_R_TOO_MANY,
 * LK_R_UNAVAILABLE.
 */
int	lk_account_link_find(struct lk_ctx *ctx, const char *token, size_t tlen,
	    const char *password, size_t plen, unsigned int purposes,
	    struct lk_account_link *out);

/*
 * Follow the link found: hash the new password and, in one transaction,
 * set it, end every session and token of the account, void its links,
 * delete the passkeys l does not keep, clear the account's login counter
 * (a completed reset lifts the lockout; the client's counter only gets
 * back what l reserved on it), and record issue's session when it is
 * not NULL (the caller then sends its cookies); l's second factor is
 * spent in it too.  Returns 0, or -1
 * denied: LK_R_LINK (used or changed meanwhile: a link works once however
 * many requests race), LK_R_CODE (the second factor used meanwhile, or
 * turned on or off since it was read), LK_R_INTERNAL, LK_R_UNAVAILABLE.
 */
int	lk_account_link_use(struct lk_ctx *ctx, const struct lk_account_link *l,
	    const struct lk_issue *issue);

#endif
