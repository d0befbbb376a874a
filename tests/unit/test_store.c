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
	tmp_cleanup();
	return T_END();
}
