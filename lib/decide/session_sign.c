/*
 * Signing a session's tokens (and starting a session, which ends in
 * signing them), apart from the rest of session.c: a
 * program that only verifies (the authorizer) then links no signing code
 * and no libjwt.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "decide/session.h"

int
lk_session_start(struct lk_ctx *ctx, const struct lk_user *user,
    const char *hash, int persistent, unsigned int how,
    lk_session_record_fn rec, void *arg)
{
	struct lk_issue	issue;
	struct lk_login	l;
	int		rc;

	if ((rc = lk_session_prepare(ctx, user, NULL, persistent, how,
	    &issue)) == -1)
		goto out;
	memset(&l, 0, sizeof(l));
	l.user_id = user->id;
	l.hash = hash != NULL ? hash : user->hash;
	l.session = &issue.session;
	l.tokens = &issue.tokens;
	if ((rc = rec(ctx, &l, &issue, arg)) != 0)
		goto out;
	rc = lk_session_send(ctx, &issue);
out:
	lk_explicit_bzero(&issue, sizeof(issue));
	return rc;
}

int
lk_session_send(struct lk_ctx *ctx, const struct lk_issue *issue)
{
	char	*access = NULL, *refresh = NULL;
	int	 rc = -1;

	if (lk_ctx_keys(ctx) == NULL)
		return -1;
	if (ctx->keys->verify_only || !lk_key_can_sign(&ctx->keys->current))
		return lk_deny(ctx, LK_R_CANNOT_ISSUE, NULL);
	access = lk_token_sign(ctx->cfg, &ctx->keys->current, &issue->access);
	refresh = lk_token_sign(ctx->cfg, &ctx->keys->current,
	    &issue->refresh);
	if (access == NULL || refresh == NULL) {
		lk_log(LK_LOG_ERR, "cannot sign tokens");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	lk_session_cookies(ctx, LK_TOKEN_ACCESS, access, issue->access.csrf,
	    issue->session.persistent);
	lk_session_cookies(ctx, LK_TOKEN_REFRESH, refresh, issue->refresh.csrf,
	    issue->session.persistent);
	rc = 0;
out:
	if (access != NULL) {
		lk_explicit_bzero(access, strlen(access));
		free(access);
	}
	if (refresh != NULL) {
		lk_explicit_bzero(refresh, strlen(refresh));
		free(refresh);
	}
	return rc;
}
