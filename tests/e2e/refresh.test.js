'use strict';
// Silent refresh: with access tokens that live 2 seconds, an expired one is
// renewed through POST /api/refresh once and the request retried; two tabs
// renewing at the same moment do not trip reuse detection; after a logout a
// tab that kept the old cookies cannot renew, and ends on the login page.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, cookieMap, eventually, expectPage, expectProfile, logInFromStart, newPage, sleep,
  text, useBrowser,
} = require('./lib/page.js');

// exp = iat + 2 in whole seconds, no leeway: 3 s from login is always past it.
const SHORT = 'access_token_expires = 2s\n';
const PAST_SHORT = 3100;

const sql = (db, query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
const revokedRefreshTokens = (db) => sql(db, 'SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = t.family WHERE s.revoked = 1');

// Records every answer from the API to `target` (a page or a whole
// context) but GET /api/settings: method, path, status, the X-CSRF-TOKEN the
// request carried, and the body. `settled()` waits for the bodies; `clear()` starts over.
// What the profile page's sections load once the profile is shown (the
// passkeys twice: the Passkeys section's list and the password form's
// passkeys to keep): kept apart, so that the session's own requests stay
// in order, and each checked to come after the renewal (200, never a
// second refresh).
const SECTIONS = new Set(['/api/mfa', '/api/webauthn/credentials', '/api/sessions']);

function recordApi(target, baseURL) {
  let entries = [];
  let sections = [];
  target.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin !== baseURL || !url.pathname.startsWith('/api/')) return;
    // The app's start-up look at the server's limits is public and no part
    // of a session.
    if (url.pathname === '/api/settings') return;
    const request = response.request();
    if (SECTIONS.has(url.pathname)) {
      sections.push(`${request.method()} ${url.pathname} ${response.status()}`);
      return;
    }
    entries.push({
      line: `${request.method()} ${url.pathname} ${response.status()}`,
      path: url.pathname,
      status: response.status(),
      csrf: request.headers()['x-csrf-token'] ?? null,
      body: response.text().catch(() => ''),
    });
  });
  return {
    clear() { entries = []; sections = []; },
    sections() { return sections; },
    async settled() {
      for (const entry of entries) entry.body = await entry.body;
      return entries;
    },
    lines() { return entries.map((entry) => entry.line); },
  };
}

const msgOf = (entry) => JSON.parse(entry.body).msg;

