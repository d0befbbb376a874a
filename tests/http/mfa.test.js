// Two-step verification against a real server of each kind (the
// PostgreSQL-backed one included): TOTP set up, turned on and off, the
// login's second step with the mfa_pending cookie, recovery codes, and
// `latchkey user mfa reset`. Codes are computed here, from the secret the
// set-up hands out (tests/lib/totp.js, checked against RFC 6238's vectors).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, kinds, DEMO } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');
const { base32Decode, totp, stepOf } = require('../lib/totp.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

/** Wait until the current time step has at least 4 seconds left. */
async function freshStep() {
	const left = 30 - ((Date.now() / 1000) % 30);
	if (left < 4) await sleep(left * 1000 + 100);
}

/** Password login; the raw answer and its cookies. */
async function passwordLogin(srv, email, password, extra = {}) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password, ...extra } });
	return { res, cookies: cookiesFrom(res.setCookies) };
}

/** A logged-in session's cookie header and CSRF token. */
function sessionOf(res) {
	const c = cookiesFrom(res.setCookies);
	return {
		access: c.access_token_cookie, csrf: c.csrf_access_token,
		refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token,
		cookie: `access_token_cookie=${c.access_token_cookie}`,
	};
}

async function login(srv, email, password) {
	const { res } = await passwordLogin(srv, email, password);
	assert.equal(res.status, 200, res.body);
	assert.equal(res.body, '{"login":true}\n');
	return sessionOf(res);
}

/** A POST of the signed-in session s, with its CSRF header. */
function post(srv, s, path, body) {
	return request(srv.baseURL, { method: 'POST', path, cookie: s.cookie, body,
	    headers: { 'X-CSRF-TOKEN': s.csrf } });
}

/** The second step with the pending cookie (a value, or null for none). */
function secondStep(srv, pending, body) {
	return request(srv.baseURL, { method: 'POST', path: '/api/login/mfa', body,
	    cookie: pending === null ? undefined : `mfa_pending=${pending}` });
}

/** Add a user and turn TOTP on for them; their secret and recovery codes. */
async function enrol(srv, email, password = 'enrol-pass-1') {
	assert.equal(srv.tool(['user', 'add', email, '--password-stdin'], `${password}\n`).status, 0);
	const s = await login(srv, email, password);
	const setup = await post(srv, s, '/api/mfa/totp/setup', { password });
	assert.equal(setup.status, 200, setup.body);
	const { secret } = setup.json();
	await freshStep();
	const step = stepOf();
	const on = await post(srv, s, '/api/mfa/totp/enable', { code: totp(base32Decode(secret), step) });
	assert.equal(on.status, 200, on.body);
	return { email, password, secret: base32Decode(secret), codes: on.json().recovery_codes, step, session: s };
}

/** The first step of u's login: the pending cookie's value. */
async function firstStep(srv, u, extra) {
	const { res, cookies } = await passwordLogin(srv, u.email, u.password, extra);
	assert.equal(res.status, 200, res.body);
	assert.equal(res.body, '{"login":false,"mfa_required":["totp","recovery_code"]}\n');
	return cookies.mfa_pending;
}

