// Passkeys (WebAuthn) against a real server of each kind: registration
// with the options the server gave, passwordless sign-in with the same
// cookies as a password login, and every check the issue names, made to
// fail one at a time by a software authenticator (tests/lib/authenticator.js).
// The server is reached at http://127.0.0.1:PORT: its own origin, and the
// RP ID it derives from the host (a browser would refuse an IP address;
// the server's checks do not depend on it, tests/e2e/passkey.test.js runs
// the real thing at http://localhost).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, kinds } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');
const { Authenticator, FLAG_UP, FLAG_UV, FLAG_AT } = require('../lib/authenticator.js');

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

function sessionOf(res) {
	const c = cookiesFrom(res.setCookies);
	return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token,
	    refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token };
}

async function login(srv, email, password) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login', body: { email, password } });
	assert.equal(res.status, 200, res.body);
	return sessionOf(res);
}

let users = 0;
/** A new user, logged in. */
async function newUser(srv, name = 'Pat Key') {
	const email = `pk${++users}@example.com`;
	assert.equal(srv.tool(['user', 'add', email, '--name', name, '--password-stdin'],
	    'passkey-pass-1\n').status, 0);
	return { email, password: 'passkey-pass-1', s: await login(srv, email, 'passkey-pass-1') };
}

const post = (srv, s, path, body) => request(srv.baseURL, { method: 'POST', path, body,
    cookie: s?.cookie, headers: s ? { 'X-CSRF-TOKEN': s.csrf } : {} });

async function registerOptions(srv, s) {
	const res = await post(srv, s, '/api/webauthn/register/options', {});
	assert.equal(res.status, 200, res.body);
	return res.json();
}

async function loginOptions(srv) {
	const res = await post(srv, null, '/api/webauthn/login/options', {});
	assert.equal(res.status, 200, res.body);
	return res.json();
}

/** Register a new passkey of alg for u; the authenticator holding it. */
async function addPasskey(srv, u, alg = -7, name = undefined) {
	const key = new Authenticator({ alg });
	const att = key.register(await registerOptions(srv, u.s), { origin: srv.baseURL });
	const res = await post(srv, u.s, '/api/webauthn/register', name ? { ...att, name } : att);
	assert.equal(res.status, 200, res.body);
	key.ourId = res.json().credential.id;
	return key;
}

async function signIn(srv, key, opts = {}, extra = {}) {
	const options = await loginOptions(srv);
	return post(srv, null, '/api/webauthn/login',
	    { ...key.assert(options, { origin: srv.baseURL, ...opts }), ...extra });
}

