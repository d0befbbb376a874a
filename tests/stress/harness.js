// Shared by the load and fault tests (tests/stress/) and by `make bench`
// (bench/run.js): a lighttpd on a free loopback port serving latchkey's
// programs (and, for the benchmark, bench's no-op responder), the FastCGI
// processes it started, their memory, and bench/loadgen.

'use strict';

const { spawn, execFileSync } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const server = require('../lib/server.js');
const { waitForPort } = require('../lib/net.js');

const { freePort, buildDir, repoRoot, tool, DEMO } = server;

/** server.js's prepare(), and the database's path. */
function prepare(opts) {
	const prep = server.prepare(opts);
	return { ...prep, db: path.join(prep.dir, 'latchkey.db') };
}

const loadgenPath = process.env.LATCHKEY_LOADGEN ||
    path.join(buildDir, 'bench', 'loadgen');
const live = new Set();
process.on('exit', () => {
	for (const child of live) {
		try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The FastCGI block for one program, as run.conf.in writes them. */
function fcgiBlock(url, state, bin, config, procs) {
	return `"${url}" => ((
    "socket" => "${state}/${path.basename(bin, '.fcgi')}.sock",
    "bin-path" => "${bin}",
    "bin-environment" => ( "LATCHKEY_CONFIG" => "${config}" ),
    "check-local" => "disable",
    "min-procs" => ${procs}, "max-procs" => ${procs},
  ))`;
}

/**
 * Start lighttpd with the test configuration (lighttpd/run.conf.in).
 * Options: procs, config (extra latchkey.conf lines), users, noop (also
 * serve build/bench/noop.fcgi at /bench/noop), members (the directory
 * /members/ serves behind the authorizer), noopauth (also serve members
 * at /bench/open/ unprotected and at /bench/guarded/ behind
 * build/bench/noopauth.fcgi), prep (an existing prepare() result to
 * reuse, e.g. a big database), serverConf (extra lighttpd lines).
 */
async function startLighttpd(opts = {}) {
	const prep = opts.prep ?? prepare(opts);
	const port = await freePort();
	const state = path.join(prep.dir, 'lighttpd');
	fs.mkdirSync(state, { recursive: true, mode: 0o700 });
	const errorLog = path.join(prep.dir, 'error.log');
	const procs = opts.procs ?? 1;
	let conf = fs.readFileSync(path.join(repoRoot, 'lighttpd', 'run.conf.in'), 'utf8')
	    .replaceAll('@PORT@', String(port))
	    .replaceAll('@DOCROOT@', path.join(prep.dir, 'public'))
	    .replaceAll('@ERRORLOG@', errorLog)
	    .replaceAll('@STATEDIR@', state)
	    .replaceAll('@BINDIR@', path.join(buildDir, 'cgi-bin'))
	    .replaceAll('@CONFIG@', prep.config)
	    .replaceAll('@PROCS@', String(procs))
	    .replaceAll('@MEMBERS@', opts.members ?? path.join(repoRoot, 'dist', 'public', 'members'));
	fs.mkdirSync(path.join(prep.dir, 'public'), { recursive: true });
	if (opts.noop)
		conf += `\nfastcgi.server += ( ${fcgiBlock('/bench/noop', state,
		    path.join(buildDir, 'bench', 'noop.fcgi'), prep.config, procs)} )\n`;
	if (opts.noopauth) {
		const m = opts.members ?? path.join(repoRoot, 'dist', 'public', 'members');
		conf += `\nalias.url += ( "/bench/open/" => "${m}/", "/bench/guarded/" => "${m}/" )
$HTTP["url"] =^ "/bench/guarded/" {
  fastcgi.server = ( "/bench/guarded/" => ((
    "mode" => "authorizer", "socket" => "${state}/noopauth.sock",
    "bin-path" => "${path.join(buildDir, 'bench', 'noopauth.fcgi')}",
    "check-local" => "disable", "min-procs" => 1, "max-procs" => ${procs},
  )))
  setenv.set-response-header += ( "Cache-Control" => "no-store" )
}
$HTTP["url"] =^ "/bench/open/" {
  setenv.set-response-header += ( "Cache-Control" => "no-store" )
}
$HTTP["url"] =^ "/bench/" {
  url.rewrite-if-not-file = ( )
}
`;
	}
	conf += (opts.serverConf ?? '') + '\n';
	const confPath = path.join(state, 'lighttpd.conf');
	fs.writeFileSync(confPath, conf);
	const child = spawn('lighttpd', ['-D', '-f', confPath], {
		stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: opts.env ?? process.env,
	});
	live.add(child);
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	try {
		if (!await waitForPort(port, child, Date.now() + 10000))
			throw new Error(`lighttpd did not come up on port ${port}`);
	} catch (err) {
		err.message += `\n${stderr}`;
		throw err;
	}
	const srv = {
		port, procs, child, errorLog,
		baseURL: `http://127.0.0.1:${port}`,
		dir: prep.dir,
		config: prep.config,
		db: path.join(prep.dir, 'latchkey.db'),
		tool: (args, input) => tool(prep.config, args, input),
		log: () => { try { return fs.readFileSync(errorLog, 'utf8'); } catch { return ''; } },
		/** Pids of lighttpd's FastCGI children running program name. */
		pids: (name) => fcgiPids(child.pid, name),
		async stop(keep) {
			if (child.exitCode === null) {
				process.kill(-child.pid, 'SIGTERM');
				await once(child, 'exit');
			}
			live.delete(child);
			if (!keep && !process.env.LATCHKEY_KEEP && !opts.prep)
				fs.rmSync(prep.dir, { recursive: true, force: true });
		},
	};
	return srv;
}

function fcgiPids(parent, name) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid !== parent) continue;
			const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
			if (path.basename(cmd.split('\0')[0]) === `${name}.fcgi`) out.push(Number(d));
		} catch { /* exited */ }
	}
	return out.sort((a, b) => a - b);
}

