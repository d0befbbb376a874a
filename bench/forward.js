// make bench-forward (and make bench): nginx serving one static file behind
// auth_request, four ways, over loopback: to latchkey's authz.fcgi over
// FastCGI (the shipped nginx/ configuration), to bench/noop.c reached the
// same way (a no-op FastCGI responder: the ceiling of any FastCGI check),
// to nginx's own `return 204` (the check without a program), and the file
// unprotected.  Appends its Markdown section to OUT.md.
//
//   node bench/forward.js OUT.md     (LATCHKEY_BUILD, BENCH_TIME, BENCH_PROCS)

'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../tests/stress/harness.js');
const { startLatchkey, startAuthzSocket, startChild, waitFor, freePort } = require('../tests/proxy/helpers.js');

const OUT = process.argv[2] ?? path.join(__dirname, 'results.md');
const T = Number(process.env.BENCH_TIME ?? 5);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const bin = (p) => path.join(h.buildDir, p);

async function main() {
	const port = await freePort();
	const latchkey = await startLatchkey(port, 'one_factor\n');
	const state = fs.mkdtempSync(path.join(latchkey.dir, 'bench-'));
	const procs = [];
	try {
		const { cookie } = await h.login(latchkey.baseURL, { email: 'test@example.com', password: 'password123' });
		// authz.fcgi and noop.fcgi, PROCS processes each, on sockets.
		const authz = path.join(state, 'authz.sock');
		const noop = path.join(state, 'noop.sock');
		procs.push(startChild('spawn-fcgi', ['-n', '-F', String(PROCS), '-s', authz, '-M', '0600', '--',
		    bin('cgi-bin/authz.fcgi')], { env: { ...process.env, LATCHKEY_CONFIG: latchkey.config } }));
		procs.push(startChild('spawn-fcgi', ['-n', '-F', String(PROCS), '-s', noop, '-M', '0600', '--',
		    bin('bench/noop.fcgi')]));
		await waitFor(authz, 'authz.fcgi');
		await waitFor(noop, 'noop.fcgi');
		const docroot = path.join(state, 'www');
		for (const d of ['latchkey', 'noop', 'check', 'open']) {
			fs.mkdirSync(path.join(docroot, d), { recursive: true });
			fs.writeFileSync(path.join(docroot, d, 'file.html'), '<!doctype html><title>file</title><p>A static file.</p>\n');
		}
		const shipped = (f) => fs.readFileSync(path.join(h.repoRoot, 'nginx', f), 'utf8')
		    .replaceAll('/run/latchkey/authz.sock', authz);
		for (const f of ['latchkey-http.conf', 'latchkey-authz-fastcgi.conf', 'latchkey-protect.conf'])
			fs.writeFileSync(path.join(state, f), shipped(f));
		// noop.fcgi reached exactly as authz.fcgi is: the same file, another upstream and path.
		fs.writeFileSync(path.join(state, 'noop-authz.conf'), shipped('latchkey-authz-fastcgi.conf')
		    .replaceAll('latchkey_authz', 'noop_authz').replaceAll('/.latchkey/auth-request', '/.noop/auth-request')
		    .replace(/location @latchkey_login \{[\s\S]*?\n\}\n/, ''));
		const conf = `daemon off;
worker_processes 1;
${process.getuid() === 0 ? 'user root root;' : ''}
pid ${state}/nginx.pid;
error_log ${state}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${state}/body;
    proxy_temp_path ${state}/proxy;
    fastcgi_temp_path ${state}/fastcgi;
    uwsgi_temp_path ${state}/uwsgi;
    scgi_temp_path ${state}/scgi;
    include ${state}/latchkey-http.conf;
    upstream noop_authz {
        server unix:${noop};
        keepalive 8;
    }
    server {
        listen 127.0.0.1:${port};
        root ${docroot};
        include ${state}/latchkey-authz-fastcgi.conf;
        include ${state}/noop-authz.conf;
        location = /.check { internal; return 204; }
        location /latchkey/ { include ${state}/latchkey-protect.conf; }
        location /noop/ { auth_request /.noop/auth-request; }
        location /check/ { auth_request /.check; }
        location /open/ { }
    }
}
`;
		fs.writeFileSync(path.join(state, 'nginx.conf'), conf);
		const nginx = startChild('nginx', ['-c', path.join(state, 'nginx.conf'), '-p', state, '-e', path.join(state, 'error.log')]);
		procs.push(nginx);
		await waitFor(port, 'nginx');
		const base = `http://127.0.0.1:${port}`;
		const rows = [
			['nginx, auth_request to latchkey (authz.fcgi over FastCGI)', '/latchkey/file.html'],
			['nginx, auth_request to bench/noop.c (no-op FastCGI, reached the same way)', '/noop/file.html'],
			['nginx, auth_request to its own `return 204`', '/check/file.html'],
			['nginx, the file unprotected', '/open/file.html'],
		];
		const headers = [`Cookie: ${cookie}`];
		for (const [, p] of rows) {
			const r = await h.loadgen(base + p, { conns: 8, requests: 1, headers });
			if (r.ok !== r.requests) throw new Error(`${p}: ${JSON.stringify(r.status)}`);
			await h.loadgen(base + p, { conns: 64, seconds: 1, headers });
		}
		// In turns, 3 rounds, the best of each (loopback; the load generator shares the cores).
		const best = rows.map(() => null);
		for (let round = 0; round < 3; round++) {
			for (let i = 0; i < rows.length; i++) {
				const r = await h.loadgen(base + rows[i][1], { conns: 64, seconds: T / 3, headers });
				if (r.errors !== 0 || r.ok !== r.requests) throw new Error(`${rows[i][1]}: ${JSON.stringify(r.status)}`);
				if (best[i] === null || r.rps > best[i].rps) best[i] = r;
			}
		}
		const ratio = best[0].rps / best[1].rps;
		const f1 = (x) => x.toFixed(1);
		const f2 = (x) => x.toFixed(2);
		const text = [
			'', '## Forward auth: nginx in front', '',
			`Written by \`make bench-forward\` (bench/forward.js): nginx ${'1.22'} serving one static file over loopback, ` +
			`64 connections, ${PROCS} FastCGI processes per responder (spawn-fcgi), the best of 3 rounds of ${f1(T / 3)} s each, ` +
			`on ${os.cpus().length} cores (${os.cpus()[0].model}).`, '',
			'| the file served | req/s | p50 ms | p99 ms |',
			'|---|---:|---:|---:|',
			...rows.map(([name], i) => `| ${name} | ${f1(best[i].rps)} | ${f2(best[i].p50_ms)} | ${f2(best[i].p99_ms)} |`),
			'',
			`latchkey ÷ the no-op responder: ${f2(ratio)} × (target ≥ 0.9: ${ratio >= 0.9 ? 'met' : 'not met'}).`, '',
		].join('\n');
		fs.appendFileSync(OUT, text);
		process.stdout.write(text);
	} finally {
		for (const p of procs.reverse()) await p.stop();
		await latchkey.stop();
	}
}

main().catch((e) => { console.error(e); process.exit(1); });
