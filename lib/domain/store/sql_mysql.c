/*
 * The SQL driver on MariaDB (and MySQL): one connection per process,
 * server-side prepared statements, their ?N placeholders written as the
 * plain ? this engine takes and bound in order (a number used twice is
 * bound twice), every value passed apart from the SQL.  The session
 * compares text byte for byte (utf8mb4_nopad_bin), quotes names in double
 * quotes (ANSI_QUOTES), refuses what does not fit a column
 * (STRICT_ALL_TABLES), and runs InnoDB transactions at READ COMMITTED,
 * where a locking read (FOR UPDATE) locks the rows it reads and a plain
 * read sees what was committed, as on PostgreSQL.  Lock waits end after
 * five seconds; a deadlock (1213) or a lock wait (1205) runs the whole
 * transaction again.  A connection lost (2006, 2013) is opened again at
 * the next operation, its statements prepared anew.  Option files and
 * the environment's passwords are never read.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "base/log.h"
#include "base/util.h"
#include "domain/store/sql.h"

/*
 * libmariadb is loaded when a MariaDB database is first opened, not
 * linked, as libpq is (sql_pg.c): programs on SQLite never map it.  Every
 * function this file calls is in this list, called through the pointer
 * of the same name.
 */
#define MY_FUNCS(X) \
	X(mysql_init) X(mysql_options) X(mysql_real_connect) X(mysql_close) \
	X(mysql_errno) X(mysql_error) X(mysql_real_query) \
	X(mysql_store_result) X(mysql_free_result) X(mysql_fetch_row) \
	X(mysql_stmt_init) X(mysql_stmt_prepare) X(mysql_stmt_param_count) \
	X(mysql_stmt_field_count) X(mysql_stmt_bind_param) \
	X(mysql_stmt_bind_result) X(mysql_stmt_execute) \
	X(mysql_stmt_store_result) X(mysql_stmt_fetch) \
	X(mysql_stmt_free_result) X(mysql_stmt_close) X(mysql_stmt_errno) \
	X(mysql_stmt_error) X(mysql_stmt_affected_rows)

#define MY_POINTER(f)	static __typeof__(f) *my_##f;
MY_FUNCS(MY_POINTER)
#undef MY_POINTER

#define mysql_init		my_mysql_init
#define mysql_options		my_mysql_options
#define mysql_real_connect	my_mysql_real_connect
#define mysql_close		my_mysql_close
#define mysql_errno		my_mysql_errno
#define mysql_error		my_mysql_error
#define mysql_real_query	my_mysql_real_query
#define mysql_store_result	my_mysql_store_result
#define mysql_free_result	my_mysql_free_result
#define mysql_fetch_row		my_mysql_fetch_row
#define mysql_stmt_init		my_mysql_stmt_init
#define mysql_stmt_prepare	my_mysql_stmt_prepare
#define mysql_stmt_param_count	my_mysql_stmt_param_count
#define mysql_stmt_field_count	my_mysql_stmt_field_count
#define mysql_stmt_bind_param	my_mysql_stmt_bind_param
#define mysql_stmt_bind_result	my_mysql_stmt_bind_result
#define mysql_stmt_execute	my_mysql_stmt_execute
#define mysql_stmt_store_result	my_mysql_stmt_store_result
#define mysql_stmt_fetch	my_mysql_stmt_fetch
#define mysql_stmt_free_result	my_mysql_stmt_free_result
#define mysql_stmt_close	my_mysql_stmt_close
#define mysql_stmt_errno	my_mysql_stmt_errno
#define mysql_stmt_error	my_mysql_stmt_error
#define mysql_stmt_affected_rows my_mysql_stmt_affected_rows

