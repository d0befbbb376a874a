// The administrator's tool, run as a user would run it: files and modes it
// creates, each command's output and exit status, and its effect on the
// real database and on logins through the real server.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn, spawnSync } = require('node:child_process');

const { startServer, buildDir } = require('../lib/server.js');
const { request } = require('../lib/http.js');

const TOOL = path.join(buildDir, 'bin', 'latchkey');

function run(args, { input = '', env = {} } = {}) {
	const r = spawnSync(TOOL, args, { input, encoding: 'utf8',
	    env: { ...process.env, LATCHKEY_CONFIG: '', ...env } });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('latchkey init', () => {
	let dir;
	before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-')); });
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('creates configuration, a private key and the database', () => {
		const conf = path.join(dir, 'etc', 'latchkey.conf');
		const r = run(['--config', conf, 'init']);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `created ${conf}\ncreated ${dir}/etc/secret.key\n` +
		    `created ${dir}/etc/mfa.key\ncreated ${dir}/etc/oidc.key\n` +
		    `database ${dir}/etc/latchkey.db ready (schema version 8)\n`);
		// The OpenID provider's own key pair: RS256, private.
		assert.match(fs.readFileSync(path.join(dir, 'etc', 'oidc.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
		assert.equal(fs.statSync(path.join(dir, 'etc', 'oidc.key')).mode & 0o777, 0o600);
		const key = fs.readFileSync(path.join(dir, 'etc', 'secret.key'), 'utf8');
		assert.match(key, /^[0-9a-f]{64}\n$/);
		assert.equal(fs.statSync(path.join(dir, 'etc', 'secret.key')).mode & 0o777, 0o600);
		// The second factors' sealing key: a key of its own, as private.
		const mfa = fs.readFileSync(path.join(dir, 'etc', 'mfa.key'), 'utf8');
		assert.match(mfa, /^[0-9a-f]{64}\n$/);
		assert.notEqual(mfa, key);
		assert.equal(fs.statSync(path.join(dir, 'etc', 'mfa.key')).mode & 0o777, 0o600);
		assert.equal(fs.statSync(path.join(dir, 'etc', 'latchkey.db')).mode & 0o777, 0o600);
		assert.equal(execFileSync('sqlite3', [path.join(dir, 'etc', 'latchkey.db'),
		    'PRAGMA user_version'], { encoding: 'utf8' }).trim(), '8');
	});

	it('keeps an existing key and config when run again', () => {
		const conf = path.join(dir, 'etc', 'latchkey.conf');
		const before = fs.readFileSync(path.join(dir, 'etc', 'secret.key'), 'utf8');
		const mfa = fs.readFileSync(path.join(dir, 'etc', 'mfa.key'), 'utf8');
		const r = run(['--config', conf, 'init']);
		assert.equal(r.status, 0);
		assert.equal(r.stdout, `kept existing ${dir}/etc/secret.key\n` +
		    `kept existing ${dir}/etc/mfa.key\nkept existing ${dir}/etc/oidc.key\n` +
		    `database ${dir}/etc/latchkey.db ready (schema version 8)\n`);
		assert.equal(fs.readFileSync(path.join(dir, 'etc', 'secret.key'), 'utf8'), before);
		assert.equal(fs.readFileSync(path.join(dir, 'etc', 'mfa.key'), 'utf8'), mfa);
	});

	it('honours LATCHKEY_CONFIG', () => {
		const conf = path.join(dir, 'env', 'l.conf');
		const r = run(['init'], { env: { LATCHKEY_CONFIG: conf } });
		assert.equal(r.status, 0, r.stderr);
		assert.ok(fs.existsSync(path.join(dir, 'env', 'secret.key')));
	});

	it('refuses to go on with a key others can read', () => {
		const conf = path.join(dir, 'etc', 'latchkey.conf');
		for (const name of ['secret.key', 'mfa.key']) {
			fs.chmodSync(path.join(dir, 'etc', name), 0o644);
			const r = run(['--config', conf, 'init']);
			assert.equal(r.status, 1);
			assert.match(r.stderr, new RegExp(`${name}.*mode 0644 lets group or others read it`));
			fs.chmodSync(path.join(dir, 'etc', name), 0o600);
		}
	});
});

// The programs run as the web server's user: init --user gives that user
// what they read and write, and nothing that would let them change what
// root's latchkey reads.
describe('latchkey init --user', { skip: process.getuid() !== 0 && 'needs root to give files away' }, () => {
	const NOBODY = { uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })),
	    gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })),
	    group: execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim() };
	let dir;
	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-owner-'));
		fs.chmodSync(dir, 0o755);
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	// A configuration in etc/, the database in a folder of its own.
	function site(name) {
		const etc = path.join(dir, name, 'etc');
		fs.mkdirSync(etc, { recursive: true });
		const conf = path.join(etc, 'latchkey.conf');
		fs.writeFileSync(conf, `database = ${dir}/${name}/var/lib/latchkey/latchkey.db\nkey_file = latchkey.key\n`);
		return { etc, conf, db: path.join(dir, name, 'var', 'lib', 'latchkey') };
	}
	const owner = (p) => { const st = fs.statSync(p); return [st.uid, st.gid, st.mode & 0o777]; };

	it('makes the keys, the database and its folder, and gives them to the user', () => {
		const s = site('a');
		const r = run(['--config', s.conf, 'init', '--user', 'nobody']);
		assert.equal(r.status, 0, r.stderr);
		const to = `nobody:${NOBODY.group}`;
		assert.equal(r.stdout, `created ${s.etc}/latchkey.key\ncreated ${s.etc}/mfa.key\n` +
		    `created ${s.etc}/oidc.key\n` +
		    `created ${s.db}\ndatabase ${s.db}/latchkey.db ready (schema version 8)\n` +
		    `gave ${s.etc}/latchkey.key to ${to}\ngave ${s.etc}/oidc.key to ${to}\n` +
		    `gave ${s.etc}/mfa.key to ${to}\n` +
		    `gave ${s.db} to ${to}\ngave ${s.db}/latchkey.db to ${to}\n` +
		    ['-wal', '-shm'].filter((x) => fs.existsSync(`${s.db}/latchkey.db${x}`))
			.map((x) => `gave ${s.db}/latchkey.db${x} to ${to}\n`).join(''));
		for (const f of [`${s.etc}/latchkey.key`, `${s.etc}/mfa.key`, `${s.etc}/oidc.key`, `${s.db}/latchkey.db`])
			assert.deepEqual(owner(f), [NOBODY.uid, NOBODY.gid, 0o600], f);
		assert.deepEqual(owner(s.db), [NOBODY.uid, NOBODY.gid, 0o700]);
		// What root's latchkey reads stays root's.
		assert.deepEqual(owner(s.conf).slice(0, 2), [0, 0]);
		assert.deepEqual(owner(s.etc), [0, 0, 0o755]);
		assert.deepEqual(owner(path.dirname(s.db)), [0, 0, 0o755]);
		// The user can read both keys and open the database.
		const reads = spawnSync('runuser', ['-u', 'nobody', '--', 'sh', '-c',
		    `cat ${s.etc}/latchkey.key ${s.etc}/mfa.key >/dev/null && ` +
		    `sqlite3 ${s.db}/latchkey.db 'PRAGMA user_version'`], { encoding: 'utf8' });
		assert.equal(reads.status, 0, reads.stderr);
		assert.equal(reads.stdout, '8\n');
	});

	it('takes --group, and gives away what exists already', () => {
		const s = site('b');
		assert.equal(run(['--config', s.conf, 'init']).status, 0);
		assert.deepEqual(owner(`${s.etc}/mfa.key`), [0, 0, 0o600]);
		const r = run(['--config', s.conf, 'init', '--user=nobody', '--group', 'daemon']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^kept existing .*latchkey\.key\nkept existing .*mfa\.key\n/);
		assert.match(r.stdout, new RegExp(`^gave ${s.etc}/mfa\\.key to nobody:daemon$`, 'm'));
		for (const f of [`${s.etc}/latchkey.key`, `${s.etc}/mfa.key`, `${s.db}/latchkey.db`, s.db])
			assert.deepEqual(owner(f).slice(0, 2), [NOBODY.uid, 1], f);
	});

	it('refuses a database in the configuration\'s folder, before making anything', () => {
		const etc = path.join(dir, 'c');
		fs.mkdirSync(etc);
		const conf = path.join(etc, 'latchkey.conf');
		fs.writeFileSync(conf, 'database = latchkey.db\n');
		const r = run(['--config', conf, 'init', '--user', 'nobody']);
		assert.equal(r.status, 1);
		assert.equal(r.stdout, '');
		assert.equal(r.stderr, `latchkey: init: the database's folder ${etc} holds the configuration ` +
		    `too: it cannot be given to nobody:${NOBODY.group}, who could then replace the ` +
		    'configuration; give the database a folder of its own (e.g. database = ' +
		    '/var/lib/latchkey/latchkey.db)\n');
		assert.deepEqual(fs.readdirSync(etc), ['latchkey.conf']);
		assert.deepEqual(owner(etc).slice(0, 2), [0, 0]);
	});

	it('names what is wrong with --user and --group', () => {
		const s = site('d');
		for (const [args, status, stderr] of [
			[['--group', 'daemon'], 2, 'latchkey: init: --group needs --user\n'],
			[['--user'], 2, "latchkey: option '--user' needs a name\n"],
			[['--user', 'nobody', '--user', 'nobody'], 2, "latchkey: option '--user' given twice\n"],
			[['--user', 'no-such-user-here'], 1, 'latchkey: init: no user no-such-user-here\n'],
			[['--user', 'nobody', '--group', 'no-such-group-here'], 1, 'latchkey: init: no group no-such-group-here\n'],
		]) {
			const r = run(['--config', s.conf, 'init', ...args]);
			assert.equal(r.status, status, args.join(' '));
			assert.equal(r.stderr, stderr, args.join(' '));
		}
		assert.ok(!fs.existsSync(`${s.etc}/latchkey.key`));
	});
});

