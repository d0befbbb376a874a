/*
 * POST /api/logout {} -> 200 {"logout": true}, clearing the access,
 * refresh and CSRF cookies, with or without a valid cookie.  Tokens it is
 * shown are revoked, with the whole session of the refresh token issued
 * alongside, so a copy taken before logout stops working too.  The body
 * must be JSON, so that a cross-site HTML form (which cannot send JSON)
 * cannot log anyone out.
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "cookie.h"
#include "csrf.h"
#include "log.h"
#include "store.h"
#include "token.h"

/* Revoke the token in cookie name, if it is one of ours; 0 or -1 (store). */
static int
revoke(struct lk_ctx *ctx, const char *name, struct lk_claims *c,
    const char **who)
{
	char			 token[LK_TOKEN_MAX + 1], family[LK_JTI_MAX + 1];
	struct lk_refresh	 row;
	enum lk_store_res	 sr;

	*who = NULL;
	if (lk_cookie_get(ctx->req->has_cookie ? ctx->req->cookie : NULL, name,
	    token, sizeof(token)) != LK_COOKIE_FOUND)
		return 0;
	/*
	 * Forged tokens cannot be revoked.  An expired access token still
	 * names a session whose refresh token may live on: revoke that too.
	 */
	if (lk_token_verify_ring_any_time(ctx->cfg, ctx->keys, token,
	    strlen(token), c) != LK_TOKEN_OK)
		return 0;
	*who = c->sub;
	if (lk_store_revoke(ctx->store, c->jti, c->exp) != LK_STORE_OK)
		return -1;
	if (c->type == LK_TOKEN_REFRESH) {
		sr = lk_store_refresh_find(ctx->store, c->jti, &row);
		if (sr == LK_STORE_OK)
			return lk_store_family_revoke(ctx->store, row.family) ==
			    LK_STORE_OK ? 0 : -1;
		return sr == LK_STORE_ERROR ? -1 : 0;
	}
	sr = lk_store_family_of_access(ctx->store, c->jti, family,
	    sizeof(family));
	if (sr == LK_STORE_OK)
		return lk_store_family_revoke(ctx->store, family) ==
		    LK_STORE_OK ? 0 : -1;
	return sr == LK_STORE_ERROR ? -1 : 0;
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;
	struct lk_cookie_names	 names;
	struct lk_claims	 ac, rc;
	const char		*who = NULL, *who2 = NULL;

	if ((body = lk_app_json(ctx)) == NULL)
		return;
	json_object_put(body);
	lk_config_cookie_names(ctx->cfg, &names);
	if (lk_store_begin(ctx->store) != LK_STORE_OK ||
	    revoke(ctx, names.access, &ac, &who) == -1 ||
	    revoke(ctx, names.refresh, &rc, &who2) == -1 ||
	    lk_store_prune(ctx->store, (long long)ctx->now) != LK_STORE_OK ||
	    lk_store_commit(ctx->store) != LK_STORE_OK) {
		lk_app_unavailable(ctx);
		return;
	}
	lk_log_audit("logout", ctx->now, ctx->req->remote_addr, who != NULL ? who : who2,
	    (char *)NULL);
	lk_auth_clear_cookies(ctx);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "logout", 1);
	lk_response_json(ctx->resp, 200, &o);
}

static const struct lk_endpoint endpoint = {
	"logout", "POST", LK_METHOD_POST, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
