/*
 * The SQL driver on PostgreSQL: one connection per process, each statement
 * prepared on it the first time it runs (again after a reconnect), its ?N
 * placeholders written $N and the types of its parameters given from the
 * values first bound to it (text, or bigint), every value passed apart
 * from the SQL, as text.  Transactions run at the server's default
 * isolation (READ COMMITTED, unless the server says otherwise: then the
 * store runs a transaction that fails on a serialization failure again).
 * A connection found lost before an operation did anything is opened
 * again, and the operation goes on there; one lost in the middle of a
 * transaction fails it.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/log.h"
#include "base/util.h"
#include "domain/store/sql.h"

/*
 * libpq is loaded when a PostgreSQL database is first opened, not linked:
 * it brings some twenty libraries (Kerberos, LDAP, GnuTLS, ...) that a
 * program on SQLite would map and relocate at every plain-CGI start.
 * Every libpq function this file calls is in this list, and called
 * through the pointer of the same name.
 */
#define PQ_FUNCS(X) \
	X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams) \
	X(PQconninfoFree) X(PQconninfoParse) X(PQerrorMessage) X(PQexec) \
	X(PQexecParams) X(PQexecPrepared) X(PQfinish) X(PQfreemem) \
	X(PQgetResult) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) \
	X(PQnfields) X(PQntuples) X(PQparameterStatus) X(PQprepare) \
	X(PQreset) X(PQresultErrorField) X(PQresultStatus) \
	X(PQsendQueryPrepared) X(PQsetSingleRowMode) X(PQstatus) \
	X(PQtransactionStatus) X(PQuser)

#define PQ_POINTER(f)	static __typeof__(f) *pq_##f;
PQ_FUNCS(PQ_POINTER)
#undef PQ_POINTER

#define PQclear			pq_PQclear
#define PQcmdStatus		pq_PQcmdStatus
#define PQcmdTuples		pq_PQcmdTuples
#define PQconnectdbParams	pq_PQconnectdbParams
#define PQconninfoFree		pq_PQconninfoFree
#define PQconninfoParse		pq_PQconninfoParse
#define PQerrorMessage		pq_PQerrorMessage
#define PQexec			pq_PQexec
#define PQexecParams		pq_PQexecParams
#define PQexecPrepared		pq_PQexecPrepared
#define PQfinish		pq_PQfinish
#define PQfreemem		pq_PQfreemem
#define PQgetResult		pq_PQgetResult
#define PQgetisnull		pq_PQgetisnull
#define PQgetlength		pq_PQgetlength
#define PQgetvalue		pq_PQgetvalue
#define PQnfields		pq_PQnfields
#define PQntuples		pq_PQntuples
#define PQparameterStatus	pq_PQparameterStatus
#define PQprepare		pq_PQprepare
#define PQreset			pq_PQreset
#define PQresultErrorField	pq_PQresultErrorField
#define PQresultStatus		pq_PQresultStatus
#define PQsendQueryPrepared	pq_PQsendQueryPrepared
#define PQsetSingleRowMode	pq_PQsetSingleRowMode
#define PQstatus		pq_PQstatus
#define PQtransactionStatus	pq_PQtransactionStatus
#define PQuser			pq_PQuser

