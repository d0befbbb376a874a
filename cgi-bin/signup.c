/*
 * POST /api/signup {"email": ..., "name": ...} -> 202 {"sent": true},
 * with signup = open (else 404, as for any path that is not served): a
 * new address gets a pending account and, by mail after the answer, a
 * link to choose its password (SITE_URL/invite#TOKEN, the invitation's
 * page); an address that has an account gets a mail saying so; the
 * answer is the same either way.  Throttled per address and client.
 */
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "decide/account.h"
#include "decide/body.h"
#include "domain/mail.h"
#include "domain/policy.h"

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;
	const char		*email, *name, *why;
	size_t			 elen, nlen;

	if (!ctx->cfg->signup_open) {
		(void)lk_deny(ctx, LK_R_NOT_FOUND, NULL);
		return;
	}
	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((email = lk_body_field(ctx, body, "email", LK_EMAIL_MAX,
	    &elen)) == NULL ||
	    (name = lk_body_field(ctx, body, "name", LK_NAME_MAX_BYTES,
	    &nlen)) == NULL)
		goto out;
	/* What mail can reach: a plain address, refused as the field it is. */
	if (lk_policy_email(email) != NULL || !lk_mail_addr_valid(email)) {
		(void)lk_deny(ctx, LK_R_INVALID, "Field \"email\" must be an "
		    "email address like name@example.com");
		goto out;
	}
	if ((why = lk_policy_name(ctx->cfg, name, nlen)) != NULL) {
		(void)lk_deny(ctx, LK_R_INVALID, why);
		goto out;
	}
	if (lk_account_send_link(ctx, LK_LINK_SIGNUP, email, name) == -1)
		goto out;
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "sent", 1);
	lk_response_json(ctx->resp, 202, &o);
out:
	json_object_put(body);
}

static const struct lk_endpoint endpoint = {
	"signup", LK_METHOD_POST, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
