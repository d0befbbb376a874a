'use strict';
// The authorizer deciding by access rules (access_rules, docs/access-control.md)
// on both servers, each from its shipped configuration: Apache + mod_fcgid
// (FcgidAccessChecker; mod_fcgid turns every refusal into a 401, which
// error.fcgi answers with the authorizer's own status) and lighttpd
// ("mode" => "authorizer", which forwards the authorizer's answer), and
// Apache with plain CGI, where members/.htaccess hands every request to
// the gate (lk-bin/gate.fcgi), which decides as the authorizer does and
// serves the files of gate_folder itself (tests/authz/gate.test.js tests
// its serving).  Three
// users: alice signs in with her password alone, bob with a second factor,
// carol is shut out by name; /members/staff/ is for the group staff,
// which the tool changes between requests.  Each gets the status and identity the rules
// say, from the first request after an edit of the rules file (each
// process looks at the file at most once a second), and a broken file is
// a 503 until it is fixed.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startApache, haveApache } = require('../lib/apache.js');
const { makeInstance, startLighttpdProd } = require('./helpers.js');
const { request, cookiesFrom } = require('../lib/http.js');

const ALICE = { email: 'alice@example.com', name: 'Alice', password: 'correct horse 1' };
const BOB = { email: 'bob@example.com', name: 'Bob', password: 'battery staple 2' };
const CAROL = { email: 'carol@example.com', name: 'Carol', password: 'staple horse 3' };
const SECRET = 'the members-only secret';
const ADMIN_SECRET = 'the admins-only secret';
const PUBLIC = 'open to all';

const RULES = `# Who may reach what under /members/.
bypass path=/members/public.txt
deny user=${CAROL.email} path=/members/
one_factor group=staff path=/members/staff/
deny path=/members/staff/
two_factor path=/members/admin/
one_factor path=/members/ method=GET,HEAD,POST
`;

const NAV = { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html' };

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.headers['content-type'], 'application/json');
	assert.deepEqual(res.json(), { msg });
	assert.ok(!res.body.includes(SECRET) && !res.body.includes(ADMIN_SECRET));
}

/** A session's cookies and CSRF values from a login answer. */
function sessionOf(res) {
	const c = cookiesFrom(res.setCookies);
	return {
		cookie: `access_token_cookie=${c.access_token_cookie}`,
		csrf: c.csrf_access_token,
		refresh: `refresh_token_cookie=${c.refresh_token_cookie}`,
		refreshCsrf: c.csrf_refresh_token,
		claims: JSON.parse(Buffer.from(c.access_token_cookie.split('.')[1], 'base64url')),
	};
}

async function login(base, u) {
	const res = await request(base, { method: 'POST', path: '/api/login',
	    body: { email: u.email, password: u.password } });
	assert.equal(res.status, 200, res.body);
	assert.equal(res.body, '{"login":true}\n');
	return sessionOf(res);
}

/** Turn bob's TOTP on; his recovery codes (each logs in once). */
async function enrolBob(base) {
	const { totp, base32Decode, stepOf } = require('../lib/totp.js');
	const s = await login(base, BOB);
	const post = (p, body) => request(base, { method: 'POST', path: p, cookie: s.cookie, body,
	    headers: { 'X-CSRF-TOKEN': s.csrf } });
	const setup = await post('/api/mfa/totp/setup', { password: BOB.password });
	assert.equal(setup.status, 200, setup.body);
	const secret = base32Decode(setup.json().secret);
	let on = await post('/api/mfa/totp/enable', { code: totp(secret, stepOf()) });
	if (on.status !== 200) on = await post('/api/mfa/totp/enable', { code: totp(secret, stepOf() + 1) });
	assert.equal(on.status, 200, on.body);
	return on.json().recovery_codes;
}

/** Bob's login with his password and a recovery code: a second factor. */
async function loginBob(base, code) {
	const first = await request(base, { method: 'POST', path: '/api/login',
	    body: { email: BOB.email, password: BOB.password } });
	assert.equal(first.status, 200, first.body);
	assert.equal(first.body, '{"login":false,"mfa_required":["totp","recovery_code"]}\n');
	const pending = cookiesFrom(first.setCookies).mfa_pending;
	const res = await request(base, { method: 'POST', path: '/api/login/mfa',
	    cookie: `mfa_pending=${pending}`, body: { recovery_code: code } });
	assert.equal(res.status, 200, res.body);
	return sessionOf(res);
}

