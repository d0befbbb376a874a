#ifndef LK_STORE_PG_H
#define LK_STORE_PG_H

#include <stddef.h>

#include "store.h"

/*
 * The PostgreSQL backend (store_pg.c): the store in a database shared by
 * every node, the same operations with the same results as SQLite's.
 *
 * uri is any libpq connection URI ("postgresql://USER@HOST:PORT/DB?...",
 * "postgresql:///DB?host=/socket/dir", "postgres://..."); it must not hold
 * a password.  The password comes from password_file (mode 0600 or
 * stricter, one line) if given, else from libpq's own ways (PGPASSFILE,
 * ~/.pgpass).  connect_timeout=5 and a statement_timeout of 5 seconds
 * apply unless the URI says otherwise; the database must be UTF8.
 *
 * Opens one connection, and brings the schema up to date if it is behind
 * (under an advisory lock, so that nodes starting together never race);
 * a database that is current is opened without writing anything, so a
 * role that may only SELECT can open it (verify-only nodes), while one
 * that is behind needs a role that may write.  A connection lost in the
 * middle of an operation fails it (LK_STORE_ERROR, logged, nothing
 * half-written); one found lost before an operation did anything is
 * opened again and the operation goes on, and while the server is away
 * every operation tries to connect again and fails.  Returns a handle,
 * or NULL with a reason in err (never the password).
 */
struct lk_store *lk_store_pg_open(const char *uri, const char *password_file,
	    char *err, size_t errsz);

#endif
