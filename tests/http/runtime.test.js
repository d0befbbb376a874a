// How the programs live and fail: per-request state in a long-lived
// FastCGI process, a bad key or configuration (503 and a log line, then
// recovery), secure defaults, and password rehashing at login.

'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { startServer, DEMO } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pids(name) {
	try {
		return execFileSync('pgrep', ['-f', `cgi-bin/${name}.fcgi`], { encoding: 'utf8' })
		    .trim().split('\n').filter(Boolean).map(Number);
	} catch { return []; }
}

async function loginCookie(srv) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email: DEMO.email, password: DEMO.password } });
	assert.equal(res.status, 200);
	const c = cookiesFrom(res.setCookies);
	return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token };
}

describe('one FastCGI process, many requests', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('leaks nothing of one request into the next', async () => {
		srv = await startServer({ kind: 'lighttpd', procs: 1 });
		const { cookie, csrf } = await loginCookie(srv);
		const before = pids('profile');
		let res = await request(srv.baseURL, { path: '/api/profile', cookie });
		assert.equal(res.body, '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
		const mine = pids('profile').filter((p) => srv && p);
		res = await request(srv.baseURL, { path: '/api/profile' });
		assert.equal(res.status, 401);
		assert.equal(res.body, '{"msg":"Missing cookie \\"access_token_cookie\\""}\n');
		// A CSRF header seen once is not remembered either.
		res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile', cookie,
		    headers: { 'X-CSRF-TOKEN': csrf }, body: { name: 'John Doe' } });
		assert.equal(res.status, 200);
		res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile', cookie,
		    body: { name: 'Eve' } });
		assert.equal(res.body, '{"msg":"Missing CSRF token"}\n');
		// A body seen once is not reused for a request without one.
		res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile', cookie,
		    headers: { 'X-CSRF-TOKEN': csrf, 'Content-Type': 'application/json' }, body: '' });
		assert.equal(res.status, 400);
		// And all of it went to one and the same process.
		assert.ok(before.length >= 1);
		assert.deepEqual(pids('profile').filter((p) => before.includes(p)), before.filter((p) => mine.includes(p)));
	});
});

describe('secure by default', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('marks cookies Secure unless configured otherwise', async () => {
		srv = await startServer({ kind: 'lighttpd', config: 'cookie_secure = true\n' });
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.equal(res.status, 200);
		assert.match(res.setCookies[0], /^access_token_cookie=[^;]+; Secure; HttpOnly; Path=\/; SameSite=Lax$/);
		assert.match(res.setCookies[1], /^csrf_access_token=[^;]+; Secure; Path=\/; SameSite=Lax$/);
	});
});

describe('configuration reaches the wire', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('honours cookie names, lifetime, persistence, header and methods', async () => {
		srv = await startServer({ kind: 'lighttpd', config: [
			'access_cookie_name = at', 'access_csrf_cookie_name = ct',
			'access_token_expires = 15m', 'session_cookie = false',
			'cookie_samesite = Strict', 'csrf_header_name = X-XSRF-TOKEN', '',
		].join('\n') });
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.equal(res.status, 200);
		assert.match(res.setCookies[0], /^at=[^;]+; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; Max-Age=2592000; HttpOnly; Path=\/; SameSite=Strict$/);
		const c = cookiesFrom(res.setCookies);
		let r = await request(srv.baseURL, { path: '/api/profile' });
		assert.equal(r.body, '{"msg":"Missing cookie \\"at\\""}\n');
		r = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
		    cookie: `at=${c.at}`, headers: { 'X-CSRF-TOKEN': c.ct }, body: { name: 'A' } });
		assert.equal(r.body, '{"msg":"Missing CSRF token"}\n');
		r = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
		    cookie: `at=${c.at}`, headers: { 'X-XSRF-TOKEN': c.ct }, body: { name: 'John Doe' } });
		assert.equal(r.status, 200);
	});
});

