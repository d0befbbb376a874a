'use strict';
// `make run` (scripts/run-lighttpd) as the README and docs/API.md use it:
// the demo user test@example.com / password123 ("John Doe") at every
// start, whatever the examples did to it before. Run with
// LATCHKEY_RUN_DIR, so that the repository's var/ is left alone.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { request, cookiesFrom } = require('../lib/http.js');
const { freePort, waitForPort } = require('../lib/net.js');

// The cookies of an answer as a Cookie header, and the access CSRF token.
function jarOf(res) {
	const c = cookiesFrom(res.setCookies);
	return { header: Object.entries(c).map(([k, v]) => `${k}=${v}`).join('; '), csrf: c.csrf_access_token };
}

const root = path.join(__dirname, '..', '..');
const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };

async function startRun(dir, port) {
	// A file, not a pipe: lighttpd opens /dev/stderr for its error log,
	// which a socket cannot be.
	const log = path.join(dir, `run-${Date.now()}.log`);
	const fd = fs.openSync(log, 'w');
	const child = spawn(path.join(root, 'scripts', 'run-lighttpd'), [String(port)], {
		env: { ...process.env, LATCHKEY_RUN_DIR: dir }, stdio: ['ignore', fd, fd], detached: true,
	});
	fs.closeSync(fd);
	const out = () => fs.readFileSync(log, 'utf8');
	if (!await waitForPort(port, child, Date.now() + 15000)) {
		process.kill(-child.pid, 'SIGKILL');
		throw new Error(`make run did not start:\n${out()}`);
	}
	return {
		baseURL: `http://127.0.0.1:${port}`,
		out,
		async stop() {
			// As Ctrl-C would: the whole group, the script and lighttpd.
			if (child.exitCode === null && child.signalCode === null) {
				const exited = once(child, 'exit');
				process.kill(-child.pid, 'SIGINT');
				await exited;
			}
		},
	};
}

const login = (base, password) => request(base, { method: 'POST', path: '/api/login',
	body: { email: DEMO.email, password } });

describe('make run', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-run-'));
	let srv;
	after(async () => {
		await srv?.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('starts with the demo user, and starts with it again after the examples changed it', async () => {
		const port = await freePort();
		srv = await startRun(dir, port);
		assert.match(srv.out(), /demo user test@example\.com \/ password123/);
		assert.ok(srv.out().includes(`latchkey: the demo user administers: http://127.0.0.1:${port}/api/admin/\n`),
		    srv.out());
		// Passkeys need a host name: WebAuthn refuses an IP address.
		assert.ok(srv.out().includes(`latchkey: passkeys work at http://localhost:${port}\n`), srv.out());
		// The JWK Set: make run's HS256 key is never published, the
		// OpenID provider's RS256 key is.
		let res = await request(srv.baseURL, { path: '/.well-known/jwks.json' });
		assert.equal(res.status, 200);
		assert.deepEqual(JSON.parse(res.body).keys.map((k) => [k.alg, k.kty]), [['RS256', 'RSA']]);
		assert.equal(res.headers['cache-control'], 'public, max-age=300');
		res = await login(srv.baseURL, DEMO.password);
		assert.equal(res.status, 200, srv.out());
		const jar = jarOf(res);
		// What docs/API.md's examples do: a new password and a new name.
		res = await request(srv.baseURL, { method: 'POST', path: '/api/password', cookie: jar.header,
			headers: { 'X-CSRF-TOKEN': jar.csrf }, body: { current_password: DEMO.password, new_password: 'a-new-long-one' } });
		assert.equal(res.status, 200, res.body);
		const after2 = jarOf(res);
		res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile', cookie: after2.header,
			headers: { 'X-CSRF-TOKEN': after2.csrf }, body: { name: 'Jane' } });
		assert.equal(res.status, 200, res.body);
		assert.equal((await login(srv.baseURL, DEMO.password)).status, 401);
		await srv.stop();

		srv = await startRun(dir, port);
		res = await login(srv.baseURL, DEMO.password);
		assert.equal(res.status, 200, srv.out());
		res = await request(srv.baseURL, { path: '/api/profile', cookie: jarOf(res).header });
		assert.deepEqual(res.json(), { email: DEMO.email, groups: ['admins'], name: DEMO.name });
		// Still an administrator after the restart.
		res = await login(srv.baseURL, DEMO.password);
		res = await request(srv.baseURL, { path: '/api/admin', cookie: jarOf(res).header });
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().email, DEMO.email);
		assert.equal((await login(srv.baseURL, 'a-new-long-one')).status, 401);
	});
});
