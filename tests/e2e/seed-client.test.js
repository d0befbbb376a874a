'use strict';
// The seed blog post's own client modules, unchanged but for their base URL,
// bundled with axios and run in the browser against our servers: the wire
// contract the seed's frontend relies on still holds.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describe, it } = require('node:test');
const esbuild = require('esbuild');
const { repoRoot, serverKinds, useServer } = require('./lib/harness.js');
const { CSP, DEMO, newPage, assertClean, useBrowser } = require('./lib/page.js');

// The seed's client code sits beside the project's own checkout, not in it:
// a clone elsewhere has none, and this suite then says so and skips.
const SEED_API = path.resolve(repoRoot, '..', 'shared', 'seed', 'client', 'src', 'api');
const SEED_SKIP = fs.existsSync(SEED_API) ? false :
  `the seed's client code (${SEED_API}) is not beside this checkout`;
const SEED_BASE_URL = 'http://localhost:5000';

// Copies auth.js and user.js with every 'http://localhost:5000' replaced by
// `baseURL` (and nothing else changed), bundles them for the browser and
// returns the script, which sets window.seedClient = { login, logout, getProfile }.
async function bundleSeedClient(baseURL) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-seed-'));
  try {
    const expected = { 'auth.js': 2, 'user.js': 1 };
    for (const [file, count] of Object.entries(expected)) {
      const source = fs.readFileSync(path.join(SEED_API, file), 'utf8');
      const parts = source.split(SEED_BASE_URL);
      assert.equal(parts.length - 1, count, `${file} should name ${SEED_BASE_URL} ${count} times`);
      fs.writeFileSync(path.join(dir, file), parts.join(baseURL));
    }
    fs.writeFileSync(path.join(dir, 'entry.js'), [
      "import { login, logout } from './auth.js';",
      "import { getProfile } from './user.js';",
      'window.seedClient = { login, logout, getProfile };',
      '',
    ].join('\n'));
    const result = await esbuild.build({
      entryPoints: [path.join(dir, 'entry.js')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
      // axios comes from this package's devDependencies.
      nodePaths: [path.join(__dirname, 'node_modules')],
    });
    return result.outputFiles[0].text;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Runs one seed call in the page; resolves to { data } or { status, data }
// of the HTTP error axios threw.
function call(page, name, ...args) {
  return page.evaluate(async ({ name: fn, args: values }) => {
    try {
      return { data: await window.seedClient[fn](...values) };
    } catch (error) {
      if (!error.response) return { network: String(error) };
      return { status: error.response.status, data: error.response.data };
    }
  }, { name, args });
}

for (const kind of serverKinds()) {
  describe(`the seed's client modules [${kind}]`, { skip: SEED_SKIP }, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('load in a page on the server\'s origin', async () => {
      const { baseURL } = server();
      const script = await bundleSeedClient(baseURL);
      assert.doesNotMatch(script, /localhost:5000/);
      page = await newPage(await browser());
      // A page of the test's own on the server's origin, under the same CSP as
      // the app; every /api/ request goes to the real server.
      await page.route(`${baseURL}/seed-client-test/**`, (route) => {
        const file = new URL(route.request().url()).pathname;
        if (file === '/seed-client-test/seed.js') {
          return route.fulfill({ status: 200, contentType: 'text/javascript', body: script });
        }
        return route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'Content-Security-Policy': CSP },
          body: '<!doctype html><title>seed client</title><script src="/seed-client-test/seed.js"></script>',
        });
      });
      await page.goto(`${baseURL}/seed-client-test/`);
      assert.equal(await page.evaluate(() => Object.keys(window.seedClient).sort().join(',')), 'getProfile,login,logout');
    });

    it('get a 401 for the profile before logging in', async () => {
      assert.deepEqual(await call(page, 'getProfile'),
        { status: 401, data: { msg: 'Missing cookie "access_token_cookie"' } });
    });

    it('get a 401 and {"login":false} for a wrong password', async () => {
      assert.deepEqual(await call(page, 'login', DEMO.email, 'not-the-password'),
        { status: 401, data: { login: false } });
    });

    it('log in, read the profile and log out', async () => {
      assert.deepEqual(await call(page, 'login', DEMO.email, DEMO.password), { data: { login: true } });
      assert.deepEqual(await call(page, 'getProfile'), { data: { email: DEMO.email, groups: [], name: DEMO.name } });
      assert.deepEqual(await call(page, 'logout'), { data: { logout: true } });
      assert.deepEqual(await call(page, 'getProfile'),
        { status: 401, data: { msg: 'Missing cookie "access_token_cookie"' } });
      assert.equal(await page.evaluate(() => document.cookie), '');
      assertClean(page);
    });
  });
}
