/*
 * The SQL driver on SQLite: one database file in WAL mode, opened once per
 * process, every statement prepared the first time it runs and kept
 * (SQLITE_PREPARE_PERSISTENT), so that a request (a CGI process) prepares
 * only what it runs.  Writers take the write lock at once (BEGIN
 * IMMEDIATE), so concurrent processes queue instead of failing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/util.h"
#include "domain/store/sql.h"

struct sqlite_conn {
	struct lk_sqlc	 base;		/* first: what the store holds */
	sqlite3		*db;
	sqlite3_stmt	*st[LK_SQL_STMTS_MAX];
	sqlite3_stmt	*cur;		/* the current statement */
	sqlite3_stmt	*begin, *begin_read, *commit, *rollback;
	int		 rc;		/* of the last failure */
	char		 msg[256];	/* ...and its words */
	char		 path[512];
};

#define SQ(c)	((struct sqlite_conn *)(void *)(c))

/* Note the database's last failure; -1. */
static int
failed(struct sqlite_conn *sc, int rc)
{
	sc->rc = rc;
	(void)snprintf(sc->msg, sizeof(sc->msg), "%s", sqlite3_errmsg(sc->db));
	return -1;
}

static int
sq_prepare(struct lk_sqlc *c, int id, const char *sql, int stream)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc;

	(void)stream;		/* SQLite steps through rows as they come */
	sc->cur = NULL;
	if (id < 0 || id >= LK_SQL_STMTS_MAX)
		return failed(sc, SQLITE_MISUSE);
	if (sc->st[id] == NULL && (rc = sqlite3_prepare_v3(sc->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &sc->st[id], NULL)) != SQLITE_OK) {
		(void)failed(sc, rc);
		sqlite3_finalize(sc->st[id]);
		sc->st[id] = NULL;
		return -1;
	}
	sc->cur = sc->st[id];
	return 0;
}

static int
sq_bind_text(struct lk_sqlc *c, int i, const char *v)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc;

	if ((rc = sqlite3_bind_text(sc->cur, i, v != NULL ? v : "", -1,
	    SQLITE_STATIC)) != SQLITE_OK)
		return failed(sc, rc);
	return 0;
}

static int
sq_bind_int(struct lk_sqlc *c, int i, long long v)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc;

	if ((rc = sqlite3_bind_int64(sc->cur, i, (sqlite3_int64)v)) !=
	    SQLITE_OK)
		return failed(sc, rc);
	return 0;
}

static int
sq_bind_null(struct lk_sqlc *c, int i)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc;

	if ((rc = sqlite3_bind_null(sc->cur, i)) != SQLITE_OK)
		return failed(sc, rc);
	return 0;
}

static enum lk_sql_step
sq_step(struct lk_sqlc *c)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc;

	if (sc->cur == NULL) {
		(void)failed(sc, SQLITE_MISUSE);
		return LK_SQL_FAIL;
	}
	switch ((rc = sqlite3_step(sc->cur))) {
	case SQLITE_ROW:
		return LK_SQL_ROW;
	case SQLITE_DONE:
		return LK_SQL_DONE;
	default:
		(void)failed(sc, rc);
		return LK_SQL_FAIL;
	}
}

static int
sq_column_null(struct lk_sqlc *c, int col)
{
	return sqlite3_column_type(SQ(c)->cur, col) == SQLITE_NULL;
}

static const char *
sq_column_text(struct lk_sqlc *c, int col, size_t *len)
{
	sqlite3_stmt		*st = SQ(c)->cur;
	const unsigned char	*t;
	int			 n;

	*len = 0;
	if ((t = sqlite3_column_text(st, col)) == NULL ||
	    (n = sqlite3_column_bytes(st, col)) < 0)
		return NULL;
	*len = (size_t)n;
	return (const char *)t;
}

/* An integer column; anything SQLite would have to convert is -1. */
static int
sq_column_int(struct lk_sqlc *c, int col, long long *v)
{
	sqlite3_stmt	*st = SQ(c)->cur;

	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -1;
	*v = sqlite3_column_int64(st, col);
	return 0;
}

