// Load and worker-death tests on lighttpd over loopback, driven by
// bench/loadgen.  Bounded: each phase runs STRESS_TIME seconds (make
// check: a few; make stress: longer).  Speed is reported, never asserted.

'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./harness.js');

const T = Number(process.env.STRESS_TIME ?? 5);
// ASan's quarantine and shadow memory grow RSS by design: under SANITIZE
// memory is reported, not judged (the valgrind lane checks leaks).
const SANITIZED = Boolean(process.env.STRESS_SANITIZE);
const LOGIN = { email: h.DEMO.email, password: h.DEMO.password };
const JSON_CT = 'Content-Type: application/json';
// A login load signs the demo user in hundreds of times: under the default
// bound on a user's live sessions it would end the session the other load
// uses.
const MANY_SESSIONS = 'sessions_max_per_user = 100000\n';

function report(name, r) {
	console.log(`# ${name}: ${r.requests} requests, ${r.rps} req/s, p50 ${r.p50_ms} ms, ` +
	    `p99 ${r.p99_ms} ms, status ${JSON.stringify(r.status)}, transport errors ${r.errors}`);
}

function anon(srv, names) {
	const out = {};
	for (const n of names)
		for (const pid of srv.pids(n))
			out[`${n}:${pid}`] = h.memory(pid).RssAnon;
	return out;
}

describe('sustained load, 64 connections', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('serves profile and login with zero errors and flat memory', async () => {
		srv = await h.startLighttpd({ procs: 2, config: MANY_SESSIONS });
		const { cookie } = await h.login(srv.baseURL);
		const profile = { conns: 64, headers: [`Cookie: ${cookie}`] };
		const login = { conns: 64, method: 'POST', headers: [JSON_CT], body: LOGIN };

		// Warm up: every process has served, allocated its caches, hashed.
		await Promise.all([
			h.loadgen(`${srv.baseURL}/api/profile`, { ...profile, seconds: 1 }),
			h.loadgen(`${srv.baseURL}/api/login`, { ...login, seconds: 1.5 }),
		]);
		const pidsBefore = [...srv.pids('profile'), ...srv.pids('login')];
		// Logins still queued when the load stops run on: memory is read
		// once no process has used the CPU for a moment (a hash in
		// progress holds its 16 MiB), within a minute.
		await h.settle(pidsBefore, 60000);
		const before = anon(srv, ['profile', 'login']);

		const [p, l] = await Promise.all([
			h.loadgen(`${srv.baseURL}/api/profile`, { ...profile, seconds: T }),
			h.loadgen(`${srv.baseURL}/api/login`, { ...login, seconds: T }),
		]);
		report('profile', p);
		report('login', l);
		await h.settle(pidsBefore, 60000);
		const afterMem = anon(srv, ['profile', 'login']);
		console.log(`# RssAnon KiB before ${JSON.stringify(before)} after ${JSON.stringify(afterMem)}`);

		assert.equal(p.errors, 0, 'profile: transport errors');
		assert.equal(p.ok, p.requests, `profile: statuses ${JSON.stringify(p.status)}`);
		assert.ok(p.requests > 100, 'profile: hardly any requests served');
		assert.equal(l.errors, 0, 'login: transport errors');
		assert.equal(l.ok, l.requests, `login: statuses ${JSON.stringify(l.status)}`);
		assert.ok(l.requests > 0);
		// The same processes throughout: none crashed and was respawned.
		assert.deepEqual([...srv.pids('profile'), ...srv.pids('login')], pidsBefore);
		if (!SANITIZED) {
			for (const [k, kib] of Object.entries(afterMem)) {
				// Flat: a leak of even 16 bytes a request would show.
				assert.ok(kib - before[k] <= 256,
				    `${k}: RssAnon grew from ${before[k]} to ${kib} KiB`);
			}
		}
		assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error/);
	});
});

