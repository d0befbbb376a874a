/* lib/decide/passkey.c: passkey sign-in's options and refusals. */
#include <json-c/json.h>

#include "t.h"
#include "decide.h"
#include "decide/passkey.h"

TEST(sign_in_options_name_the_rp_and_want_user_verification)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct json_object	*o, *v;
	char			 out[2048];
	long			 n;

	(void)snprintf(d_cfg.webauthn_rp_id, sizeof(d_cfg.webauthn_rp_id),
	    "app.example");
	n = lk_passkey_login_options(ctx, out, sizeof(out));
	CHECK(n > 0);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	if (n <= 0 || (o = json_tokener_parse(out)) == NULL)
		return;
	CHECK(json_object_object_get_ex(o, "rpId", &v) &&
	    strcmp(json_object_get_string(v), "app.example") == 0);
	CHECK(json_object_object_get_ex(o, "userVerification", &v) &&
	    strcmp(json_object_get_string(v), "required") == 0);
	/* 32 random bytes: 43 characters of base64url. */
	CHECK(json_object_object_get_ex(o, "challenge", &v) &&
	    strlen(json_object_get_string(v)) == 43);
	/* None named: the authenticator offers its own. */
	CHECK(json_object_object_get_ex(o, "allowCredentials", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) == 0);
	json_object_put(o);
}

TEST(an_answer_that_is_no_assertion_is_refused_and_audited)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct json_object	*o;

	o = json_tokener_parse("{\"id\":\"AAAA\",\"type\":\"public-key\"}");
	CHECK_INT(lk_passkey_login(ctx, o), -1);
	CHECK_INT(ctx->denial.reason, LK_R_PASSKEY);
	CHECK(strstr(d_log, "login_failed") != NULL);
	json_object_put(o);
}

TEST(an_unknown_passkey_is_not_found_when_deleted)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;

	(void)d_user("ann@example.com", &u);
	CHECK_INT(lk_passkey_delete(ctx, &u, "no-such-passkey"), -1);
	CHECK_INT(ctx->denial.reason, LK_R_NOT_FOUND);
	CHECK(strstr(d_log, "passkey_removed") == NULL);
}

TEST(the_kept_passkeys_are_all_unless_listed)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_passkey_kept	 k;
	struct json_object	*o;

	o = json_tokener_parse("{}");
	CHECK_INT(lk_passkey_keep_field(ctx, o, &k), 0);
	CHECK_INT(k.keep.only, 0);
	json_object_put(o);
	o = json_tokener_parse("{\"keep_passkeys\":[\"a\",\"b\"]}");
	CHECK_INT(lk_passkey_keep_field(ctx, o, &k), 0);
	CHECK_INT(k.keep.only, 1);
	CHECK_INT(k.keep.n, 2);
	json_object_put(o);
	o = json_tokener_parse("{\"keep_passkeys\":[1]}");
	CHECK_INT(lk_passkey_keep_field(ctx, o, &k), -1);
	CHECK_INT(ctx->denial.reason, LK_R_INVALID);
	json_object_put(o);
}

int
main(void)
{
	d_setup();
	RUN(sign_in_options_name_the_rp_and_want_user_verification);
	RUN(an_answer_that_is_no_assertion_is_refused_and_audited);
	RUN(an_unknown_passkey_is_not_found_when_deleted);
	RUN(the_kept_passkeys_are_all_unless_listed);
	d_teardown();
	return T_END();
}
