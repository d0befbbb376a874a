/*
 * Passkeys (WebAuthn):
 *   POST   /api/webauthn/register/options  (signed in, CSRF; a fresh login,
 *          or {"password", and "code" or "recovery_code" with TOTP on})
 *          -> PublicKeyCredentialCreationOptions
 *   POST   /api/webauthn/register          (signed in, CSRF) the browser's
 *          PublicKeyCredential, and an optional "name", answering the
 *          live challenge of those options
 *          -> {"credential": {"created", "id", "last_used", "name"}}
 *   POST   /api/webauthn/login/options     -> PublicKeyCredentialRequestOptions
 *   POST   /api/webauthn/login             the assertion -> {"login": true}
 *          and the cookies of a password login (a passkey is both factors)
 *   GET    /api/webauthn/credentials       (signed in) -> {"credentials": [...]}
 *   DELETE /api/webauthn/credentials/ID    (signed in, CSRF) -> {"deleted": true}
 * Binary fields are unpadded base64url; the checks are lib/decide/passkey.h's.
 * A passkey signs in without password or code: binding one needs both
 * factors proved, not a session alone (a stolen cookie), so the options
 * are refused with 401 {"msg": "Fresh token required"} unless the login
 * is fresh (fresh_seconds) or the body proves both.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/body.h"
#include "decide/mfa.h"
#include "decide/notify.h"
#include "decide/passkey.h"
#include "decide/session.h"

/* Room for options naming LK_PASSKEY_MAX credentials of the longest id. */
#define OPTIONS_MAX	(LK_PASSKEY_MAX * (LK_STORE_CRED_ID_MAX + 64) + 4096)
#define LIST_MAX	(LK_PASSKEY_MAX * (LK_STORE_PASSKEY_NAME_MAX * 6 + 256) + 64)

static int
signed_in(struct lk_ctx *ctx, struct lk_user *user)
{
	struct lk_claims	claims;
	struct lk_token_state	state;
	int			rc;

	rc = lk_auth_require(ctx, LK_TOKEN_ACCESS, user, &claims, &state);
	lk_explicit_bzero(&claims, sizeof(claims));
	return rc;
}

/*
 * The signed-in user, who proved both factors: by a fresh login (*fp set
 * to NULL) or by the body's password and second factor (*fp = f, for the
 * store to spend; t the throttle's reservation, *reserved set).
 */
static int
proved(struct lk_ctx *ctx, struct lk_user *user, struct json_object **body,
    struct lk_factor_spend *f, const struct lk_factor_spend **fp,
    char hash[LK_RECOVERY_HASH_LEN + 1], struct lk_throttle *t, int *reserved)
{
	struct lk_claims	claims;
	struct lk_token_state	state;
	int			rc = -1;

	*fp = NULL;
	*reserved = 0;
	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, user, &claims, &state) == -1)
		goto out;
	if (lk_auth_fresh(ctx, &claims, ctx->cfg->fresh_seconds)) {
		rc = 0;
		goto out;
	}
	/* An empty body (as before proof was asked): only a fresh login. */
	if (ctx->req->body_len == 0) {
		(void)lk_deny(ctx, LK_R_FRESH, NULL);
		goto out;
	}
	if ((*body = lk_body_json(ctx)) == NULL ||
	    lk_mfa_reauth(ctx, user, *body, f, hash, t) == -1)
		goto out;
	*fp = f;
	*reserved = 1;
	rc = 0;
out:
	lk_explicit_bzero(&claims, sizeof(claims));
	return rc;
}

/* Send n bytes of JSON from buf (n < 0: refused already) and free buf. */
static void
send_text(struct lk_ctx *ctx, char *buf, long n)
{
	if (n >= 0)
		lk_response_json_text(ctx->resp, 200, buf, (size_t)n);
	free(buf);
}

static void
register_options(struct lk_ctx *ctx)
{
	struct json_object		*body = NULL;
	struct lk_user			 user;
	struct lk_factor_spend		 f;
	const struct lk_factor_spend	*fp;
	struct lk_throttle		 t;
	char				 hash[LK_RECOVERY_HASH_LEN + 1];
	char				*buf = NULL;
	long				 n;
	int				 reserved;

	memset(&user, 0, sizeof(user));
	if (proved(ctx, &user, &body, &f, &fp, hash, &t, &reserved) == -1)
		goto out;
	if ((buf = malloc(OPTIONS_MAX)) == NULL) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	n = lk_passkey_register_options(ctx, &user, fp, buf, OPTIONS_MAX);
	if (n >= 0 && reserved)
		lk_mfa_give_back(ctx, &t);
	send_text(ctx, buf, n);
out:
	lk_explicit_bzero(hash, sizeof(hash));
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static void
register_passkey(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_passkey	 p;
	struct lk_json_out	 o;
	char			 json[LK_STORE_PASSKEY_NAME_MAX * 6 + 256];

	if (signed_in(ctx, &user) == -1 || (body = lk_body_json(ctx)) == NULL ||
	    lk_passkey_register(ctx, &user, body, &p) == -1)
		goto out;
	lk_notify(ctx, LK_NOTICE_PASSKEY_ADDED, &user, NULL, 0);
	if (lk_passkey_json(&p, json, sizeof(json)) < 0) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_raw(&o, "credential", json);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static void
login_options(struct lk_ctx *ctx)
{
	char	*buf;

	/* A sign-in's challenge is written first, and ends in a session. */
	if (lk_session_can_issue(ctx) == -1)
		return;
	if ((buf = malloc(OPTIONS_MAX)) == NULL) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	send_text(ctx, buf, lk_passkey_login_options(ctx, buf, OPTIONS_MAX));
}

static void
login(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;

	if (lk_session_can_issue(ctx) == -1 ||
	    (body = lk_body_json(ctx)) == NULL)
		return;
	if (lk_passkey_login(ctx, body) == 0) {
		lk_json_out_init(&o);
		(void)lk_json_out_bool(&o, "login", 1);
		lk_response_json(ctx->resp, 200, &o);
	}
	json_object_put(body);
}

static void
list(struct lk_ctx *ctx)
{
	struct lk_user	 user;
	char		*buf;

	if (signed_in(ctx, &user) == -1)
		return;
	if ((buf = malloc(LIST_MAX)) == NULL) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	send_text(ctx, buf, lk_passkey_list_json(ctx, &user, buf, LIST_MAX));
	memset(&user, 0, sizeof(user));
}

static void
remove_passkey(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_json_out	o;

	if (signed_in(ctx, &user) == -1 ||
	    lk_passkey_delete(ctx, &user, ctx->route_arg) == -1)
		goto out;
	lk_notify(ctx, LK_NOTICE_PASSKEY_REMOVED, &user, NULL, 0);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "deleted", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
}

static const struct lk_route routes[] = {
	{ "/register/options", LK_METHOD_POST, register_options },
	{ "/register", LK_METHOD_POST, register_passkey },
	{ "/login/options", LK_METHOD_POST, login_options },
	{ "/login", LK_METHOD_POST, login },
	{ "/credentials", LK_METHOD_GET | LK_METHOD_HEAD, list },
	{ "/credentials/:id", LK_METHOD_DELETE, remove_passkey },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"webauthn", 0, NULL, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