/** The rules file, written as an administrator would (root, 0644). */
function writeRules(inst, text) {
	fs.writeFileSync(path.join(inst.dir, 'access.rules'), text, { mode: 0o644 });
	fs.chmodSync(path.join(inst.dir, 'access.rules'), 0o644);
}

/*
 * An edit of the rules file, then the start of the next second: each
 * process looks at the file at most once a second, so from then on the
 * first request it serves has the new rules.
 */
async function editRules(inst, text) {
	writeRules(inst, text);
	await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
}

const kinds = [
	{
		name: 'apache-fcgid',
		skip: !haveApache('fcgid') && 'apache2 or mod_fcgid not installed',
		start: (inst) => startApache({ mode: 'fcgid', dir: inst.dir, members: inst.members }),
		// The demo page's SSI greeting names who the authorizer let in.
		identity: async (get, s, dir) => {
			const res = await get(`/members/${dir}`, { Cookie: s.cookie });
			assert.equal(res.status, 200, res.body);
			return /<strong id="email">([^<]*)<\/strong>/.exec(res.body)[1];
		},
		// An SSI page shows the groups as the server passed them on.
		groups: async (get, s, dir) => {
			const res = await get(`/members/${dir}groups.html`, { Cookie: s.cookie });
			assert.equal(res.status, 200, res.body);
			return /<p id="groups">\[([^\]<]*)\]<\/p>/.exec(res.body)[1];
		},
		errorLog: (srv) => fs.readFileSync(srv.errorLog, 'utf8'),
	},
	{
		name: 'lighttpd',
		start: (inst) => startLighttpdProd(inst),
		identity: async (get, s, dir) => {
			const res = await get(`/members/${dir}whoami.cgi`, { Cookie: s.cookie });
			assert.equal(res.status, 200, res.body);
			return res.body.split('\n')[0];
		},
		groups: async (get, s, dir) => {
			const res = await get(`/members/${dir}whoami.cgi`, { Cookie: s.cookie });
			assert.equal(res.status, 200, res.body);
			return res.body.split('\n')[2];
		},
		errorLog: (srv) => srv.log(),
	},
	{
		// The gate serves files and passes no identity on: what it
		// answers is checked, not what an application would see.
		name: 'apache-cgi',
		skip: !haveApache('cgi') && 'apache2 not installed',
		start: (inst) => startApache({ mode: 'cgi', dir: inst.dir, members: inst.members }),
		errorLog: (srv) => fs.readFileSync(srv.errorLog, 'utf8'),
	},
];

// LATCHKEY_KINDS=apache-cgi (a comma-separated list) runs only those.
const only = process.env.LATCHKEY_KINDS ? process.env.LATCHKEY_KINDS.split(',') : null;

