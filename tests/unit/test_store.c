/*
 * The store on SQLite: the cases every backend passes (store_cases.h)
 * and those of SQLite's own files, versions and migrations.
 */
#include <sys/stat.h>

#include <string.h>

#include <sqlite3.h>

#include "domain/store/sql.h"
#include "domain/store/store.h"
#include "t.h"
#include "tmpdir.h"

static char	dbpath[512];

static struct lk_store *
open_at(const char *path, int create, long long leeway)
{
	struct lk_store_options	 opts;
	struct lk_store		*s;
	char			 err[512];

	memset(&opts, 0, sizeof(opts));
	opts.create = create;
	opts.leeway = leeway;
	if ((s = lk_store_open(path, &opts, err, sizeof(err))) == NULL)
		fprintf(stderr, "open: %s\n", err);
	return s;
}

static struct lk_store *
fresh(void)
{
	(void)snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmp_dir());
	(void)remove(dbpath);
	return open_at(dbpath, 1, 0);
}

static struct lk_store *
reopen(long long leeway)
{
	return open_at(dbpath, 0, leeway);
}

static struct lk_store *
fresh_other(void)
{
	char	path[512];

	(void)snprintf(path, sizeof(path), "%s/other.db", tmp_dir());
	(void)remove(path);
	return open_at(path, 1, 0);
}

#include "store_cases.h"

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
	struct lk_store_options	opts = { 0, 0, NULL, 0, 0 };
	char			err[512];

	CHECK(lk_store_open("/nonexistent/dir/x.db", &opts, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);
}

TEST(refuses_newer_schema)
{
	struct lk_store_options	 opts = { 0, 0, NULL, 0, 0 };
	struct lk_store		*s = fresh();
	sqlite3			*db;
	char			 err[512];

	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	CHECK(lk_store_open(dbpath, &opts, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99 is newer") != NULL);
}

TEST(migrates_version_1_keeping_users)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_user		 u;

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
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "old@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Old");
	CHECK_INT(u.tokens_valid_after, 0);
	lk_store_close(s);
}

/* What migration 4 made, dropped: a database as version 3 left it. */
/* The table of migration 8 dropped: a database as version 7 left it. */
#define V8_TABLES_DROP	"DROP TABLE audit_log;"
/* The tables of migration 7 dropped: a database as version 6 left it. */
#define V7_TABLES_DROP	V8_TABLES_DROP "DROP TABLE oidc_consents; " \
	"DROP TABLE oidc_refresh_tokens; DROP TABLE oidc_codes; " \
	"DROP TABLE oidc_grants; DROP TABLE oidc_clients; " \
	"DROP TABLE oidc_subjects;"

/* The tables of migration 6 dropped: a database as version 5 left it. */
#define V6_TABLES_DROP	V7_TABLES_DROP \
	"DROP TABLE group_members; DROP TABLE user_groups;"

/* Back to version 3: the tables of migrations 4 to 8 dropped. */
#define V4_TABLES_DROP	V6_TABLES_DROP "DROP TABLE account_tokens;" \
	" DROP TABLE mfa_totp; DROP TABLE mfa_recovery;" \
	" DROP TABLE mfa_pending; DROP TABLE webauthn_credentials;" \
	" DROP TABLE webauthn_challenges; DROP TABLE webauthn_users;"

TEST(migrates_version_3_keeping_sessions)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_mfa_state	 m;
	struct lk_user		 u;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v3.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V4_TABLES_DROP "PRAGMA user_version = 3;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(check(s, "a@b.c", "a-1", 0).ours, 1);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp, 0);
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.x", 2000), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	{
		sqlite3_stmt	*st = NULL;

		CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
		    NULL), SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(st, 0), LK_STORE_SCHEMA_VERSION);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

TEST(migrates_version_2_keeping_sessions)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_token_state	 st;
	struct lk_store_tokens	 succ;
	struct lk_user		 u;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v2.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	lk_store_close(s);
	/* Back to version 2, with sessions written as version 2 wrote them. */
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V4_TABLES_DROP
	    "DROP TABLE refresh_tokens; DROP TABLE sessions;"
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
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
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

TEST(migrates_version_4_adding_links)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_user		 u;
	struct lk_link		 l;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v4.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V6_TABLES_DROP "DROP TABLE account_tokens;"
	    "PRAGMA user_version = 4;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
	CHECK_STR(l.user.name, "A");
	lk_store_close(s);
}

TEST(migrates_version_7_adding_the_audit_log)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_audit		 a;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v7.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V8_TABLES_DROP "PRAGMA user_version = 7;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	memset(&a, 0, sizeof(a));
	a.time = 5;
	(void)snprintf(a.event, sizeof(a.event), "login");
	CHECK_INT(lk_store_audit_add(s, &a), LK_STORE_OK);
	lk_store_close(s);
}

