/*
 * POST /api/logout {} -> 200 {"logout": true}, clearing the access,
 * refresh and CSRF cookies, with or without a valid cookie.  Tokens it is
 * shown are revoked, with the whole session that issued them, so a copy
 * taken before logout stops working too — an access token that expired
 * meanwhile included, since its session's refresh token may live on.
 * The body must be JSON, so that a cross-site HTML form (which cannot
 * send JSON) cannot log anyone out.  A verify-only node cannot record a
 * revocation: it answers 503 {"msg": "This node cannot revoke tokens"}
 * and clears the four cookies all the same, so that the browser is
 * signed out as the user asked while the answer says the session lives
 * on in the store (until it expires, or is ended from a full node's list
 * of sessions).
 */
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "decide/body.h"
#include "decide/session.h"
#include "domain/cookie.h"
#include "domain/store/store.h"
#include "domain/token.h"

/*
 * The token in cookie name, if it is one of ours (forged ones revoke
 * nothing), as a revocation.  Returns 1 and fills *r (and *c), or 0.
 */
static int
shown(struct lk_ctx *ctx, const char *name, struct lk_claims *c,
    struct lk_revoke *r)
{
	char	token[LK_TOKEN_MAX + 1];
	int	ok;

	if (lk_cookie_get(ctx->req->has_cookie ? ctx->req->cookie : NULL, name,
	    token, sizeof(token)) != LK_COOKIE_FOUND)
		return 0;
	ok = lk_ctx_keys(ctx) != NULL &&
	    lk_token_verify_any_time(ctx->cfg, ctx->keys, token,
	    strlen(token), ctx->now, c) == LK_TOKEN_OK &&
	    c->type != LK_TOKEN_OTHER;
	lk_explicit_bzero(token, sizeof(token));
	if (!ok)
		return 0;
	r->jti = c->jti;
	r->exp = c->exp;
	r->refresh = c->type == LK_TOKEN_REFRESH;
	return 1;
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;
	struct lk_cookie_names	 names;
	struct lk_claims	 c[2];
	struct lk_revoke	 r[2];
	const char		*who = NULL;
	size_t			 n = 0;

	if ((body = lk_body_json(ctx)) == NULL)
		return;
	json_object_put(body);
	if (lk_session_can_log_out(ctx) == -1)
		return;
	lk_config_cookie_names(ctx->cfg, &names);
	if (shown(ctx, names.access, &c[n], &r[n]))
		n++;
	if (shown(ctx, names.refresh, &c[n], &r[n]))
		n++;
	if (n > 0)
		who = c[0].sub;
	if (lk_deny_store(ctx, lk_store_logout(lk_ctx_store(ctx), r, n, ctx->now),
	    NULL, 0) == -1)
		return;
	lk_metrics_count(LK_M_LOGOUT);
	lk_log_audit("logout", ctx->now, ctx->req->remote_addr, who,
	    (char *)NULL);
	lk_session_clear(ctx);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "logout", 1);
	lk_response_json(ctx->resp, 200, &o);
}

static const struct lk_endpoint endpoint = {
	"logout", LK_METHOD_POST, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
