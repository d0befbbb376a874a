// make bench: measure latchkey on lighttpd over loopback and write a
// Markdown report (bench/results.md).  See docs/reliability.md.
//
//   node bench/run.js OUT.md     (make bench sets LATCHKEY_BUILD, BENCH_*)
//   node bench/run.js --cgi-only OUT.md   the plain-CGI section alone
//   node bench/run.js --ceilings-only OUT.md   the profile and the
//        authorizer next to their no-op ceilings alone, metrics on

'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../tests/stress/harness.js');
const rounds = require('./rounds.js');

// --cgi-only: the plain-CGI section alone (make bench-cgi).
const CGI_ONLY = process.argv[2] === '--cgi-only';
// --ceilings-only: the two ceiling rows alone (make bench-ceilings).
const CEILINGS_ONLY = process.argv[2] === '--ceilings-only';
const OUT = process.argv[CGI_ONLY || CEILINGS_ONLY ? 3 : 2] ?? path.join(__dirname, 'results.md');
const T = Number(process.env.BENCH_TIME ?? 10);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const BIG = Number(process.env.BENCH_USERS_BIG ?? 1000000);
const SMALL = 1000;
const bin = (p) => path.join(h.buildDir, p);
const JSON_CT = 'Content-Type: application/json';
const LOGIN = { email: h.DEMO.email, password: h.DEMO.password };

const sh = (cmd, args, opts = {}) => {
	try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim(); } catch { return '?'; }
};
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const f1 = (x) => Number(x).toFixed(1);
const f2 = (x) => Number(x).toFixed(2);
const mib = (kib) => (kib / 1024).toFixed(2);

function machine() {
	const cpu = /^Model name:\s*(.*)$/m.exec(sh('lscpu', []))?.[1] ?? os.cpus()[0]?.model;
	const pkgs = ['lighttpd', 'libjwt0', 'libjson-c5', 'libsqlite3-0', 'libcrypt1', 'libfcgi0ldbl', 'libssl3']
	    .map((p) => `${p} ${sh('dpkg-query', ['-W', '-f=${Version}', p])}`).join(', ');
	return [
		`- CPU: ${cpu}, ${os.cpus().length} logical cores (nproc ${sh('nproc', [])})`,
		`- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; kernel ${os.release()}; Debian ${sh('cat', ['/etc/debian_version'])}`,
		`- Compiler: ${sh('cc', ['--version']).split('\n')[0]}; programs built with the project's flags (-O2, hardening)`,
		`- Packages: ${pkgs}`,
		`- Load generator: bench/loadgen (one thread, epoll, keep-alive, closed loop) on the same machine, so it, lighttpd and the FastCGI processes share the ${os.cpus().length} cores`,
		`- Date: ${new Date().toISOString()}; lighttpd with ${PROCS} FastCGI process(es) per program; each measured run ${T} s after a warm-up`,
	].join('\n');
}

const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const avg = (a, k) => a.reduce((s, x) => s + x[k], 0) / a.length;

/** A members directory with one small page, readable by Apache's workers. */
function membersDir(tag) {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), `latchkey-bench-${tag}-`));
	fs.chmodSync(d, 0o755);
	fs.writeFileSync(path.join(d, 'page.html'), '<!doctype html><title>members</title><p>Members only.</p>\n');
	fs.chmodSync(path.join(d, 'page.html'), 0o644);
	return d;
}

/**
 * Apache + mod_fcgid as `make run-apache` configures it, plus the bench's
 * two extra places for the same page: /bench/open/ (no check) and
 * /bench/guarded/ (behind the no-op authorizer).
 */
async function startApacheBench(prep, members) {
	const { launchApache } = require('../tests/lib/apache.js');
	const port = await require('../tests/lib/net.js').freePort();
	const state = `${prep.dir}-apache`;
	const open = membersDir('open');
	const guarded = membersDir('guarded');
	const conf = execFileSync(path.join(h.repoRoot, 'scripts', 'run-apache'), ['--generate-only',
	    '--mode', 'fcgid', '--port', String(port), '--state', state, '--config', prep.config],
	    { encoding: 'utf8', env: { ...process.env, BUILD: h.buildDir, LATCHKEY_MEMBERS: members } }).trim();
	fs.appendFileSync(conf, `
Alias "/bench/open/" "${open}/"
<Directory "${open}">
    Require all granted
    Header always set Cache-Control "no-store"
</Directory>
Alias "/bench/guarded/" "${guarded}/"
<Directory "${guarded}">
    FcgidAccessChecker "${bin('bench/noopauth.fcgi')}"
    FcgidAccessCheckerAuthoritative On
    Require all granted
    Header always set Cache-Control "no-store"
</Directory>
`);
	const srv = await launchApache({ conf, port, errorLog: path.join(state, 'logs', 'error.log') });
	return { ...srv, async stop() {
		await srv.stop();
		for (const d of [state, open, guarded]) fs.rmSync(d, { recursive: true, force: true });
	} };
}

/*
 * The same static page unprotected, behind the no-op authorizer and behind
 * authorize.fcgi (with a good cookie), 64 connections, in interleaved
 * rounds (bench/rounds.js) so that drift hits all three alike.
 */
