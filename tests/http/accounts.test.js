// Accounts by mail (issue 15) against real servers of every kind: the
// mail goes through msmtp (the sendmail interface) to a real SMTP server
// on loopback, and the tests follow the links in what arrived.  Password
// reset for known, unknown and disabled accounts alike; links used once,
// expired, of another account, replaced by a newer request or a password
// change; a Host header that tries to change the link; CR/LF and
// non-ASCII in names and emails; sessions ended by a reset; throttling;
// invitations (latchkey user invite) and sign-up; a failing mail command.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { kinds, DEMO } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');
const { startMailSite, linkIn, SITE_URL, FROM } = require('../lib/mailsite.js');
const { freePort } = require('../lib/net.js');

const JSON_CT = 'application/json';
const INVALID = '{"msg":"This link is invalid or has expired"}\n';
const SENT = '{"sent":true}\n';

function assertJson(res, status, body) {
	assert.equal(res.status, status, `status for ${res.body}`);
	assert.equal(res.headers['content-type'], JSON_CT);
	assert.equal(res.headers['cache-control'], 'no-store');
	assert.equal(res.body, body);
}

const post = (srv, path, body, opts = {}) => request(srv.baseURL, { method: 'POST', path, body, ...opts });
const forgot = (srv, email, opts) => post(srv, '/api/password/forgot', { email }, opts);
const reset = (srv, token, password, opts) => post(srv, '/api/password/reset', { token, password }, opts);
const accept = (srv, token, password) => post(srv, '/api/invite/accept', { token, password });

async function login(srv, email, password) {
	const res = await post(srv, '/api/login', { email, password });
	const c = cookiesFrom(res.setCookies);
	return { status: res.status, c,
	    cookie: `access_token_cookie=${c.access_token_cookie}; csrf_access_token=${c.csrf_access_token}` };
}

function addUser(srv, email, name, password) {
	const r = srv.tool(['user', 'add', email, '--name', name, '--password-stdin'], `${password}\n`);
	assert.equal(r.status, 0, r.stderr);
}

// Headers that say something about the answer (framing is the server's).
function shape(res) {
	const framing = ['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'];
	return Object.keys(res.headers).filter((h) => !framing.includes(h)).sort();
}

async function eventually(check, ms = 5000) {
	const end = Date.now() + ms;
	for (;;) {
		try { return check(); } catch (err) { if (Date.now() > end) throw err; }
		await new Promise((r) => setTimeout(r, 50));
	}
}

// Base32 (RFC 4648) and RFC 6238 TOTP, for the second-factor case.
function totp(secret, t = Date.now()) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = '';
	for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
	const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(t / 30000)));
	const h = crypto.createHmac('sha1', key).update(counter).digest();
	const o = h[19] & 15;
	return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

