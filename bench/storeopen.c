/*
 * storeopen: the floor of a plain-CGI request that reads the store.  A
 * program linked as the programs are (mk/bench.mk) that opens the SQLite
 * store, finds one user by email (an indexed read, what every login and
 * profile request does first), closes it and answers: SQLite's own
 * start-up in a lone process (open, the WAL index, the schema, the
 * schema-version check) without any of latchkey's other work.
 *
 *   BENCH_DATABASE=PATH BENCH_EMAIL=EMAIL storeopen
 *
 * Answers 200 if the user was found, 500 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "domain/store/store.h"

int	main(void);

int
main(void)
{
	static const char	ok[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: 3\r\n"
	    "\r\n"
	    "{}\n";
	static const char	fail[] =
	    "Status: 500 Internal Server Error\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n";
	struct lk_store_options	 opts = { 0 };
	struct lk_store		*s;
	struct lk_user		 u;
	const char		*db = getenv("BENCH_DATABASE");
	const char		*email = getenv("BENCH_EMAIL");
	char			 err[1024];
	int			 found = 0;

	if (db != NULL && email != NULL &&
	    (s = lk_store_open(db, &opts, err, sizeof(err))) != NULL) {
		found = lk_store_user_find(s, email, &u) == LK_STORE_OK;
		lk_store_close(s);
	}
	if (found)
		(void)fwrite(ok, 1, sizeof(ok) - 1, stdout);
	else
		(void)fwrite(fail, 1, sizeof(fail) - 1, stdout);
	return 0;
}
