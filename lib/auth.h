#ifndef LK_AUTH_H
#define LK_AUTH_H

#include "app.h"
#include "store.h"
#include "token.h"

/*
 * The decision for a protected request, in flask-jwt-extended's order:
 * cookie present, CSRF header present (on CSRF methods), token valid, CSRF
 * header equal to the token's claim, token of the right type, not
 * revoked, user still present and enabled, token not older than the
 * user's last password change or disabling.
 */

/*
 * Authenticate the current request of ctx with its access cookie.
 * Returns 0 with *user and *claims filled, or -1 with the refusal already
 * written to ctx's response.
 */
int	lk_auth_require(struct lk_ctx *ctx, struct lk_user *user,
	    struct lk_claims *claims);

/* The same with the refresh cookie and a refresh token. */
int	lk_auth_require_refresh(struct lk_ctx *ctx, struct lk_user *user,
	    struct lk_claims *claims);

/*
 * Issue an access and a refresh token for user, record the refresh token
 * (in family, or a new family started now if family is NULL), and set the
 * four cookies.  Returns 0, or -1 with a 500 or 503 in the response.
 */
int	lk_auth_start_session(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *family, long long family_started);

/* Clear the access, refresh and both CSRF cookies. */
void	lk_auth_clear_cookies(struct lk_ctx *ctx);

#endif
