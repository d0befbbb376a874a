'use strict';
// Two lighttpd nodes on one MariaDB server (scripts/mariadb-cluster, as an
// unprivileged user on loopback): one refresh token sent to both at once
// rotates once, and failed logins on either count on one throttle counter
// that a burst racing on both never passes.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, prepare } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');

const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };
const TOO_MANY = '{"msg":"Too many failed login attempts, try again later"}\n';

let prep;
const nodes = [];
before(async () => {
	prep = prepare({ store: 'mysql', config: 'refresh_grace = 2\nhash_cost = 1\n' +
	    'throttle_address_max = 1000\n' });
	for (let i = 0; i < 2; i++)
		nodes.push(await startServer({ kind: 'lighttpd-mysql', prepared: prep, procs: 2 }));
});
after(async () => {
	for (const n of nodes) await n.stop();
});

const node = (n) => nodes[n - 1].baseURL;

async function login(n, email = DEMO.email, password = DEMO.password) {
	const res = await request(node(n), { method: 'POST', path: '/api/login',
	    body: { email, password } });
	const k = cookiesFrom(res.setCookies);
	return {
		res,
		refreshCookie: `refresh_token_cookie=${k.refresh_token_cookie}`,
		refreshCsrf: k.csrf_refresh_token,
		refreshJti: k.refresh_token_cookie ? decode(k.refresh_token_cookie).payload.jti : null,
	};
}

const refresh = (n, s) => request(node(n), { method: 'POST', path: '/api/refresh',
    cookie: s.refreshCookie, headers: { 'X-CSRF-TOKEN': s.refreshCsrf }, body: {} });
const jtiOf = (res) => decode(cookiesFrom(res.setCookies).refresh_token_cookie).payload.jti;
const sql = (q) => nodes[0].sql(q);

describe('two nodes on one MariaDB', () => {
	it('run on MariaDB, as an unprivileged user', () => {
		assert.match(prep.db, /^latchkey_/);
		assert.equal(sql('SELECT @@bind_address'), '127.0.0.1');
		assert.equal(sql("SELECT count(*) FROM users WHERE email = 'test@example.com'"), '1');
	});

	it('one refresh token sent to both at once rotates once', async () => {
		for (let round = 0; round < 5; round++) {
			const s = await login(1);
			assert.equal(s.res.status, 200, s.res.body);
			const family = sql(`SELECT family FROM refresh_tokens WHERE jti = '${s.refreshJti}'`);
			const answers = await Promise.all([refresh(1, s), refresh(2, s), refresh(1, s),
			    refresh(2, s)]);
			for (const a of answers)
				assert.equal(a.status, 200, a.body);
			// The same successor for all: one rotation, one new token.
			assert.equal(new Set(answers.map(jtiOf)).size, 1);
			assert.equal(sql(`SELECT count(*) FROM refresh_tokens WHERE family = '${family}'`), '2');
			assert.equal(sql(`SELECT refreshes FROM sessions WHERE id = '${family}'`), '1');
		}
	});

	it('failed logins racing on both nodes never pass the limit', async () => {
		const r = nodes[0].tool(['user', 'add', 'race@example.com', '--password-stdin',
		    '--skip-password-policy'], 'password-one\n');
		assert.equal(r.status, 0, r.stderr);
		const tries = [];
		for (let i = 0; i < 16; i++)
			tries.push(login(1 + (i % 2), 'race@example.com', 'wrong-password'));
		const answers = await Promise.all(tries);
		const refused = answers.filter((a) => a.res.status === 401).length;
		const limited = answers.filter((a) => a.res.status === 429);
		assert.equal(refused, 5);
		assert.equal(limited.length, 11);
		for (const a of limited)
			assert.equal(a.res.body, TOO_MANY);
		assert.equal(sql("SELECT failures FROM throttle WHERE key = 'account:race@example.com'"), '5');
		// And the right password too, on either node, until the window ends.
		for (const n of [1, 2])
			assert.equal((await login(n, 'race@example.com', 'password-one')).res.status, 429);
	});
});
