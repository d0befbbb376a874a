#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "cookie.h"
#include "csrf.h"
#include "log.h"

int
lk_auth_require(struct lk_ctx *ctx, struct lk_user *user,
    struct lk_claims *claims)
{
	const struct lk_config	*cfg = ctx->cfg;
	struct lk_request	*req = ctx->req;
	char			 token[LK_TOKEN_MAX + 1], msg[LK_SUB_MAX + 64];
	enum lk_token_err	 te;
	enum lk_csrf_res	 cr;
	enum lk_store_res	 sr;
	int			 csrf;

	memset(user, 0, sizeof(*user));
	memset(claims, 0, sizeof(*claims));

	if (req->cookie_too_long) {
		lk_response_msg(ctx->resp, 400, "Cookie header too large");
		return -1;
	}
	switch (lk_cookie_get(req->has_cookie ? req->cookie : NULL,
	    cfg->access_cookie_name, token, sizeof(token))) {
	case LK_COOKIE_FOUND:
		break;
	case LK_COOKIE_TOO_LONG:
		lk_response_msg(ctx->resp, lk_token_err_status(
		    LK_TOKEN_TOO_LARGE), lk_token_err_msg(LK_TOKEN_TOO_LARGE));
		return -1;
	case LK_COOKIE_BAD:
		lk_response_msg(ctx->resp, 400, "Cookie header too large");
		return -1;
	default:
		(void)snprintf(msg, sizeof(msg), "Missing cookie \"%s\"",
		    cfg->access_cookie_name);
		lk_response_msg(ctx->resp, 401, msg);
		return -1;
	}

	/* flask-jwt-extended looks for the header before decoding. */
	csrf = lk_csrf_applies(cfg, req->method);
	if (csrf && (!req->has_csrf_header || (req->csrf_header[0] == '\0' &&
	    !req->csrf_header_too_long))) {
		lk_response_msg(ctx->resp, 401, lk_csrf_msg(LK_CSRF_MISSING));
		goto fail;
	}

	te = lk_token_verify(cfg, ctx->key, token, strlen(token), ctx->now,
	    claims);
	if (te != LK_TOKEN_OK) {
		lk_response_msg(ctx->resp, lk_token_err_status(te),
		    lk_token_err_msg(te));
		goto fail;
	}
	if (csrf) {
		/* An over-long header cannot match a claim of bounded size. */
		cr = req->csrf_header_too_long ? LK_CSRF_MISMATCH :
		    lk_csrf_check(req->csrf_header, claims->csrf);
		if (cr != LK_CSRF_OK) {
			lk_response_msg(ctx->resp, 401, lk_csrf_msg(cr));
			goto fail;
		}
	}
	if ((te = lk_token_check_type(claims, LK_TOKEN_ACCESS)) != LK_TOKEN_OK) {
		lk_response_msg(ctx->resp, lk_token_err_status(te),
		    lk_token_err_msg(te));
		goto fail;
	}

	sr = lk_store_user_find(ctx->store, claims->sub, user);
	if (sr == LK_STORE_ERROR) {
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		goto fail;
	}
	if (sr != LK_STORE_OK || user->disabled) {
		(void)snprintf(msg, sizeof(msg), "Error loading the user %s",
		    claims->sub);
		lk_response_msg(ctx->resp, 401, msg);
		goto fail;
	}
	memset(token, 0, sizeof(token));
	return 0;
fail:
	memset(token, 0, sizeof(token));
	memset(user, 0, sizeof(*user));
	memset(claims, 0, sizeof(*claims));
	return -1;
}

void
lk_auth_set_cookies(struct lk_ctx *ctx, const char *token,
    const struct lk_claims *claims)
{
	struct lk_cookie_attr	attr;

	lk_cookie_attr_access(ctx->cfg, &attr, 1);
	lk_response_cookie(ctx->resp, ctx->cfg->access_cookie_name, token,
	    &attr, (long long)ctx->now);
	if (ctx->cfg->csrf_protect) {
		lk_cookie_attr_access(ctx->cfg, &attr, 0);
		lk_response_cookie(ctx->resp, ctx->cfg->access_csrf_cookie_name,
		    claims->csrf, &attr, (long long)ctx->now);
	}
}

void
lk_auth_clear_cookies(struct lk_ctx *ctx)
{
	struct lk_cookie_attr	attr;

	lk_cookie_attr_access(ctx->cfg, &attr, 1);
	attr.max_age = 0;
	lk_response_cookie(ctx->resp, ctx->cfg->access_cookie_name, "", &attr,
	    (long long)ctx->now);
	lk_cookie_attr_access(ctx->cfg, &attr, 0);
	attr.max_age = 0;
	lk_response_cookie(ctx->resp, ctx->cfg->access_csrf_cookie_name, "",
	    &attr, (long long)ctx->now);
}
