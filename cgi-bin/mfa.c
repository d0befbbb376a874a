/*
 * Two-step verification of the signed-in user (access cookie; CSRF
 * header on POST):
 *   GET  /api/mfa                     -> {"passkeys": N,
 *        "recovery_codes_left": N, "totp": false}
 *   POST /api/mfa/totp/setup          {"password"} -> {"otpauth_uri",
 *        "qr_svg", "secret"}: a new secret, waiting for its first code
 *   POST /api/mfa/totp/enable         {"code"} -> {"recovery_codes": [10]}
 *   POST /api/mfa/totp/disable        {"password", "code" or
 *        "recovery_code"} -> {"totp": false}
 *   POST /api/mfa/recovery/regenerate {"password", "code" or
 *        "recovery_code"} -> {"recovery_codes"}
 * A wrong password is 401 "Current password is incorrect", a wrong code
 * 401 "Invalid code".  Every password or code checked here (set-up,
 * enable, disable, regenerate) is an attempt reserved against the login
 * throttle of the account first, given back only on success, so a wrong
 * one counts in the same window as the logins' (429 past the limit).  A
 * set-up not confirmed within 15 minutes is void.  Regenerating needs
 * both factors (a recovery code given is spent): new codes are a second
 * factor, and the password alone must not mint one.
 */
#include <string.h>

#include <json-c/json.h>

#include "app/app.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/body.h"
#include "decide/mfa.h"
#include "decide/notify.h"
#include "domain/password.h"

/* The signed-in user, and the request body if it needs one. */
static int
signed_in(struct lk_ctx *ctx, struct lk_user *user, struct json_object **body)
{
	struct lk_claims	claims;
	struct lk_token_state	state;
	int			rc;

	rc = lk_auth_require(ctx, LK_TOKEN_ACCESS, user, &claims, &state);
	lk_explicit_bzero(&claims, sizeof(claims));
	if (rc == -1 || body == NULL)
		return rc;
	return (*body = lk_body_json(ctx)) != NULL ? 0 : -1;
}

static const char *
password_of(struct lk_ctx *ctx, struct json_object *body)
{
	size_t	len;

	return lk_body_field(ctx, body, "password", LK_PASSWORD_MAX - 1, &len);
}

static void
codes_answer(struct lk_ctx *ctx, const struct lk_mfa_codes *codes)
{
	struct lk_json_out	o;
	char			list[LK_RECOVERY_COUNT * (LK_RECOVERY_LEN + 3) + 3];

	if (lk_mfa_codes_json(codes, list, sizeof(list)) < 0) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_raw(&o, "recovery_codes", list);
	lk_response_json(ctx->resp, 200, &o);
	lk_explicit_bzero(list, sizeof(list));
}

static void
status(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_mfa_state	state;
	struct lk_json_out	o;

	if (signed_in(ctx, &user, NULL) == -1 ||
	    lk_mfa_state(ctx, &user, &state) == -1)
		return;
	lk_explicit_bzero(state.secret, sizeof(state.secret));
	lk_json_out_init(&o);
	(void)lk_json_out_int(&o, "passkeys", state.passkeys);
	(void)lk_json_out_int(&o, "recovery_codes_left",
	    state.totp ? state.recovery_left : 0);
	(void)lk_json_out_bool(&o, "totp", state.totp);
	lk_response_json(ctx->resp, 200, &o);
	memset(&user, 0, sizeof(user));
}

static void
setup(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_mfa_setup	 s;
	struct lk_json_out	 o;
	const char		*password;

	memset(&s, 0, sizeof(s));
	if (signed_in(ctx, &user, &body) == -1 ||
	    (password = password_of(ctx, body)) == NULL ||
	    lk_mfa_setup(ctx, &user, password, &s) == -1)
		goto out;
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "otpauth_uri", s.uri);
	(void)lk_json_out_str(&o, "qr_svg", s.qr_svg);
	(void)lk_json_out_str(&o, "secret", s.secret);
	lk_response_json(ctx->resp, 200, &o);
out:
	lk_mfa_setup_clear(&s);
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static void
enable(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_mfa_codes	 codes;
	const char		*code;
	size_t			 len;

	memset(&codes, 0, sizeof(codes));
	if (signed_in(ctx, &user, &body) == -1 ||
	    (code = lk_body_field(ctx, body, "code", LK_MFA_CODE_MAX,
	    &len)) == NULL ||
	    lk_mfa_enable(ctx, &user, code, &codes) == -1)
		goto out;
	lk_notify(ctx, LK_NOTICE_SECOND_FACTOR_ADDED, &user, NULL, 0);
	codes_answer(ctx, &codes);
out:
	lk_mfa_codes_clear(&codes);
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static void
disable(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_mfa_proof	 proof;
	struct lk_json_out	 o;
	const char		*password;

	if (signed_in(ctx, &user, &body) == -1 ||
	    (password = password_of(ctx, body)) == NULL ||
	    lk_mfa_proof(ctx, body, &proof) == -1 ||
	    lk_mfa_disable(ctx, &user, password, &proof) == -1)
		goto out;
	lk_notify(ctx, LK_NOTICE_SECOND_FACTOR_REMOVED, &user, NULL, 0);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "totp", 0);
	lk_response_json(ctx->resp, 200, &o);
out:
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static void
regenerate(struct lk_ctx *ctx)
{
	struct json_object	*body = NULL;
	struct lk_user		 user;
	struct lk_mfa_codes	 codes;
	const char		*password;

	memset(&codes, 0, sizeof(codes));
	if (signed_in(ctx, &user, &body) == -1 ||
	    (password = password_of(ctx, body)) == NULL ||
	    lk_mfa_regenerate(ctx, &user, password, body, &codes) == -1)
		goto out;
	lk_notify(ctx, LK_NOTICE_RECOVERY_REGENERATED, &user, NULL, 0);
	codes_answer(ctx, &codes);
out:
	lk_mfa_codes_clear(&codes);
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static const struct lk_route routes[] = {
	{ "/totp/setup", LK_METHOD_POST, setup },
	{ "/totp/enable", LK_METHOD_POST, enable },
	{ "/totp/disable", LK_METHOD_POST, disable },
	{ "/recovery/regenerate", LK_METHOD_POST, regenerate },
	{ NULL, 0, NULL }
};

static const struct lk_endpoint endpoint = {
	"mfa", LK_METHOD_GET | LK_METHOD_HEAD, status, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
