// The attack suite: each attack gets its exact rejection, and the server
// keeps serving afterwards.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startServer, kinds, DEMO } = require('../lib/server.js');
const { request, cookiesFrom, forge } = require('../lib/http.js');

// POST body in chunks of 4 KiB (Transfer-Encoding: chunked, no length).
function chunked(baseURL, p, body) {
	const u = new URL(baseURL + p);
	return new Promise((resolve) => {
		const req = require('node:http').request({ host: u.hostname, port: u.port, path: p, method: 'POST',
		    headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
		});
		req.on('error', (e) => resolve({ status: 0, headers: {}, body: String(e) }));
		for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
		req.end();
	});
}

const keyOf = (srv) => fs.readFileSync(path.join(srv.dir, 'secret.key'), 'utf8').trim();
const now = () => Math.floor(Date.now() / 1000);

function claims(over = {}, drop = []) {
	const c = { fresh: false, iat: now() - 5, jti: 'c4bf1428-03ad-4d8a-8d5b-e769912231d8',
	    type: 'access', sub: DEMO.email, nbf: now() - 5,
	    csrf: '1c8c2c14-edc4-410c-8b72-6e24c78b18b3', exp: now() + 3600, ...over };
	for (const d of drop) delete c[d];
	return c;
}

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.headers['content-type'], 'application/json');
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

async function stillServes(srv) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email: DEMO.email, password: DEMO.password } });
	assert.equal(res.status, 200);
	const c = cookiesFrom(res.setCookies);
	const p = await request(srv.baseURL, { path: '/api/profile',
	    cookie: `access_token_cookie=${c.access_token_cookie}` });
	assert.equal(p.body, '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
}

const HS256 = { alg: 'HS256', typ: 'JWT' };

