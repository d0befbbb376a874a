/*
 * The store's behaviour, whatever the engine: included by test_store.c
 * (SQLite), test_store_pg.c (PostgreSQL) and test_store_mysql.c
 * (MariaDB), which define
 *   fresh()        a store over an empty database,
 *   reopen(leeway) another handle on the database fresh() made last,
 *                  as a second process would open it,
 *   fresh_other()  a store over a second empty database (copies),
 * and call store_cases() from main.
 */
#ifndef STORE_CASES_H
#define STORE_CASES_H

#include <string.h>

#include "domain/store/store.h"
#include "t.h"

static struct lk_store	*fresh(void);
static struct lk_store	*reopen(long long leeway);
static struct lk_store	*fresh_other(void);

/* A login's tokens, named after tag. */
static struct lk_store_tokens
pair(const char *tag, long long iat)
{
	struct lk_store_tokens	t;

	memset(&t, 0, sizeof(t));
	(void)snprintf(t.jti, sizeof(t.jti), "r-%s", tag);
	(void)snprintf(t.csrf, sizeof(t.csrf), "rc-%s", tag);
	(void)snprintf(t.access_jti, sizeof(t.access_jti), "a-%s", tag);
	(void)snprintf(t.access_csrf, sizeof(t.access_csrf), "ac-%s", tag);
	t.iat = iat;
	t.exp = iat + 1000;
	t.access_exp = iat + 100;
	return t;
}

/*
 * The fixture builder.  A case sets up what it needs with these, each
 * step checked (a failing step fails the case), and asserts only what it
 * is about.
 */

/* A login to record, as login_of builds it. */
struct given_login {
	struct lk_session	se;
	struct lk_store_tokens	t;
	struct lk_login		l;
};

/*
 * The login of user_id proving hash, as session sid with the tokens of
 * tag issued at now.  The caller may set more of it (new_hash, keep,
 * throttle keys) before handing it to the store.
 */
static struct lk_login *
login_of(struct given_login *g, long long user_id, const char *hash,
    const char *sid, const char *tag, long long now)
{
	memset(g, 0, sizeof(*g));
	(void)snprintf(g->se.id, sizeof(g->se.id), "%s", sid);
	g->t = pair(tag, now);
	g->l.user_id = user_id;
	g->l.hash = hash;
	g->l.session = &g->se;
	g->l.tokens = &g->t;
	return &g->l;
}

/* Log user in as session sid with the tokens of tag; the store's result. */
static enum lk_store_res
login_as(struct lk_store *s, const struct lk_user *u, const char *hash,
    const char *sid, const char *tag, long long now)
{
	struct given_login	g;

	(void)login_of(&g, u->id, hash, sid, tag, now);
	(void)snprintf(g.se.user_agent, sizeof(g.se.user_agent), "UA/1");
	(void)snprintf(g.se.address, sizeof(g.se.address), "192.0.2.1");
	return lk_store_login(s, &g.l, now);
}

/*
 * The fixture most cases start from: the user email (name, hash, added
 * at now) in s, read back into u (unless NULL) as the store keeps it.
 */
static void
given_user(struct lk_store *s, const char *email, const char *name,
    const char *hash, long long now, struct lk_user *u)
{
	struct lk_user	scratch;

	if (u == NULL)
		u = &scratch;
	memset(u, 0, sizeof(*u));
	CHECK_INT(lk_store_user_add(s, email, name, hash, now), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, email, u), LK_STORE_OK);
}

/* User u logged in with its own hash, as login_as. */
static void
given_session(struct lk_store *s, const struct lk_user *u, const char *sid,
    const char *tag, long long now)
{
	CHECK_INT(login_as(s, u, u->hash, sid, tag, now), LK_STORE_OK);
}

static struct lk_token_state
check(struct lk_store *s, const char *email, const char *jti, int refresh)
{
	struct lk_token_state	st;
	struct lk_user		u;

	(void)lk_store_token_check(s, email, jti, refresh, &u, &st);
	return st;
}

static int
count(const struct lk_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return 0;
}

TEST(add_find_case_insensitive_unique)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	CHECK_INT(lk_store_user_add(s, "Test@Example.com", "John Doe", "$y$x",
	    100), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "test@example.COM", "Other", "$y$y", 100),
	    LK_STORE_EXISTS);
	CHECK_INT(lk_store_user_find(s, "TEST@EXAMPLE.COM", &u), LK_STORE_OK);
	CHECK_STR(u.email, "Test@Example.com");
	CHECK_STR(u.name, "John Doe");
	CHECK_STR(u.hash, "$y$x");
	CHECK_INT(u.disabled, 0);
	CHECK_INT(u.created, 100);
	CHECK_INT(u.tokens_valid_after, 0);
	CHECK_INT(lk_store_user_find(s, "nobody@example.com", &u),
	    LK_STORE_NOT_FOUND);
	CHECK_STR(u.email, "");
	lk_store_close(s);
}

TEST(updates_and_delete)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	int		 n = 0;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	given_user(s, "b@b.c", "B", "$y$2", 1, NULL);
	CHECK_INT(lk_store_user_set_name(s, "A@B.C", "Alice", 2), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$new", 3),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 3);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1, 4), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Alice");
	CHECK_STR(u.hash, "$y$new");
	CHECK_INT(u.disabled, 1);
	CHECK_INT(u.updated, 4);
	CHECK_INT(u.tokens_valid_after, 4);
	CHECK_INT(lk_store_user_set_name(s, "x@b.c", "X", 5), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_set_password(s, "x@b.c", "$y$", 5),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_set_disabled(s, "x@b.c", 1, 5),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 6), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 6), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_each(s, count, &n), LK_STORE_OK);
	CHECK_INT(n, 1);
	lk_store_close(s);
}

TEST(a_recreated_account_starts_after_the_deletion)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 10), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 20), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "A@B.C", "New", "$y$2", 30), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 20);
	/* The mark is used up: the next deletion sets its own. */
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 40), LK_STORE_OK);
	given_user(s, "a@b.c", "Third", "$y$3", 50, &u);
	CHECK_INT(u.tokens_valid_after, 40);
	lk_store_close(s);
}

TEST(constraints_hold_nothing_half_written)
{
	struct lk_store	*s = fresh();
	char		 big[500];
	int		 n = 0;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* A name over the limit is refused by the schema itself. */
	CHECK_INT(lk_store_user_add(s, "a@b.c", big, "$y$1", 1), LK_STORE_ERROR);
	CHECK_INT(lk_store_user_each(s, count, &n), LK_STORE_OK);
	CHECK_INT(n, 0);
	/* And the prepared statements still work afterwards. */
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
}

TEST(data_survives_reopen)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	lk_store_close(s);
	s = reopen(0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	lk_store_close(s);
}

TEST(login_records_the_session_unless_the_account_changed)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u, v;
	struct lk_token_state	 st;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_session(s, &u, "S1", "1", 1000);
	CHECK_INT(lk_store_token_check(s, "A@b.c", "a-1", 0, &v, &st),
	    LK_STORE_OK);
	CHECK_INT(v.id, u.id);
	CHECK_INT(st.ours, 1);
	CHECK_INT(st.revoked, 0);
	CHECK_STR(st.session.id, "S1");
	CHECK_INT(st.session.user_id, u.id);
	CHECK_INT(st.session.created, 1000);
	CHECK_STR(st.session.user_agent, "UA/1");
	CHECK_STR(st.session.address, "192.0.2.1");
	st = check(s, "a@b.c", "r-1", 1);
	CHECK_INT(st.ours, 1);
	/* An access id is not a refresh id, and the reverse. */
	CHECK_INT(check(s, "a@b.c", "r-1", 0).ours, 0);
	CHECK_INT(check(s, "a@b.c", "a-1", 1).ours, 0);
	/* The password changed while the login hashed: nothing recorded. */
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$2", 1001),
	    LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S2", "2", 1002), LK_STORE_CHANGED);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).ours, 0);
	/* Nor once disabled. */
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1, 1003), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$2", "S3", "3", 1004), LK_STORE_CHANGED);
	/* The change ended the first session. */
	CHECK_INT(check(s, "a@b.c", "a-1", 0).session.revoked, 1);
	/* No user: NOT_FOUND, and what is known of the token all the same. */
	CHECK_INT(lk_store_token_check(s, "x@b.c", "a-1", 0, &v, &st),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(st.ours, 1);
	lk_store_close(s);
}

TEST(login_gives_back_the_throttle_reservation)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct given_login	 g;
	struct lk_login		*l;
	const char		*keys[2] = { "account:a@b.c", "address:192.0.2.1" };
	long long		 limits[2] = { 2, 3 }, wait;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	l = login_of(&g, u.id, "$y$1", "S1", "1", 1000);
	l->new_hash = "$y$rehashed";
	l->throttle_account = keys[0];
	l->throttle_address = keys[1];
	l->throttle_window = 60;
	CHECK_INT(lk_store_login(s, l, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$rehashed");
	/* The account is clear (2 more), the address gave one back (2 more). */
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_LIMIT);
	lk_store_close(s);
}

TEST(throttle_reserves_all_or_nothing_within_windows)
{
	struct lk_store	*s = fresh();
	const char	*keys[2] = { "a", "b" };
	long long	 limits[2] = { 3, 2 }, wait;
	const char	*one[1] = { "a" };

	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1030, &wait),
	    LK_STORE_OK);
	/* "b" is full: nothing is counted, not even on "a". */
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1040, &wait),
	    LK_STORE_LIMIT);
	CHECK_INT(wait, 20);
	CHECK_INT(lk_store_throttle_reserve(s, one, limits, 1, 60, 1040, &wait),
	    LK_STORE_OK);			/* a: 3 */
	CHECK_INT(lk_store_throttle_reserve(s, one, limits, 1, 60, 1041, &wait),
	    LK_STORE_LIMIT);
	CHECK_INT(wait, 19);
	/* The window ends: counting starts anew. */
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1060, &wait),
	    LK_STORE_OK);
	/* Pruning forgets counts whose window ended over a day ago. */
	CHECK_INT(lk_store_prune(s, 1060 + 86401), LK_STORE_OK);
	limits[0] = limits[1] = 1;
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 1000000,
	    1060 + 86401, &wait), LK_STORE_OK);
	lk_store_close(s);
}

/* Refresh "r-<from>" into the tokens of tag. */
static enum lk_refresh_res
rotate(struct lk_store *s, const struct lk_user *u, const char *from,
    const char *tag, long long now, struct lk_store_tokens *successor)
{
	struct lk_store_tokens	next = pair(tag, now);
	struct lk_refresh	q;
	char			jti[64];

	(void)snprintf(jti, sizeof(jti), "r-%s", from);
	memset(&q, 0, sizeof(q));
	q.jti = jti;
	q.user_id = u->id;
	q.grace = 10;
	q.session_max = 5000;
	q.refresh_max = 3;
	q.next = &next;
	return lk_store_refresh(s, &q, now, successor);
}

TEST(refresh_rotates_once_and_replays_the_successor)
{
	struct lk_store		*s = fresh(), *t;
	struct lk_user		 u, other;
	struct lk_store_tokens	 succ;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "o@b.c", "O", "$y$1", 1, &other);
	given_session(s, &u, "S1", "1", 1000);
	CHECK_INT(rotate(s, &other, "1", "x", 1001, &succ), LK_REFRESH_REVOKED);
	CHECK_INT(rotate(s, &u, "nope", "x", 1001, &succ), LK_REFRESH_REVOKED);
	CHECK_INT(rotate(s, &u, "1", "2", 1005, &succ), LK_REFRESH_ROTATED);
	/* A second process (its own connection) replays the retired token. */
	t = reopen(0);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK_INT(rotate(t, &u, "1", "3", 1010, &succ), LK_REFRESH_REPLAY);
	CHECK_STR(succ.jti, "r-2");
	CHECK_STR(succ.csrf, "rc-2");
	CHECK_STR(succ.access_jti, "a-2");
	CHECK_STR(succ.access_csrf, "ac-2");
	CHECK_INT(succ.iat, 1005);
	CHECK_INT(succ.exp, 2005);
	CHECK_INT(succ.access_exp, 1105);
	/* No token "r-3" was made. */
	CHECK_INT(check(s, "a@b.c", "r-3", 1).ours, 0);
	/* Along the chain to the live pair. */
	CHECK_INT(rotate(s, &u, "2", "4", 1012, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(t, &u, "1", "5", 1014, &succ), LK_REFRESH_REPLAY);
	CHECK_STR(succ.jti, "r-4");
	/* Past the grace, the replay is reuse: the session ends. */
	CHECK_INT(rotate(t, &u, "1", "6", 1016, &succ), LK_REFRESH_REUSED);
	CHECK_INT(check(s, "a@b.c", "a-4", 0).session.revoked, 1);
	CHECK_INT(rotate(s, &u, "4", "7", 1017, &succ), LK_REFRESH_REVOKED);
	lk_store_close(t);
	lk_store_close(s);
}

/*
 * A refresh hands back a pair in *successor for a replay inside the grace
 * and for nothing else: a replay whose chain is too long to follow (a
 * token rotated more than sixteen times within the grace) finds no live
 * pair, and leaves none behind either.
 */
TEST(refresh_leaves_a_successor_only_for_a_replay)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_store_tokens	 succ, next;
	struct lk_refresh	 q;
	char			 jti[64], tag[16];
	int			 i;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_session(s, &u, "S1", "0", 1000);
	memset(&q, 0, sizeof(q));
	q.jti = jti;
	q.user_id = u.id;
	q.grace = 1000;
	q.session_max = 5000;
	q.refresh_max = 100;
	q.next = &next;
	for (i = 0; i < 17; i++) {
		(void)snprintf(jti, sizeof(jti), "r-%d", i);
		(void)snprintf(tag, sizeof(tag), "%d", i + 1);
		next = pair(tag, 1001 + i);
		memset(&succ, 'x', sizeof(succ));
		CHECK_INT(lk_store_refresh(s, &q, 1001 + i, &succ),
		    LK_REFRESH_ROTATED);
		CHECK_STR(succ.jti, "");
		CHECK_INT(succ.exp, 0);
	}
	/* Sixteen links along: the live pair is the seventeenth's. */
	(void)snprintf(jti, sizeof(jti), "r-1");
	CHECK_INT(lk_store_refresh(s, &q, 1020, &succ), LK_REFRESH_REPLAY);
	CHECK_STR(succ.jti, "r-17");
	CHECK_STR(succ.csrf, "rc-17");
	(void)snprintf(jti, sizeof(jti), "r-0");
	CHECK_INT(lk_store_refresh(s, &q, 1020, &succ), LK_REFRESH_REVOKED);
	CHECK_STR(succ.jti, "");
	CHECK_STR(succ.csrf, "");
	CHECK_STR(succ.access_jti, "");
	CHECK_INT(succ.iat, 0);
	/* Every other outcome leaves it empty as well. */
	(void)snprintf(jti, sizeof(jti), "nope");
	memset(&succ, 'x', sizeof(succ));
	CHECK_INT(lk_store_refresh(s, &q, 1021, &succ), LK_REFRESH_REVOKED);
	CHECK_STR(succ.jti, "");
	(void)snprintf(jti, sizeof(jti), "r-0");
	memset(&succ, 'x', sizeof(succ));
	CHECK_INT(lk_store_refresh(s, &q, 3000, &succ), LK_REFRESH_REUSED);
	CHECK_STR(succ.jti, "");
	CHECK_INT(succ.access_exp, 0);
	lk_store_close(s);
}

TEST(refresh_limits_rotations_and_session_age)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_store_tokens	 succ;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_session(s, &u, "S1", "1", 1000);
	CHECK_INT(rotate(s, &u, "1", "2", 1100, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "2", "3", 1200, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "3", "4", 1300, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "4", "5", 1400, &succ), LK_REFRESH_LIMIT);
	given_session(s, &u, "S2", "b", 1000);
	CHECK_INT(rotate(s, &u, "b", "c", 5999, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "c", "d", 6000, &succ), LK_REFRESH_EXPIRED);
	lk_store_close(s);
}

TEST(logout_revokes_tokens_and_sessions_kept_past_the_leeway)
{
	struct lk_store		*s;
	struct lk_user		 u;
	struct lk_revoke	 r[2];

	s = fresh();
	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	lk_store_close(s);
	/* Revocations outlive exp by the leeway. */
	s = reopen(50);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	given_session(s, &u, "S1", "1", 1000);
	given_session(s, &u, "S2", "2", 1000);
	memset(r, 0, sizeof(r));
	r[0].jti = "a-1";
	r[0].exp = 1100;
	r[1].jti = "foreign";			/* no session of ours */
	r[1].exp = 1100;
	CHECK_INT(lk_store_logout(s, r, 2, 1050), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).revoked, 1);
	CHECK_INT(check(s, "a@b.c", "r-1", 1).session.revoked, 1);
	CHECK_INT(check(s, "a@b.c", "foreign", 0).revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 0);
	/* exp + leeway = 1150: still known at 1149, gone after 1150. */
	CHECK_INT(lk_store_prune(s, 1149), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "foreign", 0).revoked, 1);
	CHECK_INT(lk_store_prune(s, 1151), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "foreign", 0).revoked, 0);
	/* Sessions go when all their tokens expired, plus the leeway. */
	CHECK_INT(check(s, "a@b.c", "a-2", 0).ours, 1);
	CHECK_INT(lk_store_prune(s, 2000 + 50), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).ours, 1);
	CHECK_INT(lk_store_prune(s, 2000 + 51), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).ours, 0);
	lk_store_close(s);
}

