/*
 * POST /api/login {"email": ..., "password": ...}
 * 200 {"login": true} with the access and CSRF cookies, or 401
 * {"login": false}.  Every attempt costs exactly one password hash, found
 * account or not, so timing does not tell which emails exist.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "log.h"
#include "password.h"
#include "store.h"
#include "token.h"

static void
refuse(struct lk_ctx *ctx)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 0);
	lk_response_json(ctx->resp, 401, &o);
}

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_user		 user;
	struct lk_claims	 claims;
	struct lk_json_out	 o;
	const char		*email, *password;
	char			*token = NULL, hash[LK_HASH_MAX + 1];
	size_t			 elen, plen;
	enum lk_store_res	 sr;
	enum lk_pw_res		 pr;

	if ((body = lk_app_json(ctx)) == NULL)
		return;
	if ((email = lk_app_field(ctx, body, "email", &elen)) == NULL ||
	    (password = lk_app_field(ctx, body, "password", &plen)) == NULL)
		goto out;
	if (elen > LK_EMAIL_MAX) {
		lk_response_msg(ctx->resp, 400, "Field \"email\" is too long");
		goto out;
	}
	if (plen >= LK_PASSWORD_MAX) {
		lk_response_msg(ctx->resp, 400, "Field \"password\" is too long");
		goto out;
	}

	sr = lk_store_user_find(ctx->store, email, &user);
	if (sr == LK_STORE_ERROR) {
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		goto out;
	}
	if (sr == LK_STORE_OK && !user.disabled)
		pr = lk_password_verify(ctx->cfg, password, user.hash);
	else {
		lk_password_verify_dummy(ctx->cfg, password);
		pr = LK_PW_BAD;
	}
	if (pr == LK_PW_ERROR) {
		lk_log(LK_LOG_ERR, "password hashing failed");
		lk_response_msg(ctx->resp, 500, "Internal error");
		goto out;
	}
	if (pr == LK_PW_BAD) {
		refuse(ctx);
		goto out;
	}
	if (pr == LK_PW_OK_REHASH) {
		/* A failed upgrade must not fail the login: keep the old hash. */
		if (lk_password_hash(ctx->cfg, password, hash,
		    sizeof(hash)) == 0 &&
		    lk_store_user_set_hash(ctx->store, user.email, hash) ==
		    LK_STORE_OK)
			lk_log(LK_LOG_INFO, "password hash upgraded to %s",
			    ctx->cfg->hash_method);
		memset(hash, 0, sizeof(hash));
	}

	token = lk_token_issue(ctx->cfg, ctx->key, LK_TOKEN_ACCESS, user.email,
	    0, ctx->now, ctx->cfg->access_token_expires, &claims);
	if (token == NULL) {
		lk_log(LK_LOG_ERR, "cannot issue a token");
		lk_response_msg(ctx->resp, 500, "Internal error");
		goto out;
	}
	lk_auth_set_cookies(ctx, token, &claims);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
	if (token != NULL) {
		memset(token, 0, strlen(token));
		free(token);
	}
	memset(&user, 0, sizeof(user));
	json_object_put(body);
}

static const struct lk_endpoint endpoint = {
	"login", "POST", LK_METHOD_POST, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