for (const kind of kinds()) {
	describe(`passkeys on ${kind}`, () => {
		let srv;
		before(async () => {
			srv = await startServer({ kind, config: 'allowed_origins = https://app.example.com\n' });
		});
		after(async () => { await srv?.stop(); });

		it('gives creation options for a signed-in user, with CSRF', async () => {
			const u = await newUser(srv, 'Opt Ions');
			assertMsg(await post(srv, null, '/api/webauthn/register/options', {}), 401,
			    'Missing cookie "access_token_cookie"');
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/webauthn/register/options',
			    cookie: u.s.cookie, body: {} }), 401, 'Missing CSRF token');
			const res = await post(srv, u.s, '/api/webauthn/register/options', {});
			assert.equal(res.status, 200);
			assert.equal(res.headers['cache-control'], 'no-store');
			const o = res.json();
			assert.match(o.challenge, /^[A-Za-z0-9_-]{43}$/);
			assert.match(o.user.id, /^[A-Za-z0-9_-]{43}$/);
			assert.equal(res.body, JSON.stringify({
				attestation: 'none',
				authenticatorSelection: { requireResidentKey: true, residentKey: 'required',
				    userVerification: 'required' },
				challenge: o.challenge, excludeCredentials: [],
				pubKeyCredParams: [{ alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }],
				rp: { id: '127.0.0.1', name: 'latchkey' }, timeout: 300000,
				user: { displayName: 'Opt Ions', id: o.user.id, name: u.email },
			}) + '\n');
			// The challenge is kept for five minutes, the handle for good.
			assert.equal(srv.sql(`SELECT exp - ${Math.floor(Date.now() / 1000)} BETWEEN 295 AND 301 ` +
			    `FROM webauthn_challenges WHERE challenge = '${o.challenge}'`).replace('t', '1'), '1');
			const again = await registerOptions(srv, u.s);
			assert.equal(again.user.id, o.user.id);
			assert.notEqual(again.challenge, o.challenge);
		});

		it('registers ES256 and RS256 passkeys and lists them', async () => {
			const u = await newUser(srv);
			const es = await addPasskey(srv, u, -7, 'Laptop');
			const rs = await addPasskey(srv, u, -257);
			const list = await request(srv.baseURL, { path: '/api/webauthn/credentials', cookie: u.s.cookie });
			assert.equal(list.status, 200);
			// Oldest first; two of one second in the order of their ids.
			const creds = list.json().credentials;
			const older = (a, b) => (a.created - b.created) || (a.id < b.id ? -1 : 1);
			assert.deepEqual(creds, [...creds].sort(older));
			assert.deepEqual(creds.map((c) => [c.id, c.name, c.last_used]).sort(),
			    [[es.ourId, 'Laptop', null], [rs.ourId, 'Passkey', null]].sort());
			assert.ok(creds.every((c) => Math.abs(c.created - Date.now() / 1000) < 60));
			assert.match(es.ourId, /^[A-Za-z0-9_-]{22}$/);
			// The options now keep the authenticator from registering twice.
			const o = await registerOptions(srv, u.s);
			assert.deepEqual(new Set(o.excludeCredentials.map((d) => JSON.stringify(d))),
			    new Set([es, rs].map((k) => JSON.stringify({ id: k.id, type: 'public-key' }))));
			// The same credential again, with a new challenge.
			assertMsg(await post(srv, u.s, '/api/webauthn/register', es.register(o, { origin: srv.baseURL })),
			    400, 'This passkey is registered already');
			assert.equal((await request(srv.baseURL, { path: '/api/mfa', cookie: u.s.cookie })).json().passkeys, 2);
			assert.match(srv.log(), new RegExp(`audit event="passkey_added" time="\\d+" addr="127\\.0\\.0\\.1" user="${u.email}" passkey="${es.ourId}"`));
		});

		it('refuses a registration that fails any check', async () => {
			const u = await newUser(srv);
			const other = await newUser(srv);
			const origin = srv.baseURL;
			const cases = [
				['another ceremony', { type: 'webauthn.get' }, 'wrong ceremony type'],
				['a challenge it never gave', { challenge: require('node:crypto').randomBytes(32).toString('base64url') },
				    'challenge not issued'],
				['another origin', { origin: 'http://evil.example' }, 'origin not allowed'],
				['another RP ID', { rpId: 'evil.example' }, 'rp id mismatch'],
				['no user verification', { flags: FLAG_UP | FLAG_AT }, 'user not verified'],
				['no user presence', { flags: FLAG_UV | FLAG_AT }, 'user not present'],
				['a cross-origin frame', { crossOrigin: true }, 'cross-origin ceremony'],
				['an attestation it did not ask for', { fmt: 'fido-u2f' }, 'attestation format not accepted'],
				['another credential id', { id: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'credential id differs'],
			];
			for (const [what, opts, reason] of cases) {
				const key = new Authenticator();
				const o = await registerOptions(srv, u.s);
				const att = key.register(o, { origin, ...opts });
				const res = await post(srv, u.s, '/api/webauthn/register', att);
				assertMsg(res, 400, 'Passkey not accepted');
				assert.ok(srv.log().includes(`audit event="passkey_refused"`) && srv.log().includes(reason),
				    `${what}: no audit of "${reason}"`);
			}
			// Another user's challenge, and one used already.
			const key = new Authenticator();
			const theirs = await registerOptions(srv, other.s);
			assertMsg(await post(srv, u.s, '/api/webauthn/register', key.register(theirs, { origin })), 400,
			    'Passkey not accepted');
			const mine = await registerOptions(srv, u.s);
			const att = key.register(mine, { origin });
			assert.equal((await post(srv, u.s, '/api/webauthn/register', att)).status, 200);
			assertMsg(await post(srv, u.s, '/api/webauthn/register', att), 400, 'Passkey not accepted');
			// A name is text of 1 to 64 characters.
			const bad = await post(srv, u.s, '/api/webauthn/register',
			    { ...new Authenticator().register(await registerOptions(srv, u.s), { origin }), name: 'x'.repeat(65) });
			assert.equal(bad.status, 400);
			assert.equal(srv.sql('SELECT count(*) FROM webauthn_credentials c JOIN users u ON u.id = c.user_id ' +
			    `WHERE u.email = '${u.email}'`), '1');
		});

		it('signs in with a passkey: the cookies of a password login, both factors in one', async () => {
			const u = await newUser(srv);
			const es = await addPasskey(srv, u);
			const rs = await addPasskey(srv, u, -257);
			const o = await loginOptions(srv);
			assert.equal(JSON.stringify(o), JSON.stringify({ allowCredentials: [], challenge: o.challenge,
			    rpId: '127.0.0.1', timeout: 300000, userVerification: 'required' }));
			for (const key of [es, rs]) {
				const res = await signIn(srv, key);
				assert.equal(res.status, 200, res.body);
				assert.equal(res.body, '{"login":true}\n');
				assert.equal(res.setCookies.length, 4);
				assert.match(res.setCookies[0], /^access_token_cookie=[^;]+; HttpOnly; Path=\/; SameSite=Lax$/);
				assert.match(res.setCookies[1], /^csrf_access_token=[^;]+; Path=\/; SameSite=Lax$/);
				assert.match(res.setCookies[2], /^refresh_token_cookie=[^;]+; HttpOnly; Path=\/api\/refresh; SameSite=Lax$/);
				assert.match(res.setCookies[3], /^csrf_refresh_token=[^;]+; Path=\/; SameSite=Lax$/);
				const s = sessionOf(res);
				const me = await request(srv.baseURL, { path: '/api/profile', cookie: s.cookie });
				assert.equal(me.body, JSON.stringify({ email: u.email, groups: [], name: 'Pat Key' }) + '\n');
				const r = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
				    cookie: `refresh_token_cookie=${s.refresh}`, headers: { 'X-CSRF-TOKEN': s.refreshCsrf } });
				assert.equal(r.status, 200, r.body);
			}
			// "Keep me signed in" as for a password login.
			const kept = await signIn(srv, es, {}, { remember: true });
			assert.match(kept.setCookies[0], /; Max-Age=2592000; HttpOnly; Path=\//);
			const list = (await request(srv.baseURL, { path: '/api/webauthn/credentials', cookie: u.s.cookie }))
			    .json().credentials;
			assert.ok(list.every((c) => typeof c.last_used === 'number'));
			// An origin of allowed_origins, exactly.
			assert.equal((await signIn(srv, es, { origin: 'https://app.example.com' })).status, 200);
			assertMsg(await signIn(srv, es, { origin: 'https://app.example.com/' }), 401, 'Passkey not accepted');
			assertMsg(await signIn(srv, es, { origin: 'https://APP.example.com' }), 401, 'Passkey not accepted');
			assert.match(srv.log(), new RegExp(`audit event="login_ok" time="\\d+" addr="127\\.0\\.0\\.1" user="${u.email}" factor="passkey"`));
		});

		it('refuses a sign-in that fails any check', async () => {
			const u = await newUser(srv);
			const key = await addPasskey(srv, u);
			const other = await newUser(srv);
			const theirs = await addPasskey(srv, other);
			const cases = [
				['another ceremony', { type: 'webauthn.create' }, 'wrong ceremony type'],
				['a challenge it never gave', { challenge: require('node:crypto').randomBytes(32).toString('base64url') },
				    'challenge not issued'],
				['another origin', { origin: 'http://evil.example' }, 'origin not allowed'],
				['another RP ID', { rpId: 'evil.example' }, 'rp id mismatch'],
				['no user presence', { flags: FLAG_UV }, 'user not present'],
				['no user verification', { flags: FLAG_UP }, 'user not verified'],
				['a signature of other bytes', { sign: false }, 'bad signature'],
				['the handle of another user', { userHandle: theirs.userHandle }, 'user handle of another account'],
			];
			for (const [what, opts, reason] of cases) {
				const before = srv.log().length;
				assertMsg(await signIn(srv, key, opts), 401, 'Passkey not accepted');
				const said = srv.log().slice(before);
				assert.ok(said.includes('audit event="login_failed"') && said.includes(reason),
				    `${what}: no audit of "${reason}": ${said}`);
			}
			// One challenge, one sign-in: the same assertion again.
			const o = await loginOptions(srv);
			const as = key.assert(o, { origin: srv.baseURL });
			assert.equal((await post(srv, null, '/api/webauthn/login', as)).status, 200);
			assertMsg(await post(srv, null, '/api/webauthn/login', as), 401, 'Passkey not accepted');
			// An unknown credential.
			assertMsg(await signIn(srv, new Authenticator()), 401, 'Passkey not accepted');
			// Not a credential at all.
			assert.equal((await post(srv, null, '/api/webauthn/login', { id: 'x', type: 'public-key' })).status, 401);
			assertMsg(await post(srv, null, '/api/webauthn/login', { ...as, remember: 'yes' }), 400,
			    'Field "remember" must be true or false');
			// The store still holds each passkey's counter, moved on.
			assert.ok(Number(srv.sql('SELECT sign_count FROM webauthn_credentials c JOIN users u ON ' +
			    `u.id = c.user_id WHERE u.email = '${u.email}'`)) > 0);
		});

		it('refuses a sign-in whose counter went backwards, and audits it', async () => {
			const u = await newUser(srv);
			const key = await addPasskey(srv, u);
			assert.equal((await signIn(srv, key, { counter: 10 })).status, 200);
			assertMsg(await signIn(srv, key, { counter: 10 }), 401, 'Passkey not accepted');
			assertMsg(await signIn(srv, key, { counter: 9 }), 401, 'Passkey not accepted');
			assert.match(srv.log(), new RegExp(`audit event="passkey_counter_regressed" time="\\d+" addr="127\\.0\\.0\\.1" user="${u.email}" reason="counter went backwards"`));
			assert.equal((await signIn(srv, key, { counter: 11 })).status, 200);
			// An authenticator that keeps no counter (always 0) is fine.
			const zero = await addPasskey(srv, u);
			assert.equal((await signIn(srv, zero, { counter: 0 })).status, 200);
			assert.equal((await signIn(srv, zero, { counter: 0 })).status, 200);
		});

		it('signs no disabled user in, and no passkey once removed', async () => {
			const u = await newUser(srv);
			const key = await addPasskey(srv, u);
			assert.equal(srv.tool(['user', 'disable', u.email]).status, 0);
			assertMsg(await signIn(srv, key), 401, 'Passkey not accepted');
			assert.equal(srv.tool(['user', 'enable', u.email]).status, 0);
			assert.equal((await signIn(srv, key)).status, 200);
			const s = await login(srv, u.email, u.password);
			const other = await newUser(srv);
			const path = `/api/webauthn/credentials/${key.ourId}`;
			assertMsg(await request(srv.baseURL, { method: 'DELETE', path, cookie: s.cookie }), 401,
			    'Missing CSRF token');
			assertMsg(await request(srv.baseURL, { method: 'DELETE', path, cookie: other.s.cookie,
			    headers: { 'X-CSRF-TOKEN': other.s.csrf } }), 404, 'Not found');
			const del = await request(srv.baseURL, { method: 'DELETE', path, cookie: s.cookie,
			    headers: { 'X-CSRF-TOKEN': s.csrf } });
			assert.equal(del.status, 200, del.body);
			assert.equal(del.body, '{"deleted":true}\n');
			assertMsg(await request(srv.baseURL, { method: 'DELETE', path, cookie: s.cookie,
			    headers: { 'X-CSRF-TOKEN': s.csrf } }), 404, 'Not found');
			assertMsg(await signIn(srv, key), 401, 'Passkey not accepted');
			assert.match(srv.log(), new RegExp(`audit event="passkey_removed" time="\\d+" addr="127\\.0\\.0\\.1" user="${u.email}"`));
			// Routes take their methods only.
			const get = await request(srv.baseURL, { path: '/api/webauthn/login' });
			assert.equal(get.status, 405);
			assert.equal(get.headers.allow, 'POST');
			assert.equal((await request(srv.baseURL, { path: '/api/webauthn' })).status, 404);
		});

		it('offers a user with TOTP the passkey too', async () => {
			const { base32Decode, totp, stepOf } = require('../lib/totp.js');
			const u = await newUser(srv);
			await addPasskey(srv, u);
			const setup = await post(srv, u.s, '/api/mfa/totp/setup', { password: u.password });
			const secret = base32Decode(setup.json().secret);
			assert.equal((await post(srv, u.s, '/api/mfa/totp/enable', { code: totp(secret, stepOf()) })).status, 200);
			const first = await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: u.email, password: u.password } });
			assert.equal(first.body, '{"login":false,"mfa_required":["totp","recovery_code","webauthn"]}\n');
		});

		it('bounds the challenges one address holds', async () => {
			const now = Math.floor(Date.now() / 1000);
			const rows = [];
			for (let i = 0; i < 256; i++) rows.push(`('flood${i}', 'login', NULL, 'address:127.0.0.1', ${now + 300})`);
			srv.sql(`INSERT INTO webauthn_challenges (challenge, kind, user_id, address, exp) VALUES ${rows.join(', ')}`);
			const res = await post(srv, null, '/api/webauthn/login/options', {});
			assertMsg(res, 429, 'Too many requests, try again later');
			assert.equal(res.headers['retry-after'], '300');
			srv.sql("DELETE FROM webauthn_challenges WHERE challenge LIKE 'flood%'");
			assert.equal((await post(srv, null, '/api/webauthn/login/options', {})).status, 200);
		});
	});
}

