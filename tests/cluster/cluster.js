// make run-cluster (scripts/run-cluster) for the tests and the benchmark:
// PostgreSQL and three lighttpd nodes on three consecutive free loopback
// ports, in a temporary directory (LATCHKEY_RUN_DIR), stopped as Ctrl-C
// would stop them.
//
//   const { startCluster } = require('./cluster.js');
//   const c = await startCluster({ local: 'refresh_grace = 2\n', pgPort: 5433 });
//   c.nodes[0..2].baseURL, c.sql('SELECT 1'), c.tool(['user', 'list'])
//   c.pg('stop') / c.pg('start'), c.pids(n, 'profile'), c.log(n)
//   const output = await c.stop();

'use strict';

const { spawn, execFileSync } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { waitForPort } = require('../lib/net.js');
const { tool, repoRoot } = require('../lib/server.js');

const psql = '/usr/lib/postgresql/15/bin/psql';
const live = new Set();
process.on('exit', () => {
	for (const child of live) {
		try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

/** Whether 127.0.0.1:port is free now. */
function portFree(port) {
	return new Promise((resolve) => {
		const s = net.createServer();
		s.once('error', () => resolve(false));
		s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
	});
}

/** A port p with p, p + 1 and p + 2 free a moment ago. */
async function freeRun() {
	for (let i = 0; i < 200; i++) {
		const p = 20000 + Math.floor(Math.random() * 40000);
		if (await portFree(p) && await portFree(p + 1) && await portFree(p + 2))
			return p;
	}
	throw new Error('no three free ports in a row');
}

/** Pids of lighttpd's FastCGI children (of parent) running program name. */
function fcgiPids(parent, name) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid !== parent) continue;
			const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
			if (path.basename(cmd.split('\0')[0]) === `${name}.fcgi`) out.push(Number(d));
		} catch { /* exited */ }
	}
	return out.sort((a, b) => a - b);
}

/**
 * Start the cluster.  local: lines for var/cluster/local.conf (both kinds
 * of node); pgPort: PostgreSQL's port (make run-cluster PG_PORT=), else a
 * free one.  Resolves to { dir, run, port, nodes, sql, tool, verifyTool,
 * pg, pids, lighttpdPid, log, out, stop }; stop() resolves to what
 * run-cluster wrote.
 */
async function startCluster(opts = {}) {
	const run = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cluster-'));
	const dir = path.join(run, 'cluster');
	fs.mkdirSync(dir);
	if (opts.local) fs.writeFileSync(path.join(dir, 'local.conf'), opts.local);
	const port = await freeRun();
	const logFile = path.join(run, 'run-cluster.log');
	const fd = fs.openSync(logFile, 'w');
	const args = opts.pgPort ? [String(port), String(opts.pgPort)] : [String(port)];
	const child = spawn(path.join(repoRoot, 'scripts', 'run-cluster'), args, {
		env: { ...process.env, LATCHKEY_RUN_DIR: run }, stdio: ['ignore', fd, fd], detached: true,
	});
	fs.closeSync(fd);
	live.add(child);
	const out = () => fs.readFileSync(logFile, 'utf8');
	for (let n = 0; n < 3; n++) {
		if (!await waitForPort(port + n, child, Date.now() + 60000)) {
			try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
			throw new Error(`make run-cluster did not start node ${n + 1}:\n${out()}`);
		}
	}
	const adminUri = fs.readFileSync(path.join(dir, 'admin_uri'), 'utf8').trim()
	    .replace('///postgres?', '///latchkey?');
	const c = {
		dir, run, port, out,
		nodes: [0, 1, 2].map((n) => ({ n: n + 1, baseURL: `http://127.0.0.1:${port + n}` })),
		/** A query as the superuser; rows as sqlite3 prints them. */
		sql: (q) => execFileSync(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
		    '-d', adminUri, '-c', q], { encoding: 'utf8' }).trim(),
		tool: (args, input) => tool(path.join(dir, 'latchkey.conf'), args, input),
		verifyTool: (args, input) => tool(path.join(dir, 'verify.conf'), args, input),
		/** scripts/pg-cluster stop|start on the cluster's PostgreSQL. */
		pg: (cmd) => execFileSync(path.join(repoRoot, 'scripts', 'pg-cluster'), [cmd, dir],
		    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }),
		lighttpdPid: (n) => Number(fs.readFileSync(path.join(dir, `node${n}`, 'lighttpd.pid'), 'utf8')),
		pids: (n, name) => fcgiPids(c.lighttpdPid(n), name),
		log: (n) => {
			try { return fs.readFileSync(path.join(dir, `node${n}`, 'error.log'), 'utf8'); } catch { return ''; }
		},
		async stop() {
			// As Ctrl-C would: the whole group, the script and the servers.
			if (child.exitCode === null && child.signalCode === null) {
				const exited = once(child, 'exit');
				process.kill(-child.pid, 'SIGINT');
				await exited;
			}
			live.delete(child);
			let said = '';
			try { said = out(); } catch { /* stopped before */ }
			if (!process.env.LATCHKEY_KEEP) fs.rmSync(run, { recursive: true, force: true });
			return said;
		},
	};
	return c;
}

module.exports = { startCluster, fcgiPids };