describe('the tests\' own TOTP', () => {
	it('gives RFC 6238\'s SHA-1 test vectors', () => {
		const secret = Buffer.from('12345678901234567890');
		const vectors = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
			[1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
		for (const [t, code] of vectors) assert.equal(totp(secret, stepOf(t), 8), code);
		assert.equal(totp(secret, stepOf(59)), '287082');
	});
});

for (const kind of kinds()) {
	describe(`two-step verification on ${kind}`, () => {
		let srv;
		// Every request comes from 127.0.0.1: only the accounts' counters
		// are under test here.
		before(async () => { srv = await startServer({ kind, config: 'throttle_address_max = 1000\n' }); });
		after(async () => { await srv?.stop(); });

		it('sets up TOTP with the password, the access cookie and the CSRF header', async () => {
			assert.equal(srv.tool(['user', 'add', 'setup@example.com', '--name', 'Set Up',
			    '--password-stdin'], 'setup-pass-1\n').status, 0);
			const s = await login(srv, 'setup@example.com', 'setup-pass-1');
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/mfa/totp/setup',
			    body: { password: 'setup-pass-1' } }), 401, 'Missing cookie "access_token_cookie"');
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/mfa/totp/setup',
			    cookie: s.cookie, body: { password: 'setup-pass-1' } }), 401, 'Missing CSRF token');
			assertMsg(await post(srv, s, '/api/mfa/totp/setup', {}), 400, 'Missing field "password"');
			assertMsg(await post(srv, s, '/api/mfa/totp/setup', { password: 'wrong' }), 401,
			    'Current password is incorrect');
			const res = await post(srv, s, '/api/mfa/totp/setup', { password: 'setup-pass-1' });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['cache-control'], 'no-store');
			const body = res.json();
			assert.deepEqual(Object.keys(body), ['otpauth_uri', 'qr_svg', 'secret']);
			assert.match(body.secret, /^[A-Z2-7]{32}$/);
			assert.equal(base32Decode(body.secret).length, 20);
			assert.equal(body.otpauth_uri, `otpauth://totp/latchkey:setup%40example.com?secret=${body.secret}` +
			    '&issuer=latchkey&algorithm=SHA1&digits=6&period=30');
			assert.match(body.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
			assert.match(body.qr_svg, /aria-label="QR code for two-step verification"/);
			assert.match(body.qr_svg, /<\/svg>$/);
			// Waiting for its first code, TOTP is not on: the login is the seed's.
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: s.cookie })).body,
			    '{"passkeys":0,"recovery_codes_left":0,"totp":false}\n');
			await login(srv, 'setup@example.com', 'setup-pass-1');
			// The secret is stored sealed, never as it was handed out.
			const stored = srv.sql('SELECT secret FROM mfa_totp t JOIN users u ON u.id = t.user_id ' +
			    "WHERE u.email = 'setup@example.com'");
			assert.match(stored, /^v1\.[A-Za-z0-9_-]+$/);
			assert.ok(!stored.includes(body.secret));
			// A second set-up replaces the first secret: only the new one enables.
			const again = (await post(srv, s, '/api/mfa/totp/setup', { password: 'setup-pass-1' })).json();
			await freshStep();
			assertMsg(await post(srv, s, '/api/mfa/totp/enable',
			    { code: totp(base32Decode(body.secret), stepOf()) }), 401, 'Invalid code');
			assertMsg(await post(srv, s, '/api/mfa/totp/enable', { code: 'abcdef' }), 401, 'Invalid code');
			const on = await post(srv, s, '/api/mfa/totp/enable',
			    { code: totp(base32Decode(again.secret), stepOf()) });
			assert.equal(on.status, 200, on.body);
			const codes = on.json().recovery_codes;
			assert.equal(codes.length, 10);
			assert.equal(new Set(codes).size, 10);
			for (const c of codes) assert.match(c, /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){4}$/);
			// Recovery codes are stored hashed.
			const hashes = srv.sql('SELECT hash FROM mfa_recovery').split('\n');
			for (const c of codes) assert.ok(!hashes.includes(c) && !hashes.includes(c.replaceAll('-', '')));
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: s.cookie })).body,
			    '{"passkeys":0,"recovery_codes_left":10,"totp":true}\n');
			assertMsg(await post(srv, s, '/api/mfa/totp/setup', { password: 'setup-pass-1' }), 400,
			    'Two-step verification is already on');
			assertMsg(await post(srv, s, '/api/mfa/totp/enable', { code: '123456' }), 400,
			    'Two-step verification is already on');
			assert.match(srv.log(), /audit event="totp_enabled" time="\d+" addr="127\.0\.0\.1" user="setup@example\.com"/);
		});

		it('asks a user with TOTP for a code, with a pending cookie and no token', async () => {
			const u = await enrol(srv, 'ask@example.com');
			const { res, cookies } = await passwordLogin(srv, u.email, u.password);
			assert.equal(res.status, 200);
			assert.equal(res.body, '{"login":false,"mfa_required":["totp","recovery_code"]}\n');
			assert.equal(res.setCookies.length, 1);
			assert.match(res.setCookies[0], /^mfa_pending=[A-Za-z0-9_-]{43}; Expires=[^;]+ GMT; Max-Age=300; HttpOnly; Path=\/api\/login; SameSite=Lax$/);
			assert.equal(cookies.access_token_cookie, undefined);
			// The store keeps only the pending login's hash.
			assert.equal(srv.sql(`SELECT count(*) FROM mfa_pending WHERE id = '${cookies.mfa_pending}'`), '0');
			// A wrong password still says only that.
			const wrong = await passwordLogin(srv, u.email, 'not-it');
			assert.equal(wrong.res.status, 401);
			assert.equal(wrong.res.body, '{"login":false}\n');
			assert.deepEqual(wrong.res.setCookies, []);
		});

		it('logs in with a code computed from the secret, once', async () => {
			const u = await enrol(srv, 'code@example.com');
			const pending = await firstStep(srv, u);
			// The step the set-up was confirmed with is spent.
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, u.step) }), 401, 'Invalid code');
			const res = await secondStep(srv, pending, { code: totp(u.secret, u.step + 1) });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"login":true}\n');
			assert.equal(res.setCookies.length, 5);
			assert.match(res.setCookies[0], /^access_token_cookie=[^;]+; HttpOnly; Path=\/; SameSite=Lax$/);
			assert.match(res.setCookies[1], /^csrf_access_token=[^;]+; Path=\/; SameSite=Lax$/);
			assert.match(res.setCookies[2], /^refresh_token_cookie=[^;]+; HttpOnly; Path=\/api\/refresh; SameSite=Lax$/);
			assert.match(res.setCookies[3], /^csrf_refresh_token=[^;]+; Path=\/; SameSite=Lax$/);
			assert.equal(res.setCookies[4], 'mfa_pending=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; ' +
			    'HttpOnly; Path=/api/login; SameSite=Lax');
			const s = sessionOf(res);
			assert.equal((await request(srv.baseURL, { path: '/api/profile', cookie: s.cookie })).status, 200);
			// The same code again, in a new login: a replay.
			const next = await firstStep(srv, u);
			assertMsg(await secondStep(srv, next, { code: totp(u.secret, u.step + 1) }), 401, 'Invalid code');
			assert.match(srv.log(), /audit event="login_failed" time="\d+" addr="127\.0\.0\.1" user="code@example\.com" reason="code used already"/);
			assert.match(srv.log(), /audit event="login_ok" time="\d+" addr="127\.0\.0\.1" user="code@example\.com" factor="totp"/);
		});

		it('takes one step of skew either way, not two', async () => {
			const u = await enrol(srv, 'skew@example.com');
			await freshStep();
			const now = stepOf();
			srv.sql(`UPDATE mfa_totp SET last_step = ${now - 10} WHERE user_id = ` +
			    `(SELECT id FROM users WHERE email = '${u.email}')`);
			let pending = await firstStep(srv, u);
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, now - 2) }), 401, 'Invalid code');
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, now + 2) }), 401, 'Invalid code');
			assertMsg(await secondStep(srv, pending, { code: '12345' }), 401, 'Invalid code');
			assertMsg(await secondStep(srv, pending, { code: '' }), 401, 'Invalid code');
			assert.equal((await secondStep(srv, pending, { code: totp(u.secret, now - 1) })).status, 200);
			pending = await firstStep(srv, u);
			assert.equal((await secondStep(srv, pending, { code: totp(u.secret, now + 1) })).status, 200);
			// Steps before the last one accepted are spent, too.
			pending = await firstStep(srv, u);
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, now) }), 401, 'Invalid code');
		});

		it('refuses a pending cookie expired, reused, of another user, or none at all', async () => {
			const a = await enrol(srv, 'pa@example.com');
			const b = await enrol(srv, 'pb@example.com');
			// Skipped: the second step without the password step.
			assertMsg(await secondStep(srv, null, { code: totp(a.secret, a.step + 1) }), 401,
			    'Missing cookie "mfa_pending"');
			assertMsg(await secondStep(srv, 'A'.repeat(43), { code: totp(a.secret, a.step + 1) }), 401,
			    'Login expired, log in again');
			// Of another user: b's code does not finish a's login.
			const pa = await firstStep(srv, a);
			assertMsg(await secondStep(srv, pa, { code: totp(b.secret, b.step + 1) }), 401, 'Invalid code');
			// Reused after it logged in.
			assert.equal((await secondStep(srv, pa, { code: totp(a.secret, a.step + 1) })).status, 200);
			assertMsg(await secondStep(srv, pa, { recovery_code: a.codes[0] }), 401, 'Login expired, log in again');
			// Expired.
			const pb = await firstStep(srv, b);
			srv.sql(`UPDATE mfa_pending SET exp = 1 WHERE user_id = (SELECT id FROM users WHERE email = '${b.email}')`);
			assertMsg(await secondStep(srv, pb, { code: totp(b.secret, b.step + 1) }), 401, 'Login expired, log in again');
			// A new password login ends the one before it.
			const first = await firstStep(srv, b);
			const second = await firstStep(srv, b);
			assertMsg(await secondStep(srv, first, { code: totp(b.secret, b.step + 1) }), 401, 'Login expired, log in again');
			// Disabled meanwhile.
			assert.equal(srv.tool(['user', 'disable', b.email]).status, 0);
			assertMsg(await secondStep(srv, second, { code: totp(b.secret, b.step + 1) }), 401, 'Login expired, log in again');
			// Both factors at once, or neither.
			assertMsg(await secondStep(srv, second, { code: '123456', recovery_code: b.codes[0] }), 400,
			    'Send either "code" or "recovery_code", not both');
			assertMsg(await secondStep(srv, second, {}), 400, 'Missing field "code"');
			assertMsg(await secondStep(srv, second, { code: 123456 }), 400, 'Field "code" must be a string');
		});

		it('keeps "keep me signed in" across the second step', async () => {
			const u = await enrol(srv, 'keep@example.com');
			const pending = await firstStep(srv, u, { remember: true });
			const res = await secondStep(srv, pending, { code: totp(u.secret, u.step + 1) });
			assert.equal(res.status, 200, res.body);
			assert.match(res.setCookies[0], /; Max-Age=2592000; HttpOnly; Path=\//);
		});

		it('takes each recovery code once, and new ones with both factors', async () => {
			const u = await enrol(srv, 'rec@example.com');
			let pending = await firstStep(srv, u);
			// As typed: lower case and spaces for dashes are the same code.
			const typed = u.codes[3].toLowerCase().replaceAll('-', ' ');
			const res = await secondStep(srv, pending, { recovery_code: typed });
			assert.equal(res.status, 200, res.body);
			const s = sessionOf(res);
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: s.cookie })).body,
			    '{"passkeys":0,"recovery_codes_left":9,"totp":true}\n');
			pending = await firstStep(srv, u);
			assertMsg(await secondStep(srv, pending, { recovery_code: u.codes[3] }), 401, 'Invalid code');
			assertMsg(await secondStep(srv, pending, { recovery_code: 'not a code' }), 401, 'Invalid code');
			assertMsg(await post(srv, s, '/api/mfa/recovery/regenerate', { password: 'nope',
			    recovery_code: u.codes[5] }), 401, 'Current password is incorrect');
			assertMsg(await post(srv, s, '/api/mfa/recovery/regenerate', { password: u.password }), 400,
			    'Missing field "code"');
			const again = await post(srv, s, '/api/mfa/recovery/regenerate', { password: u.password,
			    recovery_code: u.codes[5] });
			assert.equal(again.status, 200, again.body);
			const fresh = again.json().recovery_codes;
			assert.equal(fresh.length, 10);
			assert.ok(fresh.every((c) => !u.codes.includes(c)));
			// The old set is gone, the new one works.
			assertMsg(await secondStep(srv, pending, { recovery_code: u.codes[4] }), 401, 'Invalid code');
			assert.equal((await secondStep(srv, pending, { recovery_code: fresh[9] })).status, 200);
			assert.match(srv.log(), /audit event="recovery_regenerated" time="\d+" addr="127\.0\.0\.1" user="rec@example\.com"/);
		});

		it('turns TOTP off only with both factors', async () => {
			const u = await enrol(srv, 'off@example.com');
			const s = u.session;
			await freshStep();
			const code = totp(u.secret, stepOf() + 1);
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { password: u.password }), 400,
			    'Missing field "code"');
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { code }), 400, 'Missing field "password"');
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { password: 'wrong-one', code }), 401,
			    'Current password is incorrect');
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { password: u.password, code: '000000' === code ? '111111' : '000000' }),
			    401, 'Invalid code');
			// The code the set-up was confirmed with is spent.
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { password: u.password, code: totp(u.secret, u.step) }),
			    401, 'Invalid code');
			const res = await post(srv, s, '/api/mfa/totp/disable', { password: u.password, code });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"totp":false}\n');
			assert.equal(srv.sql('SELECT count(*) FROM mfa_recovery r JOIN users u ON u.id = r.user_id ' +
			    `WHERE u.email = '${u.email}'`), '0');
			// The seed's login again.
			await login(srv, u.email, u.password);
			assertMsg(await post(srv, s, '/api/mfa/totp/disable', { password: u.password, code }), 400,
			    'Two-step verification is off');
			assertMsg(await post(srv, s, '/api/mfa/recovery/regenerate', { password: u.password }), 400,
			    'Two-step verification is off');
			// A recovery code is a second factor too.
			const v = await enrol(srv, 'off2@example.com');
			assert.equal((await post(srv, v.session, '/api/mfa/totp/disable',
			    { password: v.password, recovery_code: v.codes[0] })).status, 200);
			assert.match(srv.log(), /audit event="totp_disabled" time="\d+" addr="127\.0\.0\.1" user="off2@example\.com"/);
		});

		it('leaves refresh and logout as they were after a second step', async () => {
			const u = await enrol(srv, 'after@example.com');
			const pending = await firstStep(srv, u);
			const s = sessionOf(await secondStep(srv, pending, { code: totp(u.secret, u.step + 1) }));
			const r = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
			    cookie: `refresh_token_cookie=${s.refresh}`, headers: { 'X-CSRF-TOKEN': s.refreshCsrf } });
			assert.equal(r.status, 200, r.body);
			assert.equal(r.body, '{"refresh":true}\n');
			const n = sessionOf(r);
			assert.equal((await request(srv.baseURL, { path: '/api/profile', cookie: n.cookie })).status, 200);
			const out = await request(srv.baseURL, { method: 'POST', path: '/api/logout', cookie: n.cookie, body: {} });
			assert.equal(out.status, 200);
			assertMsg(await request(srv.baseURL, { path: '/api/profile', cookie: n.cookie }), 401, 'Token has been revoked');
		});

		it('latchkey user mfa reset lets the password alone log in again', async () => {
			const u = await enrol(srv, 'reset@example.com');
			const pending = await firstStep(srv, u);
			const r = srv.tool(['user', 'mfa', 'reset', 'RESET@example.com']);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, 'user RESET@example.com: second factor reset (no passkeys)\n');
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, u.step + 1) }), 401, 'Login expired, log in again');
			await login(srv, u.email, u.password);
			const none = srv.tool(['user', 'mfa', 'reset', 'nobody@example.com']);
			assert.equal(none.status, 1);
			assert.equal(none.stderr, 'latchkey: no user nobody@example.com\n');
		});

		it('leaves the demo user without a second factor logging in as the seed does', async () => {
			const { res } = await passwordLogin(srv, DEMO.email, DEMO.password);
			assert.equal(res.status, 200);
			assert.equal(res.body, '{"login":true}\n');
			assert.equal(res.setCookies.length, 4);
		});
	});
}

describe('second-step throttling', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config: 'throttle_account_max = 3\n' });
	});
	after(async () => { await srv?.stop(); });

	it('counts wrong codes against the account as wrong passwords', async () => {
		const u = await enrol(srv, 'guess@example.com');
		// The password step gives its attempt back: logging in again and
		// again buys no more guesses.
		for (let i = 0; i < 3; i++) {
			const pending = await firstStep(srv, u);
			assertMsg(await secondStep(srv, pending, { code: totp(u.secret, u.step) }), 401, 'Invalid code');
		}
		const { res } = await passwordLogin(srv, u.email, u.password);
		assert.equal(res.status, 429, res.body);
		assert.match(res.headers['retry-after'], /^\d+$/);
		srv.sql('DELETE FROM throttle');
		const pending = await firstStep(srv, u);
		srv.sql("UPDATE throttle SET failures = 3 WHERE key = 'account:guess@example.com'");
		const late = await secondStep(srv, pending, { code: totp(u.secret, u.step + 1) });
		assert.equal(late.status, 429, late.body);
		assert.match(srv.log(), /audit event="login_throttled" time="\d+" addr="127\.0\.0\.1" user="guess@example\.com"/);
	});
});