/* Load libpq once per process: 0, or -1 with err set. */
static int
pq_load(char *err, size_t errsz)
{
	static int	 loaded;
	void		*h;
	void		*sym;

	if (loaded)
		return 0;
	if ((h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		(void)snprintf(err, errsz, "cannot load libpq (Debian: the "
		    "libpq5 package): %s", dlerror());
		return -1;
	}
#define PQ_LOAD(f) \
	if ((sym = dlsym(h, #f)) == NULL) { \
		(void)snprintf(err, errsz, "libpq has no %s", #f); \
		return -1; \
	} \
	memcpy(&pq_##f, &sym, sizeof(sym));
	PQ_FUNCS(PQ_LOAD)
#undef PQ_LOAD
	loaded = 1;
	return 0;
}

/* The connection's defaults, before the URI (which may override them). */
static const char *const default_keys[] = {
	"connect_timeout", "options", "application_name"
};
static const char *const default_values[] = {
	"5", "-c statement_timeout=5000", "latchkey"
};

#define NDEFAULTS	(sizeof(default_keys) / sizeof(default_keys[0]))
#define PASSWORD_MAX	1024
/* The types of parameters: text, bigint (pg_type.h), or unknown. */
#define TEXTOID		25
#define INT8OID		20

struct pg_conn {
	struct lk_sqlc	 base;		/* first: what the store holds */
	PGconn		*conn;
	unsigned char	 prepared[LK_SQL_STMTS_MAX];	/* on this connection */
	/* The current statement. */
	int		 id;		/* -1: none */
	const char	*sql;
	int		 stream;	/* rows one at a time (single-row mode) */
	int		 started;	/* sent */
	int		 streaming;	/* results still to read */
	const char	*values[LK_SQL_PARAMS_MAX];
	char		 num[LK_SQL_PARAMS_MAX][24];
	Oid		 types[LK_SQL_PARAMS_MAX];
	int		 nparams;
	PGresult	*res;
	int		 row, nrows;
	/* The last failure. */
	enum lk_sql_failure failure;
	char		 msg[512];
	char		 uri[512];	/* for migrate's messages */
};

#define PG(c)	((struct pg_conn *)(void *)(c))

/* Note how the last call failed (res may be NULL); -1. */
static int
failed(struct pg_conn *pc, const PGresult *res)
{
	const char	*state = NULL, *msg = NULL;
	char		 buf[400];

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (msg == NULL)
		msg = PQerrorMessage(pc->conn);
	(void)lk_sql_oneline(msg, buf, sizeof(buf));
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		pc->failure = LK_SQL_LOST;
		(void)snprintf(pc->msg, sizeof(pc->msg), "%s", buf);
		return -1;
	}
	(void)snprintf(pc->msg, sizeof(pc->msg), "%s (SQLSTATE %s)", buf,
	    state != NULL ? state : "none");
	pc->failure = LK_SQL_ERROR;
	if (state == NULL)
		return -1;
	/* serialization_failure, deadlock_detected */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		pc->failure = LK_SQL_RETRY;
	else if (strcmp(state, "23505") == 0)
		pc->failure = LK_SQL_UNIQUE;
	else if (strcmp(state, "23503") == 0)
		pc->failure = LK_SQL_FOREIGN;
	return -1;
}

static void
drop_results(struct pg_conn *pc)
{
	PGresult	*res;

	PQclear(pc->res);
	pc->res = NULL;
	while (pc->streaming && (res = PQgetResult(pc->conn)) != NULL)
		PQclear(res);
	pc->streaming = 0;
}

static void
pg_reset(struct lk_sqlc *c)
{
	struct pg_conn	*pc = PG(c);

	drop_results(pc);
	pc->id = -1;
	pc->started = 0;
	pc->nparams = 0;
	pc->row = pc->nrows = 0;
}

static int
pg_prepare(struct lk_sqlc *c, int id, const char *sql, int stream)
{
	struct pg_conn	*pc = PG(c);
	int		 i;

	pg_reset(c);
	if (id < 0 || id >= LK_SQL_STMTS_MAX) {
		pc->failure = LK_SQL_ERROR;
		(void)snprintf(pc->msg, sizeof(pc->msg), "no statement %d", id);
		return -1;
	}
	pc->id = id;
	pc->sql = sql;
	pc->stream = stream;
	for (i = 0; i < LK_SQL_PARAMS_MAX; i++) {
		pc->values[i] = NULL;
		pc->types[i] = 0;
	}
	return 0;
}

static int
param(struct pg_conn *pc, int i)
{
	if (i < 1 || i > LK_SQL_PARAMS_MAX) {
		pc->failure = LK_SQL_ERROR;
		(void)snprintf(pc->msg, sizeof(pc->msg), "no parameter %d", i);
		return -1;
	}
	if (i > pc->nparams)
		pc->nparams = i;
	return 0;
}

static int
pg_bind_text(struct lk_sqlc *c, int i, const char *v)
{
	struct pg_conn	*pc = PG(c);

	if (param(pc, i) == -1)
		return -1;
	pc->values[i - 1] = v != NULL ? v : "";
	pc->types[i - 1] = TEXTOID;
	return 0;
}

static int
pg_bind_int(struct lk_sqlc *c, int i, long long v)
{
	struct pg_conn	*pc = PG(c);

	if (param(pc, i) == -1)
		return -1;
	(void)snprintf(pc->num[i - 1], sizeof(pc->num[i - 1]), "%lld", v);
	pc->values[i - 1] = pc->num[i - 1];
	pc->types[i - 1] = INT8OID;
	return 0;
}

static int
pg_bind_null(struct lk_sqlc *c, int i)
{
	struct pg_conn	*pc = PG(c);

	if (param(pc, i) == -1)
		return -1;
	pc->values[i - 1] = NULL;
	pc->types[i - 1] = 0;
	return 0;
}

/*
 * Prepare the current statement on this connection unless it is already:
 * its ?N written $N (same length), the types those bound now.
 */
static int
prepare_here(struct pg_conn *pc)
{
	PGresult	*res;
	char		 name[16], *sql;
	size_t		 i, len;
	int		 quoted = 0, rc = 0;

	if (pc->prepared[pc->id])
		return 0;
	len = strlen(pc->sql);
	if ((sql = malloc(len + 1)) == NULL) {
		pc->failure = LK_SQL_ERROR;
		(void)snprintf(pc->msg, sizeof(pc->msg), "out of memory");
		return -1;
	}
	for (i = 0; i <= len; i++) {
		sql[i] = pc->sql[i];
		if (pc->sql[i] == '\'')
			quoted = !quoted;
		else if (!quoted && pc->sql[i] == '?' &&
		    pc->sql[i + 1] >= '0' && pc->sql[i + 1] <= '9')
			sql[i] = '$';
	}
	(void)snprintf(name, sizeof(name), "lk%d", pc->id);
	res = PQprepare(pc->conn, name, sql, pc->nparams, pc->types);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = failed(pc, res);
	else
		pc->prepared[pc->id] = 1;
	PQclear(res);
	return rc;
}

/* Send the current statement; 0 or -1. */
static int
start(struct pg_conn *pc)
{
	char	name[16];

	pc->started = 1;
	if (pc->id < 0) {
		pc->failure = LK_SQL_ERROR;
		(void)snprintf(pc->msg, sizeof(pc->msg), "no statement");
		return -1;
	}
	if (prepare_here(pc) == -1)
		return -1;
	(void)snprintf(name, sizeof(name), "lk%d", pc->id);
	if (pc->stream) {
		if (!PQsendQueryPrepared(pc->conn, name, pc->nparams,
		    pc->values, NULL, NULL, 0))
			return failed(pc, NULL);
		pc->streaming = 1;
		(void)PQsetSingleRowMode(pc->conn);
		return 0;
	}
	pc->res = PQexecPrepared(pc->conn, name, pc->nparams, pc->values, NULL,
	    NULL, 0);
	switch (PQresultStatus(pc->res)) {
	case PGRES_TUPLES_OK:
		pc->nrows = PQntuples(pc->res);
		pc->row = -1;
		return 0;
	case PGRES_COMMAND_OK:
		pc->nrows = 0;
		pc->row = -1;
		return 0;
	default:
		(void)failed(pc, pc->res);
		PQclear(pc->res);
		pc->res = NULL;
		return -1;
	}
}

static enum lk_sql_step
pg_step(struct lk_sqlc *c)
{
	struct pg_conn	*pc = PG(c);

	if (!pc->started && start(pc) == -1)
		return LK_SQL_FAIL;
	if (!pc->stream) {
		if (pc->res == NULL)
			return LK_SQL_FAIL;
		return ++pc->row < pc->nrows ? LK_SQL_ROW : LK_SQL_DONE;
	}
	/* Single-row mode: a result per row, then one with none. */
	PQclear(pc->res);
	pc->res = NULL;
	pc->row = 0;
	if (!pc->streaming)
		return LK_SQL_DONE;
	if ((pc->res = PQgetResult(pc->conn)) == NULL) {
		pc->streaming = 0;
		return LK_SQL_DONE;
	}
	switch (PQresultStatus(pc->res)) {
	case PGRES_SINGLE_TUPLE:
		return LK_SQL_ROW;
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		drop_results(pc);
		return LK_SQL_DONE;
	default:
		(void)failed(pc, pc->res);
		drop_results(pc);
		return LK_SQL_FAIL;
	}
}

static int
there(struct pg_conn *pc, int col)
{
	return pc->res != NULL && pc->row >= 0 && pc->row <
	    PQntuples(pc->res) && col >= 0 && col < PQnfields(pc->res);
}

static int
pg_column_null(struct lk_sqlc *c, int col)
{
	struct pg_conn	*pc = PG(c);

	return !there(pc, col) || PQgetisnull(pc->res, pc->row, col);
}

static const char *
pg_column_text(struct lk_sqlc *c, int col, size_t *len)
{
	struct pg_conn	*pc = PG(c);

	*len = 0;
	if (pg_column_null(c, col))
		return NULL;
	*len = (size_t)PQgetlength(pc->res, pc->row, col);
	return PQgetvalue(pc->res, pc->row, col);
}

static int
pg_column_int(struct lk_sqlc *c, int col, long long *v)
{
	struct pg_conn	*pc = PG(c);

	if (pg_column_null(c, col))
		return -1;
	return lk_sql_parse_int(PQgetvalue(pc->res, pc->row, col), v);
}

static long long
pg_changes(struct lk_sqlc *c)
{
	struct pg_conn	*pc = PG(c);
	long long	 n;

	if (pc->res == NULL ||
	    lk_sql_parse_int(PQcmdTuples(pc->res), &n) == -1)
		return 0;
	return n;
}

/* A command without parameters or rows (BEGIN, COMMIT, ...): 0 or -1. */
static int
simple(struct pg_conn *pc, const char *sql)
{
	PGresult	*res;
	int		 rc = 0;

	res = PQexec(pc->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = failed(pc, res);
	PQclear(res);
	return rc;
}

/*
 * Make sure the connection is up: after it was lost, connect again (the
 * statements are prepared again as they are used).
 */
static int
connected(struct pg_conn *pc)
{
	char	buf[400];

	if (PQstatus(pc->conn) == CONNECTION_OK)
		return 0;
	PQreset(pc->conn);
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		lk_log(LK_LOG_ERR, "database: cannot connect again: %s",
		    lk_sql_oneline(PQerrorMessage(pc->conn), buf, sizeof(buf)));
		pc->failure = LK_SQL_DOWN;
		(void)snprintf(pc->msg, sizeof(pc->msg), "%s", buf);
		return -1;
	}
	memset(pc->prepared, 0, sizeof(pc->prepared));
	lk_log(LK_LOG_INFO, "database: connected again");
	return 0;
}

static void
pg_rollback(struct lk_sqlc *c)
{
	struct pg_conn		*pc = PG(c);
	enum lk_sql_failure	 failure = pc->failure;
	char			 msg[sizeof(pc->msg)];

	pg_reset(c);
	/* The failure that called for it is the one to report. */
	memcpy(msg, pc->msg, sizeof(msg));
	if (PQstatus(pc->conn) == CONNECTION_OK &&
	    PQtransactionStatus(pc->conn) != PQTRANS_IDLE)
		(void)simple(pc, "ROLLBACK");
	pc->failure = failure;
	memcpy(pc->msg, msg, sizeof(msg));
}

/*
 * Start a transaction.  A connection found lost here had nothing under
 * way: connect again and start it there.
 */
static int
begin_as(struct pg_conn *pc, const char *sql)
{
	int	i;

	for (i = 0; i < 2; i++) {
		if (connected(pc) == -1)
			return -1;
		pg_rollback(&pc->base);
		if (simple(pc, sql) == 0)
			return 0;
		if (PQstatus(pc->conn) == CONNECTION_OK)
			return -1;
		lk_log(LK_LOG_ERR, "database: begin: connection lost: %s",
		    pc->msg);
	}
	return -1;
}

static int
pg_begin(struct lk_sqlc *c, enum lk_sql_mode mode)
{
	struct pg_conn	*pc = PG(c);

	switch (mode) {
	case LK_SQL_READ:
		if (connected(pc) == -1)
			return -1;
		pg_rollback(c);
		return 0;
	case LK_SQL_SNAPSHOT:
		/* One snapshot for every table; no time limit on a long copy. */
		if (begin_as(pc, "BEGIN ISOLATION LEVEL REPEATABLE READ READ "
		    "ONLY") == -1)
			return -1;
		return simple(pc, "SET LOCAL statement_timeout = 0");
	default:
		return begin_as(pc, "BEGIN");
	}
}

static int
pg_commit(struct lk_sqlc *c)
{
	struct pg_conn	*pc = PG(c);
	PGresult	*res;
	int		 rc = 0;

	pg_reset(c);
	res = PQexec(pc->conn, "COMMIT");
	/* COMMIT of a failed transaction answers ROLLBACK. */
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = failed(pc, res);
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		pc->failure = LK_SQL_ERROR;
		(void)snprintf(pc->msg, sizeof(pc->msg), "rolled back");
		rc = -1;
	}
	PQclear(res);
	if (rc == -1)
		pg_rollback(c);
	return rc;
}

static enum lk_sql_failure
pg_failure(struct lk_sqlc *c, char *msg, size_t msgsz)
{
	struct pg_conn	*pc = PG(c);

	if (msg != NULL && msgsz > 0)
		(void)snprintf(msg, msgsz, "%s", pc->msg);
	return pc->failure;
}

/*
 * The schema version the database is at: 0 for one without latchkey's
 * tables.  Reads only.
 */
static int
schema_version(PGconn *conn, int *version, char *why, size_t whysz)
{
	PGresult	*res;
	long long	 v = 0;
	int		 rc = -1;

	/*
	 * A scan of pg_class with this statement's snapshot, not a cached
	 * name lookup (to_regclass): once the migration lock is held, the
	 * tables another node just made must be seen.
	 */
	res = PQexec(conn, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
	    "WHERE c.relname = 'schema_version' AND c.relkind = 'r' AND "
	    "pg_catalog.pg_table_is_visible(c.oid))");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		res = PQexec(conn, "SELECT version FROM schema_version");
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			goto out;
		if (PQntuples(res) > 0 && lk_parse_ll(PQgetvalue(res, 0, 0), 0,
		    INT_MAX, &v) == -1) {
			(void)snprintf(why, whysz, "schema_version holds '%s'",
			    PQgetvalue(res, 0, 0));
			PQclear(res);
			return -1;
		}
	}
	*version = (int)v;
	rc = 0;
out:
	if (rc == -1)
		(void)lk_sql_oneline(PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY) != NULL ? PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(conn), why, whysz);
	PQclear(res);
	return rc;
}

/* The failure of a command run while migrating, as err. */
static void
migrate_error(PGconn *conn, PGresult *res, const char *uri, int version,
    int current, const char *what, char *err, size_t errsz)
{
	const char	*state, *msg;
	char		 buf[512];

	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	(void)lk_sql_oneline(msg != NULL ? msg : PQerrorMessage(conn), buf,
	    sizeof(buf));
	/* insufficient_privilege, read_only_sql_transaction */
	if (state != NULL && (strcmp(state, "42501") == 0 ||
	    strcmp(state, "25006") == 0))
		(void)snprintf(err, errsz, "%s: schema version %d is behind "
		    "this latchkey's (%d) and role \"%s\" may not change it "
		    "(%s): bring it up to date with a role that may write "
		    "(latchkey init, or any node that writes)", uri, version,
		    current, PQuser(conn), buf);
	else
		(void)snprintf(err, errsz, "%s: %s: %s", uri, what, buf);
}

/*
 * Bring the schema up to date.  A database that is current costs two
 * reads and writes nothing (so a role that may only SELECT opens it: a
 * verify-only node); one that is behind is migrated inside one
 * transaction under an advisory lock, its version read again once the
 * lock is held, so that of several nodes starting at once one migrates
 * and the others find the work done.
 */
static int
pg_migrate(struct lk_sqlc *c, const struct lk_sql_migration *m, size_t n,
    int current, char *err, size_t errsz)
{
	PGconn		*conn = PG(c)->conn;
	PGresult	*res = NULL;
	const char	*params[1], *uri = PG(c)->uri;
	char		 why[512], num[16];
	size_t		 i, k;
	int		 version;

	if (schema_version(conn, &version, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: schema version: %s", uri, why);
		return -1;
	}
	if (version == current)
		return 0;
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", uri, version, current);
		return -1;
	}
	res = PQexec(conn, "BEGIN");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		migrate_error(conn, res, uri, version, current, "begin", err,
		    errsz);
		goto fail;
	}
	PQclear(res);
	res = PQexec(conn, "SELECT pg_advisory_xact_lock("
	    "hashtextextended('latchkey schema', 0))");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		migrate_error(conn, res, uri, version, current, "lock", err,
		    errsz);
		goto fail;
	}
	PQclear(res);
	res = NULL;
	if (schema_version(conn, &version, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: schema version: %s", uri, why);
		goto fail;
	}
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", uri, version, current);
		goto fail;
	}
	for (i = 0; i < n && version < current; i++) {
		if (m[i].version <= version)
			continue;
		for (k = 0; m[i].sql[k] != NULL; k++) {
			res = PQexec(conn, m[i].sql[k]);
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				(void)snprintf(why, sizeof(why), "migration to "
				    "version %d", m[i].version);
				migrate_error(conn, res, uri, version, current,
				    why, err, errsz);
				goto fail;
			}
			PQclear(res);
			res = NULL;
		}
	}
	(void)snprintf(num, sizeof(num), "%d", current);
	params[0] = num;
	res = PQexecParams(conn, "INSERT INTO schema_version (one, version) "
	    "VALUES (true, $1::integer) ON CONFLICT (one) DO UPDATE "
	    "SET version = excluded.version", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		migrate_error(conn, res, uri, version, current, "schema version",
		    err, errsz);
		goto fail;
	}
	PQclear(res);
	res = PQexec(conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK ||
	    strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		migrate_error(conn, res, uri, version, current, "commit", err,
		    errsz);
		goto fail;
	}
	PQclear(res);
	return 0;
