'use strict';
// make run-cluster, started for real (scripts/run-cluster on three free
// ports, PostgreSQL as an unprivileged user): what one node does, the
// others see — sessions, logouts, throttle counters, refresh rotation,
// disabling — and a verify-only node checks without issuing or writing.
// Then the faults: PostgreSQL stopped under bounded load and started
// again, without touching lighttpd.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const jose = require('jose');

const { startCluster } = require('./cluster.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');
const { totp, base32Decode } = require('../lib/totp.js');

const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };
const REVOKED = '{"msg":"Token has been revoked"}\n';
const UNAVAILABLE = '{"msg":"Service unavailable"}\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let c;
let node;
before(async () => {
	// A short grace, to see a replay past it; cheap hashes, to log in often.
	c = await startCluster({ local: 'refresh_grace = 2\nhash_cost = 1\n' });
	node = (n) => c.nodes[n - 1].baseURL;
});
after(async () => { await c?.stop(); });

function addUser(email, password = 'password-one') {
	const r = c.tool(['user', 'add', email, '--password-stdin', '--skip-password-policy'],
	    `${password}\n`);
	assert.equal(r.status, 0, r.stderr);
}

async function login(n, email = DEMO.email, password = DEMO.password) {
	const res = await request(node(n), { method: 'POST', path: '/api/login',
	    body: { email, password } });
	const k = cookiesFrom(res.setCookies);
	return {
		res,
		access: k.access_token_cookie,
		accessCookie: `access_token_cookie=${k.access_token_cookie}`,
		csrf: k.csrf_access_token,
		refreshCookie: `refresh_token_cookie=${k.refresh_token_cookie}`,
		refreshCsrf: k.csrf_refresh_token,
		refreshJti: k.refresh_token_cookie ? decode(k.refresh_token_cookie).payload.jti : null,
	};
}

const profile = (n, s) => request(node(n), { path: '/api/profile', cookie: s.accessCookie });
const refresh = (n, s) => request(node(n), { method: 'POST', path: '/api/refresh',
    cookie: s.refreshCookie, headers: { 'X-CSRF-TOKEN': s.refreshCsrf }, body: {} });
const logout = (n, s) => request(node(n), { method: 'POST', path: '/api/logout',
    cookie: `${s.accessCookie}; ${s.refreshCookie}`, body: {} });
const jtiOf = (res) => decode(cookiesFrom(res.setCookies).refresh_token_cookie).payload.jti;

