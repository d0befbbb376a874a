/*
 * POST /api/refresh (refresh cookie, X-CSRF-TOKEN from csrf_refresh_token)
 * -> 200 {"refresh": true} with a new access token and a new refresh
 * token; the old refresh token is retired.  Presenting a retired refresh
 * token again, after a short grace for tabs that raced each other, revokes
 * its whole session: someone else holds a copy.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "log.h"
#include "store.h"

static void
handle(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_claims	claims;
	struct lk_refresh	row;
	struct lk_json_out	o;
	long long		now = (long long)ctx->now;
	enum lk_store_res	sr;

	if (lk_auth_require_refresh(ctx, &user, &claims) == -1)
		return;
	/* One writer at a time: concurrent refreshes of one token serialise. */
	if (lk_store_begin(ctx->store) != LK_STORE_OK)
		goto unavailable;
	sr = lk_store_refresh_find(ctx->store, claims.jti, &row);
	if (sr == LK_STORE_ERROR)
		goto unavailable;
	if (sr == LK_STORE_NOT_FOUND || row.revoked || row.user_id != user.id) {
		lk_store_rollback(ctx->store);
		lk_log_audit("revoked_token_used", ctx->now, ctx->req->remote_addr,
		    user.email, "jti", claims.jti, (char *)NULL);
		lk_response_msg(ctx->resp, 401, "Token has been revoked");
		goto out;
	}
	if (row.rotated_at != 0 && now - row.rotated_at > ctx->cfg->refresh_grace) {
		/* Reuse of a retired token: end the whole session. */
		if (lk_store_family_revoke(ctx->store, row.family) != LK_STORE_OK ||
		    lk_store_commit(ctx->store) != LK_STORE_OK)
			goto unavailable;
		lk_log_audit("refresh_reuse_detected", ctx->now, ctx->req->remote_addr,
		    user.email, "jti", claims.jti, "family", row.family,
		    (char *)NULL);
		lk_response_msg(ctx->resp, 401, "Token has been revoked");
		goto out;
	}
	if (row.family_started + ctx->cfg->session_max <= now) {
		lk_store_rollback(ctx->store);
		lk_response_msg(ctx->resp, 401, "Token has expired");
		goto out;
	}
	if ((row.rotated_at == 0 && lk_store_refresh_mark_rotated(ctx->store,
	    claims.jti, now) != LK_STORE_OK) ||
	    lk_auth_start_session(ctx, &user, row.family,
	    row.family_started) == -1) {
		lk_store_rollback(ctx->store);
		if (ctx->resp->status == 500)
			goto out;
		goto unavailable;
	}
	if (lk_store_commit(ctx->store) != LK_STORE_OK)
		goto unavailable;
	lk_log_audit("refresh", ctx->now, ctx->req->remote_addr, user.email,
	    "family", row.family, (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "refresh", 1);
	lk_response_json(ctx->resp, 200, &o);
	goto out;
unavailable:
	lk_app_unavailable(ctx);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static const struct lk_endpoint endpoint = {
	"refresh", "POST", LK_METHOD_POST, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
