/* lib/decide/throttle.c: failed-login counters, reserved before a hash. */
#include "t.h"
#include "decide.h"
#include "decide/throttle.h"

TEST(keys_fold_the_email_and_name_the_scope)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_throttle	 t;

	lk_throttle_keys(ctx, NULL, "Ann@Example.COM", &t);
	CHECK_STR(t.account, "account:ann@example.com");
	CHECK(strstr(t.address, "192.0.2.10") != NULL);
	lk_throttle_keys(ctx, "reset", "ann@example.com", &t);
	CHECK_STR(t.account, "reset:account:ann@example.com");
	CHECK(strncmp(t.address, "reset:", 6) == 0);
}

TEST(an_ipv6_address_counts_by_its_prefix)
{
	char	a[LK_STORE_KEY_MAX], b[LK_STORE_KEY_MAX], c[LK_STORE_KEY_MAX];

	lk_throttle_address_key("2001:db8:1:2:aaaa::1", 64, a, sizeof(a));
	lk_throttle_address_key("2001:db8:1:2:bbbb::2", 64, b, sizeof(b));
	lk_throttle_address_key("2001:db8:1:3::1", 64, c, sizeof(c));
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
}

TEST(the_account_counter_refuses_past_its_limit_with_retry_after)
{
	struct lk_ctx		*ctx;
	struct lk_throttle	 t;
	long long		 i;

	d_cfg.throttle_account_max = 3;
	d_cfg.throttle_address_max = 100;
	for (i = 0; i < 3; i++) {
		ctx = d_ctx(NULL);
		CHECK_INT(lk_throttle_reserve(ctx, "bob@example.com", &t), 0);
		CHECK_INT(ctx->denial.reason, LK_R_OK);
	}
	ctx = d_ctx(NULL);
	CHECK_INT(lk_throttle_reserve(ctx, "bob@example.com", &t), -1);
	CHECK_INT(ctx->denial.reason, LK_R_THROTTLED);
	CHECK(ctx->denial.retry_after >= 1 &&
	    ctx->denial.retry_after <= d_cfg.throttle_window);
	CHECK(strstr(d_log, "login_throttled") != NULL);
	/* Another account from the same address still goes through. */
	ctx = d_ctx(NULL);
	CHECK_INT(lk_throttle_reserve(ctx, "carol@example.com", &t), 0);
	/* A scope's counters answer "too many requests", not a lockout. */
	for (i = 0; i < 3; i++)
		CHECK_INT(lk_throttle_reserve_for(d_ctx(NULL), "reset",
		    "bob@example.com", &t), 0);
	ctx = d_ctx(NULL);
	CHECK_INT(lk_throttle_reserve_for(ctx, "reset", "bob@example.com", &t),
	    -1);
	CHECK_INT(ctx->denial.reason, LK_R_TOO_MANY);
}

TEST(without_a_store_no_attempt_goes_through)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_throttle	 t;

	ctx->store = NULL;
	CHECK_INT(lk_throttle_reserve(ctx, "dave@example.com", &t), -1);
	CHECK_INT(ctx->denial.reason, LK_R_UNAVAILABLE);
}

int
main(void)
{
	d_setup();
	RUN(keys_fold_the_email_and_name_the_scope);
	RUN(an_ipv6_address_counts_by_its_prefix);
	RUN(the_account_counter_refuses_past_its_limit_with_retry_after);
	RUN(without_a_store_no_attempt_goes_through);
	d_teardown();
	return T_END();
}
