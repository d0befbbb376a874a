'use strict';
// The gate (lk-bin/gate.fcgi) on Apache with plain CGI, as the shipped
// .htaccess files set it up: members/.htaccess hands every request under
// /members/ to it; it decides as the authorizer does (the access rules,
// tests/authz/rules.test.js) and serves the files of gate_folder, a
// folder outside the document root.  Here: what it serves and how (types,
// lengths, dates, HEAD, 304, folders), what it never serves (paths that
// climb out, encoded or not, symbolic links, dot-files, FIFOs), and that
// an edit of the rules file or of a group holds from the next request.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startApache, haveApache } = require('../lib/apache.js');
const { makeInstance } = require('./helpers.js');
const { cookiesFrom } = require('../lib/http.js');

const ALICE = { email: 'alice@example.com', name: 'Alice', password: 'correct horse 1' };
const DAN = { email: 'dan@example.com', name: 'Dan', password: 'battery staple 4' };
const RULES = `bypass path=/members/open/
one_factor path=/members/team/ group=team
deny path=/members/team/
one_factor path=/members/ method=GET,HEAD,POST
`;
const NAV = { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html' };
const only = process.env.LATCHKEY_KINDS ? process.env.LATCHKEY_KINDS.split(',') : null;
const skip = (!haveApache('cgi') && 'apache2 not installed') ||
    (only && !only.includes('apache-cgi') && 'apache-cgi not in LATCHKEY_KINDS') || false;

/** A request with its path sent exactly as written (no URL parsing), body as bytes. */
function raw(base, p, { method = 'GET', headers = {} } = {}) {
	const u = new URL(base);
	return new Promise((resolve, reject) => {
		const req = http.request({ host: u.hostname, port: u.port, path: p, method, headers, agent: false },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const body = Buffer.concat(chunks);
					resolve({ status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') });
				});
			});
		req.setTimeout(15000, () => req.destroy(new Error(`${p}: no answer in 15 s`)));
		req.on('error', reject);
		req.end();
	});
}

