// The administration API (/api/admin/) against a real server of each kind:
// its guard (admin on, admin_networks, the usual 401s, admin_group, a
// fresh login), the groups it manages, the last-admin guard (one at a
// time however many ask at once) and the audit of each change.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, kinds } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');

const PASS = 'admin-pass-1';

function assertMsg(res, status, msg) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.body, JSON.stringify({ msg }) + '\n');
}

function addUser(srv, email, groups = []) {
	const r = srv.tool(['user', 'add', email, '--password-stdin',
		...groups.flatMap((g) => ['--group', g])], `${PASS}\n`);
	assert.equal(r.status, 0, r.stderr);
}

/** Log in; returns what a request needs: the access cookie and CSRF value, and the refresh pair. */
async function login(srv, email) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password: PASS } });
	assert.equal(res.status, 200, res.body);
	const c = cookiesFrom(res.setCookies);
	return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token,
		refresh: c.refresh_token_cookie, refreshCsrf: c.csrf_refresh_token };
}

/** A request of the session s (CSRF header on unless csrf is false). */
function call(srv, s, method, path, body, csrf = true) {
	const headers = csrf && s ? { 'X-CSRF-TOKEN': s.csrf } : {};
	return request(srv.baseURL, { method, path, body, cookie: s?.cookie, headers });
}

/** Every admin route, once, with a body where it takes one. */
const ROUTES = [
	['GET', '/api/admin'],
	['GET', '/api/admin/groups'],
	['GET', '/api/admin/audit'],
	['POST', '/api/admin/groups', { name: 'never' }],
	['GET', '/api/admin/groups/admins'],
	['DELETE', '/api/admin/groups/web'],
	['POST', '/api/admin/groups/web/members', { email: 'test@example.com' }],
	['DELETE', '/api/admin/groups/web/members', { email: 'test@example.com' }],
];

