'use strict';
// The FastCGI authorizer (build/cgi-bin/authorize.fcgi) protecting
// /members/ on both servers, each started from its shipped configuration:
// Apache + mod_fcgid (apache/latchkey-fcgid.conf, FcgidAccessChecker) and
// lighttpd (lighttpd/lighttpd.conf, "mode" => "authorizer").  A denial must
// really deny; a grant must pass the user on to what serves the request.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { startApache, haveApache } = require('../lib/apache.js');
const { makeInstance, mintToken, login, startLighttpdProd, build } = require('./helpers.js');
const { request } = require('../lib/http.js');

const ALICE = { email: 'alice@example.com', name: 'Alice <Ünïcode> & Co', password: 'correct horse 1' };
const BOB = { email: 'bob@example.com', name: 'Bob', password: 'battery staple 2' };
const SECRET = 'the members-only secret';

// A refusal as the API gives it: the status, JSON, the reason, no secret.
async function deniedAsJSON(res, status = 401, msg = undefined) {
	assert.equal(res.status, status);
	assert.equal(res.headers.get('content-type'), 'application/json');
	assert.equal(res.headers.get('cache-control'), 'no-store');
	const text = await res.text();
	assert.ok(!text.includes(SECRET));
	assert.ok(!text.includes('Members only'));
	const body = JSON.parse(text);
	if (msg) assert.deepEqual(body, { msg });
	else assert.equal(typeof body.msg, 'string');
}

const kinds = [
	{
		name: 'apache-fcgid',
		skip: !haveApache('fcgid') && 'apache2 or mod_fcgid not installed',
		start: (inst) => startApache({ mode: 'fcgid', dir: inst.dir, members: inst.members }),
		// The demo page's SSI greeting (mod_include, entity-encoded).
		downstream: async (get, cookie) => {
			const res = await get('/members/', { Cookie: cookie });
			assert.equal(res.status, 200);
			assert.match(res.headers.get('content-type'), /^text\/html/);
			const html = await res.text();
			assert.match(html, /<strong id="email">alice@example\.com<\/strong>/);
			assert.match(html, /<span id="name">Alice &lt;Ünïcode&gt; &amp; Co<\/span>/);
			return res;
		},
		// mod_fcgid answers 401; its ErrorDocument (error.fcgi) gives the
		// authorizer's reason, as lighttpd forwards it.
		denied: (res, status, msg) => deniedAsJSON(res, status, msg),
	},
	{
		name: 'lighttpd',
		start: (inst) => startLighttpdProd(inst),
		// A CGI program behind the authorizer (lighttpd's mod_ssi cannot
		// escape, so the shipped config runs no SSI).
		downstream: async (get, cookie) => {
			const res = await get('/members/whoami.cgi', { Cookie: cookie });
			assert.equal(res.status, 200);
			assert.equal(await res.text(), `${ALICE.email}\n${ALICE.name}\n\n`);
			return res;
		},
		// lighttpd sends the authorizer's own JSON refusal.
		denied: (res, status, msg) => deniedAsJSON(res, status, msg),
	},
];

