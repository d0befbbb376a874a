// Start a real web server serving latchkey on a free loopback port, with a
// fresh configuration, key, database and the demo user, and stop it after.
//
//   const { startServer } = require('../lib/server.js');
//   const srv = await startServer({ kind: 'lighttpd' });
//   srv.baseURL  // 'http://127.0.0.1:PORT': public/ and /api/*
//   srv.dir      // the directory with latchkey.conf, secret.key, latchkey.db
//   await srv.stop();
//
// Options: kind ('lighttpd', 'lighttpd-pg', 'lighttpd-mysql', 'apache-fcgid',
// 'apache-cgi'),
// procs (FastCGI processes per program, lighttpd; default 1), config (extra
// lines for latchkey.conf), secret (the key file's line; default a fresh
// key), users (default: the demo user), keyMode (the key file's mode,
// default 0600), store ('sqlite', the default, 'postgres': a database of
// its own in this process's PostgreSQL cluster, tests/lib/postgres.js, or
// 'mysql': the same in its MariaDB server, tests/lib/mariadb.js; kind
// 'lighttpd-pg' is lighttpd with store 'postgres', 'lighttpd-mysql' with
// store 'mysql'), prepared (a
// { dir, config } to serve as it is instead of a fresh directory), port.
// srv.sql(query) runs a query on the server's database, either backend.

'use strict';

const { spawn, execFileSync } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { sql } = require('./db.js');
const { freePort, waitForPort } = require('./net.js');

const repoRoot = path.resolve(__dirname, '..', '..');
const buildDir = process.env.LATCHKEY_BUILD || path.join(repoRoot, 'build');
const toolPath = path.join(buildDir, 'bin', 'latchkey');
const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };

