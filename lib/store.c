#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

/*
 * Schema migrations, applied in order inside one transaction each; the
 * database's PRAGMA user_version says how many have run.
 */
static const char *const migrations[] = {
	/* 1: users */
	"CREATE TABLE users ("
	"  id       INTEGER PRIMARY KEY,"
	"  email    TEXT NOT NULL UNIQUE COLLATE NOCASE"
	"           CHECK (length(email) BETWEEN 3 AND 254),"
	"  name     TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) <= 400),"
	"  hash     TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created  INTEGER NOT NULL,"
	"  updated  INTEGER NOT NULL"
	");",
	/* 2: sessions (refresh token families), revocation, throttling */
	"ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE TABLE refresh_tokens ("
	"  jti            TEXT PRIMARY KEY,"
	"  family         TEXT NOT NULL,"
	"  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  access_jti     TEXT NOT NULL,"
	"  exp            INTEGER NOT NULL,"
	"  family_started INTEGER NOT NULL,"
	"  rotated_at     INTEGER,"
	"  revoked        INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX refresh_tokens_family ON refresh_tokens(family);"
	"CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);"
	"CREATE INDEX refresh_tokens_access ON refresh_tokens(access_jti);"
	"CREATE TABLE revoked_tokens ("
	"  jti TEXT PRIMARY KEY,"
	"  exp INTEGER NOT NULL"
	");"
	"CREATE TABLE throttle ("
	"  key          TEXT PRIMARY KEY,"
	"  failures     INTEGER NOT NULL,"
	"  window_start INTEGER NOT NULL"
	");"
	"CREATE INDEX refresh_tokens_exp ON refresh_tokens(exp);"
	"CREATE INDEX revoked_tokens_exp ON revoked_tokens(exp);"
	"CREATE INDEX throttle_window ON throttle(window_start);",
};

#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt {
	ST_FIND,
	ST_ADD,
	ST_SET_NAME,
	ST_SET_HASH,
	ST_SET_DISABLED,
	ST_DELETE,
	ST_EACH,
	ST_INVALIDATE,
	ST_REVOKE_USER_FAMILIES,
	ST_REFRESH_ADD,
	ST_REFRESH_FIND,
	ST_REFRESH_ROTATED,
	ST_FAMILY_REVOKE,
	ST_FAMILY_OF_ACCESS,
	ST_REVOKE,
	ST_IS_REVOKED,
	ST_PRUNE_REVOKED,
	ST_PRUNE_REFRESH,
	ST_PRUNE_THROTTLE,
	ST_THROTTLE_GET,
	ST_THROTTLE_SET,
	ST_THROTTLE_CLEAR,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST__MAX
};