for (const kind of kinds()) {
	describe(`forged tokens on ${kind}`, () => {
		let srv;
		before(async () => { srv = await startServer({ kind }); });
		after(async () => { await srv?.stop(); });

		const get = (token) => request(srv.baseURL, { path: '/api/profile',
		    cookie: `access_token_cookie=${token}` });

		it('refuses every alg trick', async () => {
			const key = keyOf(srv);
			const cases = [
				[{ alg: 'none' }, null], [{ alg: 'None' }, null], [{ alg: 'NONE' }, null],
				[{ alg: 'nOnE' }, null], [{ alg: 'none' }, 'sha256'], [{ alg: 'HS384' }, 'sha384'],
				[{ alg: 'HS512' }, 'sha512'], [{ alg: 'RS256' }, 'sha256'], [{ alg: 'ES256' }, null],
			];
			for (const [header, alg] of cases)
				assertMsg(await get(forge({ ...header, typ: 'JWT' }, claims(), key, alg)), 422,
				    'The specified alg value is not allowed');
			// ES256 with an all-zero 64-byte signature.
			const es = forge({ alg: 'ES256', typ: 'JWT' }, claims(), key, null) +
			    Buffer.alloc(64).toString('base64url');
			assertMsg(await get(es), 422, 'The specified alg value is not allowed');
			await stillServes(srv);
		});

		it('refuses bad signatures and guessed keys', async () => {
			assertMsg(await get(forge(HS256, claims(), keyOf(srv), null)), 422,
			    'Signature verification failed');
			for (const k of ['', 'secret', 'super-secret-key', keyOf(srv) + 'x'])
				assertMsg(await get(forge(HS256, claims(), k)), 422, 'Signature verification failed');
			// Payload changed under the original signature.
			const good = forge(HS256, claims(), keyOf(srv));
			const [h, , sig] = good.split('.');
			const evil = Buffer.from(JSON.stringify(claims({ sub: 'admin@example.com' }))).toString('base64url');
			assertMsg(await get(`${h}.${evil}.${sig}`), 422, 'Signature verification failed');
			assert.equal((await get(good)).status, 200);
		});

		it('answers each claim set to null, true, false, 0 and "x" exactly', async () => {
			const key = keyOf(srv);
			const ok = { status: 200 };
			const table = {
				fresh: [422, 'Invalid claim: fresh', { true: ok, false: ok, 0: ok }],
				iat: [422, 'Issued At claim (iat) must be an integer.', { 0: ok }],
				jti: [422, 'Invalid claim: jti', { x: ok }],
				type: [422, 'Invalid token type', {}],
				sub: [422, 'Subject must be a string', { x: { status: 401, msg: 'Error loading the user x' } }],
				nbf: [422, 'Not Before claim (nbf) must be an integer.', { 0: ok }],
				csrf: [422, 'Invalid claim: csrf', { x: ok }],
				exp: [422, 'Expiration Time claim (exp) must be an integer.',
				    { 0: { status: 401, msg: 'Token has expired' } }],
			};
			for (const [claim, [status, msg, special]] of Object.entries(table)) {
				for (const value of [null, true, false, 0, 'x']) {
					const res = await get(forge(HS256, claims({ [claim]: value }), key));
					const want = special[String(value)] ?? { status, msg };
					assert.equal(res.status, want.status, `${claim}=${JSON.stringify(value)}: ${res.body}`);
					if (want.msg) assertMsg(res, want.status, want.msg);
				}
			}
			await stillServes(srv);
		});

		it('answers missing claims exactly', async () => {
			const key = keyOf(srv);
			const want = { exp: 'Token is missing the "exp" claim', sub: 'Missing claim: sub',
			    type: 'Missing claim: type', jti: 'Missing claim: jti', csrf: 'Missing claim: csrf' };
			for (const [claim, msg] of Object.entries(want))
				assertMsg(await get(forge(HS256, claims({}, [claim]), key)), 422, msg);
			for (const claim of ['iat', 'nbf', 'fresh'])
				assert.equal((await get(forge(HS256, claims({}, [claim]), key))).status, 200, claim);
		});

		it('refuses odd payloads and headers', async () => {
			const key = keyOf(srv);
			assertMsg(await get(forge(HS256, claims({ exp: String(now() + 3600) }), key)), 422,
			    'Expiration Time claim (exp) must be an integer.');
			assertMsg(await get(forge(HS256, claims({ exp: now() + 3600.5 }), key)), 422,
			    'Expiration Time claim (exp) must be an integer.');
			assertMsg(await get(forge(HS256, claims({ exp: now() - 1 }), key)), 401, 'Token has expired');
			assertMsg(await get(forge(HS256, claims({ nbf: now() + 60 }), key)), 422,
			    'The token is not yet valid (nbf)');
			assertMsg(await get(forge(HS256, claims({ sub: 12 }), key)), 422, 'Subject must be a string');
			assertMsg(await get(forge(HS256, '[{"sub":"test@example.com"}]', key)), 422,
			    'Invalid payload string: must be a json object');
			assertMsg(await get(forge({ ...HS256, crit: ['exp'] }, claims(), key)), 422,
			    'Unsupported critical extension');
			// A kid only ever names one of our keys: paths and SQL name none.
			for (const kid of ['../../../../etc/passwd', "' OR 1=1 --", 'x'.repeat(300)])
				assertMsg(await get(forge({ ...HS256, kid }, claims(), key)), 422,
				    'Signature verification failed');
			assertMsg(await get(forge({ ...HS256, jku: 'http://127.0.0.1:1/jwks', kid: 'evil' },
			    claims(), 'attacker-key')), 422, 'Signature verification failed');
			await stillServes(srv);
		});

		it('takes the first of duplicated cookies', async () => {
			const good = forge(HS256, claims(), keyOf(srv));
			assertMsg(await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=garbage; access_token_cookie=${good}` }), 422,
			    'Not enough segments');
			assert.equal((await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${good}; access_token_cookie=garbage` })).status, 200);
		});

		it('refuses a CSRF value from another user\'s session', async () => {
			assert.equal(srv.tool(['user', 'add', 'mallory@example.com', '--password-stdin'],
			    'mallory-pass\n').status, 0);
			const m = cookiesFrom((await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: 'mallory@example.com', password: 'mallory-pass' } })).setCookies);
			const v = cookiesFrom((await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: DEMO.email, password: DEMO.password } })).setCookies);
			assertMsg(await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
			    cookie: `access_token_cookie=${v.access_token_cookie}`, body: { name: 'pwned' },
			    headers: { 'X-CSRF-TOKEN': m.csrf_access_token } }), 401,
			    'CSRF double submit tokens do not match');
		});

		it('survives oversized cookies, headers and bodies', async () => {
			let res = await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${'a'.repeat(6000)}` });
			assertMsg(res, 422, 'Token is too large');
			res = await request(srv.baseURL, { path: '/api/profile',
			    cookie: `x=${'a'.repeat(20000)}` });
			assert.ok([400, 431].includes(res.status), `status ${res.status}`);
			res = await request(srv.baseURL, { path: '/api/profile',
			    headers: { 'X-CSRF-TOKEN': 'x'.repeat(20000) } });
			assert.ok([400, 401, 431].includes(res.status), `status ${res.status}`);
			res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
			    cookie: `access_token_cookie=${forge(HS256, claims(), keyOf(srv))}`,
			    headers: { 'X-CSRF-TOKEN': 'x'.repeat(3000) }, body: { name: 'A' } });
			assertMsg(res, 401, 'CSRF double submit tokens do not match');
			// The same 413 JSON whoever refuses: the program (past max_body)
			// or the web server itself (past its own limit, 64 KiB).
			for (const size of [9000, 65536, 65537, 100000, 1 << 20]) {
				for (const p of ['/api/login', '/api/profile', '/api/logout']) {
					res = await request(srv.baseURL, { method: p === '/api/profile' ? 'PATCH' : 'POST',
					    path: p, headers: { 'Content-Type': 'application/json' },
					    body: 'x'.repeat(size) }).catch((e) => ({ status: 0, body: String(e), headers: {} }));
					assertMsg(res, 413, 'Request body too large');
				}
			}
			// Chunked, with no length to refuse it by (Apache's mod_cgi passes
			// it without CONTENT_LENGTH): the same limit, counted as it comes.
			for (const size of [9000, 70000, 1 << 20]) {
				res = await chunked(srv.baseURL, '/api/login', 'x'.repeat(size));
				assertMsg(res, 413, 'Request body too large');
			}
			res = await chunked(srv.baseURL, '/api/login', JSON.stringify({ email: DEMO.email, password: DEMO.password }));
			assert.equal(res.status, 200);
			assert.equal(res.body, '{"login":true}\n');
			await stillServes(srv);
		});

		it('treats injection strings and NULs in the email as data', async () => {
			for (const email of ["test@example.com' --", "' OR '1'='1", 'test@example.com%00',
			    'test@example.com\n', '"; DROP TABLE users; --'])
				assert.equal((await request(srv.baseURL, { method: 'POST', path: '/api/login',
				    body: { email, password: DEMO.password } })).body, '{"login":false}\n');
			assert.equal((await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: 'test@example.com\u0000', password: DEMO.password } })).status, 400);
			await stillServes(srv);
		});
	});
}

describe('brute-force defence', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config: [
			'throttle_account_max = 3', 'throttle_address_max = 6', 'throttle_window = 1m', '',
		].join('\n'), users: [DEMO, { email: 'other@example.com', password: 'other-pass', name: 'O' }] });
	});
	after(async () => { await srv?.stop(); });

	const attempt = (email, password, headers = {}) => request(srv.baseURL, { method: 'POST',
	    path: '/api/login', body: { email, password }, headers });
	const audits = (event) => srv.log().split('\n').filter((l) => l.includes(`audit event="${event}" `));

	it('throttles an account after its limit, even for the right password, at no hash', async () => {
		for (let i = 0; i < 3; i++)
			assert.equal((await attempt('TEST@example.com', 'wrong')).status, 401);
		const res = await attempt(DEMO.email, DEMO.password);
		assertMsg(res, 429, 'Too many failed login attempts, try again later');
		const wait = Number(res.headers['retry-after']);
		assert.ok(wait >= 1 && wait <= 60, `Retry-After ${res.headers['retry-after']}`);
		assert.deepEqual(res.setCookies, []);
		// Deterministic cost: one hash per refused attempt, none when throttled.
		await new Promise((r) => setTimeout(r, 200));
		const failed = audits('login_failed');
		assert.equal(failed.length, 3);
		for (const l of failed) assert.match(l, / hashes="1"$/);
		assert.match(audits('login_throttled')[0], / user="test@example\.com" retry_after="\d+" hashes="0"$/);
		assert.ok(!srv.log().includes('wrong'), 'a password reached the log');
	});

	it('never blocks another account for one account\'s lock', async () => {
		const res = await attempt('other@example.com', 'other-pass');
		assert.equal(res.status, 200);
	});

	it('throttles unknown accounts alike, so it tells nothing', async () => {
		for (let i = 0; i < 2; i++)
			assert.equal((await attempt('ghost@example.com', 'x')).status, 401);
		const res = await attempt('ghost@example.com', 'x');
		assert.equal(res.status, 401);
		assertMsg(await attempt('ghost@example.com', 'x'), 429,
		    'Too many failed login attempts, try again later');
		for (const l of audits('login_failed').filter((x) => x.includes('ghost')))
			assert.match(l, / hashes="1"$/);
	});

	it('throttles the client address, whatever X-Forwarded-For says', async () => {
		// 6 failures from 127.0.0.1 so far: the address is at its limit.
		const res = await attempt('other@example.com', 'other-pass', { 'X-Forwarded-For': '203.0.113.9' });
		assertMsg(res, 429, 'Too many failed login attempts, try again later');
	});
});

// Concurrent wrong passwords must never buy more hashes than the limit,
// whatever the number of processes answering.
for (const kind of kinds().filter((k) => k !== 'apache-cgi')) {
	describe(`parallel guessing on ${kind}`, () => {
		let srv;
		before(async () => {
			srv = await startServer({ kind, procs: 2, config:
			    'throttle_account_max = 5\nthrottle_address_max = 1000\n' });
		});
		after(async () => { await srv?.stop(); });

		it('hashes at most throttle_account_max times for 20 concurrent wrong passwords', async () => {
			const all = await Promise.all(Array.from({ length: 20 }, (_, i) => request(srv.baseURL,
			    { method: 'POST', path: '/api/login', body: { email: DEMO.email, password: `wrong-${i}` } })));
			const counts = {};
			for (const r of all) counts[r.status] = (counts[r.status] ?? 0) + 1;
			assert.deepEqual(counts, { 401: 5, 429: 15 });
			await new Promise((r) => setTimeout(r, 300));
			const hashes = srv.log().split('\n').filter((l) => /audit event="login_(failed|throttled)"/.test(l))
			    .map((l) => Number(l.match(/ hashes="(\d+)"/)[1]));
			assert.equal(hashes.length, 20);
			assert.equal(hashes.reduce((a, b) => a + b, 0), 5);
			// The right password is throttled too now, at no hash.
			assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email: DEMO.email, password: DEMO.password } }), 429,
			    'Too many failed login attempts, try again later');
		});
	});
}

describe('audit lines', () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'lighttpd' }); });
	after(async () => { await srv?.stop(); });

	/** Split an audit line into its key="value" fields, strictly. */
	function fields(line) {
		const m = line.match(/ audit (.*)$/);
		assert.ok(m, line);
		const out = [];
		const re = /([a-z_]+)="((?:[^"\\]|\\.)*)"(?: |$)/gy;
		let f;
		let end = 0;
		while ((f = re.exec(m[1])) !== null) {
			out.push([f[1], f[2]]);
			end = re.lastIndex;
		}
		assert.equal(end, m[1].length, `unparsed rest: ${m[1].slice(end)}`);
		return out;
	}

	it('quotes and escapes every value, so no field can be forged', async () => {
		const origin = 'http://x" event=login_ok addr=203.0.113.7 user="victim@example.com';
		assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    headers: { Origin: origin }, body: { email: DEMO.email, password: DEMO.password } }),
		    403, 'Origin not allowed');
		const email = 'a"b c=d\\e\r\nf é@x.example';
		assert.equal((await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email, password: 'x' } })).status, 401);
		await new Promise((r) => setTimeout(r, 300));
		const lines = srv.log().split('\n').filter((l) => l.includes(' audit '));
		const refused = fields(lines.find((l) => l.includes('origin_refused')));
		assert.deepEqual(refused.map(([k]) => k), ['event', 'time', 'addr', 'user', 'origin']);
		assert.equal(refused[0][1], 'origin_refused');
		assert.equal(refused[2][1], '127.0.0.1');
		assert.equal(refused[4][1], 'http://x\\" event=login_ok addr=203.0.113.7 user=\\"victim@example.com');
		const failed = fields(lines.find((l) => l.includes('login_failed')));
		assert.deepEqual(failed.map(([k]) => k), ['event', 'time', 'addr', 'user', 'hashes']);
		assert.equal(failed[3][1], 'a\\"b c=d\\\\e\\x0d\\x0af \\xc3\\xa9@x.example');
		for (const l of lines) assert.doesNotMatch(l, /[^\x20-\x7e]/);
	});
});

describe('origins', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config:
		    'allowed_origins = https://admin.example.com\ncors_origins = http://localhost:3000\n' });
	});
	after(async () => { await srv?.stop(); });

	const post = (headers) => request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email: DEMO.email, password: DEMO.password }, headers });

	it('refuses state changes from foreign origins, login included', async () => {
		for (const headers of [{ Origin: 'http://evil.example' }, { Origin: 'null' },
		    { Referer: 'http://evil.example/page' }, { Origin: srv.baseURL + '.evil.example' }]) {
			const res = await post(headers);
			assertMsg(res, 403, 'Origin not allowed');
			assert.deepEqual(res.setCookies, []);
		}
		assertMsg(await request(srv.baseURL, { method: 'POST', path: '/api/logout', body: {},
		    headers: { Origin: 'http://evil.example' } }), 403, 'Origin not allowed');
	});

	it('accepts its own origin, listed origins, and requests naming none', async () => {
		for (const headers of [{ Origin: srv.baseURL }, { Referer: srv.baseURL + '/login' },
		    { Origin: 'https://admin.example.com' }, { Origin: 'http://localhost:3000' }, {}])
			assert.equal((await post(headers)).status, 200, JSON.stringify(headers));
	});

	it('answers CORS for listed origins only, with credentials and Vary', async () => {
		let res = await request(srv.baseURL, { method: 'OPTIONS', path: '/api/login', headers: {
			Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST',
			'Access-Control-Request-Headers': 'content-type' } });
		assert.equal(res.status, 204);
		assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:3000');
		assert.equal(res.headers['access-control-allow-credentials'], 'true');
		assert.equal(res.headers['access-control-allow-methods'], 'POST');
		assert.equal(res.headers['access-control-allow-headers'], 'Content-Type, X-CSRF-TOKEN');
		assert.equal(res.headers.vary, 'Origin');
		res = await request(srv.baseURL, { method: 'OPTIONS', path: '/api/login', headers: {
			Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
		assertMsg(res, 403, 'Origin not allowed');
		assert.equal(res.headers['access-control-allow-origin'], undefined);
		res = await request(srv.baseURL, { path: '/api/profile', headers: { Origin: 'null' } });
		assert.equal(res.headers['access-control-allow-origin'], undefined);
		assert.equal(res.headers.vary, 'Origin');
		res = await request(srv.baseURL, { path: '/api/profile', headers: { Origin: 'http://localhost:3000' } });
		assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:3000');
		assert.equal(res.headers['access-control-allow-credentials'], 'true');
		res = await request(srv.baseURL, { path: '/api/profile', headers: { Origin: 'http://localhost:3001' } });
		assert.equal(res.headers['access-control-allow-origin'], undefined);
	});
});

describe('__Host- cookies', () => {
	let srv;
	before(async () => {
		srv = await startServer({ kind: 'lighttpd', config: 'cookie_secure = true\ncookie_host_prefix = true\n' });
	});
	after(async () => { await srv?.stop(); });

	it('prefixes the names and reads them back', async () => {
		const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.deepEqual(res.setCookies.map((l) => l.split('=')[0]), ['__Host-access_token_cookie',
		    '__Host-csrf_access_token', '__Secure-refresh_token_cookie', '__Host-csrf_refresh_token']);
		for (const l of res.setCookies) assert.match(l, /; Secure;/);
		const c = cookiesFrom(res.setCookies);
		assertMsg(await request(srv.baseURL, { path: '/api/profile',
		    cookie: `access_token_cookie=${c['__Host-access_token_cookie']}` }), 401,
		    'Missing cookie "__Host-access_token_cookie"');
		assert.equal((await request(srv.baseURL, { path: '/api/profile',
		    cookie: `__Host-access_token_cookie=${c['__Host-access_token_cookie']}` })).status, 200);
	});
});
