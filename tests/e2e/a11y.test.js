'use strict';
// axe-core on every page and state, light and dark: the login page (plain,
// with field errors, with a server's error, password shown, Caps Lock
// hint), the profile (plain, with the password form's field errors and its
// error box, after a name saved), the not-found page. Zero violations.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { assertNoViolations } = require('./lib/axe.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, logIn, newPage, text, useBrowser,
} = require('./lib/page.js');

const fail500 = { status: 500, contentType: 'application/json', body: '{"msg":"Internal error"}' };

for (const kind of serverKinds({ rendering: true })) {
  for (const scheme of ['light', 'dark']) {
    describe(`axe-core, ${scheme} theme [${kind}]`, () => {
      const server = useServer(kind);
      const browser = useBrowser({ colorScheme: scheme });
      let page;

      it('finds nothing on the login page, plain and with field errors', async () => {
        const { baseURL } = server();
        page = await newPage(await browser());
        await page.goto(`${baseURL}/login`);
        await expectPage(page, '/login', 'Log in');
        assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), scheme === 'dark');
        await assertNoViolations(page, 'the login page');
        await page.getByRole('button', { name: 'Log in', exact: true }).click();
        await page.locator('#email-error').waitFor();
        await assertNoViolations(page, 'the login page with field errors');
        assertClean(page);
      });

      it('finds nothing on the login page with the server\'s errors, the password shown, Caps Lock on', async () => {
        const { baseURL } = server();
        await logIn(page, DEMO.email, 'wrong-password');
        await eventually(async () => assert.equal(await text(page.locator('#form-error')), 'Wrong email or password.'));
        await assertNoViolations(page, 'the login page after a wrong password');
        await page.route(`${baseURL}/api/login`, (route) => route.abort('connectionrefused'));
        await logIn(page);
        await eventually(async () => assert.match(await text(page.locator('#form-error')), /^Cannot reach the server/));
        await page.unroute(`${baseURL}/api/login`);
        await assertNoViolations(page, 'the login page with the server unreachable');
        await page.getByRole('button', { name: 'Show password', exact: true }).click();
        await page.getByLabel('Password', { exact: true }).focus();
        await page.evaluate(() => document.getElementById('password').dispatchEvent(
          new KeyboardEvent('keydown', { key: 'A', bubbles: true, modifierCapsLock: true })));
        await eventually(async () => assert.equal(await text(page.locator('#password-caps')), 'Caps Lock is on'));
        await assertNoViolations(page, 'the login page with the password shown and Caps Lock on');
        assertClean(page);
      });

      it('finds nothing on the profile page, plain and after a name saved', async () => {
        await page.getByRole('button', { name: 'Hide password', exact: true }).click();
        await logIn(page);
        await expectProfile(page);
        await assertNoViolations(page, 'the profile page');
        await page.getByRole('button', { name: 'Save name', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#name-status')), 'Name saved.'));
        await assertNoViolations(page, 'the profile page after a name saved');
      });

      it('finds nothing on the profile page with the password form\'s errors', async () => {
        const { baseURL } = server();
        await page.getByLabel('New name', { exact: true }).fill('');
        await page.getByRole('button', { name: 'Save name', exact: true }).click();
        await page.locator('#name-error').waitFor();
        await assertNoViolations(page, 'the profile page with the name\'s error');
        await page.getByRole('button', { name: 'Change password', exact: true }).click();
        await page.locator('#current-password-error').waitFor();
        await assertNoViolations(page, 'the profile page with the password form\'s field errors');
        await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
        await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-1');
        await page.getByLabel('Confirm new password', { exact: true }).fill('brand-new-pass-2');
        await page.getByRole('button', { name: 'Change password', exact: true }).click();
        await page.locator('#confirm-password-error').waitFor();
        await assertNoViolations(page, 'the profile page with the confirmation refused');
        await page.route(`${baseURL}/api/password`, (route) => route.fulfill(fail500));
        await page.getByLabel('Confirm new password', { exact: true }).fill('brand-new-pass-1');
        await page.getByRole('button', { name: 'Change password', exact: true }).click();
        await page.locator('#password-form-error').waitFor();
        await page.unroute(`${baseURL}/api/password`);
        await assertNoViolations(page, 'the profile page with the password form\'s error box');
        assertClean(page);
      });

      it('finds nothing on the not-found page, or on the login page after logging out', async () => {
        const { baseURL } = server();
        await page.getByRole('button', { name: 'Log out', exact: true }).click();
        await expectPage(page, '/login', 'Log in');
        await page.locator('#notice').waitFor();
        await assertNoViolations(page, 'the login page with a notice');
        await page.goto(`${baseURL}/no/such/page`);
        await expectPage(page, '/no/such/page', 'Page not found');
        await assertNoViolations(page, 'the not-found page');
        assertClean(page);
      });
    });
  }
}