async function authorizer(baseURL, cookie, label, pids = () => []) {
	const paths = { open: '/bench/open/page.html', guarded: '/bench/guarded/page.html',
	    members: '/members/page.html' };
	for (const k of Object.keys(paths))
		await h.loadgen(baseURL + paths[k], { conns: 64, seconds: 1, headers: [`Cookie: ${cookie}`] });
	const runs = await rounds.interleave(Object.keys(paths), (k, i) => {
		log(`${label}: ${k}, round ${i + 1} of ${rounds.ROUNDS}`);
		return rounds.withCpu(pids(k), () => h.loadgen(baseURL + paths[k], { conns: 64,
		    seconds: Math.max(1, 2 * T / (3 * rounds.ROUNDS)), warmup: 0.3, headers: [`Cookie: ${cookie}`] }));
	});
	const out = Object.fromEntries(Object.keys(runs).map((k) => [k, rounds.row(runs[k])]));
	out.ratio = rounds.ratio(out.members, out.guarded);
	return out;
}

/** The FastCGI processes behind each authorizer row of lighttpd (none for the unprotected page). */
const authzPids = (srv) => (k) => (k === 'members' ? srv.pids('authorize') : k === 'guarded' ? srv.pids('noopauth') : []);

/*
 * Profile and authorizer latency (one connection) on two servers measured
 * in turns: a store of a thousand sessions and revocations against one of
 * BIG of each.
 */
async function growth(servers, cookies, rounds) {
	const out = servers.map(() => ({ p: [], a: [] }));
	for (let r = 0; r < rounds; r++)
		for (let i = 0; i < servers.length; i++) {
			log(`growth: round ${r + 1}, server ${i + 1}`);
			const hd = { headers: [`Cookie: ${cookies[i]}`] };
			out[i].p.push(await h.loadgen(`${servers[i].baseURL}/api/profile`, { conns: 1, seconds: T / 4, warmup: 0.3, ...hd }));
			out[i].a.push(await h.loadgen(`${servers[i].baseURL}/members/page.html`, { conns: 1, seconds: T / 4, warmup: 0.3, ...hd }));
		}
	return out.map((o) => ({
		profile_p50: med(o.p.map((x) => x.p50_ms)), profile_p99: med(o.p.map((x) => x.p99_ms)),
		authz_p50: med(o.a.map((x) => x.p50_ms)), authz_p99: med(o.a.map((x) => x.p99_ms)),
		failed: [...o.p, ...o.a].reduce((s, x) => s + x.errors + x.requests - x.ok, 0),
	}));
}

/*
 * Plain CGI: each program spawned with the request in its environment,
 * 5 runs at a time, in turns, ROUNDS times: medians of all runs.
 */
function cgiTimes(progs, rounds) {
	const samples = progs.map(() => []);
	let status = progs.map(() => '');
	for (let r = 0; r < rounds; r++)
		progs.forEach((p, i) => {
			const out = JSON.parse(sh(bin('bench/cgitime'), ['5', p.bin], { env: p.env }));
			samples[i].push(...out.samples);
			status[i] = out.status;
		});
	return progs.map((p, i) => ({ ...p, runs: samples[i].length, p50: med(samples[i]),
	    p90: [...samples[i]].sort((x, y) => x - y)[Math.floor(samples[i].length * 0.9)],
	    min: Math.min(...samples[i]), status: status[i] }));
}

/*
 * Plain CGI: the start-up floors (noop.c; the empty program with the
 * profile program's libraries; the same that opens the store and finds one
 * user, SQLite's own start-up), the profile program against them, and all
 * of it again with the store in journal_mode = DELETE (no -shm to map, no
 * WAL to open).  Returns { summary(mark), section }: Markdown lines.
 */