TEST(password_change_ends_every_session_and_starts_one)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct given_login	 g;
	struct lk_login		*l;
	struct lk_revoke	 r;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_session(s, &u, "S1", "1", 1000);
	given_session(s, &u, "S2", "2", 1000);
	l = login_of(&g, u.id, "$y$stale", "S3", "new", 1010);
	l->new_hash = "$y$2";
	memset(&r, 0, sizeof(r));
	r.jti = "a-1";
	r.exp = 1100;
	CHECK_INT(lk_store_password_change(s, l, &r, 1010), LK_STORE_CHANGED);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 0);
	l->hash = "$y$1";
	CHECK_INT(lk_store_password_change(s, l, &r, 1010), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).session.revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-new", 0).session.revoked, 0);
	CHECK_INT(check(s, "a@b.c", "a-new", 0).ours, 1);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$2");
	CHECK_INT(u.tokens_valid_after, 1010);
	lk_store_close(s);
}

TEST(case_folding_is_ascii_only)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	/* As SQLite's NOCASE: "\xc3\x89" (E acute) and "\xc3\xa9" differ. */
	CHECK_INT(lk_store_user_add(s, "\xc3\x89@B.c", "E", "$y$1", 1),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "\xc3\xa9@b.c", "e", "$y$2", 1),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "\xc3\x89@b.C", "x", "$y$3", 1),
	    LK_STORE_EXISTS);
	CHECK_INT(lk_store_user_find(s, "\xc3\x89@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "E");
	CHECK_INT(lk_store_user_find(s, "\xc3\xa9@B.C", &u), LK_STORE_OK);
	CHECK_STR(u.name, "e");
	CHECK_INT(lk_store_user_delete(s, "\xc3\x89@b.c", 5), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "\xc3\xa9@b.c", &u), LK_STORE_OK);
	lk_store_close(s);
}

/* One-time links. */

#define H1	"1111111111111111111111111111111111111111111111111111111111111111"
#define H2	"2222222222222222222222222222222222222222222222222222222222222222"
#define H3	"3333333333333333333333333333333333333333333333333333333333333333"
#define H4	"4444444444444444444444444444444444444444444444444444444444444444"
#define RESET	LK_LINK_BIT(LK_LINK_RESET)
#define ACCEPT	(LK_LINK_BIT(LK_LINK_INVITE) | LK_LINK_BIT(LK_LINK_SIGNUP))

/* A link of purpose for email (name, token hash, live until expires). */
static struct lk_link_new
link_of(enum lk_link_purpose purpose, const char *email, const char *name,
    const char *hash, long long expires)
{
	struct lk_link_new	l;

	memset(&l, 0, sizeof(l));
	l.purpose = purpose;
	l.email = email;
	l.name = name;
	l.hash = hash;
	l.expires = expires;
	return l;
}

static enum lk_store_res
link_add(struct lk_store *s, enum lk_link_purpose purpose, const char *email,
    const char *name, const char *hash, long long expires, long long now,
    struct lk_user *u)
{
	struct lk_link_new	l = link_of(purpose, email, name, hash, expires);

	return lk_store_link_add(s, &l, now, u);
}

/* The link of hash made at now (as link_add), as found at now into *l. */
static void
given_link(struct lk_store *s, enum lk_link_purpose purpose,
    const char *email, const char *name, const char *hash, long long expires,
    long long now, struct lk_link *l)
{
	struct lk_user	u;

	CHECK_INT(link_add(s, purpose, email, name, hash, expires, now, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, hash, LK_LINK_BIT(purpose), now, l),
	    LK_STORE_OK);
}

/*
 * The use of link hash for purposes by the account found for it, setting
 * new_hash: no session, no factor, no throttle; the caller adds those.
 */
static struct lk_link_use
use_of(const char *hash, unsigned int purposes, const struct lk_user *found,
    const char *new_hash)
{
	struct lk_link_use	u;

	memset(&u, 0, sizeof(u));
	u.hash = hash;
	u.purposes = purposes;
	u.user_id = found->id;
	u.user_hash = found->hash;
	u.new_hash = new_hash;
	return u;
}

/* Use link hash of the account found for it, setting new_hash. */
static enum lk_store_res
link_use(struct lk_store *s, const char *hash, unsigned int purposes,
    const struct lk_user *found, const char *new_hash,
    const struct lk_session *se, const struct lk_store_tokens *t,
    long long now)
{
	struct lk_link_use	u = use_of(hash, purposes, found, new_hash);

	u.session = se;
	u.tokens = t;
	return lk_store_link_use(s, &u, now);
}

TEST(a_reset_link_is_for_an_enabled_account_with_a_password)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	given_user(s, "d@b.c", "D", "$y$d", 1, NULL);
	CHECK_INT(lk_store_user_set_disabled(s, "d@b.c", 1, 2), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "A@B.C", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_STR(u.email, "a@b.c");
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_RESET);
	CHECK_INT(l.created, 100);
	CHECK_INT(l.expires, 1100);
	CHECK_STR(l.user.email, "a@b.c");
	CHECK_STR(l.user.hash, "$y$1");
	/* Not for another purpose, not for anyone else. */
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 100, &l), LK_STORE_NOT_FOUND);
	CHECK_STR(l.user.email, "");
	CHECK_INT(lk_store_link_find(s, H2, RESET, 100, &l), LK_STORE_NOT_FOUND);
	/* No account, a disabled one: nothing written. */
	CHECK_INT(link_add(s, LK_LINK_RESET, "x@b.c", "", H2, 1100, 100, &u),
	    LK_STORE_NOT_FOUND);
	CHECK_STR(u.email, "");
	CHECK_INT(link_add(s, LK_LINK_RESET, "d@b.c", "", H3, 1100, 100, &u),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H2, RESET, 100, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H3, RESET, 100, &l), LK_STORE_NOT_FOUND);
	/* The same hash twice is refused, and changes nothing. */
	given_user(s, "e@b.c", "E", "$y$e", 1, NULL);
	CHECK_INT(link_add(s, LK_LINK_RESET, "e@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_ERROR);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
	CHECK_STR(l.user.email, "a@b.c");
	lk_store_close(s);
}

TEST(a_newer_link_voids_the_older_and_a_link_expires)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H2, 1200, 200, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 200, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H2, RESET, 1199, &l), LK_STORE_OK);
	/* Its expiry is its end. */
	CHECK_INT(lk_store_link_find(s, H2, RESET, 1200, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H2, RESET, 1199, &l), LK_STORE_OK);
	CHECK_INT(link_use(s, H2, RESET, &l.user, "$y$2", NULL, NULL, 1200),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$1");
	lk_store_close(s);
}

TEST(a_link_is_used_once_and_ends_every_session)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct lk_token_state	 st;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_session(s, &u, "S1", "1", 100);
	given_link(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &l);
	CHECK_INT(link_use(s, H1, RESET, &l.user, "$y$2", NULL, NULL, 200),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$2");
	CHECK_INT(u.tokens_valid_after, 200);
	st = check(s, "a@b.c", "a-1", 0);
	CHECK_INT(st.ours, 1);
	CHECK_INT(st.session.revoked, 1);
	/* Once: a second use, or a find, finds nothing. */
	CHECK_INT(link_use(s, H1, RESET, &l.user, "$y$3", NULL, NULL, 201),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 201, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$2");
	lk_store_close(s);
}

TEST(a_link_is_used_only_as_found)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u, other;
	struct lk_link	 l;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	given_user(s, "o@b.c", "O", "$y$o", 1, &other);
	given_link(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &l);
	/* Another account's, another purpose's: refused, nothing written. */
	CHECK_INT(link_use(s, H1, RESET, &other, "$y$2", NULL, NULL, 200),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(link_use(s, H1, ACCEPT, &l.user, "$y$2", NULL, NULL, 200),
	    LK_STORE_NOT_FOUND);
	/* The account changed since the link was found. */
	(void)snprintf(l.user.hash, sizeof(l.user.hash), "$y$old");
	CHECK_INT(link_use(s, H1, RESET, &l.user, "$y$2", NULL, NULL, 200),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$1");
	CHECK_INT(lk_store_link_find(s, H1, RESET, 200, &l), LK_STORE_OK);
	lk_store_close(s);
}

TEST(a_password_set_or_changed_or_a_disabling_voids_every_link)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct given_login	 g;
	struct lk_login		*lg;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$2", 200),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 200, &l), LK_STORE_NOT_FOUND);
	/* A change through the API (the password change's transaction). */
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H2, 1100, 250, &u),
	    LK_STORE_OK);
	lg = login_of(&g, u.id, "$y$2", "S2", "2", 300);
	lg->new_hash = "$y$3";
	CHECK_INT(lk_store_password_change(s, lg, NULL, 300), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H2, RESET, 300, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H3, 1100, 400, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1, 500), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 0, 501), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H3, RESET, 501, &l), LK_STORE_NOT_FOUND);
	/* An account deleted takes its links with it, for good. */
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 600, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 601), LK_STORE_OK);
	given_user(s, "a@b.c", "A", "$y$1", 602, NULL);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 602, &l), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(an_invitation_makes_a_pending_account_that_cannot_log_in)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;

	CHECK_INT(link_add(s, LK_LINK_INVITE, "New@b.c", "Nina \xc3\x89", H1,
	    9000, 100, &u), LK_STORE_OK);
	CHECK_STR(u.email, "New@b.c");
	CHECK_STR(u.name, "Nina \xc3\x89");
	CHECK_STR(u.hash, "");
	CHECK_INT(lk_store_user_pending(&u), 1);
	CHECK_INT(u.created, 100);
	CHECK_INT(lk_store_user_find(s, "new@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_pending(&u), 1);
	/* No password matches it: the store refuses it a session too. */
	CHECK_INT(login_as(s, &u, "", "S1", "1", 110), LK_STORE_CHANGED);
	/* Not a reset link's account. */
	CHECK_INT(link_add(s, LK_LINK_RESET, "new@b.c", "", H2, 9000, 120, &u),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 120, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 120, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_INVITE);
	CHECK_STR(l.user.email, "New@b.c");
	/* Invited again: the older link is void, the name kept. */
	CHECK_INT(link_add(s, LK_LINK_INVITE, "new@b.c", "Other", H3, 9000, 130,
	    &u), LK_STORE_OK);
	CHECK_STR(u.name, "Nina \xc3\x89");
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 130, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H3, ACCEPT, 130, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_INVITE);
	lk_store_close(s);
}

TEST(a_signup_never_replaces_a_live_invitation)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;

	CHECK_INT(link_add(s, LK_LINK_INVITE, "inv@b.c", "Ivy", H1, 1000, 100,
	    &u), LK_STORE_OK);
	/* A stranger's sign-up: nothing written, the invitation stands. */
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "INV@b.c", "Mallory", H2, 900,
	    110, &u), LK_STORE_EXISTS);
	CHECK_STR(u.email, "inv@b.c");
	CHECK_STR(u.name, "Ivy");
	CHECK_INT(lk_store_user_pending(&u), 1);
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 120, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_INVITE);
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 120, &l), LK_STORE_NOT_FOUND);
	/* Once the invitation has expired, a sign-up may have the address. */
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "inv@b.c", "Mallory", H2, 2000,
	    1000, &u), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 1000, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_SIGNUP);
	/* A sign-up's own link is replaced by a newer sign-up, as before. */
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "inv@b.c", "M", H3, 2000, 1001,
	    &u), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 1001, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H3, ACCEPT, 1001, &l), LK_STORE_OK);
	lk_store_close(s);
}

TEST(pending_signups_are_pruned_once_their_last_link_expired)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	int		 n = 0;

	/* Sign-ups: one expires at 1000, one lives on. */
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "gone@b.c", "G", H1, 1000, 100,
	    &u), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "live@b.c", "L", H2, 5000, 100,
	    &u), LK_STORE_OK);
	/* An invitation that expired stays the administrator's. */
	CHECK_INT(link_add(s, LK_LINK_INVITE, "inv@b.c", "I", H3, 1000, 100,
	    &u), LK_STORE_OK);
	/* An address once deleted: its mark outlives the sign-up. */
	given_user(s, "old@b.c", "O", "$y$1", 1, NULL);
	CHECK_INT(lk_store_user_delete(s, "old@b.c", 50), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "old@b.c", "O", H4, 1000, 100,
	    &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 50);
	/* Not yet: the link works until 1000. */
	CHECK_INT(lk_store_prune(s, 999), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "gone@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "gone@b.c", &u), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "old@b.c", &u), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "live@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "inv@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_each(s, count, &n), LK_STORE_OK);
	CHECK_INT(n, 2);
	/* The address comes back with its deletion's mark, not before it. */
	CHECK_INT(lk_store_user_add(s, "old@b.c", "O", "$y$2", 1100),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "old@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 50);
	CHECK_INT(lk_store_user_add(s, "gone@b.c", "G", "$y$3", 1100),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "gone@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 0);
	lk_store_close(s);
}

static int	collect_sessions(const struct lk_session *, void *);

TEST(live_sessions_per_user_are_bounded_oldest_first)
{
	struct lk_store		*s = fresh();
	struct given_login	 g;
	struct lk_login		*l;
	struct lk_user		 u, v;
	struct lk_link		 lk;
	char			 out[256] = "";

	s->sessions_max = 3;
	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "b@b.c", "B", "$y$2", 1, &v);
	given_session(s, &v, "T1", "t", 999);
	given_session(s, &u, "S1", "1", 1000);
	given_session(s, &u, "S2", "2", 1001);
	given_session(s, &u, "S3", "3", 1002);
	/* The fourth ends the oldest, S1, in the same transaction. */
	CHECK_INT(login_as(s, &u, "$y$1", "S4", "4", 1003), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).session.revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 0);
	CHECK_INT(lk_store_session_each(s, u.id, 1003, collect_sessions, out),
	    LK_STORE_OK);
	CHECK_STR(out, "S4:1003:UA/1:192.0.2.1 S3:1002:UA/1:192.0.2.1 "
	    "S2:1001:UA/1:192.0.2.1");
	/* Another user's sessions are not counted, nor ended. */
	CHECK_INT(check(s, "b@b.c", "a-t", 0).session.revoked, 0);
	/* A session ended already leaves room: S2 and S3 stay. */
	CHECK_INT(lk_store_session_end(s, u.id, "S4", NULL, 1004, NULL),
	    LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S5", "5", 1005), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 0);
	CHECK_INT(check(s, "a@b.c", "a-3", 0).session.revoked, 0);
	/* Every other way to a session is bounded too: a link that logs in. */
	given_link(s, LK_LINK_INVITE, "n@b.c", "N", H1, 9000, 1006, &lk);
	(void)login_of(&g, 0, NULL, "N1", "p", 1010);
	CHECK_INT(link_use(s, H1, ACCEPT, &lk.user, "$y$n", &g.se, &g.t, 1006),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "n@b.c", &v), LK_STORE_OK);
	given_session(s, &v, "N2", "n2", 1007);
	given_session(s, &v, "N3", "n3", 1008);
	given_session(s, &v, "N4", "n4", 1009);
	CHECK_INT(check(s, "n@b.c", "a-p", 0).session.revoked, 1);
	/* And a password change's new session (which ends the others). */
	l = login_of(&g, u.id, "$y$1", "S6", "6", 1010);
	l->new_hash = "$y$1b";
	CHECK_INT(lk_store_password_change(s, l, NULL, 1010), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-6", 0).session.revoked, 0);
	CHECK_INT(check(s, "a@b.c", "a-5", 0).session.revoked, 1);
	lk_store_close(s);
}

TEST(accepting_an_invitation_sets_the_password_and_logs_in)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct given_login	 g;
	struct lk_token_state	 st;

	given_link(s, LK_LINK_INVITE, "n@b.c", "N", H1, 9000, 100, &l);
	(void)login_of(&g, 0, NULL, "SI", "i", 200);
	(void)snprintf(g.se.address, sizeof(g.se.address), "192.0.2.9");
	CHECK_INT(link_use(s, H1, ACCEPT, &l.user, "$y$n", &g.se, &g.t, 200),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "n@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$n");
	CHECK_INT(lk_store_user_pending(&u), 0);
	st = check(s, "n@b.c", "a-i", 0);
	CHECK_INT(st.ours, 1);
	CHECK_INT(st.revoked, 0);
	CHECK_INT(st.session.revoked, 0);
	CHECK_STR(st.session.id, "SI");
	CHECK_INT(st.session.user_id, u.id);
	/* Used: and the account is no longer anyone's to invite. */
	CHECK_INT(link_use(s, H1, ACCEPT, &l.user, "$y$x", &g.se, &g.t, 201),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "n@b.c", "N", H2, 9000, 300, &u),
	    LK_STORE_EXISTS);
	CHECK_STR(u.email, "n@b.c");
	CHECK_STR(u.hash, "$y$n");
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 300, &l), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(an_account_with_a_password_or_disabled_is_not_invited)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "A@b.c", "X", H1, 9000, 100, &u),
	    LK_STORE_EXISTS);
	CHECK_STR(u.email, "a@b.c");
	CHECK_INT(u.disabled, 0);
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 100, &l), LK_STORE_NOT_FOUND);
	/* A pending account the administrator disabled gets no link either. */
	CHECK_INT(link_add(s, LK_LINK_INVITE, "p@b.c", "P", H2, 9000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "p@b.c", 1, 110), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 110, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "p@b.c", "P", H3, 9000, 120, &u),
	    LK_STORE_EXISTS);
	CHECK_INT(u.disabled, 1);
	/* A recreated email starts after its deletion, pending or not. */
	CHECK_INT(lk_store_user_delete(s, "p@b.c", 130), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "p@b.c", "P", H3, 9000, 140, &u),
	    LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 130);
	lk_store_close(s);
}