static const char *const stmts[ST__MAX] = {
	"SELECT id, email, name, hash, disabled, created, updated, "
	    "tokens_valid_after FROM users WHERE email = ?1",	/* ST_FIND */
	"INSERT INTO users (email, name, hash, created, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?4)",			/* ST_ADD */
	"UPDATE users SET name = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_NAME */
	"UPDATE users SET hash = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_HASH */
	"UPDATE users SET disabled = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_DISABLED */
	"DELETE FROM users WHERE email = ?1",			/* ST_DELETE */
	"SELECT id, email, name, hash, disabled, created, updated, "
	    "tokens_valid_after FROM users ORDER BY email COLLATE NOCASE", /* ST_EACH */
	"UPDATE users SET tokens_valid_after = ?2, updated = ?2 "
	    "WHERE email = ?1",					/* ST_INVALIDATE */
	"UPDATE refresh_tokens SET revoked = 1 WHERE user_id = "
	    "(SELECT id FROM users WHERE email = ?1) AND family <> ?2", /* ST_REVOKE_USER_FAMILIES */
	"INSERT INTO refresh_tokens (jti, family, user_id, access_jti, exp, "
	    "family_started) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",	/* ST_REFRESH_ADD */
	"SELECT family, user_id, exp, family_started, "
	    "coalesce(rotated_at, 0), revoked FROM refresh_tokens "
	    "WHERE jti = ?1",					/* ST_REFRESH_FIND */
	"UPDATE refresh_tokens SET rotated_at = ?2 WHERE jti = ?1 "
	    "AND rotated_at IS NULL",				/* ST_REFRESH_ROTATED */
	"UPDATE refresh_tokens SET revoked = 1 WHERE family = ?1", /* ST_FAMILY_REVOKE */
	"SELECT family FROM refresh_tokens WHERE access_jti = ?1", /* ST_FAMILY_OF_ACCESS */
	"INSERT OR IGNORE INTO revoked_tokens (jti, exp) VALUES (?1, ?2)", /* ST_REVOKE */
	/* Revoked itself, or a token of a revoked session. */
	"SELECT 1 FROM revoked_tokens WHERE jti = ?1 UNION ALL "
	    "SELECT 1 FROM refresh_tokens WHERE (access_jti = ?1 OR jti = ?1) "
	    "AND revoked = 1 LIMIT 1",				/* ST_IS_REVOKED */
	"DELETE FROM revoked_tokens WHERE exp < ?1",		/* ST_PRUNE_REVOKED */
	"DELETE FROM refresh_tokens WHERE exp < ?1",		/* ST_PRUNE_REFRESH */
	/* No window lasts more than a day (throttle_window's limit). */
	"DELETE FROM throttle WHERE window_start < ?1 - 86400",	/* ST_PRUNE_THROTTLE */
	"SELECT failures, window_start FROM throttle WHERE key = ?1", /* ST_THROTTLE_GET */
	"INSERT INTO throttle (key, failures, window_start) VALUES (?1, 1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET "
	    "failures = CASE WHEN window_start + ?3 <= ?2 THEN 1 "
	    "ELSE failures + 1 END, "
	    "window_start = CASE WHEN window_start + ?3 <= ?2 THEN ?2 "
	    "ELSE window_start END",				/* ST_THROTTLE_SET */
	"DELETE FROM throttle WHERE key = ?1",			/* ST_THROTTLE_CLEAR */
	"BEGIN IMMEDIATE",					/* ST_BEGIN */
	"COMMIT",						/* ST_COMMIT */
	"ROLLBACK",						/* ST_ROLLBACK */
};

struct lk_store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST__MAX];
};

int
lk_store_schema_version(void)
{
	return NMIGRATIONS;
}