TEST(migrates_version_5_adding_groups)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_token_state	 st;
	struct lk_user		 u;

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v5.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V6_TABLES_DROP "PRAGMA user_version = 5;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_token_check(s, "a@b.c", "x", 0, &u, &st),
	    LK_STORE_OK);
	CHECK_INT(st.groups.n, 0);
	CHECK_INT(lk_store_group_add(s, "staff", "", 2), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "staff", "a@b.c", 2), LK_STORE_OK);
	CHECK_INT(lk_store_token_check(s, "a@b.c", "x", 0, &u, &st),
	    LK_STORE_OK);
	CHECK_STR(st.groups.text, "staff");
	lk_store_close(s);
}

/* Accounts made before the provider get a subject each from the migration. */
TEST(migrates_version_6_giving_accounts_a_subject)
{
	sqlite3			*db;
	struct lk_store		*s;
	struct lk_user		 a, b;
	char			 sa[LK_STORE_SUB_MAX + 1], sb[LK_STORE_SUB_MAX + 1];

	(void)snprintf(dbpath, sizeof(dbpath), "%s/v6.db", tmp_dir());
	(void)remove(dbpath);
	s = open_at(dbpath, 1, 0);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "b@b.c", "B", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, V7_TABLES_DROP "PRAGMA user_version = 6;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_at(dbpath, 0, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_find(s, "a@b.c", &a), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "b@b.c", &b), LK_STORE_OK);
	/* Their own, already there: the candidates are not taken. */
	CHECK_INT(lk_store_oidc_subject(s, a.id, "candidate-a-000001", sa,
	    sizeof(sa)), LK_STORE_OK);
	CHECK_INT(lk_store_oidc_subject(s, b.id, "candidate-b-000001", sb,
	    sizeof(sb)), LK_STORE_OK);
	CHECK_INT((int)strlen(sa), 32);
	CHECK_INT((int)strlen(sb), 32);
	CHECK(strcmp(sa, sb) != 0);
	lk_store_close(s);
}

/* A value the API could not hand on whole stops an export. */
TEST(a_text_holding_nul_is_not_exported)
{
	struct lk_store	*s = fresh();
	sqlite3		*db;
	static char	 out[8192];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE users SET name = 'A' || char(0) || "
	    "'B'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	out[0] = '\0';
	CHECK_INT(lk_store_export(s, dump_record, out), LK_STORE_ERROR);
	lk_store_close(s);
}

/* Every password of a PostgreSQL URI hidden, and nothing else. */
TEST(a_uri_is_shown_without_its_passwords)
{
	static const struct {
		const char	*uri, *shown;
		int		 n;
	} cases[] = {
		{ "postgresql://u@h:5432/db", "postgresql://u@h:5432/db", 0 },
		{ "postgresql://u:@h/db", "postgresql://u:@h/db", 0 },
		{ "postgresql://u:s3cret@h:5432/db",
		    "postgresql://u:***@h:5432/db", 1 },
		{ "postgres://u:s3cret@[::1/db", "postgres://u:***@[::1/db", 1 },
		/* As a person means it, though libpq reads a port there. */
		{ "postgresql://u:s3/cret@h/db", "postgresql://u:***@h/db", 1 },
		{ "postgresql://u:a@b@h/db", "postgresql://u:***@h/db", 1 },
		{ "postgresql://u@h/db?sslmode=disable&password=s3cret&x=1",
		    "postgresql://u@h/db?sslmode=disable&password=***&x=1", 1 },
		{ "postgresql:///db?host=/run&pass%77ord=s3cret",
		    "postgresql:///db?host=/run&pass%77ord=***", 1 },
		{ "postgresql://u:p@h/db?PASSWORD=a&sslpassword=b",
		    "postgresql://u:***@h/db?PASSWORD=***&sslpassword=***", 3 },
		{ "postgresql://h/db?password=&application_name=a:b@c",
		    "postgresql://h/db?password=&application_name=a:b@c", 0 },
		{ "postgresql://h/db?passwordx=1&xpassword=2",
		    "postgresql://h/db?passwordx=1&xpassword=2", 0 },
	};
	char	out[256], small[24];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(lk_sql_uri_redact(cases[i].uri, out, sizeof(out)),
		    cases[i].n);
		CHECK_STR(out, cases[i].shown);
	}
	CHECK_INT(lk_sql_uri_redact("postgresql://u:s3cret@host.example/db",
	    small, sizeof(small)), -1);
	CHECK_STR(small, "postgresql://...");
}

int
main(void)
{
	RUN(create_is_private_and_versioned);
	RUN(open_without_create_needs_the_file);
	RUN(refuses_newer_schema);
	RUN(migrates_version_1_keeping_users);
	RUN(migrates_version_2_keeping_sessions);
	RUN(migrates_version_3_keeping_sessions);
	RUN(migrates_version_4_adding_links);
	RUN(migrates_version_5_adding_groups);
	RUN(migrates_version_6_giving_accounts_a_subject);
	RUN(migrates_version_7_adding_the_audit_log);
	RUN(a_text_holding_nul_is_not_exported);
	RUN(a_uri_is_shown_without_its_passwords);
	store_cases();
	tmp_cleanup();
	return T_END();
}