for (const kind of serverKinds()) {
  describe(`silent refresh of an expired access token [${kind}]`, () => {
    const server = useServer(kind, { config: SHORT });
    const browser = useBrowser();
    let page;
    let api;

    it('renews the session once and shows the profile on reload', async () => {
      const { baseURL, db } = server();
      const context = await browser();
      page = await newPage(context);
      api = recordApi(page, baseURL);
      await logInFromStart(page, baseURL);
      const before = await cookieMap(context, baseURL);
      await sleep(PAST_SHORT);
      api.clear();
      await page.reload();
      await expectProfile(page);
      await eventually(() => assert.equal(api.lines().length, 3));
      const entries = await api.settled();
      assert.deepEqual(entries.map((e) => e.line),
        ['GET /api/profile 401', 'POST /api/refresh 200', 'GET /api/profile 200']);
      await eventually(() => assert.deepEqual([...api.sections()].sort(),
        ['GET /api/mfa 200', 'GET /api/sessions 200', 'GET /api/webauthn/credentials 200',
          'GET /api/webauthn/credentials 200']));
      assert.equal(msgOf(entries[0]), 'Token has expired');
      assert.equal(entries[1].body.trim(), '{"refresh":true}');
      // The refresh carries the refresh token's own CSRF token.
      assert.equal(entries[1].csrf, before.csrf_refresh_token.value);
      const after = await cookieMap(context, baseURL);
      assert.notEqual(after.csrf_refresh_token.value, before.csrf_refresh_token.value);
      assert.notEqual(after.csrf_access_token.value, before.csrf_access_token.value);
      assert.notEqual(after.access_token_cookie.value, before.access_token_cookie.value);
      assert.equal(await page.locator('#notice').count(), 0);
      assert.equal(revokedRefreshTokens(db), '0');
      assertClean(page);
    });

    it('retries a name change with the new session\'s CSRF token', async () => {
      const { baseURL } = server();
      const context = page.context();
      const before = await cookieMap(context, baseURL);
      await sleep(PAST_SHORT);
      api.clear();
      await page.getByLabel('New name', { exact: true }).fill('Refreshed Name');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'Refreshed Name'));
      await eventually(() => assert.equal(api.lines().length, 3));
      const entries = await api.settled();
      assert.deepEqual(entries.map((e) => e.line),
        ['PATCH /api/profile 401', 'POST /api/refresh 200', 'PATCH /api/profile 200']);
      assert.equal(msgOf(entries[0]), 'Token has expired');
      const after = await cookieMap(context, baseURL);
      assert.equal(entries[0].csrf, before.csrf_access_token.value);
      assert.equal(entries[1].csrf, before.csrf_refresh_token.value);
      assert.equal(entries[2].csrf, after.csrf_access_token.value);
      assert.notEqual(entries[2].csrf, entries[0].csrf);
      // Back to the demo name, for the tests that follow.
      await page.getByLabel('New name', { exact: true }).fill(DEMO.name);
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      assertClean(page);
    });

    it('renews once for two tabs loading at the same moment, and revokes nothing', async () => {
      const { baseURL, db } = server();
      const context = page.context();
      const second = await newPage(context);
      await second.goto(`${baseURL}/profile`);
      await expectProfile(second);
      const both = recordApi(context, baseURL);
      await sleep(PAST_SHORT);
      await Promise.all([page.reload(), second.reload()]);
      await Promise.all([expectProfile(page), expectProfile(second)]);
      const entries = await both.settled();
      const refreshes = entries.filter((e) => e.path === '/api/refresh');
      // Web Locks: the second tab waits, sees the cookies already renewed,
      // and only retries.
      assert.deepEqual(refreshes.map((e) => e.line), ['POST /api/refresh 200']);
      assert.equal(entries.filter((e) => e.line === 'GET /api/profile 200').length, 2);
      assert.equal(revokedRefreshTokens(db), '0');
      // And the session goes on in both.
      await Promise.all([page.reload(), second.reload()]);
      await Promise.all([expectProfile(page), expectProfile(second)]);
      assertClean(page);
      assertClean(second);
      await second.close();
    });

    it('survives two tabs renewing together without Web Locks (the server\'s grace)', async () => {
      const { baseURL, db } = server();
      const context = page.context();
      const tabs = [];
      for (let i = 0; i < 2; i += 1) {
        const tab = await newPage(context);
        await tab.addInitScript(() => {
          Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });
        });
        await tab.goto(`${baseURL}/profile`);
        await expectProfile(tab);
        assert.equal(await tab.evaluate(() => navigator.locks), undefined);
        tabs.push(tab);
      }
      const both = recordApi(context, baseURL);
      await sleep(PAST_SHORT);
      await Promise.all(tabs.map((tab) => tab.reload()));
      await Promise.all(tabs.map((tab) => expectProfile(tab)));
      const entries = await both.settled();
      const refreshes = entries.filter((e) => e.path === '/api/refresh');
      assert.ok(refreshes.length >= 1 && refreshes.length <= 2, refreshes.map((e) => e.line).join(', '));
      assert.ok(refreshes.some((e) => e.status === 200));
      // Both tabs send the same refresh token: the second is let through by
      // the server's grace (200), unless the first tab's new cookies arrived
      // between the second tab reading the CSRF cookie and the browser
      // sending its request. Then the double-submit check refuses it, and
      // the client, seeing the cookies renewed meanwhile, just retries.
      for (const refresh of refreshes) {
        if (refresh.status !== 200) assert.deepEqual(JSON.parse(refresh.body), { msg: 'CSRF double submit tokens do not match' });
      }
      assert.equal(revokedRefreshTokens(db), '0');
      await Promise.all(tabs.map((tab) => tab.reload()));
      await Promise.all(tabs.map((tab) => expectProfile(tab)));
      for (const tab of tabs) {
        assertClean(tab);
        await tab.close();
      }
    });
  });

  // Longer-lived access tokens here, so that the logout certainly comes
  // while its access token is still valid (the server revokes the session
  // from it) and expires only afterwards.
  describe(`no refresh after logging out in another tab [${kind}]`, () => {
    const LIFETIME = 5;
    const server = useServer(kind, { config: `access_token_expires = ${LIFETIME}s\n` });
    const browser = useBrowser();

    it('sends the other tab to the login page, and a kept copy of the cookies cannot refresh', async () => {
      const { baseURL, db } = server();
      const context = await browser();
      const first = await newPage(context);
      await logInFromStart(first, baseURL);
      // The second tab does not hear the logout (no BroadcastChannel there,
      // and the first tab announces over BroadcastChannel only).
      const second = await newPage(context);
      await second.addInitScript(() => { delete window.BroadcastChannel; });
      await second.goto(`${baseURL}/profile`);
      await expectProfile(second);
      const copy = await context.cookies();
      assert.deepEqual(copy.map((c) => c.name).sort(),
        ['access_token_cookie', 'csrf_access_token', 'csrf_refresh_token', 'refresh_token_cookie']);
      const api = recordApi(second, baseURL);

      await first.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(first, '/login', 'Log in');
      assert.notEqual(revokedRefreshTokens(db), '0');
      // The second tab still shows the profile; its next request finds no
      // session (the cookies went with the logout) and nothing to refresh.
      await expectProfile(second);
      await second.getByLabel('New name', { exact: true }).fill('After Logout');
      await second.getByRole('button', { name: 'Save name', exact: true }).click();
      await expectPage(second, '/login', 'Log in');
      assert.equal(await text(second.locator('#notice')), 'Your session has ended. Please log in again.');
      let entries = await api.settled();
      assert.deepEqual(entries.map((e) => e.line), ['PATCH /api/profile 401']);

      // A copy of the cookies kept from before the logout: once its access
      // token has expired, the refresh is refused as revoked.
      await sleep(LIFETIME * 1000 + 1100);
      await context.addCookies(copy);
      api.clear();
      await second.goto(`${baseURL}/profile`);
      await expectPage(second, '/login', 'Log in');
      assert.equal(await text(second.locator('#notice')), 'Your session has ended. Please log in again.');
      await eventually(() => assert.equal(api.lines().length, 2));
      entries = await api.settled();
      assert.deepEqual(entries.map((e) => e.line), ['GET /api/profile 401', 'POST /api/refresh 401']);
      assert.equal(msgOf(entries[0]), 'Token has expired');
      assert.equal(msgOf(entries[1]), 'Token has been revoked');
      assertClean(first);
      assertClean(second);
    });
  });
}
