// The wire contract of docs/API.md against a real server of each kind:
// every success and failure with exact status, body, headers and cookies.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startServer, kinds, DEMO } = require('../lib/server.js');
const { request, cookiesFrom, forge, decode, hs256Valid } = require('../lib/http.js');

const JSON_CT = 'application/json';

function assertJson(res, status, body) {
	assert.equal(res.status, status, `status for ${res.body}`);
	assert.equal(res.headers['content-type'], JSON_CT);
	assert.equal(res.headers['cache-control'], 'no-store');
	assert.equal(res.body, body);
}


async function login(srv, email = DEMO.email, password = DEMO.password) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password } });
	assert.equal(res.status, 200, res.body);
	const c = cookiesFrom(res.setCookies);
	return { res, token: c.access_token_cookie, csrf: c.csrf_access_token,
	    cookie: `access_token_cookie=${c.access_token_cookie}; csrf_access_token=${c.csrf_access_token}` };
}

function keyOf(srv) {
	return fs.readFileSync(path.join(srv.dir, 'secret.key'), 'utf8').trim();
}

function claims(over = {}, drop = []) {
	const now = Math.floor(Date.now() / 1000);
	const c = { fresh: false, iat: now - 5, jti: 'c4bf1428-03ad-4d8a-8d5b-e769912231d8',
	    type: 'access', sub: DEMO.email, nbf: now - 5,
	    csrf: '1c8c2c14-edc4-410c-8b72-6e24c78b18b3', exp: now + 3600, ...over };
	for (const d of drop) delete c[d];
	return c;
}

const HS256 = { alg: 'HS256', typ: 'JWT' };

