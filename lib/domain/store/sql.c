/*
 * The SQL driver's front: which driver opens a database, and the small
 * helpers every driver shares.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "domain/store/sql.h"

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

/*
 * Whether the n bytes at p, percent-decoded, are name, in any case of
 * ASCII letters (libpq knows the lower-case name alone, but a URI it
 * refuses is shown in its error: a spelling it does not take hides its
 * password as well).
 */
static int
param_is(const char *p, size_t n, const char *name)
{
	size_t	i = 0, k = 0;
	int	c, hi, lo;

	while (i < n) {
		c = (unsigned char)p[i++];
		if (c == '%' && n - i >= 2 &&
		    (hi = lk_hex_value((unsigned char)p[i])) >= 0 &&
		    (lo = lk_hex_value((unsigned char)p[i + 1])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (name[k] == '\0' || c != name[k])
			return 0;
		k++;
	}
	return name[k] == '\0';
}

int
lk_sql_uri_redact(const char *uri, char *out, size_t outsz)
{
	const char	*p, *start, *colon, *at, *q, *end, *eq;
	size_t		 o = 0, n;
	int		 count = 0;

#define PUT(s, len) do {						\
	if ((len) >= outsz - o)						\
		goto toolong;						\
	memcpy(out + o, (s), (len));					\
	o += (len);							\
	out[o] = '\0';							\
} while (0)

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	start = strstr(uri, "://");
	start = start != NULL ? start + 3 : uri;
	/*
	 * The user information as a person means it: up to the last '@'
	 * before the parameters.  libpq stops at the first '@' or '/', so
	 * "USER:PA/SS@HOST" is a host and a port to it, which its errors
	 * quote.
	 */
	q = start + strcspn(start, "?");
	at = q;
	for (end = start; end < q; end++)
		if (*end == '@')
			at = end;
	p = uri;
	if (at < q && (colon = memchr(start, ':', (size_t)(at - start))) !=
	    NULL && colon + 1 < at) {
		PUT(p, (size_t)(colon + 1 - p));
		PUT("***", 3);
		count++;
		p = at;
	}
	/* The parameters, after the first '?'. */
	if (*q == '?') {
		PUT(p, (size_t)(q + 1 - p));
		p = q + 1;
		while (*p != '\0') {
			n = strcspn(p, "&");
			end = p + n;
			eq = memchr(p, '=', n);
			if (eq != NULL && eq + 1 < end &&
			    (param_is(p, (size_t)(eq - p), "password") ||
			    param_is(p, (size_t)(eq - p), "sslpassword"))) {
				PUT(p, (size_t)(eq + 1 - p));
				PUT("***", 3);
				count++;
			} else
				PUT(p, n);
			p = end;
			if (*p == '&') {
				PUT("&", 1);
				p++;
			}
		}
	}
	PUT(p, strlen(p));
	return count;
toolong:
	(void)snprintf(out, outsz, "postgresql://...");
	return -1;
#undef PUT
}