function plainCgi(small, cookie) {
	log('plain CGI: one request per process');
	const cgiEnv = { ...process.env, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET',
	    SCRIPT_NAME: '/api/profile', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1',
	    HTTP_COOKIE: cookie, LATCHKEY_CONFIG: small.config };
	const noCookie = { ...cgiEnv };
	delete noCookie.HTTP_COOKIE;
	const staticBin = (p) => path.join(h.repoRoot, 'build', 'static', p);
	// The same store in journal_mode = DELETE: a copy, and a configuration
	// beside it naming it (the same key, so that the cookie holds).
	const delDb = path.join(small.dir, 'latchkey-delete.db');
	execFileSync('sqlite3', [small.db, `.backup ${delDb}`]);
	const mode = execFileSync('sqlite3', [delDb, 'PRAGMA journal_mode = DELETE'], { encoding: 'utf8' }).trim();
	if (mode !== 'delete') throw new Error(`journal_mode of the copy: ${mode}`);
	const delConf = path.join(small.dir, 'latchkey-delete.conf');
	fs.writeFileSync(delConf, `${fs.readFileSync(small.config, 'utf8').replace(/^database = .*\n/m, '')}` +
	    `database = ${delDb}\n`);
	const store = { ...cgiEnv, BENCH_DATABASE: small.db, BENCH_EMAIL: h.DEMO.email };
	const storeDel = { ...store, BENCH_DATABASE: delDb };
	const profileDel = { ...cgiEnv, LATCHKEY_CONFIG: delConf };
	const cgi = cgiTimes([
		{ name: 'bench/noop.c as CGI (links libfcgi alone)', bin: bin('bench/noop.fcgi'), env: cgiEnv },
		{ name: 'empty program, same shared libraries as profile', bin: bin('bench/emptycgi'), env: cgiEnv },
		{ name: 'SQLite\'s floor: the same, opening the store and finding one user (bench/storeopen.c)', bin: bin('bench/storeopen'), env: store },
		{ name: 'GET /api/profile, no cookie (401)', bin: bin('cgi-bin/profile.fcgi'), env: noCookie },
		{ name: 'GET /api/profile, valid cookie (200)', bin: bin('cgi-bin/profile.fcgi'), env: cgiEnv },
		{ name: 'journal_mode = DELETE: SQLite\'s floor', bin: bin('bench/storeopen'), env: storeDel },
		{ name: 'journal_mode = DELETE: GET /api/profile, valid cookie (200)', bin: bin('cgi-bin/profile.fcgi'), env: profileDel },
		{ name: 'STATIC=1: empty program, same shared libraries', bin: bin('bench/emptycgi-static'), env: cgiEnv },
		{ name: 'STATIC=1: SQLite\'s floor', bin: bin('bench/storeopen-static'), env: store },
		{ name: 'STATIC=1: GET /api/profile, no cookie (401)', bin: staticBin('cgi-bin/profile.fcgi'), env: noCookie },
		{ name: 'STATIC=1: GET /api/profile, valid cookie (200)', bin: staticBin('cgi-bin/profile.fcgi'), env: cgiEnv },
		{ name: 'STATIC=1, journal_mode = DELETE: SQLite\'s floor', bin: bin('bench/storeopen-static'), env: storeDel },
		{ name: 'STATIC=1, journal_mode = DELETE: GET /api/profile, valid cookie (200)', bin: staticBin('cgi-bin/profile.fcgi'), env: profileDel },
	], 8);
	const [noop, empty, floor, no401, ok200, floorDel, ok200Del,
	    sEmpty, sFloor, sNo401, sOk200, sFloorDel, sOk200Del] = cgi;
	const cgiLogin = JSON.parse(sh(bin('bench/cgitime'), ['20', bin('cgi-bin/login.fcgi')], {
		env: { ...cgiEnv, REQUEST_METHOD: 'POST', SCRIPT_NAME: '/api/login', CONTENT_TYPE: 'application/json', CONTENT_LENGTH: '0' } }));
	const needed = (p) => sh('sh', ['-c', `readelf -d ${p} | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p' | tr '\\n' ' '`]);
	const x = (a, b) => `${f2(a.p50 / b.p50)} × (${f2(a.p50)} vs ${f2(b.p50)} ms)`;
	const pct = (a, b) => `${f1((a.p50 / b.p50 - 1) * 100)}%`;
	const summary = (mark) => [
		`| plain CGI, profile with a valid cookie ≤ 1.2 × empty program (same libraries) | ${x(ok200, empty)}; STATIC=1 ${x(sOk200, sEmpty)} | ${mark(ok200.p50 / empty.p50 <= 1.2)} |`,
		`| plain CGI, profile without a cookie ≤ 1.2 × empty program | ${f2(no401.p50 / empty.p50)} ×; STATIC=1 ${f2(sNo401.p50 / sEmpty.p50)} × | ${mark(no401.p50 / empty.p50 <= 1.2)} |`,
		`| (no target) plain CGI, profile with a valid cookie against SQLite's own floor (store opened, one user found) | ${x(ok200, floor)}; STATIC=1 ${x(sOk200, sFloor)}; journal_mode = DELETE ${x(ok200Del, floorDel)} | |`,
	];
	const section = [
		'## Plain CGI (one process per request)', '',
		'Each program spawned with the request in its environment, its whole answer read, reaped; 5 runs of each',
		'in turns, 8 times, medians of the 40 runs.  The STATIC=1 rows link SQLite, json-c, libfcgi, libxcrypt and',
		'liboath into the program (the shared-hosting tarball\'s programs are built so).  SQLite\'s floor is',
		'bench/storeopen.c: the empty program, linked as the programs are, that opens the store, finds the user by',
		'email and closes it.  The journal_mode = DELETE rows read a copy of the same store switched out of WAL.', '',
		'| program | runs | p50 ms | p90 ms | min ms | status |', '|---|---|---|---|---|---|',
		...cgi.map((c) => `| ${c.name} | ${c.runs} | ${f2(c.p50)} | ${f2(c.p90)} | ${f2(c.min)} | ${c.status} |`),
		`| POST /api/login (empty body: start-up and refusal, no hash) | ${cgiLogin.runs} | ${f2(cgiLogin.p50_ms)} | ${f2(cgiLogin.p90_ms)} | ${f2(cgiLogin.min_ms)} | ${cgiLogin.status} |`,
		'',
		`Shared libraries profile.fcgi loads: ${needed(bin('cgi-bin/profile.fcgi'))}; with STATIC=1: ${needed(staticBin('cgi-bin/profile.fcgi'))}.`,
		`The library floor (empty program ÷ noop.c as CGI): ${f2(empty.p50 / noop.p50)} ×; with STATIC=1 ${f2(sEmpty.p50 / noop.p50)} ×.`,
		`SQLite's start-up (its floor − the empty program): ${f2(floor.p50 - empty.p50)} ms in WAL mode, ${f2(floorDel.p50 - empty.p50)} ms with journal_mode = DELETE; STATIC=1 ${f2(sFloor.p50 - sEmpty.p50)} ms and ${f2(sFloorDel.p50 - sEmpty.p50)} ms.`,
		`latchkey's own work in a profile request (profile − SQLite's floor): ${f2(ok200.p50 - floor.p50)} ms; STATIC=1 ${f2(sOk200.p50 - sFloor.p50)} ms.`,
		`journal_mode = DELETE against WAL: SQLite's floor ${pct(floorDel, floor)}, profile ${pct(ok200Del, ok200)}; STATIC=1 ${pct(sFloorDel, sFloor)} and ${pct(sOk200Del, sOk200)}.`,
		'',
	];
	return { summary, section };
}