describe('make run-cluster', () => {
	it('starts PostgreSQL, two full nodes and a verify-only node, ES256', async () => {
		assert.match(c.out(), /node 3 http:\/\/127\.0\.0\.1:\d+ \(verify-only/);
		assert.match(fs.readFileSync(path.join(c.dir, 'latchkey.conf'), 'utf8'),
		    /^token_algorithm = ES256$/m);
		assert.match(fs.readFileSync(path.join(c.dir, 'verify.conf'), 'utf8'),
		    /^public_keys = public$/m);
		// PostgreSQL listens on loopback only, and does not run as root.
		assert.match(fs.readFileSync(path.join(c.dir, 'uri'), 'utf8'), /@127\.0\.0\.1:\d+\//);
		const owner = c.sql("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'");
		assert.equal(owner, '127.0.0.1');
		const pid = Number(fs.readFileSync(path.join(c.dir, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
		assert.notEqual(fs.statSync(`/proc/${pid}`).uid, 0);
	});

	it('logs in on node 1; nodes 2 and 3 serve the profile', async () => {
		const s = await login(1);
		assert.equal(s.res.status, 200, s.res.body);
		assert.equal(decode(s.access).header.alg, 'ES256');
		for (const n of [1, 2, 3]) {
			const p = await profile(n, s);
			assert.equal(p.status, 200, `node ${n}: ${p.body}`);
			assert.equal(p.body, `{"email":"${DEMO.email}","groups":[],"name":"${DEMO.name}"}\n`);
		}
		// And /members/ through node 3's authorizer.
		const m = await request(node(3), { path: '/members/', cookie: s.accessCookie });
		assert.equal(m.status, 200);
	});

	it('a logout on node 2 revokes the copied token on nodes 1 and 3', async () => {
		const s = await login(1);
		assert.equal((await profile(3, s)).status, 200);
		const out = await logout(2, s);
		assert.equal(out.status, 200, out.body);
		for (const n of [1, 3]) {
			const p = await profile(n, s);
			assert.equal(p.status, 401, `node ${n}`);
			assert.equal(p.body, REVOKED);
		}
		assert.equal((await refresh(1, s)).body, REVOKED);
	});

	it('failed logins on nodes 1 and 2 count together toward 429', async () => {
		addUser('throttle@example.com');
		for (const n of [1, 2, 1, 2, 1]) {
			const r = await login(n, 'throttle@example.com', 'wrong-password');
			assert.equal(r.res.status, 401, `node ${n}: ${r.res.body}`);
		}
		for (const n of [2, 1]) {
			const r = await login(n, 'throttle@example.com', 'password-one');
			assert.equal(r.res.status, 429, `node ${n}: ${r.res.body}`);
			assert.match(r.res.headers['retry-after'], /^\d+$/);
		}
		assert.equal(c.sql("SELECT failures FROM throttle WHERE key LIKE 'account:%throttle@example.com'"), '5');
	});

	it('one refresh token sent to two nodes at once rotates once; its reuse after the grace is caught on either node', async () => {
		const s = await login(1);
		const family = c.sql(`SELECT family FROM refresh_tokens WHERE jti = '${s.refreshJti}'`);
		const sessions = c.sql(`SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = '${DEMO.email}')`);
		const [a, b] = await Promise.all([refresh(1, s), refresh(2, s)]);
		assert.equal(a.status, 200, a.body);
		assert.equal(b.status, 200, b.body);
		// The same successor from both: one rotation, no second family.
		assert.equal(jtiOf(a), jtiOf(b));
		assert.equal(c.sql(`SELECT count(*) FROM refresh_tokens WHERE family = '${family}'`), '2');
		assert.equal(c.sql(`SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = '${DEMO.email}')`),
		    sessions);
		const next = { ...s, ...(() => {
			const k = cookiesFrom(a.setCookies);
			return { accessCookie: `access_token_cookie=${k.access_token_cookie}`,
			    refreshCookie: `refresh_token_cookie=${k.refresh_token_cookie}`, refreshCsrf: k.csrf_refresh_token };
		})() };
		assert.equal((await profile(3, next)).status, 200);
		await sleep(3000);
		// Past the grace, the old token again, on node 2: the session is revoked.
		const reuse = await refresh(2, s);
		assert.equal(reuse.status, 401);
		assert.equal(reuse.body, REVOKED);
		assert.equal((await refresh(1, next)).body, REVOKED);
		assert.equal((await profile(3, next)).body, REVOKED);
		assert.match(c.log(2), /refresh_reuse_detected/);
	});

	it('latchkey user disable ends the user\'s sessions on every node', async () => {
		addUser('disable@example.com');
		const s = await login(1, 'disable@example.com', 'password-one');
		assert.equal(s.res.status, 200);
		for (const n of [1, 2, 3]) assert.equal((await profile(n, s)).status, 200);
		const r = c.tool(['user', 'disable', 'disable@example.com']);
		assert.equal(r.status, 0, r.stderr);
		for (const n of [1, 2, 3]) {
			const p = await profile(n, s);
			assert.equal(p.status, 401, `node ${n}`);
			// Disabling revokes the user's sessions in the store.
			assert.equal(p.body, REVOKED);
		}
		assert.equal((await refresh(2, s)).status, 401);
	});

	it('a verify-only node cannot issue and cannot write', async () => {
		const s = await login(1);
		const revokedBefore = c.sql('SELECT count(*) FROM revoked_tokens');
		let r = await login(3);
		assert.equal(r.res.status, 503);
		assert.equal(r.res.body, '{"msg":"This node cannot issue tokens"}\n');
		assert.deepEqual(r.res.setCookies, []);
		r = await refresh(3, s);
		assert.equal(r.status, 503);
		assert.equal(r.body, '{"msg":"This node cannot issue tokens"}\n');
		// Logout cannot be recorded there: it says so, and clears the
		// four cookies all the same (the browser is signed out); the
		// session goes on in the store, and can still be ended on a full
		// node.
		r = await logout(3, s);
		assert.equal(r.status, 503);
		assert.equal(r.body, '{"msg":"This node cannot revoke tokens"}\n');
		assert.deepEqual(r.setCookies.map((h) => h.split(';')[0]).sort(),
		    ['access_token_cookie=', 'csrf_access_token=', 'csrf_refresh_token=', 'refresh_token_cookie=']);
		for (const h of r.setCookies) assert.match(h, /; Max-Age=0;/);
		assert.match(r.setCookies.find((h) => h.startsWith('refresh_token_cookie=')), /; Path=\/api\/refresh;/);
		assert.equal((await profile(1, s)).status, 200);
		assert.equal(c.sql(`SELECT count(*) FROM revoked_tokens`), revokedBefore);
		// Its role may only read.
		r = await request(node(3), { method: 'PATCH', path: '/api/profile', cookie: `${s.accessCookie}; csrf_access_token=${s.csrf}`,
		    headers: { 'X-CSRF-TOKEN': s.csrf }, body: { name: 'Written on node 3' } });
		assert.equal(r.status, 503);
		assert.equal(r.body, UNAVAILABLE);
		assert.equal(c.sql(`SELECT name FROM users WHERE email = '${DEMO.email}'`), DEMO.name);
		const log = c.log(3);
		assert.match(log, /verify-only node: public keys from \S+ and no signing key, so this node cannot issue tokens/);
		assert.match(log, /permission denied for table/);
		// A user's sessions: listed there, ended on a full node only.
		const auth = { cookie: `${s.accessCookie}; csrf_access_token=${s.csrf}`, headers: { 'X-CSRF-TOKEN': s.csrf } };
		r = await request(node(3), { path: '/api/sessions', ...auth });
		assert.equal(r.status, 200, r.body);
		const id = r.json().sessions[0].id;
		for (const req of [{ method: 'DELETE', path: `/api/sessions/${id}` },
		    { method: 'POST', path: '/api/sessions/revoke-others', body: {} }]) {
			r = await request(node(3), { ...req, ...auth });
			assert.equal(r.status, 503, req.path);
			assert.equal(r.body, '{"msg":"This node cannot revoke tokens"}\n');
			// Only a logout signs the browser out.
			assert.deepEqual(r.setCookies, [], req.path);
		}
		assert.equal((await logout(1, s)).status, 200);
	});

	it('a verify-only node does not finish a two-step login either', async () => {
		addUser('two-step@example.com');
		const s = await login(1, 'two-step@example.com', 'password-one');
		const auth = { cookie: `${s.accessCookie}; csrf_access_token=${s.csrf}`, headers: { 'X-CSRF-TOKEN': s.csrf } };
		let r = await request(node(1), { method: 'POST', path: '/api/mfa/totp/setup', body: { password: 'password-one' }, ...auth });
		assert.equal(r.status, 200, r.body);
		const secret = base32Decode(r.json().secret);
		const step = Math.floor(Date.now() / 30000);
		r = await request(node(1), { method: 'POST', path: '/api/mfa/totp/enable', body: { code: totp(secret, step) }, ...auth });
		assert.equal(r.status, 200, r.body);
		const first = await login(2, 'two-step@example.com', 'password-one');
		assert.equal(first.res.status, 200, first.res.body);
		const pending = cookiesFrom(first.res.setCookies).mfa_pending;
		assert.ok(pending);
		while (Math.floor(Date.now() / 30000) <= step) await sleep(250);
		const code = totp(secret, Math.floor(Date.now() / 30000));
		r = await request(node(3), { method: 'POST', path: '/api/login/mfa', cookie: `mfa_pending=${pending}`, body: { code } });
		assert.equal(r.status, 503);
		assert.equal(r.body, '{"msg":"This node cannot issue tokens"}\n');
		assert.deepEqual(r.setCookies, []);
		// The code is not spent there: a full node finishes the login with it.
		r = await request(node(1), { method: 'POST', path: '/api/login/mfa', cookie: `mfa_pending=${pending}`, body: { code } });
		assert.equal(r.status, 200, r.body);
	});

	it('an independent JOSE library verifies an access cookie against the nodes\' JWKS', async () => {
		const s = await login(2);
		for (const n of [1, 3]) {
			const jwks = jose.createRemoteJWKSet(new URL(`${node(n)}/.well-known/jwks.json`));
			const { payload, protectedHeader } = await jose.jwtVerify(s.access, jwks, { algorithms: ['ES256'] });
			assert.equal(payload.sub, DEMO.email);
			assert.equal(payload.type, 'access');
			assert.equal(protectedHeader.kid, decode(s.access).header.kid);
		}
	});

	it('a key rotation reaches the verify-only node through key publish', async () => {
		const old = await login(1);
		let r = c.tool(['key', 'rotate']);
		assert.equal(r.status, 0, r.stderr);
		const kid = /^new key ([0-9a-f]{16})$/m.exec(r.stdout)[1];
		r = c.tool(['key', 'publish', path.join(c.dir, 'public')]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^wrote 2 public keys to /);
		const s = await login(2);
		assert.equal(decode(s.access).header.kid, kid);
		assert.equal((await profile(3, s)).status, 200);
		assert.equal((await profile(3, old)).status, 200);
		const set = (await request(node(3), { path: '/.well-known/jwks.json' })).json();
		assert.deepEqual(set.keys.map((k) => k.kid).sort(), [kid, decode(old.access).header.kid].sort());
	});
});

describe('PostgreSQL stopped under load, then started again', () => {
	const WORKERS = 4;
	const users = Array.from({ length: WORKERS }, (_, i) => `load${i}@example.com`);
	let before0;

	it('answers 503 with a reason while it is down, and resumes without touching lighttpd; every change answered 200 is there', async () => {
		for (const u of users) addUser(u);
		const lighttpd = [1, 2, 3].map((n) => c.lighttpdPid(n));
		before0 = Object.fromEntries([1, 2].flatMap((n) => ['login', 'profile', 'refresh']
		    .map((p) => [`${n}:${p}`, c.pids(n, p)])));
		const done = { logins: [], refreshes: [], names: users.map(() => ({ ok: null, tried: [] })) };
		const statuses = new Map();
		let stop = false;
		const count = (what, res) => {
			const k = `${what} ${res.status}`;
			statuses.set(k, (statuses.get(k) ?? 0) + 1);
			if (res.status !== 200) {
				assert.equal(res.status, 503, `${what}: ${res.status} ${res.body}`);
				assert.equal(res.body, UNAVAILABLE);
			}
		};
		// Bounded: WORKERS clients, each one request at a time, until told to stop (or 400 rounds).
		const worker = async (i) => {
			let s = null;
			for (let k = 0; !stop && k < 400; k++) {
				const n = 1 + ((i + k) % 2);
				try {
					if (s === null || k % 5 === 0) {
						const r = await login(n, users[i], 'password-one');
						count('login', r.res);
						if (r.res.status === 200) {
							s = r;
							done.logins.push(r.refreshJti);
						}
						continue;
					}
					if (k % 5 === 2) {
						const rr = await refresh(n, s);
						count('refresh', rr);
						if (rr.status === 200) {
							const kk = cookiesFrom(rr.setCookies);
							s = { ...s, accessCookie: `access_token_cookie=${kk.access_token_cookie}`,
							    csrf: kk.csrf_access_token,
							    refreshCookie: `refresh_token_cookie=${kk.refresh_token_cookie}`,
							    refreshCsrf: kk.csrf_refresh_token };
							done.refreshes.push(jtiOf(rr));
						}
						continue;
					}
					const name = `w${i} k${k}`;
					done.names[i].tried.push(name);
					const p = await request(node(n), { method: 'PATCH', path: '/api/profile',
					    cookie: `${s.accessCookie}; csrf_access_token=${s.csrf}`,
					    headers: { 'X-CSRF-TOKEN': s.csrf }, body: { name } });
					count('patch', p);
					if (p.status === 200) {
						done.names[i].ok = name;
						done.names[i].tried = [];
					}
				} catch (err) {
					assert.fail(`worker ${i}: ${err.message}`);
				}
				await sleep(20);
			}
		};
		const running = users.map((_, i) => worker(i));
		await sleep(1500);
		c.pg('stop');
		await sleep(2500);
		const down = new Map(statuses);
		c.pg('start');
		// Service resumes: a login works again on both full nodes.
		for (const n of [1, 2]) {
			const end = Date.now() + 15000;
			let r;
			do {
				r = await login(n);
				if (r.res.status !== 200) await sleep(200);
			} while (r.res.status !== 200 && Date.now() < end);
			assert.equal(r.res.status, 200, `node ${n} after the restart: ${r.res.body}`);
		}
		await sleep(1500);
		stop = true;
		await Promise.all(running);

		// 503s were answered while it was down, 200s before and after.
		const sum = (m, re) => [...m].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
		assert.ok(sum(down, / 503$/) > 0, JSON.stringify([...down]));
		assert.ok(sum(statuses, / 200$/) > sum(down, / 200$/), JSON.stringify([...statuses]));
		// Logged why, on both full nodes.
		for (const n of [1, 2])
			assert.match(c.log(n), /database: .*(connection lost|cannot connect again|could not connect|Connection refused)/);
		// No crash loop, no restart: the same lighttpd and FastCGI processes.
		assert.deepEqual([1, 2, 3].map((n) => c.lighttpdPid(n)), lighttpd);
		for (const [k, pids] of Object.entries(before0)) {
			const [n, p] = k.split(':');
			assert.deepEqual(c.pids(Number(n), p), pids, `${k} processes changed`);
		}
		// Every change answered 200 is there, none half-written.
		const jtis = new Set(c.sql('SELECT jti FROM refresh_tokens').split('\n'));
		for (const j of [...done.logins, ...done.refreshes]) assert.ok(jtis.has(j), `refresh token ${j} lost`);
		for (const [i, u] of users.entries()) {
			const name = c.sql(`SELECT name FROM users WHERE email = '${u}'`);
			// A change whose answer was lost with the connection may be there too.
			const allowed = [done.names[i].ok ?? u.split('@')[0], ...done.names[i].tried];
			assert.ok(allowed.includes(name), `${u}: "${name}" not in ${JSON.stringify(allowed)}`);
		}
		assert.equal(c.sql('SELECT count(*) FROM sessions s WHERE NOT EXISTS ' +
		    '(SELECT 1 FROM refresh_tokens t WHERE t.family = s.id)'), '0');
		assert.ok(done.logins.length > 4 && done.refreshes.length > 0,
		    `${done.logins.length} logins, ${done.refreshes.length} refreshes`);
	});
});

describe('GET /api/health while PostgreSQL is stopped', () => {
	const OK = '{"status":"ok"}\n';
	const STORE = '{"reason":"store","status":"unavailable"}\n';
	const health = (n) => request(node(n), { path: '/api/health' });
	// The answer of node n once it is want: at most 20 seconds.
	async function until(n, want) {
		let res;
		const end = Date.now() + 20000;
		do {
			res = await health(n);
			if (res.body !== want) await sleep(200);
		} while (res.body !== want && Date.now() < end);
		return res;
	}

	it('names the store on every node while it is down, and is ok again after, nothing restarted', async () => {
		for (const n of [1, 2, 3])
			assert.equal((await health(n)).body, OK, `node ${n}`);
		const lighttpd = [1, 2, 3].map((n) => c.lighttpdPid(n));
		const before = [1, 2, 3].map((n) => c.pids(n, 'health'));
		c.pg('stop');
		try {
			for (const n of [1, 2, 3]) {
				const res = await until(n, STORE);
				assert.equal(res.status, 503, `node ${n}: ${res.body}`);
				assert.equal(res.body, STORE);
			}
		} finally {
			c.pg('start');
		}
		for (const n of [1, 2, 3]) {
			const res = await until(n, OK);
			assert.equal(res.status, 200, `node ${n} after the restart: ${res.body}`);
		}
		assert.deepEqual([1, 2, 3].map((n) => c.lighttpdPid(n)), lighttpd);
		assert.deepEqual([1, 2, 3].map((n) => c.pids(n, 'health')), before);
	});
});