TEST(expired_links_are_pruned)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "n@b.c", "", H2, 5000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 999, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H2, ACCEPT, 999, &l), LK_STORE_OK);
	lk_store_close(s);
}

static int
collect(const struct lk_user *u, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s%s", n > 0 ? " " : "", u->email);
	return 0;
}

static int
stop_at_two(const struct lk_user *u, void *arg)
{
	(void)u;
	return ++*(int *)arg == 2;
}

TEST(list_in_email_order_without_case)
{
	struct lk_store	*s = fresh();
	char		 out[256] = "";
	int		 n = 0;

	given_user(s, "b@x.c", "", "$y$1", 1, NULL);
	given_user(s, "C@x.c", "", "$y$1", 1, NULL);
	given_user(s, "a@x.c", "", "$y$1", 1, NULL);
	given_user(s, "_@x.c", "", "$y$1", 1, NULL);
	CHECK_INT(lk_store_user_each(s, collect, out), LK_STORE_OK);
	/* Folded to lower case, '_' (0x5f) sorts before 'a' (0x61). */
	CHECK_STR(out, "_@x.c a@x.c b@x.c C@x.c");
	CHECK_INT(lk_store_user_each(s, stop_at_two, &n), LK_STORE_OK);
	CHECK_INT(n, 2);
	/* A stopped listing leaves the store usable. */
	CHECK_INT(lk_store_user_add(s, "d@x.c", "", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
}

/* Ten recovery code hashes named after tag: "<tag>0" to "<tag>9". */
static void
code_hashes(const char *tag, char hashes[10][16], const char *ptrs[10])
{
	int	i;

	for (i = 0; i < 10; i++) {
		(void)snprintf(hashes[i], 16, "%s%d", tag, i);
		ptrs[i] = hashes[i];
	}
}

/* A user a@b.c with TOTP on (secret "v1.s", step 100) and codes "c0".."c9". */
static void
user_with_totp(struct lk_store *s, struct lk_user *u)
{
	char		 h[10][16];
	const char	*hp[10];

	code_hashes("c", h, hp);
	given_user(s, "a@b.c", "A", "$y$1", 1, u);
	CHECK_INT(lk_store_totp_setup(s, u->id, "v1.s", 10), LK_STORE_OK);
	CHECK_INT(lk_store_totp_enable(s, u->id, "v1.s", 100, hp, 10, 11),
	    LK_STORE_OK);
}

/* A reset of an account with TOTP on spends its factor, in its transaction. */
TEST(a_reset_link_spends_the_second_factor)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct lk_link_use	 use;
	struct lk_mfa_state	 m;

	user_with_totp(s, &u);
	given_link(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &l);
	use = use_of(H1, RESET, &l.user, "$y$2");
	/* Without a factor (TOTP was off when read): refused, nothing set. */
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_USED);
	/* A time step not after the last, a recovery code not held. */
	use.factor = 1;
	use.step = 100;
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_USED);
	use.step = -1;
	use.recovery = "x9";
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_USED);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$1");
	CHECK_INT(lk_store_link_find(s, H1, RESET, 200, &l), LK_STORE_OK);
	/* A recovery code held: spent with the reset, the link used. */
	use.recovery = "c3";
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$2");
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 1);
	CHECK_INT(m.recovery_left, 9);
	/* A later step works as well, and is recorded. */
	given_link(s, LK_LINK_RESET, "a@b.c", "", H2, 1100, 300, &l);
	use.hash = H2;
	use.user_hash = l.user.hash;
	use.new_hash = "$y$3";
	use.recovery = NULL;
	use.step = 101;
	CHECK_INT(lk_store_link_use(s, &use, 300), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.last_step, 101);
	/* TOTP off: the factor given no longer exists. */
	CHECK_INT(lk_store_mfa_reset(s, "a@b.c", 0, NULL), LK_STORE_OK);
	given_link(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 400, &l);
	use.hash = H1;
	use.user_hash = l.user.hash;
	use.step = 200;
	CHECK_INT(lk_store_link_use(s, &use, 400), LK_STORE_USED);
	use.factor = 0;
	CHECK_INT(lk_store_link_use(s, &use, 400), LK_STORE_OK);
	lk_store_close(s);
}

TEST(totp_waits_for_its_first_code_then_stays)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u;
	char			 h[10][16];
	const char		*hp[10];

	code_hashes("c", h, hp);
	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.totp_pending, 0);
	CHECK_INT(m.last_step, -1);
	CHECK_STR(m.secret, "");
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.first", 10), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.totp_pending, 1);
	CHECK_STR(m.secret, "v1.first");
	/* Set up again: the new secret waits instead. */
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.second", 20), LK_STORE_OK);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.first", 5, hp, 10, 21),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.recovery_left, 0);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.second", 5, hp, 10, 21),
	    LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 1);
	CHECK_INT(m.totp_pending, 0);
	CHECK_INT(m.last_step, 5);
	CHECK_INT(m.recovery_left, 10);
	CHECK_STR(m.secret, "v1.second");
	/* On: neither set up anew nor enabled twice. */
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.third", 30), LK_STORE_EXISTS);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.second", 6, hp, 10, 31),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_STR(m.secret, "v1.second");
	CHECK_INT(m.last_step, 5);
	CHECK_INT(lk_store_totp_setup(s, u.id + 100, "v1.x", 30),
	    LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

/* Second factors to spend: a step, or a recovery code's hash. */
static const struct lk_factor_spend	step102 = { 1, 102, NULL };

TEST(totp_off_needs_an_unused_step_or_code)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u;
	char			 h[10][16];
	const char		*hp[10];

	user_with_totp(s, &u);
	/* Steps up to the last one accepted are spent. */
	CHECK_INT(lk_store_totp_disable(s, u.id, 100, NULL), LK_STORE_USED);
	CHECK_INT(lk_store_totp_disable(s, u.id, 99, NULL), LK_STORE_USED);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "nope"), LK_STORE_USED);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 1);
	CHECK_INT(m.recovery_left, 10);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "c3"), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.recovery_left, 0);
	CHECK_INT(lk_store_totp_disable(s, u.id, 101, NULL), LK_STORE_NOT_FOUND);
	/* Recovery codes belong to TOTP: none without it. */
	code_hashes("n", h, hp);
	CHECK_INT(lk_store_recovery_replace(s, u.id, &step102, hp, 10, 50),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.t", 60), LK_STORE_OK);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.t", 200, hp, 3, 61),
	    LK_STORE_OK);
	CHECK_INT(lk_store_totp_disable(s, u.id, 201, NULL), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	lk_store_close(s);
}

TEST(recovery_codes_are_replaced_whole)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u;
	char			 h[10][16];
	const char		*hp[10];

	user_with_totp(s, &u);
	code_hashes("n", h, hp);
	CHECK_INT(lk_store_recovery_replace(s, u.id, &step102, hp, 10, 50),
	    LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.recovery_left, 10);
	CHECK_INT(m.last_step, 102);
	/* The old set is gone. */
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "c0"), LK_STORE_USED);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "n0"), LK_STORE_OK);
	lk_store_close(s);
}

/*
 * New recovery codes cost a second factor, spent in the same transaction:
 * a step after the last one accepted, or a live code (of the old set).
 */
TEST(recovery_codes_are_replaced_only_for_a_factor_spent)
{
	struct lk_store			*s = fresh();
	struct lk_mfa_state		 m;
	struct lk_user			 u;
	struct lk_factor_spend		 f;
	char				 h[10][16], g[10][16];
	const char			*hp[10], *gp[10];

	user_with_totp(s, &u);
	code_hashes("n", h, hp);
	memset(&f, 0, sizeof(f));
	f.given = 1;
	f.step = 100;
	/* The step of the login that turned TOTP on, or before: used. */
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 50),
	    LK_STORE_USED);
	f.step = -1;
	f.recovery = "x1";
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 50),
	    LK_STORE_USED);
	/* Nothing was written: the old codes still work. */
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.recovery_left, 10);
	CHECK_INT(m.last_step, 100);
	/* No proof, or two at once: refused before the backend. */
	f.given = 0;
	f.recovery = NULL;
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 50),
	    LK_STORE_ERROR);
	CHECK_INT(lk_store_recovery_replace(s, u.id, NULL, hp, 10, 50),
	    LK_STORE_ERROR);
	f.given = 1;
	f.step = 101;
	f.recovery = "c1";
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 50),
	    LK_STORE_ERROR);
	/* A live code of the old set: spent, and the set replaced. */
	f.step = -1;
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 50),
	    LK_STORE_OK);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "c2"), LK_STORE_USED);
	/* The same code again is no proof (the new set has no "c1"). */
	code_hashes("g", g, gp);
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, gp, 10, 60),
	    LK_STORE_USED);
	/* A later step: recorded, so that it works only once. */
	f.recovery = NULL;
	f.step = 101;
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, gp, 10, 60),
	    LK_STORE_OK);
	CHECK_INT(lk_store_recovery_replace(s, u.id, &f, hp, 10, 61),
	    LK_STORE_USED);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.last_step, 101);
	CHECK_INT(m.recovery_left, 10);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "n0"), LK_STORE_USED);
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "g0"), LK_STORE_OK);
	lk_store_close(s);
}

/* The first step of u's login proving hash: pending login id until exp. */
static struct lk_mfa_start
pending_of(const struct lk_user *u, const char *id, const char *hash,
    long long exp)
{
	struct lk_mfa_start	m;

	memset(&m, 0, sizeof(m));
	m.user_id = u->id;
	m.hash = hash;
	m.id = id;
	m.exp = exp;
	return m;
}

/* A pending login "P<tag>" of u, live until exp. */
static enum lk_store_res
start_pending(struct lk_store *s, const struct lk_user *u, const char *tag,
    const char *hash, long long exp, long long now)
{
	struct lk_mfa_start	m;
	char			id[32];

	(void)snprintf(id, sizeof(id), "P%s", tag);
	m = pending_of(u, id, hash, exp);
	m.persistent = 1;
	return lk_store_mfa_start(s, &m, now);
}

/*
 * The second step for pending login "P<tag>" of u with a step or a
 * recovery code: session "S<tag>" with the tokens of tag.
 */
static enum lk_store_res
second_step(struct lk_store *s, const struct lk_user *u, const char *tag,
    long long step, const char *recovery, long long now)
{
	struct given_login	g;
	struct lk_mfa_login	m;
	char			id[32], sid[32];

	(void)snprintf(id, sizeof(id), "P%s", tag);
	(void)snprintf(sid, sizeof(sid), "S%s", tag);
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.step = step;
	m.recovery = recovery;
	m.login = login_of(&g, u->id, "$y$1", sid, tag, now);
	return lk_store_mfa_login(s, &m, now);
}

TEST(a_pending_login_is_bound_to_its_user_and_used_once)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_pending	 p;
	struct lk_mfa_state	 m;
	struct lk_user		 u;

	user_with_totp(s, &u);
	CHECK_INT(start_pending(s, &u, "1", "$y$1", 1300, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_pending(s, "P1", 1000, &p), LK_STORE_OK);
	CHECK_STR(p.user.email, "a@b.c");
	CHECK_INT(p.user.id, u.id);
	CHECK_STR(p.hash, "$y$1");
	CHECK_INT(p.persistent, 1);
	CHECK_INT(p.exp, 1300);
	CHECK_INT(lk_store_mfa_pending(s, "P2", 1000, &p), LK_STORE_NOT_FOUND);
	CHECK_STR(p.user.email, "");
	/* A used step is refused, and the pending login lives on. */
	CHECK_INT(second_step(s, &u, "1", 100, NULL, 1001), LK_STORE_USED);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).ours, 0);
	CHECK_INT(lk_store_mfa_pending(s, "P1", 1001, &p), LK_STORE_OK);
	CHECK_INT(second_step(s, &u, "1", 101, NULL, 1001), LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-1", 0).ours, 1);
	CHECK_STR(check(s, "a@b.c", "a-1", 0).session.id, "S1");
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.last_step, 101);
	/* Used: gone. */
	CHECK_INT(lk_store_mfa_pending(s, "P1", 1002, &p), LK_STORE_NOT_FOUND);
	CHECK_INT(second_step(s, &u, "1", 102, NULL, 1002), LK_STORE_NOT_FOUND);
	/* A new password login ends the one before it. */
	CHECK_INT(start_pending(s, &u, "2", "$y$1", 1300, 1003), LK_STORE_OK);
	CHECK_INT(start_pending(s, &u, "3", "$y$1", 1300, 1004), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_pending(s, "P2", 1004, &p), LK_STORE_NOT_FOUND);
	CHECK_INT(second_step(s, &u, "2", 103, NULL, 1005), LK_STORE_NOT_FOUND);
	/* Expired. */
	CHECK_INT(lk_store_mfa_pending(s, "P3", 1300, &p), LK_STORE_NOT_FOUND);
	CHECK_INT(second_step(s, &u, "3", 104, NULL, 1300), LK_STORE_NOT_FOUND);
	/* Bound to the password it proved: a change since kills it. */
	CHECK_INT(start_pending(s, &u, "4", "$y$1", 1400, 1301), LK_STORE_OK);
	CHECK_INT(start_pending(s, &u, "5", "$y$old", 1400, 1301),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$2", 1302),
	    LK_STORE_OK);
	CHECK_INT(second_step(s, &u, "4", 105, NULL, 1303), LK_STORE_CHANGED);
	CHECK_INT(check(s, "a@b.c", "a-4", 0).ours, 0);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.last_step, 101);
	lk_store_close(s);
}

TEST(a_recovery_code_logs_in_once)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u;

	user_with_totp(s, &u);
	CHECK_INT(start_pending(s, &u, "1", "$y$1", 1300, 1000), LK_STORE_OK);
	CHECK_INT(second_step(s, &u, "1", -1, "nope", 1001), LK_STORE_USED);
	CHECK_INT(second_step(s, &u, "1", -1, "c7", 1001), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.recovery_left, 9);
	CHECK_INT(m.last_step, 100);
	CHECK_INT(start_pending(s, &u, "2", "$y$1", 1300, 1002), LK_STORE_OK);
	CHECK_INT(second_step(s, &u, "2", -1, "c7", 1003), LK_STORE_USED);
	/* Both at once is no second factor. */
	CHECK_INT(second_step(s, &u, "2", 101, "c8", 1003), LK_STORE_ERROR);
	CHECK_INT(second_step(s, &u, "2", -1, NULL, 1003), LK_STORE_ERROR);
	/* TOTP turned off meanwhile: the pending login cannot finish. */
	CHECK_INT(lk_store_totp_disable(s, u.id, -1, "c1"), LK_STORE_OK);
	CHECK_INT(second_step(s, &u, "2", 101, NULL, 1004), LK_STORE_USED);
	lk_store_close(s);
}

TEST(the_first_step_gives_back_the_throttle_without_clearing_it)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_start	 m;
	struct lk_user		 u;
	const char		*keys[2] = { "account:a@b.c", "address:192.0.2.1" };
	long long		 limits[2] = { 2, 2 }, wait;

	user_with_totp(s, &u);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	m = pending_of(&u, "P1", "$y$1", 1300);
	m.new_hash = "$y$rehashed";
	m.throttle_account = keys[0];
	m.throttle_address = keys[1];
	m.throttle_window = 60;
	CHECK_INT(lk_store_mfa_start(s, &m, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.hash, "$y$rehashed");
	/* One back on each: one more, then full. */
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_LIMIT);
	CHECK_INT(lk_store_throttle_give_back(s, keys, 1, 60, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 60, 1000, &wait),
	    LK_STORE_LIMIT);
	lk_store_close(s);
}

TEST(mfa_reset_takes_the_second_factor_away)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_pending	 p;
	struct lk_mfa_state	 m;
	struct lk_user		 u;

	user_with_totp(s, &u);
	CHECK_INT(start_pending(s, &u, "1", "$y$1", 1300, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_reset(s, "A@B.C", 0, NULL), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.totp_pending, 0);
	CHECK_INT(m.recovery_left, 0);
	CHECK_INT(lk_store_mfa_pending(s, "P1", 1001, &p), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_mfa_reset(s, "x@b.c", 0, NULL), LK_STORE_NOT_FOUND);
	/* And it can be set up again. */
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.n", 20), LK_STORE_OK);
	lk_store_close(s);
}

/* Challenge c of kind for user_id from address, live until exp. */
static struct lk_challenge
challenge_of(const char *c, enum lk_challenge_kind kind, long long user_id,
    const char *address, long long exp)
{
	struct lk_challenge	ch;

	memset(&ch, 0, sizeof(ch));
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "%s", c);
	ch.kind = kind;
	ch.user_id = user_id;
	(void)snprintf(ch.address, sizeof(ch.address), "%s", address);
	ch.exp = exp;
	return ch;
}

/* Add challenge_of(...), at most limit live per address, no factor. */
static enum lk_store_res
add_challenge(struct lk_store *s, const char *c, enum lk_challenge_kind kind,
    long long user_id, const char *address, long long exp, long long limit,
    long long now)
{
	struct lk_challenge	ch = challenge_of(c, kind, user_id, address, exp);

	return lk_store_challenge_add(s, &ch, limit, NULL, now);
}

