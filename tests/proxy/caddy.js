'use strict';
// Caddy in front of latchkey and of a backend application, configured with
// the shipped caddy/latchkey.caddy as it is (only the socket's path and
// latchkey's port replaced): auth.DOMAIN is latchkey's own site, app.DOMAIN
// the protected application.

const fs = require('node:fs');
const path = require('node:path');
const { DOMAIN, startChild, waitFor, repoRoot } = require('./helpers.js');

/** Start Caddy on port: form 'fastcgi' (authz.fcgi's socket) or 'http' (latchkey's lighttpd). */
async function startCaddy({ dir, port, form, socket, latchkeyPort, backendPort }) {
	const state = fs.mkdtempSync(path.join(dir, 'caddy-'));
	fs.writeFileSync(path.join(state, 'latchkey.caddy'),
	    fs.readFileSync(path.join(repoRoot, 'caddy', 'latchkey.caddy'), 'utf8')
	    .replaceAll('/run/latchkey/authz.sock', socket ?? '/nonexistent/authz.sock')
	    .replaceAll('127.0.0.1:9091', `127.0.0.1:${latchkeyPort}`));
	const conf = `{
	admin off
	auto_https off
	storage file_system ${state}/data
}

import ${state}/latchkey.caddy

http://auth.${DOMAIN}:${port} {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:${latchkeyPort}
}

http://app.${DOMAIN}:${port} {
	bind 127.0.0.1
	import latchkey_${form}
	reverse_proxy 127.0.0.1:${backendPort}
}
`;
	const confPath = path.join(state, 'Caddyfile');
	fs.writeFileSync(confPath, conf);
	const proc = startChild('caddy', ['run', '--config', confPath, '--adapter', 'caddyfile'], {
		env: { ...process.env, HOME: state, XDG_DATA_HOME: state, XDG_CONFIG_HOME: state },
	});
	try {
		await waitFor(port, 'caddy');
	} catch (e) {
		await proc.stop();
		throw new Error(`${e.message}: ${proc.stderr()}`);
	}
	return proc;
}

module.exports = { startCaddy };
