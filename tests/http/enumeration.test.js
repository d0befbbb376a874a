// Whether an account exists must not show in the time of an answer that
// says nothing else: POST /api/password/forgot and POST /api/signup do
// the same store work before their answer for an account that exists, one
// that does not, a disabled one, a pending one and an invited one.  Wall
// time is too noisy to test; what the FastCGI process writes to its store
// before it writes the answer is not: strace follows the one process of
// password.fcgi (signup.fcgi), and the writes it makes to the database
// (pwrite64 and fsync for SQLite, sendto to the server for PostgreSQL) up
// to the answer's "Status: 202" must be the same, call for call and byte
// for byte, whatever the account.  What the mail job (a child process)
// does afterwards is its own.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const { kinds } = require('../lib/server.js');
const { request } = require('../lib/http.js');
const { startMailSite } = require('../lib/mailsite.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The pid of program's FastCGI process serving the server of config. */
function fcgiPid(program, config) {
	const found = [];
	for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
		try {
			const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0];
			if (path.basename(cmd) !== `${program}.fcgi`) continue;
			const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
			if (env.includes(`LATCHKEY_CONFIG=${config}`)) found.push(Number(pid));
		} catch { /* gone, or not ours */ }
	}
	assert.equal(found.length, 1, `one ${program}.fcgi process for ${config}: ${found}`);
	return found[0];
}

/**
 * The store writes process pid makes while it serves send() (a request),
 * up to its answer: ["pwrite64 4120", "fdatasync", "sendto 213", ...].
 */
async function writesBeforeAnswer(pid, dir, send) {
	const out = path.join(dir, `strace-${pid}-${Date.now()}.txt`);
	// Not -f: the mail job, a child forked after the answer, is not traced.
	const tracer = spawn('strace', ['-qq', '-s', '64', '-o', out, '-p', String(pid),
	    '-e', 'trace=pwrite64,pwritev,fsync,fdatasync,sendto,write,writev'],
	    { stdio: ['ignore', 'ignore', 'pipe'] });
	let err = '';
	tracer.stderr.on('data', (d) => { err += d; });
	// Attached once the process says it has a tracer.
	for (let i = 0; ; i++) {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		if (!/^TracerPid:\s+0$/m.test(status)) break;
		assert.ok(i < 200, `strace did not attach: ${err}`);
		await sleep(25);
	}
	const res = await send();
	// Let the process finish its answer and whatever follows it.
	await sleep(300);
	tracer.kill('SIGINT');
	await once(tracer, 'exit');
	const lines = fs.readFileSync(out, 'utf8').split('\n');
	fs.rmSync(out, { force: true });
	const calls = [];
	for (const line of lines) {
		const m = /^(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
		if (!m) continue;
		const [, name, args, ret] = m;
		if (/^write/.test(name)) {
			if (/Status: \d{3}/.test(args)) break;	// the answer
			continue;				// the log, to the web server
		}
		calls.push(/sync$/.test(name) ? name : `${name} ${ret}`);
	}
	return { res, calls };
}

const stores = kinds().filter((k) => k === 'lighttpd' || k === 'lighttpd-pg');

for (const kind of stores) {
	describe(`asking for a link writes the same before its answer, on ${kind}`, () => {
		let site, srv;
		before(async () => {
			site = await startMailSite({ kind, config: 'signup = open\n' });
			srv = site.srv;
			const add = (email, password) => assert.equal(srv.tool(['user', 'add', email, '--name', 'N',
			    '--password-stdin'], `${password}\n`).status, 0);
			add('known1@example.com', 'known pw 1234');
			add('offoff@example.com', 'off pw 123456');
			assert.equal(srv.tool(['user', 'disable', 'offoff@example.com']).status, 0);
			assert.equal(srv.tool(['user', 'invite', 'invite@example.com', '--print-link']).status, 0);
		});
		after(async () => { await site?.stop(); });

		// Addresses of one length: the throttle's keys hold them.
		const accounts = ['known1@example.com', 'unkno1@example.com', 'offoff@example.com',
		    'invite@example.com'];

		for (const [program, route, body] of [
			['password', '/api/password/forgot', (email) => ({ email })],
			['signup', '/api/signup', (email) => ({ email, name: 'Sam' })],
		]) {
			it(`${route}: the same writes for every kind of account`, async () => {
				// A first request opens the store and prepares what it needs.
				await request(srv.baseURL, { method: 'POST', path: route, body: body('warmup@example.com') });
				await sleep(300);
				const pid = fcgiPid(program, srv.config);
				const seen = [];
				for (const email of accounts) {
					const { res, calls } = await writesBeforeAnswer(pid, srv.dir,
					    () => request(srv.baseURL, { method: 'POST', path: route, body: body(email) }));
					assert.equal(res.status, 202, res.body);
					assert.equal(res.body, '{"sent":true}\n');
					assert.ok(calls.length > 0, `no store write seen for ${email}`);
					seen.push({ email, calls });
				}
				for (const s of seen.slice(1))
					assert.deepEqual(s.calls, seen[0].calls, `${s.email} against ${seen[0].email}`);
				// The links themselves were recorded, after the answers.
				await site.mailTo(route === '/api/signup' ? 'unkno1@example.com' : 'known1@example.com');
			});
		}
	});
}
