'use strict';
// Caddy's forward_auth to latchkey, in both documented forms: over Caddy's
// FastCGI transport straight to authz.fcgi's socket, and over HTTP to
// latchkey's lighttpd.  Caddy runs the shipped caddy/latchkey.caddy as it is.
const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const {
	DOMAIN, OTHER, startBackend, startLatchkey, startAuthzSocket, request, logIn, freePort,
} = require('./helpers.js');
const { startCaddy } = require('./caddy.js');
const { checkBrowserLogin } = require('./browser.js');

const RULES = `bypass host=app.${DOMAIN} path=/public/
one_factor host=app.${DOMAIN} path=/staff/ group=staff
deny host=app.${DOMAIN} path=/staff/
two_factor host=app.${DOMAIN} path=/admin/
deny host=app.${DOMAIN} user=${OTHER.email}
one_factor host=app.${DOMAIN}
`;
const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };

for (const form of ['fastcgi', 'http']) {
	describe(`Caddy forward_auth to latchkey over ${form === 'fastcgi' ? 'FastCGI' : 'HTTP'}`, () => {
		let latchkey, backend, authz, caddy, port, app, auth;

		before(async () => {
			port = await freePort();
			app = `app.${DOMAIN}:${port}`;
			auth = `auth.${DOMAIN}:${port}`;
			latchkey = await startLatchkey(port, RULES);
			backend = await startBackend();
			if (form === 'fastcgi') authz = await startAuthzSocket(latchkey);
			caddy = await startCaddy({
				dir: latchkey.dir, port, form, socket: authz?.socket,
				latchkeyPort: latchkey.port, backendPort: backend.port,
			});
		});
		after(async () => {
			await caddy?.stop();
			await authz?.stop();
			await backend?.stop();
			await latchkey?.stop();
		});

		it('sends an anonymous browser to log in, with the page to come back to', async () => {
			const r = await request(port, app, '/page?x=1', { headers: { Accept: 'text/html,*/*;q=0.8' } });
			assert.equal(r.status, 302);
			assert.equal(r.headers.location,
			    `http://${auth}/login?next=http://${app}/page%3Fx%3D1`);
			const nav = await request(port, app, '/page', { headers: { 'Sec-Fetch-Mode': 'navigate' } });
			assert.equal(nav.status, 302);
		});

		it('answers a script 401 JSON', async () => {
			const r = await request(port, app, '/page', {
				headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
			});
			assert.equal(r.status, 401);
			assert.deepEqual(r.json, { msg: 'Missing cookie "access_token_cookie"' });
			const f = await request(port, app, '/page', { headers: { 'Sec-Fetch-Mode': 'cors', Accept: 'text/html' } });
			assert.equal(f.status, 401);
		});

		it('passes a session with its identity, set by latchkey alone', async () => {
			const s = await logIn(port, auth, DEMO.email, DEMO.password);
			assert.match(s.setCookie.find((c) => c.startsWith('access_token_cookie=')), /; Domain=latchkey\.test(;|$)/);
			const r = await request(port, app, '/page', {
				headers: { Cookie: s.cookie, 'Remote-User': 'admin@evil.example', 'Remote-Groups': 'admins' },
			});
			assert.equal(r.status, 200);
			assert.equal(r.json.url, '/page');
			assert.equal(r.json.headers['remote-user'], DEMO.email);
			assert.equal(r.json.headers['remote-email'], DEMO.email);
			assert.equal(r.json.headers['remote-name'], DEMO.name);
			assert.equal(r.json.headers['remote-groups'], 'admins,staff');
		});

		it('never lets a client-sent Remote-User through, nor forged X-Original-*', async () => {
			const pub = await request(port, app, '/public/x', {
				headers: { 'Remote-User': DEMO.email, 'Remote-Name': 'Forged', 'Remote-Email': DEMO.email },
			});
			assert.equal(pub.status, 200);
			assert.equal(pub.json.headers['remote-user'], undefined);
			assert.equal(pub.json.headers['remote-name'], undefined);
			assert.equal(pub.json.headers['remote-email'], undefined);
			const forged = await request(port, app, '/private', {
				headers: {
					'X-Forwarded-Uri': '/public/x', 'X-Forwarded-Host': `app.${DOMAIN}`,
					'X-Forwarded-Method': 'GET', 'X-Forwarded-Proto': 'https',
				},
			});
			assert.equal(forged.status, 401);
		});

		it('refuses a non-member and a session of one factor where two are needed', async () => {
			const o = await logIn(port, auth, OTHER.email, OTHER.password);
			const r = await request(port, app, '/page', { headers: { Cookie: o.cookie } });
			assert.equal(r.status, 403);
			// group=staff: the demo user is in it, the other is not.
			assert.equal((await request(port, app, '/staff/', { headers: { Cookie: o.cookie } })).status, 403);
			const s = await logIn(port, auth, DEMO.email, DEMO.password);
			assert.equal((await request(port, app, '/staff/', { headers: { Cookie: s.cookie } })).status, 200);
			const a = await request(port, app, '/admin/', { headers: { Cookie: s.cookie } });
			assert.equal(a.status, 403);
			assert.deepEqual(a.json, { msg: 'Second factor required' });
			if (!authz) assert.match(latchkey.log(), /second_factor_required/);
		});

		it('refuses forged headers from a peer not in trusted_proxies', async () => {
			const s = await logIn(port, auth, DEMO.email, DEMO.password);
			const r = await request(latchkey.port, `auth.${DOMAIN}`, '/api/authz/forward-auth', {
				localAddress: '127.0.0.2',
				headers: {
					Cookie: s.cookie, 'X-Forwarded-Method': 'GET', 'X-Forwarded-Proto': 'http',
					'X-Forwarded-Host': app, 'X-Forwarded-Uri': '/page',
				},
			});
			assert.equal(r.status, 403);
			assert.deepEqual(r.json, { msg: 'Untrusted proxy' });
			assert.equal(r.headers['remote-user'], undefined);
		});

		it('makes the next request anonymous after a logout on latchkey', async () => {
			const s = await logIn(port, auth, DEMO.email, DEMO.password);
			assert.equal((await request(port, app, '/page', { headers: { Cookie: s.cookie } })).status, 200);
			const out = await request(port, auth, '/api/logout', {
				method: 'POST',
				headers: {
					Cookie: s.cookie, 'X-CSRF-TOKEN': s.csrf, Origin: `http://${auth}`,
					'Content-Type': 'application/json',
				},
				body: '{}',
			});
			assert.equal(out.status, 200);
			const r = await request(port, app, '/page', { headers: { Cookie: s.cookie, Accept: 'text/html' } });
			assert.equal(r.status, 302);
		});

		it('takes a browser to log in and back to the page (Chromium)', async () => {
			await checkBrowserLogin({ appURL: `http://${app}/page?x=1`, authOrigin: `http://${auth}` });
		});
	});
}
