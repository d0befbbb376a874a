'use strict';
// The whole life of a session, as a person goes through it in the browser.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, cookieMap, eventually, expectPage, expectProfile,
  fillLogin, logIn, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');

for (const kind of serverKinds()) {
  describe(`login flow [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('shows the login page at /', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      const response = await page.goto(`${baseURL}/`);
      assert.equal(response.status(), 200);
      await expectPage(page, '/', 'Log in');
      assert.equal(await page.title(), 'Log in – latchkey');
      assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('type'), 'email');
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).isEnabled(), true);
      assertClean(page);
    });

    it('checks the fields before sending anything', async () => {
      const sent = [];
      const onRequest = (request) => { if (request.url().includes('/api/login')) sent.push(request.url()); };
      page.on('request', onRequest);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#email-error')), 'Enter your email address.'));
      assert.equal(await text(page.locator('#password-error')), 'Enter your password.');
      assert.equal(await activeElementId(page), 'email');
      const email = page.getByLabel('Email', { exact: true });
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.equal(await email.getAttribute('aria-describedby'), 'email-error');

      await fillLogin(page, 'not-an-email', 'whatever');
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#email-error')),
        'Enter an email address like name@example.com.'));
      assert.equal(await page.locator('#password-error').count(), 0);
      assert.equal(await activeElementId(page), 'email');
      page.off('request', onRequest);
      assert.deepEqual(sent, []);
    });

    it('says so when the password is wrong, with the button disabled while waiting', async () => {
      const { baseURL } = server();
      // Hold the real request until the in-flight state has been looked at.
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      let routed;
      const reached = new Promise((resolve) => { routed = resolve; });
      await page.route(`${baseURL}/api/login`, async (route) => {
        routed();
        await held;
        await route.continue();
      });
      await fillLogin(page, DEMO.email, 'wrong-password');
      const answer = page.waitForResponse(`${baseURL}/api/login`);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await reached;
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).isDisabled(), true);
      assert.equal(await text(page.locator('form .progress')), 'Logging in…');
      release();
      const response = await answer;
      await page.unroute(`${baseURL}/api/login`);
      assert.equal(response.status(), 401);
      assert.deepEqual(await response.json(), { login: false });
      await eventually(async () => assert.equal(await text(page.locator('#form-error')), 'Wrong email or password.'));
      assert.equal(await page.locator('#form-error').getAttribute('role'), 'alert');
      // Ready to try again: the password field is empty and has the focus.
      assert.equal(await activeElementId(page), 'password');
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).isEnabled(), true);
      await expectPage(page, '/', 'Log in');
      assertClean(page);
    });

    it('logs in with the keyboard alone and shows the demo user', async () => {
      await page.getByLabel('Email', { exact: true }).fill('');
      await page.getByLabel('Password', { exact: true }).fill('');
      await page.locator('h1').focus();
      await page.keyboard.press('Tab');
      assert.equal(await activeElementId(page), 'email');
      await page.keyboard.type(DEMO.email);
      await page.keyboard.press('Tab');
      assert.equal(await activeElementId(page), 'password');
      await page.keyboard.type(DEMO.password);
      await page.keyboard.press('Enter');
      await expectProfile(page);
      // The new page's heading has the focus, as after a page load.
      assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
      assert.equal(await page.locator('#form-error').count(), 0);
      assertClean(page);
    });

    it('keeps the session over a reload', async () => {
      const response = await page.reload();
      assert.equal(response.status(), 200);
      await expectProfile(page);
      assertClean(page);
    });

    it('opens /profile from a deep link and sends / and /login to the profile', async () => {
      const { baseURL } = server();
      const other = await newPage(page.context());
      const response = await other.goto(`${baseURL}/profile`);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'], /^text\/html/);
      await expectProfile(other);
      await other.goto(`${baseURL}/login`);
      await expectProfile(other);
      await other.goto(`${baseURL}/`);
      await expectProfile(other);
      assertClean(other);
      await other.close();
    });

    it('changes the name, sending the CSRF cookie back in X-CSRF-TOKEN', async () => {
      const { baseURL } = server();
      assert.equal(await page.getByLabel('New name', { exact: true }).inputValue(), DEMO.name);
      await page.getByLabel('New name', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#name-error')), 'Enter a name.'));
      assert.equal(await activeElementId(page), 'name');
      assert.equal(await page.getByLabel('New name', { exact: true }).getAttribute('aria-invalid'), 'true');

      const csrf = (await cookieMap(page.context(), baseURL)).csrf_access_token.value;
      const patch = page.waitForRequest((request) => request.method() === 'PATCH');
      await page.getByLabel('New name', { exact: true }).fill('  Jane Roe ');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      const request = await patch;
      assert.equal(request.url(), `${baseURL}/api/profile`);
      assert.equal(request.headers()['x-csrf-token'], csrf);
      assert.deepEqual(request.postDataJSON(), { name: 'Jane Roe' });
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'Jane Roe'));
      assert.equal(await text(page.locator('.name-form .progress')), 'Name saved.');
      assert.equal(await page.locator('#name-error').count(), 0);
      await page.reload();
      await expectProfile(page, { email: DEMO.email, name: 'Jane Roe' });

      await page.getByLabel('New name', { exact: true }).fill(DEMO.name);
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      assertClean(page);
    });

    it('logs out, and the profile is no longer reachable', async () => {
      const { baseURL } = server();
      const answer = page.waitForResponse(`${baseURL}/api/logout`);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      const response = await answer;
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), { logout: true });
      await expectPage(page, '/login', 'Log in');
      assert.equal(await text(page.locator('#notice')), 'You have logged out.');
      assert.deepEqual(Object.keys(await cookieMap(page.context(), baseURL)), []);

      await page.goto(`${baseURL}/profile`);
      await expectPage(page, '/login', 'Log in');
      assert.equal(await text(page.locator('#notice')), 'Please log in to see your profile.');
      const api = await page.context().request.get(`${baseURL}/api/profile`);
      assert.equal(api.status(), 401);
      assert.deepEqual(await api.json(), { msg: 'Missing cookie "access_token_cookie"' });
      assertClean(page);
    });

    it('returns to the login page with a message when the session ends', async () => {
      const { baseURL } = server();
      await logInFromStart(page, baseURL);
      await page.context().clearCookies();
      await page.getByLabel('New name', { exact: true }).fill('Nobody');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      assert.equal(await text(page.locator('#notice')), 'Your session has ended. Please log in again.');
      assert.equal(await page.locator('#notice').getAttribute('role'), 'alert');
      assertClean(page);
    });

    it('says so when the server cannot be reached', async () => {
      const { baseURL } = server();
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      await server.stop();
      await logIn(page);
      await eventually(async () => assert.equal(await text(page.locator('#form-error')),
        'Cannot reach the server. Check your connection and try again.'));
      assert.equal(await activeElementId(page), 'form-error');
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).isEnabled(), true);
      assertClean(page);
    });
  });
}
