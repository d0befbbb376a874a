'use strict';
// lighttpd/lighttpd.conf with its HTTPS block turned on, as the comments
// say to: a throwaway certificate, the block uncommented, nothing else
// changed but the "Edit these" variables. HTTP is sent to HTTPS, HSTS
// comes on every HTTPS answer, and the per-path Cache-Control headers stay
// as without TLS: a members-only page is never cacheable, hashed assets
// are immutable, index.html is revalidated.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');
const { freePort } = require('../lib/apache.js');
const { makeInstance, startLighttpdProd } = require('./helpers.js');

const USER = { email: 'tls@example.org', name: 'TLS', password: 'secure cookies 5' };
const SECRET = 'the members-only secret';
const haveTLS = fs.existsSync('/usr/lib/lighttpd/mod_openssl.so') && fs.existsSync('/usr/bin/openssl');

// The body as bytes, as it came (no decoding).
function rawGet(url, { ca, headers = {} } = {}) {
	return new Promise((resolve, reject) => {
		https.get(url, { headers, ca, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (d) => chunks.push(d));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
		}).on('error', reject);
	});
}

function get(url, { ca, method = 'GET', headers = {}, body } = {}) {
	const mod = url.startsWith('https:') ? https : http;
	return new Promise((resolve, reject) => {
		const req = mod.request(url, { method, headers, ca, agent: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

// The shipped HTTPS block, uncommented: every "# " line from its first
// directive (after the heading's explanation) to the end of the block,
// with this test's port and certificate.
function enableHttps(text, port, pem) {
	const heading = text.indexOf('# --- HTTPS');
	assert.ok(heading >= 0, 'no HTTPS block in lighttpd.conf');
	const start = text.indexOf('\n# server.modules', heading) + 1;
	assert.ok(start > heading, 'the HTTPS block does not start with server.modules');
	let end = text.indexOf('\n# ---', start + 1);
	if (end < 0) end = text.length;
	const block = text.slice(start, end).split('\n')
		.map((line) => (line.startsWith('# ') ? line.slice(2) : line)).join('\n')
		.replaceAll('":443"', `"127.0.0.1:${port}"`)
		// HTTPS on another port than 443: the redirect names it, as the
		// block's comment says to.
		.replaceAll('"https://%1${url.path}${qsa}"', `"https://%1:${port}\${url.path}\${qsa}"`)
		.replace(/ssl\.pemfile\s*=\s*"[^"]*"/, `ssl.pemfile = "${pem}"`);
	return text.slice(0, start) + block + text.slice(end);
}

test.describe('lighttpd.conf with its HTTPS block on', { skip: !haveTLS && 'lighttpd-mod-openssl or openssl missing (scripts/deps.sh apache)' }, () => {
	let srv;
	let inst;
	let ca;
	let base;
	let cookie;

	test.before(async () => {
		inst = makeInstance([USER], 'cookie_secure = true\n');
		fs.writeFileSync(path.join(inst.members, 'secret.txt'), `${SECRET}\n`);
		const tls = path.join(inst.dir, 'tls');
		fs.mkdirSync(tls);
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
			'-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
			'-keyout', path.join(tls, 'key.pem'), '-out', path.join(tls, 'cert.pem')], { stdio: 'pipe' });
		fs.writeFileSync(path.join(tls, 'site.pem'),
			fs.readFileSync(path.join(tls, 'cert.pem'), 'utf8') + fs.readFileSync(path.join(tls, 'key.pem'), 'utf8'));
		fs.chmodSync(path.join(tls, 'site.pem'), 0o600);
		ca = fs.readFileSync(path.join(tls, 'cert.pem'));
		const port = await freePort();
		srv = await startLighttpdProd({ ...inst, edit: (text) => enableHttps(text, port, path.join(tls, 'site.pem')) });
		base = `https://127.0.0.1:${port}`;
		const login = await get(`${base}/api/login`, {
			ca, method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email: USER.email, password: USER.password }),
		});
		assert.equal(login.status, 200, srv.log());
		cookie = login.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
		for (const c of login.headers['set-cookie']) assert.match(c, /; Secure/);
	});
	test.after(async () => { if (srv) await srv.stop(); });

	test('plain HTTP is sent to HTTPS, on the HTTPS port', async () => {
		const res = await get(`${srv.baseURL}/profile?x=1`);
		assert.equal(res.status, 301);
		assert.equal(res.headers.location, `${base}/profile?x=1`);
		const named = await get(`${srv.baseURL}/login`, { headers: { Host: `localhost:${new URL(srv.baseURL).port}` } });
		assert.equal(named.headers.location, `https://localhost:${new URL(base).port}/login`);
	});

	test('the app goes out compressed, the API does not', async () => {
		const html = (await get(`${base}/`, { ca })).body;
		const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
		for (const p of ['/', asset]) {
			const res = await rawGet(`${base}${p}`, { ca, headers: { 'Accept-Encoding': 'gzip' } });
			assert.equal(res.status, 200, p);
			assert.equal(res.headers['content-encoding'], 'gzip', p);
			assert.match(res.headers.vary ?? '', /Accept-Encoding/i, p);
			const plain = (await get(`${base}${p}`, { ca })).body;
			assert.equal(zlib.gunzipSync(res.body).toString('utf8'), plain, p);
			// The script to under half (index.html is too small for that).
			assert.ok(res.body.length < Buffer.byteLength(plain) / (p === asset ? 2 : 1),
			    `${p}: ${res.body.length} of ${Buffer.byteLength(plain)} bytes`);
		}
		for (const p of ['/api/profile', '/.well-known/jwks.json']) {
			const res = await rawGet(`${base}${p}`, { ca, headers: { 'Accept-Encoding': 'gzip', Cookie: cookie } });
			assert.equal(res.status, 200, p);
			assert.equal(res.headers['content-encoding'], undefined, p);
		}
	});

	test('every HTTPS answer has HSTS, and each path keeps its Cache-Control', async () => {
		const html = (await get(`${base}/`, { ca })).body;
		const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
		for (const [p, opts, status, cache] of [
			['/members/secret.txt', { headers: { Cookie: cookie } }, 200, 'no-store'],
			['/members/', { headers: { Cookie: cookie } }, 200, 'no-store'],
			['/members/secret.txt', {}, 401, 'no-store'],
			[asset, {}, 200, 'public, max-age=31536000, immutable'],
			['/', {}, 200, 'no-cache'],
			['/profile', {}, 200, 'no-cache'],
			['/no/such/page', {}, 404, 'no-cache'],
			['/api/profile', { headers: { Cookie: cookie } }, 200, 'no-store'],
		]) {
			const res = await get(`${base}${p}`, { ca, ...opts });
			assert.equal(res.status, status, p);
			assert.equal(res.headers['cache-control'], cache, p);
			assert.equal(res.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains', p);
			assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
			assert.ok(res.headers['content-security-policy'], p);
			if (p === '/members/secret.txt' && status === 200) assert.equal(res.body, `${SECRET}\n`);
		}
	});
});

