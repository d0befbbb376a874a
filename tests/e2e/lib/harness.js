'use strict';
// Starting the real servers for a test file, once per server kind.
const path = require('node:path');
const { it, after } = require('node:test');

const repoRoot = path.resolve(__dirname, '..', '..', '..');

// The browser tests run against lighttpd and Apache with mod_fcgid unless
// LATCHKEY_E2E_KINDS (or the HTTP suites' LATCHKEY_KINDS), comma separated,
// names others, e.g. 'lighttpd' for a quick run or 'apache-cgi' too. A kind
// that cannot start fails its tests; it is never skipped.
//
// The files that look at the app's rendering alone (accessibility checks,
// contrast, screenshots, text, focus, the password fields), where no answer
// of the server differs between kinds, pass { rendering: true } and run
// on the first kind only unless the kinds are named: every kind's API is
// tested by tests/http/, and the flows that cross the server run on each.
const DEFAULT_KINDS = ['lighttpd', 'apache-fcgid'];

function serverKinds({ rendering = false } = {}) {
  const setting = process.env.LATCHKEY_E2E_KINDS || process.env.LATCHKEY_KINDS || '';
  const chosen = setting.split(',').map((s) => s.trim()).filter(Boolean);
  if (chosen.length > 0) return chosen;
  return rendering ? DEFAULT_KINDS.slice(0, 1) : DEFAULT_KINDS;
}

// Whether a file's rendering-only parts (a second colour scheme, an
// accessibility check) run on `kind`: as serverKinds({ rendering: true }).
function rendersOn(kind) {
  return serverKinds({ rendering: true }).includes(kind);
}

// Inside a describe(): registers a first test that starts a `kind` server
// (so a kind that is missing or broken is a failed test, not a skipped or
// cancelled one) and an after() hook that stops it. Returns a function that
// gives the running server to later tests, or throws if it never started.
// `options` go to startServer (e.g. `config: 'access_token_expires = 2s\n'`).
function useServer(kind, options = {}) {
  let server = null;
  let stopped = false;
  it(`starts the ${kind} server`, async () => {
    // Loaded here, not at the top, so that a missing harness is a failing test.
    const { startServer } = require(path.join(repoRoot, 'tests', 'lib', 'server.js'));
    server = await startServer({ ...options, kind });
    if (!server || typeof server.baseURL !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(server.baseURL)) {
      throw new Error(`startServer({ kind: '${kind}' }) gave no http://127.0.0.1:PORT baseURL`);
    }
  });
  after(async () => {
    if (server && !stopped) {
      stopped = true;
      await server.stop();
    }
  });
  const get = () => {
    if (!server) throw new Error(`the ${kind} server did not start`);
    return server;
  };
  // Stops the server early (the "server cannot be reached" test).
  get.stop = async () => {
    const running = get();
    if (!stopped) {
      stopped = true;
      await running.stop();
    }
  };
  return get;
}

module.exports = { repoRoot, serverKinds, rendersOn, useServer };