describe('passkeys with a configured RP ID', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config: 'webauthn_rp_id = example.com\n' +
		    'allowed_origins = https://login.example.com\n' });
	});
	after(async () => { await srv?.stop(); });

	it('names it in the options and checks the hash against it', async () => {
		const u = await newUser(srv);
		const o = await registerOptions(srv, u.s);
		assert.deepEqual(o.rp, { id: 'example.com', name: 'latchkey' });
		const key = new Authenticator();
		assertMsg(await post(srv, u.s, '/api/webauthn/register', key.register(o, { origin: 'https://example.com',
		    rpId: '127.0.0.1' })), 400, 'Passkey not accepted');
		const ok = key.register(await registerOptions(srv, u.s), { origin: 'https://example.com' });
		assert.equal((await post(srv, u.s, '/api/webauthn/register', ok)).status, 200);
		const lo = await loginOptions(srv);
		assert.equal(lo.rpId, 'example.com');
		assert.equal((await post(srv, null, '/api/webauthn/login',
		    key.assert(lo, { origin: 'https://example.com' }))).status, 200);
		assert.equal((await post(srv, null, '/api/webauthn/login',
		    key.assert(await loginOptions(srv), { origin: 'https://login.example.com' }))).status, 200);
	});

	it('takes no origin from the Host header: a sibling site under the RP ID is refused', async () => {
		const u = await newUser(srv);
		const key = new Authenticator();
		assert.equal((await post(srv, u.s, '/api/webauthn/register',
		    key.register(await registerOptions(srv, u.s), { origin: 'https://example.com' }))).status, 200);
		// An assertion a page at evil.example.com got for example.com,
		// relayed with that page's Host.
		const lo = await loginOptions(srv);
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/webauthn/login',
		    headers: { Host: 'evil.example.com' }, body: key.assert(lo, { origin: 'http://evil.example.com' }) });
		assertMsg(res, 401, 'Passkey not accepted');
		assertMsg(await post(srv, null, '/api/webauthn/login',
		    key.assert(await loginOptions(srv), { origin: srv.baseURL })), 401, 'Passkey not accepted');
	});
});