fail:
	PQclear(res);
	if (PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return -1;
}

static void
pg_close(struct lk_sqlc *c)
{
	struct pg_conn	*pc = PG(c);

	if (pc->conn != NULL) {
		drop_results(pc);
		PQfinish(pc->conn);
	}
	free(pc);
}

static const struct lk_sql_driver pg_driver = {
	LK_SQL_PG,
	pg_prepare,
	pg_bind_text,
	pg_bind_int,
	pg_bind_null,
	pg_step,
	pg_column_null,
	pg_column_text,
	pg_column_int,
	pg_changes,
	pg_reset,
	pg_begin,
	pg_commit,
	pg_rollback,
	pg_failure,
	pg_migrate,
	pg_close,
};

/*
 * The URI must parse, and hold no secret: the configuration is no place
 * for a password.
 */
#define HOLDS_PASSWORD	"the URI holds a password: put it in " \
	"database_password_file (or a PGPASSFILE) instead"

/*
 * Whether a URI libpq cannot parse may still hold a password where a
 * person meant one ("postgresql://USER:PA/SS@HOST", a ':' before an
 * '@'): its error, which quotes the URI, is not shown.
 */
static int
may_hold_password(const char *uri)
{
	const char	*from = strstr(uri, "://"), *colon;

	from = from != NULL ? from + 3 : uri;
	return (colon = strchr(from, ':')) != NULL &&
	    strchr(colon, '@') != NULL;
}

