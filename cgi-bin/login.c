/*
 * POST /api/login {"email": ..., "password": ...}
 * 200 {"login": true} with the access, refresh and CSRF cookies, or 401
 * {"login": false}.  Every attempt costs exactly one password hash, found
 * account or not, so timing does not tell which emails exist; a throttled
 * attempt (429) costs none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "log.h"
#include "password.h"
#include "store.h"
#include "throttle.h"
#include "token.h"

static void
refuse(struct lk_ctx *ctx)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 0);
	lk_response_json(ctx->resp, 401, &o);
}

static time_t	last_prune;

static void
handle(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_user		 user;
	struct lk_json_out	 o;
	const char		*email, *password;
	char			 hash[LK_HASH_MAX + 1], hstr[24];
	size_t			 elen, plen;
	unsigned long		 hashes = lk_password_hash_count();
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

	if (lk_throttle_check(ctx, email) == -1)
		goto out;

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
		lk_throttle_failed(ctx, email);
		(void)snprintf(hstr, sizeof(hstr), "%lu",
		    lk_password_hash_count() - hashes);
		lk_log_audit("login_failed", ctx->now, ctx->req->remote_addr, email,
		    "hashes", hstr, (char *)NULL);
		refuse(ctx);
		goto out;
	}
	hashes = lk_password_hash_count() - hashes;
	if (pr == LK_PW_OK_REHASH &&
	    lk_password_hash(ctx->cfg, password, hash, sizeof(hash)) == -1)
		pr = LK_PW_OK;	/* keep the old hash; the login stands */

	/* Every write of a good login in one transaction: one disk sync. */
	if (lk_store_begin(ctx->store) != LK_STORE_OK) {
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		goto out;
	}
	lk_throttle_succeeded(ctx, email);
	if (pr == LK_PW_OK_REHASH) {
		if (lk_store_user_set_hash(ctx->store, user.email, hash) ==
		    LK_STORE_OK)
			lk_log(LK_LOG_INFO, "password hash upgraded to %s",
			    ctx->cfg->hash_method);
		memset(hash, 0, sizeof(hash));
	}
	if (lk_auth_start_session(ctx, &user, NULL, 0) == -1) {
		lk_store_rollback(ctx->store);
		goto out;
	}
	/* Housekeeping, at most once a minute per process. */
	if (ctx->now - last_prune >= 60) {
		last_prune = ctx->now;
		(void)lk_store_prune(ctx->store, (long long)ctx->now);
	}
	if (lk_store_commit(ctx->store) != LK_STORE_OK) {
		lk_app_unavailable(ctx);
		goto out;
	}
	(void)snprintf(hstr, sizeof(hstr), "%lu", hashes);
	lk_log_audit("login_ok", ctx->now, ctx->req->remote_addr, user.email, "hashes", hstr,
	    (char *)NULL);
	lk_json_out_init(&o);
	(void)lk_json_out_bool(&o, "login", 1);
	lk_response_json(ctx->resp, 200, &o);
out:
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
