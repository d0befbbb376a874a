// Sessions beyond the seed: refresh tokens with rotation and theft
// detection, logout that revokes, password change, key rotation, all
// against a real server and database.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, kinds, DEMO } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Log in; returns the four cookie values and ready Cookie headers. */
async function login(srv, email = DEMO.email, password = DEMO.password) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password } });
	assert.equal(res.status, 200, res.body);
	return session(res);
}

function session(res) {
	const c = cookiesFrom(res.setCookies);
	return {
		access: c.access_token_cookie, csrf: c.csrf_access_token,
		refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token,
		accessCookie: `access_token_cookie=${c.access_token_cookie}`,
		refreshCookie: `refresh_token_cookie=${c.refresh_token_cookie}`,
	};
}

const profile = (srv, s) => request(srv.baseURL, { path: '/api/profile', cookie: s.accessCookie });
const refresh = (srv, s, headers = { 'X-CSRF-TOKEN': s.refreshCsrf }) =>
    request(srv.baseURL, { method: 'POST', path: '/api/refresh', cookie: s.refreshCookie,
	body: {}, headers });

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

for (const kind of kinds()) {
	describe(`sessions on ${kind}`, () => {
		let srv;
		before(async () => {
			srv = await startServer({ kind, config: 'refresh_grace = 0\n' });
		});
		after(async () => { await srv?.stop(); });

		it('rotates the refresh token and issues a new access token', async () => {
			const s = await login(srv);
			const res = await refresh(srv, s);
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"refresh":true}\n');
			assert.equal(res.setCookies.length, 4);
			const n = session(res);
			assert.notEqual(n.access, s.access);
			assert.notEqual(n.refresh, s.refresh);
			assert.equal(decode(n.refresh).payload.type, 'refresh');
			assert.equal((await profile(srv, n)).status, 200);
			// One session (family) holds both refresh tokens.
			assert.equal(srv.sql(`SELECT count(DISTINCT family) FROM refresh_tokens WHERE jti IN ` +
			    `('${decode(s.refresh).payload.jti}', '${decode(n.refresh).payload.jti}')`), '1');
		});

		it('needs the refresh cookie, its CSRF header, and a refresh token', async () => {
			const s = await login(srv);
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {} }),
			    401, 'Missing cookie "refresh_token_cookie"');
			assertMsg(await refresh(srv, s, {}), 401, 'Missing CSRF token');
			assertMsg(await refresh(srv, s, { 'X-CSRF-TOKEN': s.csrf }), 401,
			    'CSRF double submit tokens do not match');
			// An access token where a refresh token belongs, and the reverse.
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/refresh',
			    cookie: `refresh_token_cookie=${s.access}`, body: {},
			    headers: { 'X-CSRF-TOKEN': s.csrf } }), 422, 'Only refresh tokens are allowed');
			assertMsg(await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${s.refresh}` }), 422, 'Only non-refresh tokens are allowed');
			assert.equal((await refresh(srv, s)).status, 200);
		});

		it('revokes the whole session when a retired refresh token comes back', async () => {
			const s = await login(srv);
			const r1 = await refresh(srv, s);
			assert.equal(r1.status, 200);
			const n = session(r1);
			await sleep(1100);
			// The thief (or the victim) replays the retired token.
			assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
			// Everything of that session is gone: the newest refresh token
			// and the access token issued with it.
			assertMsg(await refresh(srv, n), 401, 'Token has been revoked');
			assertMsg(await profile(srv, n), 401, 'Token has been revoked');
			assert.match(srv.log(), /audit event="refresh_reuse_detected" time="\d+" addr="127\.0\.0\.1" user="test@example\.com"/);
			// Other sessions of the same user are untouched.
			const other = await login(srv);
			assert.equal((await profile(srv, other)).status, 200);
		});

		it('ends a session at its absolute limit', async () => {
			const s = await login(srv);
			const jti = decode(s.refresh).payload.jti;
			srv.sql('UPDATE sessions SET created = created - 31 * 86400 WHERE id = ' +
			    `(SELECT family FROM refresh_tokens WHERE jti = '${jti}')`);
			assertMsg(await refresh(srv, s), 401, 'Token has expired');
		});

		it('logout revokes copies of the access and refresh tokens', async () => {
			const s = await login(srv);
			assert.equal((await profile(srv, s)).status, 200);
			// The browser sends the refresh cookie only to /api/refresh, so
			// logout sees the access cookie alone; the session goes anyway.
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout',
			    cookie: s.accessCookie, body: {} });
			assert.equal(res.status, 200);
			assertMsg(await profile(srv, s), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
			assert.equal(srv.sql(`SELECT count(*) FROM revoked_tokens WHERE jti = '${decode(s.access).payload.jti}'`), '1');
		});

		it('logout shown only the refresh token revokes its session', async () => {
			const s = await login(srv);
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout',
			    cookie: s.refreshCookie, body: {} });
			assert.equal(res.status, 200);
			assertMsg(await profile(srv, s), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
		});

		it('changes the password, keeping only the current session', async () => {
			assert.equal(srv.tool(['user', 'add', 'pw@example.com', '--name', 'Pw',
			    '--password-stdin'], 'old-password-1\n').status, 0);
			const other = await login(srv, 'pw@example.com', 'old-password-1');
			const s = await login(srv, 'pw@example.com', 'old-password-1');
			const change = (body, sess = s) => request(srv.baseURL, { method: 'POST',
			    path: '/api/password', cookie: sess.accessCookie, body,
			    headers: { 'X-CSRF-TOKEN': sess.csrf } });
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/password',
			    cookie: s.accessCookie, body: { current_password: 'x', new_password: 'y' } }),
			    401, 'Missing CSRF token');
			assertMsg(await change({ current_password: 'wrong-one', new_password: 'brand-new-pass' }),
			    401, 'Current password is incorrect');
			assertMsg(await change({ current_password: 'old-password-1', new_password: 'short' }),
			    400, 'The password must have at least 8 characters');
			assertMsg(await change({ current_password: 'old-password-1', new_password: 'Password123' }),
			    400, 'The password is too common');
			assertMsg(await change({ current_password: 'old-password-1', new_password: 'PW@example.com' }),
			    400, 'The password must not be the email address');
			assertMsg(await change({ current_password: 'old-password-1' }), 400,
			    'Missing field "new_password"');
			const before = srv.sql("SELECT hash FROM users WHERE email = 'pw@example.com'");
			const res = await change({ current_password: 'old-password-1', new_password: 'brand-new-pass' });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"password":true}\n');
			assert.notEqual(srv.sql("SELECT hash FROM users WHERE email = 'pw@example.com'"), before);
			const n = session(res);
			assert.equal((await profile(srv, n)).status, 200);
			assertMsg(await profile(srv, s), 401, 'Token has been revoked');
			assertMsg(await profile(srv, other), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, other), 401, 'Token has been revoked');
			assert.equal((await refresh(srv, n)).status, 200);
			const old = await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: 'pw@example.com', password: 'old-password-1' } });
			assert.equal(old.status, 401);
			await login(srv, 'pw@example.com', 'brand-new-pass');
		});

		it('latchkey user passwd ends every session of the user', async () => {
			const s = await login(srv);
			assert.equal(srv.tool(['user', 'passwd', DEMO.email, '--password-stdin'],
			    'another-pass-1\n').status, 0);
			assertMsg(await profile(srv, s), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
			assert.equal(srv.tool(['user', 'passwd', DEMO.email, '--password-stdin',
			    '--skip-password-policy'], `${DEMO.password}\n`).status, 0);
			await login(srv);
		});

		it('keeps tokens of a rotated key valid, and signs with the new one', async () => {
			const a = await login(srv);
			const kidA = decode(a.access).header.kid;
			const r = srv.tool(['key', 'rotate']);
			assert.equal(r.status, 0, r.stderr);
			const kidB = r.stdout.match(/^new key ([0-9a-f]{16})\nnew OpenID provider key [0-9a-f]{16}\n$/)[1];
			assert.notEqual(kidB, kidA);
			const b = await login(srv);
			assert.equal(decode(b.access).header.kid, kidB);
			assert.equal((await profile(srv, a)).status, 200);
			assert.equal((await profile(srv, b)).status, 200);
			assert.equal(srv.tool(['key', 'list']).stdout.split('\n')[0], `${kidB}\tcurrent\tHS256`);
			// Nothing is old enough to prune yet.
			assert.equal(srv.tool(['key', 'prune']).stdout, 'dropped 0 keys\n');
			assert.equal((await profile(srv, a)).status, 200);
		});
	});
}

// The store's races on either backend: lighttpd with SQLite, and with
// PostgreSQL.
const LIGHTTPD_KINDS = kinds().filter((k) => k.startsWith('lighttpd'));

for (const kind of LIGHTTPD_KINDS) {
	describe(`refresh grace for racing tabs on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, procs: 2 }); });
		after(async () => { await srv?.stop(); });

		it('lets concurrent refreshes of one token through without tripping reuse detection', async () => {
			const s = await login(srv);
			const all = await Promise.all([1, 2, 3, 4].map(() => refresh(srv, s)));
			for (const r of all) assert.equal(r.status, 200, r.body);
			for (const r of all) assert.equal((await profile(srv, session(r))).status, 200);
			assert.equal(srv.sql('SELECT count(*) FROM sessions WHERE revoked = 1'), '0');
			// Four refreshes at once: one rotation, the others its replays.
			assert.equal(srv.sql('SELECT count(*) FROM refresh_tokens'), '2');
			assert.equal(new Set(all.map((r) => decode(session(r).refresh).payload.jti)).size, 1);
		});
	});
}

