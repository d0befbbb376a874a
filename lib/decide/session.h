#ifndef LK_SESSION_H
#define LK_SESSION_H

#include "decide/ctx.h"
#include "domain/store/store.h"
#include "domain/token.h"

/*
 * Sessions as the client sees them: the access and refresh tokens of a
 * login or refresh, and the four cookies that carry them (the two tokens,
 * HttpOnly, and their CSRF values, readable by the page's script).
 */

/* What one login or refresh issues. */
struct lk_issue {
	struct lk_claims	 access;
	struct lk_claims	 refresh;
	struct lk_store_tokens	 tokens;	/* the same, for the store */
	struct lk_session	 session;	/* id, persistent, client */
};

/*
 * New tokens for user: of a new session (from NULL: a new id, the
 * client's address and user agent, persistent as asked) or of the session
 * from (a refresh: its id and login time; the refresh token never
 * outlives session_max from the login).  how says how the user came:
 * LK_ISSUE_LOGIN a completed login (the password when the account has no
 * second factor, or with it; a passkey; an invitation's link), so the
 * access token's fresh claim is true, as flask-jwt-extended's fresh
 * tokens (lk_auth_fresh; a refresh's and a password change's are not);
 * LK_ISSUE_MFA the login used a second factor, so both tokens claim
 * "mfa": true (a refresh passes on its token's claim).  Returns 0, or -1
 * denied (LK_R_CANNOT_ISSUE on a verify-only node, LK_R_INTERNAL: the
 * random source failed).
 */
#define LK_ISSUE_LOGIN	0x1u
#define LK_ISSUE_MFA	0x2u

int	lk_session_prepare(struct lk_ctx *ctx, const struct lk_user *user,
	    const struct lk_session *from, int persistent, unsigned int how,
	    struct lk_issue *out);

/*
 * How one way into a session records it, in the one store transaction
 * that checks what that way needs (lk_store_login, lk_store_mfa_login,
 * lk_store_passkey_login, lk_store_password_change, a link's use): l
 * comes with user_id, hash, session and tokens filled (those of issue),
 * for record to add what its transaction needs and run it.  Returns 0
 * recorded, -1 denied, or a positive value of its own: not recorded and
 * not denied (a login whose account changed meanwhile).
 */
typedef int (*lk_session_record_fn)(struct lk_ctx *ctx, struct lk_login *l,
	    const struct lk_issue *issue, void *arg);

/*
 * Start a session for user: the one way every way in ends (a password
 * login, its second step, a passkey, a password change, an invitation's
 * link).  New tokens (lk_session_prepare with persistent and how), the
 * session recorded by rec(ctx, l, issue, arg) with l.hash the hash
 * given (the user's own when NULL), then both tokens signed into the four
 * cookies (lk_session_send).  The tokens are wiped before it returns.
 * Returns 0 with the cookies set, -1 denied, or rec's positive value
 * (nothing recorded, nothing sent).
 */
int	lk_session_start(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *hash, int persistent, unsigned int how,
	    lk_session_record_fn rec, void *arg);

/*
 * The tokens the store recorded as t for user sub (a refresh replayed
 * inside its grace gets them again, signed the same way: second_factor is
 * the replayed token's claim, as it was when they were first made).
 */
void	lk_session_reissue(const char *sub, const struct lk_store_tokens *t,
	    int persistent, int second_factor, struct lk_issue *out);

/*
 * Whether this node can issue tokens: a verify-only node (public_keys:
 * public keys and no signing key) cannot.  Returns 0, or -1 denied
 * (LK_R_CANNOT_ISSUE).  Endpoints that issue call it first, before any
 * password hash or store write.
 */
int	lk_session_can_issue(struct lk_ctx *ctx);

/*
 * Whether this node can revoke tokens: a verify-only node never writes
 * to the store (its role may only read), so it refuses to end a session.
 * Returns 0, or -1 denied (LK_R_CANNOT_REVOKE).
 */
int	lk_session_can_revoke(struct lk_ctx *ctx);

/*
 * Whether this node can record a logout, as lk_session_can_revoke; where
 * it cannot, the refusal (LK_R_CANNOT_REVOKE) clears the four cookies all
 * the same (lk_deny_signing_out): the browser is signed out as asked,
 * and the answer says that the session was not ended on the server.
 * Returns 0, or -1 denied.
 */
int	lk_session_can_log_out(struct lk_ctx *ctx);

/*
 * Sign both tokens and set the four cookies.  Returns 0, or -1 denied
 * (LK_R_INTERNAL; LK_R_CANNOT_ISSUE without a key that can sign).
 */
int	lk_session_send(struct lk_ctx *ctx, const struct lk_issue *issue);

/*
 * Set (or, with token NULL, expire) a token's cookie and its CSRF cookie:
 * the access pair or the refresh pair, with their configured attributes.
 */
void	lk_session_cookies(struct lk_ctx *ctx, enum lk_token_type type,
	    const char *token, const char *csrf, int persistent);

/* Clear the four cookies. */
void	lk_session_clear(struct lk_ctx *ctx);

#endif