test.describe('the gate on Apache with plain CGI', { skip }, () => {
	let inst;
	let srv;
	let alice;
	let dan;
	const files = {};

	const get = (p, headers = {}, method = 'GET') => raw(srv.baseURL, p, { method, headers });
	const as = (s, headers = {}) => ({ Cookie: s.cookie, ...headers });

	test.before(async () => {
		inst = makeInstance([ALICE, DAN], 'access_rules = access.rules\ngate_folder = members\n');
		fs.writeFileSync(path.join(inst.dir, 'access.rules'), RULES, { mode: 0o644 });
		const m = inst.members;
		const put = (rel, data) => {
			fs.mkdirSync(path.dirname(path.join(m, rel)), { recursive: true });
			fs.writeFileSync(path.join(m, rel), data);
			files[rel] = Buffer.from(data);
		};
		put('page.html', '<!doctype html><title>p</title><p>members page</p>\n');
		put('style.CSS', 'p { color: red }\n');
		put('notes.txt', 'the members-only notes\n');
		put('data.unknownext', 'raw bytes\n');
		put('noext', 'no extension\n');
		put('big.bin', crypto.randomBytes(3 * 1024 * 1024 + 17));
		put('sub/index.html', '<p>the index of sub</p>\n');
		put('nosub/file.txt', 'inside nosub\n');
		put('open/free.txt', 'open to all\n');
		put('team/plan.txt', 'the team\'s plan\n');
		put('.hidden', 'a dot-file\n');
		fs.symlinkSync('/etc/passwd', path.join(m, 'passwd'));
		fs.symlinkSync('/etc', path.join(m, 'etc'));
		fs.symlinkSync(path.join(inst.dir, 'latchkey.conf'), path.join(m, 'conf'));
		fs.symlinkSync('notes.txt', path.join(m, 'alias.txt'));
		execFileSync('mkfifo', [path.join(m, 'fifo')]);
		// Last-Modified is the file's: a time the test can tell.
		fs.utimesSync(path.join(m, 'notes.txt'), new Date('2024-02-03T04:05:06Z'), new Date('2024-02-03T04:05:06Z'));
		inst.latchkey(['group', 'add', 'team']);
		srv = await startApache({ mode: 'cgi', dir: inst.dir, members: inst.members });
		alice = await login(ALICE);
		dan = await login(DAN);
	});
	test.after(async () => {
		if (srv) await srv.stop();
	});

	async function login(u) {
		const res = await fetch(`${srv.baseURL}/api/login`, {
			method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email: u.email, password: u.password }),
		});
		assert.equal(res.status, 200, await res.text());
		const c = cookiesFrom(res.headers.getSetCookie());
		return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token };
	}

	function assertMsg(res, status, msg) {
		assert.equal(res.status, status, res.text);
		assert.equal(res.headers['content-type'], 'application/json');
		assert.deepEqual(JSON.parse(res.text), { msg });
	}

	test('a file: its bytes, Content-Type by extension, Content-Length, Last-Modified, nosniff', async () => {
		for (const [rel, type] of [['page.html', 'text/html; charset=utf-8'], ['style.CSS', 'text/css; charset=utf-8'],
			['notes.txt', 'text/plain; charset=utf-8'], ['data.unknownext', 'application/octet-stream'],
			['noext', 'application/octet-stream'], ['big.bin', 'application/octet-stream']]) {
			const res = await get(`/members/${rel}`, as(alice));
			assert.equal(res.status, 200, `${rel}: ${res.text.slice(0, 200)}`);
			assert.ok(res.body.equals(files[rel]), rel);
			assert.equal(res.headers['content-type'], type, rel);
			assert.equal(res.headers['content-length'], String(files[rel].length), rel);
			assert.match(res.headers['x-content-type-options'], /^nosniff(, nosniff)?$/);
			assert.equal(res.headers['cache-control'], 'private, no-cache');
		}
		const res = await get('/members/notes.txt', as(alice));
		assert.equal(res.headers['last-modified'], 'Sat, 03 Feb 2024 04:05:06 GMT');
	});

	test('HEAD: the headers of GET, no body', async () => {
		const res = await get('/members/big.bin', as(alice), 'HEAD');
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-length'], String(files['big.bin'].length));
		assert.equal(res.headers['content-type'], 'application/octet-stream');
		assert.equal(res.body.length, 0);
	});

	test('If-Modified-Since: 304 when the file is not newer, else the file', async () => {
		const since = 'Sat, 03 Feb 2024 04:05:06 GMT';
		let res = await get('/members/notes.txt', as(alice, { 'If-Modified-Since': since }));
		assert.equal(res.status, 304);
		assert.equal(res.body.length, 0);
		res = await get('/members/notes.txt', as(alice, { 'If-Modified-Since': 'Sat, 03 Feb 2024 04:05:05 GMT' }));
		assert.equal(res.status, 200);
		assert.equal(res.text, 'the members-only notes\n');
		// Not a date: the file.
		res = await get('/members/notes.txt', as(alice, { 'If-Modified-Since': 'yesterday' }));
		assert.equal(res.status, 200);
		// Without a session, no 304 gives away that the file is there.
		assertMsg(await get('/members/notes.txt', { 'If-Modified-Since': since }), 401,
		    'Missing cookie "access_token_cookie"');
	});

	test('a folder: its index.html, a 301 to add the slash, else 404', async () => {
		let res = await get('/members/sub/', as(alice));
		assert.equal(res.status, 200);
		assert.equal(res.text, '<p>the index of sub</p>\n');
		assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
		res = await get('/members/sub', as(alice));
		assert.equal(res.status, 301);
		// Apache makes a program's Location absolute.
		assert.equal(new URL(res.headers.location, srv.baseURL).href, `${srv.baseURL}/members/sub/`);
		assertMsg(await get('/members/nosub/', as(alice)), 404, 'Not found');
		assertMsg(await get('/members/missing.txt', as(alice)), 404, 'Not found');
		assertMsg(await get('/members/notes.txt/', as(alice)), 404, 'Not found');
	});

	test('without a session: 401, a browser sent to log in; bypass needs none', async () => {
		assertMsg(await get('/members/notes.txt'), 401, 'Missing cookie "access_token_cookie"');
		assertMsg(await get('/members/nothing-here'), 401, 'Missing cookie "access_token_cookie"');
		const nav = await get('/members/notes.txt?x=1', NAV);
		assert.equal(nav.status, 302);
		assert.equal(nav.headers.location, '/login?next=/members/notes.txt%3Fx%3D1');
		assert.ok(!nav.text.includes('members-only'));
		const res = await get('/members/open/free.txt');
		assert.equal(res.status, 200);
		assert.equal(res.text, 'open to all\n');
	});

	test('methods: the rules decide first, then only GET and HEAD are served', async () => {
		assertMsg(await get('/members/notes.txt', as(alice, { 'X-CSRF-TOKEN': alice.csrf }), 'DELETE'),
		    403, 'Access denied');
		const res = await get('/members/notes.txt', as(alice, { 'X-CSRF-TOKEN': alice.csrf }), 'POST');
		assertMsg(res, 405, 'Method not allowed');
		assert.equal(res.headers.allow, 'GET, HEAD');
	});

	test('paths that climb out, encoded or not, links, dot-files and FIFOs: never served', async () => {
		const secrets = [fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0],
			'key_file', 'access_rules', 'a dot-file'];
		for (const p of ['/members/../latchkey.conf', '/members/%2e%2e/latchkey.conf', '/members/%2E%2E/latchkey.conf',
			'/members/sub/..%2f..%2flatchkey.conf', '/members/..%2flatchkey.conf', '/members/%2e%2e%2flatchkey.conf',
			'/members/sub/%2e%2e/%2e%2e/latchkey.conf', '/members/.%2e/latchkey.conf', '/members//../latchkey.conf',
			'/members/passwd', '/members/etc/passwd', '/members/conf', '/members/alias.txt',
			'/members/.hidden', '/members/%2ehidden', '/members/fifo', '/members/notes.txt%00.html',
			'/members/%00', '/members/%c0%ae%c0%ae/latchkey.conf', '/members/sub/..%5c..%5clatchkey.conf',
			'/lk-bin/gate.fcgi', '/lk-bin/gate.fcgi/latchkey.conf']) {
			const res = await get(p, as(alice));
			assert.ok([400, 403, 404].includes(res.status), `${p}: ${res.status} ${res.text.slice(0, 200)}`);
			for (const s of secrets) assert.ok(!res.text.includes(s), `${p} gave ${s}`);
			assert.ok(!res.text.includes('members-only notes'), p);
		}
		// The gate is no endpoint of the API.
		assertMsg(await get('/api/gate', as(alice)), 404, 'Not found');
		assertMsg(await get('/api/gate/members/notes.txt', as(alice)), 404, 'Not found');
		// The link to a file of the folder is no way in either.
		assertMsg(await get('/members/alias.txt', as(alice)), 404, 'Not found');
		assertMsg(await get('/members/passwd', as(alice)), 404, 'Not found');
		assertMsg(await get('/members/fifo', as(alice)), 404, 'Not found');
	});

	test('a group change and a rules edit hold from the next request', async () => {
		assertMsg(await get('/members/team/plan.txt', as(alice)), 403, 'Access denied');
		inst.latchkey(['group', 'adduser', 'team', ALICE.email]);
		let res = await get('/members/team/plan.txt', as(alice));
		assert.equal(res.status, 200);
		assert.equal(res.text, 'the team\'s plan\n');
		assertMsg(await get('/members/team/plan.txt', as(dan)), 403, 'Access denied');
		inst.latchkey(['group', 'deluser', 'team', ALICE.email]);
		assertMsg(await get('/members/team/plan.txt', as(alice)), 403, 'Access denied');
		// Each CGI process reads the file anew: the next request has the edit.
		fs.writeFileSync(path.join(inst.dir, 'access.rules'), `deny user=${DAN.email}\n${RULES}`);
		assertMsg(await get('/members/notes.txt', as(dan)), 403, 'Access denied');
		res = await get('/members/notes.txt', as(alice));
		assert.equal(res.status, 200);
		fs.writeFileSync(path.join(inst.dir, 'access.rules'), RULES);
		assert.equal((await get('/members/notes.txt', as(dan))).status, 200);
	});
});
