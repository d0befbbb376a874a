// The security notices of second factors and passkeys: a user hears by
// mail when two-step verification is turned on or off (by them, or by an
// administrator's `latchkey user mfa reset`) and when a passkey is added
// or removed, unless its notice_* switch is off.  Mail goes through msmtp
// to a real SMTP server (tests/lib/mailsite.js); codes and passkeys are
// the tests' own (tests/lib/totp.js, tests/lib/authenticator.js).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { request, cookiesFrom } = require('../lib/http.js');
const { startMailSite } = require('../lib/mailsite.js');
const { totp, base32Decode } = require('../lib/totp.js');
const { Authenticator } = require('../lib/authenticator.js');

const stepOf = () => Math.floor(Date.now() / 1000 / 30);

function session(res) {
	assert.equal(res.status, 200, res.body);
	const c = cookiesFrom(res.setCookies);
	return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token };
}

const post = (srv, s, path, body, method = 'POST') => request(srv.baseURL, { method, path, body,
    cookie: s?.cookie, headers: s ? { 'X-CSRF-TOKEN': s.csrf } : {} });

function addUser(srv, email, password) {
	const r = srv.tool(['user', 'add', email, '--name', 'Noa Tice', '--password-stdin'], `${password}\n`);
	assert.equal(r.status, 0, r.stderr);
}

async function enrol(srv, s, password) {
	const setup = await post(srv, s, '/api/mfa/totp/setup', { password });
	assert.equal(setup.status, 200, setup.body);
	const secret = base32Decode(setup.json().secret);
	const step = stepOf();
	const on = await post(srv, s, '/api/mfa/totp/enable', { code: totp(secret, step) });
	assert.equal(on.status, 200, on.body);
	return { secret, step };
}

function assertNotice(msg, subject, line) {
	assert.equal(msg.subject, subject);
	assert.deepEqual(msg.to, [{ name: 'Noa Tice', address: msg.to[0].address }]);
	assert.match(msg.body, line);
	assert.match(msg.body, /from the address 127\.0\.0\.1|latchkey user mfa reset|on \w+/);
}

describe('notices of second factors and passkeys (lighttpd)', () => {
	let site;
	let srv;
	before(async () => {
		site = await startMailSite({ kind: 'lighttpd' });
		srv = site.srv;
	});
	after(async () => { await site?.stop(); });

	it('tells of two-step verification turned on and off, by the user and by latchkey user mfa reset', async () => {
		const email = 'totp-notice@example.com';
		addUser(srv, email, 'notice pw 12345');
		const s = session(await post(srv, null, '/api/login', { email, password: 'notice pw 12345' }));
		const { secret, step } = await enrol(srv, s, 'notice pw 12345');
		const on = await site.mailTo(email);
		assertNotice(on, 'Two-step verification turned on for latchkey',
		    /Two-step verification was turned on for your latchkey account, totp-notice@example\.com on .*, from the address 127\.0\.0\.1\./);
		assert.match(on.body, /Logging in now asks for a code as well as the password\./);
		// Off by the user, with a later code.
		let next = step + 1;
		while (stepOf() < next) await new Promise((r) => setTimeout(r, 200));
		const off = await post(srv, s, '/api/mfa/totp/disable', { password: 'notice pw 12345', code: totp(secret, next) });
		assert.equal(off.status, 200, off.body);
		assertNotice(await site.mailTo(email), 'Two-step verification turned off for latchkey',
		    /Two-step verification was turned off for your latchkey account, totp-notice@example\.com on .*, from the address 127\.0\.0\.1\./);
		// Off by an administrator: no client address, the same notice.
		await enrol(srv, s, 'notice pw 12345');
		await site.mailTo(email);
		const r = srv.tool(['user', 'mfa', 'reset', email]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `user ${email}: second factor reset (no passkeys)\n`);
		assert.equal(r.stderr, '');
		const byTool = await site.mailTo(email);
		assert.equal(byTool.subject, 'Two-step verification turned off for latchkey');
		assert.doesNotMatch(byTool.body, /from the address/);
		// Nothing to take away: nothing to tell.
		assert.equal(srv.tool(['user', 'mfa', 'reset', email]).status, 0);
		await new Promise((res) => setTimeout(res, 500));
		assert.equal(site.mailsTo(email).length, 4);
	});

	it('tells of a passkey added and removed', async () => {
		const email = 'passkey-notice@example.com';
		addUser(srv, email, 'notice pw 12345');
		const s = session(await post(srv, null, '/api/login', { email, password: 'notice pw 12345' }));
		const opts = await post(srv, s, '/api/webauthn/register/options', {});
		assert.equal(opts.status, 200, opts.body);
		const key = new Authenticator({ alg: -7 });
		const res = await post(srv, s, '/api/webauthn/register', key.register(opts.json(), { origin: srv.baseURL }));
		assert.equal(res.status, 200, res.body);
		assertNotice(await site.mailTo(email), 'A passkey was added to your latchkey account',
		    /A passkey was added to your latchkey account, passkey-notice@example\.com on .*, from the address 127\.0\.0\.1\./);
		const del = await post(srv, s, `/api/webauthn/credentials/${res.json().credential.id}`, undefined, 'DELETE');
		assert.equal(del.status, 200, del.body);
		const removed = await site.mailTo(email);
		assertNotice(removed, 'A passkey was removed from your latchkey account',
		    /A passkey was removed from your latchkey account, passkey-notice@example\.com on .*, from the address 127\.0\.0\.1\./);
		assert.match(removed.body, /It can no longer sign in to the account\./);
	});
});