for (const kind of kinds) {
	test.describe(`authorizer on ${kind.name}`, { skip: kind.skip }, () => {
		let inst;
		let srv;
		let alice;

		test.before(async () => {
			inst = makeInstance([ALICE, BOB]);
			srv = await kind.start(inst);
			alice = await login(srv.baseURL, ALICE.email, ALICE.password);
		});
		test.after(async () => {
			if (srv) await srv.stop();
		});

		const get = (p, headers = {}, method = 'GET') =>
			fetch(srv.baseURL + p, { method, headers, redirect: 'manual' });

		test('no cookie: a static file under /members/ is refused', async () => {
			await kind.denied(await get('/members/secret.txt'), 401, 'Missing cookie "access_token_cookie"');
		});

		test('no cookie: the members page and a program behind it are refused', async () => {
			await kind.denied(await get('/members/'), 401, 'Missing cookie "access_token_cookie"');
			await kind.denied(await get('/members/whoami.cgi'), 401, 'Missing cookie "access_token_cookie"');
			const bare = await get('/members');
			assert.equal(bare.status, 301);
			assert.match(bare.headers.get('location'), /\/members\/$/);
		});

		// A browser loading a page goes to log in and, with ?next=, comes
		// back; fetch() and API clients keep the 401. (Node's fetch always
		// sends Sec-Fetch-Mode: cors, as a page's fetch() would: a raw
		// client sends what a navigation sends.)
		test('a browser loading a page without a session is sent to /login?next=…', async () => {
			const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
			for (const [p, next] of [['/members/', '/members/'],
			    ['/members/secret.txt?a=1&b=%2F', '/members/secret.txt%3Fa%3D1%26b%3D%252F'],
			    ['/members/no-such-page', '/members/no-such-page']]) {
				for (const headers of [{ 'Sec-Fetch-Mode': 'navigate', Accept: html }, { Accept: html }]) {
					for (const method of ['GET', 'HEAD']) {
						const res = await request(srv.baseURL, { path: p, headers, method });
						assert.equal(res.status, 302, `${method} ${p} ${JSON.stringify(headers)}`);
						assert.equal(res.headers.location, `/login?next=${next}`);
						assert.equal(res.headers['cache-control'], 'no-store');
						assert.match(res.headers.vary || '', /Sec-Fetch-Mode/);
						assert.ok(!res.body.includes(SECRET));
					}
				}
			}
			// An expired or forged cookie is no session either.
			const { token } = mintToken('x'.repeat(64), { sub: ALICE.email });
			const forged = await request(srv.baseURL, { path: '/members/secret.txt',
				headers: { 'Sec-Fetch-Mode': 'navigate' }, cookie: `access_token_cookie=${token}` });
			assert.equal(forged.status, 302);
			assert.equal(forged.headers.location, '/login?next=/members/secret.txt');
		});

		test('scripts, API clients and unsafe methods keep the 401 JSON', async () => {
			const why = 'Missing cookie "access_token_cookie"';
			await deniedAsJSON(await get('/members/secret.txt', { 'Sec-Fetch-Mode': 'cors', Accept: 'text/html' }), 401, why);
			await deniedAsJSON(await get('/members/secret.txt', { Accept: 'application/json' }), 401, why);
			const post = await request(srv.baseURL, { path: '/members/secret.txt', method: 'POST',
				headers: { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html' }, body: '' });
			assert.equal(post.status, 401);
			assert.deepEqual(post.json(), { msg: why });
			// Signed in, a page load is served as ever.
			const res = await request(srv.baseURL, { path: '/members/secret.txt',
				headers: { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html' }, cookie: alice.cookie });
			assert.equal(res.status, 200);
			assert.equal(res.body, `${SECRET}\n`);
		});

		test('a valid login cookie: the static file is served', async () => {
			const res = await get('/members/secret.txt', { Cookie: alice.cookie });
			assert.equal(res.status, 200);
			assert.equal(await res.text(), `${SECRET}\n`);
			assert.equal(res.headers.get('cache-control'), 'no-store');
		});

		test('the user reaches what serves the request as LATCHKEY_USER/NAME/GROUPS', async () => {
			const res = await kind.downstream(get, alice.cookie);
			// The identity travels as environment, not back to the client.
			for (const h of res.headers.keys()) assert.ok(!/^variable-/i.test(h), h);
		});

		test('security headers are on grants and denials alike', async () => {
			for (const res of [await get('/members/'), await get('/members/', { Cookie: alice.cookie })]) {
				assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
				assert.ok(res.headers.get('referrer-policy'));
				const csp = res.headers.get('content-security-policy');
				for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
					assert.ok(csp.includes(d), `${d} in ${csp}`);
				}
			}
		});

		// An authorizer's denial is 401 whatever the reason (the API's
		// endpoints keep flask-jwt-extended's 422 for the same tokens).
		test('a token signed with another key is refused with 401', async () => {
			const { token } = mintToken('x'.repeat(64), { sub: ALICE.email });
			await kind.denied(await get('/members/secret.txt', { Cookie: `access_token_cookie=${token}` }),
				401, 'Signature verification failed');
		});

		test('an expired token signed with the right key is refused', async () => {
			const now = Math.floor(Date.now() / 1000);
			const { token } = mintToken(inst.key, { sub: ALICE.email, iat: now - 7200, nbf: now - 7200, exp: now - 60 });
			await kind.denied(await get('/members/secret.txt', { Cookie: `access_token_cookie=${token}` }),
				401, 'Token has expired');
		});

		test('a token minted here with the right key is accepted (the test mints what the server checks)', async () => {
			const { token } = mintToken(inst.key, { sub: ALICE.email });
			const res = await get('/members/secret.txt', { Cookie: `access_token_cookie=${token}` });
			assert.equal(res.status, 200);
		});

		test('alg "none" and HS512 tokens are refused', async () => {
			const { token } = mintToken(inst.key, { sub: ALICE.email });
			const [, payload] = token.split('.');
			const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
			let res = await get('/members/secret.txt', { Cookie: `access_token_cookie=${none}` });
			assert.equal(res.status, 401);
			assert.ok(!(await res.text()).includes(SECRET));
			const crypto = require('node:crypto');
			const head = Buffer.from('{"alg":"HS512","typ":"JWT"}').toString('base64url');
			const sig = crypto.createHmac('sha512', inst.key).update(`${head}.${payload}`).digest('base64url');
			res = await get('/members/secret.txt', { Cookie: `access_token_cookie=${head}.${payload}.${sig}` });
			assert.equal(res.status, 401);
			assert.ok(!(await res.text()).includes(SECRET));
		});

		test('garbage in the cookie is refused with 401', async () => {
			for (const [value, msg] of [['not.a.token', 'Invalid header padding'],
			    ['x', 'Not enough segments'], ['eyJhbGciOiJIUzI1NiJ9.e30', 'Not enough segments'],
			    ['a'.repeat(5000), 'Token is too large']]) {
				const res = await get('/members/secret.txt', { Cookie: `access_token_cookie=${value}` });
				assert.ok(!(await res.clone().text()).includes(SECRET));
				await kind.denied(res, 401, msg);
			}
			// The same cookie on the API keeps flask-jwt-extended's 422.
			const api = await get('/api/profile', { Cookie: 'access_token_cookie=not.a.token' });
			assert.equal(api.status, 422);
			assert.deepEqual(await api.json(), { msg: 'Invalid header padding' });
		});

		test('a disabled user is refused with a still-valid token', async () => {
			const bob = await login(srv.baseURL, BOB.email, BOB.password);
			assert.equal((await get('/members/secret.txt', { Cookie: bob.cookie })).status, 200);
			inst.latchkey(['user', 'disable', BOB.email]);
			await kind.denied(await get('/members/secret.txt', { Cookie: bob.cookie }), 401);
		});

		test('the CSRF rule applies to unsafe methods', async () => {
			const headers = { Cookie: alice.cookie, 'Content-Length': '0' };
			await kind.denied(await get('/members/secret.txt', headers, 'POST'), 401, 'Missing CSRF token');
			await kind.denied(await get('/members/secret.txt', { ...headers, 'X-CSRF-TOKEN': 'wrong' }, 'DELETE'),
				401, 'CSRF double submit tokens do not match');
			// With the right header the authorizer grants: what follows is the
			// static file handler's business (not a 401).
			const res = await get('/members/secret.txt', { ...headers, 'X-CSRF-TOKEN': alice.csrf }, 'POST');
			assert.notEqual(res.status, 401);
			assert.notEqual(res.status, 403);
		});

		test('the same process serves a granted and then a refused request without leaking', async () => {
			// procs = 1 on lighttpd; on Apache the class is small and warm.
			for (let i = 0; i < 3; i++) {
				assert.equal((await get('/members/secret.txt', { Cookie: alice.cookie })).status, 200);
				await kind.denied(await get('/members/secret.txt'), 401);
			}
		});
	});
}

test('the authorizer refuses to answer outside the Authorizer role (here: plain CGI)', () => {
	const inst = makeInstance([ALICE]);
	const { token } = mintToken(inst.key, { sub: ALICE.email });
	const r = spawnSync(path.join(build, 'cgi-bin', 'authorize.fcgi'), [], {
		env: {
			LATCHKEY_CONFIG: inst.config, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET',
			SCRIPT_NAME: '/members/', HTTP_COOKIE: `access_token_cookie=${token}`,
		},
		input: '', encoding: 'utf8',
	});
	assert.equal(r.status, 0);
	assert.match(r.stdout, /^Status: 500 /);
	assert.doesNotMatch(r.stdout, /Variable-/i);
});