/* Passkey "K<tag>" (credential "cred-<tag>") of user_id. */
static struct lk_passkey
passkey(const char *tag, long long user_id, long long count)
{
	struct lk_passkey	p;

	memset(&p, 0, sizeof(p));
	(void)snprintf(p.id, sizeof(p.id), "K%s", tag);
	(void)snprintf(p.credential_id, sizeof(p.credential_id), "cred-%s", tag);
	p.user_id = user_id;
	p.alg = -7;
	(void)snprintf(p.public_key, sizeof(p.public_key), "MFkw-%s", tag);
	p.sign_count = count;
	p.flags = 0x45;
	(void)snprintf(p.aaguid, sizeof(p.aaguid), "%032d", 0);
	(void)snprintf(p.name, sizeof(p.name), "Key \xc3\xa9 %s", tag);
	return p;
}

static int
collect_passkeys(const struct lk_passkey *p, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s%s:%lld:%lld", n > 0 ? " " : "",
	    p->id, p->sign_count, p->last_used);
	return 0;
}

TEST(a_passkey_is_registered_with_a_challenge_used_once)
{
	struct lk_store		*s = fresh();
	struct lk_passkey	 p, q;
	struct lk_user		 u, v, w;
	char			 handle[LK_STORE_HANDLE_MAX + 1], out[256] = "";
	int			 i;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "b@b.c", "B", "$y$2", 1, &v);
	/* One handle per user, kept. */
	CHECK_INT(lk_store_webauthn_handle(s, u.id, "h-a", handle,
	    sizeof(handle)), LK_STORE_OK);
	CHECK_STR(handle, "h-a");
	CHECK_INT(lk_store_webauthn_handle(s, u.id, "h-other", handle,
	    sizeof(handle)), LK_STORE_OK);
	CHECK_STR(handle, "h-a");
	CHECK_INT(add_challenge(s, "ch1", LK_CHALLENGE_REGISTER, u.id, "ip1",
	    1300, 5, 1000), LK_STORE_OK);
	p = passkey("1", u.id, 3);
	/* Another user's, or a login's, challenge registers nothing. */
	q = passkey("1", v.id, 3);
	CHECK_INT(lk_store_passkey_add(s, "ch1", &q, 20, 1001),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(add_challenge(s, "ch2", LK_CHALLENGE_LOGIN, 0, "ip1", 1300, 5,
	    1000), LK_STORE_OK);
	CHECK_INT(lk_store_passkey_add(s, "ch2", &p, 20, 1001),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_passkey_add(s, "ch1", &p, 20, 1300),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_passkey_add(s, "ch1", &p, 20, 1001), LK_STORE_OK);
	CHECK_INT(lk_store_passkey_add(s, "ch1", &p, 20, 1001),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_passkey_find(s, "cred-1", &q, &w, handle,
	    sizeof(handle)), LK_STORE_OK);
	CHECK_STR(q.id, "K1");
	CHECK_INT(q.user_id, u.id);
	CHECK_INT(q.alg, -7);
	CHECK_STR(q.public_key, "MFkw-1");
	CHECK_INT(q.sign_count, 3);
	CHECK_INT(q.flags, 0x45);
	CHECK_STR(q.name, "Key \xc3\xa9 1");
	CHECK_INT(q.created, 1001);
	CHECK_INT(q.last_used, 0);
	CHECK_STR(w.email, "a@b.c");
	CHECK_STR(handle, "h-a");
	CHECK_INT(lk_store_passkey_find(s, "cred-2", &q, &w, handle,
	    sizeof(handle)), LK_STORE_NOT_FOUND);
	/* A credential registers once, whoever asks. */
	CHECK_INT(add_challenge(s, "ch3", LK_CHALLENGE_REGISTER, v.id, "ip2",
	    1300, 5, 1002), LK_STORE_OK);
	q = passkey("x", v.id, 0);
	(void)snprintf(q.credential_id, sizeof(q.credential_id), "cred-1");
	CHECK_INT(lk_store_passkey_add(s, "ch3", &q, 20, 1003), LK_STORE_EXISTS);
	/* At most max per user. */
	for (i = 2; i <= 3; i++) {
		char	c[8], t[8];

		(void)snprintf(c, sizeof(c), "r%d", i);
		(void)snprintf(t, sizeof(t), "%d", i);
		CHECK_INT(add_challenge(s, c, LK_CHALLENGE_REGISTER, u.id,
		    "ip1", 1300, 5, 1004 + i), LK_STORE_OK);
		q = passkey(t, u.id, 0);
		CHECK_INT(lk_store_passkey_add(s, c, &q, 2, 1004 + i),
		    i == 2 ? LK_STORE_OK : LK_STORE_LIMIT);
	}
	CHECK_INT(lk_store_passkey_each(s, u.id, collect_passkeys, out),
	    LK_STORE_OK);
	CHECK_STR(out, "K1:3:0 K2:0:0");
	CHECK_INT(lk_store_passkey_delete(s, v.id, "K1"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_passkey_delete(s, u.id, "K1"), LK_STORE_OK);
	CHECK_INT(lk_store_passkey_delete(s, u.id, "K1"), LK_STORE_NOT_FOUND);
	out[0] = '\0';
	CHECK_INT(lk_store_passkey_each(s, u.id, collect_passkeys, out),
	    LK_STORE_OK);
	CHECK_STR(out, "K2:0:0");
	lk_store_close(s);
}

TEST(challenges_per_address_are_bounded_and_expire)
{
	struct lk_store	*s = fresh();

	CHECK_INT(add_challenge(s, "a", LK_CHALLENGE_LOGIN, 0, "ip1", 1100, 2,
	    1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "b", LK_CHALLENGE_LOGIN, 0, "ip1", 1100, 2,
	    1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "c", LK_CHALLENGE_LOGIN, 0, "ip1", 1100, 2,
	    1000), LK_STORE_LIMIT);
	CHECK_INT(add_challenge(s, "c", LK_CHALLENGE_LOGIN, 0, "ip2", 1100, 2,
	    1000), LK_STORE_OK);
	/* Expired ones no longer count. */
	CHECK_INT(add_challenge(s, "d", LK_CHALLENGE_LOGIN, 0, "ip1", 1200, 2,
	    1100), LK_STORE_OK);
	lk_store_close(s);
}

/* A passwordless sign-in with passkey K<tag> as session "W<tag>". */
static enum lk_store_res
passkey_sign_in(struct lk_store *s, const struct lk_user *u, const char *hash,
    const char *challenge, const char *tag, long long from, long long to,
    long long now)
{
	struct given_login	g;
	struct lk_passkey_login	pl;
	char			id[16], tt[16], sid[24];

	(void)snprintf(id, sizeof(id), "K%s", tag);
	(void)snprintf(tt, sizeof(tt), "w%s-%lld", tag, to);
	(void)snprintf(sid, sizeof(sid), "W%s-%lld", tag, to);
	memset(&pl, 0, sizeof(pl));
	pl.challenge = challenge;
	pl.id = id;
	pl.old_count = from;
	pl.new_count = to;
	pl.login = login_of(&g, u->id, hash, sid, tt, now);
	return lk_store_passkey_login(s, &pl, now);
}

TEST(a_passkey_sign_in_uses_its_challenge_and_moves_the_counter)
{
	struct lk_store		*s = fresh();
	struct lk_passkey	 p;
	struct lk_user		 u;
	char			 out[256] = "";

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	CHECK_INT(add_challenge(s, "r", LK_CHALLENGE_REGISTER, u.id, "ip", 1300,
	    5, 1000), LK_STORE_OK);
	p = passkey("1", u.id, 3);
	CHECK_INT(lk_store_passkey_add(s, "r", &p, 20, 1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "g1", LK_CHALLENGE_LOGIN, 0, "ip", 1300, 5,
	    1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "g2", LK_CHALLENGE_LOGIN, 0, "ip", 1300, 5,
	    1000), LK_STORE_OK);
	/* A registration's challenge signs no one in. */
	CHECK_INT(add_challenge(s, "r2", LK_CHALLENGE_REGISTER, u.id, "ip", 1300,
	    5, 1000), LK_STORE_OK);
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "r2", "1", 3, 4, 1001),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "g1", "1", 3, 4, 1001),
	    LK_STORE_OK);
	CHECK_INT(check(s, "a@b.c", "a-w1-4", 0).ours, 1);
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "g1", "1", 4, 5, 1002),
	    LK_STORE_NOT_FOUND);
	/* The counter moved on meanwhile: refused, nothing written. */
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "g2", "1", 3, 5, 1002),
	    LK_STORE_CHANGED);
	CHECK_INT(check(s, "a@b.c", "a-w1-5", 0).ours, 0);
	CHECK_INT(lk_store_passkey_each(s, u.id, collect_passkeys, out),
	    LK_STORE_OK);
	CHECK_STR(out, "K1:4:1001");
	/* The challenge was not used up by the refusal. */
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1, 1003), LK_STORE_OK);
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "g2", "1", 4, 5, 1003),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 0, 1004), LK_STORE_OK);
	CHECK_INT(passkey_sign_in(s, &u, "$y$1", "g2", "1", 4, 5, 1004),
	    LK_STORE_OK);
	lk_store_close(s);
}

static int
collect_sessions(const struct lk_session *se, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s%s:%lld:%s:%s", n > 0 ? " " : "",
	    se->id, se->refreshed, se->user_agent, se->address);
	return 0;
}

TEST(sessions_are_listed_and_ended_by_their_user)
{
	struct lk_store		*s = fresh();
	struct lk_store_tokens	 succ;
	struct lk_user		 u, v;
	char			 out[256] = "";
	long long		 n;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "b@b.c", "B", "$y$2", 1, &v);
	given_session(s, &u, "S1", "1", 1000);
	given_session(s, &u, "S2", "2", 1001);
	given_session(s, &u, "S3", "3", 1002);
	given_session(s, &v, "T1", "t", 1002);
	CHECK_INT(rotate(s, &u, "1", "1b", 1010, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(lk_store_session_each(s, u.id, 1010, collect_sessions, out),
	    LK_STORE_OK);
	CHECK_STR(out, "S1:1010:UA/1:192.0.2.1 S3:1002:UA/1:192.0.2.1 "
	    "S2:1001:UA/1:192.0.2.1");
	/* Another user's session is not the user's to end. */
	CHECK_INT(lk_store_session_end(s, u.id, "T1", NULL, 1011, &n),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(n, 0);
	CHECK_INT(lk_store_session_end(s, u.id, "S2", NULL, 1011, &n),
	    LK_STORE_OK);
	CHECK_INT(n, 1);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 1);
	CHECK_INT(lk_store_session_end(s, u.id, "S2", NULL, 1011, &n),
	    LK_STORE_NOT_FOUND);
	/* Every other: the rotated session's newest tokens included. */
	CHECK_INT(lk_store_session_end(s, u.id, NULL, "S3", 1012, &n),
	    LK_STORE_OK);
	CHECK_INT(n, 1);
	CHECK_INT(check(s, "a@b.c", "a-1b", 0).session.revoked, 1);
	CHECK_INT(check(s, "a@b.c", "a-3", 0).session.revoked, 0);
	CHECK_INT(check(s, "b@b.c", "a-t", 0).session.revoked, 0);
	out[0] = '\0';
	CHECK_INT(lk_store_session_each(s, u.id, 1012, collect_sessions, out),
	    LK_STORE_OK);
	CHECK_STR(out, "S3:1002:UA/1:192.0.2.1");
	/* A session whose tokens all expired is not live. */
	out[0] = '\0';
	CHECK_INT(lk_store_session_each(s, u.id, 2002, collect_sessions, out),
	    LK_STORE_OK);
	CHECK_STR(out, "");
	CHECK_INT(lk_store_session_end(s, u.id, "S3", NULL, 2002, &n),
	    LK_STORE_NOT_FOUND);
	/* Nor is it counted among the others ended: none were live. */
	given_session(s, &u, "S4", "4", 2002);
	CHECK_INT(lk_store_session_end(s, u.id, NULL, "S4", 2002, &n),
	    LK_STORE_OK);
	CHECK_INT(n, 0);
	CHECK_INT(check(s, "a@b.c", "a-4", 0).session.revoked, 0);
	lk_store_close(s);
}

/* The OpenID provider's records. */

#define CH1	"c111111111111111111111111111111111111111111111111111111111111111"
#define CH2	"c222222222222222222222222222222222222222222222222222222222222222"
#define RT1	"a111111111111111111111111111111111111111111111111111111111111111"
#define RT2	"a222222222222222222222222222222222222222222222222222222222222222"
#define RT3	"a333333333333333333333333333333333333333333333333333333333333333"
#define RT4	"a444444444444444444444444444444444444444444444444444444444444444"
#define SECRET1	"5111111111111111111111111111111111111111111111111111111111111111"
#define SECRET2	"5222222222222222222222222222222222222222222222222222222222222222"

static void
client_of(struct lk_oidc_client *c, const char *id, int public_client)
{
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->id, sizeof(c->id), "%s", id);
	(void)snprintf(c->name, sizeof(c->name), "App %s", id);
	(void)snprintf(c->secret, sizeof(c->secret), "%s",
	    public_client ? "" : SECRET1);
	c->public_client = public_client;
	(void)snprintf(c->redirect_uris, sizeof(c->redirect_uris),
	    "https://%s.example/cb\nhttps://%s.example/cb2", id, id);
	(void)snprintf(c->logout_uris, sizeof(c->logout_uris),
	    "https://%s.example/bye", id);
}

/* A code of hash for the client and user, live until expires. */
static enum lk_store_res
code_add(struct lk_store *s, const char *hash, const char *client,
    const struct lk_user *u, const char *session, long long expires)
{
	struct lk_oidc_code	c;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.hash, sizeof(c.hash), "%s", hash);
	(void)snprintf(c.client_id, sizeof(c.client_id), "%s", client);
	c.user_id = u->id;
	(void)snprintf(c.session_id, sizeof(c.session_id), "%s", session);
	(void)snprintf(c.redirect_uri, sizeof(c.redirect_uri),
	    "https://%s.example/cb", client);
	(void)snprintf(c.challenge, sizeof(c.challenge), "chal");
	(void)snprintf(c.nonce, sizeof(c.nonce), "n-0S6");
	(void)snprintf(c.scope, sizeof(c.scope), "openid email");
	(void)snprintf(c.amr, sizeof(c.amr), "pwd otp");
	c.auth_time = expires - 60;
	c.expires = expires;
	return lk_store_code_add(s, &c);
}

static int
refuse_code(const struct lk_oidc_code *c, void *arg)
{
	(void)c;
	(void)arg;
	return 1;
}

/* Redeem code hash for client as grant gid (refresh token rt, if any). */
static enum lk_store_res
redeem(struct lk_store *s, const char *hash, const char *client,
    const char *gid, const char *rt, long long now, struct lk_oidc_code *out)
{
	struct lk_oidc_grant	g;

	memset(&g, 0, sizeof(g));
	(void)snprintf(g.id, sizeof(g.id), "%s", gid);
	g.exp = now + 5000;
	return lk_store_code_redeem(s, hash, client, &g, rt, now + 3000, NULL,
	    NULL, now, out);
}

static enum lk_store_res
grant_of(struct lk_store *s, const char *gid, long long now)
{
	struct lk_oidc_grant	g;
	struct lk_user		u;

	return lk_store_grant_find(s, gid, now, &g, &u);
}

/*
 * The second factors of populate(): TOTP with two recovery codes, a
 * pending login, a passkey with its handle, challenges of either kind.
 */
static void
populate_factors(struct lk_store *s, const struct lk_user *a)
{
	struct lk_passkey	 p = passkey("1", a->id, 3);
	const char		*codes[2] = { "h0", "h1" };
	char			 handle[LK_STORE_HANDLE_MAX + 1];

	CHECK_INT(lk_store_totp_setup(s, a->id, "v1.sealed", 6), LK_STORE_OK);
	CHECK_INT(lk_store_totp_enable(s, a->id, "v1.sealed", 100, codes, 2, 7),
	    LK_STORE_OK);
	CHECK_INT(start_pending(s, a, "1", "$y$1", 1300, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_webauthn_handle(s, a->id, "h-a", handle,
	    sizeof(handle)), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "ch1", LK_CHALLENGE_REGISTER, a->id, "ip",
	    2000, 5, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_passkey_add(s, "ch1", &p, 20, 1001), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "ch2", LK_CHALLENGE_REGISTER, a->id, "ip",
	    2000, 5, 1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "g1", LK_CHALLENGE_LOGIN, 0, "ip", 2000, 5,
	    1000), LK_STORE_OK);
}

/*
 * The OpenID provider's records: a client, a subject, a code waiting, a
 * code redeemed with its grant and refresh token, a consent.
 */