describe('logout after the access token expired', () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'lighttpd', config: 'access_token_expires = 1s\n' }); });
	after(async () => { await srv?.stop(); });

	it('still revokes the session of the expired token', async () => {
		const s = await login(srv);
		await sleep(2100);
		assertMsg(await profile(srv, s), 401, 'Token has expired');
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout',
		    cookie: s.accessCookie, body: {} });
		assert.equal(res.status, 200);
		assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
		// A forged token naming the session revokes nothing.
		const t = await login(srv);
		const [h, p] = t.access.split('.');
		await request(srv.baseURL, { method: 'POST', path: '/api/logout',
		    cookie: `access_token_cookie=${h}.${p}.${'A'.repeat(43)}`, body: {} });
		assert.equal((await refresh(srv, t)).status, 200);
	});
});

// A password change (API or tool) racing logins with the old password: no
// session proven by the old password may outlive the change.
const RACE_KINDS = kinds().filter((k) => k !== 'apache-cgi');
for (const kind of RACE_KINDS) {
	describe(`password change racing logins on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, procs: 2,
		    config: 'throttle_account_max = 1000\nthrottle_address_max = 1000\n' }); });
		after(async () => { await srv?.stop(); });

		/** Logins with the old password, staggered over the change's hashing. */
		async function racingLogins(email, password, change) {
			const logins = [];
			const changed = change();
			for (let i = 0; i < 10; i++) {
				logins.push(request(srv.baseURL, { method: 'POST', path: '/api/login',
				    body: { email, password } }));
				await sleep(6);
			}
			return { logins: await Promise.all(logins), changed: await changed };
		}

		async function assertAllDead(results) {
			let won = 0;
			for (const res of results) {
				if (res.status !== 200) {
					assert.equal(res.status, 401, res.body);
					continue;
				}
				won++;
				const s = session(res);
				assertMsg(await profile(srv, s), 401, 'Token has been revoked');
				assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
			}
			return won;
		}

		it('POST /api/password ends every old-password login, in flight or not', async () => {
			for (let round = 0; round < 3; round++) {
				const email = `race${round}@example.com`;
				assert.equal(srv.tool(['user', 'add', email, '--name', 'R', '--password-stdin'],
				    'first-password-1\n').status, 0);
				const owner = await login(srv, email, 'first-password-1');
				const { logins, changed } = await racingLogins(email, 'first-password-1', () =>
				    request(srv.baseURL, { method: 'POST', path: '/api/password', cookie: owner.accessCookie,
					headers: { 'X-CSRF-TOKEN': owner.csrf },
					body: { current_password: 'first-password-1', new_password: 'second-password-2' } }));
				assert.equal(changed.status, 200, changed.body);
				await assertAllDead(logins);
				// The changer's own new session lives on.
				assert.equal((await profile(srv, session(changed))).status, 200);
				assert.equal(srv.sql('SELECT count(*) FROM sessions s JOIN users u ON ' +
				    `u.id = s.user_id WHERE u.email = '${email}' AND s.revoked = 0`), '1');
			}
		});

		it('latchkey user passwd ends every old-password login, in flight or not', async () => {
			const { spawn } = require('node:child_process');
			const { once } = require('node:events');
			for (let round = 0; round < 3; round++) {
				const email = `toolrace${round}@example.com`;
				assert.equal(srv.tool(['user', 'add', email, '--name', 'R', '--password-stdin'],
				    'first-password-1\n').status, 0);
				const { logins, changed } = await racingLogins(email, 'first-password-1', async () => {
					const child = spawn(require('../lib/server.js').buildDir + '/bin/latchkey',
					    ['--config', srv.config, 'user', 'passwd', email, '--password-stdin']);
					child.stdin.end('second-password-2\n');
					const [code] = await once(child, 'exit');
					return code;
				});
				assert.equal(changed, 0);
				await assertAllDead(logins);
				assert.equal(srv.sql('SELECT count(*) FROM sessions s JOIN users u ON ' +
				    `u.id = s.user_id WHERE u.email = '${email}' AND s.revoked = 0`), '0');
			}
		});

		it('a deleted account\'s tokens stay dead for whoever takes the email next', async () => {
			assert.equal(srv.tool(['user', 'add', 'reused@example.com', '--name', 'Old Owner',
			    '--password-stdin'], 'old-owner-pass\n').status, 0);
			const old = await login(srv, 'reused@example.com', 'old-owner-pass');
			assert.equal((await profile(srv, old)).status, 200);
			assert.equal(srv.tool(['user', 'del', 'reused@example.com']).status, 0);
			assert.equal(srv.tool(['user', 'add', 'Reused@Example.com', '--name', 'New Owner',
			    '--password-stdin'], 'new-owner-pass\n').status, 0);
			assertMsg(await profile(srv, old), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, old), 401, 'Token has been revoked');
			const members = await request(srv.baseURL, { path: '/members/', cookie: old.accessCookie });
			assert.equal(members.status, 401);
			// The new owner's own login works.
			const mine = await login(srv, 'reused@example.com', 'new-owner-pass');
			assert.equal((await profile(srv, mine)).body,
			    '{"email":"Reused@Example.com","groups":[],"name":"New Owner"}\n');
		});
	});
}

for (const kind of LIGHTTPD_KINDS) {
	describe(`a retired refresh token replayed inside the grace on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, procs: 2,
		    config: 'refresh_grace = 30\nsession_refresh_max = 4\n' }); });
		after(async () => { await srv?.stop(); });

		const live = (family) => srv.sql('SELECT count(*) FROM refresh_tokens t JOIN sessions s ' +
		    `ON s.id = t.family WHERE t.family = '${family}' AND t.rotated_at IS NULL AND s.revoked = 0`);

		it('answers with the successor and never forks the session', async () => {
			const s = await login(srv);
			const first = await refresh(srv, s);
			assert.equal(first.status, 200, first.body);
			const successor = session(first);
			const family = srv.sql('SELECT family FROM refresh_tokens WHERE jti = ' +
			    `'${decode(s.refresh).payload.jti}'`);
			const replays = await Promise.all(Array.from({ length: 20 }, () => refresh(srv, s)));
			for (let i = 0; i < 30; i++) replays.push(await refresh(srv, s));
			for (const r of replays) {
				assert.equal(r.status, 200, r.body);
				const n = session(r);
				assert.equal(decode(n.refresh).payload.jti, decode(successor.refresh).payload.jti);
				assert.equal(decode(n.access).payload.jti, decode(successor.access).payload.jti);
				assert.equal(n.refreshCsrf, successor.refreshCsrf);
			}
			assert.equal(live(family), '1');
			assert.equal(srv.sql(`SELECT count(*) FROM refresh_tokens WHERE family = '${family}'`), '2');
			assert.equal((await profile(srv, successor)).status, 200);
			assert.equal((await refresh(srv, successor)).status, 200);
			assert.equal(live(family), '1');
		});

		it('bounds the refreshes of one session', async () => {
			let s = await login(srv);
			for (let i = 0; i < 4; i++) {
				const r = await refresh(srv, s);
				assert.equal(r.status, 200, r.body);
				s = session(r);
			}
			assertMsg(await refresh(srv, s), 401, 'Token has expired');
			assert.equal((await profile(srv, s)).status, 200);
		});
	});
}

