'use strict';
// nginx in front of latchkey and of a backend application, configured
// with the shipped files nginx/latchkey-*.conf as they are (only the
// socket's path and latchkey's port replaced): auth.DOMAIN is latchkey's
// own site, app.DOMAIN the protected application.

const fs = require('node:fs');
const path = require('node:path');
const { DOMAIN, startChild, waitFor, repoRoot } = require('./helpers.js');

function shipped(name, socket, latchkeyPort) {
	return fs.readFileSync(path.join(repoRoot, 'nginx', name), 'utf8')
	    .replaceAll('/run/latchkey/authz.sock', socket ?? '/nonexistent/authz.sock')
	    .replaceAll('127.0.0.1:9091', `127.0.0.1:${latchkeyPort}`);
}

/**
 * Start nginx on port: form 'fastcgi' (auth_request to authz.fcgi's
 * socket) or 'http' (through latchkey's lighttpd).
 */
async function startNginx({ dir, port, form, socket, latchkeyPort, backendPort }) {
	const state = fs.mkdtempSync(path.join(dir, 'nginx-'));
	for (const f of ['latchkey-http.conf', 'latchkey-authz-fastcgi.conf',
	    'latchkey-authz-http.conf', 'latchkey-protect.conf'])
		fs.writeFileSync(path.join(state, f), shipped(f, socket, latchkeyPort));
	const conf = `daemon off;
worker_processes 1;
${process.getuid() === 0 ? 'user root root;' : ''}
pid ${state}/nginx.pid;
error_log ${state}/error.log info;
events { worker_connections 128; }
http {
    access_log off;
    client_body_temp_path ${state}/body;
    proxy_temp_path ${state}/proxy;
    fastcgi_temp_path ${state}/fastcgi;
    uwsgi_temp_path ${state}/uwsgi;
    scgi_temp_path ${state}/scgi;
    include ${state}/latchkey-http.conf;

    # latchkey's own site: its app and API, on lighttpd.
    server {
        listen 127.0.0.1:${port};
        server_name auth.${DOMAIN};
        location / {
            proxy_pass http://latchkey-http;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }
    }

    # The protected application.
    server {
        listen 127.0.0.1:${port};
        server_name app.${DOMAIN};
        include ${state}/latchkey-authz-${form}.conf;
        location / {
            include ${state}/latchkey-protect.conf;
            proxy_pass http://127.0.0.1:${backendPort};
        }
    }
}
`;
	const confPath = path.join(state, 'nginx.conf');
	fs.writeFileSync(confPath, conf);
	const proc = startChild('nginx', ['-c', confPath, '-p', state, '-e', path.join(state, 'error.log')]);
	try {
		await waitFor(port, 'nginx');
	} catch (e) {
		let log = '';
		try { log = fs.readFileSync(path.join(state, 'error.log'), 'utf8'); } catch { /* none */ }
		await proc.stop();
		throw new Error(`${e.message}: ${proc.stderr()} ${log}`);
	}
	return { ...proc, errorLog: () => fs.readFileSync(path.join(state, 'error.log'), 'utf8') };
}

module.exports = { startNginx };
