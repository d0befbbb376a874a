#ifndef LK_SQL_H
#define LK_SQL_H

#include <stddef.h>

/*
 * The SQL driver beneath the store: one connection to one database, and
 * the dozen calls the store's operations are written with, the same on
 * every engine (SQLite: sql_sqlite.c; PostgreSQL: sql_pg.c; MariaDB and
 * MySQL: sql_mysql.c).  The store (store.c) holds the SQL and the
 * transactions; a driver only runs what it is given.
 *
 * Statements are named by a small number (the store's statement ids) and
 * prepared the first time that number is used on the connection, again
 * after a reconnect.  Parameters are written ?1, ?2 ... in the SQL, each
 * bound by its number (a number used twice is bound once); every value is
 * passed apart from the SQL, never spliced into it.  One statement runs at
 * a time: lk_sql_prepare makes it the current one, lk_sql_reset ends it.
 *
 * Failures are not logged here, but described (lk_sql_failure) for the
 * store to log with what it was doing; a driver logs only its own
 * connection's comings and goings.
 */

enum lk_sql_engine {
	LK_SQL_SQLITE,
	LK_SQL_PG,
	LK_SQL_MYSQL,
	LK_SQL__MAX
};

enum lk_sql_mode {
	LK_SQL_READ,		/* no transaction: each statement stands alone */
	LK_SQL_WRITE,		/* a transaction that may write */
	LK_SQL_COPY,		/* a write transaction whose locks keep out
				   every other writer of what it locks */
	LK_SQL_SNAPSHOT,	/* read only, one snapshot, no time limit */
	LK_SQL_MODE__MAX
};

enum lk_sql_step {
	LK_SQL_ROW,		/* a row is there to read */
	LK_SQL_DONE,		/* no (more) rows: the statement ran */
	LK_SQL_FAIL		/* it failed: lk_sql_failure says how */
};

enum lk_sql_failure {
	LK_SQL_ERROR,		/* anything else */
	LK_SQL_RETRY,		/* a deadlock, serialization failure or lock
				   wait: the whole transaction may run again */
	LK_SQL_LOST,		/* the connection went away (opened again at
				   the next lk_sql_begin) */
	LK_SQL_DOWN,		/* it could not be opened again (logged) */
	LK_SQL_UNIQUE,		/* a unique or primary key was taken */
	LK_SQL_FOREIGN,		/* a foreign key refers to nothing */
	LK_SQL_FAILURE__MAX
};

/* The most parameters (?N) and columns of one statement, and statements. */
#define LK_SQL_PARAMS_MAX	16
#define LK_SQL_COLUMNS_MAX	24
#define LK_SQL_STMTS_MAX	256

/*
 * A schema migration of one engine: the statements that bring a database
 * to version, in order.
 */
struct lk_sql_migration {
	int			 version;
	const char *const	*sql;	/* NULL-terminated */
};

struct lk_sqlc;

struct lk_sql_driver {
	enum lk_sql_engine engine;
	int	(*prepare)(struct lk_sqlc *, int, const char *, int);
	int	(*bind_text)(struct lk_sqlc *, int, const char *);
	int	(*bind_int)(struct lk_sqlc *, int, long long);
	int	(*bind_null)(struct lk_sqlc *, int);
	enum lk_sql_step (*step)(struct lk_sqlc *);
	int	(*column_null)(struct lk_sqlc *, int);
	const char *(*column_text)(struct lk_sqlc *, int, size_t *);
	int	(*column_int)(struct lk_sqlc *, int, long long *);
	long long (*changes)(struct lk_sqlc *);
	void	(*reset)(struct lk_sqlc *);
	int	(*begin)(struct lk_sqlc *, enum lk_sql_mode);
	int	(*commit)(struct lk_sqlc *);
	void	(*rollback)(struct lk_sqlc *);
	enum lk_sql_failure (*failure)(struct lk_sqlc *, char *, size_t);
	int	(*migrate)(struct lk_sqlc *, const struct lk_sql_migration *,
		    size_t, int, char *, size_t);
	void	(*close)(struct lk_sqlc *);
};

/* Every driver's connection starts with this. */
struct lk_sqlc {
	const struct lk_sql_driver *drv;
};

/* How lk_sql_open opens a connection. */
struct lk_sql_options {
	int		 create;	/* SQLite: make the file (0600) if missing */
	const char	*password_file;	/* PostgreSQL, MariaDB: see store.h */
};

/*
 * Open where: a "postgresql://" or "postgres://" URI (sql_pg.c), a
 * "mysql://" URI (sql_mysql.c), or else the path of an SQLite file.
 * Returns the connection, or NULL with a reason in err (never a password).
 */
struct lk_sqlc *lk_sql_open(const char *where,
	    const struct lk_sql_options *opts, char *err, size_t errsz);

/* Which engine where names, as lk_sql_open would open it. */
enum lk_sql_engine lk_sql_engine_of(const char *where);

/* The drivers' own openers, called by lk_sql_open. */
struct lk_sqlc *lk_sql_sqlite_open(const char *path, int create, char *err,
	    size_t errsz);
struct lk_sqlc *lk_sql_pg_open(const char *uri, const char *password_file,
	    char *err, size_t errsz);
