/* lib/decide/mfa.c: the second factor of a login, as the body gives it. */
#include <json-c/json.h>

#include "t.h"
#include "decide.h"
#include "decide/body.h"
#include "decide/mfa.h"

/* The body of the last proof_of: its strings outlive the call. */
static struct json_object	*kept;

/* lk_mfa_proof on body; ctx's refusal, or LK_R_OK. */
static enum lk_reason
proof_of(const char *body, struct lk_mfa_proof *p)
{
	struct lk_ctx		*ctx = d_ctx(body);
	struct json_object	*o;

	if ((o = lk_body_json(ctx)) == NULL)
		return ctx->denial.reason;
	(void)lk_mfa_proof(ctx, o, p);
	if (kept != NULL)
		json_object_put(kept);
	kept = o;
	return ctx->denial.reason;
}

TEST(a_code_or_a_recovery_code_is_the_proof)
{
	struct lk_mfa_proof	p;

	CHECK_INT(proof_of("{\"code\":\"123456\"}", &p), LK_R_OK);
	CHECK(p.code != NULL && strcmp(p.code, "123456") == 0);
	CHECK(p.recovery == NULL);
	CHECK_INT(proof_of("{\"recovery_code\":\"abcd-efgh\"}", &p), LK_R_OK);
	CHECK(p.code == NULL);
	CHECK(p.recovery != NULL && strcmp(p.recovery, "abcd-efgh") == 0);
	CHECK_INT(p.recovery_len, 9);
}

TEST(both_or_neither_is_refused)
{
	struct lk_mfa_proof	p;
	struct lk_ctx		*ctx;
	struct json_object	*o;

	ctx = d_ctx("{\"code\":\"1\",\"recovery_code\":\"2\"}");
	o = lk_body_json(ctx);
	CHECK_INT(lk_mfa_proof(ctx, o, &p), -1);
	CHECK_INT(ctx->denial.reason, LK_R_INVALID);
	CHECK_STR(ctx->denial.arg,
	    "Send either \"code\" or \"recovery_code\", not both");
	json_object_put(o);
	CHECK_INT(proof_of("{}", &p), LK_R_FIELD_MISSING);
}

TEST(a_code_past_its_bound_is_too_long)
{
	struct lk_mfa_proof	p;
	char			body[128];

	(void)snprintf(body, sizeof(body), "{\"code\":\"%0*d\"}",
	    LK_MFA_CODE_MAX + 1, 0);
	CHECK_INT(proof_of(body, &p), LK_R_FIELD_TOO_LONG);
	(void)snprintf(body, sizeof(body), "{\"code\":\"%0*d\"}",
	    LK_MFA_CODE_MAX, 0);
	CHECK_INT(proof_of(body, &p), LK_R_OK);
	CHECK_INT(proof_of("{\"code\":123456}", &p), LK_R_FIELD_TYPE);
}

TEST(a_user_without_totp_has_no_second_factor)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_user		 u;
	struct lk_mfa_state	 st;

	(void)d_user("ann@example.com", &u);
	CHECK_INT(lk_mfa_state(ctx, &u, &st), 0);
	CHECK(!st.totp);
	CHECK_INT(st.passkeys, 0);
	ctx = d_ctx(NULL);
	ctx->store = NULL;
	CHECK_INT(lk_mfa_state(ctx, &u, &st), -1);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
}

TEST(the_methods_offer_a_passkey_only_to_its_owner)
{
	struct lk_mfa_state	st;

	memset(&st, 0, sizeof(st));
	st.totp = 1;
	CHECK_STR(lk_mfa_methods_json(&st), "[\"totp\",\"recovery_code\"]");
	st.passkeys = 2;
	CHECK_STR(lk_mfa_methods_json(&st),
	    "[\"totp\",\"recovery_code\",\"webauthn\"]");
}

int
main(void)
{
	d_setup();
	RUN(a_code_or_a_recovery_code_is_the_proof);
	RUN(both_or_neither_is_refused);
	RUN(a_code_past_its_bound_is_too_long);
	RUN(a_user_without_totp_has_no_second_factor);
	RUN(the_methods_offer_a_passkey_only_to_its_owner);
	if (kept != NULL)
		json_object_put(kept);
	d_teardown();
	return T_END();
}
