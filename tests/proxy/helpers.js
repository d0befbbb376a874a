'use strict';
// Forward auth behind real reverse proxies: latchkey on lighttpd (its app
// and API, tests/lib/server.js), authz.fcgi on a socket of its own for
// nginx's FastCGI form (spawn-fcgi), a small backend application that
// reports the headers it received, and requests sent to the proxy with
// the host names the test picks (auth.latchkey.test, app.latchkey.test:
// every connection goes to 127.0.0.1).

const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { startServer, freePort, buildDir, repoRoot } = require('../lib/server.js');

const DOMAIN = 'latchkey.test';
const OTHER = { email: 'other@example.com', name: 'Other Person', password: 'password456' };

const children = new Set();
process.on('exit', () => {
	for (const c of children) {
		try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

/** Start a child in its own process group; stopped by stop(). */
function startChild(cmd, args, opts = {}) {
	const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...opts });
	children.add(child);
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	return {
		child,
		stderr: () => stderr,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
				const timer = setTimeout(() => {
					try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
				}, 5000);
				await once(child, 'exit');
				clearTimeout(timer);
			}
			children.delete(child);
		},
	};
}

/** Wait (at most 10 s) until something listens at a TCP port or a Unix socket. */
async function waitFor(target, what) {
	const deadline = Date.now() + 10000;
	while (Date.now() < deadline) {
		const ok = await new Promise((resolve) => {
			const sock = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
			sock.once('connect', () => { sock.destroy(); resolve(true); });
			sock.once('error', () => resolve(false));
		});
		if (ok) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`${what} did not come up`);
}

/**
 * The backend application behind the proxy: answers every request 200
 * with JSON {method, url, headers} (header names in lower case).
 */
async function startBackend() {
	const server = http.createServer((req, res) => {
		const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(body);
	});
	server.keepAliveTimeout = 1000;
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return {
		port: server.address().port,
		async stop() {
			server.closeAllConnections();
			server.close();
		},
	};
}

/**
 * latchkey on lighttpd, configured for a site under DOMAIN: its pages at
 * http://auth.DOMAIN:proxyPort (through the proxy), cookies for the whole
 * domain, and the access rules given (a file beside the configuration).
 */
async function startLatchkey(proxyPort, rules, extraConfig = '') {
	const srv = await startServer({
		kind: 'lighttpd',
		users: [{ email: 'test@example.com', name: 'John Doe', password: 'password123' }, OTHER],
		config: `site_url = http://auth.${DOMAIN}:${proxyPort}\n` +
		    `cookie_domain = ${DOMAIN}\n` +
		    `cors_origins = http://auth.${DOMAIN}:${proxyPort}\n` +
		    'access_rules = access.rules\n' +
		    // Not all of loopback: a test speaks from 127.0.0.2 as a stranger.
		    'trusted_proxies = 127.0.0.1, ::1\n' + extraConfig,
	});
	fs.writeFileSync(path.join(srv.dir, 'access.rules'), rules, { mode: 0o644 });
	// The demo user is in two groups, the other user in none.
	for (const args of [['group', 'add', 'staff'], ['group', 'add', 'admins'],
	    ['group', 'adduser', 'staff', 'test@example.com'], ['group', 'adduser', 'admins', 'test@example.com']]) {
		const r = srv.tool(args);
		if (r.status !== 0) throw new Error(`latchkey ${args.join(' ')}: ${r.stderr}`);
	}
	return srv;
}

/** authz.fcgi on a Unix socket of its own (spawn-fcgi), for nginx's FastCGI form. */
async function startAuthzSocket(latchkey) {
	const socket = path.join(latchkey.dir, 'authz.sock');
	const proc = startChild('spawn-fcgi', ['-n', '-s', socket, '-M', '0600', '--',
	    path.join(buildDir, 'cgi-bin', 'authz.fcgi')],
	{ env: { ...process.env, LATCHKEY_CONFIG: latchkey.config } });
	await waitFor(socket, 'authz.fcgi');
	return { socket, stop: proc.stop, stderr: proc.stderr };
}

/**
 * One request to 127.0.0.1:port with the Host given: resolves to
 * { status, headers, body, json }.  opts: method, headers, body,
 * localAddress.
 */
function request(port, host, pathName, opts = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: '127.0.0.1', port, path: pathName, method: opts.method ?? 'GET',
			headers: { Host: host, Connection: 'close', ...(opts.headers ?? {}) },
			localAddress: opts.localAddress, timeout: 10000,
		}, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { body += d; });
			res.on('end', () => {
				let json = null;
				try { json = JSON.parse(body); } catch { /* not JSON */ }
				resolve({ status: res.statusCode, headers: res.headers, body, json });
			});
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', reject);
		if (opts.body !== undefined) req.write(opts.body);
		req.end();
	});
}

/** The cookies of a login (through the proxy) as one Cookie header's value, and the CSRF value. */
async function logIn(port, host, email, password) {
	const r = await request(port, host, '/api/login', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: `http://${host}` },
		body: JSON.stringify({ email, password }),
	});
	if (r.status !== 200) throw new Error(`login: ${r.status} ${r.body}`);
	const set = r.headers['set-cookie'] ?? [];
	const cookie = set.map((c) => c.split(';')[0]).join('; ');
	const csrf = /csrf_access_token=([^;]*)/.exec(cookie)[1];
	return { cookie, csrf, setCookie: set };
}

module.exports = {
	DOMAIN, OTHER, startChild, waitFor, startBackend, startLatchkey, startAuthzSocket,
	request, logIn, freePort, repoRoot, buildDir,
};
