// latchkey on PostgreSQL through the real tool and a real server: every
// tool command against a PostgreSQL database, `latchkey db copy` moving a
// live site from SQLite to PostgreSQL and back with its sessions, and a
// verify-only node whose role may only read.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const pg = require('../lib/postgres.js');
const { startServer, prepare, tool, DEMO } = require('../lib/server.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');

after(() => pg.stop());

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

describe('the tool on a PostgreSQL database', () => {
	let prep;
	before(() => { prep = prepare({ store: 'postgres', users: [] }); });
	after(() => fs.rmSync(prep.dir, { recursive: true, force: true }));

	const run = (args, input) => tool(prep.config, args, input);
	const rows = () => pg.query(prep.db, 'SELECT email, name, disabled, ' +
	    'tokens_valid_after > 0 FROM users ORDER BY email');

	it('init brings the schema up to date and says where', () => {
		const uri = fs.readFileSync(prep.config, 'utf8').match(/^database = (.*)$/m)[1];
		const r = run(['init']);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `kept existing ${prep.dir}/secret.key\n` +
		    `kept existing ${prep.dir}/mfa.key\n` +
		    `kept existing ${prep.dir}/oidc.key\n` +
		    `database ${uri} ready (schema version 8)\n`);
		assert.equal(pg.query(prep.db, 'SELECT version FROM schema_version'), '8');
	});

	it('adds, lists, changes and deletes users', () => {
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
		assert.equal(rows(), 'Ann@Example.com|Ann|1|t\nbob@example.com|bob|0|f');
		assert.equal(run(['user', 'enable', 'ann@example.com']).status, 0);
		assert.equal(run(['user', 'passwd', 'bob@example.com', '--password-stdin',
		    '--skip-password-policy'], 'password-three\n').stdout,
		    'user bob@example.com: password set\n');
		assert.equal(rows(), 'Ann@Example.com|Ann|0|t\nbob@example.com|bob|0|t');
		assert.equal(run(['user', 'del', 'bob@example.com']).status, 0);
		assert.equal(run(['user', 'del', 'bob@example.com']).stderr,
		    'latchkey: no user bob@example.com\n');
		assert.equal(pg.query(prep.db, 'SELECT email FROM deleted_users'), 'bob@example.com');
		assert.equal(run(['user', 'list']).stdout, 'Ann@Example.com\tenabled\tAnn\t\n');
	});

	it('refuses a password in the database URI, and a password file others can read', () => {
		const c = pg.cluster();
		const pw = fs.readFileSync(c.passwordFile, 'utf8').trim();
		const uri = fs.readFileSync(prep.config, 'utf8').match(/^database = (.*)$/m)[1];
		const withPw = configFor(prep.config, uri.replace('latchkey@', `latchkey:${pw}@`));
		let r = tool(withPw, ['user', 'list']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /^latchkey: database postgresql:\/\/latchkey:\*\*\*@127\.0\.0\.1:\d+\/\S+: the URI holds a password: put it in database_password_file \(or a PGPASSFILE\) instead\n$/);
		assert.ok(!r.stderr.includes(pw));
		const loose = path.join(prep.dir, 'loose.password');
		fs.writeFileSync(loose, `${pw}\n`, { mode: 0o644 });
		fs.chmodSync(loose, 0o644);
		r = tool(configFor(prep.config, uri, loose), ['user', 'list']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /loose\.password: mode 0644 lets group or others read it/);
		fs.chmodSync(loose, 0o600);
		r = tool(configFor(prep.config, uri, loose), ['user', 'list']);
		assert.equal(r.status, 0, r.stderr);
	});
});

