#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/log.h"
#include "base/util.h"
#include "decide/auth.h"
#include "domain/cookie.h"
#include "domain/csrf.h"

/* The token from the cookie of type want into token; 0 or -1 (denied). */
static int
token_from_cookie(struct lk_ctx *ctx, enum lk_token_type want, char *token,
    size_t tokensz)
{
	struct lk_cookie_names	 names;
	const char		*name;
	const struct lk_request	*req = ctx->req;

	lk_config_cookie_names(ctx->cfg, &names);
	name = want == LK_TOKEN_REFRESH ? names.refresh : names.access;
	if (req->cookie_too_long)
		return lk_deny(ctx, LK_R_COOKIE_TOO_LARGE, NULL);
	switch (lk_cookie_get(req->has_cookie ? req->cookie : NULL, name,
	    token, tokensz)) {
	case LK_COOKIE_FOUND:
		return 0;
	case LK_COOKIE_TOO_LONG:
		return lk_deny_token(ctx, LK_TOKEN_TOO_LARGE);
	default:
		return lk_deny(ctx, LK_R_COOKIE_MISSING, name);
	}
}

/* The store's word on a verified token; 0 or -1 (denied). */
static int
check_store(struct lk_ctx *ctx, const struct lk_claims *claims,
    struct lk_user *user, struct lk_token_state *st)
{
	enum lk_store_res	sr;
	int			revoked;

	sr = lk_store_token_check(lk_ctx_store(ctx), claims->sub, claims->jti,
	    claims->type == LK_TOKEN_REFRESH, user, st);
	if (sr == LK_STORE_ERROR)
		return lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
	revoked = st->revoked || (st->ours && st->session.revoked);
	if (!revoked && sr == LK_STORE_OK && !user->disabled)
		/*
		 * A session of ours decides for its tokens, exactly; a token
		 * of none is as old as its whole-second iat, so the second of
		 * a change counts as before it.
		 */
		revoked = st->ours ? st->session.user_id != user->id :
		    user->tokens_valid_after != 0 &&
		    claims->iat <= user->tokens_valid_after;
	if (revoked) {
		lk_log_audit("revoked_token_used", ctx->now,
		    ctx->req->remote_addr, claims->sub, "jti", claims->jti,
		    (char *)NULL);
		return lk_deny(ctx, LK_R_REVOKED, NULL);
	}
	if (sr != LK_STORE_OK || user->disabled || lk_store_user_pending(user))
		return lk_deny(ctx, LK_R_USER, claims->sub);
	return 0;
}

int
lk_auth_require(struct lk_ctx *ctx, enum lk_token_type want,
    struct lk_user *user, struct lk_claims *claims,
    struct lk_token_state *state)
{
	const struct lk_request	*req = ctx->req;
	char			 token[LK_TOKEN_MAX + 1];
	enum lk_token_err	 te;
	enum lk_csrf_res	 cr;
	int			 csrf, rc = -1;

	memset(user, 0, sizeof(*user));
	memset(claims, 0, sizeof(*claims));
	memset(state, 0, sizeof(*state));
	if (token_from_cookie(ctx, want, token, sizeof(token)) == -1)
		goto out;
	/* flask-jwt-extended looks for the header before decoding. */
	csrf = lk_config_csrf_applies(ctx->cfg, req->method);
	if (csrf && (!req->has_csrf_header || (req->csrf_header[0] == '\0' &&
	    !req->csrf_header_too_long))) {
		(void)lk_deny(ctx, LK_R_CSRF_MISSING, NULL);
		goto out;
	}
	if (lk_ctx_keys(ctx) == NULL)
		goto out;
	te = lk_token_verify_cached(ctx->tokens, ctx->cfg, ctx->keys, token,
	    strlen(token), ctx->now, claims);
	if (te != LK_TOKEN_OK) {
		(void)lk_deny_token(ctx, te);
		goto out;
	}
	if (csrf) {
		/* An over-long header cannot match a claim of bounded size. */
		cr = req->csrf_header_too_long ? LK_CSRF_MISMATCH :
		    lk_csrf_check(req->csrf_header, claims->csrf);
		if (cr != LK_CSRF_OK) {
			(void)lk_deny(ctx, cr == LK_CSRF_MISSING ?
			    LK_R_CSRF_MISSING : LK_R_CSRF_MISMATCH, NULL);
			goto out;
		}
	}
	if ((te = lk_token_check_type(claims, want)) != LK_TOKEN_OK) {
		(void)lk_deny_token(ctx, te);
		goto out;
	}
	if (check_store(ctx, claims, user, state) == -1)
		goto out;
	rc = 0;
out:
	lk_explicit_bzero(token, sizeof(token));
	if (rc == -1) {
		memset(user, 0, sizeof(*user));
		memset(claims, 0, sizeof(*claims));
		memset(state, 0, sizeof(*state));
	}
	return rc;
}