static long long
sq_changes(struct lk_sqlc *c)
{
	return sqlite3_changes(SQ(c)->db);
}

static void
sq_reset(struct lk_sqlc *c)
{
	struct sqlite_conn	*sc = SQ(c);

	if (sc->cur != NULL) {
		sqlite3_reset(sc->cur);
		sqlite3_clear_bindings(sc->cur);
		sc->cur = NULL;
	}
}

/* Run one of the transaction statements, prepared once: 0 or -1. */
static int
control(struct sqlite_conn *sc, sqlite3_stmt **st, const char *sql)
{
	int	rc;

	if (*st == NULL && (rc = sqlite3_prepare_v3(sc->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, st, NULL)) != SQLITE_OK)
		return failed(sc, rc);
	rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? 0 : failed(sc, rc);
}

static int
sq_begin(struct lk_sqlc *c, enum lk_sql_mode mode)
{
	struct sqlite_conn	*sc = SQ(c);

	switch (mode) {
	case LK_SQL_READ:
		return 0;
	case LK_SQL_SNAPSHOT:
		/* Deferred: the first read takes the snapshot. */
		return control(sc, &sc->begin_read, "BEGIN");
	default:
		return control(sc, &sc->begin, "BEGIN IMMEDIATE");
	}
}

static void
sq_rollback(struct lk_sqlc *c)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 rc = sc->rc;
	char			 msg[sizeof(sc->msg)];

	/* The failure that called for it is the one to report. */
	memcpy(msg, sc->msg, sizeof(msg));
	if (!sqlite3_get_autocommit(sc->db))
		(void)control(sc, &sc->rollback, "ROLLBACK");
	sc->rc = rc;
	memcpy(sc->msg, msg, sizeof(msg));
}

static int
sq_commit(struct lk_sqlc *c)
{
	struct sqlite_conn	*sc = SQ(c);

	if (sqlite3_get_autocommit(sc->db))
		return 0;
	if (control(sc, &sc->commit, "COMMIT") == -1) {
		sq_rollback(c);
		return -1;
	}
	return 0;
}