const live = new Set();
process.on('exit', () => {
	for (const child of live) {
		try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

/** The server kinds the HTTP suites run against. */
function kinds() {
	if (process.env.LATCHKEY_KINDS)
		return process.env.LATCHKEY_KINDS.split(',').filter(Boolean);
	return ['lighttpd', 'lighttpd-pg', 'lighttpd-mysql', 'apache-fcgid', 'apache-cgi'];
}

/** Run the latchkey tool; returns { status, stdout, stderr }. */
function tool(config, args, input) {
	try {
		const stdout = execFileSync(toolPath, ['--config', config, ...args], {
			input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8',
		});
		return { status: 0, stdout, stderr: '' };
	} catch (err) {
		return { status: err.status, stdout: err.stdout, stderr: err.stderr };
	}
}

/**
 * Make a directory with configuration, key, database and users.  With
 * store 'postgres', the database is a new one in the process's cluster:
 * the result's db is its name (else the SQLite file's path).
 */
function prepare(opts = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-test-'));
	fs.chmodSync(dir, 0o755);
	const config = path.join(dir, 'latchkey.conf');
	const extra = opts.config ?? '';
	const store = opts.store ?? 'sqlite';
	let db = path.join(dir, 'latchkey.db');
	let database = '';
	if (store === 'postgres' || store === 'mysql') {
		const server = require(store === 'postgres' ? './postgres.js' : './mariadb.js');
		const created = server.createDatabase();
		db = created.name;
		database = `database = ${created.uri}\n` +
		    `database_password_file = ${server.cluster().passwordFile}\n`;
	} else if (store !== 'sqlite') {
		throw new Error(`unknown store ${store}`);
	}
	// Tests speak plain HTTP: no Secure cookies, unless a test says so.
	fs.writeFileSync(config, '# test configuration\n' + database +
	    (/^cookie_secure\b/m.test(extra) ? '' : 'cookie_secure = false\n') + extra);
	if (opts.secret !== undefined)
		fs.writeFileSync(path.join(dir, 'secret.key'), opts.secret + '\n', { mode: 0o600 });
	const init = tool(config, ['init']);
	if (init.status !== 0)
		throw new Error(`latchkey init failed: ${init.stderr}`);
	for (const u of opts.users ?? [DEMO]) {
		const r = tool(config, ['user', 'add', u.email, '--name', u.name, '--password-stdin',
		    '--skip-password-policy'],
		    u.password + '\n');
		if (r.status !== 0)
			throw new Error(`latchkey user add failed: ${r.stderr}`);
	}
	if (opts.keyMode !== undefined)
		fs.chmodSync(path.join(dir, 'secret.key'), opts.keyMode);
	return { dir, config, store, db };
}

async function startLighttpd(prep, opts) {
	const port = opts.port ?? await freePort();
	// A directory served before (prepared) gets state and log of its own.
	let state = path.join(prep.dir, 'lighttpd');
	let errorLog = path.join(prep.dir, 'error.log');
	if (opts.prepared) {
		state = fs.mkdtempSync(path.join(prep.dir, 'lighttpd-'));
		errorLog = path.join(state, 'error.log');
	} else {
		fs.mkdirSync(state, { mode: 0o700 });
	}
	const publicDir = opts.public ?? path.join(repoRoot, 'public');
	fs.mkdirSync(publicDir, { recursive: true });
	const conf = fs.readFileSync(path.join(repoRoot, 'lighttpd', 'run.conf.in'), 'utf8')
	    .replaceAll('@PORT@', String(port))
	    .replaceAll('@DOCROOT@', publicDir)
	    .replaceAll('@ERRORLOG@', errorLog)
	    .replaceAll('@STATEDIR@', state)
	    .replaceAll('@BINDIR@', path.join(buildDir, 'cgi-bin'))
	    .replaceAll('@CONFIG@', prep.config)
	    .replaceAll('@PROCS@', String(opts.procs ?? 1))
	    .replaceAll('@MEMBERS@', opts.members ?? path.join(repoRoot, 'dist', 'public', 'members'));
	const confPath = path.join(state, 'lighttpd.conf');
	fs.writeFileSync(confPath, conf);
	const child = spawn('lighttpd', ['-D', '-f', confPath], {
		stdio: ['ignore', 'ignore', 'pipe'], detached: true,
	});
	live.add(child);
	let stderr = '';
	// What the FastCGI programs write to their own standard error (a mail
	// job, after its answer has gone) reaches lighttpd's, not its log.
	const stderrLog = `${errorLog}.stderr`;
	child.stderr.on('data', (d) => {
		stderr += d;
		try { fs.appendFileSync(stderrLog, d); } catch { /* removed after the test */ }
	});
	if (!await waitForPort(port, child, Date.now() + 10000))
		throw new Error(`lighttpd did not come up on port ${port}:\n${stderr}`);
	return {
		port,
		baseURL: `http://127.0.0.1:${port}`,
		errorLog,
		stderrLog,
		async stop() {
			if (child.exitCode === null) {
				process.kill(-child.pid, 'SIGTERM');
				await once(child, 'exit');
			}
			live.delete(child);
		},
	};
}

/**
 * Start a server of the given kind.  The result has baseURL, dir, config,
 * db, errorLog, kind, tool(args, input), log() (the error log's text so
 * far) and stop().
 */
async function startServer(opts = {}) {
	const kind = opts.kind ?? 'lighttpd';
	if (kind === 'lighttpd-pg')
		opts = { ...opts, store: 'postgres' };
	if (kind === 'lighttpd-mysql')
		opts = { ...opts, store: 'mysql' };
	const prep = opts.prepared ?? prepare(opts);
	let srv;
	if (kind === 'lighttpd' || kind === 'lighttpd-pg' || kind === 'lighttpd-mysql') {
		srv = await startLighttpd(prep, opts);
	} else if (kind === 'apache-fcgid' || kind === 'apache-cgi') {
		const { startApache } = require('./apache.js');
		srv = await startApache({ mode: kind.slice('apache-'.length), dir: prep.dir,
		    config: prep.config, port: opts.port });
	} else {
		throw new Error(`unknown server kind ${kind}`);
	}
	const self = {
		...srv,
		kind,
		dir: prep.dir,
		config: prep.config,
		store: prep.store ?? 'sqlite',
		db: prep.db ?? path.join(prep.dir, 'latchkey.db'),
		tool: (args, input) => tool(prep.config, args, input),
		sql: (query) => sql(self, query),
		// The error log, and on lighttpd what the programs wrote to its
		// standard error.
		log: () => {
			const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };
			return read(srv.errorLog) + (srv.stderrLog ? read(srv.stderrLog) : '');
		},
		async stop() {
			await srv.stop();
			// A directory the test handed in is the test's to remove.
			if (!opts.prepared && !process.env.LATCHKEY_KEEP)
				fs.rmSync(prep.dir, { recursive: true, force: true });
		},
	};
	return self;
}

module.exports = { startServer, prepare, tool, freePort, kinds, DEMO, repoRoot, buildDir };