static void
populate_oidc(struct lk_store *s, const struct lk_user *a)
{
	struct lk_oidc_client	c;
	struct lk_oidc_code	out;
	char			sub[LK_STORE_SUB_MAX + 1];

	client_of(&c, "wiki", 0);
	(void)snprintf(c.groups, sizeof(c.groups), "staff");
	c.consent = 1;
	CHECK_INT(lk_store_client_add(s, &c, 10), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_subject(s, a->id, "sub-of-ann-0000001", sub,
	    sizeof(sub)), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", a, "S1", 3000), LK_STORE_OK);
	CHECK_INT(code_add(s, CH2, "wiki", a, "S1", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH2, "wiki", "G1", RT1, 1006, &out), LK_STORE_OK);
	CHECK_INT(lk_store_consent_put(s, a->id, "wiki", "openid email", 11),
	    LK_STORE_OK);
}

/*
 * A store holding one of everything: two users (one disabled), the mark
 * of a deleted one, sessions with a rotated token and its successor, a
 * revoked session, revocations and throttle counters.
 */
static void
populate(struct lk_store *s, struct lk_user *a)
{
	struct lk_store_tokens	 succ;
	struct lk_revoke	 r;
	const char		*keys[2] = { "account:a@b.c", "address:192.0.2.1" };
	long long		 limits[2] = { 5, 5 }, wait;
	struct lk_user		 u;

	given_user(s, "gone@b.c", "G", "$y$g", 1, NULL);
	given_user(s, "A@b.c", "Ann \xc3\x89", "$y$1", 2, a);
	given_user(s, "d@b.c", "D", "$y$d", 3, NULL);
	CHECK_INT(lk_store_user_set_disabled(s, "d@b.c", 1, 4), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "gone@b.c", 5), LK_STORE_OK);
	given_session(s, a, "S1", "1", 1000);
	CHECK_INT(rotate(s, a, "1", "2", 1005, &succ), LK_REFRESH_ROTATED);
	given_session(s, a, "S2", "x", 1000);
	memset(&r, 0, sizeof(r));
	r.jti = "a-x";
	r.exp = 1100;
	CHECK_INT(lk_store_logout(s, &r, 1, 1001), LK_STORE_OK);
	r.jti = "foreign";
	CHECK_INT(lk_store_logout(s, &r, 1, 1001), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1002, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 60, 1003, &wait),
	    LK_STORE_OK);
	populate_factors(s, a);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 3000, 1004, &u),
	    LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "p@b.c", "P", H2, 9000, 1005, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "staff", "", 6), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins", "The admins", 7),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "staff", "a@b.c", 8), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "a@b.c", 8), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "staff", "d@b.c", 9), LK_STORE_OK);
	populate_oidc(s, a);
	CHECK_INT(lk_store_audit_add(s, &(struct lk_audit){ .time = 10,
	    .event = "admin_group_added", .actor = "A@b.c", .target = "staff",
	    .address = "192.0.2.1", .detail = "group=\"staff\"" }),
	    LK_STORE_OK);
	CHECK_INT(lk_store_audit_add(s, &(struct lk_audit){ .time = 11,
	    .event = "login" }), LK_STORE_OK);
}

/* Every record of a store, in export order, written as text. */
static int
dump_record(const struct lk_store_record *rec, void *arg)
{
	char	*out = arg, line[4096];
	size_t	 n = strlen(out);

	switch (rec->kind) {
	case LK_STORE_REC_USER:
		(void)snprintf(line, sizeof(line), "user %lld %s %s %s %d %lld "
		    "%lld %lld\n", rec->r.user.id, rec->r.user.email,
		    rec->r.user.name, rec->r.user.hash, rec->r.user.disabled,
		    rec->r.user.created, rec->r.user.updated,
		    rec->r.user.tokens_valid_after);
		break;
	case LK_STORE_REC_GROUP:
		(void)snprintf(line, sizeof(line), "group %s [%s] %lld\n",
		    rec->r.group.name, rec->r.group.description,
		    rec->r.group.created);
		break;
	case LK_STORE_REC_MEMBER:
		(void)snprintf(line, sizeof(line), "member %s %lld %lld\n",
		    rec->r.member.group, rec->r.member.user_id,
		    rec->r.member.created);
		break;
	case LK_STORE_REC_DELETED:
		(void)snprintf(line, sizeof(line), "deleted %s %lld\n",
		    rec->r.deleted.email, rec->r.deleted.deleted);
		break;
	case LK_STORE_REC_SESSION:
		(void)snprintf(line, sizeof(line), "session %s %lld %lld %lld "
		    "%lld %d %d %s %s %lld\n", rec->r.session.s.id,
		    rec->r.session.s.user_id, rec->r.session.s.created,
		    rec->r.session.s.refreshed, rec->r.session.s.refreshes,
		    rec->r.session.s.revoked, rec->r.session.s.persistent,
		    rec->r.session.s.user_agent, rec->r.session.s.address,
		    rec->r.session.exp);
		break;
	case LK_STORE_REC_TOKENS:
		(void)snprintf(line, sizeof(line), "tokens %s %s %s %s %s %lld "
		    "%lld %lld %lld %s\n", rec->r.tokens.family,
		    rec->r.tokens.t.jti, rec->r.tokens.t.csrf,
		    rec->r.tokens.t.access_jti, rec->r.tokens.t.access_csrf,
		    rec->r.tokens.t.iat, rec->r.tokens.t.exp,
		    rec->r.tokens.t.access_exp, rec->r.tokens.rotated_at,
		    rec->r.tokens.successor);
		break;
	case LK_STORE_REC_REVOKED:
		(void)snprintf(line, sizeof(line), "revoked %s %lld\n",
		    rec->r.revoked.jti, rec->r.revoked.exp);
		break;
	case LK_STORE_REC_THROTTLE:
		(void)snprintf(line, sizeof(line), "throttle %s %lld %lld\n",
		    rec->r.throttle.key, rec->r.throttle.failures,
		    rec->r.throttle.window_start);
		break;
	case LK_STORE_REC_TOTP:
		(void)snprintf(line, sizeof(line), "totp %lld %s %d %lld %lld\n",
		    rec->r.totp.user_id, rec->r.totp.secret, rec->r.totp.enabled,
		    rec->r.totp.last_step, rec->r.totp.created);
		break;
	case LK_STORE_REC_RECOVERY:
		(void)snprintf(line, sizeof(line), "recovery %lld %s %lld\n",
		    rec->r.recovery.user_id, rec->r.recovery.hash,
		    rec->r.recovery.created);
		break;
	case LK_STORE_REC_PENDING:
		(void)snprintf(line, sizeof(line), "pending %s %lld %s %d %lld "
		    "%lld\n", rec->r.pending.id, rec->r.pending.user_id,
		    rec->r.pending.hash, rec->r.pending.persistent,
		    rec->r.pending.created, rec->r.pending.exp);
		break;
	case LK_STORE_REC_WEBAUTHN_USER:
		(void)snprintf(line, sizeof(line), "handle %lld %s\n",
		    rec->r.webauthn_user.user_id, rec->r.webauthn_user.handle);
		break;
	case LK_STORE_REC_PASSKEY:
		(void)snprintf(line, sizeof(line), "passkey %s %s %lld %d %s "
		    "%lld %d %s %s %lld %lld\n", rec->r.passkey.id,
		    rec->r.passkey.credential_id, rec->r.passkey.user_id,
		    rec->r.passkey.alg, rec->r.passkey.public_key,
		    rec->r.passkey.sign_count, rec->r.passkey.flags,
		    rec->r.passkey.aaguid, rec->r.passkey.name,
		    rec->r.passkey.created, rec->r.passkey.last_used);
		break;
	case LK_STORE_REC_CHALLENGE:
		(void)snprintf(line, sizeof(line), "challenge %s %d %lld %s "
		    "%lld\n", rec->r.challenge.challenge,
		    (int)rec->r.challenge.kind, rec->r.challenge.user_id,
		    rec->r.challenge.address, rec->r.challenge.exp);
		break;
	case LK_STORE_REC_LINK:
		(void)snprintf(line, sizeof(line), "link %.8s %lld %s %lld %lld\n",
		    rec->r.link.hash, rec->r.link.user_id,
		    lk_link_purpose_name(rec->r.link.purpose),
		    rec->r.link.created, rec->r.link.expires);
		break;
	case LK_STORE_REC_SUBJECT:
		(void)snprintf(line, sizeof(line), "subject %lld %s\n",
		    rec->r.subject.user_id, rec->r.subject.sub);
		break;
	case LK_STORE_REC_CLIENT:
		(void)snprintf(line, sizeof(line), "client %s [%s] %.8s %d [%.100s] "
		    "[%.100s] %.64s %d %lld\n", rec->r.client.id, rec->r.client.name,
		    rec->r.client.secret, rec->r.client.public_client,
		    rec->r.client.redirect_uris, rec->r.client.logout_uris,
		    rec->r.client.groups, rec->r.client.consent,
		    rec->r.client.created);
		break;
	case LK_STORE_REC_GRANT:
		(void)snprintf(line, sizeof(line), "grant %s %s %lld %s [%s] "
		    "[%s] %lld %lld %lld %d\n", rec->r.grant.id,
		    rec->r.grant.client_id, rec->r.grant.user_id,
		    rec->r.grant.session_id, rec->r.grant.scope,
		    rec->r.grant.amr, rec->r.grant.auth_time,
		    rec->r.grant.created, rec->r.grant.exp,
		    rec->r.grant.revoked);
		break;
	case LK_STORE_REC_CODE:
		(void)snprintf(line, sizeof(line), "code %.8s %s %lld %s %s %s "
		    "%s [%s] [%s] %lld %lld %d %s\n", rec->r.code.hash,
		    rec->r.code.client_id, rec->r.code.user_id,
		    rec->r.code.session_id, rec->r.code.redirect_uri,
		    rec->r.code.challenge, rec->r.code.nonce, rec->r.code.scope,
		    rec->r.code.amr, rec->r.code.auth_time,
		    rec->r.code.expires, rec->r.code.used, rec->r.code.grant);
		break;
	case LK_STORE_REC_OIDC_REFRESH:
		(void)snprintf(line, sizeof(line), "refresh %.8s %s %lld %lld\n",
		    rec->r.oidc_refresh.hash, rec->r.oidc_refresh.grant,
		    rec->r.oidc_refresh.exp, rec->r.oidc_refresh.rotated_at);
		break;
	case LK_STORE_REC_CONSENT:
		(void)snprintf(line, sizeof(line), "consent %lld %s [%s] %lld\n",
		    rec->r.consent.user_id, rec->r.consent.client_id,
		    rec->r.consent.scope, rec->r.consent.created);
		break;
	case LK_STORE_REC_AUDIT:
		(void)snprintf(line, sizeof(line), "audit %lld %s %s %s %s %s\n",
		    rec->r.audit.time, rec->r.audit.event, rec->r.audit.actor,
		    rec->r.audit.target, rec->r.audit.address,
		    rec->r.audit.detail);
		break;
	default:
		(void)snprintf(line, sizeof(line), "?\n");
	}
	(void)snprintf(out + n, 8192 - n, "%s", line);
	return 0;
}

static void
dump(struct lk_store *s, char out[8192])
{
	out[0] = '\0';
	CHECK_INT(lk_store_export(s, dump_record, out), LK_STORE_OK);
}

/* What a populated store is, as dump() writes it. */
static const char populated[] =
    "user 2 A@b.c Ann \xc3\x89 $y$1 0 2 2 0\n"
    "user 3 d@b.c D $y$d 1 3 4 4\n"
    "user 4 p@b.c P  0 1005 1005 0\n"
    "group admins [The admins] 7\n"
    "group staff [] 6\n"
    "member admins 2 8\n"
    "member staff 2 8\n"
    "member staff 3 9\n"
    "deleted gone@b.c 5\n"
    "session S1 2 1000 1005 1 0 0 UA/1 192.0.2.1 2005\n"
    "session S2 2 1000 1000 0 1 0 UA/1 192.0.2.1 2000\n"
    "tokens S1 r-1 rc-1 a-1 ac-1 1000 2000 1100 1005 r-2\n"
    "tokens S1 r-2 rc-2 a-2 ac-2 1005 2005 1105 0 \n"
    "tokens S2 r-x rc-x a-x ac-x 1000 2000 1100 0 \n"
    "revoked a-x 1100\n"
    "revoked foreign 1100\n"
    "throttle account:a@b.c 2 1002\n"
    "throttle address:192.0.2.1 1 1002\n"
    "totp 2 v1.sealed 1 100 6\n"
    "recovery 2 h0 7\n"
    "recovery 2 h1 7\n"
    "pending P1 2 $y$1 1 1000 1300\n"
    "handle 2 h-a\n"
    "passkey K1 cred-1 2 -7 MFkw-1 3 69 "
    "00000000000000000000000000000000 Key \xc3\xa9 1 1001 0\n"
    "challenge ch2 0 2 ip 2000\n"
    "challenge g1 1 0 ip 2000\n"
    "link 11111111 2 reset 1004 3000\n"
    "link 22222222 4 invite 1005 9000\n"
    "subject 2 sub-of-ann-0000001\n"
    "client wiki [App wiki] 51111111 0 [https://wiki.example/cb\n"
    "https://wiki.example/cb2] [https://wiki.example/bye] staff 1 10\n"
    "grant G1 wiki 2 S1 [openid email] [pwd otp] 1000 1006 6006 0\n"
    "code c1111111 wiki 2 S1 https://wiki.example/cb chal n-0S6 "
    "[openid email] [pwd otp] 2940 3000 0 \n"
    "code c2222222 wiki 2 S1 https://wiki.example/cb chal n-0S6 "
    "[openid email] [pwd otp] 1000 1060 1 G1\n"
    "refresh a1111111 G1 4006 0\n"
    "consent 2 wiki [openid email] 11\n"
    "audit 10 admin_group_added A@b.c staff 192.0.2.1 group=\"staff\"\n"
    "audit 11 login    \n";

TEST(export_gives_every_record_in_order)
{
	struct lk_store	*s = fresh();
	struct lk_user	 a;
	static char	 out[8192];

	populate(s, &a);
	dump(s, out);
	CHECK_STR(out, populated);
	lk_store_close(s);
}

/* The second factors answer alike on a store and its copy. */
static void
same_factors(struct lk_store *s, struct lk_store *c, const struct lk_user *a)
{
	struct lk_mfa_state	 ms, mc;
	struct lk_mfa_pending	 ps, pc;
	struct lk_passkey	 ks, kc;
	struct lk_user		 us, uc;
	char			 hs[LK_STORE_HANDLE_MAX + 1];
	char			 hc[LK_STORE_HANDLE_MAX + 1];

	CHECK_INT(lk_store_mfa_state(s, a->id, &ms), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(c, a->id, &mc), LK_STORE_OK);
	CHECK(memcmp(&ms, &mc, sizeof(ms)) == 0);
	CHECK_INT(mc.totp, 1);
	CHECK_INT(mc.passkeys, 1);
	CHECK_INT(lk_store_mfa_pending(s, "P1", 1010, &ps), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_pending(c, "P1", 1010, &pc), LK_STORE_OK);
	CHECK(memcmp(&ps, &pc, sizeof(ps)) == 0);
	CHECK_INT(lk_store_passkey_find(s, "cred-1", &ks, &us, hs, sizeof(hs)),
	    LK_STORE_OK);
	CHECK_INT(lk_store_passkey_find(c, "cred-1", &kc, &uc, hc, sizeof(hc)),
	    LK_STORE_OK);
	CHECK(memcmp(&ks, &kc, sizeof(ks)) == 0);
	CHECK_STR(hc, "h-a");
	/* The copied challenge signs in once on the copy. */
	CHECK_INT(passkey_sign_in(c, a, "$y$1", "g1", "1", 3, 4, 1011),
	    LK_STORE_OK);
	CHECK_INT(passkey_sign_in(c, a, "$y$1", "g1", "1", 4, 5, 1012),
	    LK_STORE_NOT_FOUND);
}

/*
 * The provider's records answer alike on the copy: the grant is live,
 * the code waiting redeems once there, the redeemed one is spent.
 */