describe('revocations outlive the leeway', () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'lighttpd',
	    config: 'leeway = 60\n' }); });
	after(async () => { await srv?.stop(); });

	it('a logged-out token stays refused until exp + leeway, pruning or not', async () => {
		const { forge } = require('../lib/http.js');
		const fs = require('node:fs');
		const key = fs.readFileSync(require('node:path').join(srv.dir, 'secret.key'), 'utf8').trim();
		const now = Math.floor(Date.now() / 1000);
		// A token of no session of ours (as flask-jwt-extended mints them),
		// past its exp but inside the leeway: still accepted.
		const token = forge({ alg: 'HS256', typ: 'JWT' }, { fresh: false, iat: now - 100,
		    jti: 'b5a9f2a4-7d0e-4e57-9c0c-1f3b2d8a0e61', type: 'access', sub: DEMO.email,
		    nbf: now - 100, csrf: 'c2b3d4e5-0000-4000-8000-000000000001', exp: now - 5 }, key);
		const s = { accessCookie: `access_token_cookie=${token}` };
		assert.equal((await profile(srv, s)).status, 200);
		assert.equal((await request(srv.baseURL, { method: 'POST', path: '/api/logout',
		    cookie: s.accessCookie, body: {} })).status, 200);
		assertMsg(await profile(srv, s), 401, 'Token has been revoked');
		// Logout prunes what has expired: this token's revocation must stay.
		assert.equal((await request(srv.baseURL, { method: 'POST', path: '/api/logout',
		    body: {} })).status, 200);
		assertMsg(await profile(srv, s), 401, 'Token has been revoked');
	});
});
