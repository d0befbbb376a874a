// A real SMTP server on loopback for the mail tests, and an msmtp
// configuration that sends to it.
//
//   const { startSmtp, msmtpConfig } = require('../lib/smtp.js');
//   const smtp = await startSmtp();
//   const mta = msmtpConfig({ port: smtp.port, from: 'noreply@example.com' });
//   // ... run mta.command (the sendmail interface) with a message on stdin
//   const msg = await smtp.waitFor((m) => m.subject === 'Hi', 5000);
//   mta.cleanup(); await smtp.stop();
//
// The server is Debian's python3-aiosmtpd, run by /usr/bin/python3 (the
// python3 on PATH may lack Debian's modules).  It listens on a port the
// kernel picks on 127.0.0.1 and saves each message as one JSON file.
// Messages are parsed by Python's email package, an implementation
// independent of latchkey's: from, to (display names decoded with
// email.header, which joins adjacent encoded-words as RFC 2047 6.2 says),
// subject, headers (decoded), body (transfer encoding and charset
// decoded, lines ending in "\n"), defects (what the parser found wrong),
// plus the envelope (mailFrom, rcptTo) and the raw bytes as received.

'use strict';

const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const MSMTP = '/usr/bin/msmtp';

// The server: prints its port, then saves NNNNNN.json per message.
const SERVER = String.raw`
import asyncio, base64, email, email.policy, email.utils, json, os, sys
from email.header import decode_header, make_header
from aiosmtpd.smtp import SMTP

outdir = sys.argv[1]
seq = 0

def words(value):
    return str(make_header(decode_header(value))) if value else ''

def mailboxes(raw_msg, name):
    return [{'name': words(n), 'address': a}
            for n, a in email.utils.getaddresses(raw_msg.get_all(name, []))]

def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    raw_msg = email.message_from_bytes(raw)
    defects = [type(d).__name__ for d in msg.defects]
    headers = []
    for k, v in msg.items():
        defects += [k + ': ' + type(d).__name__ for d in getattr(v, 'defects', ())]
        headers.append([k, str(v)])
    frm = mailboxes(raw_msg, 'From')
    try:
        body = msg.get_content().replace('\r\n', '\n')
    except Exception as e:
        body, defects = None, defects + ['body: ' + repr(e)]
    return {
        'from': frm[0] if len(frm) == 1 else frm,
        'to': mailboxes(raw_msg, 'To'),
        'subject': str(msg['Subject']) if msg['Subject'] is not None else None,
        'headers': headers,
        'contentType': msg.get_content_type(),
        'charset': msg.get_content_charset(),
        'body': body,
        'defects': defects,
    }

class Handler:
    async def handle_DATA(self, server, session, envelope):
        global seq
        seq += 1
        raw = envelope.original_content
        rec = {'seq': seq, 'mailFrom': envelope.mail_from,
               'rcptTo': list(envelope.rcpt_tos),
               'raw': base64.b64encode(raw).decode('ascii')}
        try:
            rec.update(parse(raw))
        except Exception as e:
            rec['defects'] = ['unparsable: ' + repr(e)]
        name = os.path.join(outdir, '%06d.json' % seq)
        with open(name + '.tmp', 'w') as f:
            json.dump(rec, f)
        os.rename(name + '.tmp', name)
        return '250 OK'

async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(Handler(), hostname='smtp.test', decode_data=False),
        '127.0.0.1', 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()

asyncio.run(main())
`;

let depsChecked = false;

/** Install msmtp, aiosmtpd and strace (scripts/deps.sh mail) if one is missing. */
function ensureMailDeps() {
	if (depsChecked) return;
	const haveAiosmtpd = fs.existsSync(PYTHON) &&
	    spawnSync(PYTHON, ['-c', 'import aiosmtpd']).status === 0;
	if (!fs.existsSync(MSMTP) || !haveAiosmtpd || !fs.existsSync('/usr/bin/strace'))
		execFileSync(path.join(repoRoot, 'scripts', 'deps.sh'), ['mail'],
		    { stdio: ['ignore', 'inherit', 'inherit'] });
	depsChecked = true;
}

/**
 * Start the SMTP server.  Resolves to { port, dir, messages(),
 * waitFor(predicate, timeoutMs), stop() }: messages() returns every
 * message received so far, in order; waitFor resolves to the first that
 * satisfies predicate, or rejects after timeoutMs.
 */
async function startSmtp() {
	ensureMailDeps();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-smtp-'));
	const child = spawn(PYTHON, ['-c', SERVER, dir], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
	});
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const port = await new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`SMTP server did not start: ${stderr}`));
		}, 10000);
		child.stdout.on('data', (d) => {
			out += d;
			const m = /^(\d+)\n/.exec(out);
			if (m) { clearTimeout(timer); resolve(Number(m[1])); }
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`SMTP server exited (${code}): ${stderr}`));
		});
	});

	function messages() {
		return fs.readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).sort()
		    .map((f) => {
			const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
			m.raw = Buffer.from(m.raw, 'base64');
			return m;
		    });
	}

	async function waitFor(predicate, timeoutMs = 5000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = messages().find(predicate);
			if (found) return found;
			if (Date.now() >= deadline)
				throw new Error(`no matching message within ${timeoutMs} ms ` +
				    `(${messages().length} received)`);
			await new Promise((r) => setTimeout(r, 25));
		}
	}

	async function stop() {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const t = setTimeout(() => child.kill('SIGKILL'), 2000);
			await exited;
			clearTimeout(t);
		}
		fs.rmSync(dir, { recursive: true, force: true });
	}

	return { port, dir, messages, waitFor, stop };
}

/**
 * Write an msmtp configuration (mode 0600: msmtp refuses one that group
 * or others can read) for the server on 127.0.0.1:port, no TLS, no
 * authentication, envelope sender from, into a directory of its own or
 * into dir (e.g. a test server's, whose files the web server's user is
 * given).  Returns { file, command, cleanup() }, command being the
 * sendmail-interface command line "/usr/bin/msmtp -C FILE -t -i" (-t:
 * recipients from the headers).
 */
function msmtpConfig({ port, from, dir: into }) {
	ensureMailDeps();
	const dir = into ?? fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-msmtp-'));
	const file = path.join(dir, 'msmtprc');
	fs.writeFileSync(file, [
		'defaults',
		'syslog off',
		'timeout 5',
		'',
		'account test',
		'host 127.0.0.1',
		`port ${port}`,
		'domain localhost',
		'auth off',
		'tls off',
		`from ${from}`,
		'',
		'account default : test',
		'',
	].join('\n'), { mode: 0o600 });
	fs.chmodSync(file, 0o600);
	return {
		file,
		command: `${MSMTP} -C ${file} -t -i`,
		cleanup: () => fs.rmSync(into ? file : dir, { recursive: true, force: true }),
	};
}

module.exports = { startSmtp, msmtpConfig, ensureMailDeps };
