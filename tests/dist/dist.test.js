'use strict';
// `make dist` on a simulated shared host: the tarball is unpacked and set
// up exactly as its INSTALL says (upload, the two edited paths, chmod), into
// the document root of an Apache that reads .htaccess files (AllowOverride
// All) and has no latchkey-specific server configuration at all.  Then a
// user logs in through it.  Two hosts: plain CGI (mod_cgi) and mod_fcgid.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { launchApache, haveApache, freePort, repoRoot } = require('../lib/apache.js');
const { tempDir } = require('../authz/helpers.js');

const modules = '/usr/lib/apache2/modules';
const workerUser = process.env.LATCHKEY_USER || 'www-data';
const USER = { email: 'owner@example.org', name: 'Site Owner', password: 'a long passphrase 9' };

function tarball() {
	if (process.env.LATCHKEY_DIST) return process.env.LATCHKEY_DIST;
	const out = execFileSync('make', ['-s', '-C', repoRoot, 'dist'], { encoding: 'utf8' });
	return path.resolve(repoRoot, out.trim().split('\n').pop());
}

/** Follow INSTALL: returns the simulated home directory. */
function installAsInstallSays(tar) {
	const tmp = tempDir('latchkey-dist-');
	execFileSync('tar', ['-xf', tar, '-C', tmp]);
	const [top] = fs.readdirSync(tmp);
	const unpacked = path.join(tmp, top);
	const home = path.join(tmp, 'home');
	const docroot = path.join(home, 'public_html');
	const priv = path.join(home, 'private');
	const tool = path.join(unpacked, 'bin', 'latchkey');

	// Step 1: key and first user, inside the unpacked folder.
	const conf = path.join(unpacked, 'private', 'latchkey.conf');
	execFileSync(tool, ['--config', conf, 'init']);
	execFileSync(tool, ['--config', conf, 'user', 'add', USER.email, '--name', USER.name,
		'--password-stdin'], { input: `${USER.password}\n` });
	// Plain http:// in this test: the INSTALL's "first test" switch.
	fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8')
		.replace(/^cookie_secure = true$/m, 'cookie_secure = false'));

	// Step 2: upload.
	fs.mkdirSync(home);
	execFileSync('cp', ['-a', path.join(unpacked, 'public'), docroot]);
	execFileSync('cp', ['-a', path.join(unpacked, 'lk-bin'), path.join(docroot, 'lk-bin')]);
	execFileSync('cp', ['-a', path.join(unpacked, 'private'), priv]);

	// Steps 3 (the two paths, with INSTALL's own sed line) and 4
	// (permissions): INSTALL's commands as written, from the home folder.
	for (const re of [/^sed -i /, /^chmod 755 /]) {
		execFileSync('sh', ['-ec', installBlock(unpacked, re)],
			{ cwd: home, env: { ...process.env, HOME: home } });
	}

	// The host runs the programs as the account that owns the files.
	if (process.getuid() === 0) execFileSync('chown', ['-R', `${workerUser}:`, home]);
	return { tmp, unpacked, home, docroot };
}

