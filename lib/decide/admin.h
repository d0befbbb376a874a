#ifndef LK_ADMIN_H
#define LK_ADMIN_H

#include "decide/ctx.h"
#include "domain/store/store.h"
#include "domain/token.h"

/*
 * Who may administer (the routes under /api/admin/, cgi-bin/admin.c): the
 * one guard every admin route passes first.
 */

/*
 * Whether the user whose groups are g is a member of the configured
 * admin_group.
 */
int	lk_admin_member(const struct lk_config *cfg,
	    const struct lk_store_groups *g);

/*
 * The guard, in this order: admin on (else LK_R_NOT_FOUND: the routes do
 * not exist); the client inside admin_networks (else LK_R_ADMIN_NETWORK,
 * audited as admin_refused); the access cookie, the CSRF header and the
 * token as for every protected route (lk_auth_require's refusals); the
 * user a member of admin_group (else LK_R_NOT_ADMIN, audited as
 * admin_refused); the login fresh within admin_fresh_seconds (else
 * LK_R_FRESH), for reads as for changes.  Returns 0 with *user, *claims
 * and *state filled, or -1 with the reason in ctx->denial.
 */
int	lk_admin_require(struct lk_ctx *ctx, struct lk_user *user,
	    struct lk_claims *claims, struct lk_token_state *state);

#endif
