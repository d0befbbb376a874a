/*
 * The store's behaviour, whatever the backend: included by
 * test_store.c (SQLite) and test_store_pg.c (PostgreSQL), which define
 *   fresh()        a store over an empty database,
 *   reopen(leeway) another handle on the database fresh() made last,
 *                  as a second process would open it,
 *   fresh_other()  a store over a second empty database (copies),
 * and call store_cases() from main.
 */
#ifndef STORE_CASES_H
#define STORE_CASES_H

#include <string.h>

#include "store.h"
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

/* Log user in as session sid with the tokens of tag; the store's result. */
static enum lk_store_res
login_as(struct lk_store *s, const struct lk_user *u, const char *hash,
    const char *sid, const char *tag, long long now)
{
	struct lk_session	se;
	struct lk_store_tokens	t = pair(tag, now);
	struct lk_login		l;

	memset(&se, 0, sizeof(se));
	memset(&l, 0, sizeof(l));
	(void)snprintf(se.id, sizeof(se.id), "%s", sid);
	(void)snprintf(se.user_agent, sizeof(se.user_agent), "UA/1");
	(void)snprintf(se.address, sizeof(se.address), "192.0.2.1");
	l.user_id = u->id;
	l.hash = hash;
	l.session = &se;
	l.tokens = &t;
	return lk_store_login(s, &l, now);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "b@b.c", "B", "$y$2", 1), LK_STORE_OK);
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
	CHECK_INT(lk_store_user_add(s, "a@b.c", "Third", "$y$3", 50), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
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
	struct lk_session	 se;
	struct lk_store_tokens	 t = pair("1", 1000);
	struct lk_login		 l;
	const char		*keys[2] = { "account:a@b.c", "address:192.0.2.1" };
	long long		 limits[2] = { 2, 3 }, wait;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	CHECK_INT(lk_store_throttle_reserve(s, keys, limits, 2, 60, 1000, &wait),
	    LK_STORE_OK);
	memset(&se, 0, sizeof(se));
	memset(&l, 0, sizeof(l));
	(void)snprintf(se.id, sizeof(se.id), "S1");
	l.user_id = u.id;
	l.hash = "$y$1";
	l.new_hash = "$y$rehashed";
	l.session = &se;
	l.tokens = &t;
	l.throttle_account = keys[0];
	l.throttle_address = keys[1];
	l.throttle_window = 60;
	CHECK_INT(lk_store_login(s, &l, 1000), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "o@b.c", "O", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "o@b.c", &other), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
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

TEST(refresh_limits_rotations_and_session_age)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_store_tokens	 succ;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(rotate(s, &u, "1", "2", 1100, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "2", "3", 1200, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "3", "4", 1300, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(rotate(s, &u, "4", "5", 1400, &succ), LK_REFRESH_LIMIT);
	CHECK_INT(login_as(s, &u, "$y$1", "S2", "b", 1000), LK_STORE_OK);
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
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	/* Revocations outlive exp by the leeway. */
	s = reopen(50);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S2", "2", 1000), LK_STORE_OK);
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
	struct lk_session	 se;
	struct lk_store_tokens	 t = pair("new", 1010);
	struct lk_login		 l;
	struct lk_revoke	 r;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S2", "2", 1000), LK_STORE_OK);
	memset(&se, 0, sizeof(se));
	memset(&l, 0, sizeof(l));
	(void)snprintf(se.id, sizeof(se.id), "S3");
	l.user_id = u.id;
	l.hash = "$y$stale";
	l.new_hash = "$y$2";
	l.session = &se;
	l.tokens = &t;
	memset(&r, 0, sizeof(r));
	r.jti = "a-1";
	r.exp = 1100;
	CHECK_INT(lk_store_password_change(s, &l, &r, 1010), LK_STORE_CHANGED);
	CHECK_INT(check(s, "a@b.c", "a-2", 0).session.revoked, 0);
	l.hash = "$y$1";
	CHECK_INT(lk_store_password_change(s, &l, &r, 1010), LK_STORE_OK);
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
#define RESET	LK_LINK_BIT(LK_LINK_RESET)
#define ACCEPT	(LK_LINK_BIT(LK_LINK_INVITE) | LK_LINK_BIT(LK_LINK_SIGNUP))

static enum lk_store_res
link_add(struct lk_store *s, enum lk_link_purpose purpose, const char *email,
    const char *name, const char *hash, long long expires, long long now,
    struct lk_user *u)
{
	struct lk_link_new	l;

	l.purpose = purpose;
	l.email = email;
	l.name = name;
	l.hash = hash;
	l.expires = expires;
	return lk_store_link_add(s, &l, now, u);
}

/* Use link hash of the account found for it, setting new_hash. */
static enum lk_store_res
link_use(struct lk_store *s, const char *hash, unsigned int purposes,
    const struct lk_user *found, const char *new_hash,
    const struct lk_session *se, const struct lk_store_tokens *t,
    long long now)
{
	struct lk_link_use	u;

	memset(&u, 0, sizeof(u));
	u.hash = hash;
	u.purposes = purposes;
	u.user_id = found->id;
	u.user_hash = found->hash;
	u.new_hash = new_hash;
	u.session = se;
	u.tokens = t;
	return lk_store_link_use(s, &u, now);
}

TEST(a_reset_link_is_for_an_enabled_account_with_a_password)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "d@b.c", "D", "$y$d", 1), LK_STORE_OK);
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
	CHECK_INT(lk_store_user_add(s, "e@b.c", "E", "$y$e", 1), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 100), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 150, &l), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "o@b.c", "O", "$y$o", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "o@b.c", &other), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
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
	struct lk_session	 se;
	struct lk_store_tokens	 t = pair("2", 300);
	struct lk_login		 lg;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1100, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_set_password(s, "a@b.c", "$y$2", 200),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 200, &l), LK_STORE_NOT_FOUND);
	/* A change through the API (the password change's transaction). */
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H2, 1100, 250, &u),
	    LK_STORE_OK);
	memset(&se, 0, sizeof(se));
	(void)snprintf(se.id, sizeof(se.id), "S2");
	memset(&lg, 0, sizeof(lg));
	lg.user_id = u.id;
	lg.hash = "$y$2";
	lg.new_hash = "$y$3";
	lg.session = &se;
	lg.tokens = &t;
	CHECK_INT(lk_store_password_change(s, &lg, NULL, 300), LK_STORE_OK);
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
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 602), LK_STORE_OK);
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
	/* Invited again, or signed up: the older link is void, the name kept. */
	CHECK_INT(link_add(s, LK_LINK_SIGNUP, "new@b.c", "Other", H3, 9000, 130,
	    &u), LK_STORE_OK);
	CHECK_STR(u.name, "Nina \xc3\x89");
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 130, &l), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_link_find(s, H3, ACCEPT, 130, &l), LK_STORE_OK);
	CHECK_INT(l.purpose, LK_LINK_SIGNUP);
	lk_store_close(s);
}