static enum lk_sql_failure
sq_failure(struct lk_sqlc *c, char *msg, size_t msgsz)
{
	struct sqlite_conn	*sc = SQ(c);

	if (msg != NULL && msgsz > 0)
		(void)snprintf(msg, msgsz, "%s", sc->msg);
	switch (sc->rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return LK_SQL_UNIQUE;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return LK_SQL_FOREIGN;
	default:
		break;
	}
	switch (sc->rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return LK_SQL_RETRY;
	default:
		return LK_SQL_ERROR;
	}
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
user_version(sqlite3 *db)
{
	sqlite3_stmt	*st = NULL;
	int		 version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/*
 * Bring the schema up to date; PRAGMA user_version says how many
 * migrations have run.  A database that is current costs one read and no
 * lock, so a request (a CGI process) that only reads never writes; one
 * that is behind is migrated under the write lock, read again inside it
 * so that two processes never both migrate.
 */
static int
sq_migrate(struct lk_sqlc *c, const struct lk_sql_migration *m, size_t n,
    int current, char *err, size_t errsz)
{
	struct sqlite_conn	*sc = SQ(c);
	const char		*path = sc->path;
	char			 why[512], sql[64];
	size_t			 i, k;
	int			 version;

	if ((version = user_version(sc->db)) == current)
		goto ready;
	if (version < 0) {
		(void)snprintf(err, errsz, "%s: %s", path,
		    sqlite3_errmsg(sc->db));
		return -1;
	}
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", path, version, current);
		return -1;
	}
	if (exec(sc->db, "PRAGMA journal_mode = WAL", why, sizeof(why)) == -1 ||
	    exec(sc->db, "BEGIN IMMEDIATE", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	if ((version = user_version(sc->db)) < 0) {
		(void)snprintf(err, errsz, "%s: %s", path,
		    sqlite3_errmsg(sc->db));
		goto fail;
	}
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", path, version, current);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (m[i].version <= version)
			continue;
		for (k = 0; m[i].sql[k] != NULL; k++)
			if (exec(sc->db, m[i].sql[k], why, sizeof(why)) == -1) {
				(void)snprintf(err, errsz, "%s: migration %d: "
				    "%s", path, m[i].version, why);
				goto fail;
			}
	}
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", current);
	if (exec(sc->db, sql, why, sizeof(why)) == -1 ||
	    exec(sc->db, "COMMIT", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
ready:
	/*
	 * SQLite opens a file it cannot write read-only, and such a
	 * connection stays so: refuse it, so that start-up is tried again
	 * (and succeeds once the file is writable) rather than failing every
	 * write for the life of the process.
	 */
	if (sqlite3_db_readonly(sc->db, "main") != 0) {
		(void)snprintf(err, errsz, "%s: read-only (the file, its "
		    "directory or its file system cannot be written)", path);
		return -1;
	}
	return 0;
fail:
	(void)exec(sc->db, "ROLLBACK", why, sizeof(why));
	return -1;
}

static void
sq_close(struct lk_sqlc *c)
{
	struct sqlite_conn	*sc = SQ(c);
	int			 i;

	for (i = 0; i < LK_SQL_STMTS_MAX; i++)
		sqlite3_finalize(sc->st[i]);
	sqlite3_finalize(sc->begin);
	sqlite3_finalize(sc->begin_read);
	sqlite3_finalize(sc->commit);
	sqlite3_finalize(sc->rollback);
	/*
	 * A connection that wrote checkpoints as it closes (and, the last
	 * one, removes the WAL): a WAL left full would cost every later
	 * plain-CGI process, the first connection to open it, a read of it
	 * all.  One that only read leaves things as they were.
	 */
	if (sc->db != NULL && sqlite3_total_changes(sc->db) > 0)
		(void)sqlite3_db_config(sc->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
		    0, NULL);
	sqlite3_close(sc->db);
	free(sc);
}

static const struct lk_sql_driver sqlite_driver = {
	LK_SQL_SQLITE,
	sq_prepare,
	sq_bind_text,
	sq_bind_int,
	sq_bind_null,
	sq_step,
	sq_column_null,
	sq_column_text,
	sq_column_int,
	sq_changes,
	sq_reset,
	sq_begin,
	sq_commit,
	sq_rollback,
	sq_failure,
	sq_migrate,
	sq_close,
};

struct lk_sqlc *
lk_sql_sqlite_open(const char *path, int create, char *err, size_t errsz)
{
	struct sqlite_conn	*sc;
	char			 why[512];
	int			 flags, fd;

	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	sc->base.drv = &sqlite_driver;
	(void)lk_strlcpy(sc->path, path, sizeof(sc->path));
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
	if (sqlite3_open_v2(path, &sc->db, flags, NULL) != SQLITE_OK) {
		(void)snprintf(err, errsz, "%s: %s", path, sc->db != NULL ?
		    sqlite3_errmsg(sc->db) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	/* Wait for other processes' writes rather than fail at once. */
	sqlite3_busy_timeout(sc->db, 5000);
	/*
	 * No checkpoint when this process closes the database, unless it
	 * wrote (sq_close): a process that only read (a CGI request) writes
	 * nothing.
	 */
	(void)sqlite3_db_config(sc->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL);
	if (exec(sc->db, "PRAGMA synchronous = FULL", why, sizeof(why)) == -1 ||
	    exec(sc->db, "PRAGMA foreign_keys = ON", why, sizeof(why)) == -1 ||
	    exec(sc->db, "PRAGMA trusted_schema = OFF", why, sizeof(why)) == -1 ||
	    /* Bound each process's private memory (SQLite's default is 2 MiB). */
	    exec(sc->db, "PRAGMA cache_size = -512", why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	return &sc->base;
fail:
	sq_close(&sc->base);
	return NULL;
}