describe('latchkey user', () => {
	let srv;
	before(async () => { srv = await startServer({ kind: 'lighttpd', users: [] }); });
	after(async () => { await srv?.stop(); });

	const login = (email, password) => request(srv.baseURL, { method: 'POST',
	    path: '/api/login', body: { email, password } });
	const rows = () => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db,
	    'SELECT email, name, disabled FROM users ORDER BY email'], { encoding: 'utf8' });

	it('adds users and refuses duplicates in any case', async () => {
		let r = srv.tool(['user', 'add', 'ann@example.com', '--name', 'Ann Lee',
		    '--password-stdin'], 'first-pass\n');
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, 'user ann@example.com: added\n');
		r = srv.tool(['user', 'add', 'ANN@example.com', '--password-stdin'], 'x\n');
		assert.equal(r.status, 1);
		assert.equal(r.stderr, 'latchkey: user ann@example.com exists\n');
		assert.equal(rows(), 'ann@example.com|Ann Lee|0\n');
		assert.equal((await login('ann@example.com', 'first-pass')).status, 200);
	});

	it('lists users tab-separated', () => {
		srv.tool(['user', 'add', 'bob@example.com', '--password-stdin'], 'bob-pass\n');
		const r = srv.tool(['user', 'list']);
		assert.equal(r.status, 0);
		// Without --name, the email's part before '@'.
		assert.equal(r.stdout, 'ann@example.com\tenabled\tAnn Lee\t\nbob@example.com\tenabled\tbob\t\n');
	});

	it('changes a password: the old one stops working', async () => {
		const r = srv.tool(['user', 'passwd', 'ann@example.com', '--password-stdin'], 'second-pass\n');
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, 'user ann@example.com: password set\n');
		assert.equal((await login('ann@example.com', 'first-pass')).status, 401);
		assert.equal((await login('ann@example.com', 'second-pass')).status, 200);
	});

	it('disables and enables', async () => {
		assert.equal(srv.tool(['user', 'disable', 'ann@example.com']).stdout,
		    'user ann@example.com: disabled\n');
		assert.equal(rows(), 'ann@example.com|Ann Lee|1\nbob@example.com|bob|0\n');
		assert.equal((await login('ann@example.com', 'second-pass')).status, 401);
		assert.equal(srv.tool(['user', 'list']).stdout.split('\n')[0],
		    'ann@example.com\tdisabled\tAnn Lee\t');
		assert.equal(srv.tool(['user', 'enable', 'ann@example.com']).status, 0);
		assert.equal((await login('ann@example.com', 'second-pass')).status, 200);
	});

	it('deletes', async () => {
		const r = srv.tool(['user', 'del', 'bob@example.com']);
		assert.equal(r.status, 0);
		assert.equal(r.stdout, 'user bob@example.com: deleted\n');
		assert.equal(rows(), 'ann@example.com|Ann Lee|0\n');
		const again = srv.tool(['user', 'del', 'bob@example.com']);
		assert.equal(again.status, 1);
		assert.equal(again.stderr, 'latchkey: no user bob@example.com\n');
	});

	it('refuses bad input with clear messages and exit codes', () => {
		const cases = [
			[['user', 'add', 'not-an-email', '--password-stdin'], 'x\n', 1,
			    "latchkey: 'not-an-email' is not a valid email address\n"],
			[['user', 'add', 'c@example.com', '--password-stdin'], '\n', 1,
			    'latchkey: empty password\n'],
			[['user', 'add', 'c@example.com', '--password-stdin'], '', 1,
			    'latchkey: no password on standard input, or longer than 511 bytes\n'],
			[['user', 'add', 'c@example.com', '--password-stdin'], 'x'.repeat(600) + '\n', 1,
			    'latchkey: no password on standard input, or longer than 511 bytes\n'],
			[['user', 'passwd', 'nobody@example.com', '--password-stdin'], 'x\n', 1,
			    'latchkey: no user nobody@example.com\n'],
			[['user', 'frobnicate', 'a@b.c'], '', 2, "latchkey: unknown command 'user frobnicate': expected add, passwd, invite, del, list, disable, enable, unlock or mfa reset\n"],
			[['user'], '', 2, 'latchkey: user: expected add, passwd, invite, del, list, disable, enable, unlock or mfa reset\n'],
			// An invitation's link is built from site_url, which this site has not.
			[['user', 'invite', 'new@example.com'], '', 1,
			    'latchkey: site_url is not set: the link is built from it\n'],
			[['user', 'invite', 'new@example.com', '--password-stdin'], '', 2,
			    "latchkey: user invite: unknown option '--password-stdin'\n"],
			[['user', 'add', 'new@example.com', '--print-link'], '', 2,
			    "latchkey: user add: unknown option '--print-link'\n"],
			[['user', 'list', 'extra'], '', 2, "latchkey: unexpected argument 'extra'\n"],
			[['user', 'del', 'a@b.c', '--name', 'X'], '', 2, "latchkey: user del: unknown option '--name'\n"],
			[['user', 'add', 'a@b.c', '--name'], '', 2, "latchkey: option '--name' needs a NAME\n"],
			[['key'], '', 2, 'latchkey: key: expected rotate, prune, list or publish\n'],
			[['user', 'add'], '', 2, 'latchkey: user add: EMAIL missing\n'],
			[['user', 'add', 'a@b.c', 'extra@b.c'], '', 2, "latchkey: unexpected argument 'extra@b.c'\n"],
		];
		for (const [args, input, status, stderr] of cases) {
			const r = srv.tool(args, input);
			assert.equal(r.status, status, args.join(' '));
			assert.equal(r.stderr, stderr, args.join(' '));
		}
		assert.equal(rows(), 'ann@example.com|Ann Lee|0\n');
	});

	it('applies the API\'s rules to passwords and names', async () => {
		const cases = [
			[['user', 'add', 'p@example.com', '--password-stdin'], 'x\n',
			    'latchkey: The password must have at least 8 characters\n'],
			[['user', 'add', 'p@example.com', '--password-stdin'], 'password123\n',
			    'latchkey: The password is too common\n'],
			[['user', 'add', 'p@example.com', '--password-stdin'], 'P@Example.com\n',
			    'latchkey: The password must not be the email address\n'],
			[['user', 'add', 'p@example.com', '--name', ' Lead', '--password-stdin'], 'good-pass-1\n',
			    'latchkey: Field "name" must be 1 to 100 characters of text without leading or trailing spaces\n'],
			[['user', 'add', 'p@example.com', '--name', 'a\u202eb', '--password-stdin'], 'good-pass-1\n',
			    'latchkey: Field "name" must not contain invisible characters that change the direction of text\n'],
			[['user', 'add', 'p@example.com', '--name', 'x'.repeat(101), '--password-stdin'], 'good-pass-1\n',
			    'latchkey: Field "name" must be 1 to 100 characters of text without leading or trailing spaces\n'],
			[['user', 'passwd', 'ann@example.com', '--password-stdin'], 'qwerty\n',
			    'latchkey: The password must have at least 8 characters\n'],
			[['user', 'add', `${'p'.repeat(101)}@example.com`, '--password-stdin'], 'good-pass-1\n',
			    "latchkey: the email's part before '@' is not a name: give --name NAME\n"],
		];
		for (const [args, input, stderr] of cases) {
			const r = srv.tool(args, input);
			assert.equal(r.status, 1, args.join(' '));
			assert.equal(r.stderr, stderr, args.join(' '));
		}
		assert.doesNotMatch(rows(), /p@example\.com/);
		assert.equal(srv.tool(['user', 'add', `${'p'.repeat(101)}@example.com`, '--name', 'P',
		    '--password-stdin'], 'good-pass-1\n').status, 0);
		assert.equal(srv.tool(['user', 'del', `${'p'.repeat(101)}@example.com`]).status, 0);
		// For demonstrations and tests alone, the rules can be skipped.
		const r = srv.tool(['user', 'add', 'p@example.com', '--password-stdin', '--skip-password-policy'],
		    'password123\n');
		assert.equal(r.status, 0, r.stderr);
		assert.equal((await login('p@example.com', 'password123')).status, 200);
		assert.equal(srv.tool(['user', 'del', 'p@example.com']).status, 0);
	});

	it('says what was wrong with the options', () => {
		for (const [args, stderr] of [
			[['--config'], "latchkey: option '--config' needs a FILE\n"],
			[['-c'], "latchkey: option '-c' needs a FILE\n"],
			[['--config='], "latchkey: option '--config' needs a FILE\n"],
			[['--config', ''], "latchkey: option '--config' needs a FILE\n"],
			[['--configx'], "latchkey: unknown option '--configx'\n"],
			[[], 'latchkey: no command given\n'],
		]) {
			const r = run(args);
			assert.equal(r.status, 2, args.join(' '));
			assert.equal(r.stderr, stderr, args.join(' '));
		}
	});

	// script(1) gives the tool a real terminal; each line is typed after
	// its prompt appears, and what the terminal shows must not hold it.
	function typeAtPrompts(cmd, answers) {
		return new Promise((resolve) => {
			const child = spawn('script', ['-qec', cmd, '/dev/null'],
			    { stdio: ['pipe', 'pipe', 'pipe'] });
			let out = '';
			let next = 0;
			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
			child.stdout.on('data', (d) => {
				out += d;
				const prompts = (out.match(/password: /g) ?? []).length;
				while (next < answers.length && next < prompts)
					child.stdin.write(answers[next++] + '\n');
			});
			child.on('exit', (status) => { clearTimeout(timer); resolve({ status, out }); });
		});
	}

	it('reads the password from the terminal without echo, twice',
	    { skip: !fs.existsSync('/usr/bin/script') && 'no script(1)' }, async () => {
		const r = await typeAtPrompts(`${TOOL} --config ${srv.config} user add tty@example.com --name Tty`,
		    ['tty-secret-1', 'tty-secret-1']);
		assert.equal(r.status, 0, r.out);
		assert.match(r.out, /New password: /);
		assert.match(r.out, /Repeat password: /);
		assert.ok(!r.out.includes('tty-secret-1'), 'the password was echoed');
		assert.match(rows(), /tty@example\.com\|Tty\|0/);
		assert.equal((await login('tty@example.com', 'tty-secret-1')).status, 200);
		const bad = await typeAtPrompts(`${TOOL} --config ${srv.config} user passwd tty@example.com`,
		    ['one-password', 'other-password']);
		assert.equal(bad.status, 1);
		assert.match(bad.out, /the passwords differ/);
		assert.equal((await login('tty@example.com', 'tty-secret-1')).status, 200);
	});

	it('says so when the terminal input ends at the prompt (Ctrl-D)',
	    { skip: !fs.existsSync('/usr/bin/script') && 'no script(1)' }, async () => {
		const r = await new Promise((resolve) => {
			const child = spawn('script', ['-qec',
			    `${TOOL} --config ${srv.config} user add eof@example.com`, '/dev/null'],
			    { stdio: ['pipe', 'pipe', 'pipe'] });
			let out = '';
			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
			child.stdout.on('data', (d) => {
				out += d;
				if (/New password: /.test(out)) child.stdin.write('\x04');
			});
			child.on('exit', (status) => { clearTimeout(timer); resolve({ status, out }); });
		});
		assert.equal(r.status, 1, r.out);
		assert.match(r.out, /latchkey: no password entered \(end of input\)/);
		assert.doesNotMatch(rows(), /eof@example\.com/);
	});
});