int
lk_auth_groups(const struct lk_store_groups *in, struct lk_groups *out)
{
	const char	*p = in->text;
	size_t		 i, len;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < LK_AUTH_GROUPS_MAX; i++)
		out->list[i] = out->name[i];
	if (in->n > LK_AUTH_GROUPS_MAX)
		return -1;
	for (i = 0; i < in->n; i++) {
		len = strcspn(p, ",");
		if (len == 0 || len > LK_GROUP_NAME_MAX ||
		    (p[len] == '\0') != (i + 1 == in->n)) {
			memset(out->name, 0, sizeof(out->name));
			return -1;
		}
		memcpy(out->name[i], p, len);
		out->name[i][len] = '\0';
		p += len + (p[len] == ',');
	}
	out->n = in->n;
	return 0;
}

long
lk_auth_groups_json(const struct lk_store_groups *in, char *out, size_t outsz)
{
	struct lk_groups	*g;
	size_t			 i, at = 0;
	long			 n, rc = -1;

	if ((g = malloc(sizeof(*g))) == NULL)
		return -1;
	if (lk_auth_groups(in, g) == -1 || outsz < 3)
		goto out;
	out[at++] = '[';
	for (i = 0; i < g->n; i++) {
		if (i > 0) {
			if (at + 1 >= outsz)
				goto out;
			out[at++] = ',';
		}
		if ((n = lk_json_escape(g->name[i], out + at, outsz - at)) < 0)
			goto out;
		at += (size_t)n;
	}
	if (at + 2 > outsz)
		goto out;
	out[at++] = ']';
	out[at] = '\0';
	rc = (long)at;
out:
	free(g);
	return rc;
}

/* The request as the access rules look at it, without a session. */
static void
access_request(const struct lk_ctx *ctx, struct lk_access_request *q)
{
	const struct lk_request	*req = ctx->req;

	memset(q, 0, sizeof(*q));
	q->host = req->host;
	/* Unknown or cut short: the rules refuse to read it. */
	q->uri = req->has_uri && !req->uri_too_long ? req->uri : NULL;
	q->method = req->method;
	q->address = req->remote_addr;
}

/*
 * Refuse the request the rules decided on (d): denied, a second factor
 * wanted, or a path they cannot read; an audit line says which rule.
 */
static void
refuse_access(struct lk_ctx *ctx, const struct lk_access_request *q,
    const struct lk_access_decision *d, const char *email)
{
	char		 line[32], path[LK_URI_MAX + 1];
	const char	*event;
	enum lk_reason	 reason;

	switch (d->access) {
	case LK_ACCESS_BAD_REQUEST:
		(void)lk_deny(ctx, LK_R_BAD_PATH, NULL);
		return;
	case LK_ACCESS_SECOND_FACTOR:
		event = "second_factor_required";
		reason = LK_R_SECOND_FACTOR;
		break;
	default:
		event = "access_denied";
		reason = LK_R_ACCESS_DENIED;
		break;
	}
	(void)snprintf(line, sizeof(line), "%zu", d->line);
	/* The path alone: a query may carry what is nobody's business. */
	(void)lk_strlcpy(path, q->uri != NULL ? q->uri : "", sizeof(path));
	path[strcspn(path, "?")] = '\0';
	lk_log_audit(event, ctx->now, q->address != NULL ? q->address : "",
	    email, "rule", line, "method", q->method, "host", q->host,
	    "path", path, (char *)NULL);
	(void)lk_deny(ctx, reason, NULL);
}