describe('refusing to serve without a sound key or configuration', () => {
	const servers = [];
	after(async () => { for (const s of servers) await s.stop(); });

	// A token to check: the keys are loaded when a request needs them.
	const needsKey = { path: '/api/profile', cookie: 'access_token_cookie=a.b.c' };

	async function expect503(srv, why) {
		const res = await request(srv.baseURL, needsKey);
		assert.equal(res.status, 503);
		assert.equal(res.body, '{"msg":"Service unavailable"}\n');
		assert.equal(res.headers['content-type'], 'application/json');
		let log = '';
		for (let i = 0; i < 40 && !log.includes(why); i++) {
			await sleep(50);
			log = srv.log();
		}
		assert.ok(log.includes(why), `error log lacks "${why}":\n${log}`);
		assert.ok(!/[0-9a-f]{64}/.test(log), 'the key must never be logged');
	}

	it('refuses a group- or world-readable key, then recovers once fixed', async () => {
		const srv = await startServer({ kind: 'lighttpd', keyMode: 0o644 });
		servers.push(srv);
		await expect503(srv, 'mode 0644 lets group or others read it');
		fs.chmodSync(path.join(srv.dir, 'secret.key'), 0o600);
		let res;
		for (let i = 0; i < 30; i++) {
			await sleep(100);
			res = await request(srv.baseURL, needsKey);
			if (res.status !== 503) break;
		}
		assert.equal(res.status, 422);
		assert.equal(res.body, '{"msg":"Invalid header padding"}\n');
	});

	// The programs load the key at their first request: change it before.
	it('refuses a short key', async () => {
		const srv = await startServer({ kind: 'lighttpd' });
		servers.push(srv);
		fs.writeFileSync(path.join(srv.dir, 'secret.key'), 'too-short\n', { mode: 0o600 });
		await expect503(srv, 'at least 43 needed');
	});

	it('refuses a missing key', async () => {
		const srv = await startServer({ kind: 'lighttpd' });
		servers.push(srv);
		fs.unlinkSync(path.join(srv.dir, 'secret.key'));
		await expect503(srv, 'secret.key: No such file or directory');
	});

	it('refuses a configuration with an unknown key, naming file and line', async () => {
		const srv = await startServer({ kind: 'lighttpd' });
		servers.push(srv);
		// The tool reads the same file: it refuses too, with the same words.
		fs.appendFileSync(srv.config, 'jwt_secret = oops\n');
		const t = srv.tool(['user', 'list']);
		assert.equal(t.status, 1);
		assert.equal(t.stderr, `latchkey: ${srv.config}:3: unknown key "jwt_secret"\n`);
		await expect503(srv, `${srv.config}:3: unknown key "jwt_secret"`);
	});
});

describe('password rehash at login', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('upgrades a bcrypt hash to yescrypt at the next good login only', async () => {
		srv = await startServer({ kind: 'lighttpd', users: [] });
		const bcryptConf = path.join(srv.dir, 'bcrypt.conf');
		fs.writeFileSync(bcryptConf, 'hash_method = bcrypt\nhash_cost = 4\n');
		execFileSync(path.join(__dirname, '..', '..', 'build', 'bin', 'latchkey'),
		    ['--config', bcryptConf, 'user', 'add', 'old@example.com', '--name', 'Old',
		    '--password-stdin'], { input: 'old-password\n' });
		const hash = () => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db,
		    "SELECT hash FROM users WHERE email = 'old@example.com'"], { encoding: 'utf8' }).trim();
		assert.match(hash(), /^\$2b\$04\$/);
		let res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: 'old@example.com', password: 'wrong' } });
		assert.equal(res.status, 401);
		assert.match(hash(), /^\$2b\$04\$/);
		res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: 'old@example.com', password: 'old-password' } });
		assert.equal(res.status, 200);
		assert.match(hash(), /^\$y\$j9T\$/);
		res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: 'old@example.com', password: 'old-password' } });
		assert.equal(res.status, 200);
	});
});