describe('FastCGI workers killed during load', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('respawns them; only requests in flight fail; the store stays whole', async () => {
		srv = await h.startLighttpd({ procs: 2 });
		const { cookie, csrf } = await h.login(srv.baseURL);
		const read = { conns: 32, headers: [`Cookie: ${cookie}`] };
		// Writes too, so that kills land inside transactions.
		const write = { conns: 32, method: 'PATCH', body: { name: 'Under Load' },
		    headers: [`Cookie: ${cookie}`, `X-CSRF-TOKEN: ${csrf}`, JSON_CT] };
		await h.loadgen(`${srv.baseURL}/api/profile`, { ...read, seconds: 0.5 });
		const first = srv.pids('profile');
		assert.equal(first.length, 2);

		const seconds = Math.max(T, 6);
		const runs = Promise.all([
			h.loadgen(`${srv.baseURL}/api/profile`, { ...read, seconds }),
			h.loadgen(`${srv.baseURL}/api/profile`, { ...write, seconds }),
		]);
		// Kill one worker at a time, each after lighttpd brought the last
		// one back (it reaps and respawns once a second): the other worker
		// takes the new requests meanwhile.
		const killed = [];
		const until = Date.now() + seconds * 1000 - 2500;
		while (Date.now() < until) {
			await h.sleep(300);
			const pids = srv.pids('profile');
			if (pids.length < 2) continue;
			const victim = pids[killed.length % pids.length];
			try { process.kill(victim, 'SIGKILL'); killed.push(victim); } catch { continue; }
			for (let i = 0; i < 40; i++) {
				await h.sleep(100);
				const now = srv.pids('profile');
				if (now.length === 2 && !now.includes(victim)) break;
			}
		}
		const [r, w] = await runs;
		report('profile GET while killing', r);
		report('profile PATCH while killing', w);
		const failed = r.requests - r.ok + r.errors + w.requests - w.ok + w.errors;
		console.log(`# killed ${killed.length} workers; ${failed} requests failed`);

		// Back to full strength, with new processes.
		let now = [];
		for (let i = 0; i < 50 && now.length < 2; i++) {
			await h.sleep(100);
			now = srv.pids('profile');
		}
		assert.equal(now.length, 2, 'lighttpd did not respawn the workers');
		assert.ok(killed.length >= 2);
		for (const k of killed) assert.ok(!now.includes(k));
		// Only what was in flight: at most the connections each killed
		// worker held (one being served, the rest queued on its socket).
		assert.ok(failed <= killed.length * 64, `${failed} failures for ${killed.length} kills`);
		// lighttpd answers 500 for a request its backend died under; a 503
		// would mean it had no backend left to send new requests to.
		for (const s of Object.keys({ ...r.status, ...w.status }))
			assert.ok(['200', '500', '502'].includes(s), `status ${s}`);

		// Then a clean run: every request succeeds again.
		const clean = await h.loadgen(`${srv.baseURL}/api/profile`, { ...read, seconds: 1 });
		report('profile after the kills', clean);
		assert.equal(clean.ok, clean.requests);
		assert.equal(clean.errors, 0);
		// Nothing lost or corrupted.
		assert.equal(h.integrity(srv.db), 'ok');
		const res = await h.request(srv.baseURL, { path: '/api/profile', headers: { Cookie: cookie } });
		assert.equal(res.body, '{"email":"test@example.com","groups":[],"name":"Under Load"}\n');
	});
});

describe('logins while the administrator changes users', () => {
	let srv;
	after(async () => { await srv?.stop(); });

	it('never answers 500 or 503 from a busy database, and keeps every change', async () => {
		srv = await h.startLighttpd({ procs: 2, config: MANY_SESSIONS });
		const { cookie, csrf } = await h.login(srv.baseURL);
		const seconds = Math.max(T, 3);
		const runs = Promise.all([
			h.loadgen(`${srv.baseURL}/api/login`, { conns: 64, seconds, method: 'POST',
			    headers: [JSON_CT], body: LOGIN }),
			// Writers from the web side as well: PATCH takes the write lock.
			h.loadgen(`${srv.baseURL}/api/profile`, { conns: 8, seconds, method: 'PATCH',
			    body: { name: 'Busy Writer' },
			    headers: [`Cookie: ${cookie}`, `X-CSRF-TOKEN: ${csrf}`, JSON_CT] }),
		]);
		// Meanwhile: add, change the password of, and delete accounts.
		const expect = new Map();
		const until = Date.now() + seconds * 1000 - 500;
		let i = 0;
		const failures = [];
		const run = (args, input) => {
			const r = srv.tool(args, input);
			if (r.status !== 0) failures.push(`${args.join(' ')}: ${r.status} ${r.stderr}`);
			return r;
		};
		while (Date.now() < until || i < 6) {
			const email = `admin${i}@example.com`;
			run(['user', 'add', email, '--name', `Admin ${i}`, '--password-stdin'], 'first-password\n');
			expect.set(email, 'first-password');
			if (i % 2 === 0) {
				run(['user', 'passwd', email, '--password-stdin'], 'second-password\n');
				expect.set(email, 'second-password');
			}
			if (i % 3 === 2) {
				run(['user', 'del', email]);
				expect.delete(email);
			}
			i++;
			await h.sleep(20);
		}
		const [l, w] = await runs;
		report('login during admin changes', l);
		report('PATCH during admin changes', w);
		console.log(`# ${i} accounts added, ${Math.ceil(i / 2)} passwords changed, ${Math.floor((i + 1) / 3)} deleted`);
		assert.deepEqual(failures, []);
		assert.equal(l.errors, 0);
		assert.equal(l.ok, l.requests, `login statuses ${JSON.stringify(l.status)}`);
		assert.equal(w.errors, 0);
		assert.equal(w.ok, w.requests, `PATCH statuses ${JSON.stringify(w.status)}`);
		assert.doesNotMatch(srv.log(), /database is locked|SQLITE_BUSY/);

		// Every change is there: each account as the tool left it.
		assert.equal(h.userCount(srv.db), expect.size + 1);
		for (let k = 0; k < i; k++) {
			const email = `admin${k}@example.com`;
			const res = await h.request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: { email, password: expect.get(email) ?? 'first-password' } });
			assert.equal(res.status, expect.has(email) ? 200 : 401, `${email}: ${res.body}`);
			if (k % 2 === 0 && expect.has(email)) {
				const old = await h.request(srv.baseURL, { method: 'POST', path: '/api/login',
				    body: { email, password: 'first-password' } });
				assert.equal(old.status, 401, `${email} still takes the old password`);
			}
			if (k >= 4) break;	// a sample: each login costs a hash
		}
		assert.equal(h.integrity(srv.db), 'ok');
	});
});
