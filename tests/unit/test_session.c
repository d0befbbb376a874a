/* lib/decide/session.c: the tokens of a session, its one way in, its cookies. */
#include <limits.h>

#include "t.h"
#include "decide.h"
#include "decide/session.h"
#include "domain/keyring.h"

#define SECRET	"0123456789abcdef0123456789abcdef0123456789abcdef"

static struct lk_keyring	ring;
static int			recorded;

/* How many Set-Cookie lines the response holds. */
static int
cookies_set(void)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < d_resp.nheaders; i++)
		if (strncmp(d_resp.headers[i], "Set-Cookie: ", 12) == 0)
			n++;
	return n;
}

/* A record that answers what arg says, having seen a filled login. */
static int
record_as(struct lk_ctx *ctx, struct lk_login *l, const struct lk_issue *issue,
    void *arg)
{
	int	want = *(int *)arg;

	recorded++;
	CHECK(l->session == &issue->session && l->tokens == &issue->tokens);
	CHECK_STR(l->hash, "$y$the-matched-hash");
	CHECK(issue->tokens.jti[0] != '\0');
	return want == -1 ? lk_deny(ctx, LK_R_CODE, NULL) : want;
}

TEST(a_login_is_fresh_a_second_factor_says_mfa)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;
	struct lk_issue	 is;

	(void)d_user("ann@example.com", &u);
	CHECK_INT(lk_session_prepare(ctx, &u, NULL, 1, LK_ISSUE_LOGIN, &is), 0);
	CHECK(is.access.fresh);
	CHECK(is.access.fresh_until == LLONG_MAX);
	CHECK(!is.access.mfa && !is.refresh.mfa);
	CHECK(is.session.persistent);
	CHECK_INT(is.session.user_id, u.id);
	CHECK_STR(is.session.address, "192.0.2.10");
	CHECK_STR(is.tokens.jti, is.refresh.jti);
	CHECK_INT(is.access.exp, D_NOW + d_cfg.access_token_expires);
	CHECK_INT(lk_session_prepare(ctx, &u, NULL, 0, LK_ISSUE_MFA, &is), 0);
	CHECK(!is.access.fresh);
	CHECK(is.access.mfa && is.refresh.mfa);
}

TEST(a_refresh_token_never_outlives_the_session)
{
	struct lk_ctx		*ctx = d_ctx(NULL);
	struct lk_user		 u;
	struct lk_session	 from;
	struct lk_issue		 is;

	(void)d_user("bob@example.com", &u);
	memset(&from, 0, sizeof(from));
	(void)snprintf(from.id, sizeof(from.id), "a-session");
	from.created = D_NOW - d_cfg.session_max + 100;
	CHECK_INT(lk_session_prepare(ctx, &u, &from, 0, LK_ISSUE_LOGIN, &is),
	    0);
	CHECK_INT(is.refresh.exp, D_NOW + 100);
	CHECK_STR(is.session.id, "a-session");
	/* A refresh is no login: not fresh. */
	CHECK(!is.access.fresh);
}

TEST(a_verify_only_node_starts_no_session)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;
	int		 want = 0;

	(void)d_user("carol@example.com", &u);
	(void)snprintf(d_cfg.public_keys, sizeof(d_cfg.public_keys), "/keys");
	recorded = 0;
	CHECK_INT(lk_session_start(ctx, &u, "$y$the-matched-hash", 0,
	    LK_ISSUE_LOGIN, record_as, &want), -1);
	CHECK_INT(ctx->denial.reason, LK_R_CANNOT_ISSUE);
	CHECK_INT(recorded, 0);
	d_cfg.public_keys[0] = '\0';
}

TEST(a_session_starts_recorded_then_sent_or_not_at_all)
{
	struct lk_ctx	*ctx;
	struct lk_user	 u;
	int		 want;

	(void)d_user("dave@example.com", &u);
	/* Recorded: the four cookies go out. */
	ctx = d_ctx(NULL);
	ctx->keys = &ring;
	want = 0;
	recorded = 0;
	CHECK_INT(lk_session_start(ctx, &u, "$y$the-matched-hash", 0,
	    LK_ISSUE_LOGIN, record_as, &want), 0);
	CHECK_INT(recorded, 1);
	CHECK_INT(cookies_set(), 4);
	/* Not recorded, not denied: its answer, and no cookie. */
	ctx = d_ctx(NULL);
	ctx->keys = &ring;
	want = 1;
	CHECK_INT(lk_session_start(ctx, &u, "$y$the-matched-hash", 0,
	    LK_ISSUE_LOGIN, record_as, &want), 1);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	CHECK_INT(cookies_set(), 0);
	/* Refused by its transaction: that refusal, and no cookie. */
	ctx = d_ctx(NULL);
	ctx->keys = &ring;
	want = -1;
	CHECK_INT(lk_session_start(ctx, &u, "$y$the-matched-hash", 0,
	    LK_ISSUE_LOGIN, record_as, &want), -1);
	CHECK_INT(ctx->denial.reason, LK_R_CODE);
	CHECK_INT(cookies_set(), 0);
}

TEST(the_hash_recorded_is_the_users_unless_given)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;
	int		 want = 0;

	(void)d_user("erin@example.com", &u);
	(void)snprintf(u.hash, sizeof(u.hash), "$y$the-matched-hash");
	ctx->keys = &ring;
	recorded = 0;
	CHECK_INT(lk_session_start(ctx, &u, NULL, 0, LK_ISSUE_LOGIN,
	    record_as, &want), 0);
	CHECK_INT(recorded, 1);
}

TEST(a_cleared_session_expires_the_four_cookies)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	size_t		 i;
	int		 expired = 0;

	lk_session_clear(ctx);
	for (i = 0; i < d_resp.nheaders; i++)
		if (strstr(d_resp.headers[i], "Max-Age=0") != NULL)
			expired++;
	CHECK_INT(cookies_set(), 4);
	CHECK_INT(expired, 4);
}

int
main(void)
{
	d_setup();
	memset(&ring, 0, sizeof(ring));
	if (lk_key_set(&ring.current, SECRET, strlen(SECRET)) == -1)
		return 1;
	RUN(a_login_is_fresh_a_second_factor_says_mfa);
	RUN(a_refresh_token_never_outlives_the_session);
	RUN(a_verify_only_node_starts_no_session);
	RUN(a_session_starts_recorded_then_sent_or_not_at_all);
	RUN(the_hash_recorded_is_the_users_unless_given);
	RUN(a_cleared_session_expires_the_four_cookies);
	lk_keyring_clear(&ring);
	d_teardown();
	return T_END();
}
