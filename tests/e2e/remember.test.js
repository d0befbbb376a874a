'use strict';
// "Keep me signed in": a checkbox on the login page, off by default. The
// login request's body is exactly the seed's {"email", "password"} unless
// it is ticked, then it carries "remember": true as well, and the server's
// cookies outlive the browser (an expiry date) instead of ending with it.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, expectPage, expectProfile, logIn, newPage, useBrowser,
} = require('./lib/page.js');

// The expiry of each of the session's cookies the browser holds: -1 for a
// cookie that ends with the browser, else seconds since the epoch.
async function cookieExpiries(page) {
  const out = {};
  for (const c of await page.context().cookies()) out[c.name] = c.expires;
  return out;
}

const SESSION_COOKIES = ['access_token_cookie', 'csrf_access_token', 'refresh_token_cookie', 'csrf_refresh_token'];

async function loginBody(page, baseURL, act) {
  const request = page.waitForRequest((r) => r.url() === `${baseURL}/api/login` && r.method() === 'POST');
  await act();
  const sent = await request;
  assert.equal(sent.headers()['content-type'], 'application/json');
  return sent.postData();
}

for (const kind of serverKinds()) {
  describe(`"Keep me signed in" [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('is a labelled checkbox, unchecked by default', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/login`);
      await expectPage(page, '/login', 'Log in');
      const box = page.getByRole('checkbox', { name: 'Keep me signed in', exact: true });
      assert.equal(await box.count(), 1);
      assert.equal(await box.isChecked(), false);
      // The label ticks it, as does Space.
      await page.getByText('Keep me signed in', { exact: true }).click();
      assert.equal(await box.isChecked(), true);
      await box.focus();
      await page.keyboard.press('Space');
      assert.equal(await box.isChecked(), false);
      assertClean(page);
    });

    it('sends exactly {"email","password"} when it is not ticked', async () => {
      const { baseURL } = server();
      const body = await loginBody(page, baseURL, () => logIn(page));
      assert.equal(body, JSON.stringify({ email: DEMO.email, password: DEMO.password }));
      await expectProfile(page);
      const expiries = await cookieExpiries(page);
      for (const name of SESSION_COOKIES) assert.equal(expiries[name], -1, name);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
    });

    it('adds "remember": true when it is ticked', async () => {
      const { baseURL } = server();
      await page.getByRole('checkbox', { name: 'Keep me signed in', exact: true }).check();
      const body = await loginBody(page, baseURL, () => logIn(page));
      assert.equal(body, JSON.stringify({ email: DEMO.email, password: DEMO.password, remember: true }));
      await expectProfile(page);
      const now = Date.now() / 1000;
      const expiries = await cookieExpiries(page);
      for (const name of SESSION_COOKIES) assert.ok(expiries[name] > now + 60, `${name}: ${expiries[name]}`);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
    });

    it('sends the seed\'s body again once it is unticked', async () => {
      const { baseURL } = server();
      const box = page.getByRole('checkbox', { name: 'Keep me signed in', exact: true });
      // A fresh login page: unchecked again.
      assert.equal(await box.isChecked(), false);
      await box.check();
      await box.uncheck();
      const body = await loginBody(page, baseURL, () => logIn(page, DEMO.email, 'wrong-password'));
      assert.equal(body, JSON.stringify({ email: DEMO.email, password: 'wrong-password' }));
      assertClean(page);
    });
  });
}
