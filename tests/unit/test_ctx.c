/* lib/decide/ctx.c: refusals, and the store's results as refusals. */
#include "t.h"
#include "decide.h"

TEST(the_first_refusal_stands)
{
	struct lk_ctx	*ctx = d_ctx(NULL);

	CHECK_INT(lk_deny(ctx, LK_R_FIELD_MISSING, "email"), -1);
	CHECK_INT(lk_deny(ctx, LK_R_INTERNAL, NULL), -1);
	CHECK_INT(ctx->denial.reason, LK_R_FIELD_MISSING);
	CHECK_STR(ctx->denial.arg, "email");
}

TEST(a_reason_out_of_range_is_internal)
{
	struct lk_ctx	*ctx = d_ctx(NULL);

	(void)lk_deny(ctx, LK_R__MAX + 3, "x");
	CHECK_INT(ctx->denial.reason, LK_R_INTERNAL);
}

TEST(a_signing_out_refusal_says_so_only_when_it_is_the_first)
{
	struct lk_ctx	*ctx = d_ctx(NULL);

	CHECK_INT(lk_deny_signing_out(ctx, LK_R_CANNOT_REVOKE, NULL), -1);
	CHECK(ctx->denial.signs_out);
	ctx = d_ctx(NULL);
	(void)lk_deny(ctx, LK_R_REVOKED, NULL);
	(void)lk_deny_signing_out(ctx, LK_R_CANNOT_REVOKE, NULL);
	CHECK_INT(ctx->denial.reason, LK_R_REVOKED);
	CHECK(!ctx->denial.signs_out);
}

TEST(a_store_result_refuses_by_its_table_and_fails_closed)
{
	static const struct lk_store_refusal	map[] = {
		{ LK_STORE_NOT_FOUND, LK_R_USER, "ann@example.com" },
		{ LK_STORE_CHANGED, LK_R_WRONG_PASSWORD, NULL },
	};
	struct lk_ctx				*ctx;

	ctx = d_ctx(NULL);
	CHECK_INT(lk_deny_store(ctx, LK_STORE_OK, map, 2), 0);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	ctx = d_ctx(NULL);
	CHECK_INT(lk_deny_store(ctx, LK_STORE_NOT_FOUND, map, 2), -1);
	CHECK_INT(ctx->denial.reason, LK_R_USER);
	CHECK_STR(ctx->denial.arg, "ann@example.com");
	ctx = d_ctx(NULL);
	CHECK_INT(lk_deny_store(ctx, LK_STORE_CHANGED, map, 2), -1);
	CHECK_INT(ctx->denial.reason, LK_R_WRONG_PASSWORD);
	/* Not in the table, or the database failing: unavailable. */
	ctx = d_ctx(NULL);
	CHECK_INT(lk_deny_store(ctx, LK_STORE_USED, map, 2), -1);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
	ctx = d_ctx(NULL);
	CHECK_INT(lk_deny_store(ctx, LK_STORE_ERROR, NULL, 0), -1);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
}

TEST(no_store_or_keys_without_a_loader_is_unavailable)
{
	struct lk_ctx	*ctx = d_ctx(NULL);

	ctx->store = NULL;
	CHECK(lk_ctx_store(ctx) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
	ctx = d_ctx(NULL);
	CHECK(lk_ctx_keys(ctx) == NULL);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
	ctx = d_ctx(NULL);
	CHECK(lk_ctx_store(ctx) == d_store);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
}

int
main(void)
{
	d_setup();
	RUN(the_first_refusal_stands);
	RUN(a_reason_out_of_range_is_internal);
	RUN(a_signing_out_refusal_says_so_only_when_it_is_the_first);
	RUN(a_store_result_refuses_by_its_table_and_fails_closed);
	RUN(no_store_or_keys_without_a_loader_is_unavailable);
	d_teardown();
	return T_END();
}