async function settleAll(srv) {
	await h.settle(['login', 'profile', 'logout', 'noop'].flatMap((n) => srv.pids(n)));
}

function memRows(srv) {
	const rows = [];
	for (const n of ['login', 'profile', 'logout', 'noop'])
		for (const pid of srv.pids(n)) {
			const m = h.memory(pid);
			rows.push({ name: n, pid, ...m });
		}
	return rows;
}

/*
 * 1 thousand against 1 million users, both servers up at once and measured
 * in turns, so that whatever else the machine does hits both alike; the
 * median of the rounds is reported.
 */
async function compare(servers, rounds) {
	const out = servers.map(() => ({ p1: [], l1: [], p64: [] }));
	const sessions = [];
	for (const srv of servers) sessions.push((await h.login(srv.baseURL)).cookie);
	for (let r = 0; r < rounds; r++) {
		for (let i = 0; i < servers.length; i++) {
			log(`users comparison: round ${r + 1}, server ${i + 1}`);
			const base = servers[i].baseURL;
			const profile = { headers: [`Cookie: ${sessions[i]}`] };
			const p1 = await h.loadgen(`${base}/api/profile`, { conns: 1, seconds: T / 4, warmup: 0.3, ...profile });
			const l1 = await h.loadgen(`${base}/api/login`, { conns: 1, seconds: T / 4, warmup: 0.3,
			    method: 'POST', headers: [JSON_CT], body: LOGIN });
			const p64 = await h.loadgen(`${base}/api/profile`, { conns: 64, seconds: T / 4, warmup: 0.3, ...profile });
			out[i].p1.push(p1);
			out[i].l1.push(l1);
			out[i].p64.push(p64);
		}
	}
	return out.map((o) => ({
		profile_p50: med(o.p1.map((x) => x.p50_ms)), profile_p99: med(o.p1.map((x) => x.p99_ms)),
		login_p50: med(o.l1.map((x) => x.p50_ms)), login_p99: med(o.l1.map((x) => x.p99_ms)),
		profile_rps: med(o.p64.map((x) => x.rps)),
		failed: [...o.p1, ...o.l1, ...o.p64].reduce((s, x) => s + x.errors + x.requests - x.ok, 0),
	}));
}

async function bench(srv, label, results) {
	const { cookie } = await h.login(srv.baseURL);
	const profile = { headers: [`Cookie: ${cookie}`] };
	const login = { method: 'POST', headers: [JSON_CT], body: LOGIN };
	log(`${label}: warm-up`);
	await h.loadgen(`${srv.baseURL}/bench/noop`, { conns: 64, seconds: 1 });
	await h.loadgen(`${srv.baseURL}/api/profile`, { conns: 64, seconds: 1, ...profile });
	await h.loadgen(`${srv.baseURL}/api/login`, { conns: 4, seconds: 1, ...login });
	await settleAll(srv);

	const r = {};
	if (results.throughput) {
		// No-op and profile in interleaved rounds, so drift hits both alike.
		const runs = await rounds.interleave(['noop', 'profile'], (k, i) => {
			log(`${label}: ${k}, 64 connections, round ${i + 1} of ${rounds.ROUNDS}`);
			return rounds.withCpu(srv.pids(k), () => h.loadgen(`${srv.baseURL}${k === 'noop' ? '/bench/noop' : '/api/profile'}`,
			    { conns: 64, seconds: Math.max(1, 2 * T / rounds.ROUNDS), warmup: 0.5,
			    ...(k === 'noop' ? {} : profile) }));
		});
		r.noop = rounds.row(runs.noop);
		r.profile = rounds.row(runs.profile);
		r.ratio = rounds.ratio(r.profile, r.noop);
		// Per-request CPU of each process kind, from /proc: where the time goes.
		const cpu0 = Object.fromEntries(['profile', 'noop'].map((n) => [n, srv.pids(n).reduce((s, p) => s + h.cpuTicks(p), 0)]));
		const lt0 = h.cpuTicks(srv.child.pid);
		const pr = await h.loadgen(`${srv.baseURL}/api/profile`, { conns: 64, seconds: T / 2, ...profile });
		const cpu1p = srv.pids('profile').reduce((s, p) => s + h.cpuTicks(p), 0);
		const lt1 = h.cpuTicks(srv.child.pid);
		const nr = await h.loadgen(`${srv.baseURL}/bench/noop`, { conns: 64, seconds: T / 2 });
		const cpu1n = srv.pids('noop').reduce((s, p) => s + h.cpuTicks(p), 0);
		const lt2 = h.cpuTicks(srv.child.pid);
		const tick = 1e6 / Number(sh('getconf', ['CLK_TCK']));
		r.cpu = {
			profile_us: (cpu1p - cpu0.profile) * tick / pr.requests,
			noop_us: (cpu1n - cpu0.noop) * tick / nr.requests,
			lighttpd_profile_us: (lt1 - lt0) * tick / pr.requests,
			lighttpd_noop_us: (lt2 - lt1) * tick / nr.requests,
		};

		log(`${label}: login, 16 connections`);
		const l = await h.loadgen(`${srv.baseURL}/api/login`, { conns: 16, seconds: T, warmup: 1, ...login });
		r.login = { rps: l.rps, p50: l.p50_ms, p99: l.p99_ms, errors: l.errors + l.requests - l.ok };
		await settleAll(srv);
		r.mem = memRows(srv);
	}
	return { r, cookie };
}