for (const kind of kinds()) {
	describe(`accounts by mail on ${kind}`, () => {
		let site, srv;
		before(async () => {
			site = await startMailSite({ kind, config: 'signup = open\n' });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		it('GET /api/settings says that mail can be sent', async () => {
			assertJson(await request(srv.baseURL, { path: '/api/settings' }), 200,
			    '{"admin":true,"mail":true,"name_max":100,"password_min":8}\n');
		});

		describe('POST /api/password/forgot', () => {
			it('answers a known, an unknown and a disabled account alike, with the same work', async () => {
				addUser(srv, 'known@example.com', 'Known', 'known pw 123');
				addUser(srv, 'off@example.com', 'Off', 'off pw 1234');
				assert.equal(srv.tool(['user', 'disable', 'off@example.com']).status, 0);
				const shapes = [];
				for (const email of ['known@example.com', 'unknown@example.com', 'off@example.com']) {
					const res = await forgot(srv, email);
					assertJson(res, 202, SENT);
					assert.deepEqual(res.setCookies, []);
					shapes.push(shape(res));
				}
				for (const s of shapes) assert.deepEqual(s, shapes[0]);
				// One token hashed for each, mail or not.
				await eventually(() => {
					for (const email of ['known@example.com', 'unknown@example.com', 'off@example.com'])
						assert.match(srv.log(), new RegExp(`event="reset_requested" time="\\d+" addr="127\\.0\\.0\\.1" user="${email}" hashes="1"\\n`));
				});
				const msg = await site.mailTo('known@example.com');
				assert.deepEqual(msg.defects, []);
				assert.equal(msg.mailFrom, FROM);
				assert.deepEqual(msg.from, { name: 'latchkey', address: FROM });
				assert.deepEqual(msg.to, [{ name: 'Known', address: 'known@example.com' }]);
				assert.equal(msg.subject, 'Reset your password on latchkey');
				const link = linkIn(msg);
				assert.equal(link.site, SITE_URL);
				assert.equal(link.page, 'reset');
				// Only the known account got mail, and only one.
				await new Promise((r) => setTimeout(r, 300));
				assert.equal(site.mailsTo('known@example.com').length, 1);
				assert.equal(site.mailsTo('unknown@example.com').length, 0);
				assert.equal(site.mailsTo('off@example.com').length, 0);
			});

			it('builds the link from site_url whatever Host the request names', async () => {
				addUser(srv, 'host@example.com', 'Host', 'host pw 1234');
				const res = await forgot(srv, 'host@example.com', { headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' } });
				assertJson(res, 202, SENT);
				const msg = await site.mailTo('host@example.com');
				assert.equal(linkIn(msg).site, SITE_URL);
				assert.doesNotMatch(msg.raw.toString('latin1'), /evil/);
			});

			it('keeps CR/LF out of the headers and non-ASCII names intact', async () => {
				const res = await forgot(srv, 'known@example.com\r\nBcc: evil@example.net');
				assertJson(res, 202, SENT);
				addUser(srv, 'elodie@example.org', 'Élodie Dupont 🔑', 'elodie pw 12');
				assertJson(await forgot(srv, 'elodie@example.org'), 202, SENT);
				const msg = await site.mailTo('elodie@example.org');
				assert.deepEqual(msg.defects, []);
				assert.deepEqual(msg.to, [{ name: 'Élodie Dupont 🔑', address: 'elodie@example.org' }]);
				assert.match(msg.body, /^Hello Élodie Dupont 🔑,\n/);
				// An address mail cannot reach (no SMTPUTF8): the same answer, no mail.
				addUser(srv, 'é@example.org', 'E', 'eacute pw 12');
				assertJson(await forgot(srv, 'é@example.org'), 202, SENT);
				await new Promise((r) => setTimeout(r, 300));
				assert.equal(site.smtp.messages().filter((m) => m.rcptTo.some((r) => /evil/.test(r))).length, 0);
				assert.equal(site.mailsTo('é@example.org').length, 0);
			});

			it('throttles per account, known or not, apart from logins', async () => {
				addUser(srv, 'many@example.com', 'Many', 'many pw 1234');
				for (const email of ['many@example.com', 'nomany@example.com']) {
					for (let i = 0; i < 5; i++) assertJson(await forgot(srv, email), 202, SENT);
					const res = await forgot(srv, email.toUpperCase());
					assertJson(res, 429, '{"msg":"Too many requests, try again later"}\n');
					const wait = Number(res.headers['retry-after']);
					assert.ok(wait >= 1 && wait <= 900, `Retry-After ${res.headers['retry-after']}`);
				}
				assert.equal((await login(srv, 'many@example.com', 'many pw 1234')).status, 200);
			});
		});

		describe('POST /api/password/reset', () => {
			async function linkFor(email) {
				assertJson(await forgot(srv, email), 202, SENT);
				return linkIn(await site.mailTo(email)).token;
			}

			it('sets the password once, ends every session and sends the notice', async () => {
				addUser(srv, 'reset@example.com', 'Reset Me', 'old pw 12345');
				const s = await login(srv, 'reset@example.com', 'old pw 12345');
				assert.equal(s.status, 200);
				const token = await linkFor('reset@example.com');
				const res = await reset(srv, token, 'a new pw 12345');
				assertJson(res, 200, '{"reset":true}\n');
				// This browser's cookies are cleared with every session.
				assert.ok(res.setCookies.some((c) => /^access_token_cookie=; .*Max-Age=0/.test(c)));
				assert.equal((await login(srv, 'reset@example.com', 'old pw 12345')).status, 401);
				assert.equal((await login(srv, 'reset@example.com', 'a new pw 12345')).status, 200);
				// Sessions from before: the access and the refresh token.
				assertJson(await request(srv.baseURL, { path: '/api/profile', cookie: s.cookie }), 401,
				    '{"msg":"Token has been revoked"}\n');
				assertJson(await post(srv, '/api/refresh', {}, {
					cookie: `refresh_token_cookie=${s.c.refresh_token_cookie}`,
					headers: { 'X-CSRF-TOKEN': s.c.csrf_refresh_token } }), 401,
				    '{"msg":"Token has been revoked"}\n');
				assertJson(await reset(srv, token, 'another pw 1234'), 400, INVALID);
				const notice = await site.mailTo('reset@example.com');
				assert.equal(notice.subject, 'Your latchkey password was reset');
				assert.match(notice.body, /was reset through a link sent to this address, on \d{4}-\d\d-\d\d \d\d:\d\d UTC, from the address 127\.0\.0\.1\. Every session of the account was logged out\./);
				assert.match(notice.body, /reset your password now at https:\/\/login\.example\.com\/forgot /);
			});

			it('refuses an expired, an unknown and a malformed link', async () => {
				addUser(srv, 'late@example.com', 'Late', 'late pw 12345');
				const token = await linkFor('late@example.com');
				const hash = crypto.createHash('sha256').update(Buffer.from(token, 'base64url')).digest('hex');
				// The store keeps the token's hash only.
				assert.equal(srv.sql(`SELECT count(*) FROM account_tokens WHERE hash = '${hash}'`), '1');
				assert.equal(srv.sql(`SELECT count(*) FROM account_tokens WHERE hash = '${token}'`), '0');
				srv.sql(`UPDATE account_tokens SET expires = created WHERE hash = '${hash}'`);
				assertJson(await reset(srv, token, 'late new pw 123'), 400, INVALID);
				assertJson(await reset(srv, crypto.randomBytes(32).toString('base64url'), 'x new pw 12345'), 400, INVALID);
				for (const bad of ['', 'x', `${token}=`, token.slice(1), token.replace(/./, '+')])
					assertJson(await reset(srv, bad, 'x new pw 12345'), 400, INVALID);
				assertJson(await post(srv, '/api/password/reset', { password: 'x' }), 400, '{"msg":"Missing field \\"token\\""}\n');
				assert.equal((await login(srv, 'late@example.com', 'late pw 12345')).status, 200);
			});

			it('sets the password of the link\'s account only', async () => {
				addUser(srv, 'ann@example.com', 'Ann', 'ann pw 123456');
				addUser(srv, 'bob@example.com', 'Bob', 'bob pw 123456');
				const annToken = await linkFor('ann@example.com');
				const bobToken = await linkFor('bob@example.com');
				// An email in the body changes nothing: the token decides.
				assertJson(await post(srv, '/api/password/reset', { token: annToken, password: 'ann new 12345',
				    email: 'bob@example.com' }), 200, '{"reset":true}\n');
				assert.equal((await login(srv, 'ann@example.com', 'ann new 12345')).status, 200);
				assert.equal((await login(srv, 'bob@example.com', 'bob pw 123456')).status, 200);
				assert.equal((await login(srv, 'bob@example.com', 'ann new 12345')).status, 401);
				// Bob's own link still works.
				assertJson(await reset(srv, bobToken, 'bob new 12345'), 200, '{"reset":true}\n');
			});

			it('is replaced by a newer request and voided by a password change', async () => {
				addUser(srv, 'twice@example.com', 'Twice', 'twice pw 1234');
				const first = await linkFor('twice@example.com');
				const second = await linkFor('twice@example.com');
				assert.notEqual(first, second);
				assertJson(await reset(srv, first, 'twice new 1234'), 400, INVALID);
				const third = await linkFor('twice@example.com');
				assertJson(await reset(srv, second, 'twice new 1234'), 400, INVALID);
				const s = await login(srv, 'twice@example.com', 'twice pw 1234');
				const res = await post(srv, '/api/password', { current_password: 'twice pw 1234',
				    new_password: 'twice changed 12' }, { cookie: s.cookie, headers: { 'X-CSRF-TOKEN': s.c.csrf_access_token } });
				assertJson(res, 200, '{"password":true}\n');
				assertJson(await reset(srv, third, 'twice new 1234'), 400, INVALID);
				const notice = await site.mailTo('twice@example.com');
				assert.equal(notice.subject, 'Your latchkey password was changed');
				assert.match(notice.body, /Every other session of the account was logged out\./);
			});

			it('applies the password policy and keeps the link for another try', async () => {
				addUser(srv, 'policy@example.com', 'Policy', 'policy pw 1234');
				const token = await linkFor('policy@example.com');
				assertJson(await reset(srv, token, 'short'), 400, '{"msg":"The password must have at least 8 characters"}\n');
				assertJson(await reset(srv, token, 'password123'), 400, '{"msg":"The password is too common"}\n');
				assertJson(await reset(srv, token, 'policy@example.com'), 400,
				    '{"msg":"The password must not be the email address"}\n');
				assertJson(await reset(srv, token, 'policy new 1234'), 200, '{"reset":true}\n');
			});

			it('asks for the second factor of an account that has one, and spends it', async () => {
				addUser(srv, 'mfa@example.com', 'Mfa', 'mfa pw 123456');
				const s = await login(srv, 'mfa@example.com', 'mfa pw 123456');
				const csrf = { 'X-CSRF-TOKEN': s.c.csrf_access_token };
				const setup = await post(srv, '/api/mfa/totp/setup', { password: 'mfa pw 123456' }, { cookie: s.cookie, headers: csrf });
				assert.equal(setup.status, 200, setup.body);
				const { secret } = setup.json();
				const enable = await post(srv, '/api/mfa/totp/enable', { code: totp(secret) }, { cookie: s.cookie, headers: csrf });
				assert.equal(enable.status, 200, enable.body);
				const { recovery_codes: codes } = enable.json();
				assert.equal((await site.mailTo('mfa@example.com')).subject, 'Two-step verification turned on for latchkey');
				const token = await linkFor('mfa@example.com');
				// Without a code: nothing is reset, the link stays good.
				assertJson(await reset(srv, token, 'mfa new pw 1234'), 401,
				    '{"mfa_required":["totp","recovery_code"],"reset":false}\n');
				assertJson(await post(srv, '/api/password/reset', { token, password: 'mfa new pw 1234', code: '000000' }),
				    401, '{"msg":"Invalid code"}\n');
				assert.equal((await login(srv, 'mfa@example.com', 'mfa new pw 1234')).status, 401);
				assertJson(await post(srv, '/api/password/reset', { token, password: 'mfa new pw 1234',
				    recovery_code: codes[0] }), 200, '{"reset":true}\n');
				// The password alone still does not get in: the factor stays.
				const again = await post(srv, '/api/login', { email: 'mfa@example.com', password: 'mfa new pw 1234' });
				assert.equal(again.json().mfa_required?.includes('totp'), true);
				assert.match((await site.mailTo('mfa@example.com')).subject, /password was reset$/);
				// The recovery code was spent with the reset: it finishes no login.
				const pending = cookiesFrom(again.setCookies).mfa_pending;
				assert.ok(pending);
				const step2 = (code) => post(srv, '/api/login/mfa', { recovery_code: code }, { cookie: `mfa_pending=${pending}` });
				assertJson(await step2(codes[0]), 401, '{"msg":"Invalid code"}\n');
				assert.equal((await step2(codes[1])).status, 200);
			});
		});

		describe('invitations', () => {
			it('latchkey user invite mails a link that activates the account and logs in', async () => {
				const r = srv.tool(['user', 'invite', 'nina@example.com', '--name', 'Nina Néw']);
				assert.equal(r.status, 0, r.stderr);
				assert.equal(r.stdout, 'user nina@example.com: invited (the link is mailed)\n');
				assert.match(srv.tool(['user', 'list']).stdout, /^nina@example\.com\tpending\tNina Néw\t$/m);
				// Pending: it cannot log in, nor ask for a reset link.
				assert.equal((await login(srv, 'nina@example.com', '')).status, 401);
				const msg = await site.mailTo('nina@example.com');
				assert.equal(msg.subject, 'You are invited to latchkey');
				assert.deepEqual(msg.to, [{ name: 'Nina Néw', address: 'nina@example.com' }]);
				const { page, token, site: from } = linkIn(msg);
				assert.equal(page, 'invite');
				assert.equal(from, SITE_URL);
				assert.match(msg.body, /within 7 days:/);
				// A reset is no way to use it, nor it a way to reset.
				assertJson(await reset(srv, token, 'nina pw 123456'), 400, INVALID);
				const res = await accept(srv, token, 'nina pw 123456');
				assertJson(res, 200, '{"login":true}\n');
				assert.equal(res.setCookies.length, 4);
				const c = cookiesFrom(res.setCookies);
				assertJson(await request(srv.baseURL, { path: '/api/profile',
				    cookie: `access_token_cookie=${c.access_token_cookie}` }), 200,
				    '{"email":"nina@example.com","groups":[],"name":"Nina N\\u00e9w"}\n');
				assertJson(await accept(srv, token, 'nina pw 654321'), 400, INVALID);
				assert.match(srv.tool(['user', 'list']).stdout, /^nina@example\.com\tenabled\tNina Néw\t$/m);
				// An account that has a password is not invited again.
				const again = srv.tool(['user', 'invite', 'nina@example.com']);
				assert.equal(again.status, 1);
				assert.match(again.stderr, /user nina@example\.com exists/);
				// Mail reaches plain ASCII addresses: nothing is written for another.
				const wide = srv.tool(['user', 'invite', 'ü@example.org']);
				assert.equal(wide.status, 1);
				assert.equal(wide.stderr, "latchkey: mail cannot reach 'ü@example.org' (a plain ASCII address " +
				    'is needed): use --print-link\n');
				assert.doesNotMatch(srv.tool(['user', 'list']).stdout, /^ü@example\.org/m);
			});

			it('--print-link prints the link and mails nothing; a newer invitation replaces it', async () => {
				const r = srv.tool(['user', 'invite', 'olga@example.com', '--print-link']);
				assert.equal(r.status, 0, r.stderr);
				const m = /^https:\/\/login\.example\.com\/invite#([A-Za-z0-9_-]{43})\n$/.exec(r.stdout);
				assert.ok(m, r.stdout);
				const r2 = srv.tool(['user', 'invite', 'olga@example.com', '--print-link']);
				const token2 = /#([A-Za-z0-9_-]{43})\n$/.exec(r2.stdout)[1];
				assertJson(await accept(srv, m[1], 'olga pw 123456'), 400, INVALID);
				assertJson(await accept(srv, token2, 'short'), 400, '{"msg":"The password must have at least 8 characters"}\n');
				assertJson(await accept(srv, token2, 'olga pw 123456'), 200, '{"login":true}\n');
				await new Promise((res) => setTimeout(res, 300));
				assert.equal(site.mailsTo('olga@example.com').length, 0);
				// The name defaults to the email's part before '@'.
				assert.match(srv.tool(['user', 'list']).stdout, /^olga@example\.com\tenabled\tolga\t$/m);
			});

			it('/api/invite alone is not found', async () => {
				assertJson(await post(srv, '/api/invite', {}), 404, '{"msg":"Not found"}\n');
			});
		});

		describe('POST /api/signup', () => {
			it('answers alike for new and existing addresses, mailing each what applies', async () => {
				const fresh = await post(srv, '/api/signup', { email: 'sam@example.com', name: 'Sam' });
				assertJson(fresh, 202, SENT);
				const existing = await post(srv, '/api/signup', { email: DEMO.email, name: 'Mallory' });
				assertJson(existing, 202, SENT);
				assert.deepEqual(shape(existing), shape(fresh));
				const welcome = await site.mailTo('sam@example.com');
				assert.equal(welcome.subject, 'Confirm your address for latchkey');
				// Nothing the requester chose reaches an unconfirmed address.
				assert.deepEqual(welcome.to, [{ name: '', address: 'sam@example.com' }]);
				assert.match(welcome.body, /^Hello sam@example\.com,\n/);
				const { page, token } = linkIn(welcome);
				assert.equal(page, 'invite');
				const told = await site.mailTo(DEMO.email);
				assert.equal(told.subject, 'Your latchkey account');
				assert.match(told.body, /but it has one already\./);
				assert.doesNotMatch(told.body, /invite#/);
				// The existing account is untouched.
				assert.equal((await login(srv, DEMO.email, DEMO.password)).status, 200);
				assertJson(await request(srv.baseURL, { path: '/api/profile',
				    cookie: (await login(srv, DEMO.email, DEMO.password)).cookie }), 200,
				    '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
				assertJson(await accept(srv, token, 'sam pw 1234567'), 200, '{"login":true}\n');
				assert.equal((await login(srv, 'sam@example.com', 'sam pw 1234567')).status, 200);
			});

			it('never voids an invitation, and answers for it as for any address', async () => {
				const r = srv.tool(['user', 'invite', 'ivy@example.com', '--name', 'Ivy']);
				assert.equal(r.status, 0, r.stderr);
				const invited = linkIn(await site.mailTo('ivy@example.com'));
				const a = await post(srv, '/api/signup', { email: 'ivy@example.com', name: 'Mallory' });
				const b = await post(srv, '/api/signup', { email: 'nobody-ivy@example.com', name: 'Mallory' });
				assertJson(a, 202, SENT);
				assertJson(b, 202, SENT);
				assert.deepEqual(shape(a), shape(b));
				await site.mailTo('nobody-ivy@example.com');
				// No mail for the invited address, and its name stands.
				await new Promise((res) => setTimeout(res, 300));
				assert.equal(site.mailsTo('ivy@example.com').length, 1);
				assert.match(srv.tool(['user', 'list']).stdout, /^ivy@example\.com\tpending\tIvy\t$/m);
				assertJson(await accept(srv, invited.token, 'ivy pw 1234567'), 200, '{"login":true}\n');
			});

			it('mails an unconfirmed address no text the requester chose', async () => {
				const name = 'URGENT: call +1 555 0100 or visit evil.example';
				assertJson(await post(srv, '/api/signup', { email: 'victim@example.com', name }), 202, SENT);
				const msg = await site.mailTo('victim@example.com');
				assert.deepEqual(msg.defects, []);
				assert.deepEqual(msg.to, [{ name: '', address: 'victim@example.com' }]);
				assert.match(msg.body, /^Hello victim@example\.com,\n/);
				assert.doesNotMatch(msg.raw.toString('latin1'), /URGENT|555|evil/);
			});

			it('refuses CR/LF and what mail cannot reach in the email and the name', async () => {
				for (const [body, msg] of [
					[{ email: 'a@example.com\r\nBcc: evil@example.net', name: 'A' },
					    'Field \\"email\\" must be an email address like name@example.com'],
					[{ email: 'é@example.org', name: 'A' }, 'Field \\"email\\" must be an email address like name@example.com'],
					[{ email: 'a@example.com', name: 'A\r\nBcc: evil@example.net' }, null],
					[{ email: 'a@example.com' }, 'Missing field \\"name\\"'],
				]) {
					const res = await post(srv, '/api/signup', body);
					assert.equal(res.status, 400, res.body);
					if (msg) assert.equal(res.body, `{"msg":"${msg}"}\n`);
				}
				await new Promise((r) => setTimeout(r, 300));
				assert.equal(site.smtp.messages().filter((m) => m.rcptTo.some((r) => /evil|^a@/.test(r))).length, 0);
			});
		});
	});

	describe(`sign-ups left unconfirmed, on ${kind}`, () => {
		let site, srv;
		before(async () => {
			site = await startMailSite({ kind, config: 'signup = open\n' });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		it('are pruned once their last link has expired; invitations stay', async () => {
			assertJson(await post(srv, '/api/signup', { email: 'late@example.com', name: 'Late' }), 202, SENT);
			assertJson(await post(srv, '/api/signup', { email: 'soon@example.com', name: 'Soon' }), 202, SENT);
			assert.equal(srv.tool(['user', 'invite', 'guest@example.com', '--print-link']).status, 0);
			await site.mailTo('late@example.com');
			await site.mailTo('soon@example.com');
			assert.match(srv.tool(['user', 'list']).stdout, /^late@example\.com\tpending\tLate\t$/m);
			// late's link and the invitation have expired; soon's has not.
			srv.sql("UPDATE account_tokens SET expires = created WHERE user_id IN (SELECT id FROM users " +
			    "WHERE email IN ('late@example.com', 'guest@example.com'))");
			// The store prunes inside a login (the login program's first one here).
			assert.equal((await login(srv, DEMO.email, DEMO.password)).status, 200);
			const list = srv.tool(['user', 'list']).stdout;
			assert.doesNotMatch(list, /^late@example\.com/m);
			assert.match(list, /^soon@example\.com\tpending\tSoon\t$/m);
			assert.match(list, /^guest@example\.com\tpending\t/m);
			// The address is free for a new sign-up.
			assertJson(await post(srv, '/api/signup', { email: 'late@example.com', name: 'Late Again' }), 202, SENT);
			const again = await site.mailTo('late@example.com');
			assert.equal(linkIn(again).page, 'invite');
		});
	});

	describe(`mail that cannot go out, on ${kind}`, () => {
		let site, srv;
		before(async () => {
			// msmtp, configured for a port where nothing listens.
			site = await startMailSite({ kind, mailPort: await freePort() });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		it('is logged with the mailer\'s exit status and never changes the answer', async () => {
			addUser(srv, 'nomail@example.com', 'No Mail', 'nomail pw 123');
			const a = await forgot(srv, 'nomail@example.com');
			const b = await forgot(srv, 'nobody-here@example.com');
			assertJson(a, 202, SENT);
			assertJson(b, 202, SENT);
			assert.deepEqual(shape(a), shape(b));
			if (kind === 'apache-cgi') {
				// Plain CGI: the outcome would hold the answer back; said so.
				await eventually(() => assert.match(srv.log(), /mail: reset_link to nomail@example\.com goes out after the answer \(process \d+\); under plain CGI its outcome is not logged/));
			} else {
				await eventually(() => assert.match(srv.log(),
				    /mail: reset_link to nomail@example\.com: the mail command failed: exited with status 75 \(EX_TEMPFAIL\)/), 15000);
			}
			assert.doesNotMatch(srv.log(), /reset#/);
		});
	});

	describe(`a slow mailer, on ${kind}`, () => {
		let site, srv;
		before(async () => {
			site = await startMailSite({ kind, mailCommand: '/usr/bin/sleep 3' });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		it('never holds up an answer, for the account or the next request', async () => {
			addUser(srv, 'slow@example.com', 'Slow', 'slow pw 12345');
			const t0 = Date.now();
			assertJson(await forgot(srv, 'slow@example.com'), 202, SENT);
			const t1 = Date.now();
			assertJson(await forgot(srv, 'nobody-slow@example.com'), 202, SENT);
			const t2 = Date.now();
			assert.ok(t1 - t0 < 1500, `the answer took ${t1 - t0} ms`);
			assert.ok(t2 - t1 < 1500, `the next answer took ${t2 - t1} ms`);
		});
	});

	describe(`a mail command that hangs, on ${kind}`, () => {
		let site, srv;
		before(async () => {
			site = await startMailSite({ kind, mailCommand: '/usr/bin/sleep 20' });
			srv = site.srv;
		});
		after(async () => { await site?.stop(); });

		it('never holds up the program: a full table of mail jobs drops the next mail, logged', async () => {
			// Twelve reset links to one FastCGI process (procs: 1 on lighttpd),
			// each a mail job that would run 20 s: every answer comes at once.
			for (let i = 0; i < 12; i++) addUser(srv, `hang${i}@example.com`, 'Hang', 'hang pw 12345');
			for (let i = 0; i < 12; i++) {
				const t0 = Date.now();
				assertJson(await forgot(srv, `hang${i}@example.com`), 202, SENT);
				const ms = Date.now() - t0;
				assert.ok(ms < 2000, `answer ${i + 1} took ${ms} ms`);
				// Each job records its link before it mails; on lighttpd's one
				// process the ninth and later find the table full.
				if (kind.startsWith('lighttpd'))
					await eventually(() => assert.equal(srv.sql('SELECT count(*) FROM account_tokens t ' +
					    `JOIN users u ON u.id = t.user_id WHERE u.email = 'hang${i}@example.com'`),
					    i < 8 ? '1' : '0'));
			}
			// And another user's request to the same program too.
			const t0 = Date.now();
			assertJson(await post(srv, '/api/password/reset', { token: 'x', password: 'y' }), 400, INVALID);
			assert.ok(Date.now() - t0 < 2000);
			if (kind.startsWith('lighttpd'))
				await eventually(() => assert.match(srv.log(),
				    /mail: reset_link to hang(8|9|10|11)@example\.com dropped: too many mail jobs running \(is the mail command slow\?\)/));
		});
	});
}
