// A latchkey site that sends mail: a real SMTP server on loopback
// (tests/lib/smtp.js), a test server of any kind whose mail_command is
// msmtp configured for it (the msmtprc in the server's own directory, so
// that Apache's worker user may read it), mail_from and site_url set.
//
//   const { startMailSite, linkIn } = require('../lib/mailsite.js');
//   const site = await startMailSite({ kind: 'lighttpd' });
//   ... request(site.srv.baseURL, ...) ...
//   const msg = await site.mailTo('test@example.com');
//   const { page, token } = linkIn(msg);   // 'reset', 43 characters
//   await site.stop();
//
// Options: kind, config (more lines for latchkey.conf), siteURL (default
// https://login.example.com, which is not where the server listens: links
// must come from site_url), port (the server's; with siteURL 'self' the
// site's address is http://127.0.0.1:PORT, for a browser to follow the
// links), users, mailCommand (instead of msmtp: a command of the test's),
// mailPort (msmtp sends to this port instead of the SMTP server's).

'use strict';

const fs = require('node:fs');

const { startServer, prepare, freePort } = require('./server.js');
const { startSmtp, msmtpConfig } = require('./smtp.js');

const FROM = 'noreply@example.com';
const SITE_URL = 'https://login.example.com';
const LINK = /(https?:\/\/[^\s/]+(?:\/[^\s#]*)?)\/(reset|invite)#([A-Za-z0-9_-]{43})(?=\s|$)/;

/** The one-time link in a received message: { url, site, page, token }. */
function linkIn(msg) {
	const m = LINK.exec(msg.body ?? '');
	if (!m) throw new Error(`no link in the message:\n${msg.body}`);
	return { url: m[0], site: m[1], page: m[2], token: m[3] };
}

async function startMailSite(opts = {}) {
	const kind = opts.kind ?? 'lighttpd';
	const smtp = await startSmtp();
	let port = opts.port;
	let siteURL = opts.siteURL ?? SITE_URL;
	if (siteURL === 'self') {
		port = port ?? await freePort();
		siteURL = `http://127.0.0.1:${port}`;
	}
	const prep = prepare({
		store: { 'lighttpd-pg': 'postgres', 'lighttpd-mysql': 'mysql' }[kind] ?? 'sqlite',
		users: opts.users,
		config: `mail_from = ${FROM}\nsite_url = ${siteURL}\n` +
		    'throttle_address_max = 1000\n' + (opts.config ?? ''),
	});
	const mta = msmtpConfig({ port: opts.mailPort ?? smtp.port, from: FROM, dir: prep.dir });
	fs.appendFileSync(prep.config, `mail_command = ${opts.mailCommand ?? mta.command}\n`);
	let srv;
	try {
		srv = await startServer({ kind, prepared: prep, port });
	} catch (err) {
		await smtp.stop();
		throw err;
	}
	return {
		srv,
		smtp,
		siteURL,
		/** Every message received so far for address. */
		mailsTo: (address) => smtp.messages().filter((m) => m.rcptTo.includes(address)),
		/** The next message for address that the test has not taken yet. */
		async mailTo(address, timeoutMs = 10000) {
			const seen = this.taken ?? (this.taken = new Set());
			const msg = await smtp.waitFor((m) => m.rcptTo.includes(address) && !seen.has(m.seq),
			    timeoutMs);
			seen.add(msg.seq);
			return msg;
		},
		async stop() {
			await srv.stop();
			await smtp.stop();
			if (!process.env.LATCHKEY_KEEP)
				fs.rmSync(prep.dir, { recursive: true, force: true });
		},
	};
}

module.exports = { startMailSite, linkIn, FROM, SITE_URL };