async function main() {
	log(`building a store of ${SMALL} users`);
	const small = h.prepare({});
	const hash = h.storedHash(small.db, h.DEMO.email);
	h.addFillers(small.db, SMALL - 1, hash);
	const load0 = os.loadavg();
	const hashtime = JSON.parse(sh(bin('bench/hashtime'), [small.config, '40']));
	// The same, one process per core at once: what the cores really
	// sustain when they all hash (yescrypt is memory-hard: they share the
	// caches and the memory bus).
	const par = await Promise.all(os.cpus().map(() => new Promise((resolve) => {
		const c = require('node:child_process').execFile(bin('bench/hashtime'), [small.config, '40'],
		    (err, out) => resolve(err ? null : JSON.parse(out)));
		return c;
	})));
	const parRate = par.reduce((s, x) => s + (x ? 1000 / x.hash_ms : 0), 0);

	const members = membersDir('members');
	let srv = await h.startLighttpd({ prep: small, procs: PROCS, noop: true, noopauth: true, members });
	const { r: s, cookie } = await bench(srv, `${SMALL} users`, { throughput: true });
	// A fresh session: the login rows may have ended the first one
	// (sessions_max), and a revoked cookie would measure the 401.
	const authzLt = await authorizer(srv.baseURL, (await h.login(srv.baseURL)).cookie, 'lighttpd authorizer', authzPids(srv));
	await srv.stop(true);
	const apache = await startApacheBench(small, members);
	const apacheCookie = (await h.login(apache.baseURL)).cookie;
	const authzAp = await authorizer(apache.baseURL, apacheCookie, 'Apache authorizer');
	await apache.stop();
	srv = await h.startLighttpd({ prep: small, procs: PROCS, noop: true, noopauth: true, members });

	log(`building a store of ${BIG} sessions and ${BIG} revocations`);
	const sess = h.prepare({});
	h.addSessionFillers(sess.db, BIG, h.DEMO.email);
	h.addSessionFillers(small.db, SMALL, h.DEMO.email);
	const sessMiB = fs.statSync(sess.db).size / 2 ** 20;
	const srvSess = await h.startLighttpd({ prep: sess, procs: PROCS, members });
	const [gs, gb] = await growth([srv, srvSess], [cookie, (await h.login(srvSess.baseURL)).cookie], 3);
	await srvSess.stop();
	fs.rmSync(sess.dir, { recursive: true, force: true });

	log(`building a store of ${BIG} users`);
	const t0 = Date.now();
	const big = h.prepare({});
	h.addFillers(big.db, BIG - 1, h.storedHash(big.db, h.DEMO.email));
	const buildSecs = (Date.now() - t0) / 1000;
	const dbMiB = fs.statSync(big.db).size / 2 ** 20;
	const srvBig = await h.startLighttpd({ prep: big, procs: PROCS });
	const [cs, cb] = await compare([srv, srvBig], 3);
	// The lookup alone, in process, in turns.
	const look = { small: [], big: [] };
	for (let i = 0; i < 3; i++) {
		look.small.push(JSON.parse(sh(bin('bench/storetime'), [small.db, h.DEMO.email])).lookup_us);
		look.big.push(JSON.parse(sh(bin('bench/storetime'), [big.db, h.DEMO.email])).lookup_us);
		look.big.push(JSON.parse(sh(bin('bench/storetime'), [big.db, `user${Math.floor(BIG / 2)}@filler.example`])).lookup_us);
	}
	const lmed = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
	await settleAll(srvBig);
	const bigMem = memRows(srvBig);
	await srvBig.stop();
	await srv.stop();

	const cgiMd = plainCgi(small, cookie);
	fs.rmSync(members, { recursive: true, force: true });
	fs.rmSync(small.dir, { recursive: true, force: true });
	fs.rmSync(big.dir, { recursive: true, force: true });

	const load1 = os.loadavg();
	// The report.
	const ratio = s.ratio.value;
	const loginRatio = s.login.rps / hashtime.bare_rate;
	const maxAnon = Math.max(...s.mem.filter((m) => m.name !== 'noop').map((m) => m.RssAnon));
	const slow = (a, c) => (a / c - 1) * 100;
	const pSlow = slow(cb.profile_p50, cs.profile_p50);
	const lSlow = slow(cb.login_p50, cs.login_p50);
	const tSlow = slow(cs.profile_rps, cb.profile_rps);
	const mark = (ok) => (ok ? 'met' : '**missed**');
	const azLt = authzLt.ratio.value;
	const azAp = authzAp.ratio.value;
	const gpSlow = slow(gb.profile_p50, gs.profile_p50);
	const gaSlow = slow(gb.authz_p50, gs.authz_p50);
	const md = [];
	md.push('# latchkey benchmark results', '',
	    'Written by `make bench` (bench/run.js); numbers from one run on the machine below.',
	    'Speed targets are reported here, never asserted by tests.', '',
	    '## Machine', '', machine(),
	    `- Load average (1 min) at the start ${f2(load0[0])}, at the end ${f2(load1[0])}: anything above 0 is other work sharing the cores`, '',
	    '## Summary against the targets', '',
	    `Throughput: the median of ${rounds.ROUNDS} rounds (BENCH_ROUNDS) taken in turns with the row's no-op ceiling, min–max in brackets; a ratio is the quotient of the two medians, beside the range of the rounds' own quotients (bench/analysis.md).`, '',
	    '| target | measured | |',
	    '|---|---|---|',
	    `| profile ≥ 0.9 × no-op responder | ${rounds.ratioCell(s.ratio)}; ${rounds.rpsCell(s.profile)} vs ${rounds.rpsCell(s.noop)} req/s | ${mark(ratio >= 0.9)} |`,
	    `| login ≥ 0.95 × bare hash rate | ${f2(loginRatio)} × (${f1(s.login.rps)} vs ${f1(hashtime.bare_rate)} /s); ${f2(s.login.rps / parRate)} × the measured parallel hash rate ${f1(parRate)} /s | ${mark(loginRatio >= 0.95)} |`,
	    `| ≤ 2 MiB private (RssAnon) per FastCGI process | max ${mib(maxAnon)} MiB | ${mark(maxAnon <= 2048)} |`,
	    `| authorizer (lighttpd) ≥ 0.9 × no-op authorizer | ${rounds.ratioCell(authzLt.ratio)}; ${rounds.rpsCell(authzLt.members)} vs ${rounds.rpsCell(authzLt.guarded)} req/s; unprotected ${rounds.rpsCell(authzLt.open)} | ${mark(azLt >= 0.9)} |`,
	    `| authorizer (Apache mod_fcgid) ≥ 0.9 × no-op authorizer | ${rounds.ratioCell(authzAp.ratio)}; ${rounds.rpsCell(authzAp.members)} vs ${rounds.rpsCell(authzAp.guarded)} req/s; unprotected ${rounds.rpsCell(authzAp.open)} | ${mark(azAp >= 0.9)} |`,
	    ...cgiMd.summary(mark),
	    `| ${BIG} users no slower than ${SMALL} beyond 10% | profile latency ${f1(pSlow)}%, login latency ${f1(lSlow)}%, profile throughput ${f1(tSlow)}% | ${mark(pSlow <= 10 && lSlow <= 10 && tSlow <= 10)} |`,
	    `| ${BIG} sessions and revocations no slower than ${SMALL} beyond 10% | profile latency ${f1(gpSlow)}%, authorizer latency ${f1(gaSlow)}% | ${mark(gpSlow <= 10 && gaSlow <= 10)} |`,
	    '',
	    `## The authorizer: one static page, 64 connections`, '',
	    `Req/s: the median of ${rounds.ROUNDS} interleaved rounds (min–max); p50 and p99: medians of the rounds.`, '',
	    '| server | unprotected req/s | behind the no-op authorizer | behind authorize.fcgi (valid cookie) | p50 ms (authorize.fcgi) | p99 ms | failed |',
	    '|---|---|---|---|---|---|---|',
	    `| lighttpd | ${rounds.rpsCell(authzLt.open)} | ${rounds.rpsCell(authzLt.guarded)} | ${rounds.rpsCell(authzLt.members)} | ${f2(authzLt.members.p50)} | ${f2(authzLt.members.p99)} | ${authzLt.members.errors + authzLt.guarded.errors + authzLt.open.errors} |`,
	    `| Apache + mod_fcgid | ${rounds.rpsCell(authzAp.open)} | ${rounds.rpsCell(authzAp.guarded)} | ${rounds.rpsCell(authzAp.members)} | ${f2(authzAp.members.p50)} | ${f2(authzAp.members.p99)} | ${authzAp.members.errors + authzAp.guarded.errors + authzAp.open.errors} |`,
	    '',
	    `## ${SMALL} against ${BIG} sessions and revocations`, '',
	    `The large store holds ${BIG} live sessions of the demo user (each with its refresh token) and ${BIG} revoked`,
	    `token ids (${f1(sessMiB)} MiB); both servers ran at once and were measured in turns (3 rounds, one connection).`, '',
	    '| store | profile p50 ms | profile p99 ms | authorizer p50 ms | authorizer p99 ms | failed |', '|---|---|---|---|---|---|',
	    `| ${SMALL} | ${f2(gs.profile_p50)} | ${f2(gs.profile_p99)} | ${f2(gs.authz_p50)} | ${f2(gs.authz_p99)} | ${gs.failed} |`,
	    `| ${BIG} | ${f2(gb.profile_p50)} | ${f2(gb.profile_p99)} | ${f2(gb.authz_p50)} | ${f2(gb.authz_p99)} | ${gb.failed} |`,
	    '',
	    `## /api/profile next to the no-op responder (${SMALL} users, 64 connections)`, '',
	    `Req/s: the median of ${rounds.ROUNDS} interleaved rounds (min–max); p50 and p99: medians of the rounds.`, '',
	    '| endpoint | req/s | p50 ms | p99 ms | failed |', '|---|---|---|---|---|',
	    `| no-op FastCGI (bench/noop.c) | ${rounds.rpsCell(s.noop)} | ${f2(s.noop.p50)} | ${f2(s.noop.p99)} | ${s.noop.errors} |`,
	    `| GET /api/profile | ${rounds.rpsCell(s.profile)} | ${f2(s.profile.p50)} | ${f2(s.profile.p99)} | ${s.profile.errors} |`,
	    '',
	    `CPU per request (from /proc, user + system): profile process ${f1(s.cpu.profile_us)} µs, ` +
	    `no-op process ${f1(s.cpu.noop_us)} µs; lighttpd ${f1(s.cpu.lighttpd_profile_us)} µs (profile) / ` +
	    `${f1(s.cpu.lighttpd_noop_us)} µs (no-op). The load generator takes its share of the same cores.`,
	    '',
	    `## Login at the configured hash cost (${hashtime.method}, cost ${hashtime.cost})`, '',
	    '| | per second | p50 ms | p99 ms |', '|---|---|---|---|',
	    `| one hash (hashtime, lk_password_verify) | ${f1(1000 / hashtime.hash_ms)} per core | ${f2(hashtime.hash_ms)} | |`,
	    `| bare hash rate = ${hashtime.cores} cores ÷ one hash | ${f1(hashtime.bare_rate)} | | |`,
	    `| ${par.length} hashing processes at once (measured) | ${f1(parRate)} | ${f2(1000 * par.length / parRate)} | |`,
	    `| POST /api/login, 16 connections | ${f1(s.login.rps)} | ${f2(s.login.p50)} | ${f2(s.login.p99)} |`,
	    `| failed logins under load | ${s.login.errors} | | |`,
	    '',
	    '## Memory per FastCGI process, after load (KiB)', '',
	    'RssAnon is the private memory of a process; RssFile is mapped files, chiefly shared libraries',
	    'whose pages all processes share (reported apart, as Shared_Clean); VmHWM is the peak resident',
	    'size over the process\'s life, which for login is the peak of a login (the hash\'s memory).', '',
	    '| program | pid | RssAnon | RssFile | Shared_Clean | Pss | VmHWM (peak) |', '|---|---|---|---|---|---|---|',
	    ...s.mem.map((m) => `| ${m.name} | ${m.pid} | ${m.RssAnon} | ${m.RssFile} | ${m.Shared_Clean} | ${m.Pss} | ${m.VmHWM} |`),
	    '',
	    `With ${BIG} users, after load:`, '',
	    '| program | pid | RssAnon | RssFile | VmHWM |', '|---|---|---|---|---|',
	    ...bigMem.filter((m) => m.name !== 'noop').map((m) => `| ${m.name} | ${m.pid} | ${m.RssAnon} | ${m.RssFile} | ${m.VmHWM} |`),
	    '',
	    ...cgiMd.section,
	    `## ${SMALL} users against ${BIG} users`, '',
	    `The ${BIG - 1} filler users share one precomputed hash; the store was built with sqlite3 in one`,
	    `transaction in ${f1(buildSecs)} s (${f1(dbMiB)} MiB).`, '',
	    `One user lookup in process (bench/storetime.c, lk_store_user_find, median): ${f2(lmed(look.small))} µs with ${SMALL} users, ${f2(lmed(look.big))} µs with ${BIG}.`, '',
	    'Over HTTP, both servers ran at once and were measured in turns (3 rounds); medians of the rounds.', '',
	    '| | profile p50 ms (1 conn) | profile p99 ms | login p50 ms (1 conn) | login p99 ms | profile req/s (64 conns) | failed |',
	    '|---|---|---|---|---|---|---|',
	    `| ${SMALL} users | ${f2(cs.profile_p50)} | ${f2(cs.profile_p99)} | ${f2(cs.login_p50)} | ${f2(cs.login_p99)} | ${f1(cs.profile_rps)} | ${cs.failed} |`,
	    `| ${BIG} users | ${f2(cb.profile_p50)} | ${f2(cb.profile_p99)} | ${f2(cb.login_p50)} | ${f2(cb.login_p99)} | ${f1(cb.profile_rps)} | ${cb.failed} |`,
	    '');
	const analysis = path.join(__dirname, 'analysis.md');
	if (fs.existsSync(analysis)) md.push(fs.readFileSync(analysis, 'utf8'));
	fs.writeFileSync(OUT, md.join('\n'));
	log(`wrote ${OUT}`);
	console.log(md.slice(0, 20).join('\n'));
}

