'use strict';
// Cross-site request forgery from a page on another origin: whatever it
// submits, the user stays logged in with the same cookies and the same name.
const assert = require('node:assert/strict');
const { describe, it, after } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { startAttacker } = require('./lib/attacker.js');
const {
  DEMO, assertClean, eventually, expectProfile, logInFromStart, newPage, useBrowser,
} = require('./lib/page.js');

// Every one of these forms carries the attacker's Origin, and the server
// refuses a foreign Origin before anything else: 403 {"msg": "Origin not
// allowed"}, no cookie set.
const FORM_ATTACKS = [
  { path: '/logout-text-plain', api: '/api/logout' },
  { path: '/logout-urlencoded', api: '/api/logout' },
  { path: '/login-urlencoded', api: '/api/login' },
  { path: '/login-text-plain', api: '/api/login' },
  { path: '/profile-text-plain', api: '/api/profile' },
  { path: '/profile-method-override', api: '/api/profile' },
  { path: '/refresh-text-plain', api: '/api/refresh' },
  { path: '/password-text-plain', api: '/api/password' },
];

for (const kind of serverKinds()) {
  describe(`forged requests from another origin [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let attacker = null;
    let app;
    let cookiesBefore;

    after(async () => {
      if (attacker) await attacker.stop();
    });

    async function recordCookies() {
      // Every cookie, the refresh token (Path=/api/refresh) included.
      const jar = Object.fromEntries((await app.context().cookies()).map((cookie) => [cookie.name, cookie]));
      cookiesBefore = Object.fromEntries(Object.entries(jar).map(([name, cookie]) => [name, cookie.value]));
    }

    // So that one successful forgery does not make the next test fail too.
    async function startLoggedIn() {
      const { baseURL } = server();
      assert.ok(attacker, 'the attacker site did not start');
      const profile = await app.context().request.get(`${baseURL}/api/profile`);
      if (profile.status() !== 200) {
        await app.context().clearCookies();
        await logInFromStart(app, baseURL);
      }
      await recordCookies();
      const now = await app.context().request.get(`${baseURL}/api/profile`);
      if ((await now.json()).name !== DEMO.name) {
        await app.context().request.patch(`${baseURL}/api/profile`, {
          data: { name: DEMO.name },
          headers: { 'X-CSRF-TOKEN': cookiesBefore.csrf_access_token },
        });
      }
    }

    async function assertNothingChanged() {
      const { baseURL } = server();
      const jar = Object.fromEntries((await app.context().cookies()).map((cookie) => [cookie.name, cookie]));
      const values = Object.fromEntries(Object.entries(jar).map(([name, cookie]) => [name, cookie.value]));
      assert.deepEqual(values, cookiesBefore, 'the cookies changed');
      const profile = await app.context().request.get(`${baseURL}/api/profile`);
      assert.equal(profile.status(), 200);
      assert.deepEqual(await profile.json(), { email: DEMO.email, groups: [], name: DEMO.name });
      await app.reload();
      await expectProfile(app);
      assertClean(app);
    }

    it('logs the user in and opens the attacker\'s site', async () => {
      const { baseURL } = server();
      app = await newPage(await browser());
      await logInFromStart(app, baseURL);
      await recordCookies();
      assert.deepEqual(Object.keys(cookiesBefore).sort(),
        ['access_token_cookie', 'csrf_access_token', 'csrf_refresh_token', 'refresh_token_cookie']);
      attacker = await startAttacker(baseURL);
      assert.notEqual(attacker.origin, baseURL);
    });

    for (const attack of FORM_ATTACKS) {
      it(`refuses a form POST from ${attack.path} to ${attack.api}`, async () => {
        const { baseURL } = server();
        await startLoggedIn();
        const evil = await newPage(app.context());
        const answer = evil.waitForResponse((response) => response.url().startsWith(`${baseURL}${attack.api}`));
        await evil.goto(`${attacker.origin}${attack.path}`);
        const response = await answer;
        assert.equal(response.status(), 403, `${attack.api} answered ${response.status()}`);
        assert.equal(await response.text(), '{"msg":"Origin not allowed"}\n');
        assert.equal(await response.headerValue('set-cookie'), null);
        await evil.close();
        await assertNothingChanged();
      });
    }

    it('refuses a credentialed cross-origin PATCH even with the CSRF token read from the cookie', async () => {
      const { baseURL } = server();
      await startLoggedIn();
      const evil = await newPage(app.context());
      const patches = [];
      evil.on('request', (request) => {
        if (request.url() === `${baseURL}/api/profile` && request.method() === 'PATCH') patches.push(request);
      });
      await evil.goto(`${attacker.origin}/fetch-patch`);
      await eventually(async () => assert.notEqual(await evil.title(), 'waiting'));
      // The attacker did read the token: only CORS stands in the way.
      assert.equal(await evil.title(), 'blocked TypeError with csrf');
      // The browser stopped at the preflight: the PATCH itself got no answer.
      const answers = await Promise.all(patches.map((request) => request.response()));
      assert.deepEqual(answers, patches.map(() => null));
      await evil.close();
      await assertNothingChanged();
    });
  });
}
