'use strict';
// docs/API.md, run: every example (the indented blocks that start with
// `curl` or a shell variable) in the page's order, as written, in one bash
// against make run's configuration on lighttpd and on Apache; each curl
// block's answer, the `→ status body` (or `→ status`, `Header: value`)
// line after it, compared with what the server says. Only the server's
// address differs from the page (a free port instead of 8080).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { startServer } = require('../lib/server.js');

const PAGE = path.join(__dirname, '..', '..', 'docs', 'API.md');
const RUNNABLE = /^(curl |[A-Z][A-Z0-9_]*=)/;

/**
 * The page's examples: { line, code, expect } in order, expect (for a
 * block with curl) { status, body (undefined: not stated), headers }.
 */
function examples(text) {
	const lines = text.split('\n');
	const out = [];
	for (let i = 0; i < lines.length; i++) {
		if (!lines[i].startsWith('    ') || (i > 0 && lines[i - 1].startsWith('    '))) continue;
		const start = i;
		const block = [];
		while (i < lines.length && lines[i].startsWith('    ')) block.push(lines[i++].slice(4));
		if (!RUNNABLE.test(block[0])) continue;
		const code = block.join('\n');
		let expect = null;
		if (/^curl |\ncurl /.test(code)) {
			while (i < lines.length && lines[i].trim() === '') i++;
			const m = /^→ `([^`]*)`((?:, `[^`]*`)*)/.exec(lines[i] || '');
			assert.ok(m, `docs/API.md:${start + 1}: a curl example without its "→ \`status body\`" line`);
			const first = /^(\d{3})(?: ([\s\S]*))?$/.exec(m[1]);
			assert.ok(first, `docs/API.md:${i + 1}: "${m[1]}" is not "status [body]"`);
			const headers = [...m[2].matchAll(/`([^`]*)`/g)].map((h) => h[1]);
			for (const h of headers) assert.match(h, /^[A-Za-z-]+: \S/, `docs/API.md:${i + 1}: "${h}"`);
			expect = { status: Number(first[1]), body: first[2], headers };
		}
		out.push({ line: start + 1, code, expect });
		i--;
	}
	return out;
}

/**
 * Run the examples in one bash: curl stands for itself with -D, so that
 * each answer's status and headers are known too. Returns, per example,
 * { stdout, head } (head: the last response's header block).
 */
function run(list, baseURL) {
	const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'latchkey-docs-'));
	const script = ['set -u', `__head=${dir}/head`,
		'curl() { : >"$__head"; command curl -D "$__head" "$@"; }'];
	list.forEach((ex, n) => {
		script.push(ex.code.replaceAll('http://127.0.0.1:8080', baseURL));
		script.push(`printf '\\n@@%d@@\\n' ${n}`, 'cat "$__head"', `printf '@@end@@\\n'`);
	});
	const r = spawnSync('bash', ['-c', script.join('\n')], { encoding: 'utf8', cwd: dir });
	fs.rmSync(dir, { recursive: true, force: true });
	assert.equal(r.status, 0, r.stderr);
	const results = [];
	const re = /([\s\S]*?)\n@@(\d+)@@\n([\s\S]*?)@@end@@\n/g;
	let m;
	while ((m = re.exec(r.stdout)) !== null) results[Number(m[2])] = { stdout: m[1], head: m[3] };
	return results;
}

const text = fs.readFileSync(PAGE, 'utf8');
const list = examples(text);

describe('docs/API.md as written', () => {
	it('has examples, each curl one with its answer', () => {
		assert.ok(list.filter((ex) => ex.expect).length >= 10, `${list.length} examples`);
		// The first sets the server and the jar, as the page says.
		assert.match(list[0].code, /^B=http:\/\/127\.0\.0\.1:8080\nJAR=\$\(mktemp\)$/);
	});

	// A reader sees what the page promises: an answer stated by its
	// headers alone (a redirect's Location), with no body to show, is an
	// example that prints them.
	it('shows the headers of an answer without a body (curl -i)', () => {
		const headersOnly = list.filter((e) => e.expect && e.expect.headers.length > 0 &&
		    e.expect.body === undefined);
		assert.ok(headersOnly.length >= 1);
		for (const ex of headersOnly) {
			const flags = ex.code.split('\n').find((l) => l.startsWith('curl'));
			assert.match(flags, /^curl (-[a-zA-Z]*[iI][a-zA-Z]* |--include )/, `docs/API.md:${ex.line}: ${flags}`);
		}
	});

	for (const kind of ['lighttpd', 'apache-fcgid']) {
		describe(`on ${kind}`, () => {
			let srv;
			let results;
			before(async () => {
				srv = await startServer({ kind });
				// As make run: the demo user administers.
				assert.equal(srv.tool(['group', 'add', 'admins']).status, 0);
				assert.equal(srv.tool(['group', 'adduser', 'admins', 'test@example.com']).status, 0);
				results = run(list, srv.baseURL);
			});
			after(async () => { await srv?.stop(); });

			for (const [n, ex] of list.entries()) {
				if (!ex.expect) continue;
				it(`docs/API.md:${ex.line}: ${ex.code.split('\n').find((l) => l.startsWith('curl')).slice(0, 60)}`, () => {
					const got = results[n];
					assert.ok(got, 'the example did not run');
					const statuses = [...got.head.matchAll(/^HTTP\/[\d.]+ (\d{3})/mg)];
					assert.ok(statuses.length > 0, `no response:\n${got.stdout}`);
					assert.equal(Number(statuses.at(-1)[1]), ex.expect.status, got.stdout);
					if (ex.expect.body !== undefined) assert.equal(got.stdout.replace(/\n$/, ''), ex.expect.body);
					for (const h of ex.expect.headers) {
						const [name, value] = [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 2)];
						const line = got.head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
						assert.equal(line && line.slice(name.length + 1).trim(), value, `${name} in\n${got.head}`);
					}
				});
			}
		});
	}
});
