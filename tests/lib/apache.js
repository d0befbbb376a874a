// Start a real Apache httpd 2.4 serving latchkey on a free loopback port,
// from the configuration scripts/run-apache generates (the same one
// `make run-apache` uses), and stop it afterwards.
//
//   const srv = await startApache({ mode: 'fcgid', dir });
//   ... fetch(srv.baseURL + '/api/login', ...) ...
//   await srv.stop();
//
// mode 'fcgid': mod_fcgid with apache/latchkey-fcgid.conf as shipped.
// mode 'cgi':   plain CGI (mod_cgi), configured by the shipped .htaccess files.
// dir:          a prepared directory holding latchkey's configuration (by
//               default dir/latchkey.conf), key and database.  When the tests
//               run as root it is handed to the worker user (www-data), since
//               Apache will not run its workers as root and the programs only
//               accept a key file that is their own.
// Also accepted: port (default: a free one), config (the configuration
// file), state (where Apache's own files go; default a folder dir-apache-MODE
// beside dir, never inside it: the worker user owns dir),
// public and members (the directories served at / and /members/; default
// the repository's public/ and dist/public/members/), build (default
// $LATCHKEY_BUILD, else build/).  scripts/run-apache copies the programs,
// public and members into the state folder and serves the copies: the
// worker user never reads the checkout, which may sit under a private
// folder.

'use strict';

const { spawn, execFile } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const { freePort, waitForPort } = require('./net.js');

const repoRoot = path.resolve(__dirname, '..', '..');
const httpdPath = process.env.APACHE2 || '/usr/sbin/apache2';

const live = new Set();
process.on('exit', () => {
	for (const child of live) {
		try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
	}
});

/** Whether Apache (and, for mode 'fcgid', mod_fcgid) is installed. */
function haveApache(mode = 'fcgid') {
	if (!fs.existsSync(httpdPath)) return false;
	return mode !== 'fcgid' || fs.existsSync('/usr/lib/apache2/modules/mod_fcgid.so');
}

function run(file, args, env) {
	return new Promise((resolve, reject) => {
		execFile(file, args, { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
			if (err) {
				err.message += `\n${stdout}${stderr}`;
				reject(err);
			} else {
				resolve(stdout);
			}
		});
	});
}

/**
 * Run Apache in the foreground with a configuration file that listens on
 * 127.0.0.1:port and logs errors to the file errorLog.  Resolves to
 * { baseURL, port, conf, errorLog, log(), stop() } (log() reads the error
 * log so far); rejects if it does not come up (err.addressInUse tells a
 * lost race for the port).
 */
async function launchApache({ conf, port, errorLog }) {
	const child = spawn(httpdPath, ['-f', conf, '-DFOREGROUND'], {
		detached: true, // its own process group, so a crash can take it all down
		stdio: ['ignore', 'inherit', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	live.add(child);
	const exited = once(child, 'exit');
	const readLog = () => {
		try { return fs.readFileSync(errorLog, 'utf8'); } catch { return ''; }
	};
	if (!await waitForPort(port, child, Date.now() + 15000)) {
		try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
		await exited;
		live.delete(child);
		const err = new Error(`apache did not start on port ${port}:\n${stderr}\n${readLog()}`);
		err.addressInUse = /Address already in use/.test(stderr);
		throw err;
	}
	let stopped = null;
	return {
		baseURL: `http://127.0.0.1:${port}`,
		port,
		conf,
		errorLog,
		log: readLog,
		stop() {
			if (!stopped) {
				stopped = (async () => {
					if (child.exitCode === null && child.signalCode === null) {
						// SIGTERM: Apache stops its workers and mod_fcgid's programs.
						child.kill('SIGTERM');
						const timer = setTimeout(() => {
							try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
						}, 10000);
						await exited;
						clearTimeout(timer);
					}
					live.delete(child);
				})();
			}
			return stopped;
		},
	};
}

/**
 * Generate the configuration and start Apache in the foreground.  Returns
 * { baseURL, port, dir, state, conf, mode, errorLog, log(), stop() }.
 */
async function startApache(opts = {}) {
	const mode = opts.mode || 'fcgid';
	if (mode !== 'fcgid' && mode !== 'cgi') throw new Error(`unknown Apache mode ${mode}`);
	const dir = opts.dir;
	if (!dir) throw new Error('startApache needs dir');
	const config = opts.config || path.join(dir, 'latchkey.conf');
	const state = opts.state || `${dir}-apache-${mode}`;
	const env = {
		BUILD: opts.build || process.env.LATCHKEY_BUILD || process.env.BUILD || path.join(repoRoot, 'build'),
		...(opts.public ? { LATCHKEY_PUBLIC: opts.public } : {}),
		...(opts.members ? { LATCHKEY_MEMBERS: opts.members } : {}),
	};

	// A free port can be taken between the probe and Apache's bind: retry.
	for (let attempt = 0; ; attempt++) {
		const port = opts.port || await freePort();
		const conf = (await run(path.join(repoRoot, 'scripts', 'run-apache'), [
			'--generate-only', '--mode', mode, '--port', String(port),
			'--state', state, '--config', config,
		], env)).trim();
		try {
			const srv = await launchApache({ conf, port, errorLog: path.join(state, 'logs', 'error.log') });
			const stop = srv.stop;
			return { ...srv, dir, state, mode, async stop() {
				await stop();
				if (!opts.state && !process.env.LATCHKEY_KEEP)
					fs.rmSync(state, { recursive: true, force: true });
			} };
		} catch (err) {
			if (!(err.addressInUse && !opts.port && attempt < 3)) throw err;
		}
	}
}

module.exports = { startApache, launchApache, haveApache, freePort, waitForPort, repoRoot, httpdPath };