/* Load libmariadb once per process: 0, or -1 with err set. */
static int
my_load(char *err, size_t errsz)
{
	static int	 loaded;
	void		*h;
	void		*sym;

	if (loaded)
		return 0;
	if ((h = dlopen("libmariadb.so.3", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		(void)snprintf(err, errsz, "cannot load libmariadb (Debian: the "
		    "libmariadb3 package): %s", dlerror());
		return -1;
	}
#define MY_LOAD(f) \
	if ((sym = dlsym(h, #f)) == NULL) { \
		(void)snprintf(err, errsz, "libmariadb has no %s", #f); \
		return -1; \
	} \
	memcpy(&my_##f, &sym, sizeof(sym));
	MY_FUNCS(MY_LOAD)
#undef MY_LOAD
	loaded = 1;
	return 0;
}

/*
 * The longest column read: store.h's are less (a user's groups, joined,
 * LK_STORE_GROUPS_TEXT_MAX, the longest).
 */
#define TEXT_MAX	4608
#define MAP_MAX		32	/* placeholders of one statement */
#define PASSWORD_MAX	1024
#define TIMEOUT		"5"	/* seconds: lock waits and statements */

/* The session every connection starts with. */
static const char *const session_sql[] = {
	"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,"
	    "ANSI_QUOTES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'",
	"SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin",
	"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
	"SET SESSION innodb_lock_wait_timeout = " TIMEOUT,
	"SET SESSION max_statement_time = " TIMEOUT,
	/* A user's groups, joined, whole (the default cuts at 1024 bytes). */
	"SET SESSION group_concat_max_len = 65536",
};

struct stmt {
	MYSQL_STMT	*st;
	unsigned int	 nfields;
	int		 nmap;
	unsigned char	 map[MAP_MAX];	/* ?N of each ?, in order */
};

struct param {
	char		 type;		/* 't', 'i', 'n', or 0: unbound */
	const char	*t;
	unsigned long	 len;
	long long	 i;
};

struct my_conn {
	struct lk_sqlc	 base;		/* first: what the store holds */
	MYSQL		*db;
	int		 lost;		/* open it again before the next use */
	int		 in_tx;
	int		 untimed;	/* max_statement_time is off (a copy) */
	struct stmt	 st[LK_SQL_STMTS_MAX];
	/* The current statement. */
	struct stmt	*cur;
	int		 stream, started;
	long long	 changes;
	struct param	 p[LK_SQL_PARAMS_MAX];
	MYSQL_BIND	 pb[MAP_MAX];
	MYSQL_BIND	 rb[LK_SQL_COLUMNS_MAX];
	unsigned long	 len[LK_SQL_COLUMNS_MAX];
	my_bool		 null[LK_SQL_COLUMNS_MAX], error[LK_SQL_COLUMNS_MAX];
	char		 buf[LK_SQL_COLUMNS_MAX][TEXT_MAX + 1];
	/* The last failure. */
	enum lk_sql_failure failure;
	char		 msg[512];
	/* Where to connect (again). */
	char		 uri[512], user[128], host[256], dbname[128];
	char		 socket[256], password[PASSWORD_MAX + 1];
	unsigned int	 port;
};

#define MY(c)	((struct my_conn *)(void *)(c))

/* Note how the last call failed, from its code and words; -1. */
static int
failed_as(struct my_conn *mc, unsigned int code, const char *msg)
{
	char	buf[400];

	(void)lk_sql_oneline(msg, buf, sizeof(buf));
	(void)snprintf(mc->msg, sizeof(mc->msg), "%s (error %u)", buf, code);
	switch (code) {
	case 1213:	/* ER_LOCK_DEADLOCK */
	case 1205:	/* ER_LOCK_WAIT_TIMEOUT */
		mc->failure = LK_SQL_RETRY;
		break;
	case 1062:	/* ER_DUP_ENTRY */
		mc->failure = LK_SQL_UNIQUE;
		break;
	case 1216:	/* ER_NO_REFERENCED_ROW */
	case 1452:	/* ER_NO_REFERENCED_ROW_2 */
		mc->failure = LK_SQL_FOREIGN;
		break;
	case 1927:	/* ER_CONNECTION_KILLED */
	case 2006:	/* CR_SERVER_GONE_ERROR */
	case 2013:	/* CR_SERVER_LOST */
	case 2055:	/* CR_SERVER_LOST_EXTENDED */
	case 4031:	/* ER_CLIENT_INTERACTION_TIMEOUT */
		mc->failure = LK_SQL_LOST;
		mc->lost = 1;
		mc->in_tx = 0;
		break;
	default:
		mc->failure = LK_SQL_ERROR;
	}
	return -1;
}

static int
failed(struct my_conn *mc)
{
	return failed_as(mc, mysql_errno(mc->db), mysql_error(mc->db));
}

static int
stmt_failed(struct my_conn *mc, MYSQL_STMT *st)
{
	return failed_as(mc, mysql_stmt_errno(st), mysql_stmt_error(st));
}

/* A statement without parameters; its rows, if any, dropped: 0 or -1. */
static int
query(struct my_conn *mc, const char *sql)
{
	MYSQL_RES	*res;

	if (mysql_real_query(mc->db, sql, strlen(sql)) != 0)
		return failed(mc);
	if ((res = mysql_store_result(mc->db)) != NULL)
		mysql_free_result(res);
	else if (mysql_errno(mc->db) != 0)
		return failed(mc);
	return 0;
}

static void
forget_statements(struct my_conn *mc)
{
	int	i;

	for (i = 0; i < LK_SQL_STMTS_MAX; i++)
		if (mc->st[i].st != NULL) {
			mysql_stmt_close(mc->st[i].st);
			mc->st[i].st = NULL;
		}
	mc->cur = NULL;
}

/* Connect, and set the session up: 0, or -1 with the reason in mc->msg. */
static int
connect_db(struct my_conn *mc)
{
	unsigned int	timeout = 5, rw = 30, protocol, no_infile = 0;
	my_bool		no = 0;
	size_t		i;

	if ((mc->db = mysql_init(NULL)) == NULL) {
		mc->failure = LK_SQL_ERROR;
		(void)snprintf(mc->msg, sizeof(mc->msg), "out of memory");
		return -1;
	}
	protocol = mc->socket[0] != '\0' ? MYSQL_PROTOCOL_SOCKET :
	    MYSQL_PROTOCOL_TCP;
	if (mysql_options(mc->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) != 0 ||
	    mysql_options(mc->db, MYSQL_OPT_READ_TIMEOUT, &rw) != 0 ||
	    mysql_options(mc->db, MYSQL_OPT_WRITE_TIMEOUT, &rw) != 0 ||
	    mysql_options(mc->db, MYSQL_OPT_PROTOCOL, &protocol) != 0 ||
	    mysql_options(mc->db, MYSQL_OPT_LOCAL_INFILE, &no_infile) != 0 ||
	    mysql_options(mc->db, MYSQL_OPT_RECONNECT, &no) != 0 ||
	    mysql_options(mc->db, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0)
		return failed(mc);
	/*
	 * The password is never NULL: the library would take MYSQL_PWD from
	 * the environment.  CLIENT_FOUND_ROWS: an UPDATE counts the rows it
	 * matched, as the other engines do, not only those it changed.
	 */
	if (mysql_real_connect(mc->db, mc->host, mc->user, mc->password,
	    mc->dbname, mc->port, mc->socket[0] != '\0' ? mc->socket : NULL,
	    CLIENT_FOUND_ROWS) == NULL)
		return failed(mc);
	for (i = 0; i < sizeof(session_sql) / sizeof(session_sql[0]); i++)
		if (query(mc, session_sql[i]) == -1)
			return -1;
	mc->lost = 0;
	mc->in_tx = 0;
	mc->untimed = 0;
	return 0;
}

/* Open the connection again if it was lost: 0, or -1 (logged). */
static int
connected(struct my_conn *mc)
{
	if (!mc->lost)
		return 0;
	forget_statements(mc);
	if (mc->db != NULL)
		mysql_close(mc->db);
	mc->db = NULL;
	if (connect_db(mc) == -1) {
		lk_log(LK_LOG_ERR, "database: cannot connect again: %s",
		    mc->msg);
		mc->failure = LK_SQL_DOWN;
		mc->lost = 1;
		return -1;
	}
	lk_log(LK_LOG_INFO, "database: connected again");
	return 0;
}

static void
my_reset(struct lk_sqlc *c)
{
	struct my_conn	*mc = MY(c);

	if (mc->cur != NULL && mc->started && mc->cur->nfields > 0 &&
	    !mc->lost)
		(void)mysql_stmt_free_result(mc->cur->st);
	mc->cur = NULL;
	mc->started = 0;
	mc->changes = 0;
	memset(mc->p, 0, sizeof(mc->p));
}

/*
 * The SQL of a statement with ?N written ?, the numbers kept in order in
 * map: a string to free, or NULL.
 */
static char *
rewrite(const char *sql, struct stmt *s)
{
	char	*out, *o, quote = 0;
	int	 n;

	if ((out = malloc(strlen(sql) + 1)) == NULL)
		return NULL;
	s->nmap = 0;
	for (o = out; *sql != '\0'; sql++) {
		if (quote != 0) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"')
			quote = *sql;
		else if (*sql == '?' && sql[1] >= '1' && sql[1] <= '9') {
			n = 0;
			while (sql[1] >= '0' && sql[1] <= '9' && n < 100)
				n = n * 10 + (*++sql - '0');
			if (n > LK_SQL_PARAMS_MAX || s->nmap >= MAP_MAX) {
				free(out);
				return NULL;
			}
			s->map[s->nmap++] = (unsigned char)n;
			*o++ = '?';
			continue;
		}
		*o++ = *sql;
	}
	*o = '\0';
	return out;
}

static int
my_prepare(struct lk_sqlc *c, int id, const char *sql, int stream)
{
	struct my_conn	*mc = MY(c);
	struct stmt	*s;
	char		*text;

	my_reset(c);
	if (id < 0 || id >= LK_SQL_STMTS_MAX) {
		mc->failure = LK_SQL_ERROR;
		(void)snprintf(mc->msg, sizeof(mc->msg), "no statement %d", id);
		return -1;
	}
	s = &mc->st[id];
	if (s->st == NULL) {
		if ((text = rewrite(sql, s)) == NULL) {
			mc->failure = LK_SQL_ERROR;
			(void)snprintf(mc->msg, sizeof(mc->msg), "statement %d: "
			    "too many parameters", id);
			return -1;
		}
		if ((s->st = mysql_stmt_init(mc->db)) == NULL) {
			free(text);
			return failed(mc);
		}
		if (mysql_stmt_prepare(s->st, text, strlen(text)) != 0) {
			free(text);
			(void)stmt_failed(mc, s->st);
			mysql_stmt_close(s->st);
			s->st = NULL;
			return -1;
		}
		free(text);
		s->nfields = mysql_stmt_field_count(s->st);
		if (mysql_stmt_param_count(s->st) != (unsigned long)s->nmap ||
		    s->nfields > LK_SQL_COLUMNS_MAX) {
			mysql_stmt_close(s->st);
			s->st = NULL;
			mc->failure = LK_SQL_ERROR;
			(void)snprintf(mc->msg, sizeof(mc->msg), "statement %d: "
			    "unexpected parameters or columns", id);
			return -1;
		}
	}
	mc->cur = s;
	mc->stream = stream;
	return 0;
}

static int
param_at(struct my_conn *mc, int i)
{
	if (i < 1 || i > LK_SQL_PARAMS_MAX || mc->cur == NULL) {
		mc->failure = LK_SQL_ERROR;
		(void)snprintf(mc->msg, sizeof(mc->msg), "no parameter %d", i);
		return -1;
	}
	return 0;
}

static int
my_bind_text(struct lk_sqlc *c, int i, const char *v)
{
	struct my_conn	*mc = MY(c);

	if (param_at(mc, i) == -1)
		return -1;
	mc->p[i - 1].type = 't';
	mc->p[i - 1].t = v != NULL ? v : "";
	mc->p[i - 1].len = (unsigned long)strlen(mc->p[i - 1].t);
	return 0;
}

static int
my_bind_int(struct lk_sqlc *c, int i, long long v)
{
	struct my_conn	*mc = MY(c);

	if (param_at(mc, i) == -1)
		return -1;
	mc->p[i - 1].type = 'i';
	mc->p[i - 1].i = v;
	return 0;
}

static int
my_bind_null(struct lk_sqlc *c, int i)
{
	struct my_conn	*mc = MY(c);

	if (param_at(mc, i) == -1)
		return -1;
	mc->p[i - 1].type = 'n';
	return 0;
}

/* Run the current statement: 0 or -1. */
static int
execute(struct my_conn *mc)
{
	struct stmt	*s = mc->cur;
	struct param	*p;
	unsigned int	 i;
	int		 k;

	mc->started = 1;
	memset(mc->pb, 0, sizeof(mc->pb));
	for (k = 0; k < s->nmap; k++) {
		p = &mc->p[s->map[k] - 1];
		switch (p->type) {
		case 't':
			mc->pb[k].buffer_type = MYSQL_TYPE_STRING;
			mc->pb[k].buffer = (void *)(uintptr_t)p->t;
			mc->pb[k].buffer_length = p->len;
			mc->pb[k].length = &p->len;
			break;
		case 'i':
			mc->pb[k].buffer_type = MYSQL_TYPE_LONGLONG;
			mc->pb[k].buffer = &p->i;
			break;
		default:
			mc->pb[k].buffer_type = MYSQL_TYPE_NULL;
		}
	}
	if ((s->nmap > 0 && mysql_stmt_bind_param(s->st, mc->pb) != 0) ||
	    mysql_stmt_execute(s->st) != 0) {
		mc->started = 0;
		return stmt_failed(mc, s->st);
	}
	if (s->nfields == 0) {
		mc->changes = (long long)mysql_stmt_affected_rows(s->st);
		return 0;
	}
	/* Every column read as text, into a buffer of its own. */
	memset(mc->rb, 0, sizeof(mc->rb));
	for (i = 0; i < s->nfields; i++) {
		mc->rb[i].buffer_type = MYSQL_TYPE_STRING;
		mc->rb[i].buffer = mc->buf[i];
		mc->rb[i].buffer_length = sizeof(mc->buf[i]);
		mc->rb[i].length = &mc->len[i];
		mc->rb[i].is_null = &mc->null[i];
		mc->rb[i].error = &mc->error[i];
	}
	if (mysql_stmt_bind_result(s->st, mc->rb) != 0 ||
	    (!mc->stream && mysql_stmt_store_result(s->st) != 0)) {
		(void)stmt_failed(mc, s->st);
		(void)mysql_stmt_free_result(s->st);
		mc->started = 0;
		return -1;
	}
	return 0;
}

static enum lk_sql_step
my_step(struct lk_sqlc *c)
{
	struct my_conn	*mc = MY(c);

	if (mc->cur == NULL) {
		mc->failure = LK_SQL_ERROR;
		(void)snprintf(mc->msg, sizeof(mc->msg), "no statement");
		return LK_SQL_FAIL;
	}
	if (!mc->started) {
		if (execute(mc) == -1)
			return LK_SQL_FAIL;
		if (mc->cur->nfields == 0)
			return LK_SQL_DONE;
	} else if (mc->cur->nfields == 0)
		return LK_SQL_DONE;
	switch (mysql_stmt_fetch(mc->cur->st)) {
	case 0:
	case MYSQL_DATA_TRUNCATED:	/* those columns read as NULL */
		return LK_SQL_ROW;
	case MYSQL_NO_DATA:
		return LK_SQL_DONE;
	default:
		(void)stmt_failed(mc, mc->cur->st);
		return LK_SQL_FAIL;
	}
}

static int
my_column_null(struct lk_sqlc *c, int col)
{
	struct my_conn	*mc = MY(c);

	return mc->cur == NULL || col < 0 ||
	    (unsigned int)col >= mc->cur->nfields || mc->null[col];
}

static const char *
my_column_text(struct lk_sqlc *c, int col, size_t *len)
{
	struct my_conn	*mc = MY(c);

	*len = 0;
	if (my_column_null(c, col) || mc->error[col] ||
	    mc->len[col] > TEXT_MAX)
		return NULL;
	*len = mc->len[col];
	mc->buf[col][*len] = '\0';
	return mc->buf[col];
}

static int
my_column_int(struct lk_sqlc *c, int col, long long *v)
{
	size_t		 len;
	const char	*t;

	if ((t = my_column_text(c, col, &len)) == NULL)
		return -1;
	return lk_sql_parse_int(t, v);
}

static long long
my_changes(struct lk_sqlc *c)
{
	return MY(c)->changes;
}

/* Statement time without a limit for a copy, and back. */
static int
untimed(struct my_conn *mc, int on)
{
	if (mc->untimed == on || mc->lost)
		return 0;
	if (query(mc, on ? "SET SESSION max_statement_time = 0" :
	    "SET SESSION max_statement_time = " TIMEOUT) == -1)
		return -1;
	mc->untimed = on;
	return 0;
}

static void
my_rollback(struct lk_sqlc *c)
{
	struct my_conn		*mc = MY(c);
	enum lk_sql_failure	 failure = mc->failure;
	char			 msg[sizeof(mc->msg)];

	my_reset(c);
	/* The failure that called for it is the one to report. */
	memcpy(msg, mc->msg, sizeof(msg));
	if (mc->in_tx && !mc->lost)
		(void)query(mc, "ROLLBACK");
	mc->in_tx = 0;
	(void)untimed(mc, 0);
	mc->failure = failure;
	memcpy(mc->msg, msg, sizeof(msg));
}

/*
 * Start a transaction.  A connection found lost here had nothing under
 * way: connect again and start it there.
 */
static int
begin_as(struct my_conn *mc, const char *const *sql)
{
	int	i, k;

	for (i = 0; i < 2; i++) {
		if (connected(mc) == -1)
			return -1;
		for (k = 0; sql[k] != NULL; k++)
			if (query(mc, sql[k]) == -1)
				break;
		if (sql[k] == NULL) {
			mc->in_tx = 1;
			return 0;
		}
		if (!mc->lost)
			return -1;
		lk_log(LK_LOG_ERR, "database: begin: connection lost: %s",
		    mc->msg);
	}
	return -1;
}

static int
my_begin(struct lk_sqlc *c, enum lk_sql_mode mode)
{
	static const char *const write[] = { "START TRANSACTION", NULL };
	/* Locking reads at REPEATABLE READ lock the gaps too: no inserts. */
	static const char *const copy[] = {
		"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION", NULL
	};
	static const char *const snapshot[] = {
		"SET SESSION max_statement_time = 0",
		"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", NULL
	};
	struct my_conn	*mc = MY(c);

	my_rollback(c);
	switch (mode) {
	case LK_SQL_READ:
		return connected(mc);
	case LK_SQL_COPY:
		return begin_as(mc, copy);
	case LK_SQL_SNAPSHOT:
		mc->untimed = 1;
		return begin_as(mc, snapshot);
	default:
		return begin_as(mc, write);
	}
}

static int
my_commit(struct lk_sqlc *c)
{
	struct my_conn	*mc = MY(c);

	my_reset(c);
	if (!mc->in_tx)
		return 0;
	if (query(mc, "COMMIT") == -1) {
		my_rollback(c);
		return -1;
	}
	mc->in_tx = 0;
	(void)untimed(mc, 0);
	return 0;
}

static enum lk_sql_failure
my_failure(struct lk_sqlc *c, char *msg, size_t msgsz)
{
	struct my_conn	*mc = MY(c);

	if (msg != NULL && msgsz > 0)
		(void)snprintf(msg, msgsz, "%s", mc->msg);
	return mc->failure;
}

/* The one integer sql answers with (0 for no row): 0 or -1. */
static int
query_int(struct my_conn *mc, const char *sql, long long *v)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	int		 rc = 0;

	*v = 0;
	if (mysql_real_query(mc->db, sql, strlen(sql)) != 0 ||
	    (res = mysql_store_result(mc->db)) == NULL)
		return failed(mc);
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL &&
	    lk_sql_parse_int(row[0], v) == -1) {
		mc->failure = LK_SQL_ERROR;
		(void)snprintf(mc->msg, sizeof(mc->msg), "'%s' is no number",
		    row[0]);
		rc = -1;
	}
	mysql_free_result(res);
	return rc;
}

/* The schema version the database is at: 0 for one without tables. */
static int
schema_version(struct my_conn *mc, int *version)
{
	long long	v;

	if (query_int(mc, "SELECT count(*) FROM information_schema.tables "
	    "WHERE table_schema = DATABASE() AND table_name = "
	    "'schema_version'", &v) == -1)
		return -1;
	if (v > 0 && query_int(mc, "SELECT version FROM schema_version", &v) ==
	    -1)
		return -1;
	if (v < 0 || v > INT_MAX)
		v = INT_MAX;
	*version = (int)v;
	return 0;
}

/* The failure of a statement run while migrating, as err. */
static void
migrate_error(struct my_conn *mc, int version, int current, const char *what,
    char *err, size_t errsz)
{
	unsigned int	code = mysql_errno(mc->db);

	(void)failed(mc);
	/* ER_DBACCESS_DENIED, ER_TABLEACCESS_DENIED, ER_SPECIFIC_ACCESS_DENIED */
	if (code == 1044 || code == 1142 || code == 1227)
		(void)snprintf(err, errsz, "%s: schema version %d is behind "
		    "this latchkey's (%d) and role \"%s\" may not change it "
		    "(%s): bring it up to date with a role that may write "
		    "(latchkey init, or any node that writes)", mc->uri,
		    version, current, mc->user, mc->msg);
	else
		(void)snprintf(err, errsz, "%s: %s: %s", mc->uri, what, mc->msg);
}

/*
 * Bring the schema up to date.  A database that is current costs two
 * reads and writes nothing (a role that may only SELECT opens it); one
 * that is behind is migrated under a named lock, its version read again
 * once the lock is held, so that of several nodes starting at once one
 * migrates and the others find the work done.  DDL commits statement by
 * statement on this engine: each can run again (IF NOT EXISTS), and the
 * version is written last.
 */
static int
my_migrate(struct lk_sqlc *c, const struct lk_sql_migration *m, size_t n,
    int current, char *err, size_t errsz)
{
	struct my_conn	*mc = MY(c);
	char		 sql[128], what[64];
	long long	 got;
	size_t		 i, k;
	int		 version, rc = -1;

	if (schema_version(mc, &version) == -1) {
		(void)snprintf(err, errsz, "%s: schema version: %s", mc->uri,
		    mc->msg);
		return -1;
	}
	if (version == current)
		return 0;
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", mc->uri, version, current);
		return -1;
	}
	if (query_int(mc, "SELECT GET_LOCK('latchkey schema', 30)", &got) ==
	    -1 || got != 1) {
		(void)snprintf(err, errsz, "%s: lock: %s", mc->uri, got != 1 ?
		    "timed out" : mc->msg);
		return -1;
	}
	if (schema_version(mc, &version) == -1) {
		(void)snprintf(err, errsz, "%s: schema version: %s", mc->uri,
		    mc->msg);
		goto out;
	}
	if (version > current) {
		(void)snprintf(err, errsz, "%s: schema version %d is newer "
		    "than this latchkey (%d)", mc->uri, version, current);
		goto out;
	}
	for (i = 0; i < n && version < current; i++) {
		if (m[i].version <= version)
			continue;
		for (k = 0; m[i].sql[k] != NULL; k++)
			if (mysql_real_query(mc->db, m[i].sql[k],
			    strlen(m[i].sql[k])) != 0) {
				(void)snprintf(what, sizeof(what), "migration "
				    "to version %d", m[i].version);
				migrate_error(mc, version, current, what, err,
				    errsz);
				goto out;
			}
	}
	(void)snprintf(sql, sizeof(sql), "INSERT INTO schema_version (one, "
	    "version) VALUES (1, %d) ON DUPLICATE KEY UPDATE version = %d",
	    current, current);
	if (mysql_real_query(mc->db, sql, strlen(sql)) != 0) {
		migrate_error(mc, version, current, "schema version", err,
		    errsz);
		goto out;
	}
	rc = 0;
out:
	(void)query(mc, "DO RELEASE_LOCK('latchkey schema')");
	return rc;
}

static void
my_close(struct lk_sqlc *c)
{
	struct my_conn	*mc = MY(c);

	if (mc->db != NULL) {
		forget_statements(mc);
		mysql_close(mc->db);
	}
	lk_explicit_bzero(mc->password, sizeof(mc->password));
	free(mc);
}

static const struct lk_sql_driver mysql_driver = {
	LK_SQL_MYSQL,
	my_prepare,
	my_bind_text,
	my_bind_int,
	my_bind_null,
	my_step,
	my_column_null,
	my_column_text,
	my_column_int,
	my_changes,
	my_reset,
	my_begin,
	my_commit,
	my_rollback,
	my_failure,
	my_migrate,
	my_close,
};

/* Copy the n bytes at s into out (outsz), or -1 if they do not fit. */
static int
take(char *out, size_t outsz, const char *s, size_t n)
{
	if (n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Whether the n bytes at s are all of chars (or letters and digits). */
static int
only(const char *s, size_t n, const char *chars)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(chars, s[i]) != NULL) ||
		    s[i] == '\0')
			return 0;
	return n > 0;
}

/*
 * mysql://USER@HOST[:PORT]/DB[?socket=/PATH]: strictly, and with no
 * password in it (the configuration is no place for one).
 */
static int
parse_uri(struct my_conn *mc, const char *uri, char *err, size_t errsz)
{
	const char	*p = uri + strlen("mysql://"), *at, *slash, *q, *h, *e;
	long long	 port = 3306;

	if ((at = strchr(p, '@')) == NULL || (slash = strchr(at, '/')) ==
	    NULL) {
		(void)snprintf(err, errsz, "%s: expected "
		    "mysql://USER@HOST[:PORT]/DATABASE[?socket=PATH]", uri);
		return -1;
	}
	if (memchr(p, ':', (size_t)(at - p)) != NULL) {
		char	shown[1024];

		(void)lk_sql_uri_redact(uri, shown, sizeof(shown));
		(void)snprintf(err, errsz, "%s: the URI holds a password: put "
		    "it in database_password_file instead", shown);
		return -1;
	}
	if (!only(p, (size_t)(at - p), "._-$") ||
	    take(mc->user, sizeof(mc->user), p, (size_t)(at - p)) == -1) {
		(void)snprintf(err, errsz, "%s: a bad user name", uri);
		return -1;
	}
	h = at + 1;
	if (*h == '[') {		/* [IPv6] */
		if ((e = memchr(h, ']', (size_t)(slash - h))) == NULL ||
		    !only(h + 1, (size_t)(e - h - 1), ":.") ||
		    take(mc->host, sizeof(mc->host), h + 1,
		    (size_t)(e - h - 1)) == -1) {
			(void)snprintf(err, errsz, "%s: a bad host", uri);
			return -1;
		}
		e++;
	} else {
		e = memchr(h, ':', (size_t)(slash - h));
		if (e == NULL)
			e = slash;
		if (!only(h, (size_t)(e - h), ".-") ||
		    take(mc->host, sizeof(mc->host), h, (size_t)(e - h)) ==
		    -1) {
			(void)snprintf(err, errsz, "%s: a bad host", uri);
			return -1;
		}
	}
	if (*e == ':') {
		char	num[8];

		if (take(num, sizeof(num), e + 1, (size_t)(slash - e - 1)) ==
		    -1 || lk_parse_ll(num, 1, 65535, &port) == -1) {
			(void)snprintf(err, errsz, "%s: a bad port", uri);
			return -1;
		}
	} else if (e != slash) {
		(void)snprintf(err, errsz, "%s: a bad host", uri);
		return -1;
	}
	mc->port = (unsigned int)port;
	q = strchr(slash, '?');
	if (q == NULL)
		q = slash + strlen(slash);
	if (!only(slash + 1, (size_t)(q - slash - 1), "_$") ||
	    take(mc->dbname, sizeof(mc->dbname), slash + 1,
	    (size_t)(q - slash - 1)) == -1) {
		(void)snprintf(err, errsz, "%s: a bad database name", uri);
		return -1;
	}
	if (*q == '\0')
		return 0;
	if (strncmp(q, "?socket=/", 9) != 0 || strchr(q + 8, '&') != NULL ||
	    strchr(q + 8, '%') != NULL ||
	    take(mc->socket, sizeof(mc->socket), q + 8, strlen(q + 8)) == -1) {
		(void)snprintf(err, errsz, "%s: the one option is "
		    "socket=/PATH", uri);
		return -1;
	}
	return 0;
}

struct lk_sqlc *
lk_sql_mysql_open(const char *uri, const char *password_file, char *err,
    size_t errsz)
{
	struct my_conn	*mc;

	if (my_load(err, errsz) == -1)
		return NULL;
	if ((mc = calloc(1, sizeof(*mc))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	mc->base.drv = &mysql_driver;
	if (lk_strlcpy(mc->uri, uri, sizeof(mc->uri)) == -1) {
		(void)snprintf(err, errsz, "the database URI is too long");
		goto fail;
	}
	if (parse_uri(mc, uri, err, errsz) == -1)
		goto fail;
	if (password_file != NULL && password_file[0] != '\0' &&
	    lk_sql_read_password(password_file, mc->password,
	    sizeof(mc->password), err, errsz) == -1)
		goto fail;
	if (connect_db(mc) == -1) {
		(void)snprintf(err, errsz, "%s: %s", uri, mc->msg);
		goto fail;
	}
	return &mc->base;
fail:
	my_close(&mc->base);
	return NULL;
}
