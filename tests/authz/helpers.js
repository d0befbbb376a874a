'use strict';
// Helpers for the authorizer and deployment tests: a latchkey instance in a
// temporary directory (configuration, key, database, users), token minting
// with the instance's key, and lighttpd started from the shipped production
// configuration lighttpd/lighttpd.conf.

const { execFileSync, spawn } = require('node:child_process');
const { once } = require('node:events');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, waitForPort, repoRoot } = require('../lib/apache.js');
const { prepare, tool, buildDir: build } = require('../lib/server.js');

const workerUser = process.env.LATCHKEY_USER || 'www-data';

// Temporary directories go when the test process ends (servers are
// stopped by then), unless LATCHKEY_KEEP is set for a post-mortem.
const temps = [];
process.on('exit', () => {
	if (process.env.LATCHKEY_KEEP) return;
	for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under the system's temporary one, searchable by all. */
function tempDir(prefix) {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.chmodSync(d, 0o755);
	temps.push(d);
	return d;
}

/**
 * A fresh instance (tests/lib/server.js's prepare(): configuration for
 * plain HTTP unless extraConfig says otherwise, key, database, the given
 * users {email, name, password}) plus dir/members/ with the demo page, a
 * secret file, a CGI program that prints what the authorizer passed on
 * (user, name, groups: a line each) and groups.html, an SSI page that
 * shows the groups (Apache).
 * Returns { dir, config, members, key, latchkey(args, input) }.
 */
function makeInstance(users, extraConfig = '') {
	const { dir, config } = prepare({ users, config: extraConfig });
	temps.push(dir);
	const members = path.join(dir, 'members');
	fs.mkdirSync(members);
	fs.copyFileSync(path.join(repoRoot, 'dist', 'public', 'members', 'index.html'),
		path.join(members, 'index.html'));
	fs.writeFileSync(path.join(members, 'secret.txt'), 'the members-only secret\n');
	fs.writeFileSync(path.join(members, 'groups.html'),
		'<p id="groups">[<!--#echo encoding="entity" var="LATCHKEY_GROUPS" -->]</p>\n');
	fs.writeFileSync(path.join(members, 'whoami.cgi'), '#!/bin/sh\n' +
		'printf \'Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n%s\\n%s\\n%s\\n\' "$LATCHKEY_USER" "$LATCHKEY_NAME" "$LATCHKEY_GROUPS"\n',
		{ mode: 0o755 });
	// The HMAC key is the key file's (first, current) line.
	const key = fs.readFileSync(path.join(dir, 'secret.key'), 'utf8').split('\n')[0];
	return {
		dir, config, members, key,
		latchkey: (args, input) => {
			const r = tool(config, args, input);
			if (r.status !== 0) throw new Error(`latchkey ${args.join(' ')}: ${r.stderr}`);
			return r.stdout;
		},
	};
}

/** Hand dir to the worker user when running as root (as scripts/run-apache does). */
function giveToWorker(dir) {
	if (process.getuid() !== 0) return;
	execFileSync('chown', ['-R', `${workerUser}:`, dir]);
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/**
 * A JWT as flask-jwt-extended writes it, signed HS256 with key (a string:
 * the key file's line).  claims override the defaults; header overrides
 * {alg, typ}.
 */
function mintToken(key, claims = {}, header = {}) {
	const now = Math.floor(Date.now() / 1000);
	const payload = {
		fresh: false, iat: now, jti: crypto.randomUUID(), type: 'access',
		sub: 'alice@example.com', nbf: now, csrf: crypto.randomUUID(), exp: now + 3600,
		...claims,
	};
	const head = { alg: 'HS256', typ: 'JWT', ...header };
	const input = `${b64url(JSON.stringify(head))}.${b64url(JSON.stringify(payload))}`;
	const sig = crypto.createHmac('sha256', key).update(input).digest();
	return { token: `${input}.${b64url(sig)}`, csrf: payload.csrf };
}

/** Log in through the API; returns { cookie, csrf } for later requests. */
async function login(baseURL, email, password) {
	const res = await fetch(`${baseURL}/api/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ email, password }),
	});
	if (res.status !== 200) throw new Error(`login ${res.status}: ${await res.text()}`);
	const jar = {};
	for (const c of res.headers.getSetCookie()) {
		const [pair] = c.split(';');
		const i = pair.indexOf('=');
		jar[pair.slice(0, i)] = pair.slice(i + 1);
	}
	return {
		cookie: `access_token_cookie=${jar.access_token_cookie}; csrf_access_token=${jar.csrf_access_token}`,
		csrf: jar.csrf_access_token,
	};
}

/**
 * lighttpd with the shipped lighttpd/lighttpd.conf, only its "Edit these"
 * variables replaced, plus (cgi set) mod_cgi for *.cgi under /members/ to
 * stand for an application behind the authorizer.  The programs and the
 * app are served from copies in the instance's own folder: the worker
 * user never reads the checkout, which may sit under a private folder.
 * Returns { baseURL, stop() }.
 */
// `edit` (text => text) changes the configuration further, as a site owner
// would (the HTTPS test uncomments the HTTPS block).
async function startLighttpdProd({ dir, config, members, public: pub, cgi = true, edit = (t) => t }) {
	const state = path.join(dir, 'lighttpd');
	fs.mkdirSync(path.join(state, 'logs'), { recursive: true });
	const libexec = path.join(state, 'libexec');
	const publicCopy = path.join(state, 'public');
	fs.cpSync(path.join(build, 'cgi-bin'), libexec, { recursive: true });
	fs.cpSync(pub || path.join(repoRoot, 'public'), publicCopy, { recursive: true });
	const port = await freePort();
	const vars = {
		public: JSON.stringify(publicCopy),
		members: JSON.stringify(members),
		libexec: JSON.stringify(libexec),
		config: JSON.stringify(config),
		statedir: JSON.stringify(state),
		logdir: JSON.stringify(path.join(state, 'logs')),
		user: JSON.stringify(process.getuid() === 0 ? workerUser : os.userInfo().username),
		bind: '"127.0.0.1"',
		port: String(port),
		procs: '1',
	};
	let text = fs.readFileSync(path.join(repoRoot, 'lighttpd', 'lighttpd.conf'), 'utf8');
	for (const [k, v] of Object.entries(vars)) {
		const re = new RegExp(`^var\\.${k}\\s*=.*$`, 'm');
		if (!re.test(text)) throw new Error(`lighttpd.conf has no var.${k}`);
		text = text.replace(re, `var.${k} = ${v}`);
	}
	if (process.getuid() !== 0) {
		// Only root can switch users.
		text = text.replace(/^server\.(username|groupname).*$/mg, '');
	}
	if (cgi) {
		text += '\nserver.modules += ( "mod_cgi" )\n' +
			'$HTTP["url"] =~ "^/members/.*\\.cgi$" { cgi.assign = ( ".cgi" => "" ) }\n';
	}
	text = edit(text);
	const conf = path.join(state, 'lighttpd.conf');
	fs.writeFileSync(conf, text);
	giveToWorker(dir);
	execFileSync('lighttpd', ['-tt', '-f', conf], { stdio: 'pipe' });
	const child = spawn('lighttpd', ['-D', '-f', conf], { stdio: ['ignore', 'inherit', 'inherit'] });
	const exited = once(child, 'exit');
	if (!await waitForPort(port, child, Date.now() + 10000)) {
		child.kill('SIGKILL');
		let log = '';
		try { log = fs.readFileSync(path.join(state, 'logs', 'error.log'), 'utf8'); } catch { /* none */ }
		throw new Error(`lighttpd did not start:\n${log}`);
	}
	return {
		baseURL: `http://127.0.0.1:${port}`,
		errorLog: path.join(state, 'logs', 'error.log'),
		log: () => {
			try { return fs.readFileSync(path.join(state, 'logs', 'error.log'), 'utf8'); } catch { return ''; }
		},
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill('SIGTERM');
				await exited;
			}
		},
	};
}

module.exports = {
	makeInstance, tempDir, giveToWorker, mintToken, login, startLighttpdProd, build,
};
