// GET /metrics: the Prometheus exposition (checked by promtool), given to
// metrics_networks or a bearer token and refused to anyone else, and a
// real Prometheus, started here on loopback, that scrapes a FastCGI and a
// plain-CGI deployment and sees the counters move by exactly the logins,
// failed logins and refreshes made.  Also: the alerting rules of
// docs/observability.md load in Prometheus (promtool check rules).

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { once } = require('node:events');

const { startServer, prepare, kinds, DEMO, repoRoot } = require('../lib/server.js');
const { request, cookiesFrom } = require('../lib/http.js');
const { freePort, waitForPort } = require('../lib/net.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const TOKEN = 'a-metrics-token-of-some-length-0123456789';

function promtool(args, input) {
	return spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30000 });
}

// The value of one sample line of an exposition, or undefined.
function sample(text, series) {
	for (const line of text.split('\n'))
		if (line.startsWith(series + ' '))
			return Number(line.slice(series.length + 1));
	return undefined;
}

async function login(srv, password = DEMO.password) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
	    body: { email: DEMO.email, password } });
	return { res, c: cookiesFrom(res.setCookies) };
}

async function refresh(srv, c) {
	const res = await request(srv.baseURL, { method: 'POST', path: '/api/refresh', body: {},
	    cookie: `refresh_token_cookie=${c.refresh_token_cookie}`,
	    headers: { 'X-CSRF-TOKEN': c.csrf_refresh_token } });
	assert.equal(res.status, 200, res.body);
	return cookiesFrom(res.setCookies);
}

describe('the alerting rules', () => {
	it('load in Prometheus', () => {
		const r = promtool(['check', 'rules', path.join(repoRoot, 'docs', 'prometheus-rules.yml')]);
		assert.equal(r.status, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /SUCCESS: [1-9][0-9]* rules found/);
	});
});

