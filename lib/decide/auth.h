#ifndef LK_AUTH_H
#define LK_AUTH_H

#include "decide/ctx.h"
#include "domain/rules.h"
#include "domain/store/store.h"
#include "domain/token.h"

/*
 * The decision for a protected request, in flask-jwt-extended's order:
 * cookie present, CSRF header present (on CSRF methods), token valid,
 * CSRF header equal to the token's claim, token of the right type; then,
 * from one read of the store, not revoked (itself, or its session), user
 * present and enabled, and a token of no session of ours (one
 * flask-jwt-extended minted) not older than the user's last password
 * change, disabling or re-creation.
 */

/*
 * Authenticate the current request of ctx with the cookie of a token of
 * type want (LK_TOKEN_ACCESS or LK_TOKEN_REFRESH).  Returns 0 with *user,
 * *claims and *state (what the store knows of the token) filled, or -1
 * with the reason in ctx->denial.
 */
int	lk_auth_require(struct lk_ctx *ctx, enum lk_token_type want,
	    struct lk_user *user, struct lk_claims *claims,
	    struct lk_token_state *state);

/* The groups of one user, as the access rules see them. */
#define LK_AUTH_GROUPS_MAX	LK_STORE_USER_GROUPS_MAX

struct lk_groups {
	size_t		 n;
	char		 name[LK_AUTH_GROUPS_MAX][LK_GROUP_NAME_MAX + 1];
	const char	*list[LK_AUTH_GROUPS_MAX];	/* name[i], for lib/domain/rules.h */
};

/*
 * The groups the store read for a user (in the same read as their token:
 * lk_auth_require's state->groups, or lk_store_user_groups) as the
 * access rules' group= subjects want them, sorted, into out; the
 * authorizer and `latchkey access check` both ask here.  Returns 0, or
 * -1 if in does not hold what the store writes (out then holds none).
 */
int	lk_auth_groups(const struct lk_store_groups *in, struct lk_groups *out);

/*
 * The groups of in as a JSON array of strings, sorted (["admins","web"],
 * [] for none), into out: its length, or -1 if it does not fit.
 * LK_AUTH_GROUPS_JSON_MAX always fits.
 */
#define LK_AUTH_GROUPS_JSON_MAX	(LK_STORE_GROUPS_TEXT_MAX * 7 + 3)
long	lk_auth_groups_json(const struct lk_store_groups *in, char *out,
	    size_t outsz);

/*
 * Whether the verified access token of claims is fresh at ctx->now: its
 * fresh claim holds (set by a completed login: a password, with the
 * second factor when the account has one; a passkey; an invitation's
 * link) and it was issued at most max_age seconds ago.  A refreshed token
 * is never fresh.
 */
int	lk_auth_fresh(const struct lk_ctx *ctx, const struct lk_claims *claims,
	    long long max_age);

/*
 * The same as a refusal, for changes that need a login just now (as
 * flask-jwt-extended's fresh_jwt_required): 0, or -1 denied (LK_R_FRESH).
 */
int	lk_auth_require_fresh(struct lk_ctx *ctx, const struct lk_claims *claims,
	    long long max_age);

/*
 * The authorizer's decision on the current request of ctx, for the web
 * server to serve it itself.  Without access_rules: a valid access cookie
 * (and, on unsafe methods, the CSRF header) -> 200, empty body, with
 *   Variable-LATCHKEY_USER: <email>
 *   Variable-LATCHKEY_NAME: <name>
 *   Variable-LATCHKEY_GROUPS: <the user's groups, sorted, joined with ','>
 * which the server turns into environment variables for whatever serves
 * the request; anything else -> the reason in ctx->denial.  With them,
 * the rules decide (lib/domain/rules.h) on the request's Host, REQUEST_URI,
 * method and client address: a bypass -> 200 without the variables (no
 * login is looked at); a rule that wants a session -> the session checked
 * as above, then the rules again with its user, groups and second factor:
 * allowed -> the 200 above, denied -> LK_R_ACCESS_DENIED, one factor where
 * two are needed -> LK_R_SECOND_FACTOR; a path the rules refuse to read ->
 * LK_R_BAD_PATH; a rules file that cannot be read or has an error ->
 * LK_R_UNAVAILABLE, whatever the request.
 */
void	lk_auth_authorize(struct lk_ctx *ctx);

/*
 * The decision of lk_auth_authorize on the request orig describes (for
 * the forward-auth endpoints, the request the proxy asks about; its
 * has_session and subject are not read).  Returns 1 allowed for a
 * session, with *user and *groups filled; 0 allowed as a bypass, no login
 * looked at; -1 refused, with the reason in ctx->denial as above.  With
 * a session, *state is what the store knows of its token (its groups
 * among it), and *groups those groups as the rules see them.
 */
int	lk_auth_access(struct lk_ctx *ctx, const struct lk_access_request *orig,
	    struct lk_user *user, struct lk_token_state *state,
	    struct lk_groups *groups);

#endif
