#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
	ST__MAX
};

static const char *const stmts[ST__MAX] = {
	"SELECT id, email, name, hash, disabled, created, updated "
	    "FROM users WHERE email = ?1",			/* ST_FIND */
	"INSERT INTO users (email, name, hash, created, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?4)",			/* ST_ADD */
	"UPDATE users SET name = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_NAME */
	"UPDATE users SET hash = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_HASH */
	"UPDATE users SET disabled = ?2, updated = ?3 WHERE email = ?1", /* ST_SET_DISABLED */
	"DELETE FROM users WHERE email = ?1",			/* ST_DELETE */
	"SELECT id, email, name, hash, disabled, created, updated "
	    "FROM users ORDER BY email COLLATE NOCASE",		/* ST_EACH */
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
	    exec(s->db, "PRAGMA trusted_schema = OFF", why, sizeof(why)) == -1) {
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
