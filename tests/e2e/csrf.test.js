'use strict';
// Cross-site request forgery from a page on another origin: whatever it
// submits, the user stays logged in with the same cookies and the same name.
const assert = require('node:assert/strict');
const { describe, it, after } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { startAttacker } = require('./lib/attacker.js');
const {
  DEMO, assertClean, cookieMap, eventually, expectProfile, logInFromStart, newPage, useBrowser,
} = require('./lib/page.js');

// Statuses a refusal may have: 415 for a body that is not JSON, 403 for a
// foreign Origin, 405 for a method the endpoint does not take.
const FORM_ATTACKS = [
  { path: '/logout-text-plain', api: '/api/logout', refusals: [403, 415] },
  { path: '/logout-urlencoded', api: '/api/logout', refusals: [403, 415] },
  { path: '/login-urlencoded', api: '/api/login', refusals: [403, 415] },
  { path: '/login-text-plain', api: '/api/login', refusals: [403, 415] },
  { path: '/profile-text-plain', api: '/api/profile', refusals: [403, 405, 415] },
  { path: '/profile-method-override', api: '/api/profile', refusals: [403, 405, 415] },
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
      const jar = await cookieMap(app.context(), server().baseURL);
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
      const jar = await cookieMap(app.context(), baseURL);
      const values = Object.fromEntries(Object.entries(jar).map(([name, cookie]) => [name, cookie.value]));
      assert.deepEqual(values, cookiesBefore, 'the cookies changed');
      const profile = await app.context().request.get(`${baseURL}/api/profile`);
      assert.equal(profile.status(), 200);
      assert.deepEqual(await profile.json(), { email: DEMO.email, name: DEMO.name });
      await app.reload();
      await expectProfile(app);
      assertClean(app);
    }

    it('logs the user in and opens the attacker\'s site', async () => {
      const { baseURL } = server();
      app = await newPage(await browser());
      await logInFromStart(app, baseURL);
      await recordCookies();
      assert.deepEqual(Object.keys(cookiesBefore).sort(), ['access_token_cookie', 'csrf_access_token']);
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
        assert.ok(attack.refusals.includes(response.status()),
          `${attack.api} answered ${response.status()}, not one of ${attack.refusals.join(', ')}`);
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