/** Add a passkey to s's account and remove it: two notices. */
async function addAndRemove(srv, s) {
	const opts = await post(srv, s, '/api/webauthn/register/options', {});
	assert.equal(opts.status, 200, opts.body);
	const key = new Authenticator({ alg: -7 });
	const res = await post(srv, s, '/api/webauthn/register', key.register(opts.json(), { origin: srv.baseURL }));
	assert.equal(res.status, 200, res.body);
	const del = await post(srv, s, `/api/webauthn/credentials/${res.json().credential.id}`, undefined, 'DELETE');
	assert.equal(del.status, 200, del.body);
}

describe('notices limited per account (lighttpd)', () => {
	let site;
	before(async () => { site = await startMailSite({ kind: 'lighttpd' }); });
	after(async () => { await site?.stop(); });

	it('sends five in 15 minutes, and makes every change all the same', async () => {
		const srv = site.srv;
		const email = 'loop-notice@example.com';
		addUser(srv, email, 'notice pw 12345');
		const s = session(await post(srv, null, '/api/login', { email, password: 'notice pw 12345' }));
		for (let i = 0; i < 4; i++) await addAndRemove(srv, s);
		for (let i = 0; i < 5; i++) await site.mailTo(email);
		await new Promise((r) => setTimeout(r, 500));
		assert.equal(site.mailsTo(email).length, 5);
		assert.match(srv.log(), /mail: passkey_(added|removed) to loop-notice@example\.com not sent: 5 notices to the account in 15 minutes already/);
		// Another account has its own count.
		addUser(srv, 'other-notice@example.com', 'notice pw 12345');
		const o = session(await post(srv, null, '/api/login', { email: 'other-notice@example.com', password: 'notice pw 12345' }));
		await addAndRemove(srv, o);
		await site.mailTo('other-notice@example.com');
		await site.mailTo('other-notice@example.com');
	});
});

describe('a mail command that hangs, under a passkey loop (lighttpd)', () => {
	let site;
	before(async () => { site = await startMailSite({ kind: 'lighttpd', mailCommand: '/usr/bin/sleep 20' }); });
	after(async () => { await site?.stop(); });

	it('stalls neither the looping user nor anyone else', async () => {
		const srv = site.srv;
		addUser(srv, 'looper@example.com', 'notice pw 12345');
		const s = session(await post(srv, null, '/api/login', { email: 'looper@example.com', password: 'notice pw 12345' }));
		for (let i = 0; i < 10; i++) {
			const t0 = Date.now();
			await addAndRemove(srv, s);
			const ms = Date.now() - t0;
			assert.ok(ms < 3000, `round ${i + 1} took ${ms} ms`);
		}
		// Another user's passkey sign-in starts at once on the same program.
		const t0 = Date.now();
		const res = await post(srv, null, '/api/webauthn/login/options', {});
		assert.equal(res.status, 200, res.body);
		assert.ok(Date.now() - t0 < 2000, `another user waited ${Date.now() - t0} ms`);
	});
});

describe('notices switched off (lighttpd)', () => {
	let site;
	before(async () => {
		site = await startMailSite({ kind: 'lighttpd', config: 'notice_second_factor = false\nnotice_passkey = off\n' });
	});
	after(async () => { await site?.stop(); });

	it('sends none of them', async () => {
		const srv = site.srv;
		const email = 'quiet@example.com';
		addUser(srv, email, 'quiet pw 123456');
		const s = session(await post(srv, null, '/api/login', { email, password: 'quiet pw 123456' }));
		await enrol(srv, s, 'quiet pw 123456');
		const opts = await post(srv, s, '/api/webauthn/register/options', {});
		const key = new Authenticator({ alg: -7 });
		assert.equal((await post(srv, s, '/api/webauthn/register', key.register(opts.json(), { origin: srv.baseURL }))).status, 200);
		assert.equal(srv.tool(['user', 'mfa', 'reset', email]).status, 0);
		// A password change still tells (its own switch is on): the mail that comes is that one.
		const pw = await post(srv, s, '/api/password', { current_password: 'quiet pw 123456', new_password: 'quiet pw 654321' });
		assert.equal(pw.status, 200, pw.body);
		const msg = await site.mailTo(email);
		assert.match(msg.subject, /password was changed/);
		assert.equal(site.mailsTo(email).length, 1);
	});
});
