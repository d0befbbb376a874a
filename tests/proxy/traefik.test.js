'use strict';
// Traefik's ForwardAuth contract, replayed: Traefik is not in Debian, so
// this sends latchkey exactly what Traefik's middleware sends (a GET of the
// address, the client's headers copied, X-Forwarded-Method, -Proto, -Host,
// -Uri and -For written by Traefik) and checks the answers Traefik acts on:
// a 2xx lets the request through with authResponseHeaders copied, anything
// else goes back to the client as it is (status, Location, body).
const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { DOMAIN, OTHER, startLatchkey, request, logIn } = require('./helpers.js');

const RULES = `bypass host=app.${DOMAIN} path=/public/
two_factor host=app.${DOMAIN} path=/admin/
deny host=app.${DOMAIN} user=${OTHER.email}
one_factor host=app.${DOMAIN}
`;
const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };
const AUTH_RESPONSE_HEADERS = ['remote-user', 'remote-groups', 'remote-name', 'remote-email'];

describe('Traefik ForwardAuth, replayed', () => {
	let latchkey, auth;
	const PROXY_PORT = 8443;
	const app = `app.${DOMAIN}:${PROXY_PORT}`;

	// What Traefik sends for a client request (method, uri, headers).
	function check(method, uri, clientHeaders = {}, opts = {}) {
		return request(latchkey.port, `127.0.0.1:${latchkey.port}`, '/api/authz/forward-auth', {
			localAddress: opts.localAddress,
			headers: {
				...clientHeaders,
				'X-Forwarded-Method': method,
				'X-Forwarded-Proto': 'https',
				'X-Forwarded-Host': app,
				'X-Forwarded-Uri': uri,
				'X-Forwarded-For': '198.51.100.20',
			},
		});
	}

	before(async () => {
		latchkey = await startLatchkey(PROXY_PORT, RULES);
		auth = `127.0.0.1:${latchkey.port}`;
	});
	after(async () => { await latchkey?.stop(); });

	it('lets a session through with the identity to copy', async () => {
		const s = await logIn(latchkey.port, auth, DEMO.email, DEMO.password);
		const r = await check('GET', '/page', { Cookie: s.cookie, Accept: 'text/html' });
		assert.equal(r.status, 200);
		assert.equal(r.body, '');
		assert.equal(r.headers['remote-user'], DEMO.email);
		assert.equal(r.headers['remote-email'], DEMO.email);
		assert.equal(r.headers['remote-name'], DEMO.name);
		assert.equal(r.headers['remote-groups'], 'admins,staff');
	});

	it('sends a browser to log in and back, 303 for a form', async () => {
		const r = await check('GET', '/page?x=1', { Accept: 'text/html,application/xhtml+xml' });
		assert.equal(r.status, 302);
		assert.equal(r.headers.location,
		    `http://auth.${DOMAIN}:${PROXY_PORT}/login?next=https://${app}/page%3Fx%3D1`);
		const p = await check('POST', '/form', { Accept: 'text/html', 'Sec-Fetch-Mode': 'navigate' });
		assert.equal(p.status, 303);
	});

	it('answers a script 401 JSON', async () => {
		const r = await check('GET', '/api/data', { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' });
		assert.equal(r.status, 401);
		assert.deepEqual(r.json, { msg: 'Missing cookie "access_token_cookie"' });
	});

	it('gives a bypass no identity to copy', async () => {
		const r = await check('GET', '/public/x', { 'Remote-User': DEMO.email });
		assert.equal(r.status, 200);
		for (const h of AUTH_RESPONSE_HEADERS) assert.equal(r.headers[h], undefined, h);
	});

	it('refuses a non-member and a login of one factor where two are needed', async () => {
		const o = await logIn(latchkey.port, auth, OTHER.email, OTHER.password);
		const r = await check('GET', '/page', { Cookie: o.cookie });
		assert.equal(r.status, 403);
		assert.deepEqual(r.json, { msg: 'Access denied' });
		const s = await logIn(latchkey.port, auth, DEMO.email, DEMO.password);
		const a = await check('GET', '/admin/', { Cookie: s.cookie, Accept: 'text/html' });
		assert.equal(a.status, 403);
		assert.deepEqual(a.json, { msg: 'Second factor required' });
	});

	it('refuses a check from a peer not in trusted_proxies', async () => {
		const s = await logIn(latchkey.port, auth, DEMO.email, DEMO.password);
		const r = await check('GET', '/page', { Cookie: s.cookie }, { localAddress: '127.0.0.2' });
		assert.equal(r.status, 403);
		assert.deepEqual(r.json, { msg: 'Untrusted proxy' });
		assert.match(latchkey.log(), /event="untrusted_proxy"[^\n]*addr="127\.0\.0\.2"/);
	});

	it('makes the next check anonymous after a logout', async () => {
		const s = await logIn(latchkey.port, auth, DEMO.email, DEMO.password);
		const out = await request(latchkey.port, auth, '/api/logout', {
			method: 'POST',
			headers: { Cookie: s.cookie, 'X-CSRF-TOKEN': s.csrf, Origin: `http://${auth}`, 'Content-Type': 'application/json' },
			body: '{}',
		});
		assert.equal(out.status, 200);
		const r = await check('GET', '/page', { Cookie: s.cookie });
		assert.equal(r.status, 401);
		assert.deepEqual(r.json, { msg: 'Token has been revoked' });
	});
});
