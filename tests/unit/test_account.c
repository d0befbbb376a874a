/* lib/decide/account.c: one-time links, looked at and found. */
#include "t.h"
#include "decide.h"
#include "decide/account.h"
#include "domain/onetime.h"

/* A live reset link for email, recorded now: its token into token. */
static void
reset_link(const char *email, char token[LK_ONETIME_TOKEN_LEN + 1])
{
	char			hash[LK_ONETIME_HASH_LEN + 1];
	struct lk_link_new	ln;
	struct lk_user		u;

	CHECK_INT(lk_onetime_new(token, hash), 0);
	memset(&ln, 0, sizeof(ln));
	ln.purpose = LK_LINK_RESET;
	ln.email = email;
	ln.hash = hash;
	ln.expires = D_NOW + 3600;
	CHECK_INT(lk_store_link_add(d_store, &ln, D_NOW - 10, &u),
	    LK_STORE_OK);
}

TEST(a_live_link_is_found_for_its_purpose_only)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;
	struct lk_link	 l;
	char		 token[LK_ONETIME_TOKEN_LEN + 1];

	(void)d_user("ann@example.com", &u);
	reset_link("ann@example.com", token);
	CHECK_INT(lk_account_link_check(ctx, token, strlen(token),
	    LK_LINK_BIT(LK_LINK_RESET), &l), 0);
	CHECK_INT(l.purpose, LK_LINK_RESET);
	CHECK_STR(l.user.email, "ann@example.com");
	ctx = d_ctx(NULL);
	CHECK_INT(lk_account_link_check(ctx, token, strlen(token),
	    LK_LINK_BIT(LK_LINK_INVITE), &l), -1);
	CHECK_INT(ctx->denial.reason, LK_R_LINK);
	CHECK_STR(l.user.email, "");
}

TEST(an_unknown_or_malformed_token_is_the_same_refusal)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_link	 l;
	char		 token[LK_ONETIME_TOKEN_LEN + 1], hash[65];

	CHECK_INT(lk_onetime_new(token, hash), 0);
	CHECK_INT(lk_account_link_check(ctx, token, strlen(token),
	    LK_LINK_BIT(LK_LINK_RESET), &l), -1);
	CHECK_INT(ctx->denial.reason, LK_R_LINK);
	CHECK(strstr(d_log, "link_refused") != NULL);
	ctx = d_ctx(NULL);
	CHECK_INT(lk_account_link_check(ctx, "short", 5,
	    LK_LINK_BIT(LK_LINK_RESET), &l), -1);
	CHECK_INT(ctx->denial.reason, LK_R_LINK);
}

TEST(looking_at_links_counts_on_the_clients_reset_throttle)
{
	struct lk_ctx	*ctx;
	struct lk_link	 l;
	long long	 i;

	d_cfg.throttle_address_max = 3;
	for (i = 0; i < 3; i++) {
		ctx = d_ctx(NULL);
		(void)snprintf(d_req.remote_addr, sizeof(d_req.remote_addr),
		    "198.51.100.7");
		(void)lk_account_link_check(ctx, "short", 5,
		    LK_LINK_BIT(LK_LINK_RESET), &l);
		CHECK_INT(ctx->denial.reason, LK_R_LINK);
	}
	ctx = d_ctx(NULL);
	(void)snprintf(d_req.remote_addr, sizeof(d_req.remote_addr),
	    "198.51.100.7");
	CHECK_INT(lk_account_link_check(ctx, "short", 5,
	    LK_LINK_BIT(LK_LINK_RESET), &l), -1);
	CHECK_INT(ctx->denial.reason, LK_R_TOO_MANY);
	CHECK(strstr(d_log, "reset_throttled") != NULL);
	d_cfg.throttle_address_max = 100;
}

int
main(void)
{
	d_setup();
	RUN(a_live_link_is_found_for_its_purpose_only);
	RUN(an_unknown_or_malformed_token_is_the_same_refusal);
	RUN(looking_at_links_counts_on_the_clients_reset_throttle);
	d_teardown();
	return T_END();
}
