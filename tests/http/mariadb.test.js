// latchkey on MariaDB through the real tool and a real server: the tool's
// commands against a MariaDB database, and `latchkey db copy` moving a
// live site from SQLite to MariaDB, on to PostgreSQL and back, with its
// sessions.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const my = require('../lib/mariadb.js');
const pg = require('../lib/postgres.js');
const { startServer, prepare, tool, DEMO } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');

after(() => { my.stop(); pg.stop(); });

async function login(srv, email = DEMO.email, password = DEMO.password) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email, password } });
	return { res, ...session(res) };
}

function session(res) {
	const c = cookiesFrom(res.setCookies);
	return {
		refreshJti: c.refresh_token_cookie ? decode(c.refresh_token_cookie).payload.jti : null,
		accessCookie: `access_token_cookie=${c.access_token_cookie}`,
		refreshCookie: `refresh_token_cookie=${c.refresh_token_cookie}`,
		refreshCsrf: c.csrf_refresh_token,
	};
}

const profile = (srv, s) => request(srv.baseURL, { path: '/api/profile', cookie: s.accessCookie });
const refresh = (srv, s) => request(srv.baseURL, { method: 'POST', path: '/api/refresh',
    cookie: s.refreshCookie, headers: { 'X-CSRF-TOKEN': s.refreshCsrf }, body: {} });

/** A configuration beside conf whose database is another one. */
function configFor(conf, database, passwordFile) {
	const text = fs.readFileSync(conf, 'utf8').split('\n')
	    .filter((l) => !/^database(_password_file)?\s*=/.test(l)).join('\n');
	const out = path.join(path.dirname(conf),
	    `latchkey-${Math.random().toString(16).slice(2)}.conf`);
	fs.writeFileSync(out, `${text}\ndatabase = ${database}\n` +
	    (passwordFile ? `database_password_file = ${passwordFile}\n` : ''));
	return out;
}

describe('the tool on a MariaDB database', () => {
	let prep;
	before(() => { prep = prepare({ store: 'mysql', users: [] }); });

	it('adds, lists and deletes users, emails unique without ASCII case', () => {
		const run = (args, input) => tool(prep.config, args, input);
		assert.equal(run(['user', 'add', 'Ann@Example.com', '--name', 'Ann', '--password-stdin',
		    '--skip-password-policy'], 'password-one\n').status, 0);
		assert.equal(run(['user', 'add', 'bob@example.com', '--password-stdin',
		    '--skip-password-policy'], 'password-two\n').status, 0);
		const dup = run(['user', 'add', 'ann@EXAMPLE.com', '--password-stdin'], 'x\n');
		assert.equal(dup.status, 1);
		assert.equal(dup.stderr, 'latchkey: user Ann@Example.com exists\n');
		assert.equal(run(['user', 'list']).stdout,
		    'Ann@Example.com\tenabled\tAnn\t\nbob@example.com\tenabled\tbob\t\n');
		assert.equal(run(['user', 'disable', 'ANN@example.com']).stdout,
		    'user ANN@example.com: disabled\n');
		assert.equal(my.query(prep.db, 'SELECT email, disabled FROM users ORDER BY id'),
		    'Ann@Example.com|1\nbob@example.com|0');
		assert.equal(run(['user', 'del', 'bob@example.com']).status, 0);
		assert.equal(run(['user', 'del', 'bob@example.com']).stderr,
		    'latchkey: no user bob@example.com\n');
		assert.equal(my.query(prep.db, 'SELECT email FROM deleted_users'), 'bob@example.com');
	});

	it('refuses a password in the database URI', () => {
		const c = my.cluster();
		const conf = configFor(prep.config, c.uri.replace('latchkey@', 'latchkey:secret@'));
		const r = tool(conf, ['user', 'list']);
		assert.notEqual(r.status, 0);
		assert.match(r.stderr, /holds a password: put it in database_password_file/);
		assert.doesNotMatch(r.stderr, /secret/);
	});
});

describe('latchkey db copy between SQLite, MariaDB and PostgreSQL', () => {
	const servers = [];
	let lite;
	before(async () => { lite = await startServer({ kind: 'lighttpd' }); });
	after(async () => {
		for (const s of servers) await s.stop();
		await lite?.stop();
	});

	it('moves a live site to MariaDB, on to PostgreSQL, and back, sessions and all', async () => {
		const c = my.cluster();
		const target = my.createDatabase();
		const a = await login(lite);
		assert.equal(a.res.status, 200);
		const rotated = await refresh(lite, a);
		assert.equal(rotated.status, 200, rotated.body);
		const live = session(rotated);

		const to = lite.tool(['db', 'copy', '--to', target.uri, '--password-file', c.passwordFile]);
		assert.equal(to.status, 0, to.stderr);
		assert.match(to.stdout, /^copied 1 user, 0 groups, 0 group memberships, 0 deleted-user marks, 1 session, 2 refresh tokens, /);
		assert.match(to.stdout, new RegExp(` into ${target.uri}\n$`));
		const again = lite.tool(['db', 'copy', '--to', target.uri, '--password-file', c.passwordFile]);
		assert.equal(again.status, 1);
		assert.equal(again.stderr, `latchkey: ${target.uri} holds records already; nothing was ` +
		    'copied (--replace deletes them first)\n');

		// The same site on MariaDB: the session goes on there.
		const onMy = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: configFor(lite.config, target.uri, c.passwordFile) } });
		servers.push(onMy);
		assert.equal((await profile(onMy, live)).status, 200);
		const replay = await refresh(onMy, a);
		assert.equal(replay.status, 200, replay.body);
		assert.equal(session(replay).refreshJti, live.refreshJti);
		const next = await refresh(onMy, live);
		assert.equal(next.status, 200, next.body);
		const myLive = session(next);
		assert.equal(my.query(target.name, 'SELECT count(*) FROM refresh_tokens'), '3');

		// On to PostgreSQL, from the MariaDB side.
		const pgDb = pg.createDatabase();
		const toPg = tool(onMy.config, ['db', 'copy', '--to', pgDb.uri, '--password-file',
		    pg.cluster().passwordFile]);
		assert.equal(toPg.status, 0, toPg.stderr);
		const onPg = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: configFor(lite.config, pgDb.uri, pg.cluster().passwordFile) } });
		servers.push(onPg);
		assert.equal((await profile(onPg, myLive)).status, 200);

		// And back into a new SQLite file, --from MariaDB.
		const back = path.join(lite.dir, 'back.db');
		const backConf = configFor(lite.config, back);
		assert.equal(tool(backConf, ['init']).status, 0);
		const from = tool(backConf, ['db', 'copy', '--from', target.uri, '--password-file',
		    c.passwordFile]);
		assert.equal(from.status, 0, from.stderr);
		assert.match(from.stdout, /^copied 1 user, 0 groups, 0 group memberships, 0 deleted-user marks, 1 session, 3 refresh tokens, /);
		const onBack = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: backConf } });
		servers.push(onBack);
		assert.equal((await profile(onBack, myLive)).status, 200);
		assert.equal((await refresh(onBack, myLive)).status, 200);
	});
});
