/*
 * The store on PostgreSQL, against a real server: the cases every backend
 * passes (store_cases.h), then what only PostgreSQL has: several nodes
 * racing (refresh, throttle, migrations, a login against a password
 * change), roles that may only read, the password file, a server that
 * goes away and comes back, copies to and from SQLite.
 *
 * LATCHKEY_PG_DIR names a cluster made by scripts/pg-cluster (make
 * check-postgres starts one around this test).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/log.h"
#include "domain/store/store.h"
#include "t.h"
#include "tmpdir.h"

static char	pg_dir[200];
static char	uri[256], other_uri[300], reader_uri[256], admin_uri[512];
static char	pwfile[300], reader_pwfile[300];
static char	sqlite_path[512];

/* The first line of the cluster's file name. */
static void
cluster_file(const char *name, char *out, size_t outsz)
{
	char	path[512];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", pg_dir, name);
	if ((f = fopen(path, "r")) == NULL || fgets(out, (int)outsz, f) ==
	    NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/* The superuser, on database db, over the cluster's socket. */
static PGconn *
admin_conn(const char *db)
{
	const char	*keys[] = { "dbname", "dbname", "options", NULL };
	const char	*values[] = { admin_uri, db,
	    "-c client_min_messages=warning", NULL };
	PGconn		*c;

	c = PQconnectdbParams(keys, values, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "admin: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

/* Run sql as the superuser on db; its first value (or "") in out. */
static int
admin_query(const char *db, const char *sql, char *out, size_t outsz)
{
	PGconn		*c = admin_conn(db);
	PGresult	*res;
	int		 rc = 0;

	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "admin: %s: %s", sql, PQerrorMessage(c));
		rc = -1;
	}
	if (out != NULL) {
		out[0] = '\0';
		if (rc == 0 && PQntuples(res) > 0)
			(void)snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

static int
admin(const char *db, const char *sql)
{
	return admin_query(db, sql, NULL, 0);
}

/* The first value of sql on latchkey's database. */
static const char *
value(const char *sql)
{
	static char	out[256];

	if (admin_query("latchkey", sql, out, sizeof(out)) == -1)
		return "(error)";
	return out;
}

static void
drop_tables(const char *db)
{
	(void)admin(db, "DROP TABLE IF EXISTS users, deleted_users, sessions, "
	    "refresh_tokens, revoked_tokens, throttle, mfa_totp, mfa_recovery, "
	    "mfa_pending, webauthn_users, webauthn_credentials, "
	    "webauthn_challenges, account_tokens, user_groups, group_members, "
	    "oidc_subjects, oidc_clients, oidc_grants, oidc_codes, "
	    "oidc_refresh_tokens, oidc_consents, audit_log, "
	    "schema_version CASCADE");
}

static struct lk_store *
open_pg(const char *u, const char *password_file, long long leeway,
    char *err, size_t errsz)
{
	struct lk_store_options	opts;

	memset(&opts, 0, sizeof(opts));
	opts.leeway = leeway;
	opts.password_file = password_file;
	return lk_store_open(u, &opts, err, errsz);
}

static struct lk_store *
open_or_say(const char *u, const char *password_file, long long leeway)
{
	struct lk_store	*s;
	char		 err[1024];

	if ((s = open_pg(u, password_file, leeway, err, sizeof(err))) == NULL)
		fprintf(stderr, "open: %s\n", err);
	return s;
}

static struct lk_store *
fresh(void)
{
	drop_tables("latchkey");
	return open_or_say(uri, pwfile, 0);
}

static struct lk_store *
reopen(long long leeway)
{
	return open_or_say(uri, pwfile, leeway);
}

static struct lk_store *
fresh_other(void)
{
	drop_tables("latchkey_copy");
	return open_or_say(other_uri, pwfile, 0);
}

static struct lk_store *
fresh_sqlite(const char *name)
{
	struct lk_store_options	 opts;
	struct lk_store		*s;
	char			 err[1024];

	(void)snprintf(sqlite_path, sizeof(sqlite_path), "%s/%s", tmp_dir(),
	    name);
	(void)remove(sqlite_path);
	memset(&opts, 0, sizeof(opts));
	opts.create = 1;
	if ((s = lk_store_open(sqlite_path, &opts, err, sizeof(err))) == NULL)
		fprintf(stderr, "open: %s\n", err);
	return s;
}

#include "store_cases.h"

/* Log lines, kept for the cases that check what was logged. */
static char	logged[8192];

static void
keep_line(const char *line, void *arg)
{
	size_t	n = strlen(logged);

	(void)arg;
	(void)snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/*
 * Fork n children that each wait for go, then run fn(i, out) and exit
 * with its result; out is a pipe to the parent.  Returns after they all
 * exited, with their statuses in st and what they wrote in text.
 */
static void
race(int n, int (*fn)(int, int), int *st, char *text, size_t textsz)
{
	int	go[2], out[2], i, w;
	pid_t	pid[16];
	char	c;
	size_t	got = 0;
	ssize_t	r;

	if (pipe(go) == -1 || pipe(out) == -1 || n > 16)
		exit(1);
	for (i = 0; i < n; i++) {
		if ((pid[i] = fork()) == -1)
			exit(1);
		if (pid[i] == 0) {
			close(go[1]);
			close(out[0]);
			/* Get ready (open a store), then wait for go. */
			if (fn(-1 - i, out[1]) != 0)
				_exit(100);
			if (read(go[0], &c, 1) == -1)
				_exit(101);
			_exit(fn(i, out[1]));
		}
	}
	close(go[0]);
	close(out[1]);
	/* Let them all connect, then let them go at once. */
	(void)usleep(300 * 1000);
	close(go[1]);
	while (got + 1 < textsz && (r = read(out[0], text + got,
	    textsz - 1 - got)) > 0)
		got += (size_t)r;
	text[got] = '\0';
	close(out[0]);
	for (i = 0; i < n; i++) {
		while (waitpid(pid[i], &w, 0) == -1 && errno == EINTR)
			;
		st[i] = WIFEXITED(w) ? WEXITSTATUS(w) : 200;
	}
}

/* One child's store (opened in the setup call of race's fn), on child_uri. */
static struct lk_store	*child_store;
static const char	*child_uri = uri;

static int
child_open(void)
{
	child_store = open_or_say(child_uri, pwfile, 0);
	return child_store == NULL ? -1 : 0;
}

static long long	race_user;

static int
race_refresh(int i, int fd)
{
	struct lk_user		u;
	struct lk_store_tokens	succ;
	char			tag[16], line[128];
	int			r, n;

	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = race_user;
	(void)snprintf(tag, sizeof(tag), "c%d", i);
	r = rotate(child_store, &u, "1", tag, 1005, &succ);
	n = snprintf(line, sizeof(line), "%d %s\n", r, succ.jti);
	if (n > 0 && write(fd, line, (size_t)n) != n)
		return 101;
	return r;
}

static void
refresh_race(void)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	int		 st[8], i, rotated = 0, replays = 0, same = 0, res;
	char		 text[2048], live[64], jti[64], *line, *save = NULL;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	race_user = u.id;
	race(8, race_refresh, st, text, sizeof(text));
	for (i = 0; i < 8; i++) {
		rotated += st[i] == LK_REFRESH_ROTATED;
		replays += st[i] == LK_REFRESH_REPLAY;
	}
	CHECK_INT(rotated, 1);
	CHECK_INT(replays, 7);
	/* One successor, and every replay was handed it. */
	CHECK_STR(value("SELECT count(*) FROM refresh_tokens"), "2");
	CHECK_STR(value("SELECT refreshes FROM sessions"), "1");
	(void)snprintf(live, sizeof(live), "%s", value("SELECT jti FROM "
	    "refresh_tokens WHERE rotated_at IS NULL"));
	CHECK(strncmp(live, "r-c", 3) == 0);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d %63s", &res, jti) == 2 &&
		    res == LK_REFRESH_REPLAY && strcmp(jti, live) == 0)
			same++;
	CHECK_INT(same, 7);
	lk_store_close(s);
}

TEST(a_token_refreshed_by_racing_nodes_rotates_once)
{
	child_uri = uri;
	refresh_race();
}

/*
 * A server whose transactions are SERIALIZABLE by default: the nodes that
 * lose the race fail with serialization failures, and try again.
 */
TEST(racing_refreshes_are_retried_under_serializable)
{
	static char	u[400];

	(void)snprintf(u, sizeof(u), "%s?options=-c%%20"
	    "default_transaction_isolation%%3Dserializable", uri);
	child_uri = u;
	refresh_race();
	child_uri = uri;
}

static int
race_throttle(int i, int fd)
{
	const char	*keys[2] = { "account:x", "address:y" };
	long long	 limits[2] = { 7, 1000 }, wait;
	int		 k, ok = 0;

	(void)fd;
	if (i < 0)
		return child_open();
	for (k = 0; k < 10; k++)
		switch (lk_store_throttle_reserve(child_store, keys, limits, 2,
		    60, 1000, &wait)) {
		case LK_STORE_OK:
			ok++;
			break;
		case LK_STORE_LIMIT:
			break;
		default:
			return 99;
		}
	return ok;
}

TEST(racing_throttle_reservations_never_pass_the_limit)
{
	struct lk_store	*s = fresh();
	int		 st[6], i, ok = 0;
	char		 text[64];

	race(6, race_throttle, st, text, sizeof(text));
	for (i = 0; i < 6; i++) {
		CHECK(st[i] <= 10);
		ok += st[i];
	}
	CHECK_INT(ok, 7);
	/* All or none: the refused ones counted on no key either. */
	CHECK_STR(value("SELECT failures FROM throttle WHERE key = 'account:x'"),
	    "7");
	CHECK_STR(value("SELECT failures FROM throttle WHERE key = 'address:y'"),
	    "7");
	lk_store_close(s);
}

static int
race_open(int i, int fd)
{
	struct lk_store	*s;
	char		 err[1024];
	int		 n;

	if (i < 0)
		return 0;
	if ((s = open_pg(uri, pwfile, 0, err, sizeof(err))) == NULL) {
		n = (int)strlen(err);
		if (write(fd, err, (size_t)n) != n || write(fd, "\n", 1) != 1)
			return 2;
		return 1;
	}
	lk_store_close(s);
	return 0;
}

TEST(nodes_starting_together_migrate_once)
{
	int	st[6], i;
	char	text[4096];

	drop_tables("latchkey");
	race(6, race_open, st, text, sizeof(text));
	for (i = 0; i < 6; i++)
		CHECK_INT(st[i], 0);
	if (text[0] != '\0')
		fprintf(stderr, "%s", text);
	CHECK_STR(value("SELECT version FROM schema_version"), "8");
	CHECK_STR(value("SELECT count(*) FROM schema_version"), "1");
}

/* A login in a child, while the parent holds a password change open. */
static long long	login_user;

static int
login_child(int i, int fd)
{
	struct lk_user	u;

	(void)fd;
	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = login_user;
	return login_as(child_store, &u, "$y$1", "S9", "9", 1000);
}

static int
set_password_child(int i, int fd)
{
	(void)fd;
	if (i < 0)
		return child_open();
	return lk_store_user_set_password(child_store, "a@b.c", "$y$2", 200);
}

/*
 * Run fn(0) in a child while the parent holds sql (a change to the
 * database, not yet committed), then commit it; fn's result.
 */
static int
while_changing(const char *sql, int (*fn)(int, int))
{
	PGconn		*c;
	PGresult	*res;
	pid_t		 pid;
	int		 w, go[2];
	char		 ch;

	c = admin_conn("latchkey");
	PQclear(PQexec(c, "BEGIN"));
	res = PQexec(c, sql);
	CHECK_INT(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	if (pipe(go) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		close(go[1]);
		if (fn(-1, -1) != 0 || read(go[0], &ch, 1) != 1)
			_exit(100);
		_exit(fn(0, -1));
	}
	close(go[0]);
	(void)usleep(200 * 1000);
	if (write(go[1], "x", 1) != 1)
		exit(1);
	/* Let the child reach the row, then commit the change. */
	(void)usleep(500 * 1000);
	PQclear(PQexec(c, "COMMIT"));
	PQfinish(c);
	while (waitpid(pid, &w, 0) == -1 && errno == EINTR)
		;
	close(go[1]);
	return WIFEXITED(w) ? WEXITSTATUS(w) : 200;
}

TEST(a_login_racing_a_password_change_is_refused)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	login_user = u.id;
	/* The change is under way, not committed, when the login checks. */
	CHECK_INT(while_changing("UPDATE users SET hash = '$y$2' "
	    "WHERE email = 'a@b.c'", login_child), LK_STORE_CHANGED);
	CHECK_STR(value("SELECT count(*) FROM sessions"), "0");
	lk_store_close(s);
}

TEST(a_change_that_waited_for_another_keeps_the_other)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(while_changing("UPDATE users SET name = 'Other', updated = 150 "
	    "WHERE email = 'a@b.c'", set_password_child), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_STR(u.name, "Other");
	CHECK_STR(u.hash, "$y$2");
	CHECK_INT(u.tokens_valid_after, 200);
	lk_store_close(s);
}

/* A link raced by n nodes, each setting a password of its own. */
static struct lk_user	race_link_user;

static int
race_link_use(int i, int fd)
{
	struct lk_link_use	u;
	char			hash[16];

	(void)fd;
	if (i < 0)
		return child_open();
	(void)snprintf(hash, sizeof(hash), "$y$c%d", i);
	memset(&u, 0, sizeof(u));
	u.hash = H1;
	u.purposes = RESET;
	u.user_id = race_link_user.id;
	u.user_hash = race_link_user.hash;
	u.new_hash = hash;
	return lk_store_link_use(child_store, &u, 200);
}

TEST(a_link_used_by_racing_nodes_is_used_once)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;
	int		 st[8], i, ok = 0, lost = 0;
	char		 text[64], want[16];

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
	race_link_user = l.user;
	race(8, race_link_use, st, text, sizeof(text));
	for (i = 0; i < 8; i++) {
		if (st[i] == LK_STORE_OK) {
			ok++;
			(void)snprintf(want, sizeof(want), "$y$c%d", i);
		} else if (st[i] == LK_STORE_NOT_FOUND ||
		    st[i] == LK_STORE_CHANGED)
			lost++;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(lost, 7);
	/* The winner's password, and no link left. */
	CHECK_STR(value("SELECT hash FROM users"), want);
	CHECK_STR(value("SELECT count(*) FROM account_tokens"), "0");
	lk_store_close(s);
}

/* A code redeemed by n nodes at once, each for a grant of its own. */
static int
race_code_redeem(int i, int fd)
{
	struct lk_oidc_code	out;
	char			gid[16];

	(void)fd;
	if (i < 0)
		return child_open();
	(void)snprintf(gid, sizeof(gid), "G%d", i);
	return redeem(child_store, CH1, "wiki", gid, NULL, 1010, &out);
}

TEST(a_code_redeemed_by_racing_nodes_is_redeemed_once)
{
	struct lk_store		*s = fresh();
	struct lk_oidc_client	 c;
	struct lk_user		 u;
	int			 st[8], i, ok = 0, used = 0;
	char			 text[64];

	client_of(&c, "wiki", 0);
	CHECK_INT(lk_store_client_add(s, &c, 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(code_add(s, CH1, "wiki", &u, "", 1060), LK_STORE_OK);
	race(8, race_code_redeem, st, text, sizeof(text));
	for (i = 0; i < 8; i++) {
		if (st[i] == LK_STORE_OK)
			ok++;
		else if (st[i] == LK_STORE_USED)
			used++;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(used, 7);
	/* One grant was made, and the replays revoked it. */
	CHECK_STR(value("SELECT count(*) FROM oidc_grants"), "1");
	CHECK_STR(value("SELECT revoked FROM oidc_grants"), "1");
	lk_store_close(s);
}

static int
use_link_child(int i, int fd)
{
	(void)fd;
	if (i < 0)
		return child_open();
	return race_link_use(0, -1);
}

TEST(a_link_used_while_the_password_changes_is_refused)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	struct lk_link	 l;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(link_add(s, LK_LINK_RESET, "a@b.c", "", H1, 1000, 100, &u),
	    LK_STORE_OK);
	CHECK_INT(lk_store_link_find(s, H1, RESET, 100, &l), LK_STORE_OK);
	race_link_user = l.user;
	/* The change holds the account's row when the link's use locks it. */
	CHECK_INT(while_changing("UPDATE users SET hash = '$y$2' "
	    "WHERE email = 'a@b.c'", use_link_child), LK_STORE_CHANGED);
	CHECK_STR(value("SELECT hash FROM users"), "$y$2");
	lk_store_close(s);
}

static int
race_invite(int i, int fd)
{
	struct lk_user	u;
	char		hash[LK_STORE_LINK_HASH_LEN + 1];

	(void)fd;
	if (i < 0)
		return child_open();
	(void)snprintf(hash, sizeof(hash), "%064d", i);
	return link_add(child_store, LK_LINK_SIGNUP, "new@b.c", "N", hash, 9000,
	    100, &u);
}

TEST(racing_signups_for_one_email_make_one_pending_account)
{
	struct lk_store	*s = fresh();
	int		 st[6], i;
	char		 text[64];

	race(6, race_invite, st, text, sizeof(text));
	for (i = 0; i < 6; i++)
		CHECK_INT(st[i], LK_STORE_OK);
	CHECK_STR(value("SELECT count(*) FROM users"), "1");
	CHECK_STR(value("SELECT hash FROM users"), "");
	/* Each voided the one before: one link lives. */
	CHECK_STR(value("SELECT count(*) FROM account_tokens"), "1");
	lk_store_close(s);
}

TEST(a_reader_role_reads_and_cannot_write)
{
	struct lk_store		*s = fresh(), *r;
	struct lk_user		 u;
	struct lk_token_state	 ts;
	char			 err[1024];
	int			 n = 0;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	lk_store_close(s);
	/* A current database opens without a write. */
	r = open_pg(reader_uri, reader_pwfile, 0, err, sizeof(err));
	CHECK(r != NULL);
	if (r == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(lk_store_user_find(r, "A@B.C", &u), LK_STORE_OK);
	CHECK_INT(lk_store_token_check(r, "a@b.c", "a-1", 0, &u, &ts),
	    LK_STORE_OK);
	CHECK_INT(ts.ours, 1);
	CHECK_INT(lk_store_user_each(r, count, &n), LK_STORE_OK);
	CHECK_INT(n, 1);
	logged[0] = '\0';
	lk_log_set_sink(keep_line, NULL);
	CHECK_INT(lk_store_user_add(r, "b@b.c", "B", "$y$1", 2), LK_STORE_ERROR);
	CHECK_INT(login_as(r, &u, "$y$1", "S2", "2", 1000), LK_STORE_ERROR);
	lk_log_set_sink(NULL, NULL);
	CHECK(strstr(logged, "permission denied") != NULL);
	CHECK_STR(value("SELECT count(*) FROM users"), "1");
	lk_store_close(r);
	/* A database behind the program needs a role that may write. */
	drop_tables("latchkey");
	CHECK(open_pg(reader_uri, reader_pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 0 is behind") != NULL);
	CHECK(strstr(err, "role \"latchkey_ro\" may not change it") != NULL);
	CHECK(strstr(err, "a role that may write") != NULL);
	CHECK_STR(value("SELECT to_regclass('users') IS NULL"), "t");
}

/*
 * Second factors racing on PostgreSQL: eight devices send the same TOTP
 * code (each its own pending login), eight more a recovery code, eight
 * passkey sign-ins one challenge: one of each wins.
 */
static int
race_step(int i, int fd)
{
	struct lk_user	u;
	char		tag[16];

	(void)fd;
	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = race_user;
	(void)snprintf(tag, sizeof(tag), "%d", i);
	return second_step(child_store, &u, tag, 101, NULL, 1001);
}

static int
race_recovery(int i, int fd)
{
	struct lk_user	u;
	char		tag[16];

	(void)fd;
	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = race_user;
	(void)snprintf(tag, sizeof(tag), "r%d", i);
	return second_step(child_store, &u, tag, -1, "c4", 1001);
}

static int
race_passkey(int i, int fd)
{
	struct lk_user	u;

	(void)fd;
	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = race_user;
	return passkey_sign_in(child_store, &u, "$y$1", "g", "1", 3, 4 + i,
	    1001);
}

TEST(racing_second_factors_win_once)
{
	struct lk_store		*s = fresh();
	struct lk_passkey	 p;
	struct lk_user		 u;
	int			 st[8], i, ok, used;
	char			 text[256];

	user_with_totp(s, &u);
	race_user = u.id;
	/* Each device its own pending login (a new one would end the others). */
	for (i = 0; i < 8; i++) {
		char	sql[128];

		(void)snprintf(sql, sizeof(sql), "INSERT INTO mfa_pending VALUES "
		    "('P%d', %lld, '$y$1', 0, 1000, 1300)", i, u.id);
		CHECK_INT(admin("latchkey", sql), 0);
	}
	race(8, race_step, st, text, sizeof(text));
	for (i = ok = used = 0; i < 8; i++) {
		ok += st[i] == LK_STORE_OK;
		used += st[i] == LK_STORE_USED || st[i] == LK_STORE_NOT_FOUND;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(used, 7);
	CHECK_STR(value("SELECT last_step FROM mfa_totp"), "101");
	for (i = 0; i < 8; i++) {
		char	sql[128];

		(void)snprintf(sql, sizeof(sql), "INSERT INTO mfa_pending VALUES "
		    "('Pr%d', %lld, '$y$1', 0, 1000, 1300)", i, u.id);
		CHECK_INT(admin("latchkey", sql), 0);
	}
	race(8, race_recovery, st, text, sizeof(text));
	/* The winner's login ends the other pending logins as well. */
	for (i = ok = used = 0; i < 8; i++) {
		ok += st[i] == LK_STORE_OK;
		used += st[i] == LK_STORE_USED || st[i] == LK_STORE_NOT_FOUND;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(used, 7);
	CHECK_STR(value("SELECT count(*) FROM mfa_recovery"), "9");
	CHECK_INT(add_challenge(s, "r", LK_CHALLENGE_REGISTER, u.id, "ip", 1300,
	    5, 1000), LK_STORE_OK);
	p = passkey("1", u.id, 3);
	CHECK_INT(lk_store_passkey_add(s, "r", &p, 20, 1000), LK_STORE_OK);
	CHECK_INT(add_challenge(s, "g", LK_CHALLENGE_LOGIN, 0, "ip", 1300, 5,
	    1000), LK_STORE_OK);
	race(8, race_passkey, st, text, sizeof(text));
	for (i = ok = used = 0; i < 8; i++) {
		ok += st[i] == LK_STORE_OK;
		used += st[i] == LK_STORE_NOT_FOUND;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(used, 7);
	CHECK_STR(value("SELECT count(*) FROM sessions"), "3");
	lk_store_close(s);
}

TEST(migrates_version_3_keeping_users)
{
	struct lk_store		*s = fresh();
	struct lk_mfa_state	 m;
	struct lk_user		 u;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(admin("latchkey", "DROP TABLE audit_log, oidc_consents, "
	    "oidc_refresh_tokens, oidc_codes, oidc_grants, oidc_clients, "
	    "oidc_subjects, group_members, user_groups, "
	    "account_tokens, mfa_totp, "
	    "mfa_recovery, mfa_pending, webauthn_credentials, "
	    "webauthn_challenges, webauthn_users; "
	    "UPDATE schema_version SET version = 3"), 0);
	s = reopen(0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_STR(value("SELECT version FROM schema_version"), "8");
	CHECK_INT(lk_store_group_add(s, "staff", "", 2), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "staff", "a@b.c", 2), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(lk_store_totp_setup(s, u.id, "v1.x", 2), LK_STORE_OK);
	CHECK_INT(lk_store_mfa_state(s, u.id, &m), LK_STORE_OK);
	CHECK_INT(m.totp_pending, 1);
	lk_store_close(s);
}

TEST(refuses_newer_schema)
{
	struct lk_store	*s = fresh();
	char		 err[1024];

	CHECK(s != NULL);
	lk_store_close(s);
	CHECK_STR(value("SELECT version FROM schema_version"), "8");
	CHECK_INT(admin("latchkey", "UPDATE schema_version SET version = 99"), 0);
	CHECK(open_pg(uri, pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99 is newer than this latchkey (8)") !=
	    NULL);
	CHECK_STR(value("SELECT version FROM schema_version"), "99");
}

/* uri with "latchkey@" replaced by who. */
static void
uri_as(const char *who, char *out, size_t outsz)
{
	const char	*at = strstr(uri, "latchkey@");

	(void)snprintf(out, outsz, "%.*s%s%s", (int)(at - uri), uri, who,
	    at + strlen("latchkey@"));
}

TEST(the_password_is_never_in_the_uri)
{
	char	 u[2048], err[1024], pw[128];

	cluster_file("latchkey.password", pw, sizeof(pw));
	(void)snprintf(err, sizeof(err), "latchkey:%s@", pw);
	uri_as(err, u, sizeof(u));
	CHECK(open_pg(u, NULL, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "holds a password") != NULL);
	CHECK(strstr(err, pw) == NULL);
	(void)snprintf(u, sizeof(u), "%s?password=%s", uri, pw);
	CHECK(open_pg(u, NULL, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "database_password_file") != NULL);
	CHECK(strstr(err, pw) == NULL);
}

TEST(the_password_file_must_be_private)
{
	struct lk_store	*s;
	char		 pw[128], text[400], err[1024];
	const char	*path;

	cluster_file("latchkey.password", pw, sizeof(pw));
	(void)snprintf(text, sizeof(text), "%s\n", pw);
	drop_tables("latchkey");
	path = tmp_file("pw", text, 0644);
	CHECK(open_pg(uri, path, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "mode 0644") != NULL);
	CHECK(strstr(err, pw) == NULL);
	path = tmp_file("pw", text, 0640);
	CHECK(open_pg(uri, path, 0, err, sizeof(err)) == NULL);
	path = tmp_file("pw", text, 0600);
	s = open_pg(uri, path, 0, err, sizeof(err));
	CHECK(s != NULL);
	lk_store_close(s);
	path = tmp_file("pw", text, 0400);
	s = open_pg(uri, path, 0, err, sizeof(err));
	CHECK(s != NULL);
	lk_store_close(s);
	/* One line only, and it must be the password. */
	(void)snprintf(text, sizeof(text), "%s\nmore\n", pw);
	path = tmp_file("pw", text, 0600);
	CHECK(open_pg(uri, path, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "one line") != NULL);
	path = tmp_file("pw", "not-the-password\n", 0600);
	CHECK(open_pg(uri, path, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "password authentication failed") != NULL);
	CHECK(strstr(err, "not-the-password") == NULL);
	(void)snprintf(text, sizeof(text), "%s/nothing-here", tmp_dir());
	CHECK(open_pg(uri, text, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no such file") != NULL);
	/* Without one, libpq's own PGPASSFILE. */
	CHECK(open_pg(uri, NULL, 0, err, sizeof(err)) == NULL);
	(void)snprintf(text, sizeof(text), "%s/pgpass", pg_dir);
	setenv("PGPASSFILE", text, 1);
	s = open_pg(uri, NULL, 0, err, sizeof(err));
	CHECK(s != NULL);
	lk_store_close(s);
	setenv("PGPASSFILE", "/nonexistent", 1);
}

TEST(uris_of_every_form)
{
	struct lk_store	*s;
	char		 u[700], err[1024], *port;

	/* The Unix socket (trusted by the test cluster): no password. */
	port = strrchr(uri, ':') + 1;
	(void)snprintf(u, sizeof(u), "postgresql:///latchkey?host=%s/pg/socket&"
	    "port=%.*s&user=latchkey", pg_dir, (int)strcspn(port, "/"), port);
	s = open_pg(u, NULL, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		fprintf(stderr, "%s: %s\n", u, err);
	lk_store_close(s);
	(void)snprintf(u, sizeof(u), "postgres://%s", uri + strlen("postgresql://"));
	s = open_pg(u, pwfile, 0, err, sizeof(err));
	CHECK(s != NULL);
	lk_store_close(s);
	/* libpq refuses what it cannot parse; the URI is named. */
	CHECK(open_pg("postgresql://[::1", pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "postgresql://[::1") != NULL);
}

TEST(a_database_not_in_utf8_is_refused)
{
	char	u[600], err[1024];

	(void)admin("postgres", "DROP DATABASE IF EXISTS latchkey_latin1");
	CHECK_INT(admin("postgres", "CREATE DATABASE latchkey_latin1 OWNER "
	    "latchkey ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' "
	    "TEMPLATE template0"), 0);
	(void)snprintf(u, sizeof(u), "%s_latin1", uri);
	CHECK(open_pg(u, pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "encoding is LATIN1") != NULL);
}

static int
cluster(const char *what)
{
	char	cmd[700];

	(void)snprintf(cmd, sizeof(cmd), "scripts/pg-cluster %s '%s' "
	    ">/dev/null", what, pg_dir);
	return system(cmd);
}

TEST(a_server_that_goes_away_fails_operations_until_it_is_back)
{
	struct lk_store		*s = fresh();
	struct lk_user		 u;
	struct lk_token_state	 ts;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(cluster("stop"), 0);
	logged[0] = '\0';
	lk_log_set_sink(keep_line, NULL);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_ERROR);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_ERROR);
	CHECK_INT(lk_store_token_check(s, "a@b.c", "a-1", 0, &u, &ts),
	    LK_STORE_ERROR);
	lk_log_set_sink(NULL, NULL);
	CHECK(strstr(logged, "database: find: connection lost") != NULL);
	CHECK(strstr(logged, "database: cannot connect again") != NULL);
	CHECK(strstr(logged, "Connection refused") != NULL);
	/* Back: the same handle works again, statements prepared anew. */
	CHECK_INT(cluster("start"), 0);
	logged[0] = '\0';
	lk_log_set_sink(keep_line, NULL);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	CHECK_INT(lk_store_token_check(s, "a@b.c", "a-1", 0, &u, &ts),
	    LK_STORE_OK);
	CHECK_INT(ts.ours, 1);
	lk_log_set_sink(NULL, NULL);
	CHECK(strstr(logged, "connected again") != NULL);
	/*
	 * Restarted between two operations: the next one finds its
	 * connection gone before it did anything, connects again and goes
	 * on, a read as a transaction.
	 */
	CHECK_INT(cluster("stop"), 0);
	CHECK_INT(cluster("start"), 0);
	CHECK_INT(login_as(s, &u, "$y$1", "S2", "2", 1000), LK_STORE_OK);
	CHECK_INT(cluster("stop"), 0);
	CHECK_INT(cluster("start"), 0);
	CHECK_INT(lk_store_token_check(s, "a@b.c", "a-2", 0, &u, &ts),
	    LK_STORE_OK);
	CHECK_INT(ts.ours, 1);
	lk_store_close(s);
}

/*
 * A connection cut in the middle of a refresh (its new token waits on a
 * lock, its rotation already made): nothing of it stays.
 */
static int
cut_refresh(int i, int fd)
{
	struct lk_user		u;
	struct lk_store_tokens	succ;
	char			line[64];
	int			a, b, n;

	if (i < 0)
		return child_open();
	memset(&u, 0, sizeof(u));
	u.id = race_user;
	logged[0] = '\0';
	lk_log_set_sink(keep_line, NULL);
	a = rotate(child_store, &u, "1", "2", 1005, &succ);
	lk_log_set_sink(NULL, NULL);
	/* Tell the parent, wait for the way to be clear, try again. */
	n = snprintf(line, sizeof(line), "%d %s", a,
	    strstr(logged, "database: add tokens: connection lost") != NULL ?
	    "logged" : "silent");
	if (write(fd, line, (size_t)n) != n)
		return 100;
	close(fd);
	(void)usleep(1000 * 1000);
	b = rotate(child_store, &u, "1", "2", 1006, &succ);
	return b;
}

TEST(a_connection_cut_mid_transaction_leaves_nothing_half_written)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	PGconn		*c;
	PGresult	*res;
	int		 go[2], out[2], w, k;
	pid_t		 pid;
	char		 ch, text[128] = "";
	ssize_t		 r;

	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "a@b.c", &u), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S0", "0", 1000), LK_STORE_OK);
	CHECK_INT(login_as(s, &u, "$y$1", "S1", "1", 1000), LK_STORE_OK);
	race_user = u.id;
	/*
	 * The successor's id is being inserted elsewhere (another session's,
	 * so that S1 itself stays free), uncommitted.
	 */
	c = admin_conn("latchkey");
	PQclear(PQexec(c, "BEGIN"));
	res = PQexec(c, "INSERT INTO refresh_tokens (jti, family, access_jti, "
	    "csrf, access_csrf, iat, exp, access_exp) VALUES ('r-2', 'S0', "
	    "'other', '', '', 0, 0, 0)");
	CHECK_INT(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	if (pipe(go) == -1 || pipe(out) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		close(go[1]);
		close(out[0]);
		if (cut_refresh(-1, out[1]) != 0 || read(go[0], &ch, 1) != 1)
			_exit(100);
		_exit(cut_refresh(0, out[1]));
	}
	close(go[0]);
	close(out[1]);
	(void)usleep(200 * 1000);
	if (write(go[1], "x", 1) != 1)
		exit(1);
	/* Wait until the refresh waits on the lock, then cut it off. */
	for (k = 0; k < 100; k++) {
		if (strcmp(value("SELECT count(*) FROM pg_stat_activity WHERE "
		    "application_name = 'latchkey' AND wait_event_type = 'Lock'"),
		    "1") == 0)
			break;
		(void)usleep(50 * 1000);
	}
	CHECK(k < 100);
	CHECK_STR(value("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE application_name = 'latchkey' AND wait_event_type = 'Lock'"),
	    "t");
	if ((r = read(out[0], text, sizeof(text) - 1)) > 0)
		text[r] = '\0';
	CHECK_STR(text, "6 logged");		/* LK_REFRESH_ERROR */
	/* The rotation it had made went with it. */
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
	CHECK_STR(value("SELECT rotated_at IS NULL FROM refresh_tokens "
	    "WHERE jti = 'r-1'"), "t");
	CHECK_STR(value("SELECT refreshes FROM sessions WHERE id = 'S1'"), "0");
	/* The same handle, connected again, rotates it. */
	while (waitpid(pid, &w, 0) == -1 && errno == EINTR)
		;
	close(go[1]);
	close(out[0]);
	CHECK(WIFEXITED(w));
	CHECK_INT(WEXITSTATUS(w), LK_REFRESH_ROTATED);
	CHECK_STR(value("SELECT successor FROM refresh_tokens WHERE jti = 'r-1'"),
	    "r-2");
	lk_store_close(s);
}

TEST(copies_from_sqlite_to_postgresql_and_back_keep_everything)
{
	struct lk_store	*lite = fresh_sqlite("from.db"), *pg = fresh(), *back;
	struct lk_user	 a;
	size_t		 counts[LK_STORE_REC__MAX];
	static char	 out[8192];

	CHECK(lite != NULL && pg != NULL);
	if (lite == NULL || pg == NULL)
		return;
	populate(lite, &a);
	CHECK_INT(lk_store_copy(lite, pg, 0, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_TOKENS], 3);
	back = fresh_sqlite("back.db");
	CHECK(back != NULL);
	if (back == NULL)
		return;
	CHECK_INT(lk_store_copy(pg, back, 0, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_USER], 3);
	CHECK_INT(counts[LK_STORE_REC_LINK], 2);
	dump(pg, out);
	CHECK_STR(out, populated);
	dump(back, out);
	CHECK_STR(out, populated);
	/* Sessions live on in both: the same answers as the original. */
	same_answers(lite, pg, &a);
	same_answers(lite, back, &a);
	/* SQLite refuses a second copy over what it holds, as PostgreSQL. */
	CHECK_INT(lk_store_copy(pg, back, 0, counts), LK_STORE_EXISTS);
	CHECK_INT(lk_store_copy(lite, pg, 0, counts), LK_STORE_EXISTS);
	lk_store_close(back);
	lk_store_close(pg);
	lk_store_close(lite);
}

int
main(void)
{
	const char	*d = getenv("LATCHKEY_PG_DIR");

	if (d == NULL || *d == '\0') {
		fprintf(stderr, "test_store_pg: LATCHKEY_PG_DIR must name a "
		    "cluster made by scripts/pg-cluster (make check-postgres)\n");
		return 1;
	}
	(void)snprintf(pg_dir, sizeof(pg_dir), "%s", d);
	cluster_file("uri", uri, sizeof(uri));
	cluster_file("reader_uri", reader_uri, sizeof(reader_uri));
	cluster_file("admin_uri", admin_uri, sizeof(admin_uri));
	(void)snprintf(other_uri, sizeof(other_uri), "%s_copy", uri);
	(void)snprintf(pwfile, sizeof(pwfile), "%s/latchkey.password", pg_dir);
	(void)snprintf(reader_pwfile, sizeof(reader_pwfile),
	    "%s/latchkey_ro.password", pg_dir);
	/* Only the passwords the cases give (never ~/.pgpass). */
	setenv("PGPASSFILE", "/nonexistent", 1);
	unsetenv("PGPASSWORD");
	(void)admin("postgres", "DROP DATABASE IF EXISTS latchkey_copy");
	if (admin("postgres", "CREATE DATABASE latchkey_copy OWNER latchkey") ==
	    -1)
		return 1;
	store_cases();
	RUN(migrates_version_3_keeping_users);
	RUN(racing_second_factors_win_once);
	RUN(refuses_newer_schema);
	RUN(the_password_is_never_in_the_uri);
	RUN(the_password_file_must_be_private);
	RUN(uris_of_every_form);
	RUN(a_database_not_in_utf8_is_refused);
	RUN(a_reader_role_reads_and_cannot_write);
	RUN(nodes_starting_together_migrate_once);
	RUN(a_token_refreshed_by_racing_nodes_rotates_once);
	RUN(racing_refreshes_are_retried_under_serializable);
	RUN(racing_throttle_reservations_never_pass_the_limit);
	RUN(a_login_racing_a_password_change_is_refused);
	RUN(a_change_that_waited_for_another_keeps_the_other);
	RUN(a_link_used_by_racing_nodes_is_used_once);
	RUN(a_code_redeemed_by_racing_nodes_is_redeemed_once);
	RUN(a_link_used_while_the_password_changes_is_refused);
	RUN(racing_signups_for_one_email_make_one_pending_account);
	RUN(a_connection_cut_mid_transaction_leaves_nothing_half_written);
	RUN(a_server_that_goes_away_fails_operations_until_it_is_back);
	RUN(copies_from_sqlite_to_postgresql_and_back_keep_everything);
	tmp_cleanup();
	return T_END();
}
