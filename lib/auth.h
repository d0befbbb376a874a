#ifndef LK_AUTH_H
#define LK_AUTH_H

#include "app.h"
#include "store.h"
#include "token.h"

/*
 * The decision for a protected request, in flask-jwt-extended's order:
 * access cookie present, CSRF header present (on CSRF methods), token
 * valid, CSRF header equal to the token's claim, user still present and
 * enabled.
 */

/*
 * Authenticate the current request of ctx.  Returns 0 with *user and
 * *claims filled, or -1 with the refusal already written to ctx's response.
 */
int	lk_auth_require(struct lk_ctx *ctx, struct lk_user *user,
	    struct lk_claims *claims);

/* Set the access and CSRF cookies for a freshly issued token. */
void	lk_auth_set_cookies(struct lk_ctx *ctx, const char *token,
	    const struct lk_claims *claims);

/* Clear the access and CSRF cookies. */
void	lk_auth_clear_cookies(struct lk_ctx *ctx);

#endif
