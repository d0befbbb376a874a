#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "decide/session.h"
#include "domain/cookie.h"

/* Fill the store's record of a pair from the claims. */
static void
record(struct lk_issue *out)
{
	struct lk_store_tokens	*t = &out->tokens;

	memset(t, 0, sizeof(*t));
	(void)lk_strlcpy(t->jti, out->refresh.jti, sizeof(t->jti));
	(void)lk_strlcpy(t->csrf, out->refresh.csrf, sizeof(t->csrf));
	(void)lk_strlcpy(t->access_jti, out->access.jti, sizeof(t->access_jti));
	(void)lk_strlcpy(t->access_csrf, out->access.csrf,
	    sizeof(t->access_csrf));
	t->iat = out->access.iat;
	t->exp = out->refresh.exp;
	t->access_exp = out->access.exp;
}

int
lk_session_prepare(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_session *from, int persistent, unsigned int how,
    struct lk_issue *out)
{
	const struct lk_config	*cfg = ctx->cfg;
	long long		 life;

	memset(out, 0, sizeof(*out));
	/* Every way to a session (a second step, a passkey, a link) too. */
	if (lk_session_can_issue(ctx) == -1)
		return -1;
	if (from != NULL)
		out->session = *from;
	else {
		if (lk_uuid4(out->session.id) == -1)
			goto internal;
		out->session.created = ctx->now;
		out->session.persistent = persistent != 0;
		(void)lk_strlcpy(out->session.address, ctx->req->remote_addr,
		    sizeof(out->session.address));
		(void)lk_strlcpy(out->session.user_agent,
		    ctx->req->user_agent, sizeof(out->session.user_agent));
	}
	out->session.user_id = user->id;
	/* No refresh token outlives the session's absolute limit. */
	life = cfg->refresh_token_expires;
	if (out->session.created + cfg->session_max - ctx->now < life)
		life = out->session.created + cfg->session_max - ctx->now;
	if (life < 1)
		life = 1;
	if (lk_token_claims_new(LK_TOKEN_ACCESS, user->email, ctx->now,
	    cfg->access_token_expires, &out->access) == -1 ||
	    lk_token_claims_new(LK_TOKEN_REFRESH, user->email, ctx->now, life,
	    &out->refresh) == -1)
		goto internal;
	out->access.mfa = out->refresh.mfa = (how & LK_ISSUE_MFA) != 0;
	if ((how & LK_ISSUE_LOGIN) && from == NULL) {
		out->access.fresh = 1;
		out->access.fresh_until = LLONG_MAX;
	}
	record(out);
	return 0;
internal:
	lk_log(LK_LOG_ERR, "cannot make tokens: random source failed");
	memset(out, 0, sizeof(*out));
	return lk_deny(ctx, LK_R_INTERNAL, NULL);
}

void
lk_session_reissue(const char *sub, const struct lk_store_tokens *t,
    int persistent, int second_factor, struct lk_issue *out)
{
	memset(out, 0, sizeof(*out));
	out->session.persistent = persistent != 0;
	out->access.type = LK_TOKEN_ACCESS;
	out->refresh.type = LK_TOKEN_REFRESH;
	(void)lk_strlcpy(out->access.sub, sub, sizeof(out->access.sub));
	(void)lk_strlcpy(out->refresh.sub, sub, sizeof(out->refresh.sub));
	(void)lk_strlcpy(out->access.jti, t->access_jti, sizeof(out->access.jti));
	(void)lk_strlcpy(out->access.csrf, t->access_csrf,
	    sizeof(out->access.csrf));
	(void)lk_strlcpy(out->refresh.jti, t->jti, sizeof(out->refresh.jti));
	(void)lk_strlcpy(out->refresh.csrf, t->csrf, sizeof(out->refresh.csrf));
	out->access.iat = out->access.nbf = t->iat;
	out->refresh.iat = out->refresh.nbf = t->iat;
	out->access.exp = t->access_exp;
	out->refresh.exp = t->exp;
	out->access.mfa = out->refresh.mfa = second_factor != 0;
	out->tokens = *t;
}

/*
 * Set (or, with token NULL, expire) a token's cookie and its CSRF cookie:
 * the access pair or the refresh pair, each with its configured
 * attributes; a persistent session's cookies outlive the browser.
 */
void
lk_session_cookies(struct lk_ctx *ctx, enum lk_token_type type, const char *token,
    const char *csrf, int persistent)
{
	struct lk_cookie_attr	attr;
	struct lk_cookie_names	names;
	int			http_only;

	lk_config_cookie_names(ctx->cfg, &names);
	for (http_only = 1; http_only >= 0; http_only--) {
		if (!http_only && !ctx->cfg->csrf_protect && token != NULL)
			break;
		if (type == LK_TOKEN_ACCESS)
			lk_cookie_attr_access(ctx->cfg, &attr, http_only);
		else
			lk_cookie_attr_refresh(ctx->cfg, &attr, http_only);
		if (token == NULL)
			attr.max_age = 0;
		else if (persistent)
			attr.max_age = ctx->cfg->refresh_token_expires;
		lk_cookie_set(ctx->resp, type == LK_TOKEN_ACCESS ?
		    (http_only ? names.access : names.access_csrf) :
		    (http_only ? names.refresh : names.refresh_csrf),
		    token == NULL ? "" : (http_only ? token : csrf), &attr,
		    ctx->now);
	}
}

int
lk_session_can_issue(struct lk_ctx *ctx)
{
	if (ctx->cfg->public_keys[0] != '\0')
		return lk_deny(ctx, LK_R_CANNOT_ISSUE, NULL);
	return 0;
}

int
lk_session_can_revoke(struct lk_ctx *ctx)
{
	if (ctx->cfg->public_keys[0] != '\0')
		return lk_deny(ctx, LK_R_CANNOT_REVOKE, NULL);
	return 0;
}

int
lk_session_can_log_out(struct lk_ctx *ctx)
{
	if (ctx->cfg->public_keys[0] != '\0')
		return lk_deny_signing_out(ctx, LK_R_CANNOT_REVOKE, NULL);
	return 0;
}

void
lk_session_clear(struct lk_ctx *ctx)
{
	lk_session_cookies(ctx, LK_TOKEN_ACCESS, NULL, NULL, 0);
	lk_session_cookies(ctx, LK_TOKEN_REFRESH, NULL, NULL, 0);
}