/** A host's Apache: nothing about latchkey, AllowOverride All on the site. */
function hostConfig({ state, port, docroot, fcgid }) {
	const mods = ['authz_core', 'authz_host', 'dir', 'mime', 'headers', 'env', 'setenvif',
		'rewrite', 'include', 'alias', 'buffer', fcgid ? 'fcgid' : 'cgi'];
	return [
		`ServerRoot "${state}"`,
		`Listen 127.0.0.1:${port}`,
		`ServerName 127.0.0.1:${port}`,
		`PidFile "${state}/httpd.pid"`,
		`DefaultRuntimeDir "${state}"`,
		`Mutex file:${state} default`,
		`ErrorLog "${state}/error.log"`,
		'LogLevel warn',
		process.getuid() === 0 ? `User ${workerUser}\nGroup ${workerUser}` : '',
		`LoadModule mpm_prefork_module ${modules}/mod_mpm_prefork.so`,
		'StartServers 2',
		...mods.map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`),
		'TypesConfig /etc/mime.types',
		// As Debian's security.conf: the host's to set (INSTALL says how
		// to check it).
		'TraceEnable Off',
		fcgid ? `FcgidIPCDir "${state}/fcgid"\nFcgidProcessTableFile "${state}/fcgid-shm"` : '',
		'<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>',
		'<Files ".ht*">\n  Require all denied\n</Files>',
		`DocumentRoot "${docroot}"`,
		`<Directory "${docroot}">\n  AllowOverride All\n  Options SymLinksIfOwnerMatch\n  Require all granted\n</Directory>`,
		'',
	].join('\n');
}

// fetch() sends Sec-Fetch-Mode: cors whatever it is told: a browser's
// page load needs a plain client.
function rawGet(baseURL, p, headers) {
	const u = new URL(baseURL + p);
	return new Promise((resolve, reject) => {
		require('node:http').get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent: false }, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
		}).on('error', reject);
	});
}

/**
 * The indented command block of INSTALL (as shipped in the tarball) whose
 * first line matches re, its continuation lines joined.
 */
function installBlock(unpacked, re) {
	const lines = fs.readFileSync(path.join(unpacked, 'INSTALL'), 'utf8').split('\n');
	const i = lines.findIndex((l) => l.startsWith('    ') && re.test(l.slice(4)));
	assert.ok(i >= 0, `INSTALL has no command ${re}`);
	const block = [];
	for (let j = i; j < lines.length && lines[j].startsWith('    '); j++) block.push(lines[j].slice(4));
	return block.join('\n');
}

/** Run an INSTALL curl command against baseURL instead of https://example.org. */
function runCurl(cmd, baseURL) {
	return execFileSync('bash', ['-c', cmd.replaceAll('https://example.org', baseURL)],
		{ encoding: 'utf8' });
}

async function request(baseURL, p, { method = 'GET', headers = {}, body } = {}) {
	return fetch(baseURL + p, { method, headers, body, redirect: 'manual' });
}

const hosts = [
	{ name: 'a mod_cgi host', fcgid: false, skip: !haveApache('cgi') && 'apache2 not installed' },
	{ name: 'a mod_fcgid host', fcgid: true, skip: !haveApache('fcgid') && 'mod_fcgid not installed' },
];

let tar;
test.before(() => { tar = tarball(); });

test('the tarball has the layout INSTALL describes and no secrets', () => {
	const list = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n')
		.map((l) => l.replace(/^[^/]+\//, '')).filter(Boolean);
	for (const f of ['INSTALL', 'bin/latchkey', 'doc/latchkey.1', 'private/latchkey.conf', 'private/.htaccess',
		'lk-bin/lib/.htaccess', 'lk-bin/lib/libjwt.so.0', 'lk-bin/lib/libjansson.so.4',
		'public/index.html', 'public/.htaccess', 'public/members/index.html', 'public/members/greet.js',
		'public/members/.htaccess', 'lk-bin/.htaccess', 'lk-bin/login.fcgi', 'lk-bin/gate.fcgi',
		'private/members/index.html', 'private/members/greet.js',
		'lk-bin/profile.fcgi', 'lk-bin/logout.fcgi', 'lk-bin/authorize.fcgi']) {
		assert.ok(list.includes(f), `${f} in the tarball`);
	}
	assert.ok(!list.some((f) => /\.(key|db)$|secret/.test(f)), list.join(' '));
	// Nothing under a folder Debian's serve-cgi-bin.conf takes over; the
	// manual beside the tool, not in bin/.
	assert.ok(!list.some((f) => /(^|\/)cgi-bin\//.test(f)), list.join(' '));
	assert.deepEqual(list.filter((f) => /^bin\/./.test(f)), ['bin/latchkey']);
});

test('the tarball is named after the version its tool prints, and small', () => {
	const dir = tempDir('latchkey-dist-version-');
	execFileSync('tar', ['-xf', tar, '-C', dir]);
	const [top] = fs.readdirSync(dir);
	const version = execFileSync(path.join(dir, top, 'bin', 'latchkey'), ['--version'], { encoding: 'utf8' });
	assert.match(version, /^latchkey \d+\.\d+\.\d+\n$/);
	const v = version.trim().split(' ')[1];
	assert.equal(top, `latchkey-${v}`);
	assert.equal(path.basename(tar), `latchkey-${v}.tar.xz`);
	assert.match(fs.readFileSync(path.join(dir, top, 'INSTALL'), 'utf8'), new RegExp(`^latchkey ${v.replaceAll('.', '\\.')} for shared hosting\n`));
	assert.match(fs.readFileSync(path.join(dir, top, 'doc', 'latchkey.1'), 'utf8'),
		new RegExp(`^\\.TH LATCHKEY 1 \\S+ "latchkey ${v.replaceAll('.', '\\.')}"`));
	// The programs and the tool carry no symbols or debugging sections.
	for (const f of [...fs.readdirSync(path.join(dir, top, 'lk-bin')).filter((n) => n.endsWith('.fcgi'))
		.map((n) => path.join(dir, top, 'lk-bin', n)), path.join(dir, top, 'bin', 'latchkey')]) {
		const sections = execFileSync('readelf', ['-S', '-W', f], { encoding: 'utf8' });
		assert.doesNotMatch(sections, /\.symtab|\.debug_/, f);
	}
	const mib = fs.statSync(tar).size / 2 ** 20;
	assert.ok(mib < 5, `the tarball is ${mib.toFixed(1)} MiB`);
});

for (const host of hosts) {
	test.describe(`make dist on ${host.name}`, { skip: host.skip }, () => {
		let inst;
		let srv;
		test.before(async () => {
			inst = installAsInstallSays(tar);
			const state = path.join(inst.tmp, 'apache');
			fs.mkdirSync(state);
			const port = await freePort();
			const conf = path.join(state, 'httpd.conf');
			fs.writeFileSync(conf, hostConfig({ state, port, docroot: inst.docroot, fcgid: host.fcgid }));
			execFileSync('/usr/sbin/apache2', ['-t', '-f', conf], { stdio: 'pipe' });
			srv = await launchApache({ conf, port, errorLog: path.join(state, 'error.log') });
		});
		test.after(async () => { if (srv) await srv.stop(); });

		test('the uploaded programs load the libraries that came with them', () => {
			// SQLite, json-c, libfcgi, libxcrypt and liboath are linked in;
			// libjwt (signing only) comes in lk-bin/lib/, with its own.
			for (const [prog, shipped] of [['login.fcgi', ['libjwt.so.0', 'libjansson.so.4']],
			    ['authorize.fcgi', []], ['profile.fcgi', []]]) {
				const out = execFileSync('ldd', [path.join(inst.docroot, 'lk-bin', prog)], { encoding: 'utf8' });
				assert.doesNotMatch(out, /not found/);
				for (const lib of shipped) {
					assert.match(out, new RegExp(`${lib.replaceAll('.', '\\.')} => ${inst.docroot}/lk-bin/lib/`), out);
				}
				assert.doesNotMatch(out, /libfcgi|libjson-c|libsqlite3|liboath/, `${prog}:\n${out}`);
				if (shipped.length === 0) assert.doesNotMatch(out, /libjwt/, `${prog}:\n${out}`);
				// Nothing linked in is offered to the shared libraries in
				// place of their own (json-c's json_object_get for jansson's).
				const dyn = execFileSync('nm', ['-D', '--defined-only', path.join(inst.docroot, 'lk-bin', prog)], { encoding: 'utf8' });
				assert.doesNotMatch(dyn, / (json_|sqlite3_|FCGX_|oath_)/, `${prog} exports:\n${dyn}`);
			}
		});

		test('the health check and the metrics answer through the .htaccess', async () => {
			let res = await request(srv.baseURL, '/api/health');
			assert.equal(res.status, 200, srv.log());
			assert.equal(await res.text(), '{"status":"ok"}\n');
			assert.equal(res.headers.get('cache-control'), 'no-store');
			res = await request(srv.baseURL, '/metrics');
			assert.equal(res.status, 200, srv.log());
			assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
			assert.match(await res.text(), /^latchkey_users 1$/m);
			// The counter file beside the database, the programs' own.
			assert.equal(fs.statSync(path.join(inst.home, 'private', 'latchkey.db.metrics')).mode & 0o777, 0o600);
		});

		test('a user logs in, reads the profile and logs out', async () => {
			let res = await request(srv.baseURL, '/api/login', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ email: USER.email, password: USER.password }),
			});
			assert.equal(res.status, 200, srv.log());
			assert.deepEqual(await res.json(), { login: true });
			const cookies = res.headers.getSetCookie();
			// INSTALL's Step 5: four of them.
			assert.deepEqual(cookies.map((c) => c.split('=')[0]),
				['access_token_cookie', 'csrf_access_token', 'refresh_token_cookie', 'csrf_refresh_token']);
			assert.match(cookies.join('\n'), /^access_token_cookie=[^;]+; HttpOnly; Path=\/; SameSite=Lax/m);
			assert.match(cookies.join('\n'), /^csrf_access_token=[^;]+; Path=\/; SameSite=Lax/m);
			const jar = cookies.map((c) => c.split(';')[0]).join('; ');
			const csrf = /csrf_access_token=([^;]+)/.exec(jar)[1];

			res = await request(srv.baseURL, '/api/profile', { headers: { Cookie: jar } });
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), { email: USER.email, groups: [], name: USER.name });
			assert.equal(res.headers.get('x-content-type-options'), 'nosniff');

			res = await request(srv.baseURL, '/api/profile', {
				method: 'PATCH', headers: { Cookie: jar, 'Content-Type': 'application/json', 'X-CSRF-TOKEN': csrf },
				body: JSON.stringify({ name: 'Renamed Owner' }),
			});
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), { email: USER.email, groups: [], name: 'Renamed Owner' });

			res = await request(srv.baseURL, '/api/logout', {
				method: 'POST', headers: { Cookie: jar, 'Content-Type': 'application/json' }, body: '{}',
			});
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), { logout: true });
		});

		test('a wrong password is a 401 and a wrong method a 405', async () => {
			let res = await request(srv.baseURL, '/api/login', {
				method: 'POST', headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ email: USER.email, password: 'nope' }),
			});
			assert.equal(res.status, 401);
			assert.deepEqual(await res.json(), { login: false });
			res = await request(srv.baseURL, '/api/login');
			assert.equal(res.status, 405);
		});

		test('INSTALL\'s TRACE check is refused, echoing nothing', () => {
			const out = runCurl(installBlock(inst.unpacked, /^curl -i -X TRACE /), srv.baseURL);
			assert.match(out, /^HTTP\/1\.1 405 /);
			assert.doesNotMatch(out, /check=1/);
		});

		test('the app and its deep links are served, with the security headers', async () => {
			const html = await (await request(srv.baseURL, '/')).text();
			for (const [p, status] of [['/', 200], ['/profile', 200], ['/login', 200], ['/some/deep/link', 404]]) {
				const res = await request(srv.baseURL, p);
				assert.equal(res.status, status, p);
				assert.equal(await res.text(), html, p);
				assert.match(html, /<div id="root">/);
				assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
				assert.ok(res.headers.get('referrer-policy'));
				assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);
			}
			const api = await request(srv.baseURL, '/api/nothing');
			assert.equal(api.status, 404);
			assert.deepEqual(await api.json(), { msg: 'Not found' });
		});

		test('secrets and the authorizer are not reachable over HTTP', async () => {
			// A stray copy of private/ uploaded into the document root by mistake.
			execFileSync('cp', ['-a', path.join(inst.home, 'private'), path.join(inst.docroot, 'private')]);
			for (const p of ['/.htaccess', '/lk-bin/.htaccess', '/lk-bin/authorize.fcgi',
				'/lk-bin/lib/libjwt.so.0', '/lk-bin/lib/',
				'/members/.htaccess', '/private/latchkey.conf', '/private/secret.key',
				'/private/latchkey.db']) {
				const res = await request(srv.baseURL, p);
				// (401: under members/ the authorizer or the gate refuses first.)
				assert.ok([401, 403, 404].includes(res.status), `${p}: ${res.status}`);
				assert.doesNotMatch(await res.text(), /FcgidAccessChecker|SetEnvIf|fcgid-script/);
			}
		});

		test(host.fcgid ? 'members/ is behind the authorizer' : 'members/ is behind the gate, served from private/members/',
			async () => {
				const login = await request(srv.baseURL, '/api/login', {
					method: 'POST', headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ email: USER.email, password: USER.password }),
				});
				const jar = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
				const anon = await request(srv.baseURL, '/members/');
				const signed = await request(srv.baseURL, '/members/', { headers: { Cookie: jar } });
				assert.equal(anon.status, 401);
				assert.deepEqual(await anon.json(), { msg: 'Missing cookie "access_token_cookie"' });
				// A browser loading the page is sent to log in.
				const nav = await rawGet(srv.baseURL, '/members/?x=1', { 'Sec-Fetch-Mode': 'navigate' });
				assert.equal(nav.status, 302);
				assert.equal(nav.headers.location, '/login?next=/members/%3Fx%3D1');
				assert.equal(signed.status, 200, srv.log());
				const page = await signed.text();
				if (host.fcgid) {
					assert.match(page, /<strong id="email">owner@example\.org<\/strong>/);
				} else {
					// The gate's copy, from outside the document root; the
					// page's script greets the user.
					assert.match(page, /<h1>Members only<\/h1>/);
					assert.equal(signed.headers.get('content-type'), 'text/html; charset=utf-8');
					const js = await request(srv.baseURL, '/members/greet.js', { headers: { Cookie: jar } });
					assert.equal(js.status, 200);
					assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
					assert.match(await js.text(), /\/api\/profile/);
				}
			});
	});
}

// A stock Debian Apache as a hosting company runs it: Debian's own
// apache2.conf, its default modules and configurations (serve-cgi-bin.conf,
// which maps /cgi-bin/ of every site to /usr/lib/cgi-bin/ once a CGI module
// is loaded; security.conf), the event MPM with mod_cgid as a2enmod cgi
// gives it, mod_rewrite and mod_headers (INSTALL asks for them), no
// mod_fcgid, and a site whose document root allows .htaccess files.
const DEBIAN_MODS = ['access_compat', 'alias', 'auth_basic', 'authn_core', 'authn_file', 'authz_core',
	'authz_host', 'authz_user', 'autoindex', 'deflate', 'dir', 'env', 'filter', 'mime', 'mpm_event',
	'negotiation', 'reqtimeout', 'setenvif', 'status', 'cgid', 'rewrite', 'headers'];
const DEBIAN_CONFS = ['charset', 'localized-error-pages', 'other-vhosts-access-log', 'security',
	'serve-cgi-bin'];
const etcApache = '/etc/apache2';

function stockDebianConfig({ state, port, docroot }) {
	const root = path.join(state, 'etc');
	fs.mkdirSync(root);
	for (const d of ['conf-available', 'mods-available']) {
		execFileSync('cp', ['-a', path.join(etcApache, d), path.join(root, d)]);
	}
	fs.copyFileSync(path.join(etcApache, 'apache2.conf'), path.join(root, 'apache2.conf'));
	for (const [dir, avail, names, exts] of [['mods-enabled', 'mods-available', DEBIAN_MODS, ['.load', '.conf']],
		['conf-enabled', 'conf-available', DEBIAN_CONFS, ['.conf']]]) {
		fs.mkdirSync(path.join(root, dir));
		for (const n of names) {
			for (const ext of exts) {
				if (fs.existsSync(path.join(root, avail, n + ext)))
					fs.symlinkSync(`../${avail}/${n}${ext}`, path.join(root, dir, n + ext));
			}
		}
	}
	fs.writeFileSync(path.join(root, 'ports.conf'), `Listen 127.0.0.1:${port}\n`);
	fs.mkdirSync(path.join(root, 'sites-enabled'));
	fs.writeFileSync(path.join(root, 'sites-enabled', 'customer.conf'), [
		`<VirtualHost *:${port}>`,
		'    ServerName 127.0.0.1',
		`    DocumentRoot "${docroot}"`,
		`    <Directory "${docroot}">`,
		'        Options SymLinksIfOwnerMatch',
		'        AllowOverride All',
		'        Require all granted',
		'    </Directory>',
		'</VirtualHost>', ''].join('\n'));
	for (const d of ['run', 'run/socks', 'lock', 'log']) fs.mkdirSync(path.join(state, d));
	// What /etc/apache2/envvars gives apache2ctl.
	const conf = path.join(state, 'httpd.conf');
	fs.writeFileSync(conf, [
		`ServerRoot "${root}"`,
		`Define APACHE_RUN_USER ${workerUser}`,
		`Define APACHE_RUN_GROUP ${workerUser}`,
		`Define APACHE_PID_FILE ${state}/run/apache2.pid`,
		`Define APACHE_RUN_DIR ${state}/run`,
		`Define APACHE_LOCK_DIR ${state}/lock`,
		`Define APACHE_LOG_DIR ${state}/log`,
		'Include apache2.conf', ''].join('\n'));
	return conf;
}

test.describe('make dist on a stock Debian Apache with mod_cgid and no mod_fcgid', {
	skip: (!fs.existsSync(path.join(etcApache, 'conf-available', 'serve-cgi-bin.conf')) &&
		'no Debian apache2 configuration in /etc/apache2') ||
		(!fs.existsSync(path.join(modules, 'mod_cgid.so')) && 'mod_cgid not installed'),
}, () => {
	let inst;
	let srv;
	test.before(async () => {
		inst = installAsInstallSays(tar);
		const state = path.join(inst.tmp, 'apache');
		fs.mkdirSync(state);
		const port = await freePort();
		const conf = stockDebianConfig({ state, port, docroot: inst.docroot });
		execFileSync('/usr/sbin/apache2', ['-t', '-f', conf], { stdio: 'pipe' });
		const loaded = execFileSync('/usr/sbin/apache2', ['-M', '-f', conf], { encoding: 'utf8', stdio: 'pipe' });
		assert.match(loaded, /cgid_module/);
		assert.doesNotMatch(loaded, /fcgid_module|\bcgi_module/);
		srv = await launchApache({ conf, port, errorLog: path.join(state, 'log', 'error.log') });
	});
	test.after(async () => { if (srv) await srv.stop(); });

	test('/cgi-bin/ is the host\'s, as serve-cgi-bin.conf has it', async () => {
		const res = await request(srv.baseURL, '/cgi-bin/login.fcgi');
		assert.equal(res.status, 404);
		assert.match(srv.log(), /\/usr\/lib\/cgi-bin\/login\.fcgi/);
	});

	test('INSTALL step 5: its curl logs in, with the four cookies', () => {
		const cmd = installBlock(inst.unpacked, /^curl -i https:\/\/example\.org\/api\/login /)
			.replace('you@example.org', USER.email).replace('"password": "..."', `"password": "${USER.password}"`);
		const out = runCurl(cmd, srv.baseURL);
		assert.match(out, /^HTTP\/1\.1 200 /, `${out}\n${srv.log()}`);
		assert.match(out, /\r\n\r\n\{"login":true\}\n?$/);
		assert.deepEqual([...out.matchAll(/^Set-Cookie: ([^=]+)=/mg)].map((m) => m[1]),
			['access_token_cookie', 'csrf_access_token', 'refresh_token_cookie', 'csrf_refresh_token']);
	});

	test('the API answers JSON, the app its pages, members/ wants a login', async () => {
		let res = await request(srv.baseURL, '/api/profile');
		assert.equal(res.status, 401);
		assert.deepEqual(await res.json(), { msg: 'Missing cookie "access_token_cookie"' });
		res = await request(srv.baseURL, '/api/nothing');
		assert.equal(res.status, 404);
		assert.deepEqual(await res.json(), { msg: 'Not found' });
		res = await request(srv.baseURL, '/.well-known/jwks.json');
		assert.equal(res.status, 200);
		// The HS256 secret is never published; the OpenID provider's key is.
		assert.deepEqual((await res.json()).keys.map((k) => k.alg), ['RS256']);
		res = await request(srv.baseURL, '/profile');
		assert.equal(res.status, 200);
		assert.match(await res.text(), /<div id="root">/);
		// members/ is the gate's (mod_cgid, no mod_fcgid).
		assert.equal((await request(srv.baseURL, '/members/')).status, 401);
	});

	test('INSTALL\'s TRACE check is refused (security.conf)', () => {
		const out = runCurl(installBlock(inst.unpacked, /^curl -i -X TRACE /), srv.baseURL);
		assert.match(out, /^HTTP\/1\.1 405 /);
		assert.doesNotMatch(out, /check=1/);
	});
});