describe('latchkey group', () => {
	let dir, conf;
	const tool = (args, input) => run(['--config', conf, ...args], { input });
	const ok = (args, out, input) => {
		const r = tool(args, input);
		assert.deepEqual([r.status, r.stdout, r.stderr], [0, out, '']);
	};
	const fails = (args, status, err) => {
		const r = tool(args);
		assert.deepEqual([r.status, r.stdout, r.stderr], [status, '', err]);
	};
	const RULE = "(a group's name is 1 to 64 of a-z, 0-9, '_', '.' and '-', starting with a letter or digit)";
	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-groups-'));
		conf = path.join(dir, 'latchkey.conf');
		assert.equal(run(['--config', conf, 'init']).status, 0);
		fs.appendFileSync(conf, 'site_url = https://example.com\n');
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('adds, lists and deletes groups', () => {
		ok(['group', 'add', 'staff', '--description', 'Everyone who works here'], 'group staff: added\n');
		ok(['group', 'add', 'admins'], 'group admins: added\n');
		ok(['group', 'add', 'a.b_c-9', '--description=Dotted'], 'group a.b_c-9: added\n');
		fails(['group', 'add', 'staff'], 1, 'latchkey: group staff exists\n');
		ok(['group', 'list'], 'a.b_c-9\t0\tDotted\nadmins\t0\t\nstaff\t0\tEveryone who works here\n');
		ok(['group', 'del', 'a.b_c-9'], 'group a.b_c-9: deleted\n');
		fails(['group', 'del', 'a.b_c-9'], 1, 'latchkey: no group a.b_c-9\n');
		ok(['group', 'list'], 'admins\t0\t\nstaff\t0\tEveryone who works here\n');
	});

	it('names what is wrong with a group\'s name', () => {
		fails(['group', 'add', 'Staff'], 1, `latchkey: 'Staff' is not a group's name: 'S' is upper case ${RULE}\n`);
		fails(['group', 'add', '-x'], 2, "latchkey: group add: unknown option '-x'\n");
		fails(['group', 'add', '.x'], 1, `latchkey: '.x' is not a group's name: it starts with '.' ${RULE}\n`);
		fails(['group', 'add', 'a,b'], 1, `latchkey: 'a,b' is not a group's name: ',' is not allowed ${RULE}\n`);
		fails(['group', 'add', 'x'.repeat(65)], 1, `latchkey: '${'x'.repeat(65)}' is not a group's name: it is 65 characters long ${RULE}\n`);
		fails(['group', 'add', 'ok', '--description', 'a\tb'], 1,
		    'latchkey: a group\'s description must be UTF-8 text without control characters\n');
		fails(['group', 'add'], 2, 'latchkey: group add: NAME missing\n');
		fails(['group', 'adduser', 'staff'], 2, 'latchkey: group adduser: EMAIL missing\n');
		fails(['group'], 2, 'latchkey: group: expected add, del, list, adduser or deluser\n');
		ok(['group', 'list'], 'admins\t0\t\nstaff\t0\tEveryone who works here\n');
	});

	it('puts users in groups and takes them out; user list shows them', () => {
		ok(['user', 'add', 'ann@example.com', '--password-stdin', '--group', 'staff', '--group=admins'],
		    'user ann@example.com: added\n', 'ann-secret-pass-1\n');
		ok(['user', 'add', 'bob@example.com', '--password-stdin'], 'user bob@example.com: added\n',
		    'bob-secret-pass-1\n');
		fails(['user', 'add', 'cy@example.com', '--password-stdin', '--group', 'nope'], 1,
		    'latchkey: no group nope\n');
		ok(['user', 'list'], 'ann@example.com\tenabled\tann\tadmins,staff\nbob@example.com\tenabled\tbob\t\n');
		ok(['group', 'adduser', 'staff', 'BOB@example.com'], 'group staff: user BOB@example.com added\n');
		fails(['group', 'adduser', 'staff', 'bob@example.com'], 1,
		    'latchkey: user bob@example.com is in group staff already\n');
		fails(['group', 'adduser', 'nope', 'bob@example.com'], 1, 'latchkey: no group nope\n');
		fails(['group', 'adduser', 'staff', 'nobody@example.com'], 1, 'latchkey: no user nobody@example.com\n');
		fails(['group', 'adduser', 'staff', 'not-an-email'], 1,
		    "latchkey: 'not-an-email' is not a valid email address\n");
		ok(['group', 'list'], 'admins\t1\t\nstaff\t2\tEveryone who works here\n');
		ok(['group', 'deluser', 'admins', 'ann@example.com'], 'group admins: user ann@example.com removed\n');
		fails(['group', 'deluser', 'admins', 'ann@example.com'], 1,
		    'latchkey: user ann@example.com is not in group admins\n');
		ok(['user', 'list'], 'ann@example.com\tenabled\tann\tstaff\nbob@example.com\tenabled\tbob\tstaff\n');
		// Deleting a group or a user takes their memberships.
		ok(['group', 'del', 'staff'], 'group staff: deleted\n');
		ok(['user', 'list'], 'ann@example.com\tenabled\tann\t\nbob@example.com\tenabled\tbob\t\n');
		ok(['group', 'add', 'staff'], 'group staff: added\n');
		ok(['group', 'adduser', 'staff', 'bob@example.com'], 'group staff: user bob@example.com added\n');
		ok(['user', 'del', 'bob@example.com'], 'user bob@example.com: deleted\n');
		ok(['group', 'list'], 'admins\t0\t\nstaff\t0\t\n');
	});

	it('invites a user into groups', () => {
		fails(['user', 'invite', 'ivy@example.com', '--print-link', '--group', 'nope'], 1,
		    'latchkey: no group nope\n');
		const r = tool(['user', 'invite', 'ivy@example.com', '--print-link', '--group', 'admins']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^https:\/\/example\.com\/invite#/);
		ok(['user', 'list'], 'ann@example.com\tenabled\tann\t\nivy@example.com\tpending\tivy\tadmins\n');
	});
});

describe('latchkey client', () => {
	let dir, conf, db;
	const tool = (args, input) => run(['--config', conf, ...args], { input });
	const ok = (args, out) => {
		const r = tool(args);
		assert.deepEqual([r.status, r.stdout, r.stderr], [0, out, '']);
	};
	const fails = (args, status, err) => {
		const r = tool(args);
		assert.deepEqual([r.status, r.stdout, r.stderr], [status, '', err]);
	};
	const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
	const sha256 = (s) => require('node:crypto').createHash('sha256').update(s).digest('hex');
	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-clients-'));
		conf = path.join(dir, 'latchkey.conf');
		db = path.join(dir, 'latchkey.db');
		assert.equal(run(['--config', conf, 'init']).status, 0);
		assert.equal(tool(['group', 'add', 'staff']).status, 0);
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('registers a confidential client: its secret once, alone on standard output, stored hashed', () => {
		const r = tool(['client', 'add', 'grafana', '--redirect-uri', 'https://grafana.example/login/generic_oauth',
		    '--redirect-uri=https://grafana.example/cb2', '--name', 'Grafana', '--group', 'staff',
		    '--post-logout-uri', 'https://grafana.example/', '--consent']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^[A-Za-z0-9_-]{43}\n$/);
		assert.equal(r.stderr, 'latchkey: client grafana: added; its secret, on standard output, is shown this once\n');
		const secret = r.stdout.trim();
		assert.equal(sql("SELECT secret FROM oidc_clients WHERE id = 'grafana'"), sha256(secret));
		assert.equal(sql("SELECT name, public, consent, allowed_groups, logout_uris FROM oidc_clients"),
		    'Grafana|0|1|staff|https://grafana.example/');
		assert.equal(sql("SELECT redirect_uris FROM oidc_clients"),
		    'https://grafana.example/login/generic_oauth\nhttps://grafana.example/cb2');
		ok(['client', 'add', 'spa', '--public', '--redirect-uri', 'http://localhost:5173/cb'],
		    'client spa: added (public: no secret, PKCE)\n');
		assert.equal(sql("SELECT secret, public, name FROM oidc_clients WHERE id = 'spa'"), '|1|spa');
		ok(['client', 'list'], 'grafana\tconfidential\tconsent\tGrafana\thttps://grafana.example/login/generic_oauth ' +
		    'https://grafana.example/cb2\tstaff\nspa\tpublic\tfirst-party\tspa\thttp://localhost:5173/cb\t\n');
		fails(['client', 'add', 'spa', '--redirect-uri', 'https://x.example/'], 1, 'latchkey: client spa exists\n');
	});

	it('gives a new secret once; the old one is gone; a public client has none', () => {
		const old = sql("SELECT secret FROM oidc_clients WHERE id = 'grafana'");
		const r = tool(['client', 'secret', 'grafana']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^[A-Za-z0-9_-]{43}\n$/);
		assert.equal(r.stderr, 'latchkey: client grafana: a new secret, on standard output, is shown this once\n');
		const now = sql("SELECT secret FROM oidc_clients WHERE id = 'grafana'");
		assert.equal(now, sha256(r.stdout.trim()));
		assert.notEqual(now, old);
		fails(['client', 'secret', 'spa'], 1, 'latchkey: client spa is public: it has no secret\n');
		fails(['client', 'secret', 'nope'], 1, 'latchkey: no client nope\n');
	});

	it('refuses what is not a client: bad ids, URIs, groups and missing arguments', () => {
		fails(['client', 'add', 'a b', '--redirect-uri', 'https://x.example/'], 1,
		    "latchkey: 'a b' is not a client's id: a client's id holds a character other than " +
		    "A-Z, a-z, 0-9, '-', '.', '_' and '~'\n");
		fails(['client', 'add', 'x'.repeat(129), '--redirect-uri', 'https://x.example/'], 1,
		    `latchkey: '${'x'.repeat(129)}' is not a client's id: a client's id is longer than 128 bytes\n`);
		fails(['client', 'add', 'x'], 1, 'latchkey: client add: at least one --redirect-uri is needed\n');
		fails(['client', 'add', 'x', '--redirect-uri', 'ftp://x.example/'], 2,
		    "latchkey: option '--redirect-uri': 'ftp://x.example/': a URI must start with https:// or http://\n");
		fails(['client', 'add', 'x', '--redirect-uri', 'https://x.example/#frag'], 2,
		    "latchkey: option '--redirect-uri': 'https://x.example/#frag': a URI must not hold a fragment ('#')\n");
		fails(['client', 'add', 'x', '--post-logout-uri', 'https:///nohost'], 2,
		    "latchkey: option '--post-logout-uri': 'https:///nohost': a URI must name a host\n");
		fails(['client', 'add', 'x', '--redirect-uri', 'https://x.example/', '--group', 'nope'], 1,
		    'latchkey: no group nope\n');
		fails(['client', 'add', '--redirect-uri', 'https://x.example/'], 2,
		    "latchkey: client add: CLIENT_ID missing\n");
		fails(['client', 'del'], 2, "latchkey: client del: CLIENT_ID missing\n");
		assert.equal(sql("SELECT count(*) FROM oidc_clients WHERE id = 'x'"), '0');
	});

	it('deletes a client', () => {
		ok(['client', 'del', 'spa'], 'client spa: deleted\n');
		fails(['client', 'del', 'spa'], 1, 'latchkey: no client spa\n');
		ok(['client', 'list'], 'grafana\tconfidential\tconsent\tGrafana\thttps://grafana.example/login/generic_oauth ' +
		    'https://grafana.example/cb2\tstaff\n');
	});
});

describe('latchkey check', () => {
	let dir, conf;
	const check = () => run(['--config', conf, 'check']);
	const lines = (r) => r.stderr.split('\n').filter(Boolean);
	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-check-'));
		conf = path.join(dir, 'latchkey.conf');
		assert.equal(run(['--config', conf, 'init']).status, 0);
		fs.writeFileSync(path.join(dir, 'sendmail'), '#!/bin/sh\ncat >/dev/null\n', { mode: 0o755 });
		fs.writeFileSync(path.join(dir, 'access.rules'), 'one_factor\n', { mode: 0o644 });
		fs.appendFileSync(conf, `mail_from = site@example.com\nsite_url = https://example.com\n` +
		    `mail_command = ${dir}/sendmail -t\naccess_rules = access.rules\n`);
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('says one line when all is well, and exits 0', () => {
		const r = check();
		assert.deepEqual([r.status, r.stdout, r.stderr],
		    [0, `${conf}: OK (tokens signed with HS256, database schema version 8)\n`, '']);
	});

	it('names a broken rules file with its line, and exits 1', () => {
		fs.writeFileSync(path.join(dir, 'access.rules'), 'one_factor\nallow path=/x/\n');
		const r = check();
		assert.equal(r.status, 1);
		assert.equal(r.stdout, '');
		assert.deepEqual(lines(r), [
		    `latchkey: error: access rules: ${dir}/access.rules:2: unknown policy "allow" (bypass, one_factor, two_factor or deny)`,
		    `latchkey: ${conf}: 1 error`]);
		fs.writeFileSync(path.join(dir, 'access.rules'), 'one_factor\n');
		assert.equal(check().status, 0);
	});

	it('names keys it cannot use', () => {
		fs.chmodSync(path.join(dir, 'mfa.key'), 0o644);
		fs.renameSync(path.join(dir, 'secret.key'), path.join(dir, 'secret.key.away'));
		const r = check();
		assert.equal(r.status, 1);
		const l = lines(r);
		assert.equal(l.length, 3, r.stderr);
		assert.match(l[0], /^latchkey: error: keys: .*secret\.key/);
		assert.match(l[1], /^latchkey: error: second factors' key: key file .*mfa\.key: mode 0644 lets group or others read it/);
		assert.equal(l[2], `latchkey: ${conf}: 2 errors`);
		fs.chmodSync(path.join(dir, 'mfa.key'), 0o600);
		fs.renameSync(path.join(dir, 'secret.key.away'), path.join(dir, 'secret.key'));
		assert.equal(check().status, 0);
	});

	it('tells a database ahead (an error) from one behind (a warning), and changes neither', () => {
		const db = path.join(dir, 'latchkey.db');
		const version = (v) => execFileSync('sqlite3', [db, v === undefined ? 'PRAGMA user_version' :
		    `PRAGMA user_version = ${v}`], { encoding: 'utf8' }).trim();
		version(9);
		let r = check();
		assert.equal(r.status, 1);
		assert.deepEqual(lines(r), [`latchkey: error: database ${db}: schema version 9 is newer than this latchkey (8)`,
		    `latchkey: ${conf}: 1 error`]);
		version(6);
		r = check();
		assert.equal(r.status, 0);
		assert.equal(r.stdout, `${conf}: OK (tokens signed with HS256, database schema version 6, with warnings)\n`);
		assert.deepEqual(lines(r), [`latchkey: warning: database ${db}: schema version 6 is behind this ` +
		    'latchkey\'s (8): the first program or command that opens it brings it up to date']);
		assert.equal(version(), '6');
		version(8);
		fs.renameSync(db, `${db}.away`);
		r = check();
		assert.equal(r.status, 1);
		assert.match(lines(r)[0], /^latchkey: error: database .*latchkey\.db/);
		assert.ok(!fs.existsSync(db), 'check made no database');
		fs.renameSync(`${db}.away`, db);
	});

	it('warns when mail cannot be sent', () => {
		fs.chmodSync(path.join(dir, 'sendmail'), 0o644);
		let r = check();
		assert.equal(r.status, 0);
		assert.deepEqual(lines(r), [`latchkey: warning: ${conf}: mail_command cannot be run ` +
		    `(${dir}/sendmail: Permission denied): no mail is sent`]);
		fs.chmodSync(path.join(dir, 'sendmail'), 0o755);
		const text = fs.readFileSync(conf, 'utf8');
		fs.writeFileSync(conf, text.replace(/^mail_from = .*\n/m, ''));
		r = check();
		assert.equal(r.status, 0);
		assert.deepEqual(lines(r), [`latchkey: warning: ${conf}: mail_from is not set: no mail is sent ` +
		    '(no password resets, invitations, sign-ups or notices; "Forgot password?" is hidden)']);
		fs.writeFileSync(conf, text);
	});

	it('names the configuration file\'s line', () => {
		const text = fs.readFileSync(conf, 'utf8');
		fs.writeFileSync(conf, `${text}leeway = soon\n`);
		const r = check();
		assert.equal(r.status, 1);
		assert.match(r.stderr, new RegExp(`^latchkey: ${conf}:${text.split('\n').length}: `));
		fs.writeFileSync(conf, text);
		assert.equal(check().status, 0);
	});
});

describe('latchkey says what to do next', () => {
	let dir;
	let conf;
	before(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-msgs-'));
		conf = path.join(dir, 'latchkey.conf');
		assert.equal(run(['--config', conf, 'init']).status, 0);
	});
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	const HINT = 'latchkey: no configuration file there: give yours with --config FILE ' +
	    "(or LATCHKEY_CONFIG), or make one with 'latchkey --config FILE init'\n";

	it('points a command without a configuration file at --config and init', () => {
		const missing = path.join(dir, 'none', 'latchkey.conf');
		let r = run(['--config', missing, 'user', 'list']);
		assert.equal(r.status, 1);
		assert.equal(r.stdout, '');
		assert.equal(r.stderr, `latchkey: ${missing}: No such file or directory\n${HINT}`);
		r = run(['user', 'list'], { env: { LATCHKEY_CONFIG: missing } });
		assert.equal(r.stderr, `latchkey: ${missing}: No such file or directory\n${HINT}`);
		// A file that is there but wrong gets its own reason, no hint.
		fs.writeFileSync(path.join(dir, 'bad.conf'), 'frobnicate = 1\n');
		r = run(['--config', path.join(dir, 'bad.conf'), 'user', 'list']);
		assert.equal(r.status, 1);
		assert.doesNotMatch(r.stderr, /--config FILE/);
		// A database that is not there yet: init makes it.
		const gone = path.join(dir, 'gone.conf');
		fs.writeFileSync(gone, 'database = gone.db\nkey_file = secret.key\n');
		r = run(['--config', gone, 'user', 'list']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /^latchkey: database \S+\/gone\.db: .* \(run 'latchkey init' first\?\)\n$/);
	});

	it('db copy refuses a password in a URI with a sentence that never shows it', () => {
		const secret = 'S3cret-Pw_42';
		const said = (uri) => `latchkey: ${uri} holds a password, which is never taken from a ` +
		    'command line (every user of this machine can read it there): put it in a file only ' +
		    'you can read, its one line, and give that with --password-file FILE\n';
		for (const [uri, shown] of [
			[`postgresql://latchkey:${secret}@127.0.0.1:1/latchkey`, 'postgresql://latchkey:***@127.0.0.1:1/latchkey'],
			[`postgres://latchkey@127.0.0.1:1/latchkey?sslmode=disable&password=${secret}`,
			    'postgres://latchkey@127.0.0.1:1/latchkey?sslmode=disable&password=***'],
			[`postgresql://latchkey:${secret}@[::1/latchkey`, 'postgresql://latchkey:***@[::1/latchkey'],
		]) {
			for (const way of ['--to', '--from']) {
				const r = run(['--config', conf, 'db', 'copy', way, uri]);
				assert.equal(r.status, 1, `${way} ${uri}`);
				assert.equal(r.stdout, '');
				assert.equal(r.stderr, said(shown));
			}
		}
		// The configured database's URI: the configuration's own setting.
		const onPg = path.join(dir, 'pg.conf');
		fs.writeFileSync(onPg, `database = postgresql://latchkey:${secret}@127.0.0.1:1/latchkey\n` +
		    'key_file = secret.key\n');
		const r = run(['--config', onPg, 'user', 'list']);
		assert.equal(r.status, 1);
		assert.equal(r.stderr, 'latchkey: database postgresql://latchkey:***@127.0.0.1:1/latchkey: ' +
		    'the URI holds a password: put it in database_password_file (or a PGPASSFILE) instead\n');
	});
});

describe('latchkey help', () => {
	it('prints usage with --help and exits 0', () => {
		const r = run(['--help']);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /^usage: latchkey \[--config FILE\] COMMAND/);
		assert.match(r.stdout, /user add EMAIL \[--name NAME\] \[--password-stdin\]/);
	});

	it('names the compiled-in default, whatever LATCHKEY_CONFIG says', () => {
		const r = run(['--help'], { env: { LATCHKEY_CONFIG: '/somewhere/else.conf' } });
		assert.equal(r.status, 0);
		assert.match(r.stdout, /default: \$LATCHKEY_CONFIG,\s+else \/[^\s)]+\/latchkey\.conf\)/);
		assert.doesNotMatch(r.stdout, /somewhere/);
	});

	it('exits 2 on usage errors', () => {
		assert.equal(run([]).status, 2);
		assert.equal(run(['--bogus']).status, 2);
		const r = run(['frob']);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /^latchkey: unknown command 'frob'\n/);
	});

	it('has a man page', () => {
		const man = path.join(__dirname, '..', '..', 'docs', 'latchkey.1');
		const text = fs.readFileSync(man, 'utf8');
		for (const cmd of ['init', 'user add', 'user passwd', 'user del', 'user list',
		    'user disable', 'user enable', 'user unlock', 'user mfa reset', String.raw`\-\-passkeys`,
		    'group add', 'group del', 'group list', 'group adduser', 'group deluser', String.raw`\-\-description`,
		    '.B check', 'configtest',
		    'LATCHKEY_CONFIG', 'EXIT STATUS'])
			assert.ok(text.includes(cmd.replace(/ /g, ' ')) || text.includes(cmd), cmd);
	});
});

