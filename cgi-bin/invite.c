/*
 * POST /api/invite/accept {"token": ..., "password": ...} -> 200
 * {"login": true} with the four cookies of a login: the link of an
 * invitation (latchkey user invite) or of a sign-up's verification
 * (POST /api/signup) gives its pending account the password and starts
 * its first session, in one transaction.  A link unknown, used, replaced
 * or expired: 400 {"msg": "This link is invalid or has expired"}.
 *
 * POST /api/invite/check {"token": ...} -> 200 {"email": ..., "name": ...}
 * for a live link of either kind (reads only; counted per client as
 * asking for links is), or the same 400: the page names the account, and
 * says a dead link is dead, before anyone types a password.
 */
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/log.h"
#include "base/util.h"
#include "decide/account.h"
#include "decide/body.h"
#include "decide/session.h"

/* An invitation's link records the session in the link's use. */
static int
record_link(struct lk_ctx *ctx, struct lk_login *l,
    const struct lk_issue *issue, void *arg)
{
	(void)l;
	return lk_account_link_use(ctx, arg, issue);
}

static void
accept_invite(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_account_link	 l;
	struct lk_json_out	 o;
	const char		*token, *password;
	size_t			 tlen, plen;

	memset(&l, 0, sizeof(l));
	if (lk_session_can_issue(ctx) == -1 ||
	    (body = lk_body_json(ctx)) == NULL)
		return;
	if ((token = lk_body_field(ctx, body, "token",
	    LK_ACCOUNT_TOKEN_FIELD_MAX, &tlen)) == NULL ||
	    (password = lk_body_field(ctx, body, "password", ctx->cfg->max_body,
	    &plen)) == NULL ||
	    lk_account_link_find(ctx, token, tlen, password, plen,
	    LK_LINK_BIT(LK_LINK_INVITE) | LK_LINK_BIT(LK_LINK_SIGNUP), &l) ==
	    -1 ||
	    lk_session_start(ctx, &l.link.user, NULL, 0, LK_ISSUE_LOGIN,
	    record_link, &l) != 0)
		goto out;
	lk_log_audit("invite_accepted", ctx->now, ctx->req->remote_addr,
	    l.link.user.email, "link", lk_link_purpose_name(l.link.purpose),
	    (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_explicit_bzero(&l, sizeof(l));
	json_object_put(body);
}

/* The account of an invitation's link, before a password is chosen. */
static void
check_invite(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_link		 l;
	struct lk_json_out	 o;
	const char		*token;
	size_t			 tlen;

	memset(&l, 0, sizeof(l));
	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((token = lk_body_field(ctx, body, "token",
	    LK_ACCOUNT_TOKEN_FIELD_MAX, &tlen)) != NULL &&
	    lk_account_link_check(ctx, token, tlen,
	    LK_LINK_BIT(LK_LINK_INVITE) | LK_LINK_BIT(LK_LINK_SIGNUP), &l) == 0) {
		lk_json_out_init(&o);
		(void)lk_json_out_str(&o, "email", l.user.email);
		(void)lk_json_out_str(&o, "name", l.user.name);
		lk_response_json(ctx->resp, 200, &o);
	}
	lk_explicit_bzero(&l, sizeof(l));
	json_object_put(body);
}

static const struct lk_route routes[] = {
	{ "/accept", LK_METHOD_POST, accept_invite },
	{ "/check", LK_METHOD_POST, check_invite },
	{ NULL, 0, NULL }
};

/* Only its route: /api/invite itself is not found. */
static const struct lk_endpoint endpoint = {
	"invite", 0, NULL, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
