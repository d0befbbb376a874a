// A broken environment: the database missing, read-only, corrupt or on a
// full disk, the key file missing.  Each must give a clear 503 JSON error
// and a log line saying why, never a crash loop (the same processes keep
// answering) or a half write, and service must resume once it is fixed.
//
// Read-only and full-disk cases need a filesystem of their own: a small
// tmpfs, mounted when running as root with CAP_SYS_ADMIN (CI runs as
// root); elsewhere those cases are skipped, and say so.  (Permissions do
// not make a file read-only for root, and a filesystem cannot be remounted
// read-only under a process that holds the database open for writing: the
// read-only case is the one a deployment meets, at start-up.)

'use strict';

const { describe, it, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('./harness.js');

const UNAVAILABLE = '{"msg":"Service unavailable"}\n';
const LOGIN = { email: h.DEMO.email, password: h.DEMO.password };

const loginReq = (srv) => h.request(srv.baseURL, { method: 'POST', path: '/api/login', body: LOGIN });

/** Poll until fn() resolves to a response with status want; returns it. */
async function until(fn, want, ms = 5000) {
	const end = Date.now() + ms;
	let res;
	for (;;) {
		res = await fn();
		if (res.status === want || Date.now() > end) return res;
		await h.sleep(200);
	}
}

/** Answers 503 JSON for a while, with the same processes throughout. */
async function refuses(srv, why) {
	let pids = null;
	for (let i = 0; i < 6; i++) {
		const res = await loginReq(srv);
		// The processes that answered the first request, which started them.
		pids ??= srv.pids('login');
		assert.equal(res.status, 503, `${why}: got ${res.status} ${res.body}`);
		assert.equal(res.body, UNAVAILABLE);
		assert.match(res.headers['content-type'], /^application\/json/);
		await h.sleep(250);
	}
	assert.deepEqual(srv.pids('login'), pids, `${why}: the program restarted (crash loop)`);
	return pids;
}

/** A tmpfs of the given size, or null when mounting is not allowed here. */
function tmpfs(kib) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-fs-'));
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir],
		    { stdio: 'ignore' });
	} catch {
		fs.rmdirSync(dir);
		return null;
	}
	return {
		dir,
		remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir]),
		umount: () => {
			try { execFileSync('umount', ['-l', dir]); } catch { /* already */ }
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

describe('faults at start-up', () => {
	let srv;
	// Each test's server stops after it, passed or failed: a failed one
	// left running would keep the test file from ever ending.
	afterEach(async () => { await srv?.stop(); srv = null; });

	it('key file missing: 503 and a log line, then service once it is back', async () => {
		srv = await h.startLighttpd({ procs: 1 });
		const key = path.join(srv.dir, 'secret.key');
		fs.renameSync(key, `${key}.away`);
		await refuses(srv, 'key missing');
		assert.match(srv.log(), /not serving: .*secret\.key.*(No such file|missing|cannot)/i);
		fs.renameSync(`${key}.away`, key);
		assert.equal((await until(() => loginReq(srv), 200)).status, 200);
		await srv.stop();
		srv = null;
	});

	it('database missing: 503 and a log line, then service once it is back', async () => {
		srv = await h.startLighttpd({ procs: 1 });
		fs.renameSync(srv.db, `${srv.db}.away`);
		await refuses(srv, 'database missing');
		assert.match(srv.log(), /not serving: database .*latchkey\.db/);
		fs.renameSync(`${srv.db}.away`, srv.db);
		assert.equal((await until(() => loginReq(srv), 200)).status, 200);
		assert.equal(h.integrity(srv.db), 'ok');
		await srv.stop();
		srv = null;
	});

	it('database corrupt: 503 and a log line, then service once restored', async () => {
		srv = await h.startLighttpd({ procs: 1 });
		// Everything in the file itself (a WAL would still hold page 1).
		execFileSync('sqlite3', [srv.db, 'PRAGMA wal_checkpoint(TRUNCATE);'], { stdio: 'ignore' });
		const good = fs.readFileSync(srv.db);
		const bad = Buffer.from(good);
		bad.fill(0x5a, 0, 4096);	// the header and first page
		fs.writeFileSync(srv.db, bad);
		await refuses(srv, 'database corrupt');
		assert.match(srv.log(), /not serving: database .*(not a database|malformed|corrupt)/);
		fs.writeFileSync(srv.db, good);
		assert.equal((await until(() => loginReq(srv), 200)).status, 200);
		assert.equal(h.integrity(srv.db), 'ok');
		await srv.stop();
		srv = null;
	});
});

describe('a read-only database', () => {
	let srv, fsys;
	after(async () => { await srv?.stop(); fsys?.umount(); });

	it('503 and a log line, then service once it is writable', async (t) => {
		fsys = tmpfs(4096);
		if (fsys === null) return t.skip('cannot mount a tmpfs here (needs root)');
		srv = await h.startLighttpd({ procs: 1,
		    config: `database = ${path.join(fsys.dir, 'latchkey.db')}\n` });
		srv.db = path.join(fsys.dir, 'latchkey.db');
		fsys.remount('ro');
		await refuses(srv, 'read-only at start');
		assert.match(srv.log(), /not serving: database .*(readonly|read-only|unable to open)/);
		fsys.remount('rw');
		assert.equal((await until(() => loginReq(srv), 200)).status, 200);

		assert.equal(h.integrity(srv.db), 'ok');
	});
});

describe('a full disk under the database', () => {
	let srv, fsys;
	after(async () => { await srv?.stop(); fsys?.umount(); });

	it('503 for writes, no half write, the tool fails clearly; all resumes once there is room', async (t) => {
		fsys = tmpfs(2048);
		if (fsys === null) return t.skip('cannot mount a tmpfs here (needs root)');
		srv = await h.startLighttpd({ procs: 1,
		    config: `database = ${path.join(fsys.dir, 'latchkey.db')}\n` });
		srv.db = path.join(fsys.dir, 'latchkey.db');
		const { cookie, csrf } = await h.login(srv.baseURL);
		const patch = (name) => h.request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
		    headers: { Cookie: cookie, 'X-CSRF-TOKEN': csrf }, body: { name } });
		assert.equal((await patch('Before Full')).status, 200);
		const users = h.userCount(srv.db);

		// Fill the filesystem to the last byte.
		const filler = path.join(fsys.dir, 'filler');
		const fd = fs.openSync(filler, 'w');
		const chunk = Buffer.alloc(4096, 1);
		try { for (;;) fs.writeSync(fd, chunk); } catch (e) { assert.equal(e.code, 'ENOSPC'); }
		try { for (;;) fs.writeSync(fd, chunk, 0, 1); } catch (e) { assert.equal(e.code, 'ENOSPC'); }
		fs.closeSync(fd);

		// A long name makes the write need new pages.
		const long = 'N'.repeat(100);
		let res;
		for (let i = 0; i < 3; i++) {
			res = await patch(`${long.slice(0, 90)} ${i}`);
			if (res.status !== 200) break;
		}
		assert.equal(res.status, 503, `writes on a full disk: ${res.status} ${res.body}`);
		assert.equal(res.body, UNAVAILABLE);
		assert.match(srv.log(), /database: .*(disk is full|disk I\/O|full)/);
		// Reads still work, and see no half-written change.
		const read = await h.request(srv.baseURL, { path: '/api/profile', headers: { Cookie: cookie } });
		assert.equal(read.status, 200);
		assert.match(read.body, /"name":"(Before Full|N+ \d)"/);
		const add = srv.tool(['user', 'add', 'full@example.com', '--name', 'Full', '--password-stdin'], 'password-123\n');
		assert.notEqual(add.status, 0, 'user add on a full disk succeeded?');
		assert.match(add.stderr, /full|disk|database/i);
		assert.equal(h.userCount(srv.db), users);

		// Room again: writes resume, in the same processes, and the store is whole.
		const pids = srv.pids('profile');
		fs.unlinkSync(filler);
		assert.equal((await until(() => patch('After Full'), 200)).status, 200);
		assert.deepEqual(srv.pids('profile'), pids);
		assert.equal(srv.tool(['user', 'add', 'full@example.com', '--name', 'Full', '--password-stdin'],
		    'password-123\n').status, 0);
		assert.equal(h.userCount(srv.db), users + 1);
		assert.equal(h.integrity(srv.db), 'ok');
	});
});