/*
 * The URI must parse, and hold no secret: the configuration is no place
 * for a password.  The message starts with the URI, its password never
 * shown.
 */
static int
check_uri(const char *uri, char *err, size_t errsz)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL, buf[512], shown[1024];
	int			 rc = 0;

	if (lk_sql_uri_redact(uri, shown, sizeof(shown)) > 0) {
		/* Before libpq: its errors quote what they refuse. */
		(void)snprintf(err, errsz, "%s: " HOLDS_PASSWORD, shown);
		return -1;
	}
	if ((opts = PQconninfoParse(uri, &msg)) == NULL) {
		if (may_hold_password(uri))
			(void)snprintf(err, errsz, "postgresql://...: not a "
			    "valid connection URI (not shown: it may hold a "
			    "password)");
		else
			(void)snprintf(err, errsz, "%s: %s", uri, msg != NULL ?
			    lk_sql_oneline(msg, buf, sizeof(buf)) :
			    "out of memory");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if ((strcmp(o->keyword, "password") == 0 ||
		    strcmp(o->keyword, "sslpassword") == 0) &&
		    o->val != NULL && o->val[0] != '\0') {
			(void)snprintf(err, errsz, "postgresql://...: "
			    HOLDS_PASSWORD);
			rc = -1;
		}
	PQconninfoFree(opts);
	return rc;
}