describe('latchkey db copy between SQLite and PostgreSQL', () => {
	const servers = [];
	let lite;
	before(async () => { lite = await startServer({ kind: 'lighttpd' }); });
	after(async () => {
		for (const s of servers) await s.stop();
		await lite?.stop();
	});

	it('moves a live site to PostgreSQL and back, sessions and all', async () => {
		const c = pg.cluster();
		const target = pg.createDatabase();
		// On SQLite: a session refreshed once, a failed login counted.
		const a = await login(lite);
		assert.equal(a.res.status, 200);
		const rotated = await refresh(lite, a);
		assert.equal(rotated.status, 200, rotated.body);
		const live = session(rotated);
		assert.equal((await login(lite, DEMO.email, 'wrong-password')).res.status, 401);

		const events = Number(lite.sql('SELECT count(*) FROM audit_log'));
		assert.ok(events >= 3, String(events));
		const to = lite.tool(['db', 'copy', '--to', target.uri, '--password-file', c.passwordFile]);
		assert.equal(to.status, 0, to.stderr);
		assert.equal(to.stdout, 'copied 1 user, 0 groups, 0 group memberships, 0 deleted-user marks, 1 session, 2 refresh tokens, ' +
		    '0 revocations, 2 throttle counters, 0 TOTP secrets, 0 recovery codes, 0 pending logins, 0 WebAuthn user handles, 0 passkeys, 0 WebAuthn challenges, ' +
		    '0 one-time links, 0 OpenID subjects, 0 OpenID clients, 0 OpenID grants, 0 authorization codes, ' +
		    `0 OpenID refresh tokens, 0 OpenID consents, ${events} audit events into ${target.uri}\n`);
		// Again: the target holds records now.
		const again = lite.tool(['db', 'copy', '--to', target.uri, '--password-file', c.passwordFile]);
		assert.equal(again.status, 1);
		assert.equal(again.stderr, `latchkey: ${target.uri} holds records already; nothing was ` +
		    'copied (--replace deletes them first)\n');
		assert.equal(lite.tool(['db', 'copy', '--to', target.uri, '--password-file',
		    c.passwordFile, '--replace']).status, 0);

		// The same site on PostgreSQL: the session goes on there.
		const onPg = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: configFor(lite.config, target.uri, c.passwordFile) } });
		servers.push(onPg);
		assert.equal((await profile(onPg, live)).status, 200);
		// A replay of the token rotated on SQLite, inside the grace, gets
		// the successor SQLite recorded: the chain came along.
		const replay = await refresh(onPg, a);
		assert.equal(replay.status, 200, replay.body);
		assert.equal(session(replay).refreshJti, live.refreshJti);
		const next = await refresh(onPg, live);
		assert.equal(next.status, 200, next.body);
		const pgLive = session(next);
		assert.equal((await profile(onPg, pgLive)).status, 200);
		assert.equal(pg.query(target.name, 'SELECT count(*) FROM refresh_tokens'), '3');

		// And back into a new SQLite file, from the PostgreSQL side.
		const back = path.join(lite.dir, 'back.db');
		const from = tool(onPg.config, ['db', 'copy', '--to', back]);
		assert.equal(from.status, 0, from.stderr);
		assert.match(from.stdout, /^copied 1 user, 0 groups, 0 group memberships, 0 deleted-user marks, 1 session, 3 refresh tokens, /);
		assert.equal(fs.statSync(back).mode & 0o777, 0o600);
		const onBack = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: configFor(lite.config, back) } });
		servers.push(onBack);
		assert.equal((await profile(onBack, pgLive)).status, 200);
		const replayed = await refresh(onBack, live);
		assert.equal(replayed.status, 200, replayed.body);
		assert.equal(session(replayed).refreshJti, pgLive.refreshJti);
		assert.equal((await refresh(onBack, pgLive)).status, 200);
	});

	it('carries second factors along: a TOTP user logs in on the copy with the next code', async () => {
		const { base32Decode, totp, stepOf } = require('../lib/totp.js');
		const c = pg.cluster();
		const target = pg.createDatabase();
		assert.equal(lite.tool(['user', 'add', 'two@example.com', '--password-stdin'],
		    'two-step-pass\n').status, 0);
		const s = await login(lite, 'two@example.com', 'two-step-pass');
		const csrf = cookiesFrom(s.res.setCookies).csrf_access_token;
		const post = (p, body) => request(lite.baseURL, { method: 'POST', path: p, body,
		    cookie: s.accessCookie, headers: { 'X-CSRF-TOKEN': csrf } });
		const setup = await post('/api/mfa/totp/setup', { password: 'two-step-pass' });
		assert.equal(setup.status, 200, setup.body);
		const secret = base32Decode(setup.json().secret);
		const step = stepOf();
		assert.equal((await post('/api/mfa/totp/enable', { code: totp(secret, step) })).status, 200);
		const events = Number(lite.sql('SELECT count(*) FROM audit_log'));
		assert.ok(events >= 3, String(events));
		const to = lite.tool(['db', 'copy', '--to', target.uri, '--password-file', c.passwordFile]);
		assert.equal(to.status, 0, to.stderr);
		assert.match(to.stdout, /, 1 TOTP secret, 10 recovery codes, 0 pending logins, /);
		const onPg = await startServer({ kind: 'lighttpd', prepared: { dir: lite.dir,
		    config: configFor(lite.config, target.uri, c.passwordFile) } });
		servers.push(onPg);
		const first = await request(onPg.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: 'two@example.com', password: 'two-step-pass' } });
		assert.equal(first.body, '{"login":false,"mfa_required":["totp","recovery_code"]}\n');
		const pending = cookiesFrom(first.setCookies).mfa_pending;
		const mfa = (code) => request(onPg.baseURL, { method: 'POST', path: '/api/login/mfa',
		    body: { code }, cookie: `mfa_pending=${pending}` });
		// The step used on SQLite stays used on the copy.
		assert.equal((await mfa(totp(secret, step))).status, 401);
		assert.equal((await mfa(totp(secret, step + 1))).status, 200);
	});

	it('copies --from another database into the configured one', () => {
		const c = pg.cluster();
		const source = pg.createDatabase();
		const conf = configFor(lite.config, source.uri, c.passwordFile);
		assert.equal(tool(conf, ['init']).status, 0);
		assert.equal(tool(conf, ['user', 'add', 'from@example.com', '--password-stdin',
		    '--skip-password-policy'], 'password-one\n').status, 0);
		const dest = path.join(lite.dir, 'from.db');
		const destConf = configFor(lite.config, dest);
		assert.equal(tool(destConf, ['init']).status, 0);
		const r = tool(destConf, ['db', 'copy', '--from', source.uri, '--password-file',
		    c.passwordFile]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, 'copied 1 user, 0 groups, 0 group memberships, 0 deleted-user marks, 0 sessions, 0 refresh tokens, ' +
		    '0 revocations, 0 throttle counters, 0 TOTP secrets, 0 recovery codes, 0 pending logins, 0 WebAuthn user handles, 0 passkeys, 0 WebAuthn challenges, ' +
		    '0 one-time links, 0 OpenID subjects, 0 OpenID clients, 0 OpenID grants, 0 authorization codes, ' +
		    `0 OpenID refresh tokens, 0 OpenID consents, 0 audit events into ${dest}\n`);
		assert.equal(tool(destConf, ['user', 'list']).stdout, 'from@example.com\tenabled\tfrom\t\n');
	});

	it('says what is wrong with its arguments', () => {
		let r = lite.tool(['db', 'copy']);
		assert.equal(r.status, 2);
		assert.equal(r.stderr, 'latchkey: db copy: expected --to DATABASE or --from DATABASE\n');
		r = lite.tool(['db', 'copy', '--to', 'a.db', '--from', 'b.db']);
		assert.equal(r.status, 2);
		r = lite.tool(['db', 'copy', '--to']);
		assert.equal(r.status, 2);
		assert.equal(r.stderr, "latchkey: option '--to' needs a value\n");
		r = lite.tool(['db', 'copy', '--to', lite.db]);
		assert.equal(r.status, 1);
		assert.equal(r.stderr, `latchkey: ${lite.db} is the configured database itself\n`);
		r = lite.tool(['db', 'copy', '--to', 'x.db', '--replace', '--bogus']);
		assert.equal(r.status, 2);
		assert.equal(r.stderr, "latchkey: db copy: unknown option '--bogus'\n");
	});
});