int
lk_email_valid(const char *email)
{
	const char	*at, *p;
	size_t		 len;

	len = strlen(email);
	if (len < 3 || len > LK_EMAIL_MAX)
		return 0;
	if ((at = strchr(email, '@')) == NULL || strchr(at + 1, '@') != NULL ||
	    at == email || at[1] == '\0')
		return 0;
	for (p = email; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	/* Non-ASCII is allowed but must be well-formed UTF-8. */
	return lk_utf8_text_len(email, len) >= 0;
}

static int
exec(sqlite3 *db, const char *sql, char *err, size_t errsz)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		(void)snprintf(err, errsz, "%s", msg != NULL ? msg :
		    sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
migrate(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	sqlite3_stmt	*st = NULL;
	char		 why[512], sql[64];
	int		 version = -1, i;

	/* Take the write lock first so two processes cannot both migrate. */
	if (exec(db, "BEGIN IMMEDIATE", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0) {
		(void)snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	if (version > NMIGRATIONS) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", path, version, NMIGRATIONS);
		goto fail;
	}
	for (i = version; i < NMIGRATIONS; i++) {
		if (exec(db, migrations[i], why, sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "%s: migration %d: %s",
			    path, i + 1, why);
			goto fail;
		}
	}
	if (version != NMIGRATIONS) {
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    NMIGRATIONS);
		if (exec(db, sql, why, sizeof(why)) == -1) {
			(void)snprintf(err, errsz, "%s: %s", path, why);
			goto fail;
		}
	}
	if (exec(db, "COMMIT", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	return 0;
fail:
	(void)exec(db, "ROLLBACK", why, sizeof(why));
	return -1;
}

struct lk_store *
lk_store_open(const char *path, int create, char *err, size_t errsz)
{
	struct lk_store	*s;
	char		 why[512];
	int		 flags, i, fd;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (create) {
		/* Create the file ourselves so that it starts as mode 0600. */
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1) {
			(void)snprintf(err, errsz, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		close(fd);
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		(void)snprintf(err, errsz, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* Wait for other processes' writes rather than fail at once. */
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s->db, "PRAGMA journal_mode = WAL", why, sizeof(why)) == -1 ||
	    exec(s->db, "PRAGMA synchronous = FULL", why, sizeof(why)) == -1 ||
	    exec(s->db, "PRAGMA foreign_keys = ON", why, sizeof(why)) == -1 ||
	    exec(s->db, "PRAGMA trusted_schema = OFF", why, sizeof(why)) == -1 ||
	    /* Bound each process's private memory (SQLite's default is 2 MiB). */
	    exec(s->db, "PRAGMA cache_size = -512", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	if (migrate(s->db, path, err, errsz) == -1)
		goto fail;
	for (i = 0; i < ST__MAX; i++)
		if (sqlite3_prepare_v3(s->db, stmts[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			(void)snprintf(err, errsz, "%s: %s", path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	return s;
fail:
	lk_store_close(s);
	return NULL;
}

void
lk_store_close(struct lk_store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static void
copy_col(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	if (t == NULL || lk_strlcpy(out, (const char *)t, outsz) == -1)
		out[0] = '\0';
}

static void
row_to_user(sqlite3_stmt *st, struct lk_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, u->email, sizeof(u->email));
	copy_col(st, 2, u->name, sizeof(u->name));
	copy_col(st, 3, u->hash, sizeof(u->hash));
	u->disabled = sqlite3_column_int(st, 4) != 0;
	u->created = sqlite3_column_int64(st, 5);
	u->updated = sqlite3_column_int64(st, 6);
	u->tokens_valid_after = sqlite3_column_int64(st, 7);
}

static enum lk_store_res
fail(struct lk_store *s, sqlite3_stmt *st, const char *what)
{
	lk_log(LK_LOG_ERR, "database: %s: %s", what, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return LK_STORE_ERROR;
}

static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

enum lk_store_res
lk_store_user_find(struct lk_store *s, const char *email, struct lk_user *out)
{
	sqlite3_stmt	*st = s->st[ST_FIND];
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC) != SQLITE_OK)
		return fail(s, st, "find");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		done(st);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, st, "find");
	row_to_user(st, out);
	done(st);
	return LK_STORE_OK;
}

enum lk_store_res
lk_store_user_add(struct lk_store *s, const char *email, const char *name,
    const char *hash)
{
	sqlite3_stmt	*st = s->st[ST_ADD];
	int		 rc;

	if (sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL)) != SQLITE_OK)
		return fail(s, st, "add");
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return LK_STORE_EXISTS;
	}
	if (rc != SQLITE_DONE)
		return fail(s, st, "add");
	done(st);
	return LK_STORE_OK;
}

static enum lk_store_res
update(struct lk_store *s, enum stmt which, const char *email,
    const char *text, long long num, const char *what)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc;

	if (sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC) != SQLITE_OK)
		return fail(s, st, what);
	if (which == ST_DELETE)
		;
	else if (text != NULL) {
		if (sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC) !=
		    SQLITE_OK)
			return fail(s, st, what);
	} else if (sqlite3_bind_int64(st, 2, num) != SQLITE_OK)
		return fail(s, st, what);
	if (which != ST_DELETE &&
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL)) != SQLITE_OK)
		return fail(s, st, what);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return fail(s, st, what);
	done(st);
	return sqlite3_changes(s->db) > 0 ? LK_STORE_OK : LK_STORE_NOT_FOUND;
}

enum lk_store_res
lk_store_user_set_name(struct lk_store *s, const char *email, const char *name)
{
	return update(s, ST_SET_NAME, email, name, 0, "set name");
}

enum lk_store_res
lk_store_user_set_hash(struct lk_store *s, const char *email, const char *hash)
{
	return update(s, ST_SET_HASH, email, hash, 0, "set hash");
}

enum lk_store_res
lk_store_user_set_disabled(struct lk_store *s, const char *email, int disabled)
{
	return update(s, ST_SET_DISABLED, email, NULL, disabled != 0,
	    "set disabled");
}

enum lk_store_res
lk_store_user_delete(struct lk_store *s, const char *email)
{
	return update(s, ST_DELETE, email, NULL, 0, "delete");
}

enum lk_store_res
lk_store_user_each(struct lk_store *s,
    int (*fn)(const struct lk_user *, void *), void *arg)
{
	sqlite3_stmt	*st = s->st[ST_EACH];
	struct lk_user	 u;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_user(st, &u);
		if (fn(&u, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, st, "list");
	done(st);
	return LK_STORE_OK;
}

/*
 * Run a prepared statement with text and integer parameters given as
 * "t" (text) and "i" (64-bit integer) in fmt.  Returns the step result.
 */
static int
run(struct lk_store *s, enum stmt which, const char *fmt, ...)
{
	sqlite3_stmt	*st = s->st[which];
	va_list		 ap;
	int		 i, rc = SQLITE_OK;

	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		if (fmt[i] == 't')
			rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *),
			    -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_int64(st, i + 1,
			    (sqlite3_int64)va_arg(ap, long long));
	}
	va_end(ap);
	if (rc != SQLITE_OK)
		return rc;
	return sqlite3_step(st);
}

