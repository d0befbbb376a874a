#include <sys/stat.h>

#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "t.h"
#include "tmpdir.h"

static char	dbpath[512];

static struct lk_store *
fresh(void)
{
	char			 err[512];
	struct lk_store		*s;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmp_dir());
	(void)remove(dbpath);
	s = lk_store_open(dbpath, 1, 0, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "open: %s\n", err);
	return s;
}

static int
count(const struct lk_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return 0;
}

TEST(create_is_private_and_versioned)
{
	struct lk_store	*s = fresh();
	struct stat	 st;
	sqlite3		*db;
	sqlite3_stmt	*st2;

	CHECK(s != NULL);
	lk_store_close(s);
	CHECK_INT(stat(dbpath, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st2, NULL),
	    SQLITE_OK);
	CHECK_INT(sqlite3_step(st2), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(st2, 0), lk_store_schema_version());
	sqlite3_finalize(st2);
	CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st2, NULL),
	    SQLITE_OK);
	CHECK_INT(sqlite3_step(st2), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st2, 0), "wal");
	sqlite3_finalize(st2);
	sqlite3_close(db);
}

TEST(open_without_create_needs_the_file)
{
	char	err[512];

	CHECK(lk_store_open("/nonexistent/dir/x.db", 0, 0, err, sizeof(err)) ==
	    NULL);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);
}

TEST(refuses_newer_schema)
{
	struct lk_store	*s = fresh();
	sqlite3		*db;
	char		 err[512];

	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	CHECK(lk_store_open(dbpath, 0, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99 is newer") != NULL);
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
	char		 err[512];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	s = lk_store_open(dbpath, 0, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	lk_store_close(s);
}

TEST(migrates_version_1_keeping_users)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_user		 u;
	char			 err[512];

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v1.db", tmp_dir());
	(void)remove(dbpath);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE users (id INTEGER PRIMARY KEY,"
	    " email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,"
	    " hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
	    " created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	    "INSERT INTO users VALUES (1, 'old@b.c', 'Old', '$y$x', 0, 1, 1);"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = lk_store_open(dbpath, 0, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "old@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Old");
	CHECK_INT(u.tokens_valid_after, 0);
	lk_store_close(s);
}

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
	char			 err[512];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "o@b.c", "O", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "o@b.c", &other), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(rotate(s, &other, "1", "x", 1001, &succ), LK_REFRESH_REVOKED);
	CHECK_INT(rotate(s, &u, "nope", "x", 1001, &succ), LK_REFRESH_REVOKED);
	CHECK_INT(rotate(s, &u, "1", "2", 1005, &succ), LK_REFRESH_ROTATED);
	/* A second process (its own connection) replays the retired token. */
	t = lk_store_open(dbpath, 0, 0, err, sizeof(err));
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
	char			 err[512];

	s = fresh();
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	/* Revocations outlive exp by the leeway. */
	s = lk_store_open(dbpath, 0, 50, err, sizeof(err));
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

TEST(migrates_version_2_keeping_sessions)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_token_state	 st;
	struct lk_store_tokens	 succ;
	struct lk_user		 u;
	char			 err[512];

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v2.db", tmp_dir());
	(void)remove(dbpath);
	s = lk_store_open(dbpath, 1, 0, err, sizeof(err));
	lk_store_close(s);
	/* Back to version 2, with sessions written as version 2 wrote them. */
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DROP TABLE refresh_tokens; DROP TABLE sessions;"
	    " DROP TABLE deleted_users;"
	    "CREATE TABLE refresh_tokens (jti TEXT PRIMARY KEY, family TEXT NOT NULL,"
	    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    " access_jti TEXT NOT NULL, exp INTEGER NOT NULL,"
	    " family_started INTEGER NOT NULL, rotated_at INTEGER,"
	    " revoked INTEGER NOT NULL DEFAULT 0);"
	    "INSERT INTO users (id, email, name, hash, created, updated) VALUES"
	    " (7, 'a@b.c', 'A', '$y$1', 1, 1);"
	    "INSERT INTO refresh_tokens VALUES ('r1', 'F1', 7, 'a1', 5000, 1000, 1100, 0);"
	    "INSERT INTO refresh_tokens VALUES ('r2', 'F1', 7, 'a2', 5000, 1000, NULL, 0);"
	    "INSERT INTO refresh_tokens VALUES ('r3', 'F2', 7, 'a3', 5000, 1000, NULL, 1);"
	    "PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = lk_store_open(dbpath, 0, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(lk_store_token_check(s, "a@b.c", "a2", 0, &u, &st), LK_STORE_OK);
	CHECK_INT(st.ours, 1);
	CHECK_STR(st.session.id, "F1");
	CHECK_INT(st.session.created, 1000);
	CHECK_INT(st.session.refreshes, 1);
	CHECK_INT(st.session.revoked, 0);
	CHECK_INT(check(s, "a@b.c", "a3", 0).session.revoked, 1);
	/* A retired token of old rows cannot be answered with its successor. */
	{
		struct lk_store_tokens	next = pair("n", 1105);
		struct lk_refresh	q;

		memset(&q, 0, sizeof(q));
		q.jti = "r1";
		q.user_id = 7;
		q.grace = 10;
		q.session_max = 100000;
		q.refresh_max = 10;
		q.next = &next;
		CHECK_INT(lk_store_refresh(s, &q, 1105, &succ), LK_REFRESH_REVOKED);
		q.jti = "r2";
		CHECK_INT(lk_store_refresh(s, &q, 1105, &succ), LK_REFRESH_ROTATED);
	}
	lk_store_close(s);
}

int
main(void)
{
	RUN(create_is_private_and_versioned);
	RUN(open_without_create_needs_the_file);
	RUN(refuses_newer_schema);
	RUN(add_find_case_insensitive_unique);
	RUN(updates_and_delete);
	RUN(a_recreated_account_starts_after_the_deletion);
	RUN(constraints_hold_nothing_half_written);
	RUN(data_survives_reopen);
	RUN(migrates_version_1_keeping_users);
	RUN(login_records_the_session_unless_the_account_changed);
	RUN(login_gives_back_the_throttle_reservation);
	RUN(throttle_reserves_all_or_nothing_within_windows);
	RUN(refresh_rotates_once_and_replays_the_successor);
	RUN(refresh_limits_rotations_and_session_age);
	RUN(logout_revokes_tokens_and_sessions_kept_past_the_leeway);
	RUN(password_change_ends_every_session_and_starts_one);
	RUN(migrates_version_2_keeping_sessions);
	tmp_cleanup();
	return T_END();
}
