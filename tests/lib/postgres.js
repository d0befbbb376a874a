// A PostgreSQL cluster for the HTTP suites: one per test file (process),
// started by scripts/pg-cluster the first time a test asks for a database
// and stopped when the process exits.  Each server gets a database of its
// own in it.
//
//   const pg = require('../lib/postgres.js');
//   const db = pg.createDatabase();   // { name, uri, readerUri }
//   pg.cluster().passwordFile         // the owner's password, mode 0600
//   pg.query(db.name, 'SELECT 1')     // as the superuser: '1'

'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'pg-cluster');
const psql = '/usr/lib/postgresql/15/bin/psql';

let running = null;

/** The cluster, started on first use. */
function cluster() {
	if (running)
		return running;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pg-'));
	execFileSync(script, ['start', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
	const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8').trim();
	running = {
		dir,
		uri: read('uri'),
		readerUri: read('reader_uri'),
		adminUri: read('admin_uri'),
		passwordFile: path.join(dir, 'latchkey.password'),
		readerPasswordFile: path.join(dir, 'latchkey_ro.password'),
		databases: 0,
	};
	process.on('exit', stop);
	return running;
}

/** Stop the cluster and remove its files (also done at exit). */
function stop() {
	if (!running)
		return;
	const { dir } = running;
	running = null;
	try {
		execFileSync(script, ['stop', dir], { stdio: 'ignore' });
	} finally {
		if (!process.env.LATCHKEY_KEEP)
			fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** The superuser's URI for database name (over the cluster's socket). */
function adminUri(name) {
	return cluster().adminUri.replace('///postgres?', `///${name}?`);
}

/**
 * Run sql on database name as the superuser; the rows as sqlite3 prints
 * them (one a line, columns split by '|').
 */
function query(name, sql) {
	return execFileSync(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	    '-d', adminUri(name), '-c', sql], { encoding: 'utf8' }).trim();
}

/** A new empty database owned by latchkey, readable by latchkey_ro. */
function createDatabase() {
	const c = cluster();
	const name = `lk_${process.pid}_${++c.databases}`;
	query('postgres', `CREATE DATABASE ${name} OWNER latchkey`);
	query(name, 'ALTER DEFAULT PRIVILEGES FOR ROLE latchkey GRANT SELECT ON TABLES TO latchkey_ro');
	const swap = (uri) => uri.replace(/\/latchkey$/, `/${name}`);
	return { name, uri: swap(c.uri), readerUri: swap(c.readerUri) };
}

module.exports = { cluster, stop, createDatabase, query };
