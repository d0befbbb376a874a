// A user's own sessions against a real server of each kind (the
// PostgreSQL-backed one included): listed with the caller's marked, ended
// one by one (its tokens with it) or all but the caller's.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, kinds } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

/** Log in from a client of user agent ua. */
async function login(srv, email, password, ua) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password }, headers: { 'User-Agent': ua } });
	assert.equal(res.status, 200, res.body);
	const c = cookiesFrom(res.setCookies);
	return {
		access: c.access_token_cookie, csrf: c.csrf_access_token,
		refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token,
		cookie: `access_token_cookie=${c.access_token_cookie}`,
	};
}

const list = (srv, s) => request(srv.baseURL, { path: '/api/sessions', cookie: s.cookie });
const profile = (srv, s) => request(srv.baseURL, { path: '/api/profile', cookie: s.cookie });
const refresh = (srv, s) => request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
    cookie: `refresh_token_cookie=${s.refresh}`, headers: { 'X-CSRF-TOKEN': s.refreshCsrf } });
const end = (srv, s, id, headers = { 'X-CSRF-TOKEN': s.csrf }) => request(srv.baseURL,
    { method: 'DELETE', path: `/api/sessions/${id}`, cookie: s.cookie, headers });

/** The id of the session that issued s's tokens. */
function idOf(srv, s) {
	return srv.sql(`SELECT family FROM refresh_tokens WHERE jti = '${decode(s.refresh).payload.jti}'`);
}

let n = 0;
function newUser(srv) {
	const email = `se${++n}@example.com`;
	assert.equal(srv.tool(['user', 'add', email, '--password-stdin'], 'session-pass-1\n').status, 0);
	return email;
}