/** CPU time (user + system, clock ticks) a process has used so far. */
function cpuTicks(pid) {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(f[11]) + Number(f[12]);
}

/**
 * Wait until the given processes use no CPU for a while: requests queued
 * before a load generator stopped have been served, no hash is in flight.
 */
async function settle(pids, ms = 10000) {
	const end = Date.now() + ms;
	let last = pids.map(cpuTicks);
	for (;;) {
		await sleep(300);
		const now = pids.map(cpuTicks);
		if (now.every((t, i) => t === last[i]) || Date.now() > end) return;
		last = now;
	}
}

/** Memory of a process in KiB: RssAnon, RssFile, RssShmem, VmHWM, and smaps_rollup's Private/Shared/Pss. */
function memory(pid) {
	const m = {};
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	for (const k of ['RssAnon', 'RssFile', 'RssShmem', 'VmHWM', 'VmRSS']) {
		const r = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status);
		m[k] = r ? Number(r[1]) : null;
	}
	try {
		const roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
		for (const k of ['Pss', 'Private_Clean', 'Private_Dirty', 'Shared_Clean', 'Shared_Dirty', 'Anonymous']) {
			const r = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(roll);
			m[k] = r ? Number(r[1]) : null;
		}
	} catch { /* older kernels */ }
	return m;
}

/**
 * Run bench/loadgen against url for a duration; resolves to its JSON
 * result.  args: { conns, seconds, warmup, method, headers: [], body, requests }.
 */
function loadgen(url, a = {}) {
	const args = ['-c', String(a.conns ?? 64), '-d', String(a.seconds ?? 5)];
	if (a.warmup) args.push('-w', String(a.warmup));
	if (a.requests) args.push('-n', String(a.requests));
	if (a.method) args.push('-m', a.method);
	for (const h of a.headers ?? []) args.push('-H', h);
	if (a.body !== undefined) args.push('-b', typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
	args.push(url);
	return new Promise((resolve, reject) => {
		const child = spawn(loadgenPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (d) => { out += d; });
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code !== 0) return reject(new Error(`loadgen exited ${code}`));
			try { resolve(JSON.parse(out)); } catch (e) { reject(new Error(`loadgen: ${out}`)); }
		});
	});
}