static enum lk_store_res
run_done(struct lk_store *s, enum stmt which, const char *what, int rc)
{
	if (rc != SQLITE_DONE)
		return fail(s, s->st[which], what);
	done(s->st[which]);
	return LK_STORE_OK;
}

enum lk_store_res
lk_store_begin(struct lk_store *s)
{
	return run_done(s, ST_BEGIN, "begin", run(s, ST_BEGIN, ""));
}

enum lk_store_res
lk_store_commit(struct lk_store *s)
{
	return run_done(s, ST_COMMIT, "commit", run(s, ST_COMMIT, ""));
}

void
lk_store_rollback(struct lk_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)run_done(s, ST_ROLLBACK, "rollback",
		    run(s, ST_ROLLBACK, ""));
}

enum lk_store_res
lk_store_user_invalidate(struct lk_store *s, const char *email,
    const char *keep_family, long long now)
{
	enum lk_store_res	r;
	int			own;

	/* Inside the caller's transaction if there is one, else our own. */
	own = sqlite3_get_autocommit(s->db);
	if (own && lk_store_begin(s) != LK_STORE_OK)
		return LK_STORE_ERROR;
	r = run_done(s, ST_INVALIDATE, "invalidate",
	    run(s, ST_INVALIDATE, "ti", email, now));
	if (r == LK_STORE_OK && sqlite3_changes(s->db) == 0)
		r = LK_STORE_NOT_FOUND;
	if (r == LK_STORE_OK)
		r = run_done(s, ST_REVOKE_USER_FAMILIES, "revoke families",
		    run(s, ST_REVOKE_USER_FAMILIES, "tt", email,
		    keep_family != NULL ? keep_family : ""));
	if (r != LK_STORE_OK) {
		if (own)
			lk_store_rollback(s);
		return r;
	}
	return own ? lk_store_commit(s) : LK_STORE_OK;
}

enum lk_store_res
lk_store_refresh_add(struct lk_store *s, const struct lk_refresh *r)
{
	return run_done(s, ST_REFRESH_ADD, "add refresh token",
	    run(s, ST_REFRESH_ADD, "ttitii", r->jti, r->family, r->user_id,
	    r->access_jti, r->exp, r->family_started));
}

enum lk_store_res
lk_store_refresh_find(struct lk_store *s, const char *jti,
    struct lk_refresh *out)
{
	sqlite3_stmt	*st = s->st[ST_REFRESH_FIND];
	int		 rc;

	memset(out, 0, sizeof(*out));
	rc = run(s, ST_REFRESH_FIND, "t", jti);
	if (rc == SQLITE_DONE) {
		done(st);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, st, "find refresh token");
	(void)lk_strlcpy(out->jti, jti, sizeof(out->jti));
	copy_col(st, 0, out->family, sizeof(out->family));
	out->user_id = sqlite3_column_int64(st, 1);
	out->exp = sqlite3_column_int64(st, 2);
	out->family_started = sqlite3_column_int64(st, 3);
	out->rotated_at = sqlite3_column_int64(st, 4);
	out->revoked = sqlite3_column_int(st, 5) != 0;
	done(st);
	return LK_STORE_OK;
}

