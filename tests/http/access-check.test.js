// `latchkey access check`: which rule of the access rules decides a
// request, as the authorizer would decide it, with the tool's output and
// exit status; a configuration, key, database and users of its own, and
// no server.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { buildDir } = require('../lib/server.js');

const TOOL = path.join(buildDir, 'bin', 'latchkey');

function run(args, { input = '', env = {} } = {}) {
	const r = spawnSync(TOOL, args, { input, encoding: 'utf8',
	    env: { ...process.env, LATCHKEY_CONFIG: '', ...env } });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('latchkey access check', () => {
	let dir;
	let conf;
	const RULES = '# the site\n' +
	    'bypass path=/public/\n' +
	    'deny user=carol@example.com\n' +
	    'two_factor path=/admin/,~^/billing(/|$)\n' +
	    'deny net=203.0.113.0/24\n' +
	    'one_factor host=*.example.com method=GET,HEAD\n';
	const check = (...args) => run(['--config', conf, 'access', 'check', ...args]);

	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-access-'));
		conf = path.join(dir, 'latchkey.conf');
		assert.equal(run(['--config', conf, 'init']).status, 0);
		fs.appendFileSync(conf, 'access_rules = access.rules\n');
		fs.writeFileSync(path.join(dir, 'access.rules'), RULES, { mode: 0o644 });
		for (const email of ['ann@example.com', 'carol@example.com'])
			assert.equal(run(['--config', conf, 'user', 'add', email, '--password-stdin'],
			    { input: 'a fine password 1\n' }).status, 0);
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('prints the deciding rule and the decision; 0 when allowed, 1 when not', () => {
		const cases = [
			[['https://app.example.com/public/a'], 0, 'line 2: bypass path=/public/\n' +
			    'decision: allowed without login (bypass)\n'],
			// Nobody signed in meets a rule with a subject: log in first.
			[['https://app.example.com/x'], 1, 'line 3: deny user=carol@example.com\n' +
			    'decision: login required\n'],
			[['https://app.example.com/x', '--user', 'ann@example.com', '--from', '192.0.2.1'], 0,
			    'line 6: one_factor host=*.example.com method=GET,HEAD\ndecision: allowed\n'],
			// No address: a net= rule cannot be passed.
			[['https://app.example.com/x', '--user', 'ann@example.com'], 1,
			    'line 5: deny net=203.0.113.0/24\ndecision: denied (a net= rule, and no client ' +
			    'address: see --from)\n'],
			[['https://app.example.com/x', '--user', 'Carol@Example.com'], 1,
			    'line 3: deny user=carol@example.com\ndecision: denied\n'],
			[['https://app.example.com/billing/x', '--user', 'ann@example.com'], 1,
			    'line 4: two_factor path=/admin/,~^/billing(/|$)\ndecision: second factor required\n'],
			[['https://app.example.com/admin/', '--user', 'ann@example.com', '--second-factor'], 0,
			    'line 4: two_factor path=/admin/,~^/billing(/|$)\ndecision: allowed\n'],
			// Decoded and normalised, as the authorizer reads it.
			[['https://app.example.com/public/%2e%2e/admin/', '--user', 'ann@example.com'], 1,
			    'line 4: two_factor path=/admin/,~^/billing(/|$)\ndecision: second factor required\n'],
			[['https://app.example.com/x', '--user', 'ann@example.com', '--from', '203.0.113.9'], 1,
			    'line 5: deny net=203.0.113.0/24\ndecision: denied\n'],
			[['https://app.example.com/x', '--user', 'ann@example.com', '--from', '::ffff:203.0.113.9'], 1,
			    'line 5: deny net=203.0.113.0/24\ndecision: denied\n'],
			[['https://app.example.com/x', '--user', 'ann@example.com', '--method', 'POST',
			    '--from', '2001:db8::1'], 1, 'no rule matches\ndecision: denied\n'],
			[['http://other.test/x', '--user', 'ann@example.com', '--from', '192.0.2.1'], 1,
			    'no rule matches\ndecision: denied\n'],
			[['/x', '--user', 'ann@example.com', '--from', '192.0.2.1'], 1,
			    'no rule matches\ndecision: denied\n'],
			[['https://app.example.com/a%2F..%2Fb'], 1, 'the request\'s path or host cannot be read ' +
			    '(a bad %XX escape, not UTF-8, a NUL, or %2F with "..")\n' +
			    'decision: bad request: the path or host is refused\n'],
		];
		for (const [args, status, out] of cases) {
			const r = check(...args);
			assert.equal(r.stdout, out, args.join(' '));
			assert.equal(r.status, status, args.join(' '));
			assert.equal(r.stderr, '');
		}
	});

	it('exits 2 on a usage error, an unknown user or a rules file with an error', () => {
		const cases = [
			[[], "latchkey: access check: URL missing\n"],
			[['ftp://x/'], "latchkey: access check: 'ftp://x/' is not a URL (http://host/path, " +
			    'https://host/path) or a path (/path)\n'],
			[['https://user@app.example.com/'], "latchkey: access check: 'https://user@app.example.com/' " +
			    'is not a URL (http://host/path, https://host/path) or a path (/path)\n'],
			[['/x', '--from'], "latchkey: option '--from' needs a value\n"],
			[['/x', '--user', 'a@b.c', '--user', 'd@e.f'], "latchkey: option '--user' given twice\n"],
			[['/x', '--bogus'], "latchkey: access check: unknown option '--bogus'\n"],
			[['/x', '/y'], "latchkey: unexpected argument '/y'\n"],
			[['https://app.example.com/x', '--user', 'nobody@example.com'],
			    'latchkey: nobody@example.com: no such user\n'],
		];
		for (const [args, err] of cases) {
			const r = check(...args);
			assert.equal(r.stderr, err, args.join(' '));
			assert.equal(r.status, 2, args.join(' '));
			assert.equal(r.stdout, '');
		}
		fs.writeFileSync(path.join(dir, 'access.rules'), `${RULES}bypass path=/x/ group=staff\n`);
		let r = check('/x/');
		assert.equal(r.stderr, `latchkey: ${dir}/access.rules:7: bypass cannot have a subject ` +
		    '(user= or group=): nobody signs in to pass a bypass rule\n');
		assert.equal(r.status, 2);
		fs.rmSync(path.join(dir, 'access.rules'));
		r = check('/x/');
		assert.equal(r.stderr, `latchkey: ${dir}/access.rules: No such file or directory\n`);
		assert.equal(r.status, 2);
		fs.writeFileSync(path.join(dir, 'access.rules'), RULES, { mode: 0o644 });
		// A configuration without access_rules: nothing to check.
		const bare = path.join(dir, 'bare.conf');
		fs.writeFileSync(bare, 'database = latchkey.db\n');
		r = run(['--config', bare, 'access', 'check', '/x']);
		assert.equal(r.stderr, `latchkey: ${bare} sets no access_rules: the authorizer lets ` +
		    'any signed-in user through\n');
		assert.equal(r.status, 2);
		r = run(['--config', path.join(dir, 'none.conf'), 'access', 'check', '/x']);
		assert.equal(r.status, 2);
	});

	it('a disabled user is refused before any rule', () => {
		assert.equal(run(['--config', conf, 'user', 'disable', 'ann@example.com']).status, 0);
		const r = check('https://app.example.com/x', '--user', 'ann@example.com', '--from', '192.0.2.1');
		assert.equal(r.stdout, 'ann@example.com is disabled: the authorizer refuses the login ' +
		    'before any rule\n');
		assert.equal(r.status, 1);
		assert.equal(run(['--config', conf, 'user', 'enable', 'ann@example.com']).status, 0);
	});

	it('is in --help and the man page', () => {
		assert.match(run(['--help']).stdout,
		    /access check URL \[--user EMAIL\] \[--method M\] \[--from ADDR\] \[--second-factor\]/);
		const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'latchkey.1'), 'utf8');
		assert.ok(text.includes('.B access check'));
		assert.ok(text.includes('\\-\\-second\\-factor'));
	});
});
