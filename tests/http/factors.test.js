// What a stolen session cannot do to an account's factors, against real
// servers of every kind (mail through msmtp to a real SMTP server,
// tests/lib/mailsite.js): bind a passkey (it needs a fresh login, or the
// password and second factor in the request), mint recovery codes with
// the password alone; a password change or reset that removes passkeys;
// every code check counting on the account's one login counter, TOTP's
// enable included, and a set-up that expires; a reset lifting the
// lockout, and `latchkey user unlock`; `latchkey user mfa reset` saying
// what still signs in; the reset and invitation pages' link checks.
// Codes and passkeys are the tests' own (tests/lib/totp.js,
// tests/lib/authenticator.js).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { kinds, startServer } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');
const { startMailSite, linkIn } = require('../lib/mailsite.js');
const { base32Decode, totp, stepOf } = require('../lib/totp.js');
const { Authenticator } = require('../lib/authenticator.js');

const INVALID_LINK = '{"msg":"This link is invalid or has expired"}\n';
const FRESH = '{"msg":"Fresh token required"}\n';
const THROTTLED = '{"msg":"Too many failed login attempts, try again later"}\n';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assertJson(res, status, body) {
	assert.equal(res.status, status, `${status} wanted, got ${res.status} ${res.body}`);
	assert.equal(res.headers['content-type'], 'application/json');
	assert.equal(res.body, body);
}

/** Wait until the current time step has at least 4 seconds left. */
async function freshStep() {
	const left = 30 - ((Date.now() / 1000) % 30);
	if (left < 4) await sleep(left * 1000 + 100);
}

function sessionOf(res) {
	assert.equal(res.status, 200, res.body);
	const c = cookiesFrom(res.setCookies);
	return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token,
	    access: c.access_token_cookie, refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token };
}

const post = (srv, s, path, body, method = 'POST') => request(srv.baseURL, { method, path, body,
    cookie: s?.cookie, headers: s ? { 'X-CSRF-TOKEN': s.csrf } : {} });

function addUser(srv, email, password, name = 'Fay Ctor') {
	const r = srv.tool(['user', 'add', email, '--name', name, '--password-stdin'], `${password}\n`);
	assert.equal(r.status, 0, r.stderr);
}

const passwordLogin = (srv, email, password) => post(srv, null, '/api/login', { email, password });

async function login(srv, email, password) {
	const res = await passwordLogin(srv, email, password);
	assert.equal(res.body, '{"login":true}\n');
	return sessionOf(res);
}

/** The same session, refreshed: a token a stolen cookie jar would hold. */
async function refreshed(srv, s) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
	    cookie: `refresh_token_cookie=${s.refresh}`, headers: { 'X-CSRF-TOKEN': s.refreshCsrf } });
	return sessionOf(res);
}

/** Turn TOTP on for the signed-in user: their secret, codes and the step spent. */
async function enrol(srv, s, password) {
	const setup = await post(srv, s, '/api/mfa/totp/setup', { password });
	assert.equal(setup.status, 200, setup.body);
	const secret = base32Decode(setup.json().secret);
	await freshStep();
	const step = stepOf();
	const on = await post(srv, s, '/api/mfa/totp/enable', { code: totp(secret, step) });
	assert.equal(on.status, 200, on.body);
	return { secret, step, codes: on.json().recovery_codes };
}

/** Register a passkey with the options of s (body: the proof, if any). */
async function addPasskey(srv, s, body = {}, name = undefined) {
	const opts = await post(srv, s, '/api/webauthn/register/options', body);
	assert.equal(opts.status, 200, opts.body);
	const key = new Authenticator({ alg: -7 });
	const att = key.register(opts.json(), { origin: srv.baseURL });
	const res = await post(srv, s, '/api/webauthn/register', name ? { ...att, name } : att);
	assert.equal(res.status, 200, res.body);
	key.ourId = res.json().credential.id;
	return key;
}

async function passkeySignIn(srv, key) {
	const opts = await post(srv, null, '/api/webauthn/login/options', {});
	assert.equal(opts.status, 200, opts.body);
	return post(srv, null, '/api/webauthn/login', key.assert(opts.json(), { origin: srv.baseURL }));
}

/** The ids of the account's passkeys, as the store holds them. */
function passkeyIds(srv, email) {
	const out = srv.sql('SELECT c.id FROM webauthn_credentials c JOIN users u ON u.id = c.user_id ' +
	    `WHERE u.email = '${email}' ORDER BY c.id`);
	return out === '' ? [] : out.split('\n');
}

