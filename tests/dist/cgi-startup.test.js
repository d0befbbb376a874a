'use strict';
// Under plain CGI (Apache mod_cgi, the shared-hosting drop-in) every request
// starts a program, so its start-up must stay small: in particular no
// password hash (yescrypt: ~20 ms of CPU and 16 MiB of memory) for a request
// that checks no password.  Measured by the peak memory of one CGI request
// for GET /api/profile, which /usr/bin/time reports exactly, unlike time.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { makeInstance, build } = require('../authz/helpers.js');

const timeBin = '/usr/bin/time';

test('a CGI request that checks no password computes no password hash',
	{ skip: !fs.existsSync(timeBin) && `${timeBin} not installed (apt-get install time)` },
	() => {
		const inst = makeInstance([{ email: 'a@example.org', name: 'A', password: 'pw-123456' }]);
		const peakKiB = (program) => {
			const r = spawnSync(timeBin,
				['-f', 'PEAK %M', path.join(build, 'cgi-bin', program)], {
					env: {
						LATCHKEY_CONFIG: inst.config, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET',
						SCRIPT_NAME: '/api/profile',
					},
					input: '', encoding: 'utf8',
				});
			assert.match(r.stdout, /^Status: 401 /);
			return Number(/PEAK (\d+)/.exec(r.stderr)[1]);
		};
		// yescrypt at the default cost touches 16 MiB; the rest of a
		// request needs well under half of that.
		const kib = peakKiB('profile.fcgi');
		assert.ok(kib < 14 * 1024, `GET /api/profile under CGI peaked at ${kib} KiB`);
	});
