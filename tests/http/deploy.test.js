// What the deployments leave on disk: the FastCGI sockets reachable by the
// web server alone (libfcgi 2.4.2 aborts a worker on a malformed record, so
// no one else may talk to them), and under Apache the programs and logs
// owned by root, out of the worker user's reach.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { startServer, DEMO } = require('../lib/server.js');
const { haveApache } = require('../lib/apache.js');
const { request } = require('../lib/http.js');

const asRoot = process.getuid() === 0;
const NOBODY = 'nobody';

/** Try to connect to a Unix socket as another user: the errno name, or 'connected'. */
function connectAs(user, sock) {
	const r = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', `
		const s = require('node:net').connect(${JSON.stringify(sock)});
		s.on('connect', () => { console.log('connected'); s.destroy(); });
		s.on('error', (e) => console.log(e.code));`], { encoding: 'utf8' });
	return r.stdout.trim();
}

function socketsUnder(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isSocket()) out.push(p);
		else if (e.isDirectory()) {
			try { out.push(...socketsUnder(p)); } catch { /* unreadable */ }
		}
	}
	return out;
}

for (const kind of ['lighttpd', 'apache-fcgid']) {
	describe(`FastCGI sockets on ${kind}`, { skip: !asRoot && 'needs root to try another user' }, () => {
		let srv;
		before(async () => { srv = await startServer({ kind }); });
		after(async () => { await srv?.stop(); });

		it('sit in a directory only the server user can enter', async () => {
			// A request or two, so that every program has its socket.
			assert.equal((await request(srv.baseURL, { path: '/api/profile' })).status, 401);
			const dir = kind === 'lighttpd' ? path.join(srv.dir, 'lighttpd') :
			    path.join(srv.state, 'fcgid');
			const socks = socketsUnder(dir);
			assert.ok(socks.length >= 1, `no socket under ${dir}`);
			for (const sock of socks) {
				let d = path.dirname(sock);
				// Every directory from the state directory down is closed to others.
				for (; d.startsWith(dir); d = path.dirname(d)) {
					const st = fs.statSync(d);
					assert.equal(st.mode & 0o077, 0, `${d} is mode ${(st.mode & 0o777).toString(8)}`);
				}
				assert.equal(connectAs(NOBODY, sock), 'EACCES', sock);
			}
		});
	});
}

describe('Apache keeps its programs and logs to root', { skip: !asRoot && 'needs root' }, () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'apache-fcgid' }); });
	after(async () => { await srv?.stop(); });

	it('the worker user can run the programs but not replace them or the logs', () => {
		const cgi = path.join(srv.state, 'cgi-bin');
		for (const p of [cgi, ...fs.readdirSync(cgi).map((f) => path.join(cgi, f)),
		    path.join(srv.state, 'logs'), path.join(srv.state, 'logs', 'error.log')]) {
			const st = fs.statSync(p);
			assert.equal(st.uid, 0, `${p} is owned by uid ${st.uid}`);
			assert.equal(st.mode & 0o022, 0, `${p} is mode ${(st.mode & 0o777).toString(8)}`);
		}
		const w = spawnSync('runuser', ['-u', 'www-data', '--', 'sh', '-c',
		    `: > ${path.join(cgi, 'login.fcgi')}`], { encoding: 'utf8' });
		assert.notEqual(w.status, 0, 'www-data could overwrite a program');
	});
});

// TRACE would echo the request, the session cookie included, back to
// whoever can make the browser send it; Apache answers it in its core,
// before any .htaccess is read, so only the server configuration can
// refuse it (TraceEnable Off).
for (const kind of ['apache-fcgid', 'apache-cgi']) {
	describe(`TRACE on ${kind}`, { skip: !haveApache(kind.slice('apache-'.length)) && 'apache2 not installed' }, () => {
		let srv;
		before(async () => { srv = await startServer({ kind }); });
		after(async () => { await srv?.stop(); });

		it('is refused, and never echoes the session cookie', async () => {
			const login = await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: DEMO.email, password: DEMO.password } });
			assert.equal(login.status, 200, login.body);
			const cookie = login.setCookies.map((c) => c.split(';')[0]).join('; ');
			const token = /access_token_cookie=([^;]+)/.exec(cookie)[1];
			for (const p of ['/', '/api/profile', '/members/', '/no/such/page']) {
				const res = await request(srv.baseURL, { method: 'TRACE', path: p, cookie });
				assert.ok([403, 405].includes(res.status), `TRACE ${p}: ${res.status}\n${res.body}`);
				assert.notEqual(res.headers['content-type'], 'message/http', p);
				assert.ok(!res.body.includes(token), `TRACE ${p} echoed the cookie`);
			}
		});
	});
}

// The mistake the install docs once led to: mfa.key left root's (mode
// 0600), so the programs, run as the worker, cannot read it.  The log
// line names the file and the user, not the command that made the file.
describe('an mfa.key the worker cannot read', { skip: (!asRoot && 'needs root') || (!haveApache('fcgid') && 'apache2 or mod_fcgid not installed') }, () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'apache-fcgid' }); });
	after(async () => { await srv?.stop(); });

	it('is a 503 whose log line says who cannot read what', async () => {
		const key = path.join(srv.dir, 'mfa.key');
		fs.chownSync(key, 0, 0);
		const login = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.equal(login.status, 200, login.body);
		const cookie = login.setCookies.map((c) => c.split(';')[0]).join('; ');
		const csrf = /csrf_access_token=([^;]+)/.exec(cookie)[1];
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/mfa/totp/setup', cookie,
		    headers: { 'X-CSRF-TOKEN': csrf }, body: { password: DEMO.password } });
		assert.equal(res.status, 503, res.body);
		assert.deepEqual(res.json(), { msg: 'Service unavailable' });
		const log = srv.log();
		assert.ok(log.includes(`no second factors: cannot read ${key} as user www-data (`), log);
		assert.doesNotMatch(log, /latchkey init makes it/);
	});
});

// Apache's error log on an ordinary day: the audit lines are there (mod_fcgid
// logs the programs' lines at warn), but a visit to a protected page by
// someone not signed in is no error line; a refused cookie still is.
describe('Apache\'s error log under mod_fcgid', { skip: !haveApache('fcgid') && 'apache2 or mod_fcgid not installed' }, () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'apache-fcgid' }); });
	after(async () => { await srv?.stop(); });

	const errors = () => srv.log().split('\n').filter((l) => /\[fcgid:error\]/.test(l));

	it('keeps the audit, and no error for an anonymous visit', async () => {
		const login = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.equal(login.status, 200, login.body);
		for (const p of ['/members/', '/members/index.html', '/members/no-such-page']) {
			const res = await request(srv.baseURL, { path: p });
			assert.equal(res.status, 401, p);
			const nav = await request(srv.baseURL, { path: p, cookie: 'theme=dark',
			    headers: { 'Sec-Fetch-Mode': 'navigate' } });
			assert.equal(nav.status, 302, p);
		}
		await new Promise((r) => setTimeout(r, 200));
		const log = srv.log();
		assert.match(log, /\[fcgid:warn\] .*mod_fcgid: stderr: latchkey\[\d+\] login info: audit event="login_ok" time="\d+" addr="127\.0\.0\.1" user="test@example\.com"/);
		assert.deepEqual(errors(), []);
	});

	it('still logs the refusal of a cookie', async () => {
		const res = await request(srv.baseURL, { path: '/members/', cookie: 'access_token_cookie=forged' });
		assert.equal(res.status, 401);
		await new Promise((r) => setTimeout(r, 200));
		assert.equal(errors().filter((l) => /Access check to access \/members\/ failed/.test(l)).length, 1,
		    srv.log());
	});
});