enum lk_store_res
lk_store_refresh_mark_rotated(struct lk_store *s, const char *jti,
    long long now)
{
	return run_done(s, ST_REFRESH_ROTATED, "rotate refresh token",
	    run(s, ST_REFRESH_ROTATED, "ti", jti, now));
}

enum lk_store_res
lk_store_family_revoke(struct lk_store *s, const char *family)
{
	return run_done(s, ST_FAMILY_REVOKE, "revoke family",
	    run(s, ST_FAMILY_REVOKE, "t", family));
}

enum lk_store_res
lk_store_family_of_access(struct lk_store *s, const char *access_jti,
    char *family, size_t familysz)
{
	sqlite3_stmt	*st = s->st[ST_FAMILY_OF_ACCESS];
	int		 rc;

	family[0] = '\0';
	rc = run(s, ST_FAMILY_OF_ACCESS, "t", access_jti);
	if (rc == SQLITE_DONE) {
		done(st);
		return LK_STORE_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return fail(s, st, "find family");
	copy_col(st, 0, family, familysz);
	done(st);
	return LK_STORE_OK;
}

enum lk_store_res
lk_store_revoke(struct lk_store *s, const char *jti, long long exp)
{
	return run_done(s, ST_REVOKE, "revoke", run(s, ST_REVOKE, "ti", jti,
	    exp));
}

enum lk_store_res
lk_store_is_revoked(struct lk_store *s, const char *jti)
{
	sqlite3_stmt	*st = s->st[ST_IS_REVOKED];
	int		 rc;

	rc = run(s, ST_IS_REVOKED, "t", jti);
	if (rc == SQLITE_ROW) {
		done(st);
		return LK_STORE_OK;
	}
	if (rc != SQLITE_DONE)
		return fail(s, st, "check revocation");
	done(st);
	return LK_STORE_NOT_FOUND;
}

enum lk_store_res
lk_store_prune(struct lk_store *s, long long now)
{
	enum lk_store_res	r;

	r = run_done(s, ST_PRUNE_REVOKED, "prune revoked",
	    run(s, ST_PRUNE_REVOKED, "i", now));
	if (r == LK_STORE_OK)
		r = run_done(s, ST_PRUNE_REFRESH, "prune refresh tokens",
		    run(s, ST_PRUNE_REFRESH, "i", now));
	if (r == LK_STORE_OK)
		r = run_done(s, ST_PRUNE_THROTTLE, "prune throttle",
		    run(s, ST_PRUNE_THROTTLE, "i", now));
	return r;
}

enum lk_store_res
lk_store_throttle_get(struct lk_store *s, const char *key, long long window,
    long long now, long long *failures, long long *window_end)
{
	sqlite3_stmt	*st = s->st[ST_THROTTLE_GET];
	long long	 start;
	int		 rc;

	*failures = 0;
	*window_end = now;
	rc = run(s, ST_THROTTLE_GET, "t", key);
	if (rc == SQLITE_DONE) {
		done(st);
		return LK_STORE_OK;
	}
	if (rc != SQLITE_ROW)
		return fail(s, st, "throttle");
	start = sqlite3_column_int64(st, 1);
	if (start + window > now) {
		*failures = sqlite3_column_int64(st, 0);
		*window_end = start + window;
	}
	done(st);
	return LK_STORE_OK;
}

enum lk_store_res
lk_store_throttle_fail(struct lk_store *s, const char *key, long long window,
    long long now)
{
	return run_done(s, ST_THROTTLE_SET, "throttle",
	    run(s, ST_THROTTLE_SET, "tii", key, now, window));
}

enum lk_store_res
lk_store_throttle_clear(struct lk_store *s, const char *key)
{
	return run_done(s, ST_THROTTLE_CLEAR, "throttle",
	    run(s, ST_THROTTLE_CLEAR, "t", key));
}
