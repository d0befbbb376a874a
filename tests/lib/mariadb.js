// A MariaDB server for the HTTP suites: one per test file (process),
// started by scripts/mariadb-cluster the first time a test asks for a
// database and stopped when the process exits.  Each server gets a
// database of its own in it.
//
//   const my = require('../lib/mariadb.js');
//   const db = my.createDatabase();   // { name, uri, readerUri }
//   my.cluster().passwordFile         // the owner's password, mode 0600
//   my.query(db.name, 'SELECT 1')     // as root: '1'

'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'mariadb-cluster');

let running = null;

/** The server, started on first use. */
function cluster() {
	if (running)
		return running;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-my-'));
	execFileSync(script, ['start', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
	const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8').trim();
	running = {
		dir,
		uri: read('uri'),
		readerUri: read('reader_uri'),
		socket: read('admin_socket'),
		passwordFile: path.join(dir, 'latchkey.password'),
		readerPasswordFile: path.join(dir, 'latchkey_ro.password'),
		databases: 0,
	};
	process.on('exit', stop);
	return running;
}

/** Stop the server and remove its files (also done at exit). */
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

/*
 * `key` is a reserved word here: a query written for the other engines
 * names the throttle's column bare, so it is quoted outside strings.
 */
function quoteKey(sql) {
	return sql.split(/('(?:[^']|'')*')/).map((part, i) =>
	    i % 2 ? part : part.replace(/\bkey\b/g, '`key`')).join('');
}

/**
 * Run sql on database name as root; the rows as sqlite3 prints them (one
 * a line, columns split by '|').
 */
function query(name, sql) {
	const out = execFileSync('mariadb', ['--no-defaults', '--default-character-set=utf8mb4', '-u', 'root',
	    `--socket=${cluster().socket}`, '-N', '-B', '-e', quoteKey(sql), name],
	    { encoding: 'utf8' });
	return out.trim().split('\n').map((line) => line.replaceAll('\t', '|')).join('\n');
}

/** A new empty database, latchkey's to own and latchkey_ro's to read. */
function createDatabase() {
	const c = cluster();
	const name = `latchkey_${process.pid}_${++c.databases}`;
	query('mysql', `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin`);
	const swap = (uri) => uri.replace(/\/latchkey$/, `/${name}`);
	return { name, uri: swap(c.uri), readerUri: swap(c.readerUri) };
}

module.exports = { cluster, stop, createDatabase, query };
