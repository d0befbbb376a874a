// make bench-forward (and make bench): nginx serving one static file behind
// auth_request, four ways, over loopback: to latchkey's authz.fcgi over
// FastCGI (the shipped nginx/ configuration), to bench/noop.c reached the
// same way (a no-op FastCGI responder: the ceiling of any FastCGI check),
// to nginx's own `return 204` (the check without a program), and the file
// unprotected.  Appends its Markdown section to OUT.md.
//
//   node bench/forward.js OUT.md     (LATCHKEY_BUILD, BENCH_TIME, BENCH_PROCS)

'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../tests/stress/harness.js');
const rounds = require('./rounds.js');
const { startLatchkey, startAuthzSocket, startChild, waitFor, freePort } = require('../tests/proxy/helpers.js');

const OUT = process.argv[2] ?? path.join(__dirname, 'results.md');
const T = Number(process.env.BENCH_TIME ?? 5);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const bin = (p) => path.join(h.buildDir, p);

/** Stop the processes, and wait (5 s at most) until they are gone. */
async function stopPids(pids) {
	for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
	const end = Date.now() + 5000;
	const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
	while (pids.some(alive) && Date.now() < end) await h.sleep(50);
	for (const p of pids.filter(alive)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

async function main() {
	const port = await freePort();
	const latchkey = await startLatchkey(port, 'one_factor\n');
	const state = fs.mkdtempSync(path.join(latchkey.dir, 'bench-'));
	const procs = [];
	const fcgi = { authz: [], noop: [] };
	try {
		const { cookie } = await h.login(latchkey.baseURL, { email: 'test@example.com', password: 'password123' });
		// authz.fcgi and noop.fcgi, PROCS processes each, on sockets
		// (spawn-fcgi forks them, writes their pids and exits; with -n it
		// would run one alone).
		const authz = path.join(state, 'authz.sock');
		const noop = path.join(state, 'noop.sock');
		const spawnFcgi = (sock, prog, env) => {
			const pidFile = `${sock}.pids`;
			execFileSync('spawn-fcgi', ['-F', String(PROCS), '-s', sock, '-M', '0600', '-P', pidFile, '--', prog],
			    { env, stdio: 'ignore' });
			const pids = fs.readFileSync(pidFile, 'utf8').match(/\d+/g)?.map(Number) ?? [];
			if (pids.length !== PROCS) throw new Error(`spawn-fcgi ${prog}: pids ${pids}`);
			return pids;
		};
		fcgi.authz = spawnFcgi(authz, bin('cgi-bin/authz.fcgi'), { ...process.env, LATCHKEY_CONFIG: latchkey.config });
		fcgi.noop = spawnFcgi(noop, bin('bench/noop.fcgi'), process.env);
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
		// In turns, BENCH_ROUNDS rounds: medians and their spread (bench/rounds.js).
		const pidsOf = [fcgi.authz, fcgi.noop, [], []];
		const runs = await rounds.interleave(rows.map((x, i) => i), async (i) => {
			const r = await rounds.withCpu(pidsOf[i], () => h.loadgen(base + rows[i][1],
			    { conns: 64, seconds: Math.max(1, T / rounds.ROUNDS), warmup: 0.3, headers }));
			if (r.errors !== 0 || r.ok !== r.requests) throw new Error(`${rows[i][1]}: ${JSON.stringify(r.status)}`);
			return r;
		});
		const res = rows.map((x, i) => rounds.row(runs[i]));
		const ratio = rounds.ratio(res[0], res[1]);
		const f1 = (x) => x.toFixed(1);
		const text = [
			'', '## Forward auth: nginx in front', '',
			`Written by \`make bench-forward\` (bench/forward.js): nginx ${'1.22'} serving one static file over loopback, ` +
			`64 connections, ${PROCS} FastCGI processes per responder (spawn-fcgi), ${rounds.ROUNDS} rounds of ${f1(Math.max(1, T / rounds.ROUNDS))} s ` +
			`taken in turns (row by row), on ${os.cpus().length} cores (${os.cpus()[0].model}). Req/s: the median of the rounds ` +
			'(min–max); p50 and p99: medians of the rounds.', '',
			'| the file served | req/s | p50 ms | p99 ms |',
			'|---|---:|---:|---:|',
			...rows.map(([name], i) => `| ${name} | ${rounds.rpsCell(res[i])} | ${res[i].p50.toFixed(2)} | ${res[i].p99.toFixed(2)} |`),
			'',
			`latchkey ÷ the no-op responder: ${rounds.ratioCell(ratio)} (target ≥ 0.9: ${ratio.value >= 0.9 ? 'met' : 'not met'}).`, '',
			`CPU per request of the FastCGI processes (/proc/PID/schedstat, median of the rounds): authz.fcgi ${res[0].cpu_us.toFixed(1)} µs, ` +
			`noop.fcgi ${res[1].cpu_us.toFixed(1)} µs.`, '',
		].join('\n');
		fs.appendFileSync(OUT, text);
		process.stdout.write(text);
	} finally {
		for (const p of procs.reverse()) await p.stop();
		await stopPids([...fcgi.authz, ...fcgi.noop]);
		await latchkey.stop();
	}
}

main().catch((e) => { console.error(e); process.exit(1); });
