// make bench, scale-out rows: /api/profile and /api/login on PostgreSQL
// (a full node of make run-cluster) next to SQLite (one lighttpd as make
// run serves it), both with ES256 tokens, and the profile of the cluster's
// verify-only node (public keys, read-only role).  Appended to the report
// bench/run.js wrote, in the same run.
//
//   node bench/cluster.js OUT.md   (make bench sets LATCHKEY_BUILD, BENCH_*)

'use strict';

const fs = require('node:fs');
const path = require('node:path');

const h = require('../tests/stress/harness.js');
const { startCluster } = require('../tests/cluster/cluster.js');

const OUT = process.argv[2] ?? path.join(__dirname, 'results.md');
const T = Number(process.env.BENCH_TIME ?? 10);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const LOGIN = { email: h.DEMO.email, password: h.DEMO.password };
const log = (s) => process.stderr.write(`bench: cluster: ${s}\n`);
const f1 = (x) => Number(x).toFixed(1);
const f2 = (x) => Number(x).toFixed(2);
const avg = (a, k) => a.reduce((s, x) => s + x[k], 0) / a.length;
const failed = (a) => a.reduce((s, x) => s + x.errors + x.requests - x.ok, 0);

/*
 * Profile (64 connections) on every server in turns, two rounds, so that
 * drift hits all alike; then login (16 connections) on those that issue.
 */
async function measure(targets) {
	const runs = new Map(targets.map((t) => [t.label, { profile: [], login: [] }]));
	for (const t of targets) {
		await h.loadgen(`${t.baseURL}/api/profile`, { conns: 64, seconds: 1, headers: [`Cookie: ${t.cookie}`] });
		if (t.login)
			await h.loadgen(`${t.baseURL}/api/login`, { conns: 4, seconds: 1, method: 'POST',
			    headers: ['Content-Type: application/json'], body: LOGIN });
	}
	for (let i = 0; i < 2; i++)
		for (const t of targets) {
			log(`${t.label}: profile, 64 connections, round ${i + 1}`);
			runs.get(t.label).profile.push(await h.loadgen(`${t.baseURL}/api/profile`,
			    { conns: 64, seconds: T / 2, warmup: 0.5, headers: [`Cookie: ${t.cookie}`] }));
		}
	for (const t of targets.filter((x) => x.login)) {
		log(`${t.label}: login, 16 connections`);
		runs.get(t.label).login.push(await h.loadgen(`${t.baseURL}/api/login`, { conns: 16,
		    seconds: T, warmup: 1, method: 'POST', headers: ['Content-Type: application/json'], body: LOGIN }));
		await h.sleep(2000);
	}
	return runs;
}

async function main() {
	log('starting SQLite lighttpd and the PostgreSQL cluster');
	const lite = await h.startLighttpd({ procs: PROCS, config: 'token_algorithm = ES256\n' });
	const cluster = await startCluster();
	try {
		const full = cluster.nodes[0].baseURL;
		const verify = cluster.nodes[2].baseURL;
		const liteCookie = (await h.login(lite.baseURL)).cookie;
		const pgCookie = (await h.login(full)).cookie;
		const targets = [
			{ label: 'SQLite, one node', baseURL: lite.baseURL, cookie: liteCookie, login: true },
			{ label: 'PostgreSQL, full node', baseURL: full, cookie: pgCookie, login: true },
			{ label: 'PostgreSQL, verify-only node (public keys, read-only role)', baseURL: verify,
			    cookie: pgCookie, login: false },
		];
		const runs = await measure(targets);
		const md = ['', '## PostgreSQL next to SQLite, and a verify-only node (bench/cluster.js)', '',
		    `ES256 tokens everywhere; lighttpd with ${PROCS} FastCGI processes per program on SQLite, 2 on each node of`,
		    '`make run-cluster` (PostgreSQL 15 on loopback, as an unprivileged user, with the test cluster\'s settings:',
		    'fsync off). Profile runs in turns on the three servers (2 rounds of ' + `${T / 2} s), login ${T} s each.`, '',
		    '| server | profile req/s (64 conns) | profile p99 ms | login req/s (16 conns) | login p99 ms | failed |',
		    '|---|---|---|---|---|---|'];
		for (const t of targets) {
			const r = runs.get(t.label);
			const l = r.login.length > 0 ?
			    [f1(avg(r.login, 'rps')), f2(avg(r.login, 'p99_ms'))] : ['(cannot issue)', ''];
			md.push(`| ${t.label} | ${f1(avg(r.profile, 'rps'))} | ${f2(avg(r.profile, 'p99_ms'))} | ` +
			    `${l[0]} | ${l[1]} | ${failed([...r.profile, ...r.login])} |`);
		}
		md.push('');
		fs.appendFileSync(OUT, md.join('\n'));
		log(`appended to ${OUT}`);
		console.log(md.join('\n'));
	} finally {
		await cluster.stop();
		await lite.stop();
	}
}

main().catch((e) => { console.error(e); process.exit(1); });