describe('a verify-only node whose role may only read', () => {
	let writer, reader;
	before(async () => {
		writer = await startServer({ kind: 'lighttpd-pg' });
		const c = pg.cluster();
		const uri = fs.readFileSync(writer.config, 'utf8').match(/^database = (.*)$/m)[1];
		reader = await startServer({ kind: 'lighttpd', prepared: { dir: writer.dir,
		    config: configFor(writer.config, uri.replace('latchkey@', 'latchkey_ro@'),
			c.readerPasswordFile) } });
	});
	after(async () => {
		await reader?.stop();
		await writer?.stop();
	});

	it('checks the tokens the writing nodes issue, and refuses to write', async () => {
		const s = await login(writer);
		assert.equal(s.res.status, 200);
		const p = await profile(reader, s);
		assert.equal(p.status, 200, p.body);
		assert.equal(p.body, `{"email":"${DEMO.email}","groups":[],"name":"${DEMO.name}"}\n`);
		const denied = await login(reader);
		assert.equal(denied.res.status, 503, denied.res.body);
		assert.equal(denied.res.body, '{"msg":"Service unavailable"}\n');
		assert.match(reader.log(), /database: .*permission denied for table/);
		// Logging out on a writer ends the session on the reader too.
		assert.equal((await request(writer.baseURL, { method: 'POST', path: '/api/logout',
		    cookie: s.accessCookie, body: {} })).status, 200);
		assert.equal((await profile(reader, s)).status, 401);
	});
});