static void
same_oidc(struct lk_store *s, struct lk_store *c)
{
	struct lk_oidc_code	out;
	struct lk_oidc_grant	g;

	CHECK_INT(grant_of(c, "G1", 1010), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G1", 1010), LK_STORE_OK);
	CHECK_INT(redeem(c, CH1, "wiki", "G2", NULL, 1010, &out), LK_STORE_OK);
	CHECK_INT(redeem(c, CH1, "wiki", "G3", NULL, 1011, &out),
	    LK_STORE_USED);
	CHECK_INT(lk_store_oidc_refresh(c, RT1, "wiki", RT2, 4000, 10, 1012,
	    &g), LK_REFRESH_ROTATED);
	CHECK_STR(g.id, "G1");
}

/*
 * The same answers from a store and its copy: the user, what is known of
 * a token, a replay inside the grace (the same successor), the throttle.
 */
static void
same_answers(struct lk_store *s, struct lk_store *c, const struct lk_user *a)
{
	struct lk_token_state	 x, y;
	struct lk_store_tokens	 sx, sy;
	struct lk_user		 ux, uy;
	struct lk_link		 lx, ly;
	const char		*jtis[] = { "a-1", "a-2", "a-x", "foreign" };
	const char		*keys[1] = { "account:a@b.c" };
	long long		 limits[1] = { 3 }, wait;
	size_t			 i;

	for (i = 0; i < sizeof(jtis) / sizeof(jtis[0]); i++) {
		CHECK_INT(lk_store_token_check(c, "a@b.c", jtis[i], 0, &uy, &y),
		    lk_store_token_check(s, "a@b.c", jtis[i], 0, &ux, &x));
		CHECK(memcmp(&ux, &uy, sizeof(ux)) == 0);
		CHECK(memcmp(&x, &y, sizeof(x)) == 0);
	}
	CHECK_INT(rotate(c, a, "1", "n", 1010, &sy), LK_REFRESH_REPLAY);
	CHECK_INT(rotate(s, a, "1", "n", 1010, &sx), LK_REFRESH_REPLAY);
	CHECK(memcmp(&sx, &sy, sizeof(sx)) == 0);
	CHECK_STR(sy.jti, "r-2");
	/* Two failures counted on the account: one more goes through. */
	CHECK_INT(lk_store_throttle_reserve(c, keys, limits, 1, 60, 1010,
	    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(c, keys, limits, 1, 60, 1010,
	    &wait), LK_STORE_LIMIT);
	CHECK_INT(wait, 52);
	same_factors(s, c, a);
	/* The links work on the copy as on the original. */
	CHECK_INT(lk_store_link_find(c, H1, RESET, 1010, &lx), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 1010, &ly), LK_STORE_OK);
	CHECK(memcmp(&lx, &ly, sizeof(lx)) == 0);
	CHECK_INT(lk_store_link_find(c, H2, ACCEPT, 1010, &lx), LK_STORE_OK);
	CHECK_STR(lx.user.email, "p@b.c");
	/* The groups came along, with their members. */
	CHECK_STR(y.groups.text, "admins,staff");
	CHECK_INT(lk_store_member_add(c, "admins", "a@b.c", 1010),
	    LK_STORE_EXISTS);
	same_oidc(s, c);
}

TEST(copy_keeps_every_record_and_what_it_answers)
{
	struct lk_store	*s = fresh(), *c = fresh_other();
	struct lk_user	 a, u;
	size_t		 counts[LK_STORE_REC__MAX];
	static char	 out[8192];

	CHECK(s != NULL && c != NULL);
	if (s == NULL || c == NULL)
		return;
	populate(s, &a);
	CHECK_INT(lk_store_copy(s, c, 0, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_USER], 3);
	CHECK_INT(counts[LK_STORE_REC_GROUP], 2);
	CHECK_INT(counts[LK_STORE_REC_MEMBER], 3);
	CHECK_INT(counts[LK_STORE_REC_DELETED], 1);
	CHECK_INT(counts[LK_STORE_REC_SESSION], 2);
	CHECK_INT(counts[LK_STORE_REC_TOKENS], 3);
	CHECK_INT(counts[LK_STORE_REC_REVOKED], 2);
	CHECK_INT(counts[LK_STORE_REC_THROTTLE], 2);
	CHECK_INT(counts[LK_STORE_REC_TOTP], 1);
	CHECK_INT(counts[LK_STORE_REC_RECOVERY], 2);
	CHECK_INT(counts[LK_STORE_REC_PENDING], 1);
	CHECK_INT(counts[LK_STORE_REC_WEBAUTHN_USER], 1);
	CHECK_INT(counts[LK_STORE_REC_PASSKEY], 1);
	CHECK_INT(counts[LK_STORE_REC_CHALLENGE], 2);
	CHECK_INT(counts[LK_STORE_REC_LINK], 2);
	CHECK_INT(counts[LK_STORE_REC_SUBJECT], 1);
	CHECK_INT(counts[LK_STORE_REC_CLIENT], 1);
	CHECK_INT(counts[LK_STORE_REC_GRANT], 1);
	CHECK_INT(counts[LK_STORE_REC_CODE], 2);
	CHECK_INT(counts[LK_STORE_REC_OIDC_REFRESH], 1);
	CHECK_INT(counts[LK_STORE_REC_CONSENT], 1);
	CHECK_INT(counts[LK_STORE_REC_AUDIT], 2);
	dump(c, out);
	CHECK_STR(out, populated);
	same_answers(s, c, &a);
	/* New users on the copy are numbered after the copied ones. */
	given_user(c, "new@b.c", "N", "$y$n", 9, &u);
	CHECK(u.id > 4);
	/* The mark of the deleted account came along. */
	given_user(c, "GONE@b.c", "G2", "$y$g", 9, &u);
	CHECK_INT(u.tokens_valid_after, 5);
	lk_store_close(c);
	lk_store_close(s);
}

TEST(copy_refuses_a_target_holding_records_unless_replacing)
{
	struct lk_store	*s = fresh(), *c = fresh_other();
	struct lk_user	 a, u;
	const char	*keys[1] = { "address:198.51.100.1" };
	long long	 limits[1] = { 5 }, wait;
	size_t		 counts[LK_STORE_REC__MAX];
	static char	 before[8192], after[8192];

	CHECK(s != NULL && c != NULL);
	if (s == NULL || c == NULL)
		return;
	populate(s, &a);
	/* A throttle counter is a record too. */
	CHECK_INT(lk_store_throttle_reserve(c, keys, limits, 1, 60, 1000,
	    &wait), LK_STORE_OK);
	dump(c, before);
	CHECK_INT(lk_store_copy(s, c, 0, counts), LK_STORE_EXISTS);
	CHECK_INT(counts[LK_STORE_REC_USER], 0);
	dump(c, after);
	CHECK_STR(after, before);
	given_user(c, "mine@b.c", "M", "$y$m", 9, NULL);
	CHECK_INT(lk_store_copy(s, c, 0, counts), LK_STORE_EXISTS);
	/* Replacing: what the target held is gone, the copy is whole. */
	CHECK_INT(lk_store_copy(s, c, 1, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_USER], 3);
	dump(c, after);
	CHECK_STR(after, populated);
	CHECK_INT(lk_store_user_find(c, "mine@b.c", &u), LK_STORE_NOT_FOUND);
	lk_store_close(c);
	lk_store_close(s);
}

/* A feed of two good records, then one the target refuses. */
static enum lk_store_res
bad_feed(void *arg, int (*put)(const struct lk_store_record *, void *),
    void *putarg)
{
	struct lk_store_record	rec;

	(void)arg;
	memset(&rec, 0, sizeof(rec));
	rec.kind = LK_STORE_REC_USER;
	rec.r.user.id = 7;
	(void)snprintf(rec.r.user.email, sizeof(rec.r.user.email), "a@b.c");
	(void)snprintf(rec.r.user.hash, sizeof(rec.r.user.hash), "$y$1");
	if (put(&rec, putarg) != 0)
		return LK_STORE_ERROR;
	memset(&rec, 0, sizeof(rec));
	rec.kind = LK_STORE_REC_REVOKED;
	(void)snprintf(rec.r.revoked.jti, sizeof(rec.r.revoked.jti), "j");
	if (put(&rec, putarg) != 0)
		return LK_STORE_ERROR;
	/* A session of no user; the feed says all went well regardless. */
	memset(&rec, 0, sizeof(rec));
	rec.kind = LK_STORE_REC_SESSION;
	(void)snprintf(rec.r.session.s.id, sizeof(rec.r.session.s.id), "S");
	rec.r.session.s.user_id = 8;
	(void)put(&rec, putarg);
	return LK_STORE_OK;
}

TEST(an_import_is_all_or_nothing)
{
	struct lk_store	*c = fresh_other();
	static char	 out[8192];

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->ops->import(c, 0, bad_feed, NULL), LK_STORE_ERROR);
	dump(c, out);
	CHECK_STR(out, "");
	/* And the store works afterwards. */
	CHECK_INT(lk_store_user_add(c, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(c);
}

/* Passkeys K<tags...> of user_id, each registered with its challenge. */
static void
add_passkeys(struct lk_store *s, long long user_id, const char *tags,
    long long now)
{
	struct lk_passkey	p;
	char			c[16], t[2];

	for (; *tags != '\0'; tags++) {
		t[0] = *tags;
		t[1] = '\0';
		(void)snprintf(c, sizeof(c), "pk-%lld-%s", user_id, t);
		CHECK_INT(add_challenge(s, c, LK_CHALLENGE_REGISTER, user_id,
		    "ip9", now + 300, 100, now), LK_STORE_OK);
		p = passkey(t, user_id, 0);
		(void)snprintf(p.credential_id, sizeof(p.credential_id),
		    "cred-%lld-%s", user_id, t);
		CHECK_INT(lk_store_passkey_add(s, c, &p, 20, now), LK_STORE_OK);
	}
}

static int
collect_passkey_ids(const struct lk_passkey *p, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s%s", n > 0 ? " " : "", p->id);
	return 0;
}

/* The passkeys of user_id as "K1 K2 ...". */
static const char *
passkey_ids(struct lk_store *s, long long user_id)
{
	static char	out[256];

	out[0] = '\0';
	CHECK_INT(lk_store_passkey_each(s, user_id, collect_passkey_ids, out),
	    LK_STORE_OK);
	return out;
}

/*
 * The administrator's mfa reset says how many passkeys the account has,
 * and takes them too only when asked, in the same transaction.
 */
TEST(mfa_reset_keeps_or_removes_the_passkeys_and_counts_them)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u, v;
	long long		 n = -1;

	user_with_totp(s, &u);
	given_user(s, "b@b.c", "B", "$y$1", 1, &v);
	add_passkeys(s, u.id, "12", 1000);
	add_passkeys(s, v.id, "3", 1000);
	CHECK_INT(lk_store_mfa_reset(s, "a@b.c", 0, &n), LK_STORE_OK);
	CHECK_INT(n, 2);
	CHECK_STR(passkey_ids(s, u.id), "K1 K2");
	CHECK_INT(lk_store_mfa_reset(s, "a@b.c", 1, &n), LK_STORE_OK);
	CHECK_INT(n, 2);
	CHECK_STR(passkey_ids(s, u.id), "");
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(m.passkeys, 0);
	/* Another account's stay. */
	CHECK_STR(passkey_ids(s, v.id), "K3");
	CHECK_INT(lk_store_mfa_reset(s, "a@b.c", 1, &n), LK_STORE_OK);
	CHECK_INT(n, 0);
	CHECK_INT(lk_store_mfa_reset(s, "x@b.c", 1, &n), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

/*
 * A registration's challenge bound to a second factor: the factor is
 * spent with it, or (used already, or TOTP turned on or off since it was
 * read) no challenge is recorded.
 */
TEST(a_registration_challenge_spends_the_factor_it_is_bound_to)
{
	struct lk_store		*s = fresh();
	struct lk_challenge	 ch;
	struct lk_factor_spend	 f;
	struct lk_mfa_state	 m;
	struct lk_passkey	 p;
	struct lk_user		 u, v;

	user_with_totp(s, &u);
	given_user(s, "b@b.c", "B", "$y$1", 1, &v);
	ch = challenge_of("c-used", LK_CHALLENGE_REGISTER, u.id, "ip1", 1300);
	memset(&f, 0, sizeof(f));
	f.given = 1;
	f.step = 100;
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_USED);
	/* Nothing recorded: that challenge registers nothing. */
	p = passkey("1", u.id, 0);
	CHECK_INT(lk_store_passkey_add(s, "c-used", &p, 20, 1001),
	    LK_STORE_NOT_FOUND);
	/* No factor for an account with TOTP on: refused too. */
	f.given = 0;
	f.step = -1;
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_USED);
	f.given = 1;
	f.step = 101;
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "c-101");
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.last_step, 101);
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "c-again");
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_USED);
	f.step = -1;
	f.recovery = "c5";
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "c-code");
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.recovery_left, 9);
	CHECK_INT(lk_store_passkey_add(s, "c-101", &p, 20, 1001), LK_STORE_OK);
	/* An account without TOTP: no factor, and none may be spent. */
	ch.user_id = v.id;
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "c-v");
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_USED);
	memset(&f, 0, sizeof(f));
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_OK);
	/* A proof belongs to a registration only. */
	ch.kind = LK_CHALLENGE_LOGIN;
	ch.user_id = 0;
	(void)snprintf(ch.challenge, sizeof(ch.challenge), "c-login");
	CHECK_INT(lk_store_challenge_add(s, &ch, 5, &f, 1000), LK_STORE_ERROR);
	lk_store_close(s);
}

/*
 * A password change keeps the passkeys it names and deletes the others
 * of the account, in its transaction: none if it does not happen.
 */
TEST(a_password_change_keeps_only_the_passkeys_it_names)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u, v;
	struct given_login	 g;
	struct lk_login		*l;
	static const char *const keep[] = { "K2", "K9", "K\"3", "" };

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "b@b.c", "B", "$y$1", 1, &v);
	add_passkeys(s, u.id, "123", 1000);
	add_passkeys(s, v.id, "4", 1000);
	l = login_of(&g, u.id, "$y$stale", "S1", "new", 1010);
	l->new_hash = "$y$2";
	l->keep.only = 1;
	l->keep.ids = keep;
	l->keep.n = 4;
	/* The change refused: every passkey stays. */
	CHECK_INT(lk_store_password_change(s, l, NULL, 1010),
	    LK_STORE_CHANGED);
	CHECK_STR(passkey_ids(s, u.id), "K1 K2 K3");
	/* Kept: K2; unknown ids, and ones that cannot be ours, name none. */
	l->hash = "$y$1";
	CHECK_INT(lk_store_password_change(s, l, NULL, 1010), LK_STORE_OK);
	CHECK_STR(passkey_ids(s, u.id), "K2");
	CHECK_STR(passkey_ids(s, v.id), "K4");
	/* Without "only", every passkey stays. */
	add_passkeys(s, u.id, "5", 1020);
	l->hash = "$y$2";
	l->new_hash = "$y$3";
	l->keep.only = 0;
	(void)snprintf(g.se.id, sizeof(g.se.id), "S2");
	g.t = pair("newer", 1030);
	CHECK_INT(lk_store_password_change(s, l, NULL, 1030), LK_STORE_OK);
	CHECK_STR(passkey_ids(s, u.id), "K2 K5");
	/* Only, with none named: all go. */
	l->hash = "$y$3";
	l->new_hash = "$y$4";
	l->keep.only = 1;
	l->keep.n = 0;
	(void)snprintf(g.se.id, sizeof(g.se.id), "S3");
	g.t = pair("newest", 1040);
	CHECK_INT(lk_store_password_change(s, l, NULL, 1040), LK_STORE_OK);
	CHECK_STR(passkey_ids(s, u.id), "");
	CHECK_STR(passkey_ids(s, v.id), "K4");
	lk_store_close(s);
}

/*
 * A reset's use of its link keeps the passkeys named, clears the
 * account's login counter (not its client's: one reservation of that
 * one is given back) and spends its factor, all in one transaction.
 */
TEST(a_reset_keeps_the_passkeys_named_and_clears_the_login_counter)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct lk_link_use	 use;
	const char		*keys[2] = { "account:a@b.c", "address:ip1" };
	const long long		 limits[2] = { 3, 4 };
	static const char *const keep[] = { "K1" };
	long long		 wait;
	int			 i;

	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	add_passkeys(s, u.id, "12", 100);
	/* Locked out: three failures on the account, on one address. */
	for (i = 0; i < 3; i++)
		CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 600, 150,
		    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 150,
	    &wait), LK_STORE_LIMIT);
	given_link(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &l);
	use = use_of(H1, RESET, &l.user, "$y$2");
	use.user_hash = "$y$stale";
	use.throttle_account = keys[0];
	use.throttle_address = keys[1];
	use.throttle_window = 600;
	use.keep.only = 1;
	use.keep.ids = keep;
	use.keep.n = 1;
	/* Refused (the account changed): nothing of it is done. */
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_CHANGED);
	CHECK_STR(passkey_ids(s, u.id), "K1 K2");
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 200,
	    &wait), LK_STORE_LIMIT);
	use.user_hash = l.user.hash;
	CHECK_INT(lk_store_link_use(s, &use, 200), LK_STORE_OK);
	CHECK_STR(passkey_ids(s, u.id), "K1");
	/* The account may try again at once: a whole window's worth. */
	for (i = 0; i < 3; i++)
		CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 201,
		    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 201,
	    &wait), LK_STORE_LIMIT);
	/* The address had 3 of 4, got one back: two more, then full. */
	CHECK_INT(lk_store_throttle_reserve(s, keys + 1, limits + 1, 1, 600,
	    201, &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys + 1, limits + 1, 1, 600,
	    201, &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys + 1, limits + 1, 1, 600,
	    201, &wait), LK_STORE_LIMIT);
	lk_store_close(s);
}

/* The administrator clears a counter: the lockout is over at once. */
TEST(a_throttle_counter_is_cleared_by_hand)
{
	struct lk_store	*s = fresh();
	const char	*keys[2] = { "account:a@b.c", "account:b@b.c" };
	const long long	 limits[2] = { 1, 1 };
	long long	 wait;

	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 600, 100,
	    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 100,
	    &wait), LK_STORE_LIMIT);
	CHECK_INT(lk_store_throttle_clear(s, keys, 1), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 100,
	    &wait), LK_STORE_OK);
	/* The other counter was left alone; clearing none is no error. */
	CHECK_INT(lk_store_throttle_reserve(s, keys + 1, limits, 1, 600, 100,
	    &wait), LK_STORE_LIMIT);
	CHECK_INT(lk_store_throttle_clear(s, keys, 0), LK_STORE_OK);
	lk_store_close(s);
}

/*
 * The counts behind the metrics' gauges: every account, the sessions
 * neither revoked nor past their end, the throttle counters of windows
 * still open.
 */
