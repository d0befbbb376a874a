// GET /api/health on every server configuration: 200 {"status":"ok"} while
// the node can serve, 503 naming the part that cannot (keys, store,
// rules), and 200 again once the part is back, with nothing restarted.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startServer, kinds } = require('../lib/server.js');
const { request } = require('../lib/http.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const OK = '{"status":"ok"}\n';
const down = (reason) => `{"reason":"${reason}","status":"unavailable"}\n`;

// Ask until the answer is want (the programs retry a failed part at most
// once a second, and read a changed file at most once a second): at most
// 8 seconds, then the last answer.
async function until(srv, want) {
	let res;
	for (let i = 0; i < 40; i++) {
		res = await request(srv.baseURL, { path: '/api/health' });
		if (res.body === want) break;
		await sleep(200);
	}
	return res;
}

// Replace a file's bytes in place (the same inode, owner and mode), so
// that a process holding it open reads the new ones.
function overwrite(file, bytes) {
	const fd = fs.openSync(file, 'r+');
	try {
		fs.writeSync(fd, bytes, 0, bytes.length, 0);
		fs.ftruncateSync(fd, bytes.length);
	} finally {
		fs.closeSync(fd);
	}
}

const RULES = 'one_factor path=/\n';

for (const kind of kinds()) {
	describe(`GET /api/health on ${kind}`, () => {
		let srv;
		let rules;
		before(async () => {
			srv = await startServer({ kind, config: 'access_rules = access.rules\n' });
			rules = path.join(srv.dir, 'access.rules');
			fs.writeFileSync(rules, RULES, { mode: 0o644 });
		});
		after(async () => { await srv?.stop(); });

		it('answers ok with no cookie, never to be cached', async () => {
			const res = await request(srv.baseURL, { path: '/api/health' });
			assert.equal(res.status, 200);
			assert.equal(res.body, OK);
			assert.equal(res.headers['content-type'], 'application/json');
			assert.equal(res.headers['cache-control'], 'no-store');
			assert.equal(res.setCookies.length, 0);
			const head = await request(srv.baseURL, { method: 'HEAD', path: '/api/health' });
			assert.equal(head.status, 200);
			const post = await request(srv.baseURL, { method: 'POST', path: '/api/health', body: {} });
			assert.equal(post.status, 405);
			assert.equal(post.headers.allow, 'GET, HEAD');
		});

		it('names the keys while the key file cannot be read, then recovers', async () => {
			const file = path.join(srv.dir, 'secret.key');
			const saved = fs.readFileSync(file);
			try {
				overwrite(file, Buffer.from('not a key\n'));
				const res = await until(srv, down('keys'));
				assert.equal(res.status, 503);
				assert.equal(res.body, down('keys'));
				assert.equal(res.headers['cache-control'], 'no-store');
			} finally {
				overwrite(file, saved);
			}
			const res = await until(srv, OK);
			assert.equal(res.status, 200);
			assert.equal(res.body, OK);
		});

		it('names the rules while the rules file has an error, then recovers', async () => {
			try {
				fs.writeFileSync(rules, 'allow everyone\n');
				const res = await until(srv, down('rules'));
				assert.equal(res.status, 503);
				assert.equal(res.body, down('rules'));
			} finally {
				fs.writeFileSync(rules, RULES);
			}
			const res = await until(srv, OK);
			assert.equal(res.status, 200);
		});

		it('names the store while the SQLite file cannot be read, then recovers', async (t) => {
			if (srv.store !== 'sqlite') {
				t.skip('SQLite only (PostgreSQL: tests/cluster)');
				return;
			}
			const saved = fs.readFileSync(srv.db);
			try {
				overwrite(srv.db, Buffer.alloc(saved.length, 0x5a));
				const res = await until(srv, down('store'));
				assert.equal(res.status, 503);
				assert.equal(res.body, down('store'));
			} finally {
				overwrite(srv.db, saved);
			}
			const res = await until(srv, OK);
			assert.equal(res.status, 200);
			assert.equal(res.body, OK);
		});
	});
}
