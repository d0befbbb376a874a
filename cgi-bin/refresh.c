/*
 * POST /api/refresh (refresh cookie, X-CSRF-TOKEN from csrf_refresh_token)
 * -> 200 {"refresh": true} with a new access token and a new refresh
 * token; the old refresh token is retired.  Presented again inside a
 * short grace (tabs that raced each other) it gets that same new pair
 * back, never another; past the grace it revokes the whole session:
 * someone else holds a copy.  A session refreshes at most
 * session_refresh_max times, and never past session_max from its login.
 */
#include <string.h>

#include "app/app.h"
#include "base/log.h"
#include "base/metrics.h"
#include "decide/auth.h"
#include "decide/session.h"
#include "domain/store/store.h"

static void
handle(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_token_state	 state;
	struct lk_issue		 issue, again;
	struct lk_store_tokens	 successor;
	struct lk_refresh	 q;
	struct lk_json_out	 o;
	const struct lk_issue	*sent = &issue;

	memset(&issue, 0, sizeof(issue));
	if (lk_session_can_issue(ctx) == -1)
		return;
	if (lk_auth_require(ctx, LK_TOKEN_REFRESH, &user, &claims,
	    &state) == -1)
		return;
	if (!state.ours) {
		/* A refresh token of no session of ours can only be refused. */
		(void)lk_deny(ctx, LK_R_REVOKED, NULL);
		goto out;
	}
	/* A refresh: no fresh login; the login's factors carry on. */
	if (lk_session_prepare(ctx, &user, &state.session, 0, claims.mfa ?
	    LK_ISSUE_MFA : 0, &issue) == -1)
		goto out;
	memset(&q, 0, sizeof(q));
	q.jti = claims.jti;
	q.user_id = user.id;
	q.grace = cfg->refresh_grace;
	q.session_max = cfg->session_max;
	q.refresh_max = cfg->session_refresh_max;
	q.next = &issue.tokens;
	switch (lk_store_refresh(lk_ctx_store(ctx), &q, ctx->now, &successor)) {
	case LK_REFRESH_ROTATED:
		break;
	case LK_REFRESH_REPLAY:
		lk_session_reissue(user.email, &successor,
		    state.session.persistent, claims.mfa, &again);
		sent = &again;
		break;
	case LK_REFRESH_REUSED:
		lk_metrics_count(LK_M_REFRESH_REUSE_DETECTED);
		lk_log_audit("refresh_reuse_detected", ctx->now,
		    ctx->req->remote_addr, user.email, "jti", claims.jti,
		    "family", state.session.id, (char *)NULL);
		(void)lk_deny(ctx, LK_R_REVOKED, NULL);
		goto out;
	case LK_REFRESH_REVOKED:
		lk_metrics_count(LK_M_REFRESH_REVOKED);
		lk_log_audit("revoked_token_used", ctx->now,
		    ctx->req->remote_addr, user.email, "jti", claims.jti,
		    (char *)NULL);
		(void)lk_deny(ctx, LK_R_REVOKED, NULL);
		goto out;
	case LK_REFRESH_EXPIRED:
	case LK_REFRESH_LIMIT:
		/* The session is over: the client logs in again. */
		lk_metrics_count(LK_M_REFRESH_EXPIRED);
		(void)lk_deny_token(ctx, LK_TOKEN_EXPIRED);
		goto out;
	default:
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	if (lk_session_send(ctx, sent) == -1)
		goto out;
	lk_metrics_count(sent == &again ? LK_M_REFRESH_REPLAYED :
	    LK_M_REFRESH_ROTATED);
	lk_log_audit("refresh", ctx->now, ctx->req->remote_addr, user.email,
	    "family", state.session.id, (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "refresh", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

static const struct lk_endpoint endpoint = {
	"refresh", LK_METHOD_POST, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