TEST(stats_count_users_live_sessions_and_open_throttle_windows)
{
	struct lk_store		*s = fresh();
	struct lk_store_stats	 st;
	struct lk_user		 u;
	struct lk_revoke	 r;
	const char		*keys[2] = { "account:a@b.c", "ip:192.0.2.1" };
	const long long		 limits[2] = { 5, 5 };
	long long		 wait;

	CHECK_INT(lk_store_stats(s, 1000, 400, &st), LK_STORE_OK);
	CHECK_INT(st.users, 0);
	CHECK_INT(st.sessions, 0);
	CHECK_INT(st.throttled, 0);
	given_user(s, "a@b.c", "A", "$y$1", 1, &u);
	given_user(s, "b@b.c", "B", "$y$2", 0, NULL);
	given_session(s, &u, "S1", "1", 1000);
	given_session(s, &u, "S2", "2", 1100);
	given_session(s, &u, "S3", "3", 1100);
	memset(&r, 0, sizeof(r));
	r.jti = "a-3";
	r.exp = 1200;
	CHECK_INT(lk_store_logout(s, &r, 1, 1150), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 1, 600, 1000,
	    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 600, 1100,
	    &wait), LK_STORE_OK);
	CHECK_INT(lk_store_stats(s, 1150, 1150 - 600, &st), LK_STORE_OK);
	CHECK_INT(st.users, 2);
	CHECK_INT(st.sessions, 2);
	CHECK_INT(st.throttled, 2);
	/* The first window (from 1000) is over, the second (1100) open. */
	CHECK_INT(lk_store_stats(s, 1650, 1650 - 600, &st), LK_STORE_OK);
	CHECK_INT(st.sessions, 2);
	CHECK_INT(st.throttled, 1);
	/* S1 ends at 2000 (its refresh token's end), S2 at 2100. */
	CHECK_INT(lk_store_stats(s, 2000, 2000 - 600, &st), LK_STORE_OK);
	CHECK_INT(st.sessions, 1);
	CHECK_INT(st.throttled, 0);
	CHECK_INT(lk_store_stats(s, 2100, 2100 - 600, &st), LK_STORE_OK);
	CHECK_INT(st.sessions, 0);
	CHECK_INT(st.users, 2);
	lk_store_close(s);
}

/*
 * A TOTP set-up never confirmed dies after LK_STORE_TOTP_SETUP_LIFE: it
 * can no longer be turned on, and pruning forgets it (not one that is on).
 */
TEST(an_unfinished_totp_set_up_expires_and_is_pruned)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u, v;
	char			 h[10][16];
	const char		*hp[10];
	const long long		 life = LK_STORE_TOTP_SETUP_LIFE;

	code_hashes("c", h, hp);
	user_with_totp(s, &v);
	given_user(s, "z@b.c", "Z", "$y$1", 1, &u);
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.a", 1000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp_pending, 1);
	CHECK_INT(m.totp_created, 1000);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.a", 5, hp, 10, 1000 + life),
	    LK_STORE_CHANGED);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	/* Set up anew, the clock starts again. */
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.b", 2000), LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 2000 + life - 1), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp_pending, 1);
	CHECK_INT(lk_store_prune(s, 2000 + life), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp_pending, 0);
	CHECK_STR(m.secret, "");
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.b", 5, hp, 10, 2001),
	    LK_STORE_CHANGED);
	/* One that is on stays, however old. */
	CHECK_INT(lk_store_mfa_state(s, v.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 1);
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.c", 3000), LK_STORE_OK);
	CHECK_INT(lk_store_totp_enable(s, u.id, "v1.c", 5, hp, 10,
	    3000 + life - 1), LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 9000), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 1);
	lk_store_close(s);
}

/* The groups a token check of email sees, joined; "?" if it failed. */
static const char *
groups_of(struct lk_store *s, const char *email)
{
	static struct lk_token_state	st;
	struct lk_user			u;

	if (lk_store_token_check(s, email, "none", 0, &u, &st) != LK_STORE_OK)
		return "?";
	if (st.groups.n == 0)
		return "";
	return st.groups.text;
}

static int
collect_group(const struct lk_group *g, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 512 - n, "%s%s:%lld:%lld:%s", n > 0 ? " " : "",
	    g->name, g->members, g->created, g->description);
	return 0;
}

static int
collect_user_groups(const struct lk_user *u, const struct lk_store_groups *g,
    void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 512 - n, "%s%s=%zu:%s", n > 0 ? " " : "",
	    u->email, g->n, g->text);
	return 0;
}

TEST(groups_are_kept_with_their_members_and_read_by_the_token_check)
{
	struct lk_store		*s = fresh(), *t;
	struct lk_store_groups	 g;
	char			 out[512] = "";

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	given_user(s, "b@b.c", "B", "$y$1", 1, NULL);
	CHECK_INT(lk_store_group_add(s, "web", "Web site", 2), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins", "", 3), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins-2", "", 3), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins", "again", 4), LK_STORE_EXISTS);
	/* Names are bytes: no folding. */
	CHECK_INT(lk_store_group_add(s, "Admins", "", 4), LK_STORE_OK);
	CHECK_STR(groups_of(s, "a@b.c"), "");
	/* Added in any order, read sorted by their bytes. */
	CHECK_INT(lk_store_member_add(s, "web", "A@B.c", 5), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins-2", "a@b.c", 5), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "a@b.c", 5), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "a@b.c", 6),
	    LK_STORE_EXISTS);
	CHECK_INT(lk_store_member_add(s, "nope", "a@b.c", 6),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_member_add(s, "admins", "nobody@b.c", 6),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_member_add(s, "web", "b@b.c", 6), LK_STORE_OK);
	CHECK_STR(groups_of(s, "a@b.c"), "admins,admins-2,web");
	CHECK_STR(groups_of(s, "b@b.c"), "web");
	/* Another process sees a change at its next check. */
	t = reopen(0);
	CHECK_STR(groups_of(t, "a@b.c"), "admins,admins-2,web");
	CHECK_INT(lk_store_member_delete(s, "admins-2", "A@b.c"), LK_STORE_OK);
	CHECK_INT(lk_store_member_delete(s, "admins-2", "a@b.c"),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_member_delete(s, "web", "nobody@b.c"),
	    LK_STORE_NOT_FOUND);
	CHECK_STR(groups_of(t, "a@b.c"), "admins,web");
	CHECK_INT(lk_store_user_groups(t, "a@b.c", &g), LK_STORE_OK);
	CHECK_INT(g.n, 2);
	CHECK_STR(g.text, "admins,web");
	CHECK_INT(lk_store_user_groups(t, "nobody@b.c", &g), LK_STORE_NOT_FOUND);
	CHECK_INT(g.n, 0);
	CHECK_INT(lk_store_group_each(t, collect_group, out), LK_STORE_OK);
	CHECK_STR(out, "Admins:0:4: admins:1:3: admins-2:0:3: web:2:2:Web site");
	out[0] = '\0';
	CHECK_INT(lk_store_user_each_groups(t, collect_user_groups, out),
	    LK_STORE_OK);
	CHECK_STR(out, "a@b.c=2:admins,web b@b.c=1:web");
	/* A group deleted takes its memberships; a user deleted, theirs. */
	CHECK_INT(lk_store_group_delete(s, "web"), LK_STORE_OK);
	CHECK_INT(lk_store_group_delete(s, "web"), LK_STORE_NOT_FOUND);
	CHECK_STR(groups_of(t, "a@b.c"), "admins");
	CHECK_STR(groups_of(t, "b@b.c"), "");
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 7), LK_STORE_OK);
	out[0] = '\0';
	CHECK_INT(lk_store_group_each(t, collect_group, out), LK_STORE_OK);
	CHECK_STR(out, "Admins:0:4: admins:0:3: admins-2:0:3:");
	/* A new account of the same email is in no group. */
	given_user(s, "a@b.c", "A", "$y$1", 8, NULL);
	CHECK_STR(groups_of(t, "a@b.c"), "");
	lk_store_close(t);
	lk_store_close(s);
}

TEST(a_user_is_in_a_bounded_number_of_groups)
{
	struct lk_store	*s = fresh();
	char		 name[LK_STORE_GROUP_NAME_MAX + 1], first[8];
	int		 i;

	given_user(s, "a@b.c", "A", "$y$1", 1, NULL);
	/* Of the longest names: the most a token check reads. */
	memset(name, 'x', LK_STORE_GROUP_NAME_MAX);
	name[LK_STORE_GROUP_NAME_MAX] = '\0';
	for (i = 0; i <= LK_STORE_USER_GROUPS_MAX; i++) {
		(void)snprintf(first, sizeof(first), "g%02d", i);
		memcpy(name, first, 3);
		CHECK_INT(lk_store_group_add(s, name, "", 2), LK_STORE_OK);
		CHECK_INT(lk_store_member_add(s, name, "a@b.c", 3),
		    i < LK_STORE_USER_GROUPS_MAX ? LK_STORE_OK : LK_STORE_LIMIT);
	}
	CHECK_INT(strlen(groups_of(s, "a@b.c")), LK_STORE_GROUPS_TEXT_MAX - 1);
	CHECK(strncmp(groups_of(s, "a@b.c"), "g00xxx", 6) == 0);
	CHECK(strstr(groups_of(s, "a@b.c"), "x,g63xxx") != NULL);
	/* Out of one, into the last. */
	memcpy(name, "g00", 3);
	CHECK_INT(lk_store_member_delete(s, name, "a@b.c"), LK_STORE_OK);
	memcpy(name, "g64", 3);
	CHECK_INT(lk_store_member_add(s, name, "a@b.c", 4), LK_STORE_OK);
	CHECK(strncmp(groups_of(s, "a@b.c"), "g01xxx", 6) == 0);
	CHECK(strstr(groups_of(s, "a@b.c"), "x,g64xxx") != NULL);
	lk_store_close(s);
}

TEST(an_account_made_in_groups_is_all_or_nothing)
{
	struct lk_store		*s = fresh();
	struct lk_store_groups	 g;
	struct lk_link_new	 l;
	struct lk_user		 u;
	const char		*two[] = { "web", "admins" };
	const char		*bad[] = { "web", "nope" };

	CHECK_INT(lk_store_group_add(s, "web", "", 1), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins", "", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add_groups(s, "a@b.c", "A", "$y$1", bad, 2, 2),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_add_groups(s, "a@b.c", "A", "$y$1", two, 2, 2),
	    LK_STORE_OK);
	CHECK_STR(groups_of(s, "a@b.c"), "admins,web");
	CHECK_INT(lk_store_user_add_groups(s, "a@b.c", "A", "$y$1", two, 2, 2),
	    LK_STORE_EXISTS);
	/* An invitation: the pending account joins its groups with it. */
	l = link_of(LK_LINK_INVITE, "p@b.c", "P", H1, 9000);
	l.groups = bad;
	l.ngroups = 2;
	CHECK_INT(lk_store_link_add(s, &l, 3, &u), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_find(s, "p@b.c", &u), LK_STORE_NOT_FOUND);
	l.groups = two + 1;
	l.ngroups = 1;
	CHECK_INT(lk_store_link_add(s, &l, 3, &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_groups(s, "p@b.c", &g), LK_STORE_OK);
	CHECK_STR(g.text, "admins");
	/* Invited again: the groups it is in stay, new ones join. */
	l.hash = H2;
	l.groups = two;
	l.ngroups = 2;
	CHECK_INT(lk_store_link_add(s, &l, 4, &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_groups(s, "p@b.c", &g), LK_STORE_OK);
	CHECK_STR(g.text, "admins,web");
	lk_store_close(s);
}

static int
count_client(const struct lk_oidc_client *c, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s:%d:%s;", c->id, c->public_client,
	    c->secret[0] != '\0' ? "secret" : "none");
	return 0;
}

TEST(clients_are_registered_found_listed_given_a_secret_and_deleted)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c, f;
	char			 list[256] = "";

	client_of(&c, "wiki", 0);
	(void)snprintf(c.groups, sizeof(c.groups), "staff");
	c.consent = 1;
	CHECK_INT(lk_store_client_add(s, &c, 10), LK_STORE_OK);
	CHECK_INT(lk_store_client_add(s, &c, 11), LK_STORE_EXISTS);
	client_of(&c, "app", 1);
	CHECK_INT(lk_store_client_add(s, &c, 12), LK_STORE_OK);
	CHECK_INT(lk_store_client_find(s, "wiki", &f), LK_STORE_OK);
	CHECK_STR(f.name, "App wiki");
	CHECK_STR(f.secret, SECRET1);
	CHECK_STR(f.redirect_uris, "https://wiki.example/cb\n"
	    "https://wiki.example/cb2");
	CHECK_STR(f.logout_uris, "https://wiki.example/bye");
	CHECK_STR(f.groups, "staff");
	CHECK_INT(f.consent, 1);
	CHECK_INT(f.public_client, 0);
	CHECK_INT(f.created, 10);
	CHECK_INT(lk_store_client_find(s, "WIKI", &f), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_client_each(s, count_client, list), LK_STORE_OK);
	CHECK_STR(list, "app:1:none;wiki:0:secret;");
	/* A new secret replaces the old; a public client has none. */
	CHECK_INT(lk_store_client_secret(s, "wiki", SECRET2), LK_STORE_OK);
	CHECK_INT(lk_store_client_find(s, "wiki", &f), LK_STORE_OK);
	CHECK_STR(f.secret, SECRET2);
	CHECK_INT(lk_store_client_secret(s, "app", SECRET2),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_client_secret(s, "none", SECRET2),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_client_delete(s, "wiki"), LK_STORE_OK);
	CHECK_INT(lk_store_client_delete(s, "wiki"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_client_find(s, "wiki", &f), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(a_subject_goes_with_its_account_and_is_never_given_again)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u, v;
	char		 sub[LK_STORE_SUB_MAX + 1], again[LK_STORE_SUB_MAX + 1];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_subject(s, u.id, "subject-one-000001", sub,
	    sizeof(sub)), LK_STORE_OK);
	CHECK_STR(sub, "subject-one-000001");
	/* The first stays: a later candidate is not taken. */
	CHECK_INT(lk_store_oidc_subject(s, u.id, "subject-two-000002", again,
	    sizeof(again)), LK_STORE_OK);
	CHECK_STR(again, "subject-one-000001");
	CHECK_INT(lk_store_oidc_subject(s, u.id + 100, "subject-three-0003",
	    again, sizeof(again)), LK_STORE_NOT_FOUND);
	CHECK_STR(again, "");
	/* The email deleted and taken again: a new account, a new subject. */
	CHECK_INT(lk_store_user_delete(s, "a@b.c", 2), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A2", "$y$2", 3), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &v), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_subject(s, v.id, "subject-four-00004", again,
	    sizeof(again)), LK_STORE_OK);
	CHECK_STR(again, "subject-four-00004");
	lk_store_close(s);
}

TEST(a_code_is_redeemed_once_and_a_second_redemption_revokes_its_grant)
{
	struct lk_store		*s = fresh(), *t;
	struct lk_oidc_client	 c;
	struct lk_oidc_code	 out;
	struct lk_oidc_grant	 g;
	struct lk_user		 u;

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	client_of(&c, "other", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "S1", 1060), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "S1", 1060), LK_STORE_ERROR);
	/* Another client's code: refused, and left alone. */
	CHECK_INT(redeem(s, CH1, "other", "G0", NULL, 1010, &out),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(redeem(s, CH1, "wiki", "G1", RT1, 1010, &out), LK_STORE_OK);
	CHECK_STR(out.nonce, "n-0S6");
	CHECK_STR(out.redirect_uri, "https://wiki.example/cb");
	CHECK_STR(out.challenge, "chal");
	CHECK_STR(out.scope, "openid email");
	CHECK_STR(out.amr, "pwd otp");
	CHECK_INT(out.auth_time, 1000);
	CHECK_STR(out.session_id, "S1");
	CHECK_STR(out.grant, "G1");
	CHECK_INT(lk_store_grant_find(s, "G1", 1011, &g, &u), LK_STORE_OK);
	CHECK_STR(g.client_id, "wiki");
	CHECK_STR(g.scope, "openid email");
	CHECK_INT(g.created, 1010);
	CHECK_INT(g.exp, 6010);
	CHECK_STR(u.email, "a@b.c");
	/* Another process (a second node) redeems it again: refused... */
	t = reopen(0);
	CHECK(t != NULL);
	CHECK_INT(redeem(t, CH1, "wiki", "G2", RT2, 1040, &out),
	    LK_STORE_USED);
	lk_store_close(t);
	/* ...and what the first gave ends, its refresh token too. */
	CHECK_INT(grant_of(s, "G1", 1041), LK_STORE_NOT_FOUND);
	CHECK_INT(grant_of(s, "G2", 1041), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "wiki", RT3, 4000, 10, 1042,
	    &g), LK_REFRESH_REVOKED);
	/* An expired code; a code refused by the check is spent. */
	CHECK_INT(code_add(s, CH2, "wiki", &u, "S1", 1100), LK_STORE_OK);
	CHECK_INT(redeem(s, CH2, "wiki", "G3", NULL, 1100, &out),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_code_redeem(s, CH2, "wiki", &g, NULL, 0,
	    refuse_code, NULL, 1099, &out), LK_STORE_CHANGED);
	CHECK_INT(redeem(s, CH2, "wiki", "G3", NULL, 1099, &out),
	    LK_STORE_USED);
	CHECK_INT(code_add(s, CH2, "other", &u, "S1", 2000), LK_STORE_ERROR);
	lk_store_close(s);
}