for (const kind of kinds()) {
	describe(`API on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind }); });
		after(async () => { await srv?.stop(); });

		describe('POST /api/login', () => {
			it('sets the access and CSRF cookies for the right password', async () => {
				const { res, token, csrf } = await login(srv);
				assertJson(res, 200, '{"login":true}\n');
				const c = cookiesFrom(res.setCookies);
				assert.equal(res.setCookies.length, 4);
				assert.equal(res.setCookies[0],
				    `access_token_cookie=${token}; HttpOnly; Path=/; SameSite=Lax`);
				assert.equal(res.setCookies[1],
				    `csrf_access_token=${csrf}; Path=/; SameSite=Lax`);
				assert.equal(res.setCookies[2], `refresh_token_cookie=${c.refresh_token_cookie}; ` +
				    'HttpOnly; Path=/api/refresh; SameSite=Lax');
				assert.equal(res.setCookies[3],
				    `csrf_refresh_token=${c.csrf_refresh_token}; Path=/; SameSite=Lax`);
				const r = decode(c.refresh_token_cookie);
				assert.equal(r.payload.type, 'refresh');
				assert.equal(r.payload.fresh, false);
				assert.equal(r.payload.csrf, c.csrf_refresh_token);
				assert.equal(r.payload.exp - r.payload.iat, 30 * 86400);
				assert.notEqual(r.payload.jti, decode(token).payload.jti);
				const t = decode(token);
				// flask-jwt-extended's header, plus the kid of the signing key.
				const kid = require('node:crypto').createHash('sha256').update(keyOf(srv))
				    .digest('hex').slice(0, 16);
				assert.equal(t.headerRaw, `{"alg":"HS256","kid":"${kid}","typ":"JWT"}`);
				assert.deepEqual(Object.keys(t.payload).sort(),
				    ['csrf', 'exp', 'fresh', 'iat', 'jti', 'nbf', 'sub', 'type']);
				assert.equal(t.payload.sub, DEMO.email);
				assert.equal(t.payload.type, 'access');
				// A login's token is fresh (flask-jwt-extended's fresh claim:
				// what adding a passkey without the password needs).
				assert.equal(t.payload.fresh, true);
				assert.equal(t.payload.csrf, csrf);
				assert.equal(t.payload.exp - t.payload.iat, 3600);
				assert.equal(t.payload.nbf, t.payload.iat);
				assert.match(t.payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
				assert.ok(Math.abs(t.payload.iat - Date.now() / 1000) < 30);
				// An independent HS256 check with the key file's line as key,
				// as flask-jwt-extended (PyJWT) would verify it.
				assert.ok(hs256Valid(token, keyOf(srv)));
			});

			it('matches the email without regard to case and keeps the stored one', async () => {
				const { token } = await login(srv, 'TEST@Example.COM');
				assert.equal(decode(token).payload.sub, 'test@example.com');
			});

			it('answers wrong password, unknown email and disabled account alike', async () => {
				assert.equal(srv.tool(['user', 'add', 'off@example.com', '--name', 'Off',
				    '--password-stdin'], 'secret-pw\n').status, 0);
				assert.equal(srv.tool(['user', 'disable', 'off@example.com']).status, 0);
				const tries = [
					{ email: DEMO.email, password: 'nope' },
					{ email: 'nobody@example.com', password: 'password123' },
					{ email: 'off@example.com', password: 'secret-pw' },
					{ email: "' OR 1=1 --", password: 'x' },
					{ email: '', password: '' },
				];
				const shapes = [];
				for (const body of tries) {
					const res = await request(srv.baseURL, { method: 'POST',
					    path: '/api/login', body });
					assertJson(res, 401, '{"login":false}\n');
					assert.deepEqual(res.setCookies, []);
					// Framing (length or chunked) is the web server's choice.
					const framing = ['date', 'content-length', 'transfer-encoding',
					    'connection', 'keep-alive'];
					shapes.push(Object.keys(res.headers).filter((h) => !framing.includes(h)).sort());
				}
				for (const s of shapes) assert.deepEqual(s, shapes[0]);
			});

			it('refuses malformed and non-strict JSON with 400', async () => {
				const bad = ['{"email": "a", "password": "b"} x', '{"email":"a",}',
				    "{'email':'a','password':'b'}", '[1]', '', 'null',
				    '{"email":"a","password":NaN}',
				    Buffer.from('{"email":"\xff","password":"b"}', 'latin1'),
				    Buffer.from('{"email":"a\0","password":"b"}', 'latin1')];
				for (const body of bad) {
					const res = await request(srv.baseURL, { method: 'POST',
					    path: '/api/login', body, headers: { 'Content-Type': JSON_CT } });
					assertJson(res, 400, '{"msg":"Request body must be a JSON object"}\n');
				}
			});

			it('refuses missing, non-string and NUL-holding fields with 400', async () => {
				const cases = [
					[{ password: 'x' }, '{"msg":"Missing field \\"email\\""}\n'],
					[{ email: 'a@b.c' }, '{"msg":"Missing field \\"password\\""}\n'],
					[{ email: 1, password: 'x' }, '{"msg":"Field \\"email\\" must be a string"}\n'],
					[{ email: 'a@b.c', password: null }, '{"msg":"Field \\"password\\" must be a string"}\n'],
					[{ email: 'a@b.c', password: ['x'] }, '{"msg":"Field \\"password\\" must be a string"}\n'],
					[{ email: 'test@example.com\u0000', password: 'password123' },
					    '{"msg":"Field \\"email\\" must be a string"}\n'],
					[{ email: 'a'.repeat(255), password: 'x' }, '{"msg":"Field \\"email\\" is too long"}\n'],
					[{ email: 'a@b.c', password: 'x'.repeat(512) }, '{"msg":"Field \\"password\\" is too long"}\n'],
				];
				for (const [body, want] of cases) {
					const res = await request(srv.baseURL, { method: 'POST',
					    path: '/api/login', body });
					assertJson(res, 400, want);
				}
			});

			it('refuses other content types with 415', async () => {
				for (const ct of ['text/plain', 'application/x-www-form-urlencoded',
				    'multipart/form-data; boundary=x', 'application/json; charset=latin1']) {
					const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
					    body: '{"email":"test@example.com","password":"password123"}',
					    headers: { 'Content-Type': ct } });
					assertJson(res, 415, '{"msg":"Content-Type must be application/json"}\n');
					assert.deepEqual(res.setCookies, []);
				}
				const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
				    body: '{"email":"test@example.com","password":"password123"}' });
				assertJson(res, 415, '{"msg":"Content-Type must be application/json"}\n');
			});

			it('refuses a body over 8 KiB with 413', async () => {
				const body = JSON.stringify({ email: DEMO.email, password: 'x'.repeat(9000) });
				const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
				    body, headers: { 'Content-Type': JSON_CT } });
				assertJson(res, 413, '{"msg":"Request body too large"}\n');
			});

			it('answers other methods with 405 and Allow', async () => {
				for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
					const res = await request(srv.baseURL, { method, path: '/api/login' });
					assertJson(res, 405, '{"msg":"Method not allowed"}\n');
					assert.equal(res.headers.allow, 'POST');
				}
			});

			it('keeps serving after all of that', async () => {
				const { res } = await login(srv);
				assertJson(res, 200, '{"login":true}\n');
			});
		});

		describe('GET /api/profile', () => {
			it('reads the profile from the store', async () => {
				const { cookie } = await login(srv);
				const res = await request(srv.baseURL, { path: '/api/profile', cookie });
				assertJson(res, 200, '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
			});

			it('needs the cookie', async () => {
				const res = await request(srv.baseURL, { path: '/api/profile' });
				assertJson(res, 401, '{"msg":"Missing cookie \\"access_token_cookie\\""}\n');
				const res2 = await request(srv.baseURL, { path: '/api/profile',
				    cookie: 'csrf_access_token=x; other=1; access_token_cookie=' });
				assertJson(res2, 401, '{"msg":"Missing cookie \\"access_token_cookie\\""}\n');
			});

			const refusals = [
				['expired', () => claims({ exp: Math.floor(Date.now() / 1000) - 10 }), HS256, 'sha256',
				    401, 'Token has expired'],
				['not yet valid', () => claims({ nbf: Math.floor(Date.now() / 1000) + 600 }), HS256,
				    'sha256', 422, 'The token is not yet valid (nbf)'],
				['alg none', () => claims(), { alg: 'none', typ: 'JWT' }, null, 422,
				    'The specified alg value is not allowed'],
				['alg NoNe signed', () => claims(), { alg: 'NoNe' }, 'sha256', 422,
				    'The specified alg value is not allowed'],
				['HS512 with the real key', () => claims(), { alg: 'HS512', typ: 'JWT' }, 'sha512',
				    422, 'The specified alg value is not allowed'],
				['HS384 with the real key', () => claims(), { alg: 'HS384', typ: 'JWT' }, 'sha384',
				    422, 'The specified alg value is not allowed'],
				['a refresh token', () => claims({ type: 'refresh' }), HS256, 'sha256', 422,
				    'Only non-refresh tokens are allowed'],
				['exp as a string', () => claims({ exp: '9999999999' }), HS256, 'sha256', 422,
				    'Expiration Time claim (exp) must be an integer.'],
				['exp as a float', () => claims({ exp: 9999999999.5 }), HS256, 'sha256', 422,
				    'Expiration Time claim (exp) must be an integer.'],
				['no exp', () => claims({}, ['exp']), HS256, 'sha256', 422,
				    'Token is missing the "exp" claim'],
				['no sub', () => claims({}, ['sub']), HS256, 'sha256', 422, 'Missing claim: sub'],
				['non-string sub', () => claims({ sub: 7 }), HS256, 'sha256', 422,
				    'Subject must be a string'],
				['no csrf', () => claims({}, ['csrf']), HS256, 'sha256', 422, 'Missing claim: csrf'],
				['array payload', () => '[1,2,3]', HS256, 'sha256', 422, null],
			];
			for (const [name, payload, header, alg, status, msg] of refusals) {
				it(`refuses ${name} with ${status}`, async () => {
					const token = forge(header, payload(), keyOf(srv), alg);
					const res = await request(srv.baseURL, { path: '/api/profile',
					    cookie: `access_token_cookie=${token}` });
					assert.equal(res.status, status, res.body);
					if (msg !== null) assertJson(res, status, JSON.stringify({ msg }) + '\n');
				});
			}

			it('refuses a changed signature and a garbage token with 422', async () => {
				const { token } = await login(srv);
				const bad = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
				let res = await request(srv.baseURL, { path: '/api/profile',
				    cookie: `access_token_cookie=${bad}` });
				assertJson(res, 422, '{"msg":"Signature verification failed"}\n');
				res = await request(srv.baseURL, { path: '/api/profile',
				    cookie: 'access_token_cookie=xxx' });
				assertJson(res, 422, '{"msg":"Not enough segments"}\n');
				// Signed with a guessed key.
				res = await request(srv.baseURL, { path: '/api/profile',
				    cookie: `access_token_cookie=${forge(HS256, claims(), 'super-secret-key')}` });
				assertJson(res, 422, '{"msg":"Signature verification failed"}\n');
			});

			it('refuses a token over 4 KiB before decoding it', async () => {
				const token = forge(HS256, claims({ pad: 'x'.repeat(5000) }), keyOf(srv));
				const res = await request(srv.baseURL, { path: '/api/profile',
				    cookie: `access_token_cookie=${token}` });
				assertJson(res, 422, '{"msg":"Token is too large"}\n');
			});

			it('refuses a user deleted or disabled since the token was issued', async () => {
				assert.equal(srv.tool(['user', 'add', 'gone@example.com', '--name', 'Gone',
				    '--password-stdin'], 'pw-gone-1\n').status, 0);
				const a = await login(srv, 'gone@example.com', 'pw-gone-1');
				let res = await request(srv.baseURL, { path: '/api/profile', cookie: a.cookie });
				assertJson(res, 200, '{"email":"gone@example.com","groups":[],"name":"Gone"}\n');
				// Disabling ends every session: enabling again does not revive them.
				assert.equal(srv.tool(['user', 'disable', 'gone@example.com']).status, 0);
				res = await request(srv.baseURL, { path: '/api/profile', cookie: a.cookie });
				assertJson(res, 401, '{"msg":"Token has been revoked"}\n');
				assert.equal(srv.tool(['user', 'enable', 'gone@example.com']).status, 0);
				res = await request(srv.baseURL, { path: '/api/profile', cookie: a.cookie });
				assertJson(res, 401, '{"msg":"Token has been revoked"}\n');
				const b = await login(srv, 'gone@example.com', 'pw-gone-1');
				res = await request(srv.baseURL, { path: '/api/profile', cookie: b.cookie });
				assertJson(res, 200, '{"email":"gone@example.com","groups":[],"name":"Gone"}\n');
				// A token of a user disabled without the tool's session revocation
				// (e.g. by hand in the database) is refused all the same.
				srv.sql("UPDATE users SET disabled = 1 WHERE email = 'gone@example.com'");
				res = await request(srv.baseURL, { path: '/api/profile', cookie: b.cookie });
				assertJson(res, 401, '{"msg":"Error loading the user gone@example.com"}\n');
				srv.sql("UPDATE users SET disabled = 0 WHERE email = 'gone@example.com'");
				assert.equal(srv.tool(['user', 'del', 'gone@example.com']).status, 0);
				res = await request(srv.baseURL, { path: '/api/profile', cookie: b.cookie });
				assertJson(res, 401, '{"msg":"Error loading the user gone@example.com"}\n');
			});

			it('answers other methods with 405 and Allow', async () => {
				const res = await request(srv.baseURL, { method: 'DELETE', path: '/api/profile' });
				assertJson(res, 405, '{"msg":"Method not allowed"}\n');
				assert.equal(res.headers.allow, 'GET, HEAD, PATCH');
			});

			it('answers paths beside the endpoint, and paths no program serves, with 404 JSON', async () => {
				for (const p of ['/api/profilex', '/api/profile/extra', '/api/nothing',
				    '/api/', '/api/authorize', '/api/error', '/api/a/b/c']) {
					for (const method of ['GET', 'POST']) {
						const res = await request(srv.baseURL, { method, path: p,
						    body: method === 'POST' ? {} : undefined });
						assertJson(res, 404, '{"msg":"Not found"}\n');
					}
				}
			});
		});

		describe('PATCH /api/profile', () => {
			it('needs the CSRF header, and the right one', async () => {
				const { cookie, csrf } = await login(srv);
				let res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'Mallory' } });
				assertJson(res, 401, '{"msg":"Missing CSRF token"}\n');
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'Mallory' }, headers: { 'X-CSRF-TOKEN': 'totally_wrong_token' } });
				assertJson(res, 401, '{"msg":"CSRF double submit tokens do not match"}\n');
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'Mallory' }, headers: { 'X-CSRF-TOKEN': csrf.slice(0, -1) } });
				assertJson(res, 401, '{"msg":"CSRF double submit tokens do not match"}\n');
				// Another session's CSRF value does not fit this token.
				const other = await login(srv);
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'Mallory' }, headers: { 'X-CSRF-TOKEN': other.csrf } });
				assertJson(res, 401, '{"msg":"CSRF double submit tokens do not match"}\n');
				assert.equal(srv.sql("SELECT name FROM users WHERE email = 'test@example.com'"),
				    'John Doe');
			});

			it('stores a new name', async () => {
				const { cookie, csrf } = await login(srv);
				let res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'Jürgen Ölß 🔑' }, headers: { 'X-CSRF-TOKEN': csrf } });
				assertJson(res, 200,
				    '{"email":"test@example.com","groups":[],"name":"J\\u00fcrgen \\u00d6l\\u00df \\ud83d\\udd11"}\n');
				assert.equal(srv.sql("SELECT name FROM users WHERE email = 'test@example.com'"),
				    'Jürgen Ölß 🔑');
				res = await request(srv.baseURL, { path: '/api/profile', cookie });
				assert.equal(res.json().name, 'Jürgen Ölß 🔑');
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'John Doe' }, headers: { 'X-CSRF-TOKEN': csrf } });
				assertJson(res, 200, '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
			});

			it('bounds and validates the name, leaving the store unchanged', async () => {
				const { cookie, csrf } = await login(srv);
				const msg = '{"msg":"Field \\"name\\" must be 1 to 100 characters of text without leading or trailing spaces"}\n';
				for (const name of ['', 'x'.repeat(101), 'a\nb', 'tab\there', ' lead', 'trail ', '\u0085']) {
					const res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
					    cookie, body: { name }, headers: { 'X-CSRF-TOKEN': csrf } });
					assertJson(res, 400, msg);
				}
				let res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 42 }, headers: { 'X-CSRF-TOKEN': csrf } });
				assertJson(res, 400, '{"msg":"Field \\"name\\" must be a string"}\n');
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: 'name=x', headers: { 'X-CSRF-TOKEN': csrf,
				    'Content-Type': 'application/x-www-form-urlencoded' } });
				assertJson(res, 415, '{"msg":"Content-Type must be application/json"}\n');
				const ok = 'x'.repeat(100);
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: ok }, headers: { 'X-CSRF-TOKEN': csrf } });
				assert.equal(res.status, 200);
				assert.equal(srv.sql("SELECT name FROM users WHERE email = 'test@example.com'"), ok);
				res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    cookie, body: { name: 'John Doe' }, headers: { 'X-CSRF-TOKEN': csrf } });
				assert.equal(res.status, 200);
			});

			it('checks authentication before the body', async () => {
				const res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
				    body: 'not json', headers: { 'Content-Type': 'text/plain' } });
				assertJson(res, 401, '{"msg":"Missing cookie \\"access_token_cookie\\""}\n');
			});
		});

		describe('POST /api/logout', () => {
			const cleared = [
				'access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax',
				'csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
				'refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/api/refresh; SameSite=Lax',
				'csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
			];

			it('clears all four cookies with a valid cookie', async () => {
				const { cookie } = await login(srv);
				const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout',
				    cookie, body: {} });
				assertJson(res, 200, '{"logout":true}\n');
				assert.deepEqual(res.setCookies, cleared);
			});

			it('clears all four cookies without one', async () => {
				const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout', body: {} });
				assertJson(res, 200, '{"logout":true}\n');
				assert.deepEqual(res.setCookies, cleared);
			});

			it('ignores a cross-site form post', async () => {
				const res = await request(srv.baseURL, { method: 'POST', path: '/api/logout',
				    body: '', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
				assertJson(res, 415, '{"msg":"Content-Type must be application/json"}\n');
				assert.deepEqual(res.setCookies, []);
			});

			it('answers GET with 405', async () => {
				const res = await request(srv.baseURL, { path: '/api/logout' });
				assertJson(res, 405, '{"msg":"Method not allowed"}\n');
				assert.equal(res.headers.allow, 'POST');
			});
		});
	});
}

for (const kind of kinds()) {
	describe(`GET /api/settings on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind, config: 'name_max = 60\npassword_min = 10\n' }); });
		after(async () => { await srv?.stop(); });

		it('answers the public limits, no cookie needed', async () => {
			// No mail_from, no site_url: this site cannot send mail.
			assertJson(await request(srv.baseURL, { path: '/api/settings' }), 200,
			    '{"admin":true,"mail":false,"name_max":60,"password_min":10}\n');
		});

		it('says no mail when the mail command is not there to run', async () => {
			const other = await startServer({ kind, config: 'mail_from = noreply@example.com\n' +
			    'site_url = https://login.example.com\nmail_command = /nonexistent/sendmail -t -i\n' });
			try {
				assertJson(await request(other.baseURL, { path: '/api/settings' }), 200,
				    '{"admin":true,"mail":false,"name_max":100,"password_min":8}\n');
			} finally {
				await other.stop();
			}
		});

		it('takes GET and HEAD only', async () => {
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/settings', body: {} });
			assertJson(res, 405, '{"msg":"Method not allowed"}\n');
			assert.equal(res.headers.allow, 'GET, HEAD');
		});
	});
}