function accountFailures(srv, email) {
	return srv.sql(`SELECT failures FROM throttle WHERE key = 'account:${email}'`);
}

for (const kind of kinds()) {
	describe(`second factors a session alone cannot change, on ${kind}`, () => {
		let site;
		let srv;
		before(async () => {
			site = await startMailSite({ kind });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		/** A reset link for email, as its mail brings it (notices before it passed over). */
		async function linkFor(email) {
			assertJson(await post(srv, null, '/api/password/forgot', { email }), 202, '{"sent":true}\n');
			for (;;) {
				const msg = await site.mailTo(email);
				if (/\/reset#/.test(msg.body)) return linkIn(msg).token;
			}
		}

		it('issues fresh tokens at a login, not at a refresh', async () => {
			addUser(srv, 'claims@example.com', 'claims pw 1234');
			const s = await login(srv, 'claims@example.com', 'claims pw 1234');
			assert.equal(decode(s.access).payload.fresh, true);
			assert.equal(decode((await refreshed(srv, s)).access).payload.fresh, false);
		});

		it('binds no passkey for a stolen session: 401 Fresh token required', async () => {
			addUser(srv, 'victim@example.com', 'victim pw 1234');
			const stolen = await refreshed(srv, await login(srv, 'victim@example.com', 'victim pw 1234'));
			assertJson(await post(srv, stolen, '/api/webauthn/register/options', {}), 401, FRESH);
			assertJson(await post(srv, stolen, '/api/webauthn/register/options', undefined), 401, FRESH);
			assertJson(await post(srv, stolen, '/api/webauthn/register/options', { password: 'a guess 123' }), 401,
			    '{"msg":"Current password is incorrect"}\n');
			// The registration step needs a challenge such options issued.
			const key = new Authenticator({ alg: -7 });
			const forged = key.register({ challenge: 'A'.repeat(43), rp: { id: '127.0.0.1', name: 'latchkey' },
			    user: { id: 'B'.repeat(43), name: 'victim@example.com', displayName: 'x' } },
			    { origin: srv.baseURL });
			assertJson(await post(srv, stolen, '/api/webauthn/register', forged), 400,
			    '{"msg":"Passkey not accepted"}\n');
			assert.deepEqual(passkeyIds(srv, 'victim@example.com'), []);
			assert.equal(srv.sql('SELECT count(*) FROM webauthn_challenges c JOIN users u ON u.id = c.user_id ' +
			    "WHERE u.email = 'victim@example.com'"), '0');
			// With the password (no second factor on this account): taken.
			const k = await addPasskey(srv, stolen, { password: 'victim pw 1234' });
			assert.deepEqual(passkeyIds(srv, 'victim@example.com'), [k.ourId]);
			// A fresh login needs no more.
			await addPasskey(srv, await login(srv, 'victim@example.com', 'victim pw 1234'));
			assert.equal(passkeyIds(srv, 'victim@example.com').length, 2);
		});

		it('asks an account with TOTP for the code too, and spends it with the challenge', async () => {
			addUser(srv, 'both@example.com', 'both pw 12345');
			const first = await login(srv, 'both@example.com', 'both pw 12345');
			const u = await enrol(srv, first, 'both pw 12345');
			const stale = await refreshed(srv, first);
			const opts = (body) => post(srv, stale, '/api/webauthn/register/options', body);
			assertJson(await opts({ password: 'both pw 12345' }), 400, '{"msg":"Missing field \\"code\\""}\n');
			assertJson(await opts({ password: 'both pw 12345', code: totp(u.secret, u.step - 5) }), 401,
			    '{"msg":"Invalid code"}\n');
			// The code that turned TOTP on is spent already.
			assertJson(await opts({ password: 'both pw 12345', code: totp(u.secret, u.step) }), 401,
			    '{"msg":"Invalid code"}\n');
			assertJson(await opts({ password: 'wrong pw 1234', code: totp(u.secret, u.step + 1) }), 401,
			    '{"msg":"Current password is incorrect"}\n');
			await addPasskey(srv, stale, { password: 'both pw 12345', code: totp(u.secret, u.step + 1) });
			assert.equal(srv.sql('SELECT t.last_step FROM mfa_totp t JOIN users u ON u.id = t.user_id ' +
			    "WHERE u.email = 'both@example.com'"), String(u.step + 1));
			// Once only: the same code again is a replay.
			assertJson(await opts({ password: 'both pw 12345', code: totp(u.secret, u.step + 1) }), 401,
			    '{"msg":"Invalid code"}\n');
			// A recovery code does as well, and is spent.
			await addPasskey(srv, stale, { password: 'both pw 12345', recovery_code: u.codes[0] });
			assertJson(await opts({ password: 'both pw 12345', recovery_code: u.codes[0] }), 401,
			    '{"msg":"Invalid code"}\n');
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: stale.cookie })).body,
			    '{"passkeys":2,"recovery_codes_left":9,"totp":true}\n');
			// Five wrong guesses (codes, the password, replays) counted on the
			// login counter; the good proofs gave their attempts back.
			assert.equal(accountFailures(srv, 'both@example.com'), '5');
		});

		it('mints no recovery codes for the password alone, and tells of new ones', async () => {
			addUser(srv, 'codes@example.com', 'codes pw 12345');
			const s = await login(srv, 'codes@example.com', 'codes pw 12345');
			const u = await enrol(srv, s, 'codes pw 12345');
			await site.mailTo('codes@example.com');
			const regen = (body) => post(srv, s, '/api/mfa/recovery/regenerate', body);
			assertJson(await regen({ password: 'codes pw 12345' }), 400, '{"msg":"Missing field \\"code\\""}\n');
			assertJson(await regen({ password: 'codes pw 12345', code: totp(u.secret, u.step - 5) }), 401,
			    '{"msg":"Invalid code"}\n');
			assertJson(await regen({ password: 'nope nope 123', recovery_code: u.codes[1] }), 401,
			    '{"msg":"Current password is incorrect"}\n');
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: s.cookie })).body,
			    '{"passkeys":0,"recovery_codes_left":10,"totp":true}\n');
			const res = await regen({ password: 'codes pw 12345', recovery_code: u.codes[1] });
			assert.equal(res.status, 200, res.body);
			const fresh = res.json().recovery_codes;
			assert.equal(fresh.length, 10);
			// The old set is gone: a code of it turns nothing off.
			assertJson(await post(srv, s, '/api/mfa/totp/disable', { password: 'codes pw 12345',
			    recovery_code: u.codes[2] }), 401, '{"msg":"Invalid code"}\n');
			const msg = await site.mailTo('codes@example.com');
			assert.equal(msg.subject, 'New recovery codes for your latchkey account');
			assert.match(msg.body, /New recovery codes were made for your latchkey account, codes@example\.com on .*, from the address 127\.0\.0\.1\. The earlier codes no longer work\./);
		});

		it('removes the passkeys a password change does not keep, with the change', async () => {
			addUser(srv, 'keep@example.com', 'keep pw 12345');
			const s = await login(srv, 'keep@example.com', 'keep pw 12345');
			const keys = [await addPasskey(srv, s, {}, 'One'), await addPasskey(srv, s, {}, 'Two'),
				await addPasskey(srv, s, {}, 'Three')];
			const change = (body) => post(srv, s, '/api/password', body);
			// Refused changes leave every passkey.
			assertJson(await change({ current_password: 'keep pw 12345', new_password: 'keep pw 67890',
			    keep_passkeys: 'all' }), 400,
			    '{"msg":"Field \\"keep_passkeys\\" must be a list of at most 20 passkey ids"}\n');
			assertJson(await change({ current_password: 'keep pw 12345', new_password: 'keep pw 67890',
			    keep_passkeys: [1] }), 400,
			    '{"msg":"Field \\"keep_passkeys\\" must be a list of at most 20 passkey ids"}\n');
			assertJson(await change({ current_password: 'wrong pw 123', new_password: 'keep pw 67890',
			    keep_passkeys: [] }), 401, '{"msg":"Current password is incorrect"}\n');
			assert.equal(passkeyIds(srv, 'keep@example.com').length, 3);
			const res = await change({ current_password: 'keep pw 12345', new_password: 'keep pw 67890',
			    keep_passkeys: [keys[1].ourId, 'no-such-id'] });
			assertJson(res, 200, '{"password":true}\n');
			assert.deepEqual(passkeyIds(srv, 'keep@example.com'), [keys[1].ourId]);
			assert.match(srv.log(), /audit event="password_changed" time="\d+" addr="127\.0\.0\.1" user="keep@example\.com" passkeys_kept="2"\n/);
			// The others sign in no more; the one kept does.
			assertJson(await passkeySignIn(srv, keys[0]), 401, '{"msg":"Passkey not accepted"}\n');
			assertJson(await passkeySignIn(srv, keys[1]), 200, '{"login":true}\n');
			// Without the field, every passkey stays (older clients).
			const n = sessionOf(res);
			assertJson(await post(srv, n, '/api/password', { current_password: 'keep pw 67890',
			    new_password: 'keep pw 13579' }), 200, '{"password":true}\n');
			assert.deepEqual(passkeyIds(srv, 'keep@example.com'), [keys[1].ourId]);
		});

		it('checks a reset link before the password, and removes the passkeys not kept', async () => {
			addUser(srv, 'lost@example.com', 'lost pw 12345', 'Lo Stpw');
			const s = await login(srv, 'lost@example.com', 'lost pw 12345');
			const a = await addPasskey(srv, s, {}, 'Laptop');
			const b = await addPasskey(srv, s, {}, 'Phone');
			const token = await linkFor('lost@example.com');
			const check = (t) => post(srv, null, '/api/password/reset/check', { token: t });
			const res = await check(token);
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['cache-control'], 'no-store');
			// Oldest first (two of one second in the order of their ids).
			const listed = [[a, 'Laptop'], [b, 'Phone']].map(([k, name]) => ({ created: Number(srv.sql(
			    `SELECT created FROM webauthn_credentials WHERE id = '${k.ourId}'`)), id: k.ourId, name }))
			    .sort((x, y) => x.created - y.created || (x.id < y.id ? -1 : 1));
			assert.equal(res.body, JSON.stringify({ email: 'lost@example.com', name: 'Lo Stpw',
			    passkeys: listed }) + '\n');
			// Reads only: the link still works after it, twice checked.
			assert.equal((await check(token)).status, 200);
			assertJson(await check('A'.repeat(43)), 400, INVALID_LINK);
			assertJson(await check(42), 400, '{"msg":"Field \\"token\\" must be a string"}\n');
			assertJson(await post(srv, null, '/api/password/reset/check', {}), 400, '{"msg":"Missing field \\"token\\""}\n');
			assertJson(await post(srv, null, '/api/password/reset', { token, password: 'lost pw 67890',
			    keep_passkeys: [b.ourId] }), 200, '{"reset":true}\n');
			assert.deepEqual(passkeyIds(srv, 'lost@example.com'), [b.ourId]);
			assert.match(srv.log(), /audit event="password_reset" time="\d+" addr="127\.0\.0\.1" user="lost@example\.com" passkeys_kept="1"\n/);
			// Used: the check says so, as the reset would.
			assertJson(await check(token), 400, INVALID_LINK);
			// keep_passkeys [] removes them all.
			const t2 = await linkFor('lost@example.com');
			assertJson(await post(srv, null, '/api/password/reset', { token: t2, password: 'lost pw 97531',
			    keep_passkeys: [] }), 200, '{"reset":true}\n');
			assert.deepEqual(passkeyIds(srv, 'lost@example.com'), []);
		});

		it('checks an invitation\'s link before the password', async () => {
			const r = srv.tool(['user', 'invite', 'guest@example.com', '--name', 'Gue St', '--print-link']);
			assert.equal(r.status, 0, r.stderr);
			const token = r.stdout.trim().split('#')[1];
			const check = (t) => post(srv, null, '/api/invite/check', { token: t });
			assertJson(await check(token), 200, '{"email":"guest@example.com","name":"Gue St"}\n');
			// A reset link is no invitation, nor the other way round.
			assertJson(await post(srv, null, '/api/password/reset/check', { token }), 400, INVALID_LINK);
			assertJson(await check('A'.repeat(43)), 400, INVALID_LINK);
			assertJson(await post(srv, null, '/api/invite/accept', { token, password: 'guest pw 1234' }), 200,
			    '{"login":true}\n');
			assertJson(await check(token), 400, INVALID_LINK);
			// GET is no way to ask: the token would land in logs.
			assert.equal((await request(srv.baseURL, { path: `/api/invite/check?token=${token}` })).status, 405);
		});

		it('counts every code check on the account\'s one login counter', async () => {
			addUser(srv, 'count@example.com', 'count pw 12345');
			const s = await login(srv, 'count@example.com', 'count pw 12345');
			const u = await enrol(srv, s, 'count pw 12345');
			const wrong = totp(u.secret, u.step - 5);
			const secondStep = async () => {
				const first = await passwordLogin(srv, 'count@example.com', 'count pw 12345');
				assert.equal(first.status, 200, first.body);
				return request(srv.baseURL, { method: 'POST', path: '/api/login/mfa', body: { code: wrong },
				    cookie: `mfa_pending=${cookiesFrom(first.setCookies).mfa_pending}` });
			};
			const resetWith = (token, code) => post(srv, null, '/api/password/reset',
			    { token, password: 'count pw 67890', code });
			// Five wrong login codes: the reset's code is refused unchecked.
			for (let i = 0; i < 5; i++) assertJson(await secondStep(), 401, '{"msg":"Invalid code"}\n');
			const token = await linkFor('count@example.com');
			await freshStep();
			const right = totp(u.secret, stepOf());
			const res = await resetWith(token, right);
			assertJson(res, 429, THROTTLED);
			assert.match(res.headers['retry-after'], /^\d+$/);
			// The code was not spent, the password not changed.
			assert.equal(srv.sql("SELECT t.last_step FROM mfa_totp t JOIN users u ON u.id = t.user_id " +
			    "WHERE u.email = 'count@example.com'"), String(u.step));
			assert.equal((await passwordLogin(srv, 'count@example.com', 'count pw 12345')).status, 429);
			// Mixed paths share one count: 2 + 2 + 1, then the sixth is refused.
			assert.equal(srv.tool(['user', 'unlock', 'count@example.com']).status, 0);
			for (let i = 0; i < 2; i++) assertJson(await secondStep(), 401, '{"msg":"Invalid code"}\n');
			for (let i = 0; i < 2; i++) assertJson(await resetWith(token, wrong), 401, '{"msg":"Invalid code"}\n');
			assertJson(await post(srv, s, '/api/mfa/recovery/regenerate', { password: 'count pw 12345', code: wrong }),
			    401, '{"msg":"Invalid code"}\n');
			assert.equal(accountFailures(srv, 'count@example.com'), '5');
			assertJson(await post(srv, s, '/api/mfa/totp/disable', { password: 'count pw 12345',
			    recovery_code: u.codes[0] }), 429, THROTTLED);
			assert.equal((await passwordLogin(srv, 'count@example.com', 'count pw 12345')).status, 429);
		});

		it('throttles the codes of a TOTP set-up, and lets an unfinished one expire', async () => {
			addUser(srv, 'enable@example.com', 'enable pw 1234');
			const s = await login(srv, 'enable@example.com', 'enable pw 1234');
			const setup = await post(srv, s, '/api/mfa/totp/setup', { password: 'enable pw 1234' });
			assert.equal(setup.status, 200, setup.body);
			const secret = base32Decode(setup.json().secret);
			const enable = (code) => post(srv, s, '/api/mfa/totp/enable', { code });
			await freshStep();
			const now = stepOf();
			for (let i = 0; i < 5; i++)
				assertJson(await enable(totp(secret, now - 5 - i)), 401, '{"msg":"Invalid code"}\n');
			const res = await enable(totp(secret, now));
			assertJson(res, 429, THROTTLED);
			assert.match(res.headers['retry-after'], /^\d+$/);
			assert.equal(srv.sql("SELECT enabled FROM mfa_totp t JOIN users u ON u.id = t.user_id " +
			    "WHERE u.email = 'enable@example.com'"), '0');
			// Fifteen minutes later the set-up is as good as none.
			assert.equal(srv.tool(['user', 'unlock', 'enable@example.com']).status, 0);
			srv.sql('UPDATE mfa_totp SET created = created - 900 WHERE user_id = ' +
			    "(SELECT id FROM users WHERE email = 'enable@example.com')");
			assertJson(await enable(totp(secret, stepOf())), 400,
			    '{"msg":"Set up two-step verification first"}\n');
			// A new set-up works as before, and a right code gives its attempt back.
			const again = await post(srv, s, '/api/mfa/totp/setup', { password: 'enable pw 1234' });
			await freshStep();
			assert.equal((await enable(totp(base32Decode(again.json().secret), stepOf()))).status, 200);
			assert.equal(accountFailures(srv, 'enable@example.com'), '0');
		});

		it('lifts the login lockout with a completed reset, not the address\'s count', async () => {
			addUser(srv, 'locked@example.com', 'locked pw 1234');
			const before = Number(srv.sql("SELECT coalesce(max(failures), 0) FROM throttle WHERE key = 'address:127.0.0.1'"));
			for (let i = 0; i < 5; i++)
				assert.equal((await passwordLogin(srv, 'locked@example.com', `guess ${i} 12345`)).status, 401);
			assertJson(await passwordLogin(srv, 'locked@example.com', 'locked pw 1234'), 429, THROTTLED);
			const token = await linkFor('locked@example.com');
			assertJson(await post(srv, null, '/api/password/reset', { token, password: 'locked pw 5678' }), 200,
			    '{"reset":true}\n');
			assert.equal(accountFailures(srv, 'locked@example.com'), '');
			await login(srv, 'locked@example.com', 'locked pw 5678');
			// The client's counter keeps its failures.
			const after = Number(srv.sql("SELECT failures FROM throttle WHERE key = 'address:127.0.0.1'"));
			assert.ok(after >= before + 5, `address failures ${before} -> ${after}`);
		});

		it('latchkey user unlock clears the account\'s count by hand', async () => {
			addUser(srv, 'unlock@example.com', 'unlock pw 1234');
			for (let i = 0; i < 5; i++)
				assert.equal((await passwordLogin(srv, 'unlock@example.com', `guess ${i} 12345`)).status, 401);
			assertJson(await passwordLogin(srv, 'unlock@example.com', 'unlock pw 1234'), 429, THROTTLED);
			const r = srv.tool(['user', 'unlock', 'UNLOCK@example.com']);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, 'user unlock@example.com: failed logins cleared\n');
			await login(srv, 'unlock@example.com', 'unlock pw 1234');
			const none = srv.tool(['user', 'unlock', 'nobody@example.com']);
			assert.equal(none.status, 1);
			assert.equal(none.stderr, 'latchkey: no user nobody@example.com\n');
			assert.equal(srv.tool(['user', 'unlock']).stderr, 'latchkey: user unlock: EMAIL missing\n');
		});

		it('latchkey user mfa reset says the passkeys stay, and --passkeys removes them', async () => {
			addUser(srv, 'admin-reset@example.com', 'admin pw 12345');
			const s = await login(srv, 'admin-reset@example.com', 'admin pw 12345');
			await enrol(srv, s, 'admin pw 12345');
			const keys = [await addPasskey(srv, s), await addPasskey(srv, s)];
			let r = srv.tool(['user', 'mfa', 'reset', 'admin-reset@example.com']);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, 'user admin-reset@example.com: second factor reset; 2 passkeys stay and ' +
			    'still sign in (--passkeys removes them)\n');
			assertJson(await passkeySignIn(srv, keys[0]), 200, '{"login":true}\n');
			r = srv.tool(['user', 'mfa', 'reset', 'admin-reset@example.com', '--passkeys']);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, 'user admin-reset@example.com: second factor reset, 2 passkeys removed\n');
			assert.deepEqual(passkeyIds(srv, 'admin-reset@example.com'), []);
			assertJson(await passkeySignIn(srv, keys[1]), 401, '{"msg":"Passkey not accepted"}\n');
			r = srv.tool(['user', 'mfa', 'reset', 'admin-reset@example.com']);
			assert.equal(r.stdout, 'user admin-reset@example.com: second factor reset (no passkeys)\n');
			assert.equal(srv.tool(['user', 'disable', 'admin-reset@example.com', '--passkeys']).status, 2);
		});
	});
}

