/*
 * The SQL driver's front: which driver opens a database, and the small
 * helpers every driver shares.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sql.h"
#include "util.h"

enum lk_sql_engine
lk_sql_engine_of(const char *where)
{
	/* libpq's own two spellings of a connection URI. */
	if (strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0)
		return LK_SQL_PG;
	if (strncmp(where, "mysql://", 8) == 0)
		return LK_SQL_MYSQL;
	return LK_SQL_SQLITE;
}

struct lk_sqlc *
lk_sql_open(const char *where, const struct lk_sql_options *opts, char *err,
    size_t errsz)
{
	switch (lk_sql_engine_of(where)) {
	case LK_SQL_PG:
		return lk_sql_pg_open(where, opts->password_file, err, errsz);
	case LK_SQL_MYSQL:
		return lk_sql_mysql_open(where, opts->password_file, err, errsz);
	default:
		return lk_sql_sqlite_open(where, opts->create, err, errsz);
	}
}

const char *
lk_sql_oneline(const char *msg, char *buf, size_t bufsz)
{
	size_t	i, n = 0;

	if (bufsz == 0)
		return "";
	if (msg == NULL)
		msg = "unknown error";
	for (i = 0; msg[i] != '\0' && n + 1 < bufsz; i++) {
		if (msg[i] == '\n' || msg[i] == '\t' || msg[i] == '\r') {
			if (n > 0 && buf[n - 1] != ' ')
				buf[n++] = ' ';
		} else
			buf[n++] = msg[i];
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

int
lk_sql_parse_int(const char *v, long long *out)
{
	long long	n;

	if (v[0] == '-') {
		if (lk_parse_ll(v + 1, 0, LLONG_MAX, &n) == -1)
			return -1;
		*out = -n;
		return 0;
	}
	return lk_parse_ll(v, 0, LLONG_MAX, out);
}

int
lk_sql_read_password(const char *path, char *buf, size_t bufsz, char *err,
    size_t errsz)
{
	size_t	len;
	int	rc;

	if ((rc = lk_read_private(path, buf, bufsz, &len, err, errsz)) == -1)
		return -1;
	if (rc == 0) {
		(void)snprintf(err, errsz, "%s: no such file", path);
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0 || memchr(buf, '\0', len) != NULL ||
	    memchr(buf, '\n', len) != NULL) {
		lk_explicit_bzero(buf, bufsz);
		(void)snprintf(err, errsz, "%s: expected the password on one "
		    "line", path);
		return -1;
	}
	return 0;
}
