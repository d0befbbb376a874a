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
	s = lk_store_open(dbpath, 1, err, sizeof(err));
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

	CHECK(lk_store_open("/nonexistent/dir/x.db", 0, err, sizeof(err)) ==
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
	CHECK(lk_store_open(dbpath, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99 is newer") != NULL);
}

TEST(add_find_case_insensitive_unique)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	CHECK_INT(lk_store_user_add(s, "Test@Example.com", "John Doe", "$y$x"),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "test@example.COM", "Other", "$y$y"),
	    LK_STORE_EXISTS);
	CHECK_INT(lk_store_user_find(s, "TEST@EXAMPLE.COM", &u), LK_STORE_OK);
	CHECK_STR(u.email, "Test@Example.com");
	CHECK_STR(u.name, "John Doe");
	CHECK_STR(u.hash, "$y$x");
	CHECK_INT(u.disabled, 0);
	CHECK(u.created > 0);
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

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1"), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "b@b.c", "B", "$y$2"), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_name(s, "A@B.C", "Alice"), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_hash(s, "a@b.c", "$y$new"), LK_STORE_OK);
	CHECK_INT(lk_store_user_set_disabled(s, "a@b.c", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Alice");
	CHECK_STR(u.hash, "$y$new");
	CHECK_INT(u.disabled, 1);
	CHECK_INT(lk_store_user_set_name(s, "x@b.c", "X"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_delete(s, "a@b.c"), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "a@b.c"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_each(s, count, &n), LK_STORE_OK);
	CHECK_INT(n, 1);
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
	CHECK_INT(lk_store_user_add(s, "a@b.c", big, "$y$1"), LK_STORE_ERROR);
	CHECK_INT(lk_store_user_each(s, count, &n), LK_STORE_OK);
	CHECK_INT(n, 0);
	/* And the prepared statements still work afterwards. */
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1"), LK_STORE_OK);
	lk_store_close(s);
}

TEST(data_survives_reopen)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	char		 err[512];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1"), LK_STORE_OK);
	lk_store_close(s);
	s = lk_store_open(dbpath, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	lk_store_close(s);
}

TEST(email_validation)
{
	CHECK(lk_email_valid("test@example.com"));
	CHECK(lk_email_valid("j\xc3\xbcrg@example.com"));
	CHECK(!lk_email_valid("no-at-sign"));
	CHECK(!lk_email_valid("@example.com"));
	CHECK(!lk_email_valid("a@"));
	CHECK(!lk_email_valid("a@b@c"));
	CHECK(!lk_email_valid("a b@c.d"));
	CHECK(!lk_email_valid("a\n@c.d"));
	CHECK(!lk_email_valid("\xff@c.d"));
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
	s = lk_store_open(dbpath, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "old@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Old");
	CHECK_INT(u.tokens_valid_after, 0);
	lk_store_close(s);
}

static struct lk_refresh
row(const char *jti, const char *family, long long user, const char *access)
{
	struct lk_refresh	r;

	memset(&r, 0, sizeof(r));
	(void)snprintf(r.jti, sizeof(r.jti), "%s", jti);
	(void)snprintf(r.family, sizeof(r.family), "%s", family);
	(void)snprintf(r.access_jti, sizeof(r.access_jti), "%s", access);
	r.user_id = user;
	r.exp = 2000;
	r.family_started = 1000;
	return r;
}

TEST(refresh_families_and_revocation)
{
	struct lk_store		*s = fresh();
	struct lk_refresh	 r, got;
	struct lk_user		 u;
	char			 fam[64];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1"), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	r = row("r1", "F1", u.id, "a1");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	r = row("r2", "F1", u.id, "a2");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	r = row("r3", "F2", u.id, "a3");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	CHECK_INT(lk_store_refresh_find(s, "r1", &got), LK_STORE_OK);
	CHECK_STR(got.family, "F1");
	CHECK_INT(got.exp, 2000);
	CHECK_INT(got.rotated_at, 0);
	CHECK_INT(lk_store_refresh_mark_rotated(s, "r1", 1500), LK_STORE_OK);
	CHECK_INT(lk_store_refresh_mark_rotated(s, "r1", 1600), LK_STORE_OK);
	CHECK_INT(lk_store_refresh_find(s, "r1", &got), LK_STORE_OK);
	CHECK_INT(got.rotated_at, 1500);	/* the first rotation counts */
	CHECK_INT(lk_store_family_of_access(s, "a2", fam, sizeof(fam)),
	    LK_STORE_OK);
	CHECK_STR(fam, "F1");
	CHECK_INT(lk_store_is_revoked(s, "a1"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_family_revoke(s, "F1"), LK_STORE_OK);
	/* Every token of the family is revoked, access ones included. */
	CHECK_INT(lk_store_is_revoked(s, "a1"), LK_STORE_OK);
	CHECK_INT(lk_store_is_revoked(s, "r2"), LK_STORE_OK);
	CHECK_INT(lk_store_is_revoked(s, "a3"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_revoke(s, "lone", 1200), LK_STORE_OK);
	CHECK_INT(lk_store_revoke(s, "lone", 1200), LK_STORE_OK);
	CHECK_INT(lk_store_is_revoked(s, "lone"), LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 1300), LK_STORE_OK);
	CHECK_INT(lk_store_is_revoked(s, "lone"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_prune(s, 2500), LK_STORE_OK);
	CHECK_INT(lk_store_refresh_find(s, "r3", &got), LK_STORE_NOT_FOUND);
	/* Deleting the user deletes their sessions. */
	r = row("r4", "F3", u.id, "a4");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	CHECK_INT(lk_store_user_delete(s, "a@b.c"), LK_STORE_OK);
	CHECK_INT(lk_store_refresh_find(s, "r4", &got), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(invalidate_user_revokes_all_but_kept_family)
{
	struct lk_store		*s = fresh();
	struct lk_refresh	 r;
	struct lk_user		 u;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1"), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	r = row("r1", "F1", u.id, "a1");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	r = row("r2", "F2", u.id, "a2");
	CHECK_INT(lk_store_refresh_add(s, &r), LK_STORE_OK);
	CHECK_INT(lk_store_user_invalidate(s, "A@B.C", "F2", 1234), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 1234);
	CHECK_INT(lk_store_is_revoked(s, "a1"), LK_STORE_OK);
	CHECK_INT(lk_store_is_revoked(s, "a2"), LK_STORE_NOT_FOUND);
	CHECK_INT(lk_store_user_invalidate(s, "nobody@b.c", NULL, 1),
	    LK_STORE_NOT_FOUND);
	/* Inside a caller's transaction, a rollback undoes it all. */
	CHECK_INT(lk_store_begin(s), LK_STORE_OK);
	CHECK_INT(lk_store_user_invalidate(s, "a@b.c", NULL, 9999), LK_STORE_OK);
	lk_store_rollback(s);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(u.tokens_valid_after, 1234);
	CHECK_INT(lk_store_is_revoked(s, "a2"), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

TEST(throttle_windows)
{
	struct lk_store	*s = fresh();
	long long	 f, end;

	CHECK_INT(lk_store_throttle_get(s, "k", 60, 1000, &f, &end), LK_STORE_OK);
	CHECK_INT(f, 0);
	CHECK_INT(lk_store_throttle_fail(s, "k", 60, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_fail(s, "k", 60, 1030), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_get(s, "k", 60, 1030, &f, &end), LK_STORE_OK);
	CHECK_INT(f, 2);
	CHECK_INT(end, 1060);
	/* The window ends: the count is gone, and a new failure starts anew. */
	CHECK_INT(lk_store_throttle_get(s, "k", 60, 1060, &f, &end), LK_STORE_OK);
	CHECK_INT(f, 0);
	CHECK_INT(lk_store_throttle_fail(s, "k", 60, 1070), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_get(s, "k", 60, 1070, &f, &end), LK_STORE_OK);
	CHECK_INT(f, 1);
	CHECK_INT(end, 1130);
	CHECK_INT(lk_store_throttle_clear(s, "k"), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_get(s, "k", 60, 1070, &f, &end), LK_STORE_OK);
	CHECK_INT(f, 0);
	/* Pruning forgets counts whose window ended over a day ago. */
	CHECK_INT(lk_store_throttle_fail(s, "old", 60, 1000), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_fail(s, "new", 60, 90000), LK_STORE_OK);
	CHECK_INT(lk_store_prune(s, 90000), LK_STORE_OK);
	CHECK_INT(lk_store_throttle_get(s, "old", 1000000, 90000, &f, &end),
	    LK_STORE_OK);
	CHECK_INT(f, 0);
	CHECK_INT(lk_store_throttle_get(s, "new", 60, 90000, &f, &end),
	    LK_STORE_OK);
	CHECK_INT(f, 1);
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
	RUN(constraints_hold_nothing_half_written);
	RUN(data_survives_reopen);
	RUN(email_validation);
	RUN(migrates_version_1_keeping_users);
	RUN(refresh_families_and_revocation);
	RUN(invalidate_user_revokes_all_but_kept_family);
	RUN(throttle_windows);
	tmp_cleanup();
	return T_END();
}