for (const kind of kinds().filter((k) => k === 'lighttpd' || k.startsWith('apache'))) {
	describe(`GET /metrics on ${kind}`, () => {
		let srv;
		before(async () => {
			srv = await startServer({ kind });
		});
		after(async () => { await srv?.stop(); });

		it('answers loopback the exposition, which promtool accepts', async () => {
			await login(srv);
			await login(srv, 'wrong password');
			const res = await request(srv.baseURL, { path: '/metrics' });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['content-type'], TYPE);
			assert.equal(res.headers['cache-control'], 'no-store');
			const r = promtool(['check', 'metrics'], res.body);
			assert.equal(r.status, 0, r.stdout + r.stderr);
			const version = fs.readFileSync(path.join(repoRoot, 'VERSION'), 'utf8').trim();
			assert.equal(sample(res.body, `latchkey_build_info{version="${version}"}`), 1);
			assert.equal(sample(res.body, 'latchkey_logins_total{result="success"}'), 1);
			assert.equal(sample(res.body, 'latchkey_logins_total{result="bad_credentials"}'), 1);
			assert.equal(sample(res.body, 'latchkey_users'), 1);
			assert.equal(sample(res.body, 'latchkey_sessions'), 1);
			assert.equal(sample(res.body, 'latchkey_throttled_keys'), 2);
			assert.equal(sample(res.body,
			    'latchkey_request_duration_seconds_count{program="login"}'), 2);
			// Nothing of the user in it.
			assert.ok(!res.body.includes(DEMO.email));
			assert.ok(!res.body.includes('127.0.0.1'));
			// Not under /api/ as an endpoint of its own.
			assert.equal((await request(srv.baseURL, { path: '/api/metrics' })).status, 404);
		});

		it('has every metric the alerting rules and the dashboard name', async () => {
			const res = await request(srv.baseURL, { path: '/metrics' });
			const families = new Set([...res.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)]
			    .flatMap(([, name, type]) => type === 'histogram' ?
				[`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]));
			families.add('latchkey_oidc_requests_total');	// shown once counted
			const text = fs.readFileSync(path.join(repoRoot, 'docs', 'prometheus-rules.yml'), 'utf8') +
			    fs.readFileSync(path.join(repoRoot, 'docs', 'grafana-dashboard.json'), 'utf8');
			const named = new Set(text.match(/\blatchkey_[a-z_]+/g));
			assert.ok(named.size >= 10);
			for (const name of named)
				assert.ok(families.has(name), `${name} is not a metric of latchkey`);
		});

		it('counts in the node\'s counter file, made private beside the database', () => {
			const st = fs.statSync(path.join(srv.dir, 'latchkey.db.metrics'));
			assert.equal(st.mode & 0o777, 0o600);
		});
	});
}

for (const kind of kinds().filter((k) => k === 'lighttpd' || k.startsWith('apache'))) {
	describe(`who may read /metrics on ${kind}`, () => {
		let srv;
		before(async () => {
			const prep = prepare({ config: 'metrics_networks = 192.0.2.0/24, 2001:db8::/32\n' +
			    'metrics_token_file = metrics.token\n' });
			fs.writeFileSync(path.join(prep.dir, 'metrics.token'), TOKEN + '\n', { mode: 0o600 });
			srv = await startServer({ kind, prepared: prep });
		});
		after(async () => {
			await srv?.stop();
		});

		it('refuses a client outside metrics_networks without the token', async () => {
			for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token-wrong' },
			    { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }]) {
				const res = await request(srv.baseURL, { path: '/metrics', headers });
				assert.equal(res.status, 403);
				assert.equal(res.body, '{"msg":"Access denied"}\n');
				assert.equal(res.headers['content-type'], 'application/json');
			}
		});

		it('answers a client presenting the bearer token', async () => {
			const res = await request(srv.baseURL, { path: '/metrics',
			    headers: { Authorization: `Bearer ${TOKEN}` } });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers['content-type'], TYPE);
			assert.equal(promtool(['check', 'metrics'], res.body).status, 0);
			// The refusals above were counted by reason.
			assert.equal(sample(res.body, 'latchkey_refusals_total{reason="access_denied"}'), 4);
		});
	});
}

// Prometheus itself, scraping one latchkey node every second.
async function startPrometheus(target) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-prom-'));
	const port = await freePort();
	const conf = path.join(dir, 'prometheus.yml');
	fs.writeFileSync(conf, 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n' +
	    'scrape_configs:\n  - job_name: latchkey\n    static_configs:\n' +
	    `      - targets: ['${target}']\n`);
	const child = spawn('prometheus', [`--config.file=${conf}`, `--storage.tsdb.path=${dir}/data`,
	    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
	{ stdio: ['ignore', 'ignore', 'pipe'], detached: true });
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	process.on('exit', () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
	if (!await waitForPort(port, child, Date.now() + 20000))
		throw new Error(`prometheus did not come up:\n${stderr}`);
	return {
		base: `http://127.0.0.1:${port}`,
		async query(q) {
			const res = await request(`http://127.0.0.1:${port}`,
			    { path: `/api/v1/query?query=${encodeURIComponent(q)}` });
			// 503 while it is still starting.
			if (res.status !== 200) return undefined;
			const r = res.json().data.result;
			return r.length === 0 ? undefined : Number(r[0].value[1]);
		},
		// The value of q once it is want (scrapes come each second): at
		// most 20 seconds, then the last value.
		async until(q, want) {
			let v;
			for (let i = 0; i < 80; i++) {
				v = await this.query(q);
				if (v === want) break;
				await sleep(250);
			}
			return v;
		},
		async stop() {
			try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
			if (child.exitCode === null && child.signalCode === null)
				await Promise.race([once(child, 'exit'), sleep(10000)]);
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

for (const kind of kinds().filter((k) => k === 'lighttpd' || k === 'apache-cgi')) {
	describe(`a real Prometheus scraping latchkey on ${kind}`, () => {
		let srv;
		let prom;
		before(async () => {
			srv = await startServer({ kind });
			prom = await startPrometheus(new URL(srv.baseURL).host);
		});
		after(async () => {
			await prom?.stop();
			await srv?.stop();
		});

		it('sees the counters move by exactly the logins, failures and refreshes made', async () => {
			const up = await prom.until('up{job="latchkey"}', 1);
			assert.equal(up, 1, 'Prometheus never scraped latchkey');
			const ok = 'latchkey_logins_total{result="success"}';
			const bad = 'latchkey_logins_total{result="bad_credentials"}';
			const rotated = 'latchkey_refreshes_total{result="rotated"}';
			const before = {};
			for (const q of [ok, bad, rotated])
				before[q] = await prom.query(q);
			assert.equal(before[ok], 0);
			for (let i = 0; i < 3; i++)
				assert.equal((await login(srv, 'not the password')).res.status, 401);
			let c;
			for (let i = 0; i < 2; i++) {
				const l = await login(srv);
				assert.equal(l.res.status, 200);
				c = l.c;
			}
			for (let i = 0; i < 4; i++)
				c = await refresh(srv, c);
			assert.equal(await prom.until(ok, before[ok] + 2), before[ok] + 2);
			assert.equal(await prom.until(bad, before[bad] + 3), before[bad] + 3);
			assert.equal(await prom.until(rotated, before[rotated] + 4), before[rotated] + 4);
			assert.equal(await prom.until('latchkey_sessions', 2), 2);
		});
	});
}
