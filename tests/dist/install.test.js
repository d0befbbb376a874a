'use strict';
// `make install` into a DESTDIR, then the installed HTTPS example
// (examples/apache/latchkey-vhost-https.conf, which includes the installed
// latchkey-fcgid.conf) served by a real Apache with a throwaway
// certificate: HTTP redirects to HTTPS, HSTS is sent, and a login over
// HTTPS with Secure cookies works.  Then `make uninstall` removes it all.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { launchApache, haveApache, freePort, repoRoot } = require('../lib/apache.js');
const { tempDir } = require('../authz/helpers.js');

const modules = '/usr/lib/apache2/modules';
const PREFIX = '/usr/local';
const haveOpenssl = fs.existsSync('/usr/bin/openssl');
// The user deploy-apache.md's section 2 adds.
const USER = { email: 'you@example.org', name: 'Your Name', password: 'tls only please 3' };

function make(args) {
	return execFileSync('make', ['-s', '-C', repoRoot, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

function filesUnder(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...filesUnder(p));
		else out.push(p);
	}
	return out;
}

function get(url, { ca, method = 'GET', headers = {}, body } = {}) {
	const mod = url.startsWith('https:') ? https : require('node:http');
	return new Promise((resolve, reject) => {
		const req = mod.request(url, { method, headers, ca, agent: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

test.describe('make install, the HTTPS example, make uninstall', () => {
	let destdir;
	let srv;
	let site = null; // the configuration section 2 made
	let ports;
	let ca;
	test.before(async () => {
		destdir = tempDir('latchkey-install-');
		make(['install', `DESTDIR=${destdir}`, `PREFIX=${PREFIX}`]);
	});
	test.after(async () => { if (srv) await srv.stop(); });

	test('files land in their FHS places', () => {
		const root = path.join(destdir, PREFIX.slice(1));
		for (const f of ['bin/latchkey', 'libexec/latchkey/login.fcgi', 'libexec/latchkey/profile.fcgi',
			'libexec/latchkey/logout.fcgi', 'libexec/latchkey/authorize.fcgi',
			'share/latchkey/public/index.html', 'share/latchkey/members/index.html', 'share/latchkey/members/greet.js',
			'share/doc/latchkey/examples/apache/latchkey-fcgid.conf',
			'share/doc/latchkey/examples/apache/latchkey-vhost-https.conf',
			'share/doc/latchkey/examples/apache/htaccess',
			'share/doc/latchkey/examples/lighttpd/lighttpd.conf',
			'share/doc/latchkey/examples/nginx/latchkey-protect.conf',
			'share/doc/latchkey/examples/caddy/latchkey.caddy', 'libexec/latchkey/authz.fcgi',
			'share/doc/latchkey/examples/latchkey.conf',
			'share/doc/latchkey/deploy-apache.md']) {
			assert.ok(fs.existsSync(path.join(root, f)), f);
		}
		if (fs.existsSync(path.join(repoRoot, 'docs', 'latchkey.1'))) {
			assert.ok(fs.existsSync(path.join(root, 'share/man/man1/latchkey.1')));
		}
		assert.equal(fs.statSync(path.join(root, 'libexec/latchkey/login.fcgi')).mode & 0o777, 0o755);
	});

	// deploy-apache.md's section 2 as written: its commands run as root in
	// the installed tree (PREFIX moved under DESTDIR, sudo dropped, the
	// password given on standard input), the example configuration moved
	// along with it.
	function followSection2(root) {
		const doc = fs.readFileSync(path.join(root, 'share/doc/latchkey/deploy-apache.md'), 'utf8');
		const block = /\n\n((?: {4}.*\n)+)/g;
		let cmds = null;
		for (const m of doc.matchAll(block)) {
			if (m[1].includes('latchkey init --user')) { cmds = m[1]; break; }
		}
		assert.ok(cmds, 'deploy-apache.md has no "latchkey init --user" block');
		const env = { ...process.env, PATH: `${root}/bin:${process.env.PATH}`,
			LATCHKEY_CONFIG: `${root}/etc/latchkey/latchkey.conf` };
		const ran = [];
		for (let line of cmds.split('\n').map((l) => l.slice(4)).filter(Boolean)) {
			assert.match(line, /^sudo /, line);
			line = line.slice('sudo '.length).replaceAll(`${PREFIX}/`, `${root}/`);
			const addUser = /^latchkey user add /.test(line);
			execFileSync('sh', ['-ec', addUser ? `${line} --password-stdin` : line],
				{ env, input: addUser ? `${USER.password}\n` : '', stdio: ['pipe', 'pipe', 'pipe'] });
			ran.push(line.split(' ').slice(0, 3).join(' '));
			// The copied example names PREFIX: it moves with the tree.
			if (/^cp .*latchkey\.conf /.test(line)) {
				const conf = env.LATCHKEY_CONFIG;
				fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replaceAll(`${PREFIX}/`, `${root}/`));
			}
		}
		assert.ok(ran.includes('latchkey init --user'), ran.join('; '));
		assert.ok(ran.includes('latchkey user add'), ran.join('; '));
		return env.LATCHKEY_CONFIG;
	}

	test('the installed HTTPS virtual host serves latchkey with HSTS and Secure cookies', {
		skip: (!haveApache('fcgid') && 'apache2 or mod_fcgid not installed') ||
			(!haveOpenssl && 'openssl not installed (scripts/deps.sh apache)') ||
			(process.getuid() !== 0 && 'deploy-apache.md section 2 runs as root'),
	}, async () => {
		const root = path.join(destdir, PREFIX.slice(1));
		site = followSection2(root);
		const state = path.join(tempDir('latchkey-install-https-'), 'apache-https');
		fs.mkdirSync(state);
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
			'-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
			'-keyout', path.join(state, 'key.pem'), '-out', path.join(state, 'cert.pem')], { stdio: 'pipe' });
		ca = fs.readFileSync(path.join(state, 'cert.pem'));
		ports = { http: await freePort(), https: await freePort() };

		// The example as installed; only what a site owner edits is changed:
		// addresses, certificate, and where the installation is.
		const vhost = fs.readFileSync(path.join(root, 'share/doc/latchkey/examples/apache/latchkey-vhost-https.conf'), 'utf8')
			.replace('<VirtualHost *:80>', `<VirtualHost 127.0.0.1:${ports.http}>`)
			.replace('<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${ports.https}>`)
			.replaceAll('https://example.org/', `https://127.0.0.1:${ports.https}/`)
			.replace(/SSLCertificateFile .*/, `SSLCertificateFile ${state}/cert.pem`)
			.replace(/SSLCertificateKeyFile .*/, `SSLCertificateKeyFile ${state}/key.pem`)
			.replaceAll(`${PREFIX}/`, `${root}/`);
		fs.writeFileSync(path.join(state, 'latchkey.conf'), vhost);
		const mods = ['mpm_event', 'authz_core', 'alias', 'dir', 'mime', 'headers', 'include', 'rewrite',
			'fcgid', 'ssl', 'socache_shmcb', 'log_config'].filter((m) =>
			m !== 'log_config' && fs.existsSync(`${modules}/mod_${m}.so`));
		const conf = path.join(state, 'httpd.conf');
		fs.writeFileSync(conf, [
			`ServerRoot "${state}"`,
			`Listen 127.0.0.1:${ports.http}`,
			`Listen 127.0.0.1:${ports.https} https`,
			'ServerName localhost',
			`PidFile "${state}/httpd.pid"`,
			`DefaultRuntimeDir "${state}"`,
			`Mutex file:${state} default`,
			`ErrorLog "${state}/error.log"`,
			`Define APACHE_LOG_DIR ${state}`,
			process.getuid() === 0 ? 'User www-data\nGroup www-data' : '',
			...mods.map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`),
			'TypesConfig /etc/mime.types',
			`SSLSessionCache "shmcb:${state}/ssl_scache(512000)"`,
			`FcgidIPCDir "${state}/fcgid"`,
			`FcgidProcessTableFile "${state}/fcgid-shm"`,
			'<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>',
			`Include "${state}/latchkey.conf"`,
			'',
		].join('\n'));
		execFileSync('/usr/sbin/apache2', ['-t', '-f', conf], { stdio: 'pipe' });
		srv = await launchApache({ conf, port: ports.https, errorLog: path.join(state, 'error.log') });

		const plain = await get(`http://127.0.0.1:${ports.http}/api/login`);
		assert.equal(plain.status, 301);
		assert.equal(plain.headers.location, `https://127.0.0.1:${ports.https}/api/login`);

		const base = `https://127.0.0.1:${ports.https}`;
		const home = await get(`${base}/`, { ca });
		assert.equal(home.status, 200, srv.log());
		assert.equal(home.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
		assert.match(home.headers['content-security-policy'], /frame-ancestors 'none'/);

		const login = await get(`${base}/api/login`, {
			ca, method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email: USER.email, password: USER.password }),
		});
		assert.equal(login.status, 200, login.body + srv.log());
		const cookies = login.headers['set-cookie'];
		assert.ok(cookies.some((c) => c.startsWith('access_token_cookie=')), cookies.join('\n'));
		assert.ok(cookies.some((c) => c.startsWith('csrf_access_token=')), cookies.join('\n'));
		for (const c of cookies) assert.match(c, /; Secure/);
		assert.ok(login.headers['strict-transport-security']);
		const jar = cookies.map((c) => c.split(';')[0]).join('; ');
		const profile = await get(`${base}/api/profile`, { ca, headers: { Cookie: jar } });
		assert.equal(profile.status, 200);
		assert.deepEqual(JSON.parse(profile.body), { email: USER.email, groups: [], name: USER.name });
		// Two-step verification needs mfa.key, which the programs (run as
		// www-data) read: section 2 gave it to them.
		const csrf = /csrf_access_token=([^;]+)/.exec(jar)[1];
		const totp = await get(`${base}/api/mfa/totp/setup`, {
			ca, method: 'POST', headers: { Cookie: jar, 'X-CSRF-TOKEN': csrf, 'Content-Type': 'application/json' },
			body: JSON.stringify({ password: USER.password }),
		});
		assert.equal(totp.status, 200, totp.body + srv.log());
		assert.match(JSON.parse(totp.body).secret, /^[A-Z2-7]{32}$/);
		const members = await get(`${base}/members/`, { ca, headers: { Cookie: jar } });
		assert.equal(members.status, 200);
		assert.match(members.body, /you@example\.org/);
		assert.equal((await get(`${base}/members/`, { ca })).status, 401);
		// TRACE would echo the cookies back.
		assert.equal((await get(`${base}/`, { ca, method: 'TRACE', headers: { Cookie: jar } })).status, 405);
		assert.doesNotMatch(home.headers.server ?? '', /\d/);
	});

	test('make uninstall removes every installed file, and keeps the site\'s own', async () => {
		if (srv) { await srv.stop(); srv = null; }
		make(['uninstall', `DESTDIR=${destdir}`, `PREFIX=${PREFIX}`]);
		// What section 2 made (configuration, keys, database) is the
		// site's: install never writes it and uninstall never removes it.
		const root = path.join(destdir, PREFIX.slice(1));
		const left = filesUnder(destdir).map((f) => path.relative(root, f));
		assert.ok(left.every((f) => /^(etc\/latchkey|var\/lib\/latchkey)\//.test(f)), left.join(' '));
		for (const f of !site ? [] : ['etc/latchkey/latchkey.conf', 'etc/latchkey/latchkey.key',
			'etc/latchkey/mfa.key', 'var/lib/latchkey/latchkey.db']) {
			assert.ok(left.includes(f), `${f} was removed`);
		}
	});
});

// A PREFIX (or SYSCONFDIR, LOCALSTATEDIR) given to make is compiled into
// the tool and the programs: changing it rebuilds them, and the installed
// example configuration follows it. Built apart (BUILD=...), so that the
// tree the other tests use is not rebuilt.
test.describe('PREFIX after an earlier build', () => {
	let build;
	test.before(() => { build = path.join(tempDir('latchkey-prefix-'), 'build'); });

	function builtDefault(prefix, extra = []) {
		make([`BUILD=${build}`, `PREFIX=${prefix}`, ...extra, `${build}/bin/latchkey`, `${build}/cgi-bin/profile.fcgi`]);
		const help = execFileSync(path.join(build, 'bin', 'latchkey'), ['--help'], {
			encoding: 'utf8', env: { PATH: process.env.PATH },
		});
		const m = help.match(/else (\S+latchkey\.conf)\)/);
		assert.ok(m, help);
		return m[1];
	}

	test('a new PREFIX rebuilds the tool and the programs with its configuration path', () => {
		assert.equal(builtDefault('/opt/lk-a'), '/opt/lk-a/etc/latchkey/latchkey.conf');
		const before = fs.statSync(path.join(build, 'cgi-bin', 'profile.fcgi')).mtimeMs;
		assert.equal(builtDefault('/opt/lk-b'), '/opt/lk-b/etc/latchkey/latchkey.conf');
		const program = fs.readFileSync(path.join(build, 'cgi-bin', 'profile.fcgi'));
		assert.ok(program.includes('/opt/lk-b/etc/latchkey/latchkey.conf'));
		assert.ok(!program.includes('/opt/lk-a/'));
		assert.ok(fs.statSync(path.join(build, 'cgi-bin', 'profile.fcgi')).mtimeMs > before);
		assert.equal(builtDefault('/opt/lk-b', ['SYSCONFDIR=/etc']), '/etc/latchkey/latchkey.conf');
		// The same variables again: nothing is built.
		const built = fs.statSync(path.join(build, 'cgi-bin', 'profile.fcgi')).mtimeMs;
		const again = make([`BUILD=${build}`, 'PREFIX=/opt/lk-b', 'SYSCONFDIR=/etc',
			`${build}/bin/latchkey`, `${build}/cgi-bin/profile.fcgi`]);
		assert.doesNotMatch(again, /\b(CC|CCLD|AR)\b/);
		assert.equal(fs.statSync(path.join(build, 'cgi-bin', 'profile.fcgi')).mtimeMs, built);
	});

	test('the installed example configuration keeps the database under LOCALSTATEDIR', () => {
		for (const [vars, database] of [[['PREFIX=/opt/lk-b'], '/opt/lk-b/var/lib/latchkey/latchkey.db'],
		    [['PREFIX=/usr', 'SYSCONFDIR=/etc', 'LOCALSTATEDIR=/var'], '/var/lib/latchkey/latchkey.db']]) {
			const destdir = tempDir('latchkey-prefix-install-');
			make(['install', `BUILD=${build}`, `DESTDIR=${destdir}`, ...vars]);
			const prefix = vars[0].slice('PREFIX='.length);
			const conf = fs.readFileSync(path.join(destdir, prefix.slice(1), 'share/doc/latchkey/examples/latchkey.conf'), 'utf8');
			assert.match(conf, new RegExp(`^database = ${database.replaceAll('.', '\\.')}$`, 'm'));
			assert.doesNotMatch(conf, /\/usr\/local\//);
			// The man page names the compiled-in default of this build.
			const man = fs.readFileSync(path.join(destdir, prefix.slice(1), 'share/man/man1/latchkey.1'), 'utf8');
			const etc = vars.find((v) => v.startsWith('SYSCONFDIR='))?.slice('SYSCONFDIR='.length) ?? `${prefix}/etc`;
			assert.ok(man.includes(`.IR ${etc}/latchkey/latchkey.conf .`), man.split('\n').find((l) => l.includes('latchkey.conf')));
			assert.doesNotMatch(man, /\/usr\/local\//);
		}
	});
});