describe('the fresh window and the link checks\' throttle (lighttpd)', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config: 'fresh_seconds = 2\nthrottle_address_max = 3\n' });
	});
	after(async () => { await srv?.stop(); });

	it('takes a login as fresh for fresh_seconds only', async () => {
		addUser(srv, 'window@example.com', 'window pw 1234');
		const s = await login(srv, 'window@example.com', 'window pw 1234');
		assert.equal((await post(srv, s, '/api/webauthn/register/options', {})).status, 200);
		await sleep(3200);
		assertJson(await post(srv, s, '/api/webauthn/register/options', {}), 401, FRESH);
	});

	it('counts link checks per client, as asking for links is counted', async () => {
		for (let i = 0; i < 3; i++)
			assertJson(await post(srv, null, i % 2 ? '/api/invite/check' : '/api/password/reset/check',
			    { token: 'A'.repeat(43) }), 400, INVALID_LINK);
		const res = await post(srv, null, '/api/password/reset/check', { token: 'A'.repeat(43) });
		assertJson(res, 429, '{"msg":"Too many requests, try again later"}\n');
		assert.match(res.headers['retry-after'], /^\d+$/);
		// Logins have counters of their own.
		assert.equal((await passwordLogin(srv, 'window@example.com', 'window pw 1234')).status, 200);
	});
});