/* make bench-cgi: the plain-CGI section alone, on a store of SMALL users. */
async function cgiOnly() {
	const small = h.prepare({});
	h.addFillers(small.db, SMALL - 1, h.storedHash(small.db, h.DEMO.email));
	const srv = await h.startLighttpd({ prep: small, procs: 1 });
	const { cookie } = await h.login(srv.baseURL);
	await srv.stop();
	const load0 = os.loadavg();
	const cgiMd = plainCgi(small, cookie);
	const load1 = os.loadavg();
	fs.rmSync(small.dir, { recursive: true, force: true });
	const md = ['# latchkey benchmark: plain CGI alone', '',
	    'Written by `make bench-cgi` (bench/run.js --cgi-only); numbers from one run on the machine below.', '',
	    '## Machine', '', machine().split('\n').filter((l) => !/^- (Load generator|Date):/.test(l)).join('\n'),
	    `- Date: ${new Date().toISOString()}`,
	    `- Load average (1 min) at the start ${f2(load0[0])}, at the end ${f2(load1[0])}: anything above 0 is other work sharing the cores`, '',
	    '| target | measured | |', '|---|---|---|', ...cgiMd.summary((ok) => (ok ? 'met' : '**missed**')), '',
	    ...cgiMd.section];
	fs.writeFileSync(OUT, md.join('\n'));
	log(`wrote ${OUT}`);
	console.log(md.join('\n'));
}