for (const kind of kinds()) {
	describe(`the administration API on ${kind}`, () => {
		let srv;
		let boss;
		before(async () => {
			srv = await startServer({ kind });
			assert.equal(srv.tool(['group', 'add', 'admins']).status, 0);
			assert.equal(srv.tool(['group', 'add', 'web']).status, 0);
			addUser(srv, 'boss@example.com', ['admins']);
			addUser(srv, 'plain@example.com', ['web']);
			boss = await login(srv, 'boss@example.com');
		});
		after(async () => { await srv?.stop(); });

		it('answers an administrator who logged in just now', async () => {
			const res = await call(srv, boss, 'GET', '/api/admin');
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['cache-control'], 'no-store');
			assert.equal(res.body,
			    '{"admin_group":"admins","email":"boss@example.com","fresh_seconds":900}\n');
		});

		it('refuses 403 to a user outside admin_group, on every route, and audits it', async () => {
			const plain = await login(srv, 'plain@example.com');
			for (const [method, path, body] of ROUTES)
				assertMsg(await call(srv, plain, method, path, body), 403, 'Administrators only');
			assert.match(srv.log(), /audit event="admin_refused" time="\d+" addr="127\.0\.0\.1" user="plain@example\.com" reason="not_admin"/);
			// Nothing was changed on its behalf.
			assert.equal(srv.sql("SELECT count(*) FROM user_groups WHERE name = 'never'"), '0');
			assert.equal(srv.sql('SELECT count(*) FROM group_members'), '2');
		});

		it('gives the usual 401s: no cookie, no CSRF header', async () => {
			for (const [method, path, body] of ROUTES)
				assertMsg(await call(srv, null, method, path, body), 401,
				    'Missing cookie "access_token_cookie"');
			for (const [method, path, body] of ROUTES.filter(([m]) => m !== 'GET'))
				assertMsg(await call(srv, boss, method, path, body, false), 401, 'Missing CSRF token');
		});

		it('wants a fresh login: a refreshed token gets 401 Fresh token required', async () => {
			const s = await login(srv, 'boss@example.com');
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
			    cookie: `refresh_token_cookie=${s.refresh}`, headers: { 'X-CSRF-TOKEN': s.refreshCsrf } });
			assert.equal(res.status, 200, res.body);
			const c = cookiesFrom(res.setCookies);
			const stale = { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token };
			for (const [method, path, body] of ROUTES)
				assertMsg(await call(srv, stale, method, path, body), 401, 'Fresh token required');
			// The same session's profile still works: only administration wants it fresh.
			assert.equal((await call(srv, stale, 'GET', '/api/profile')).status, 200);
		});

		it('manages groups: create, list, describe, members, delete, each audited', async () => {
			let res = await call(srv, boss, 'POST', '/api/admin/groups',
			    { name: 'staff', description: 'The staff' });
			assert.equal(res.status, 201, res.body);
			const created = res.json();
			assert.deepEqual(Object.keys(created), ['created', 'description', 'members', 'name']);
			assert.equal(created.name, 'staff');
			assert.equal(created.description, 'The staff');
			assert.equal(created.members, 0);
			assert.ok(Math.abs(created.created - Date.now() / 1000) < 60);
			assertMsg(await call(srv, boss, 'POST', '/api/admin/groups', { name: 'staff' }), 409,
			    'A group of that name exists already');
			res = await call(srv, boss, 'POST', '/api/admin/groups', { name: 'Staff!' });
			assert.equal(res.status, 400, res.body);
			assert.match(res.json().msg, /^'S' /);
			res = await call(srv, boss, 'POST', '/api/admin/groups/staff/members',
			    { email: 'plain@example.com' });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.body, '{"added":true}\n');
			res = await call(srv, boss, 'GET', '/api/admin/groups/staff');
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json().member_emails, ['plain@example.com']);
			assert.equal(res.json().members, 1);
			assertMsg(await call(srv, boss, 'POST', '/api/admin/groups/staff/members',
			    { email: 'plain@example.com' }), 409, 'The user is in the group already');
			assertMsg(await call(srv, boss, 'POST', '/api/admin/groups/staff/members',
			    { email: 'nobody@example.com' }), 404, 'Not found');
			res = await call(srv, boss, 'GET', '/api/admin/groups');
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json().groups.map((g) => [g.name, g.members]),
			    [['admins', 1], ['staff', 1], ['web', 1]]);
			res = await call(srv, boss, 'DELETE', '/api/admin/groups/staff/members',
			    { email: 'plain@example.com' });
			assert.equal(res.body, '{"removed":true}\n');
			assert.equal(srv.sql("SELECT count(*) FROM group_members WHERE group_name = 'staff'"), '0');
			assertMsg(await call(srv, boss, 'DELETE', '/api/admin/groups/staff/members',
			    { email: 'plain@example.com' }), 404, 'Not found');
			res = await call(srv, boss, 'DELETE', '/api/admin/groups/staff');
			assert.equal(res.body, '{"deleted":true}\n');
			assert.equal(srv.sql("SELECT count(*) FROM user_groups WHERE name = 'staff'"), '0');
			assertMsg(await call(srv, boss, 'DELETE', '/api/admin/groups/staff'), 404, 'Not found');
			assertMsg(await call(srv, boss, 'GET', '/api/admin/groups/staff'), 404, 'Not found');
			assertMsg(await call(srv, boss, 'DELETE', '/api/admin/groups/admins'), 409,
			    'The administrators\' group cannot be deleted');
			const log = srv.log();
			for (const line of [
				'event="admin_group_added" time="\\d+" addr="127\\.0\\.0\\.1" user="boss@example\\.com" group="staff"',
				'event="admin_member_added" time="\\d+" addr="127\\.0\\.0\\.1" user="boss@example\\.com" group="staff" target="plain@example\\.com"',
				'event="admin_member_removed" time="\\d+" addr="127\\.0\\.0\\.1" user="boss@example\\.com" group="staff" target="plain@example\\.com"',
				'event="admin_group_deleted" time="\\d+" addr="127\\.0\\.0\\.1" user="boss@example\\.com" group="staff"',
			])
				assert.match(log, new RegExp(`audit ${line}\n`));
			// The same events in the store's audit log, in their order.
			const rows = srv.sql("SELECT event, actor, target, address, detail FROM audit_log " +
			    "WHERE event LIKE 'admin_group_%' OR event LIKE 'admin_member_%' ORDER BY id");
			assert.equal(rows, [
				'admin_group_added|boss@example.com|staff|127.0.0.1|group="staff"',
				'admin_member_added|boss@example.com|plain@example.com|127.0.0.1|group="staff" target="plain@example.com"',
				'admin_member_removed|boss@example.com|plain@example.com|127.0.0.1|group="staff" target="plain@example.com"',
				'admin_group_deleted|boss@example.com|staff|127.0.0.1|group="staff"',
			].join('\n'));
			const t = Number(srv.sql("SELECT min(time) FROM audit_log WHERE event = 'admin_group_added'"));
			assert.ok(Math.abs(t - Date.now() / 1000) < 60, String(t));
			// latchkey audit list reads them, the newest first.
			const day = new Date().toISOString().slice(0, 10);
			const listed = srv.tool(['audit', 'list', '--user', 'BOSS@example.com', '--event',
				'admin_group_added', '--since', day]);
			assert.equal(listed.status, 0, listed.stderr);
			assert.match(listed.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tadmin_group_added\tboss@example\.com\tstaff\t127\.0\.0\.1\tgroup="staff"\n$/);
			const all = srv.tool(['audit', 'list', '--user', 'plain@example.com']).stdout.split('\n')
			    .filter(Boolean).map((l) => l.split('\t')[1]);
			assert.deepEqual(all.slice(0, 2), ['admin_member_removed', 'admin_member_added']);
			assert.equal(srv.tool(['audit', 'list', '--since', '2999-01-01']).stdout, '');
			assert.equal(srv.tool(['audit', 'list', '--since', 'yesterday']).status, 2);
		});

		it('reads the audit log: filtered, and paged by cursor with no gap or repeat while events come in', async () => {
			for (let i = 0; i < 5; i++) {
				addUser(srv, `pg${i}@example.com`);
				await login(srv, `pg${i}@example.com`);
			}
			let res = await call(srv, boss, 'GET', '/api/admin/audit?event=login_ok&limit=2');
			assert.equal(res.status, 200, res.body);
			let page = res.json();
			assert.deepEqual(Object.keys(page), ['events', 'next']);
			assert.equal(page.events.length, 2);
			assert.deepEqual(Object.keys(page.events[0]),
			    ['actor', 'address', 'detail', 'event', 'id', 'target', 'time']);
			assert.equal(page.events[0].actor, 'pg4@example.com');
			assert.equal(page.events[0].address, '127.0.0.1');
			assert.equal(page.events[0].event, 'login_ok');
			const top = Number(page.events[0].id);
			const seen = page.events.map((e) => Number(e.id));
			// New events between pages: the next pages neither repeat nor skip one.
			for (let i = 5; i < 8; i++) {
				addUser(srv, `pg${i}@example.com`);
				await login(srv, `pg${i}@example.com`);
				assert.ok(page.next, res.body);
				res = await call(srv, boss, 'GET', `/api/admin/audit?event=login_ok&limit=2&cursor=${page.next}`);
				assert.equal(res.status, 200, res.body);
				page = res.json();
				seen.push(...page.events.map((e) => Number(e.id)));
			}
			while (page.next !== null) {
				res = await call(srv, boss, 'GET', `/api/admin/audit?event=login_ok&limit=2&cursor=${page.next}`);
				page = res.json();
				seen.push(...page.events.map((e) => Number(e.id)));
			}
			const want = srv.sql(`SELECT id FROM audit_log WHERE event = 'login_ok' AND id <= ${top} ORDER BY id DESC`)
			    .split('\n').map(Number);
			assert.deepEqual(seen, want);
			// By user (actor or target, any case), by time.
			res = await call(srv, boss, 'GET', '/api/admin/audit?user=PG1%40example.com');
			assert.deepEqual(res.json().events.map((e) => [e.event, e.actor]), [['login_ok', 'pg1@example.com']]);
			assert.equal(res.json().next, null);
			res = await call(srv, boss, 'GET', '/api/admin/audit?since=4102444800');
			assert.equal(res.body, '{"events":[],"next":null}\n');
			res = await call(srv, boss, 'GET', '/api/admin/audit?until=1&event=login_ok');
			assert.equal(res.body, '{"events":[],"next":null}\n');
			assertMsg(await call(srv, boss, 'GET', '/api/admin/audit?limit=0'), 400,
			    'Parameter "limit" must be an integer from 1 to 200');
			assertMsg(await call(srv, boss, 'GET', '/api/admin/audit?cursor=x'), 400,
			    'Parameter "cursor" must be an integer from 1 to 9223372036854775807');
			assertMsg(await call(srv, boss, 'GET', '/api/admin/audit?user=%zz'), 400,
			    'Parameters "user" and "event" must be short text');
		});

		it('keeps the last administrator: none can leave admin_group, even two at once', async () => {
			assertMsg(await call(srv, boss, 'DELETE', '/api/admin/groups/admins/members',
			    { email: 'boss@example.com' }), 409,
			    'The last member of the administrators\' group cannot leave it');
			assert.equal(srv.sql("SELECT count(*) FROM group_members WHERE group_name = 'admins'"), '1');
			// Two administrators taking each other out at once: one of them stays.
			for (let round = 0; round < 3; round++) {
				const a = `a${round}@example.com`;
				const b = `b${round}@example.com`;
				addUser(srv, a, ['admins']);
				addUser(srv, b, ['admins']);
				assert.equal(srv.tool(['group', 'deluser', 'admins', 'boss@example.com']).status, 0);
				const [sa, sb] = [await login(srv, a), await login(srv, b)];
				const answers = await Promise.all([
					call(srv, sa, 'DELETE', '/api/admin/groups/admins/members', { email: b }),
					call(srv, sb, 'DELETE', '/api/admin/groups/admins/members', { email: a }),
				]);
				const statuses = answers.map((r) => r.status).sort();
				// The second either lost the race (409) or was no administrator any more (403).
				assert.equal(statuses[0], 200, answers.map((r) => r.body).join(''));
				assert.ok(statuses[1] === 409 || statuses[1] === 403, answers.map((r) => r.body).join(''));
				assert.equal(srv.sql("SELECT count(*) FROM group_members WHERE group_name = 'admins'"), '1');
				const left = srv.sql("SELECT u.email FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_name = 'admins'");
				assert.ok(left === a || left === b, left);
				assert.equal(srv.tool(['group', 'adduser', 'admins', 'boss@example.com']).status, 0);
				assert.equal(srv.tool(['group', 'deluser', 'admins', left]).status, 0);
			}
		});
	});

	describe(`the administration API's settings on ${kind}`, () => {
		it('admin = off: every route 404, and GET /api/settings says so', async () => {
			const srv = await startServer({ kind, config: 'admin = off\n' });
			try {
				assert.equal(srv.tool(['group', 'add', 'admins']).status, 0);
				addUser(srv, 'boss@example.com', ['admins']);
				const boss = await login(srv, 'boss@example.com');
				for (const [method, path, body] of ROUTES)
					assertMsg(await call(srv, boss, method, path, body), 404, 'Not found');
				const res = await request(srv.baseURL, { path: '/api/settings' });
				assert.equal(res.json().admin, false);
			} finally {
				await srv.stop();
			}
		});

		it('admin_networks: a client outside them gets 403, whoever it is', async () => {
			const srv = await startServer({ kind, config: 'admin_networks = 10.0.0.0/8, 2001:db8::/32\n' });
			try {
				assert.equal(srv.tool(['group', 'add', 'admins']).status, 0);
				addUser(srv, 'boss@example.com', ['admins']);
				const boss = await login(srv, 'boss@example.com');
				for (const [method, path, body] of ROUTES)
					assertMsg(await call(srv, boss, method, path, body), 403,
					    'Administration is not allowed from this address');
				assert.match(srv.log(), /audit event="admin_refused" time="\d+" addr="127\.0\.0\.1" user="" reason="network"/);
				assert.equal((await request(srv.baseURL, { path: '/api/settings' })).json().admin, true);
			} finally {
				await srv.stop();
			}
		});
	});
}
