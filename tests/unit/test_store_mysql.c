/*
 * The store on MariaDB, against a real server: the cases every engine
 * passes (store_cases.h), then what a server brings: nodes racing
 * (refresh, throttle, a link, migrations), a role that may only read, the
 * password kept out of the URI, the URI's forms, a server that goes away
 * and comes back, copies to and from SQLite.
 *
 * LATCHKEY_MY_DIR names a server made by scripts/mariadb-cluster (make
 * check-mariadb starts one around this test).
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "domain/store/store.h"
#include "t.h"
#include "tmpdir.h"

static char	my_dir[200];
static char	uri[256], other_uri[300], reader_uri[256], socket_uri[512];
static char	admin_socket[300], pwfile[300], reader_pwfile[300];
static char	sqlite_path[512];

/* The first line of the server's file name. */
static void
cluster_file(const char *name, char *out, size_t outsz)
{
	char	path[512];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", my_dir, name);
	if ((f = fopen(path, "r")) == NULL || fgets(out, (int)outsz, f) ==
	    NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/*
 * Run sql as root on database db (the mariadb client, over the socket);
 * its first value (or "") in out.  0 or -1.
 */
static int
admin_query(const char *db, const char *sql, char *out, size_t outsz)
{
	char	cmd[4096], line[512];
	FILE	*p;
	int	rc;

	(void)snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -u root "
	    "--socket='%s' -N -B -e \"%s\" %s 2>&1", admin_socket, sql, db);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	line[0] = '\0';
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	while (fgetc(p) != EOF)
		;
	rc = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	if (rc != 0)
		fprintf(stderr, "admin: %s: %s\n", sql, line);
	if (out != NULL)
		(void)snprintf(out, outsz, "%s", rc == 0 ? line : "");
	return rc == 0 ? 0 : -1;
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
	(void)admin(db, "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS "
	    "users, deleted_users, sessions, refresh_tokens, revoked_tokens, "
	    "throttle, mfa_totp, mfa_recovery, mfa_pending, webauthn_users, "
	    "webauthn_credentials, webauthn_challenges, account_tokens, "
	    "user_groups, group_members, oidc_subjects, oidc_clients, oidc_grants, "
	    "oidc_codes, oidc_refresh_tokens, oidc_consents, audit_log, "
	    "schema_version");
}

static struct lk_store *
open_my(const char *u, const char *password_file, long long leeway,
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

	if ((s = open_my(u, password_file, leeway, err, sizeof(err))) == NULL)
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
 * Fork n children that each get ready (fn(-1 - i)), wait for go, then run
 * fn(i, out) and exit with its result; out is a pipe to the parent.
 * Returns after they all exited, with their statuses in st and what they
 * wrote in text.
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
			if (fn(-1 - i, out[1]) != 0)
				_exit(100);
			if (read(go[0], &c, 1) == -1)
				_exit(101);
			_exit(fn(i, out[1]));
		}
	}
	close(go[0]);
	close(out[1]);
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

static struct lk_store	*child_store;

static int
child_open(void)
{
	child_store = open_or_say(uri, pwfile, 0);
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

TEST(a_token_refreshed_by_racing_nodes_rotates_once)
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
	CHECK_STR(value("SELECT failures FROM throttle WHERE \\`key\\` = "
	    "'account:x'"), "7");
	CHECK_STR(value("SELECT failures FROM throttle WHERE \\`key\\` = "
	    "'address:y'"), "7");
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
	if ((s = open_my(uri, pwfile, 0, err, sizeof(err))) == NULL) {
		n = (int)strlen(err);
		if (write(fd, err, (size_t)n) != n || write(fd, "\n", 1) != 1)
			return 2;
		return 1;
	}
	lk_store_close(s);
	return 0;
}