/*
 * The profile next to the no-op responder and the authorizer next to the
 * no-op authorizer on lighttpd, with the node's counter file on (its
 * default, beside the database): what counting costs the hot paths.
 */
async function ceilingsOnly() {
	// BENCH_METRICS=off: the same with counting off, to compare.
	const off = process.env.BENCH_METRICS === 'off';
	const small = h.prepare(off ? { config: 'metrics_file = off\n' } : {});
	h.addFillers(small.db, SMALL - 1, h.storedHash(small.db, h.DEMO.email));
	const members = membersDir('members');
	const load0 = os.loadavg();
	const srv = await h.startLighttpd({ prep: small, procs: PROCS, noop: true, noopauth: true, members });
	const { r: s, cookie } = await bench(srv, `${SMALL} users`, { throughput: true });
	// A session of its own: the logins above may have ended the first
	// one (sessions_max), and a revoked cookie measures the 401.
	void cookie;
	const az = await authorizer(srv.baseURL, (await h.login(srv.baseURL)).cookie, 'lighttpd authorizer', authzPids(srv));
	const metricsFile = `${small.db}.metrics`;
	const on = fs.existsSync(metricsFile);
	const scrape = sh('curl', ['-s', `${srv.baseURL}/metrics`]);
	const count = (series) => {
		const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
		return line ? line.slice(series.length + 1) : '?';
	};
	await srv.stop();
	const load1 = os.loadavg();
	fs.rmSync(members, { recursive: true, force: true });
	fs.rmSync(small.dir, { recursive: true, force: true });
	const ratio = s.ratio.value;
	const azr = az.ratio.value;
	const mark = (ok) => (ok ? 'met' : '**missed**');
	const md = [`# latchkey benchmark: the no-op ceilings with metrics ${off ? 'off' : 'on'}`, '',
	    'Written by `make bench-ceilings` (bench/run.js --ceilings-only); numbers from one run on the machine below.', '',
	    '## Machine', '', machine().split('\n').filter((l) => !/^- (Load generator|Date):/.test(l)).join('\n'),
	    `- Date: ${new Date().toISOString()}`,
	    `- Load average (1 min) at the start ${f2(load0[0])}, at the end ${f2(load1[0])}: anything above 0 is other work sharing the cores`, '',
	    `Counting: ${on ? `on (${path.basename(metricsFile)}); the authorizer counted ${count('latchkey_authorizer_decisions_total{decision="allow"}')} grants, the profile program ${count('latchkey_request_duration_seconds_count{program="profile"}')} requests` : '**off** (no counter file)'}.`, '',
	    '| target | measured | |', '|---|---|---|',
	    `| profile ≥ 0.9 × no-op responder | ${rounds.ratioCell(s.ratio)}; ${rounds.rpsCell(s.profile)} vs ${rounds.rpsCell(s.noop)} req/s | ${mark(ratio >= 0.9)} |`,
	    `| authorizer (lighttpd) ≥ 0.9 × no-op authorizer | ${rounds.ratioCell(az.ratio)}; ${rounds.rpsCell(az.members)} vs ${rounds.rpsCell(az.guarded)} req/s; unprotected ${rounds.rpsCell(az.open)} | ${mark(azr >= 0.9)} |`, '',
	    `Req/s: the median of ${rounds.ROUNDS} interleaved rounds (min–max); a ratio is the quotient of the medians, beside the range of the rounds' own quotients.`, '',
	    `Failed (not 2xx): profile ${s.profile.errors}, no-op ${s.noop.errors}, authorizer ${az.members.errors}, no-op authorizer ${az.guarded.errors}.`, '',
	    `CPU per request of the FastCGI processes (/proc/PID/schedstat, median of the rounds): profile ${f1(s.profile.cpu_us)} µs, ` +
	    `no-op responder ${f1(s.noop.cpu_us)} µs; authorize.fcgi ${f1(az.members.cpu_us)} µs, no-op authorizer ${f1(az.guarded.cpu_us)} µs.`, ''];
	fs.writeFileSync(OUT, md.join('\n'));
	log(`wrote ${OUT}`);
	console.log(md.join('\n'));
}

(CGI_ONLY ? cgiOnly() : CEILINGS_ONLY ? ceilingsOnly() : main()).catch((e) => { console.error(e); process.exit(1); });
