// A query on a test server's database, whichever the backend: sqlite3 on
// the file, psql (as the superuser) on the PostgreSQL database, or the
// mariadb client (as root) on the MariaDB one.  Rows
// come back as sqlite3 prints them: one a line, columns split by '|' (the
// sqlite3 shell waits up to 5 s for a server's write to end).
//
//   const { sql } = require('../lib/db.js');
//   sql(srv, "SELECT name FROM users WHERE email = 'test@example.com'")

'use strict';

const { execFileSync } = require('node:child_process');

/** Run query on srv's database (srv.store, srv.db from startServer). */
function sql(srv, query) {
	if (srv.store === 'postgres')
		return require('./postgres.js').query(srv.db, query);
	if (srv.store === 'mysql')
		return require('./mariadb.js').query(srv.db, query);
	return execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, query], { encoding: 'utf8' }).trim();
}

module.exports = { sql };