struct lk_sqlc *
lk_sql_pg_open(const char *uri, const char *password_file, char *err,
    size_t errsz)
{
	struct pg_conn	*pc;
	const char	*keys[NDEFAULTS + 4], *values[NDEFAULTS + 4];
	const char	*encoding;
	char		 password[PASSWORD_MAX + 1], buf[512];
	size_t		 i, n = 0;

	if (pq_load(err, errsz) == -1)
		return NULL;
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pc->base.drv = &pg_driver;
	pc->id = -1;
	if (check_uri(uri, err, errsz) == -1)
		goto fail;
	for (i = 0; i < NDEFAULTS; i++, n++) {
		keys[n] = default_keys[i];
		values[n] = default_values[i];
	}
	/* The URI's own settings override those before it, not those after. */
	keys[n] = "dbname";
	values[n++] = uri;
	keys[n] = "client_encoding";
	values[n++] = "UTF8";
	password[0] = '\0';
	if (password_file != NULL && password_file[0] != '\0') {
		if (lk_sql_read_password(password_file, password,
		    sizeof(password), err, errsz) == -1)
			goto fail;
		keys[n] = "password";
		values[n++] = password;
	}
	keys[n] = NULL;
	values[n] = NULL;
	pc->conn = PQconnectdbParams(keys, values, 1);
	lk_explicit_bzero(password, sizeof(password));
	if (pc->conn == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		(void)snprintf(err, errsz, "%s: %s", uri,
		    lk_sql_oneline(PQerrorMessage(pc->conn), buf, sizeof(buf)));
		goto fail;
	}
	/* Text is UTF-8 in and out, and lengths count characters. */
	encoding = PQparameterStatus(pc->conn, "server_encoding");
	if (encoding == NULL || strcmp(encoding, "UTF8") != 0) {
		(void)snprintf(err, errsz, "%s: the database's encoding is %s: "
		    "latchkey needs UTF8", uri, encoding != NULL ? encoding :
		    "unknown");
		goto fail;
	}
	(void)snprintf(pc->uri, sizeof(pc->uri), "%s", uri);
	return &pc->base;
fail:
	pg_close(&pc->base);
	return NULL;
}