TEST(accepting_an_invitation_sets_the_password_and_logs_in)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_link		 l;
	struct lk_session	 se;
	struct lk_store_tokens	 t = pair("i", 200);
	struct lk_token_state	 st;

	CHECK_INT(link_add(s, LK_LINK_INVITE, "n@b.c", "N", H1, 9000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, ACCEPT, 200, &l), LK_STORE_OK);
	memset(&se, 0, sizeof(se));
	(void)snprintf(se.id, sizeof(se.id), "SI");
	(void)snprintf(se.address, sizeof(se.address), "192.0.2.9");
	CHECK_INT(link_use(s, H1, ACCEPT, &l.user, "$y$n", &se, &t, 200),
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
	CHECK_INT(link_use(s, H1, ACCEPT, &l.user, "$y$x", &se, &t, 201),
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
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

	CHECK_INT(lk_store_user_add(s, "b@x.c", "", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "C@x.c", "", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@x.c", "", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "_@x.c", "", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_each(s, collect, out), LK_STORE_OK);
	/* Folded to lower case, '_' (0x5f) sorts before 'a' (0x61). */
	CHECK_STR(out, "_@x.c a@x.c b@x.c C@x.c");
	CHECK_INT(lk_store_user_each(s, stop_at_two, &n), LK_STORE_OK);
	CHECK_INT(n, 2);
	/* A stopped listing leaves the store usable. */
	CHECK_INT(lk_store_user_add(s, "d@x.c", "", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
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

	CHECK_INT(lk_store_user_add(s, "gone@b.c", "G", "$y$g", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "A@b.c", "Ann \xc3\x89", "$y$1", 2),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "d@b.c", "D", "$y$d", 3), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "d@b.c", 1, 4), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "gone@b.c", 5), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", a), LK_STORE_OK);
	CHECK_INT(login_as(s, a, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(rotate(s, a, "1", "2", 1005, &succ), LK_REFRESH_ROTATED);
	CHECK_INT(login_as(s, a, "$y$1", "S2", "x", 1000), LK_STORE_OK);
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
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 3000, 1004, &u),
	    LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_INVITE, "p@b.c", "P", H2, 9000, 1005, &u),
	    LK_STORE_OK);
}

/* Every record of a store, in export order, written as text. */
static int
dump_record(const struct lk_store_record *rec, void *arg)
{
	char	*out = arg, line[1024];
	size_t	 n = strlen(out);

	switch (rec->kind) {
	case LK_STORE_REC_USER:
		(void)snprintf(line, sizeof(line), "user %lld %s %s %s %d %lld "
		    "%lld %lld\n", rec->r.user.id, rec->r.user.email,
		    rec->r.user.name, rec->r.user.hash, rec->r.user.disabled,
		    rec->r.user.created, rec->r.user.updated,
		    rec->r.user.tokens_valid_after);
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
	case LK_STORE_REC_LINK:
		(void)snprintf(line, sizeof(line), "link %.8s %lld %s %lld %lld\n",
		    rec->r.link.hash, rec->r.link.user_id,
		    lk_link_purpose_name(rec->r.link.purpose),
		    rec->r.link.created, rec->r.link.expires);
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
    "link 11111111 2 reset 1004 3000\n"
    "link 22222222 4 invite 1005 9000\n";

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
	/* The links work on the copy as on the original. */
	CHECK_INT(lk_store_link_find(c, H1, RESET, 1010, &lx), LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 1010, &ly), LK_STORE_OK);
	CHECK(memcmp(&lx, &ly, sizeof(lx)) == 0);
	CHECK_INT(lk_store_link_find(c, H2, ACCEPT, 1010, &lx), LK_STORE_OK);
	CHECK_STR(lx.user.email, "p@b.c");
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
	CHECK_INT(counts[LK_STORE_REC_DELETED], 1);
	CHECK_INT(counts[LK_STORE_REC_SESSION], 2);
	CHECK_INT(counts[LK_STORE_REC_TOKENS], 3);
	CHECK_INT(counts[LK_STORE_REC_REVOKED], 2);
	CHECK_INT(counts[LK_STORE_REC_THROTTLE], 2);
	CHECK_INT(counts[LK_STORE_REC_LINK], 2);
	dump(c, out);
	CHECK_STR(out, populated);
	same_answers(s, c, &a);
	/* New users on the copy are numbered after the copied ones. */
	CHECK_INT(lk_store_user_add(c, "new@b.c", "N", "$y$n", 9), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(c, "new@b.c", &u), LK_STORE_OK);
	CHECK(u.id > 4);
	/* The mark of the deleted account came along. */
	CHECK_INT(lk_store_user_add(c, "GONE@b.c", "G2", "$y$g", 9), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(c, "gone@b.c", &u), LK_STORE_OK);
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
	CHECK_INT(lk_store_user_add(c, "mine@b.c", "M", "$y$m", 9), LK_STORE_OK);
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

static void
store_cases(void)
{
	RUN(add_find_case_insensitive_unique);
	RUN(updates_and_delete);
	RUN(a_recreated_account_starts_after_the_deletion);
	RUN(constraints_hold_nothing_half_written);
	RUN(data_survives_reopen);
	RUN(login_records_the_session_unless_the_account_changed);
	RUN(login_gives_back_the_throttle_reservation);
	RUN(throttle_reserves_all_or_nothing_within_windows);
	RUN(refresh_rotates_once_and_replays_the_successor);
	RUN(refresh_limits_rotations_and_session_age);
	RUN(logout_revokes_tokens_and_sessions_kept_past_the_leeway);
	RUN(password_change_ends_every_session_and_starts_one);
	RUN(case_folding_is_ascii_only);
	RUN(list_in_email_order_without_case);
	RUN(export_gives_every_record_in_order);
	RUN(copy_keeps_every_record_and_what_it_answers);
	RUN(copy_refuses_a_target_holding_records_unless_replacing);
	RUN(an_import_is_all_or_nothing);
	RUN(a_reset_link_is_for_an_enabled_account_with_a_password);
	RUN(a_newer_link_voids_the_older_and_a_link_expires);
	RUN(a_link_is_used_once_and_ends_every_session);
	RUN(a_link_is_used_only_as_found);
	RUN(a_password_set_or_changed_or_a_disabling_voids_every_link);
	RUN(an_invitation_makes_a_pending_account_that_cannot_log_in);
	RUN(accepting_an_invitation_sets_the_password_and_logs_in);
	RUN(an_account_with_a_password_or_disabled_is_not_invited);
	RUN(expired_links_are_pruned);
}

#endif
