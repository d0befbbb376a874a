'use strict';
// make run-cluster's own promises: PG_PORT picks PostgreSQL's port, and
// stopping stops PostgreSQL even after make run, started meanwhile in the
// same var/, took var/'s permissions in hand (its chmod): run-lighttpd
// keeps var/ searchable while a cluster lives there, and run-cluster
// stops PostgreSQL by its pid when its user cannot reach its files.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const { startCluster } = require('./cluster.js');
const { freePort, waitForPort } = require('../lib/net.js');
const { repoRoot } = require('../lib/server.js');
const { request } = require('../lib/http.js');

/** Whether pid is a live process running program (its executable's name). */
function running(pid, program) {
	try {
		return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)) === program;
	} catch {
		return false;
	}
}

describe('make run-cluster PG_PORT=, then make run beside it', () => {
	let c;
	let pgPort;
	let postmaster;
	before(async () => {
		pgPort = await freePort();
		c = await startCluster({ pgPort });
		postmaster = Number(fs.readFileSync(path.join(c.dir, 'pg', 'data', 'postmaster.pid'), 'utf8')
		    .split('\n')[0]);
	});
	after(async () => {
		await c?.stop();
		// Whatever happened above, no server of this test lives on.
		if (postmaster && running(postmaster, 'postgres')) process.kill(postmaster, 'SIGQUIT');
	});

	it('runs PostgreSQL on PG_PORT, and the nodes use it', async () => {
		assert.equal(c.sql('SHOW port'), String(pgPort));
		assert.equal(fs.readFileSync(path.join(c.dir, 'uri'), 'utf8'),
		    `postgresql://latchkey@127.0.0.1:${pgPort}/latchkey\n`);
		assert.match(fs.readFileSync(path.join(c.dir, 'latchkey.conf'), 'utf8'),
		    new RegExp(`^database = postgresql://latchkey@127\\.0\\.0\\.1:${pgPort}/latchkey$`, 'm'));
		assert.match(c.out(), new RegExp(`PostgreSQL postgresql://latchkey@127\\.0\\.0\\.1:${pgPort}/latchkey`));
		const r = await request(c.nodes[0].baseURL, { method: 'POST', path: '/api/login',
		    body: { email: 'test@example.com', password: 'password123' } });
		assert.equal(r.status, 200, r.body);
		assert.ok(running(postmaster, 'postgres'));
	});

	it('make run in the same var/ leaves it searchable for the cluster', async () => {
		const port = await freePort();
		const run = spawn(path.join(repoRoot, 'scripts', 'run-lighttpd'), [String(port)], {
			env: { ...process.env, LATCHKEY_RUN_DIR: c.run }, stdio: 'ignore', detached: true,
		});
		try {
			assert.ok(await waitForPort(port, run, Date.now() + 30000), 'make run did not start');
			assert.equal(fs.statSync(c.run).mode & 0o777, 0o711);
			// The cluster goes on.
			assert.equal(c.sql('SELECT 1'), '1');
		} finally {
			if (run.exitCode === null && run.signalCode === null) {
				const exited = once(run, 'exit');
				process.kill(-run.pid, 'SIGTERM');
				await exited;
			}
		}
	});

	it('stopping stops PostgreSQL though its user can no longer reach var/', async () => {
		// As make run did before, or any chmod of the owner's.
		fs.chmodSync(c.run, 0o700);
		const said = await c.stop();
		assert.equal(running(postmaster, 'postgres'), false, said);
		if (process.getuid() === 0)
			assert.match(said, new RegExp(`stopping PostgreSQL \\(pid ${postmaster}\\) by signal`));
		assert.doesNotMatch(said, /may still be running|Permission denied/);
	});
});
