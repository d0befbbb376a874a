/* lib/decide/auth.c: what a verified token may do. */
#include "t.h"
#include "decide.h"
#include "decide/auth.h"

/* An access token issued at iat, fresh until fresh_until. */
static struct lk_claims
access_token(long long iat, long long fresh_until)
{
	struct lk_claims	c;

	memset(&c, 0, sizeof(c));
	c.type = LK_TOKEN_ACCESS;
	c.iat = iat;
	c.fresh_until = fresh_until;
	c.fresh = fresh_until > iat;
	return c;
}

TEST(a_login_token_is_fresh_within_max_age)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_claims	 c = access_token(D_NOW - 300, D_NOW + 1000);

	CHECK(lk_auth_fresh(ctx, &c, 300));
	CHECK(!lk_auth_fresh(ctx, &c, 299));
	CHECK_INT(lk_auth_require_fresh(ctx, &c, 300), 0);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
}

TEST(a_token_past_its_fresh_time_or_a_refresh_token_is_not)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_claims	 c = access_token(D_NOW - 10, D_NOW);

	CHECK(!lk_auth_fresh(ctx, &c, 3600));
	c = access_token(D_NOW - 10, D_NOW + 10);
	c.type = LK_TOKEN_REFRESH;
	CHECK(!lk_auth_fresh(ctx, &c, 3600));
	CHECK_INT(lk_auth_require_fresh(ctx, &c, 3600), -1);
	CHECK_INT(ctx->denial.reason, LK_R_FRESH);
}

TEST(no_groups_read_is_no_group_and_an_empty_array)
{
	struct lk_store_groups	in;
	struct lk_groups	g;
	char			json[LK_AUTH_GROUPS_JSON_MAX];

	memset(&in, 0, sizeof(in));
	memset(&g, 0xff, sizeof(g));
	CHECK_INT(lk_auth_groups(&in, &g), 0);
	CHECK_INT(g.n, 0);
	CHECK_INT(lk_auth_groups_json(&in, json, sizeof(json)), 2);
	CHECK_STR(json, "[]");
}

TEST(a_request_without_its_cookie_is_refused)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_user		 u;
	struct lk_claims	 c;
	struct lk_token_state	 st;

	CHECK_INT(lk_auth_require(ctx, LK_TOKEN_ACCESS, &u, &c, &st), -1);
	CHECK_INT(ctx->denial.reason, LK_R_COOKIE_MISSING);
	CHECK_STR(ctx->denial.arg, d_cfg.access_cookie_name);
}

int
main(void)
{
	d_setup();
	RUN(a_login_token_is_fresh_within_max_age);
	RUN(a_token_past_its_fresh_time_or_a_refresh_token_is_not);
	RUN(no_groups_read_is_no_group_and_an_empty_array);
	RUN(a_request_without_its_cookie_is_refused);
	d_teardown();
	return T_END();
}
