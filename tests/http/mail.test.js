// Mail through the sendmail interface, end to end: lib/mail formats a
// message (build/tests/test_mail --print-sample), msmtp (the msmtp-mta
// sendmail program) delivers it to a real SMTP server on loopback
// (aiosmtpd, tests/lib/smtp.js), and Python's email package reads what
// arrived.  Then the same through lk_mail_send itself (--send-sample).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { startSmtp, msmtpConfig } = require('../lib/smtp.js');
const { freePort } = require('../lib/net.js');

const buildDir = process.env.LATCHKEY_BUILD ||
    path.resolve(__dirname, '..', '..', 'build');
const TEST_MAIL = path.join(buildDir, 'tests', 'test_mail');

// What tests/unit/test_mail.c's sample says, as a reader should see it.
const SAMPLE = {
	from: { name: 'Café Latchkey', address: 'noreply@example.com' },
	to: [{ name: 'Élodie Dupont', address: 'elodie@example.org' }],
	subject: 'Réinitialisez votre mot de passe 🔑',
	body: 'Bonjour Élodie,\n' +
	    '\n' +
	    "Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n" +
	    'https://login.example.com/reset?token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5&lang=fr\n' +
	    '.\n' +
	    'From here on, nothing changes unless you open it.\n' +
	    'Café = 3 €\n',
};

function run(cmd, args, input) {
	const r = spawnSync(cmd, args, { input, timeout: 15000 });
	return { status: r.status, stdout: r.stdout, stderr: String(r.stderr) };
}

function assertSample(msg) {
	assert.deepEqual(msg.defects, []);
	assert.equal(msg.mailFrom, 'noreply@example.com');
	assert.deepEqual(msg.rcptTo, ['elodie@example.org']);
	assert.deepEqual(msg.from, SAMPLE.from);
	assert.deepEqual(msg.to, SAMPLE.to);
	assert.equal(msg.subject, SAMPLE.subject);
	assert.equal(msg.contentType, 'text/plain');
	assert.equal(msg.charset, 'utf-8');
	assert.equal(msg.body, SAMPLE.body);
	const names = msg.headers.map(([k]) => k);
	assert.deepEqual(names, ['From', 'To', 'Subject', 'Date', 'Message-ID',
	    'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding',
	    'Auto-Submitted']);
	assert.deepEqual(msg.headers.find(([k]) => k === 'Auto-Submitted'),
	    ['Auto-Submitted', 'auto-generated']);
	// On the wire: 7-bit, CRLF lines of at most 78 characters.
	for (const line of msg.raw.toString('latin1').split('\r\n')) {
		assert.ok(line.length <= 78, `line too long: ${line}`);
		assert.ok(/^[\x20-\x7e\t]*$/.test(line), `not 7-bit text: ${line}`);
	}
}

describe('mail through msmtp to a real SMTP server', () => {
	let smtp, mta;

	before(async () => {
		smtp = await startSmtp();
		mta = msmtpConfig({ port: smtp.port, from: 'noreply@example.com' });
	});
	after(async () => {
		mta?.cleanup();
		await smtp?.stop();
	});

	it('delivers the formatted sample with names, subject and body intact', async () => {
		const sample = run(TEST_MAIL, ['--print-sample']);
		assert.equal(sample.status, 0, sample.stderr);
		const [cmd, ...args] = mta.command.split(' ');
		const sent = run(cmd, args, sample.stdout);
		assert.equal(sent.status, 0, sent.stderr);
		const msg = await smtp.waitFor((m) => m.seq === 1, 5000);
		assertSample(msg);
		assert.ok(msg.headers.some(([k, v]) => k === 'Message-ID' &&
		    v === '<sample.1@example.com>'));
	});

	it('delivers through lk_mail_send running the configured command', async () => {
		const r = run(TEST_MAIL, ['--send-sample', mta.command]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(String(r.stdout), '0 0 exited with status 0\n');
		const msg = await smtp.waitFor((m) => m.seq === 2, 5000);
		assertSample(msg);
	});

	it('reports the mailer\'s exit status when the server cannot be reached', async () => {
		const closed = msmtpConfig({ port: await freePort(), from: 'noreply@example.com' });
		try {
			const r = run(TEST_MAIL, ['--send-sample', closed.command]);
			assert.equal(r.status, 1);
			// LK_MAIL_EXIT; msmtp says EX_TEMPFAIL for a refused connection.
			assert.equal(String(r.stdout), '1 75 exited with status 75 (EX_TEMPFAIL)\n');
		} finally {
			closed.cleanup();
		}
		assert.equal(smtp.messages().length, 2);
	});
});