_Static_assert(sizeof("Variable-LATCHKEY_GROUPS: ") + LK_STORE_GROUPS_TEXT_MAX <=
    LK_RESP_HEADER_MAX, "a user's groups fit their header");

/*
 * The 200 of a grant, with the user's identity and groups (NULL: a
 * bypass, none).  Groups are joined as the store keeps them: sorted,
 * with ',' (which no name holds), "" for none.
 */
static void
grant(struct lk_ctx *ctx, const struct lk_user *user,
    const struct lk_token_state *state)
{
	ctx->resp->status = 200;
	if (user == NULL)
		return;
	lk_response_header(ctx->resp, "Variable-LATCHKEY_USER", "%s",
	    user->email);
	lk_response_header(ctx->resp, "Variable-LATCHKEY_NAME", "%s",
	    user->name);
	lk_response_header(ctx->resp, "Variable-LATCHKEY_GROUPS", "%s",
	    state->groups.n > 0 ? state->groups.text : "");
}

int
lk_auth_fresh(const struct lk_ctx *ctx, const struct lk_claims *claims,
    long long max_age)
{
	return claims->type == LK_TOKEN_ACCESS &&
	    claims->fresh_until > ctx->now && ctx->now - claims->iat <= max_age;
}

int
lk_auth_require_fresh(struct lk_ctx *ctx, const struct lk_claims *claims,
    long long max_age)
{
	if (!lk_auth_fresh(ctx, claims, max_age))
		return lk_deny(ctx, LK_R_FRESH, NULL);
	return 0;
}

int
lk_auth_access(struct lk_ctx *ctx, const struct lk_access_request *orig,
    struct lk_user *user, struct lk_token_state *state,
    struct lk_groups *groups)
{
	struct lk_claims		 claims;
	struct lk_access_request	 q = *orig;
	struct lk_access_decision	 d;
	const struct lk_rules		*rules = NULL;
	int				 rc = -1;

	memset(groups, 0, sizeof(*groups));
	if (ctx->cfg->access_rules[0] != '\0') {
		if ((rules = lk_ctx_rules(ctx)) == NULL)
			return -1;
		/* First as if nobody were signed in: a bypass or a deny for all. */
		q.has_session = 0;
		lk_rules_decide(rules, &q, &d);
		if (d.access == LK_ACCESS_BYPASS)
			return 0;
		if (d.access != LK_ACCESS_LOGIN) {
			refuse_access(ctx, &q, &d, NULL);
			return -1;
		}
	}
	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, user, &claims, state) == -1)
		return -1;
	if (lk_auth_groups(&state->groups, groups) == -1) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		goto out;
	}
	if (rules != NULL) {
		q.has_session = 1;
		q.user = user->email;
		q.groups = groups->list;
		q.ngroups = groups->n;
		q.second_factor = claims.mfa;
		lk_rules_decide(rules, &q, &d);
		if (d.access != LK_ACCESS_ALLOW && d.access != LK_ACCESS_BYPASS) {
			refuse_access(ctx, &q, &d, user->email);
			goto out;
		}
	}
	rc = 1;
out:
	if (rc == -1)
		lk_explicit_bzero(user, sizeof(*user));
	lk_explicit_bzero(&claims, sizeof(claims));
	return rc;
}

void
lk_auth_authorize(struct lk_ctx *ctx)
{
	struct lk_user			 user;
	struct lk_token_state		 state;
	struct lk_groups		 groups;
	struct lk_access_request	 q;
	int				 rc;

	access_request(ctx, &q);
	if ((rc = lk_auth_access(ctx, &q, &user, &state, &groups)) == -1)
		return;
	grant(ctx, rc == 1 ? &user : NULL, &state);
	lk_explicit_bzero(&user, sizeof(user));
}