describe('"Keep me signed in"', () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'lighttpd' }); });
	after(async () => { await srv?.stop(); });

	const loginWith = (body) => request(srv.baseURL, { method: 'POST', path: '/api/login', body });

	it('makes that session\'s four cookies persistent, through refreshes', async () => {
		let res = await loginWith({ email: DEMO.email, password: DEMO.password, remember: true });
		assert.equal(res.status, 200, res.body);
		assert.equal(res.setCookies.length, 4);
		for (const line of res.setCookies)
			assert.match(line, /; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; Max-Age=2592000;/, line);
		const c = cookiesFrom(res.setCookies);
		res = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
		    cookie: `refresh_token_cookie=${c.refresh_token_cookie}`,
		    headers: { 'X-CSRF-TOKEN': c.csrf_refresh_token } });
		assert.equal(res.status, 200, res.body);
		for (const line of res.setCookies) assert.match(line, /; Max-Age=2592000;/, line);
	});

	it('leaves the others session cookies, as configured', async () => {
		for (const body of [{ email: DEMO.email, password: DEMO.password },
		    { email: DEMO.email, password: DEMO.password, remember: false }]) {
			const res = await loginWith(body);
			assert.equal(res.status, 200, res.body);
			for (const line of res.setCookies) assert.doesNotMatch(line, /Max-Age|Expires/, line);
		}
	});

	it('refuses a "remember" that is not a boolean', async () => {
		const res = await loginWith({ email: DEMO.email, password: DEMO.password, remember: 'yes' });
		assertJson(res, 400, '{"msg":"Field \\"remember\\" must be true or false"}\n');
		assert.deepEqual(res.setCookies, []);
	});
});