for (const kind of kinds()) {
	describe(`a user's sessions on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, config: 'refresh_grace = 0\n' }); });
		after(async () => { await srv?.stop(); });

		it('lists the live sessions, the caller\'s marked current', async () => {
			const email = newUser(srv);
			const a = await login(srv, email, 'session-pass-1', 'Browser A/1.0');
			const b = await login(srv, email, 'session-pass-1', 'Browser B/2.0 (with "quotes")');
			const other = await login(srv, newUser(srv), 'session-pass-1', 'Not mine/1');
			assertMsg(await request(srv.baseURL, { path: '/api/sessions' }), 401,
			    'Missing cookie "access_token_cookie"');
			const res = await list(srv, a);
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['cache-control'], 'no-store');
			const { sessions } = res.json();
			assert.equal(sessions.length, 2);
			const byId = Object.fromEntries(sessions.map((s) => [s.id, s]));
			const mine = byId[idOf(srv, a)];
			const theirs = byId[idOf(srv, b)];
			assert.ok(mine && theirs);
			assert.deepEqual(Object.keys(mine), ['address', 'created', 'current', 'id', 'last_refreshed',
				'user_agent']);
			assert.equal(mine.current, true);
			assert.equal(theirs.current, false);
			assert.equal(mine.user_agent, 'Browser A/1.0');
			assert.equal(theirs.user_agent, 'Browser B/2.0 (with "quotes")');
			assert.equal(mine.address, '127.0.0.1');
			assert.ok(Math.abs(mine.created - Date.now() / 1000) < 60);
			assert.equal(mine.last_refreshed, mine.created);
			assert.ok(!sessions.some((s) => s.id === idOf(srv, other)));
			// A refresh is the session's latest use: it comes first.
			await new Promise((r) => setTimeout(r, 1100));
			const rb = await refresh(srv, b);
			assert.equal(rb.status, 200, rb.body);
			const after = (await list(srv, a)).json().sessions;
			assert.equal(after[0].id, idOf(srv, b));
			assert.ok(after[0].last_refreshed > after[0].created);
			assert.equal(after.length, 2);
		});

		it('ends one session, its access token included', async () => {
			const email = newUser(srv);
			const a = await login(srv, email, 'session-pass-1', 'A');
			const b = await login(srv, email, 'session-pass-1', 'B');
			const id = idOf(srv, b);
			assertMsg(await end(srv, a, id, {}), 401, 'Missing CSRF token');
			const res = await end(srv, a, id);
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"deleted":true}\n');
			assert.deepEqual(res.setCookies, []);
			// Its access token and its refresh token are dead at once.
			assertMsg(await profile(srv, b), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, b), 401, 'Token has been revoked');
			assert.equal((await profile(srv, a)).status, 200);
			assertMsg(await end(srv, a, id), 404, 'Not found');
			assertMsg(await end(srv, a, 'no-such-session'), 404, 'Not found');
			assertMsg(await end(srv, a, 'bad.id'), 404, 'Not found');
			assert.deepEqual((await list(srv, a)).json().sessions.map((s) => s.id), [idOf(srv, a)]);
			assert.match(srv.log(), new RegExp(`audit event="session_ended" time="\\d+" addr="127\\.0\\.0\\.1" user="${email}" session="${id}"`));
		});

		it('ends no other user\'s session', async () => {
			const a = await login(srv, newUser(srv), 'session-pass-1', 'A');
			const x = await login(srv, newUser(srv), 'session-pass-1', 'X');
			assertMsg(await end(srv, a, idOf(srv, x)), 404, 'Not found');
			assert.equal((await profile(srv, x)).status, 200);
		});

		it('ends the caller\'s own session as a logout, cookies cleared', async () => {
			const a = await login(srv, newUser(srv), 'session-pass-1', 'A');
			const res = await end(srv, a, idOf(srv, a));
			assert.equal(res.status, 200, res.body);
			assert.equal(res.setCookies.length, 4);
			assert.ok(res.setCookies.every((c) => /Max-Age=0/.test(c)));
			assertMsg(await profile(srv, a), 401, 'Token has been revoked');
		});

		it('ends every other session with revoke-others', async () => {
			const email = newUser(srv);
			const keep = await login(srv, email, 'session-pass-1', 'Keep');
			const gone = [];
			for (let i = 0; i < 3; i++) gone.push(await login(srv, email, 'session-pass-1', `Gone ${i}`));
			const x = await login(srv, newUser(srv), 'session-pass-1', 'Other user');
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/sessions/revoke-others',
			    cookie: keep.cookie, body: {} }), 401, 'Missing CSRF token');
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/sessions/revoke-others',
			    cookie: keep.cookie, body: {}, headers: { 'X-CSRF-TOKEN': keep.csrf } });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"revoked":3}\n');
			for (const s of gone) {
				assertMsg(await profile(srv, s), 401, 'Token has been revoked');
				assertMsg(await refresh(srv, s), 401, 'Token has been revoked');
			}
			assert.equal((await profile(srv, keep)).status, 200);
			assert.equal((await refresh(srv, keep)).status, 200);
			assert.equal((await profile(srv, x)).status, 200);
			const again = await request(srv.baseURL, { method: 'POST', path: '/api/sessions/revoke-others',
			    cookie: keep.cookie, body: {}, headers: { 'X-CSRF-TOKEN': keep.csrf } });
			assert.equal(again.body, '{"revoked":0}\n');
			// revoke-others is no session id to DELETE, and takes POST only.
			const del = await end(srv, keep, 'revoke-others');
			assert.equal(del.status, 405);
			assert.equal(del.headers.allow, 'POST');
		});
	});

	describe(`live sessions per user are bounded on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, config: 'sessions_max_per_user = 3\n' }); });
		after(async () => { await srv?.stop(); });

		it('ends the oldest live session when a login would make one too many', async () => {
			const email = newUser(srv);
			const other = await login(srv, newUser(srv), 'session-pass-1', 'Other user');
			const s = [await login(srv, email, 'session-pass-1', 'Client 1')];
			// Logins are told apart by their second: the first is the oldest.
			// (Past the next second with a margin: time() may lag a few ms.)
			const next = (Math.floor(Date.now() / 1000) + 1) * 1000 + 100;
			await new Promise((r) => setTimeout(r, next - Date.now()));
			for (let i = 2; i <= 3; i++) s.push(await login(srv, email, 'session-pass-1', `Client ${i}`));
			for (const x of s) assert.equal((await profile(srv, x)).status, 200);
			const fourth = await login(srv, email, 'session-pass-1', 'Client 4');
			// The first login's tokens are over, access and refresh alike.
			assertMsg(await profile(srv, s[0]), 401, 'Token has been revoked');
			assertMsg(await refresh(srv, s[0]), 401, 'Token has been revoked');
			for (const x of [s[1], s[2], fourth, other]) assert.equal((await profile(srv, x)).status, 200);
			const listed = (await list(srv, fourth)).json().sessions.map((x) => x.user_agent).sort();
			assert.deepEqual(listed, ['Client 2', 'Client 3', 'Client 4']);
			assert.equal(srv.sql(`SELECT count(*) FROM sessions se JOIN users u ON u.id = se.user_id
			    WHERE u.email = '${email}' AND se.revoked = 0`), '3');
		});
	});
}