TEST(a_code_fails_its_check_once_and_for_all)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_oidc_code	 out;
	struct lk_oidc_grant	 g;
	struct lk_user		 u;

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "", 1060), LK_STORE_OK);
	memset(&g, 0, sizeof(g));
	(void)snprintf(g.id, sizeof(g.id), "G1");
	g.exp = 9000;
	CHECK_INT(lk_store_code_redeem(s, CH1, "wiki", &g, NULL, 0,
	    refuse_code, NULL, 1010, &out), LK_STORE_CHANGED);
	CHECK_INT(redeem(s, CH1, "wiki", "G2", NULL, 1011, &out),
	    LK_STORE_USED);
	CHECK_INT(grant_of(s, "G1", 1012), LK_STORE_NOT_FOUND);
	CHECK_INT(grant_of(s, "G2", 1012), LK_STORE_NOT_FOUND);
	/* A disabled account's code gives nothing. */
	CHECK_INT(code_add(s, CH2, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1, 1013), LK_STORE_OK);
	CHECK_INT(redeem(s, CH2, "wiki", "G3", NULL, 1014, &out),
	    LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(a_client_refresh_token_rotates_within_the_grace_and_a_reuse_revokes)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_oidc_code	 out;
	struct lk_oidc_grant	 g;
	struct lk_user		 u;

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	client_of(&c, "other", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G1", RT1, 1010, &out), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "other", RT2, 4000, 10, 1020,
	    &g), LK_REFRESH_REVOKED);
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "wiki", RT2, 4000, 10, 1020,
	    &g), LK_REFRESH_ROTATED);
	CHECK_STR(g.id, "G1");
	CHECK_STR(g.scope, "openid email");
	/* Played again inside the grace (an answer lost): a new one. */
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "wiki", RT3, 4000, 10, 1030,
	    &g), LK_REFRESH_ROTATED);
	CHECK_INT(grant_of(s, "G1", 1031), LK_STORE_OK);
	/* Past the grace: the family is revoked, every token of it. */
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "wiki", RT4, 4000, 10, 1031,
	    &g), LK_REFRESH_REUSED);
	CHECK_INT(grant_of(s, "G1", 1032), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_oidc_refresh(s, RT2, "wiki", RT4, 4000, 10, 1032,
	    &g), LK_REFRESH_REVOKED);
	CHECK_INT(lk_store_oidc_refresh(s, RT4, "wiki", RT1, 4000, 10, 1032,
	    &g), LK_REFRESH_REVOKED);
	lk_store_close(s);
}

TEST(a_grant_ends_with_its_session_password_client_or_revocation)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_oidc_code	 out;
	struct lk_oidc_grant	 g;
	struct lk_revoke	 r;
	struct lk_user		 u;

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "S1", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G1", RT1, 1010, &out), LK_STORE_OK);
	CHECK_INT(code_add(s, CH2, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH2, "wiki", "G2", RT2, 1010, &out), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G1", 1011), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G1", 6010), LK_STORE_NOT_FOUND);
	/* latchkey's logout ends what the provider gave from that session. */
	memset(&r, 0, sizeof(r));
	r.jti = "a-1";
	r.exp = 1100;
	CHECK_INT(lk_store_logout(s, &r, 1, 1020), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G1", 1021), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_oidc_refresh(s, RT1, "wiki", RT3, 4000, 10, 1021,
	    &g), LK_REFRESH_REVOKED);
	CHECK_INT(grant_of(s, "G2", 1021), LK_STORE_OK);
	/* Revoked by the client that holds it only. */
	CHECK_INT(lk_store_oidc_refresh_revoke(s, RT2, "other"),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_grant_revoke(s, "G2", "other"), LK_STORE_NOT_FOUND);
	CHECK_INT(grant_of(s, "G2", 1022), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_refresh_revoke(s, RT2, "wiki"), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G2", 1022), LK_STORE_NOT_FOUND);
	/* A password set by hand cuts off every grant made before it. */
	CHECK_INT(code_add(s, RT4, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, RT4, "wiki", "G3", NULL, 1023, &out), LK_STORE_OK);
	CHECK_INT(grant_of(s, "G3", 1024), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$2", 1030),
	    LK_STORE_OK);
	CHECK_INT(grant_of(s, "G3", 1031), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

static int
list_consent(const struct lk_oidc_consent *c, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 256 - n, "%s[%s]%s;", c->client_id,
	    c->client_name, c->scope);
	return 0;
}

TEST(consents_are_kept_listed_and_withdrawn_with_the_grants)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_oidc_consent	 cs;
	struct lk_oidc_code	 out;
	struct lk_user		 u;
	char			 list[256] = "";

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	client_of(&c, "blog", 1);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_consent_find(s, u.id, "wiki", &cs),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_consent_put(s, u.id, "wiki", "openid", 5),
	    LK_STORE_OK);
	CHECK_INT(lk_store_consent_put(s, u.id, "wiki", "openid email", 6),
	    LK_STORE_OK);
	CHECK_INT(lk_store_consent_put(s, u.id, "blog", "openid", 7),
	    LK_STORE_OK);
	CHECK_INT(lk_store_consent_find(s, u.id, "wiki", &cs), LK_STORE_OK);
	CHECK_STR(cs.scope, "openid email");
	CHECK_INT(cs.created, 6);
	CHECK_STR(cs.client_name, "App wiki");
	CHECK_INT(lk_store_consent_each(s, u.id, list_consent, list),
	    LK_STORE_OK);
	CHECK_STR(list, "blog[App blog]openid;wiki[App wiki]openid email;");
	CHECK_INT(code_add(s, CH1, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G1", RT1, 1010, &out), LK_STORE_OK);
	CHECK_INT(lk_store_consent_delete(s, u.id, "wiki"), LK_STORE_OK);
	CHECK_INT(lk_store_consent_delete(s, u.id, "wiki"),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(grant_of(s, "G1", 1011), LK_STORE_NOT_FOUND);
	/* A client deleted takes its consents along. */
	CHECK_INT(lk_store_client_delete(s, "blog"), LK_STORE_OK);
	CHECK_INT(lk_store_consent_find(s, u.id, "blog", &cs),
	    LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(spent_codes_and_ended_grants_are_pruned)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_oidc_code	 out;
	struct lk_user		 u;

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "", 1060), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G1", RT1, 1010, &out), LK_STORE_OK);
	/* A spent code is kept an hour past its end: a replay still revokes. */
	CHECK_INT(lk_store_prune(s, 1060 + 3599), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G2", NULL, 1060 + 3599, &out),
	    LK_STORE_USED);
	CHECK_INT(lk_store_prune(s, 1060 + 3600), LK_STORE_OK);
	CHECK_INT(redeem(s, CH1, "wiki", "G2", NULL, 1060 + 3600, &out),
	    LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(the_last_administrator_cannot_leave_the_group)
{
	struct lk_store	*s = fresh();

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "b@b.c", "B", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "p@b.c", "Pending", "", 1), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "admins", "", 2), LK_STORE_OK);
	CHECK_INT(lk_store_group_add(s, "web", "", 2), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "a@b.c", 3), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "b@b.c", 3), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "admins", "p@b.c", 3), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "web", "a@b.c", 3), LK_STORE_OK);
	/* Another group: no guard. */
	CHECK_INT(lk_store_member_delete_keep(s, "web", "a@b.c", "admins"),
	    LK_STORE_OK);
	/* Two enabled members with a password: one may go, not the other. */
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "B@b.c", "admins"),
	    LK_STORE_OK);
	CHECK_STR(groups_of(s, "b@b.c"), "");
	/* A pending member (no password) cannot administer: not counted. */
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "a@b.c", "admins"),
	    LK_STORE_LIMIT);
	CHECK_STR(groups_of(s, "a@b.c"), "admins");
	/* ...nor a disabled one; and a disabled member may always go. */
	CHECK_INT(lk_store_member_add(s, "admins", "b@b.c", 4), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "b@b.c", 1, 5), LK_STORE_OK);
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "a@b.c", "admins"),
	    LK_STORE_LIMIT);
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "b@b.c", "admins"),
	    LK_STORE_OK);
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "p@b.c", "admins"),
	    LK_STORE_OK);
	/* Not a member, no such user: not found. */
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "b@b.c", "admins"),
	    LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_member_delete_keep(s, "admins", "nobody@b.c",
	    "admins"), LK_STORE_NOT_FOUND);
	/* Without the guard (the tool), the last one may go. */
	CHECK_INT(lk_store_member_delete(s, "admins", "a@b.c"), LK_STORE_OK);
	CHECK_STR(groups_of(s, "a@b.c"), "");
	lk_store_close(s);
}

struct audit_page {
	char		text[2048];
	long long	last;
	size_t		n;
};

static int
collect_audit(const struct lk_audit *a, void *arg)
{
	struct audit_page	*p = arg;
	size_t			 n = strlen(p->text);

	(void)snprintf(p->text + n, sizeof(p->text) - n, "%s%lld:%s:%s:%s",
	    n > 0 ? " " : "", a->time, a->event, a->actor, a->target);
	p->last = a->id;
	p->n++;
	return 0;
}

/* One page of the audit log as f selects it, as text. */
static const char *
audit_page(struct lk_store *s, struct lk_audit_filter *f,
    struct audit_page *p)
{
	memset(p, 0, sizeof(*p));
	CHECK_INT(lk_store_audit_each(s, f, collect_audit, p), LK_STORE_OK);
	return p->text;
}

TEST(the_audit_log_is_kept_filtered_paged_and_pruned)
{
	struct lk_store		*s = fresh(), *t;
	struct lk_audit_filter	 f;
	struct lk_audit		 a;
	struct audit_page	 p;
	int			 i;

	static const char *const events[][3] = {
		{ "login", "a@b.c", "" },
		{ "login_failed", "B@b.c", "" },
		{ "admin_user_disabled", "a@b.c", "b@b.c" },
		{ "login", "b@b.c", "" },
		{ "admin_group_added", "A@B.C", "staff" },
	};

	for (i = 0; i < 5; i++) {
		memset(&a, 0, sizeof(a));
		a.time = 100 + 10 * i;
		(void)snprintf(a.event, sizeof(a.event), "%s", events[i][0]);
		(void)snprintf(a.actor, sizeof(a.actor), "%s", events[i][1]);
		(void)snprintf(a.target, sizeof(a.target), "%s", events[i][2]);
		(void)snprintf(a.address, sizeof(a.address), "192.0.2.%d", i);
		CHECK_INT(lk_store_audit_add(s, &a), LK_STORE_OK);
	}
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	/* The newest first. */
	CHECK_STR(audit_page(s, &f, &p), "140:admin_group_added:A@B.C:staff "
	    "130:login:b@b.c: 120:admin_user_disabled:a@b.c:b@b.c "
	    "110:login_failed:B@b.c: 100:login:a@b.c:");
	/* A user as actor or target, without case. */
	f.user = "B@B.c";
	CHECK_STR(audit_page(s, &f, &p), "130:login:b@b.c: "
	    "120:admin_user_disabled:a@b.c:b@b.c 110:login_failed:B@b.c:");
	f.event = "login";
	CHECK_STR(audit_page(s, &f, &p), "130:login:b@b.c:");
	f.user = NULL;
	f.since = 101;
	CHECK_STR(audit_page(s, &f, &p), "130:login:b@b.c:");
	f.event = "";
	f.until = 130;
	CHECK_STR(audit_page(s, &f, &p), "120:admin_user_disabled:a@b.c:b@b.c "
	    "110:login_failed:B@b.c:");
	/* Pages of two, by the last id: an event added meanwhile never shows
	 * on a later page, and none is skipped. */
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	CHECK_STR(audit_page(s, &f, &p), "140:admin_group_added:A@B.C:staff "
	    "130:login:b@b.c:");
	f.before = p.last;
	memset(&a, 0, sizeof(a));
	a.time = 150;
	(void)snprintf(a.event, sizeof(a.event), "logout");
	CHECK_INT(lk_store_audit_add(s, &a), LK_STORE_OK);
	CHECK_STR(audit_page(s, &f, &p), "120:admin_user_disabled:a@b.c:b@b.c "
	    "110:login_failed:B@b.c:");
	f.before = p.last;
	CHECK_STR(audit_page(s, &f, &p), "100:login:a@b.c:");
	f.before = p.last;
	CHECK_STR(audit_page(s, &f, &p), "");
	/* Bounds. */
	f.limit = 0;
	CHECK_INT(lk_store_audit_each(s, &f, collect_audit, &p), LK_STORE_ERROR);
	f.limit = LK_STORE_AUDIT_PAGE_MAX + 1;
	CHECK_INT(lk_store_audit_each(s, &f, collect_audit, &p), LK_STORE_ERROR);
	/* Without a retention every event stays; with one, older ones go. */
	CHECK_INT(lk_store_prune(s, 100000), LK_STORE_OK);
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	CHECK_INT((long long)(audit_page(s, &f, &p), p.n), 6);
	lk_store_close(s);
	/* As lk_store_open sets it from its options' audit_retention. */
	t = reopen(0);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	t->audit_retention = 100;
	/* Kept: time at or after now - retention. */
	CHECK_INT(lk_store_prune(t, 230), LK_STORE_OK);
	CHECK_STR(audit_page(t, &f, &p), "150:logout:: 140:admin_group_added:"
	    "A@B.C:staff 130:login:b@b.c:");
	lk_store_close(t);
}

static void
store_cases(void)
{
	RUN(clients_are_registered_found_listed_given_a_secret_and_deleted);
	RUN(a_subject_goes_with_its_account_and_is_never_given_again);
	RUN(a_code_is_redeemed_once_and_a_second_redemption_revokes_its_grant);
	RUN(a_code_fails_its_check_once_and_for_all);
	RUN(a_client_refresh_token_rotates_within_the_grace_and_a_reuse_revokes);
	RUN(a_grant_ends_with_its_session_password_client_or_revocation);
	RUN(consents_are_kept_listed_and_withdrawn_with_the_grants);
	RUN(spent_codes_and_ended_grants_are_pruned);
	RUN(the_audit_log_is_kept_filtered_paged_and_pruned);
	RUN(the_last_administrator_cannot_leave_the_group);
	RUN(groups_are_kept_with_their_members_and_read_by_the_token_check);
	RUN(a_user_is_in_a_bounded_number_of_groups);
	RUN(an_account_made_in_groups_is_all_or_nothing);
	RUN(add_find_case_insensitive_unique);
	RUN(updates_and_delete);
	RUN(a_recreated_account_starts_after_the_deletion);
	RUN(constraints_hold_nothing_half_written);
	RUN(data_survives_reopen);
	RUN(login_records_the_session_unless_the_account_changed);
	RUN(login_gives_back_the_throttle_reservation);
	RUN(throttle_reserves_all_or_nothing_within_windows);
	RUN(refresh_rotates_once_and_replays_the_successor);
	RUN(refresh_leaves_a_successor_only_for_a_replay);
	RUN(refresh_limits_rotations_and_session_age);
	RUN(logout_revokes_tokens_and_sessions_kept_past_the_leeway);
	RUN(password_change_ends_every_session_and_starts_one);
	RUN(case_folding_is_ascii_only);
	RUN(list_in_email_order_without_case);
	RUN(totp_waits_for_its_first_code_then_stays);
	RUN(totp_off_needs_an_unused_step_or_code);
	RUN(recovery_codes_are_replaced_whole);
	RUN(a_pending_login_is_bound_to_its_user_and_used_once);
	RUN(a_recovery_code_logs_in_once);
	RUN(the_first_step_gives_back_the_throttle_without_clearing_it);
	RUN(mfa_reset_takes_the_second_factor_away);
	RUN(a_passkey_is_registered_with_a_challenge_used_once);
	RUN(challenges_per_address_are_bounded_and_expire);
	RUN(a_passkey_sign_in_uses_its_challenge_and_moves_the_counter);
	RUN(sessions_are_listed_and_ended_by_their_user);
	RUN(export_gives_every_record_in_order);
	RUN(copy_keeps_every_record_and_what_it_answers);
	RUN(copy_refuses_a_target_holding_records_unless_replacing);
	RUN(an_import_is_all_or_nothing);
	RUN(a_reset_link_is_for_an_enabled_account_with_a_password);
	RUN(a_newer_link_voids_the_older_and_a_link_expires);
	RUN(a_link_is_used_once_and_ends_every_session);
	RUN(a_reset_link_spends_the_second_factor);
	RUN(a_link_is_used_only_as_found);
	RUN(a_password_set_or_changed_or_a_disabling_voids_every_link);
	RUN(an_invitation_makes_a_pending_account_that_cannot_log_in);
	RUN(accepting_an_invitation_sets_the_password_and_logs_in);
	RUN(an_account_with_a_password_or_disabled_is_not_invited);
	RUN(expired_links_are_pruned);
	RUN(a_signup_never_replaces_a_live_invitation);
	RUN(pending_signups_are_pruned_once_their_last_link_expired);
	RUN(live_sessions_per_user_are_bounded_oldest_first);
	RUN(recovery_codes_are_replaced_only_for_a_factor_spent);
	RUN(mfa_reset_keeps_or_removes_the_passkeys_and_counts_them);
	RUN(a_registration_challenge_spends_the_factor_it_is_bound_to);
	RUN(a_password_change_keeps_only_the_passkeys_it_names);
	RUN(a_reset_keeps_the_passkeys_named_and_clears_the_login_counter);
	RUN(a_throttle_counter_is_cleared_by_hand);
	RUN(an_unfinished_totp_set_up_expires_and_is_pruned);
	RUN(stats_count_users_live_sessions_and_open_throttle_windows);
}

#endif
