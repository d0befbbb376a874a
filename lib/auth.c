#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cookie.h"
#include "csrf.h"
#include "log.h"
#include "util.h"

static int
require(struct lk_ctx *ctx, enum lk_token_type want, struct lk_user *user,
    struct lk_claims *claims)
{
	const struct lk_config	*cfg = ctx->cfg;
	struct lk_request	*req = ctx->req;
	struct lk_cookie_names	 names;
	const char		*cookie;
	char			 token[LK_TOKEN_MAX + 1], msg[LK_SUB_MAX + 64];
	enum lk_token_err	 te;
	enum lk_csrf_res	 cr;
	enum lk_store_res	 sr;
	int			 csrf;

	memset(user, 0, sizeof(*user));
	memset(claims, 0, sizeof(*claims));
	lk_config_cookie_names(cfg, &names);
	cookie = want == LK_TOKEN_REFRESH ? names.refresh : names.access;

	if (req->cookie_too_long) {
		lk_response_msg(ctx->resp, 400, "Cookie header too large");
		return -1;
	}
	switch (lk_cookie_get(req->has_cookie ? req->cookie : NULL, cookie,
	    token, sizeof(token))) {
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
		(void)snprintf(msg, sizeof(msg), "Missing cookie \"%s\"", cookie);
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

	te = lk_token_verify_ring(cfg, ctx->keys, token, strlen(token),
	    ctx->now, claims);
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
	if ((te = lk_token_check_type(claims, want)) != LK_TOKEN_OK) {
		lk_response_msg(ctx->resp, lk_token_err_status(te),
		    lk_token_err_msg(te));
		goto fail;
	}

	sr = lk_store_is_revoked(ctx->store, claims->jti);
	if (sr == LK_STORE_ERROR)
		goto unavailable;
	if (sr == LK_STORE_OK) {
		lk_log_audit("revoked_token_used", ctx->now, ctx->req->remote_addr,
		    claims->sub, "jti", claims->jti, (char *)NULL);
		lk_response_msg(ctx->resp, 401, "Token has been revoked");
		goto fail;
	}
	sr = lk_store_user_find(ctx->store, claims->sub, user);
	if (sr == LK_STORE_ERROR)
		goto unavailable;
	if (sr != LK_STORE_OK || user->disabled) {
		(void)snprintf(msg, sizeof(msg), "Error loading the user %s",
		    claims->sub);
		lk_response_msg(ctx->resp, 401, msg);
		goto fail;
	}
	/* Issued before a password change, disabling or forced logout. */
	if (claims->iat < user->tokens_valid_after) {
		lk_log_audit("revoked_token_used", ctx->now, ctx->req->remote_addr,
		    claims->sub, "jti", claims->jti, (char *)NULL);
		lk_response_msg(ctx->resp, 401, "Token has been revoked");
		goto fail;
	}
	lk_explicit_bzero(token, sizeof(token));
	return 0;
unavailable:
	lk_response_msg(ctx->resp, 503, "Service unavailable");
fail:
	lk_explicit_bzero(token, sizeof(token));
	memset(user, 0, sizeof(*user));
	memset(claims, 0, sizeof(*claims));
	return -1;
}

int
lk_auth_require(struct lk_ctx *ctx, struct lk_user *user,
    struct lk_claims *claims)
{
	return require(ctx, LK_TOKEN_ACCESS, user, claims);
}

int
lk_auth_require_refresh(struct lk_ctx *ctx, struct lk_user *user,
    struct lk_claims *claims)
{
	return require(ctx, LK_TOKEN_REFRESH, user, claims);
}

/*
 * Set (or, with clear, expire) a token's cookie and its CSRF cookie: the
 * access pair or the refresh pair, each with its configured attributes.
 */
static void
cookie_pair(struct lk_ctx *ctx, enum lk_token_type type, const char *token,
    const char *csrf, int clear)
{
	struct lk_cookie_attr	attr;
	struct lk_cookie_names	names;
	int			http_only;

	lk_config_cookie_names(ctx->cfg, &names);
	for (http_only = 1; http_only >= 0; http_only--) {
		if (!http_only && !ctx->cfg->csrf_protect && !clear)
			break;
		if (type == LK_TOKEN_ACCESS)
			lk_cookie_attr_access(ctx->cfg, &attr, http_only);
		else
			lk_cookie_attr_refresh(ctx->cfg, &attr, http_only);
		if (clear)
			attr.max_age = 0;
		lk_response_cookie(ctx->resp, type == LK_TOKEN_ACCESS ?
		    (http_only ? names.access : names.access_csrf) :
		    (http_only ? names.refresh : names.refresh_csrf),
		    clear ? "" : (http_only ? token : csrf), &attr,
		    (long long)ctx->now);
	}
}

int
lk_auth_start_session(struct lk_ctx *ctx, const struct lk_user *user,
    const char *family, long long family_started)
{
	const struct lk_config	*cfg = ctx->cfg;
	struct lk_claims	 ac, rc;
	struct lk_refresh	 row;
	char			*access = NULL, *refresh = NULL;
	long long		 now = (long long)ctx->now, life;
	int			 ret = -1;

	memset(&row, 0, sizeof(row));
	if (family == NULL) {
		if (lk_uuid4(row.family) == -1)
			goto internal;
		family_started = now;
	} else if (lk_strlcpy(row.family, family, sizeof(row.family)) == -1)
		goto internal;
	/* No refresh token outlives the session's absolute limit. */
	life = cfg->refresh_token_expires;
	if (family_started + cfg->session_max - now < life)
		life = family_started + cfg->session_max - now;
	if (life < 1)
		life = 1;

	access = lk_token_issue(cfg, ctx->key, LK_TOKEN_ACCESS, user->email,
	    0, ctx->now, cfg->access_token_expires, &ac);
	refresh = lk_token_issue(cfg, ctx->key, LK_TOKEN_REFRESH, user->email,
	    0, ctx->now, life, &rc);
	if (access == NULL || refresh == NULL)
		goto internal;
	(void)lk_strlcpy(row.jti, rc.jti, sizeof(row.jti));
	(void)lk_strlcpy(row.access_jti, ac.jti, sizeof(row.access_jti));
	row.user_id = user->id;
	/* Kept while either token lives, so a revoked session stays revoked. */
	row.exp = rc.exp > ac.exp ? rc.exp : ac.exp;
	row.family_started = family_started;
	if (lk_store_refresh_add(ctx->store, &row) != LK_STORE_OK) {
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		goto out;
	}
	cookie_pair(ctx, LK_TOKEN_ACCESS, access, ac.csrf, 0);
	cookie_pair(ctx, LK_TOKEN_REFRESH, refresh, rc.csrf, 0);
	ret = 0;
	goto out;
internal:
	lk_log(LK_LOG_ERR, "cannot issue tokens");
	lk_response_msg(ctx->resp, 500, "Internal error");
out:
	if (access != NULL) {
		lk_explicit_bzero(access, strlen(access));
		free(access);
	}
	if (refresh != NULL) {
		lk_explicit_bzero(refresh, strlen(refresh));
		free(refresh);
	}
	return ret;
}

void
lk_auth_clear_cookies(struct lk_ctx *ctx)
{
	cookie_pair(ctx, LK_TOKEN_ACCESS, NULL, NULL, 1);
	cookie_pair(ctx, LK_TOKEN_REFRESH, NULL, NULL, 1);
}