for (const kind of kinds) {
	const skip = kind.skip || (only && !only.includes(kind.name) && 'not in LATCHKEY_KINDS') || false;
	test.describe(`access rules on ${kind.name}`, { skip }, () => {
		let inst;
		let srv;
		let alice;
		let bob;
		let carol;
		let codes;

		test.before(async () => {
			inst = makeInstance([ALICE, BOB, CAROL], 'access_rules = access.rules\ngate_folder = members\n');
			writeRules(inst, RULES);
			fs.writeFileSync(path.join(inst.members, 'public.txt'), `${PUBLIC}\n`);
			const admin = path.join(inst.members, 'admin');
			fs.mkdirSync(admin);
			fs.writeFileSync(path.join(admin, 'secret.txt'), `${ADMIN_SECRET}\n`);
			fs.copyFileSync(path.join(inst.members, 'index.html'), path.join(admin, 'index.html'));
			fs.copyFileSync(path.join(inst.members, 'whoami.cgi'), path.join(admin, 'whoami.cgi'));
			const staff = path.join(inst.members, 'staff');
			fs.mkdirSync(staff);
			for (const f of ['index.html', 'whoami.cgi', 'groups.html', 'secret.txt']) {
				fs.copyFileSync(path.join(inst.members, f), path.join(staff, f));
			}
			inst.latchkey(['group', 'add', 'staff']);
			inst.latchkey(['group', 'add', 'admins']);
			inst.latchkey(['group', 'adduser', 'admins', BOB.email]);
			inst.latchkey(['group', 'adduser', 'staff', BOB.email]);
			srv = await kind.start(inst);
			alice = await login(srv.baseURL, ALICE);
			carol = await login(srv.baseURL, CAROL);
			codes = await enrolBob(srv.baseURL);
			bob = await loginBob(srv.baseURL, codes[0]);
		});
		test.after(async () => {
			if (srv) await srv.stop();
		});

		const get = (p, headers = {}) => request(srv.baseURL, { path: p, headers });
		// Who the application behind saw; behind the gate, which passes
		// no identity on, that the folder's page was served.
		const identityIs = async (s, dir, email) => {
			if (kind.identity) assert.equal(await kind.identity(get, s, dir), email);
			else assert.equal((await get(`/members/${dir}`, { Cookie: s.cookie })).status, 200);
		};
		const groupsAre = async (s, dir, groups) => {
			if (kind.groups) assert.equal(await kind.groups(get, s, dir), groups);
		};

		test('a password login is one factor, a recovery code makes two', () => {
			assert.equal(alice.claims.mfa, undefined);
			assert.equal(bob.claims.mfa, true);
		});

		test('bypass: anyone, no login looked at', async () => {
			for (const headers of [{}, { Cookie: carol.cookie }, NAV]) {
				const res = await get('/members/public.txt', headers);
				assert.equal(res.status, 200);
				assert.equal(res.body, `${PUBLIC}\n`);
			}
		});

		test('no session where the rules want one: 401, or a browser sent to log in', async () => {
			assertMsg(await get('/members/secret.txt'), 401, 'Missing cookie "access_token_cookie"');
			assertMsg(await get('/members/admin/secret.txt'), 401, 'Missing cookie "access_token_cookie"');
			const res = await get('/members/admin/secret.txt', NAV);
			assert.equal(res.status, 302);
			assert.equal(res.headers.location, '/login?next=/members/admin/secret.txt');
		});

		test('one factor: alice reads the members\' pages as herself', async () => {
			const res = await get('/members/secret.txt', { Cookie: alice.cookie });
			assert.equal(res.status, 200);
			assert.equal(res.body, `${SECRET}\n`);
			await identityIs(alice, '', ALICE.email);
		});

		test('two factors wanted: alice gets 403 "Second factor required", bob passes', async () => {
			assertMsg(await get('/members/admin/secret.txt', { Cookie: alice.cookie }), 403,
			    'Second factor required');
			const nav = await get('/members/admin/secret.txt?x=1', { ...NAV, Cookie: alice.cookie });
			assert.equal(nav.status, 302);
			assert.equal(nav.headers.location,
			    '/login?next=/members/admin/secret.txt%3Fx%3D1&denied=second_factor');
			assert.ok(!nav.body.includes(ADMIN_SECRET));
			const res = await get('/members/admin/secret.txt', { Cookie: bob.cookie });
			assert.equal(res.status, 200);
			assert.equal(res.body, `${ADMIN_SECRET}\n`);
			await identityIs(bob, 'admin/', BOB.email);
		});

		test('the second factor lives on through a refresh', async () => {
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/refresh',
			    cookie: bob.refresh, headers: { 'X-CSRF-TOKEN': bob.refreshCsrf } });
			assert.equal(res.status, 200, res.body);
			const fresh = sessionOf(res);
			assert.notEqual(fresh.cookie, bob.cookie);
			assert.equal(fresh.claims.mfa, true);
			assert.equal((await get('/members/admin/secret.txt', { Cookie: fresh.cookie })).status, 200);
			// alice's refreshed session stays one factor.
			const a = await request(srv.baseURL, { method: 'POST', path: '/api/refresh',
			    cookie: alice.refresh, headers: { 'X-CSRF-TOKEN': alice.refreshCsrf } });
			assert.equal(a.status, 200, a.body);
			alice = { ...alice, ...sessionOf(a) };
			assert.equal(alice.claims.mfa, undefined);
			assertMsg(await get('/members/admin/secret.txt', { Cookie: alice.cookie }), 403,
			    'Second factor required');
		});

		test('groups: the app sees them; a membership change holds from the next request', async () => {
			await groupsAre(alice, '', '');
			await groupsAre(bob, '', 'admins,staff');
			await identityIs(bob, 'staff/', BOB.email);
			await groupsAre(bob, 'staff/', 'admins,staff');
			assertMsg(await get('/members/staff/secret.txt', { Cookie: alice.cookie }), 403, 'Access denied');
			inst.latchkey(['group', 'adduser', 'staff', ALICE.email]);
			const res = await get('/members/staff/secret.txt', { Cookie: alice.cookie });
			assert.equal(res.status, 200);
			assert.equal(res.body, `${SECRET}\n`);
			await identityIs(alice, 'staff/', ALICE.email);
			await groupsAre(alice, 'staff/', 'staff');
			// Out again: the very next request is refused, on every process.
			inst.latchkey(['group', 'deluser', 'staff', ALICE.email]);
			for (let i = 0; i < 4; i++) {
				assertMsg(await get('/members/staff/secret.txt', { Cookie: alice.cookie }), 403, 'Access denied');
			}
			await groupsAre(alice, '', '');
			// A group deleted takes its members with it.
			inst.latchkey(['group', 'del', 'staff']);
			assertMsg(await get('/members/staff/secret.txt', { Cookie: bob.cookie }), 403, 'Access denied');
			await groupsAre(bob, '', 'admins');
			inst.latchkey(['group', 'add', 'staff']);
			inst.latchkey(['group', 'adduser', 'staff', BOB.email]);
			assert.equal((await get('/members/staff/secret.txt', { Cookie: bob.cookie })).status, 200);
			// carol is shut out by name before any group could let her in.
			inst.latchkey(['group', 'adduser', 'staff', CAROL.email]);
			assertMsg(await get('/members/staff/secret.txt', { Cookie: carol.cookie }), 403, 'Access denied');
		});

		test('denied by name: carol gets 403 "Access denied", a browser is told so', async () => {
			assertMsg(await get('/members/secret.txt', { Cookie: carol.cookie }), 403, 'Access denied');
			const nav = await get('/members/', { ...NAV, Cookie: carol.cookie });
			assert.equal(nav.status, 302);
			assert.equal(nav.headers.location, '/login?next=/members/&denied=access');
		});

		test('no rule matches: denied (a method no rule lists)', async () => {
			const res = await request(srv.baseURL, { method: 'DELETE', path: '/members/secret.txt',
			    cookie: alice.cookie, headers: { 'X-CSRF-TOKEN': alice.csrf } });
			assertMsg(res, 403, 'Access denied');
		});

		test('encoded and dot-segment paths meet the rule they spell', async () => {
			for (const p of ['/members/x/%2e%2e/admin/secret.txt', '/members/%61dmin/secret.txt',
			    '/members//admin/secret.txt', '/members/./admin/secret.txt']) {
				assertMsg(await get(p, { Cookie: alice.cookie }), 403, 'Second factor required');
			}
			// An encoded slash with "..": lighttpd asks, and it is refused;
			// Apache refuses %2F itself (AllowEncodedSlashes Off).
			const res = await get('/members/public.txt/..%2Fadmin/secret.txt', { Cookie: alice.cookie });
			if (kind.name === 'lighttpd') assertMsg(res, 400, 'Invalid request path');
			else assert.equal(res.status, 404);
			assert.ok(!res.body.includes(ADMIN_SECRET));
		});

		test('an edit of the rules file holds from the next second: the first request then has it', async () => {
			// The processes have read the rules already (the tests above).
			await editRules(inst, `deny user=${ALICE.email}\n${RULES}`);
			assertMsg(await get('/members/secret.txt', { Cookie: alice.cookie }), 403, 'Access denied');
			assert.equal((await get('/members/secret.txt', { Cookie: bob.cookie })).status, 200);
			await editRules(inst, RULES);
			assert.equal((await get('/members/secret.txt', { Cookie: alice.cookie })).status, 200);
		});

		test('a broken rules file: 503 for every request, logged with file and line, until fixed', async () => {
			await editRules(inst, `${RULES}two_factor path=/members/admin/ users=bob\n`);
			for (const [p, headers] of [['/members/public.txt', {}], ['/members/secret.txt', { Cookie: alice.cookie }],
			    ['/members/admin/secret.txt', { Cookie: bob.cookie }], ['/members/', NAV]]) {
				const res = await get(p, headers);
				assertMsg(res, 503, 'Service unavailable');
				assert.ok(!res.body.includes(PUBLIC));
			}
			const n = RULES.split('\n').length;
			const line = `${path.join(inst.dir, 'access.rules')}:${n}: unknown matcher "users"`;
			assert.ok(kind.errorLog(srv).includes(line), kind.errorLog(srv).slice(-2000));
			await editRules(inst, RULES);
			assert.equal((await get('/members/public.txt')).status, 200);
			assert.equal((await get('/members/secret.txt', { Cookie: alice.cookie })).status, 200);
		});
	});
}