/** One HTTP request; resolves to { status, headers, body }. */
function request(baseURL, { method = 'GET', path: p = '/', headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? undefined :
		    (typeof body === 'string' ? body : JSON.stringify(body));
		const h = { ...headers };
		if (data !== undefined) {
			h['Content-Type'] ??= 'application/json';
			h['Content-Length'] = Buffer.byteLength(data);
		}
		const req = http.request(baseURL + p, { method, headers: h, agent: false }, (res) => {
			let b = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { b += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: b }));
		});
		req.on('error', reject);
		req.end(data);
	});
}

/** Log in; returns { cookie: 'access_token_cookie=...', csrf }. */
async function login(baseURL, user = DEMO) {
	const res = await request(baseURL, { method: 'POST', path: '/api/login',
	    body: { email: user.email, password: user.password } });
	if (res.status !== 200) throw new Error(`login: ${res.status} ${res.body}`);
	const jar = {};
	for (const c of res.headers['set-cookie'] ?? []) {
		const [kv] = c.split(';');
		const i = kv.indexOf('=');
		jar[kv.slice(0, i)] = kv.slice(i + 1);
	}
	return { cookie: `access_token_cookie=${jar.access_token_cookie}`, csrf: jar.csrf_access_token };
}

/** sqlite3's PRAGMA integrity_check of a database file: 'ok' or the problems. */
function integrity(db) {
	return execFileSync('sqlite3', [db, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim();
}

/** Count the users in a database. */
function userCount(db) {
	return Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM users;'], { encoding: 'utf8' }).trim());
}

/**
 * Add filler users to a database in one transaction: emails
 * userN@filler.example, all with the given (precomputed) hash.
 */
function addFillers(db, n, hash) {
	const now = Math.floor(Date.now() / 1000);
	const sql = `PRAGMA journal_mode=WAL; BEGIN;
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${n})
INSERT INTO users (email, name, hash, created, updated)
SELECT 'user' || x || '@filler.example', 'Filler ' || x, '${hash}', ${now}, ${now} FROM seq;
COMMIT;`;
	execFileSync('sqlite3', [db], { input: sql, stdio: ['pipe', 'ignore', 'inherit'] });
}

/**
 * Fill a database with n sessions of the user email, each with its refresh
 * token, and n revoked token ids, all still live (so that nothing prunes
 * them): the store of a site with that many sessions and logouts.
 */
function addSessionFillers(db, n, email) {
	const now = Math.floor(Date.now() / 1000);
	const exp = now + 86400;
	const sql = `BEGIN;
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${n})
INSERT INTO sessions (id, user_id, created, refreshed, exp)
SELECT 'filler-session-' || x, (SELECT id FROM users WHERE email = '${email}'), ${now}, ${now}, ${exp} FROM seq;
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${n})
INSERT INTO refresh_tokens (jti, family, access_jti, csrf, access_csrf, iat, exp, access_exp)
SELECT 'filler-refresh-' || x, 'filler-session-' || x, 'filler-access-' || x, 'c', 'c', ${now}, ${exp}, ${exp} FROM seq;
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${n})
INSERT INTO revoked_tokens (jti, exp) SELECT 'filler-revoked-' || x, ${exp} FROM seq;
COMMIT;`;
	execFileSync('sqlite3', [db], { input: sql, stdio: ['pipe', 'ignore', 'inherit'] });
}

/** The stored hash of a user. */
function storedHash(db, email) {
	return execFileSync('sqlite3', [db, `SELECT hash FROM users WHERE email = '${email}';`],
	    { encoding: 'utf8' }).trim();
}

module.exports = {
	startLighttpd, memory, settle, cpuTicks, loadgen, loadgenPath, request, login, integrity,
	userCount, addFillers, addSessionFillers, storedHash, sleep, DEMO, buildDir, repoRoot, prepare,
};