describe('latchkey with key pairs', () => {
	let dir;
	before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tool-pairs-')); });
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('a plain key rotate rotates the OpenID provider\'s RS256 key too, the previous kept while its tokens live', () => {
		const conf = path.join(dir, 'provider.conf');
		fs.writeFileSync(conf, 'key_file = p-secret.key\nmfa_key_file = p-mfa.key\noidc_key_file = p-oidc.key\n' +
		    'database = p.db\n');
		assert.equal(run(['--config', conf, 'init']).status, 0);
		const kid = () => {
			const der = execFileSync('openssl', ['pkey', '-in', path.join(dir, 'p-oidc.key'), '-pubout', '-outform', 'DER']);
			return require('node:crypto').createHash('sha256').update(der).digest('hex').slice(0, 16);
		};
		const first = kid();
		let r = run(['--config', conf, 'key', 'rotate', '--algorithm', 'HS256']);
		assert.match(r.stdout, /^new key [0-9a-f]{16}\n$/);
		assert.equal(kid(), first);
		r = run(['--config', conf, 'key', 'rotate']);
		assert.equal(r.status, 0, r.stderr);
		const m = /^new key [0-9a-f]{16}\nnew OpenID provider key ([0-9a-f]{16})\n$/.exec(r.stdout);
		assert.ok(m, r.stdout);
		assert.equal(m[1], kid());
		assert.notEqual(m[1], first);
		assert.match(fs.readFileSync(path.join(dir, 'p-oidc.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
		const prev = fs.readFileSync(path.join(dir, 'p-oidc.key.previous'), 'utf8');
		assert.match(prev, new RegExp(`^${first} \\d+ RS256 [A-Za-z0-9_-]+\n$`));
		r = run(['--config', conf, 'key', 'prune']);
		assert.equal(r.stdout, 'dropped 0 keys\n');
		assert.equal(fs.readFileSync(path.join(dir, 'p-oidc.key.previous'), 'utf8'), prev);
	});

	it('init makes an ES256 key pair under token_algorithm = ES256, and rotate --algorithm changes it', () => {
		const conf = path.join(dir, 'latchkey.conf');
		fs.writeFileSync(conf, 'token_algorithm = ES256\n');
		let r = run(['--config', conf, 'init']);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `created ${dir}/secret.key\ncreated ${dir}/mfa.key\ncreated ${dir}/oidc.key\n` +
		    `database ${dir}/latchkey.db ready (schema version 8)\n`);
		const key = path.join(dir, 'secret.key');
		assert.match(fs.readFileSync(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
		assert.equal(fs.statSync(key).mode & 0o777, 0o600);
		const es = run(['--config', conf, 'key', 'list']).stdout.split('\t')[0];
		// The kid is SHA-256 of the public key's DER, as openssl computes it.
		const der = execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-outform', 'DER']);
		assert.equal(es, require('node:crypto').createHash('sha256').update(der).digest('hex').slice(0, 16));
		r = run(['--config', conf, 'key', 'rotate', '--algorithm', 'RS256']);
		assert.equal(r.status, 0, r.stderr);
		const rs = /^new key ([0-9a-f]{16})\n$/.exec(r.stdout)[1];
		r = run(['--config', conf, 'key', 'rotate', '--algorithm=HS256']);
		assert.equal(r.status, 0, r.stderr);
		const hs = /^new key ([0-9a-f]{16})\n$/.exec(r.stdout)[1];
		const lines = run(['--config', conf, 'key', 'list']).stdout.split('\n');
		assert.equal(lines[0], `${hs}\tcurrent\tHS256`);
		// When each retired: a date in UTC (ISO 8601), of a moment ago.
		const iso = '(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ)';
		const esAt = new RegExp(`^${es}\tretired\tES256\t${iso}$`).exec(lines[1]);
		const rsAt = new RegExp(`^${rs}\tretired\tRS256\t${iso}$`).exec(lines[2]);
		assert.ok(esAt && rsAt, lines.join('\n'));
		for (const at of [esAt[1], rsAt[1]])
			assert.ok(Math.abs(Date.parse(at) - Date.now()) < 5 * 60000, at);
		// init says when the key is not of token_algorithm.
		r = run(['--config', conf, 'init']);
		assert.match(r.stdout, /^the key is HS256, token_algorithm ES256: 'latchkey key rotate' makes an ES256 key$/m);
		// The retired key pairs are kept by their public half only.
		const prev = fs.readFileSync(`${key}.previous`, 'utf8');
		assert.doesNotMatch(prev, /PRIVATE/);
		assert.match(prev, new RegExp(`^${es} \\d+ ES256 [A-Za-z0-9_-]+$`, 'm'));
	});

	it('key publish writes the public keys a verify-only node reads, and that node refuses to rotate', () => {
		const conf = path.join(dir, 'latchkey.conf');
		const pub = path.join(dir, 'public');
		let r = run(['--config', conf, 'key', 'publish', pub]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `wrote 2 public keys to ${pub}, removed 0\n`);
		const verify = path.join(dir, 'verify.conf');
		fs.writeFileSync(verify, `public_keys = public\ndatabase = latchkey.db\n`);
		r = run(['--config', verify, 'init']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`^verify only: 2 public keys in ${pub}\n`));
		assert.ok(!fs.existsSync(path.join(dir, 'verify.key')));
		assert.equal(run(['--config', verify, 'key', 'list']).stdout.split('\n').filter(Boolean)
		    .map((l) => l.split('\t').slice(1).join(' ')).sort().join(', '), 'public ES256, public RS256');
		r = run(['--config', verify, 'key', 'rotate']);
		assert.equal(r.status, 1);
		assert.equal(r.stderr, `latchkey: this node only verifies (public_keys = ${pub}): rotate where the signing key is\n`);
		fs.writeFileSync(verify, `public_keys = public\nkey_file = secret.key\n`);
		r = run(['--config', verify, 'key', 'list']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /verify\.conf:1: public_keys makes a node that only verifies: it takes no key_file/);
	});

	it('says what is wrong with the new options', () => {
		const conf = path.join(dir, 'latchkey.conf');
		for (const [args, want] of [
			[['key', 'rotate', '--algorithm', 'HS512'], 'latchkey: key rotate: --algorithm must be HS256, ES256 or RS256\n'],
			[['key', 'rotate', '--algorithm'], "latchkey: option '--algorithm' needs HS256, ES256 or RS256\n"],
			[['key', 'publish'], 'latchkey: key publish: DIR missing\n'],
			[['key', 'list', '--algorithm', 'ES256'], "latchkey: key list: unknown option '--algorithm'\n"],
		]) {
			const r = run(['--config', conf, ...args]);
			assert.equal(r.status, 2, args.join(' '));
			assert.equal(r.stderr, want);
		}
		fs.writeFileSync(path.join(dir, 'bad.conf'), 'token_algorithm = none\n');
		const r = run(['--config', path.join(dir, 'bad.conf'), 'key', 'list']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /bad\.conf:1: token_algorithm: expected HS256, ES256 or RS256/);
	});
});