struct lk_sqlc *lk_sql_mysql_open(const char *uri, const char *password_file,
	    char *err, size_t errsz);

/*
 * The calls, each through the connection's driver.
 *
 * lk_sql_prepare makes statement id (with its SQL, which must be the same
 * every time for one id) the current one, its parameters unbound; with
 * stream set its rows are handed over as they arrive instead of read
 * whole first (a listing of every user, a copy), and no other statement
 * may run on the connection until it is reset.  0, or -1 if it cannot be
 * (a bad id).  The bind calls set parameter ?i; 0 or -1.  lk_sql_step
 * runs the statement the first time and moves to its next row.  The
 * column calls read column col (from 0) of the row: lk_sql_column_null
 * whether it is SQL NULL, lk_sql_column_text
 * gives the text and its length in bytes (NULL for SQL NULL, or a value
 * too long to have been read whole), lk_sql_column_int the integer (-1 if
 * NULL or not an integer).  lk_sql_changes is how many rows the statement
 * wrote (matched, for an UPDATE).  lk_sql_reset ends the current
 * statement, reading and dropping any rows left.
 *
 * lk_sql_begin starts the work of one operation in mode (LK_SQL_READ
 * starts no transaction), opening the connection again first if it was
 * lost; 0, or -1 (lk_sql_failure says why).  lk_sql_commit ends it: 0, or
 * -1 if the transaction did not commit (it is then rolled back).
 * lk_sql_rollback undoes what a transaction under way did (nothing
 * outside one).  lk_sql_failure classifies the last failure and writes
 * the engine's words for it (one line, with its code) into msg.
 *
 * lk_sql_migrate brings the schema to version with the engine's list of
 * migrations (each applied only if the database is behind it), under a
 * lock that keeps other processes from migrating at the same time; a
 * database at version costs a read and writes nothing.  0, or -1 with the
 * reason in err.
 */
static inline int
lk_sql_prepare(struct lk_sqlc *c, int id, const char *sql, int stream)
{
	return c->drv->prepare(c, id, sql, stream);
}

static inline int
lk_sql_bind_text(struct lk_sqlc *c, int i, const char *v)
{
	return c->drv->bind_text(c, i, v);
}

static inline int
lk_sql_bind_int(struct lk_sqlc *c, int i, long long v)
{
	return c->drv->bind_int(c, i, v);
}

static inline int
lk_sql_bind_null(struct lk_sqlc *c, int i)
{
	return c->drv->bind_null(c, i);
}

static inline enum lk_sql_step
lk_sql_step(struct lk_sqlc *c)
{
	return c->drv->step(c);
}

static inline int
lk_sql_column_null(struct lk_sqlc *c, int col)
{
	return c->drv->column_null(c, col);
}

static inline const char *
lk_sql_column_text(struct lk_sqlc *c, int col, size_t *len)
{
	return c->drv->column_text(c, col, len);
}

static inline int
lk_sql_column_int(struct lk_sqlc *c, int col, long long *v)
{
	return c->drv->column_int(c, col, v);
}

static inline long long
lk_sql_changes(struct lk_sqlc *c)
{
	return c->drv->changes(c);
}

static inline void
lk_sql_reset(struct lk_sqlc *c)
{
	c->drv->reset(c);
}

static inline int
lk_sql_begin(struct lk_sqlc *c, enum lk_sql_mode mode)
{
	return c->drv->begin(c, mode);
}

static inline int
lk_sql_commit(struct lk_sqlc *c)
{
	return c->drv->commit(c);
}

static inline void
lk_sql_rollback(struct lk_sqlc *c)
{
	c->drv->rollback(c);
}

static inline enum lk_sql_failure
lk_sql_failure(struct lk_sqlc *c, char *msg, size_t msgsz)
{
	return c->drv->failure(c, msg, msgsz);
}

static inline int
lk_sql_migrate(struct lk_sqlc *c, const struct lk_sql_migration *m, size_t n,
    int version, char *err, size_t errsz)
{
	return c->drv->migrate(c, m, n, version, err, errsz);
}

static inline void
lk_sql_close(struct lk_sqlc *c)
{
	if (c != NULL)
		c->drv->close(c);
}

/* Helpers the drivers share (sql.c). */

/* A driver's message on one line (tabs and newlines folded), into buf. */
const char *lk_sql_oneline(const char *msg, char *buf, size_t bufsz);

/* A decimal integer, with an optional '-': 0, or -1 for anything else. */
int	lk_sql_parse_int(const char *v, long long *out);

/* The password in path: the one line of a private file; 0 or -1 (err). */
int	lk_sql_read_password(const char *path, char *buf, size_t bufsz,
	    char *err, size_t errsz);

/*
 * Copy the database URI uri into out (of size outsz) with every
 * password it holds replaced by "***": the one of its user information
 * ("postgresql://USER:PASSWORD@HOST/...", up to the last '@' before the
 * parameters, so a password libpq would misread as a port is one too),
 * and the value of a "password" or "sslpassword" parameter (its name
 * percent-encoded or not, in any case).  For messages about a URI, which
 * must never show its password (lk_store_open refuses a URI holding
 * one).  Returns how many were replaced, or -1 if the result does not fit
 * (out then holds "postgresql://...").
 */
int	lk_sql_uri_redact(const char *uri, char *out, size_t outsz);

#endif
