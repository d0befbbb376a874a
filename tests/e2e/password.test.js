'use strict';
// The profile page's "Change password" form: field checks, a wrong current
// password, a password the server refuses, success (the session goes on
// with new cookies), the old password refused at login afterwards, and 429
// once the guesses are throttled. On a server of its own: it changes the
// demo user's password and ends up throttling the account.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, cookieMap, eventually, expectPage, expectProfile, logIn, logInFromStart,
  newPage, text, useBrowser,
} = require('./lib/page.js');

const NEW_PASSWORD = 'brand-new-pass-1';

// `confirm` is what goes in "Confirm new password": the new one unless told.
async function changePassword(page, current, next, confirm = next) {
  await page.getByLabel('Current password', { exact: true }).fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Confirm new password', { exact: true }).fill(confirm);
  await page.getByRole('button', { name: 'Change password', exact: true }).click();
}

async function expectFieldError(page, inputId, message) {
  const input = page.locator(`#${inputId}`);
  await eventually(async () => {
    assert.equal(await text(page.locator(`#${inputId}-error`)), message);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.match(await input.getAttribute('aria-describedby'), new RegExp(`\\b${inputId}-error\\b`));
    assert.equal(await activeElementId(page), inputId);
  });
}

for (const kind of serverKinds()) {
  describe(`changing the password [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('has a labelled form on the profile page', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await logInFromStart(page, baseURL);
      const form = page.getByRole('form', { name: 'Change password' });
      assert.equal(await form.count(), 1);
      const current = page.getByLabel('Current password', { exact: true });
      const next = page.getByLabel('New password', { exact: true });
      assert.equal(await current.getAttribute('type'), 'password');
      assert.equal(await current.getAttribute('autocomplete'), 'current-password');
      assert.equal(await next.getAttribute('type'), 'password');
      assert.equal(await next.getAttribute('autocomplete'), 'new-password');
      assert.equal(await next.getAttribute('aria-describedby'), 'new-password-hint');
      assert.equal(await text(page.locator('#new-password-hint')), 'At least 8 characters.');
      // The account name for password managers is there, but not shown.
      const username = page.locator('input[autocomplete="username"]');
      assert.equal(await username.inputValue(), DEMO.email);
      assert.equal(await username.isVisible(), false);
    });

    it('checks the fields before sending anything', async () => {
      const requests = [];
      const listener = (request) => { if (request.url().endsWith('/api/password')) requests.push(request); };
      page.on('request', listener);
      await changePassword(page, '', '');
      await expectFieldError(page, 'current-password', 'Enter your current password.');
      assert.equal(await text(page.locator('#new-password-error')), 'Enter a new password.');
      await changePassword(page, DEMO.password, 'short');
      await expectFieldError(page, 'new-password', 'The new password must have at least 8 characters.');
      assert.equal(await page.locator('#current-password-error').count(), 0);
      page.off('request', listener);
      assert.equal(requests.length, 0);
    });

    it('says so when the current password is wrong, and keeps the session', async () => {
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/password'));
      await changePassword(page, 'not-my-password', NEW_PASSWORD);
      const response = await answer;
      assert.equal(response.status(), 401);
      assert.deepEqual(await response.json(), { msg: 'Current password is incorrect' });
      await expectFieldError(page, 'current-password', 'Your current password is not correct.');
      await expectProfile(page);
      assert.equal(await page.locator('#notice').count(), 0);
    });

    it('shows the server\'s reason for refusing a new password', async () => {
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/password'));
      await changePassword(page, DEMO.password, 'Password123');
      assert.equal((await answer).status(), 400);
      await expectFieldError(page, 'new-password', 'The password is too common.');
    });

    it('changes the password and keeps this session with new cookies', async () => {
      const { baseURL } = server();
      const before = await cookieMap(page.context(), baseURL);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/password'));
      await changePassword(page, DEMO.password, NEW_PASSWORD);
      const response = await answer;
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), { password: true });
      assert.equal(await response.request().headerValue('x-csrf-token'), before.csrf_access_token.value);
      await eventually(async () => assert.equal(await text(page.locator('#password-status')),
        'Password changed. Your other sessions have been logged out.'));
      assert.equal(await page.getByLabel('Current password', { exact: true }).inputValue(), '');
      assert.equal(await page.getByLabel('New password', { exact: true }).inputValue(), '');
      assert.equal(await page.getByLabel('Confirm new password', { exact: true }).inputValue(), '');
      assert.equal(await page.locator('#current-password-error').count(), 0);
      const after = await cookieMap(page.context(), baseURL);
      assert.notEqual(after.access_token_cookie.value, before.access_token_cookie.value);
      await page.reload();
      await expectProfile(page);
      assertClean(page);
    });

    it('refuses the old password at login and takes the new one', async () => {
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      await logIn(page, DEMO.email, DEMO.password);
      await eventually(async () => assert.equal(await text(page.locator('#form-error')), 'Wrong email or password.'));
      await logIn(page, DEMO.email, NEW_PASSWORD);
      await expectProfile(page);
      assertClean(page);
    });

    it('says how long to wait once wrong current passwords are throttled', async () => {
      let throttled = null;
      for (let attempt = 1; attempt <= 30 && !throttled; attempt += 1) {
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/password'));
        await changePassword(page, `wrong-${attempt}`, NEW_PASSWORD + attempt);
        const response = await answer;
        if (response.status() === 429) throttled = response;
        else assert.equal(response.status(), 401, `attempt ${attempt}`);
        await eventually(async () => assert.equal(
          await page.getByRole('button', { name: 'Change password', exact: true }).isEnabled(), true));
      }
      assert.ok(throttled, 'no 429 after 30 wrong current passwords');
      const seconds = Number(await throttled.headerValue('retry-after'));
      assert.ok(seconds > 0);
      const expected = seconds < 120
        ? `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`
        : `Too many attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`;
      await eventually(async () => assert.equal(await text(page.locator('#password-form-error')), expected));
      assert.equal(await activeElementId(page), 'password-form-error');
      // Still logged in.
      await expectProfile(page);
      assertClean(page);
    });
  });
}