TEST(migrates_version_5_adding_groups)
{
	struct lk_store		*s = fresh();
	struct lk_token_state	 st;
	struct lk_user		 u;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(lk_store_user_add(s, "a@b.c", "A", "$y$1", 1), LK_STORE_OK);
	lk_store_close(s);
	CHECK_INT(admin("latchkey", "DROP TABLE audit_log, oidc_consents, "
	    "oidc_refresh_tokens, oidc_codes, oidc_grants, oidc_clients, "
	    "oidc_subjects, group_members, user_groups; "
	    "UPDATE schema_version SET version = 5"), 0);
	s = reopen(0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_STR(value("SELECT version FROM schema_version"), "8");
	CHECK_INT(lk_store_group_add(s, "staff", "", 2), LK_STORE_OK);
	CHECK_INT(lk_store_member_add(s, "staff", "a@b.c", 2), LK_STORE_OK);
	CHECK_INT(lk_store_token_check(s, "a@b.c", "x", 0, &u, &st),
	    LK_STORE_OK);
	CHECK_STR(st.groups.text, "staff");
	lk_store_close(s);
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
	CHECK_STR(value("SELECT count(*) FROM account_tokens"), "1");
	lk_store_close(s);
}

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

TEST(racing_second_factors_win_once)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;
	int		 st[8], i, ok = 0, used = 0;
	char		 text[64], sql[160];

	user_with_totp(s, &u);
	race_user = u.id;
	for (i = 0; i < 8; i++) {
		(void)snprintf(sql, sizeof(sql), "INSERT INTO mfa_pending VALUES "
		    "('P%d', %lld, '\\$y\\$1', 0, 1000, 1300)", i, u.id);
		CHECK_INT(admin("latchkey", sql), 0);
	}
	race(8, race_step, st, text, sizeof(text));
	for (i = 0; i < 8; i++) {
		ok += st[i] == LK_STORE_OK;
		used += st[i] == LK_STORE_USED || st[i] == LK_STORE_NOT_FOUND;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(used, 7);
	CHECK_STR(value("SELECT last_step FROM mfa_totp"), "101");
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
	r = open_my(reader_uri, reader_pwfile, 0, err, sizeof(err));
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
	CHECK(strstr(logged, "command denied") != NULL);
	CHECK_STR(value("SELECT count(*) FROM users"), "1");
	lk_store_close(r);
	/* A database behind the program needs a role that may write. */
	drop_tables("latchkey");
	CHECK(open_my(reader_uri, reader_pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 0 is behind") != NULL);
	CHECK(strstr(err, "role \"latchkey_ro\" may not change it") != NULL);
	CHECK_STR(value("SELECT count(*) FROM information_schema.tables WHERE "
	    "table_schema = 'latchkey'"), "0");
}

TEST(refuses_newer_schema)
{
	struct lk_store	*s = fresh();
	char		 err[1024];

	CHECK(s != NULL);
	lk_store_close(s);
	CHECK_INT(admin("latchkey", "UPDATE schema_version SET version = 99"), 0);
	CHECK(open_my(uri, pwfile, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99 is newer than this latchkey (8)") !=
	    NULL);
	CHECK_STR(value("SELECT version FROM schema_version"), "99");
	drop_tables("latchkey");
}

TEST(the_password_is_never_in_the_uri)
{
	char	 u[2048], err[1024], pw[128];

	cluster_file("latchkey.password", pw, sizeof(pw));
	(void)snprintf(u, sizeof(u), "mysql://latchkey:%s@%s", pw,
	    strchr(uri, '@') + 1);
	CHECK(open_my(u, NULL, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "holds a password") != NULL);
	CHECK(strstr(err, "database_password_file") != NULL);
	CHECK(strstr(err, pw) == NULL);
	/* Nor from the environment: MYSQL_PWD is not read. */
	setenv("MYSQL_PWD", pw, 1);
	CHECK(open_my(uri, NULL, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "Access denied") != NULL);
	unsetenv("MYSQL_PWD");
}

TEST(the_password_file_must_be_private)
{
	struct lk_store	*s;
	char		 pw[128], text[400], err[1024];
	const char	*path;

	cluster_file("latchkey.password", pw, sizeof(pw));
	(void)snprintf(text, sizeof(text), "%s\n", pw);
	path = tmp_file("pw", text, 0644);
	CHECK(open_my(uri, path, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "mode 0644") != NULL);
	CHECK(strstr(err, pw) == NULL);
	path = tmp_file("pw", text, 0600);
	s = open_my(uri, path, 0, err, sizeof(err));
	CHECK(s != NULL);
	lk_store_close(s);
	path = tmp_file("pw", "not-the-password\n", 0600);
	CHECK(open_my(uri, path, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "Access denied") != NULL);
	CHECK(strstr(err, "not-the-password") == NULL);
}

TEST(uris_of_every_form)
{
	static const char *const bad[] = {
		"mysql://127.0.0.1/latchkey",
		"mysql://latchkey@127.0.0.1:0/latchkey",
		"mysql://latchkey@127.0.0.1:65536/latchkey",
		"mysql://latchkey@127.0.0.1:x/latchkey",
		"mysql://latchkey@127.0.0.1/",
		"mysql://latchkey@127.0.0.1/lat;chkey",
		"mysql://latchkey@127.0.0.1/latchkey?ssl=1",
		"mysql://latchkey@127.0.0.1/latchkey?socket=relative",
		"mysql://la'tch@127.0.0.1/latchkey",
	};
	struct lk_store	*s;
	char		 err[1024];
	size_t		 i;

	/* The Unix socket. */
	s = open_my(socket_uri, pwfile, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		fprintf(stderr, "%s: %s\n", socket_uri, err);
	lk_store_close(s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(open_my(bad[i], pwfile, 0, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "mysql://") != NULL);
	}
}

static int
cluster(const char *what)
{
	char	cmd[700];

	(void)snprintf(cmd, sizeof(cmd), "scripts/mariadb-cluster %s '%s' "
	    ">/dev/null", what, my_dir);
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
	/* Restarted between two operations: the next one goes on. */
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

TEST(copies_from_sqlite_to_mariadb_and_back_keep_everything)
{
	struct lk_store	*lite = fresh_sqlite("from.db"), *my = fresh(), *back;
	struct lk_user	 a;
	size_t		 counts[LK_STORE_REC__MAX];
	static char	 out[8192];

	CHECK(lite != NULL && my != NULL);
	if (lite == NULL || my == NULL)
		return;
	populate(lite, &a);
	CHECK_INT(lk_store_copy(lite, my, 0, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_TOKENS], 3);
	back = fresh_sqlite("back.db");
	CHECK(back != NULL);
	if (back == NULL)
		return;
	CHECK_INT(lk_store_copy(my, back, 0, counts), LK_STORE_OK);
	CHECK_INT(counts[LK_STORE_REC_USER], 3);
	CHECK_INT(counts[LK_STORE_REC_LINK], 2);
	dump(my, out);
	CHECK_STR(out, populated);
	dump(back, out);
	CHECK_STR(out, populated);
	same_answers(lite, my, &a);
	same_answers(lite, back, &a);
	CHECK_INT(lk_store_copy(my, back, 0, counts), LK_STORE_EXISTS);
	CHECK_INT(lk_store_copy(lite, my, 0, counts), LK_STORE_EXISTS);
	lk_store_close(back);
	lk_store_close(my);
	lk_store_close(lite);
}

/* What SQLite's NOCASE and the others' folding agree on, here too. */
TEST(emails_compare_by_bytes_but_for_ascii_case)
{
	struct lk_store	*s = fresh();
	struct lk_user	 u;

	/* The server's default collation would call these one email. */
	CHECK_INT(lk_store_user_add(s, "e@b.c", "plain", "$y$1", 1),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "\xc3\xa9@b.c", "acute", "$y$1", 1),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_add(s, "e@b.c ", "space", "$y$1", 1),
	    LK_STORE_OK);
	CHECK_INT(lk_store_user_find(s, "E@B.C", &u), LK_STORE_OK);
	CHECK_STR(u.name, "plain");
	CHECK_INT(lk_store_user_find(s, "e@b.c ", &u), LK_STORE_OK);
	CHECK_STR(u.name, "space");
	CHECK_INT(lk_store_user_find(s, "\xc3\x89@b.c", &u), LK_STORE_NOT_FOUND);
	lk_store_close(s);
}

int
main(void)
{
	const char	*d = getenv("LATCHKEY_MY_DIR");

	if (d == NULL || *d == '\0') {
		fprintf(stderr, "test_store_mysql: LATCHKEY_MY_DIR must name a "
		    "server made by scripts/mariadb-cluster (make "
		    "check-mariadb)\n");
		return 1;
	}
	(void)snprintf(my_dir, sizeof(my_dir), "%s", d);
	cluster_file("uri", uri, sizeof(uri));
	cluster_file("reader_uri", reader_uri, sizeof(reader_uri));
	cluster_file("socket_uri", socket_uri, sizeof(socket_uri));
	cluster_file("admin_socket", admin_socket, sizeof(admin_socket));
	(void)snprintf(other_uri, sizeof(other_uri), "%s_copy", uri);
	(void)snprintf(pwfile, sizeof(pwfile), "%s/latchkey.password", my_dir);
	(void)snprintf(reader_pwfile, sizeof(reader_pwfile),
	    "%s/latchkey_ro.password", my_dir);
	unsetenv("MYSQL_PWD");
	if (admin("mysql", "CREATE DATABASE IF NOT EXISTS latchkey_copy "
	    "CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin") == -1)
		return 1;
	store_cases();
	RUN(emails_compare_by_bytes_but_for_ascii_case);
	RUN(refuses_newer_schema);
	RUN(migrates_version_5_adding_groups);
	RUN(the_password_is_never_in_the_uri);
	RUN(the_password_file_must_be_private);
	RUN(uris_of_every_form);
	RUN(a_reader_role_reads_and_cannot_write);
	RUN(nodes_starting_together_migrate_once);
	RUN(a_token_refreshed_by_racing_nodes_rotates_once);
	RUN(racing_throttle_reservations_never_pass_the_limit);
	RUN(a_link_used_by_racing_nodes_is_used_once);
	RUN(a_code_redeemed_by_racing_nodes_is_redeemed_once);
	RUN(racing_signups_for_one_email_make_one_pending_account);
	RUN(racing_second_factors_win_once);
	RUN(a_server_that_goes_away_fails_operations_until_it_is_back);
	RUN(copies_from_sqlite_to_mariadb_and_back_keep_everything);
	tmp_cleanup();
	return T_END();
}
