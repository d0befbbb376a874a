'use strict';
// Contrast in the light theme and in the dark one (prefers-color-scheme:
// dark), measured on the colours the browser computed: input borders and
// button edges 3:1 against what surrounds them, the focus ring 3:1 on every
// control reached with Tab (and on the heading and the error box that take
// the focus), all text 4.5:1 (3:1 when large), in each state of the pages.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { assertContrast, measure, pageLuminance } = require('./lib/contrast.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, fillLogin, holdRequests, newPage, text,
  useBrowser,
} = require('./lib/page.js');

// Tabs through the page from its start and checks the focus ring of each
// control reached, until the focus comes round again. Returns how many.
async function checkFocusRings(page, context) {
  // From the heading, the start of the page's content.
  await page.locator('h1').focus();
  const seen = new Set();
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const key = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const controls = el.getAttribute('aria-controls');
      return `${el.tagName}#${el.id}:${el.textContent.trim().slice(0, 20)}${controls ? ` for ${controls}` : ''}`;
    });
    if (key === null || seen.has(key)) break;
    seen.add(key);
    assertContrast(await measure(page, 'focus'), `${context}, ${key}`);
  }
  return [...seen];
}

// The server by name: at http://localhost the app offers passkeys (at an
// IP address it does not), so their buttons are measured too.
const byName = (baseURL) => baseURL.replace('//127.0.0.1:', '//localhost:');

async function checkAll(page, context) {
  assertContrast(await measure(page, 'controls'), `${context}: controls`);
  assertContrast(await measure(page, 'text'), `${context}: text`);
}

for (const kind of serverKinds({ rendering: true })) {
  for (const scheme of ['light', 'dark']) {
    describe(`contrast, ${scheme} theme [${kind}]`, () => {
      // A site that sends mail: the login page offers "Forgot password?".
      const server = useServer(kind, { config: 'mail_from = noreply@example.com\n' +
        'site_url = https://login.example.com\nmail_command = /bin/true\n' });
      const browser = useBrowser({ colorScheme: scheme });
      let page;

      it(`paints the page in the ${scheme} theme`, async () => {
        const baseURL = byName(server().baseURL);
        page = await newPage(await browser());
        await page.goto(`${baseURL}/`);
        await expectPage(page, '/', 'Log in');
        const luminance = await pageLuminance(page);
        if (scheme === 'dark') assert.ok(luminance < 0.05, `the page is not dark: luminance ${luminance}`);
        else assert.ok(luminance > 0.7, `the page is not light: luminance ${luminance}`);
        // The fields follow the theme too, not only the page.
        const field = await page.evaluate(() => getComputedStyle(document.getElementById('email')).backgroundColor);
        assert.equal(field, scheme === 'dark' ? 'rgb(31, 41, 55)' : 'rgb(255, 255, 255)');
        assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), scheme);
      });

      it('has 3:1 borders and readable text on the login page, plain and with errors', async () => {
        await checkAll(page, 'login page');
        await page.getByRole('button', { name: 'Log in', exact: true }).click();
        await page.locator('#email-error').waitFor();
        assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid'), 'true');
        await checkAll(page, 'login page with field errors');
        await page.getByRole('button', { name: 'Show password', exact: true }).click();
        await checkAll(page, 'login page with the password shown');
        await page.getByRole('button', { name: 'Hide password', exact: true }).click();
        assertClean(page);
      });

      it('has a 3:1 focus ring on every control of the login page', async () => {
        // email, password, show password, keep me signed in, log in, forgot password, passkey
        assert.deepEqual(await checkFocusRings(page, 'login page'), [
          'INPUT#email:', 'INPUT#password:', 'BUTTON#:Show password for password', 'INPUT#remember:', 'BUTTON#:Log in',
          'A#:Forgot password?', 'BUTTON#:Sign in with a passk',
        ]);
      });

      it('keeps the contrast while a button waits, and on an error box that has the focus', async () => {
        const baseURL = byName(server().baseURL);
        const hold = await holdRequests(page, `${baseURL}/api/login`, { fulfil: { status: 503, contentType: 'application/json', body: '{"msg":"Service unavailable"}' } });
        await fillLogin(page, DEMO.email, DEMO.password);
        await page.getByLabel('Password', { exact: true }).press('Enter');
        await hold.reached;
        assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).getAttribute('aria-disabled'), 'true');
        await checkAll(page, 'login page while waiting');
        hold.release();
        await eventually(async () => assert.match(await text(page.locator('#form-error')), /HTTP 503/));
        await hold.stop();
        await checkAll(page, 'login page with a server error');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'form-error');
        assertContrast(await measure(page, 'focus'), 'the focused error box');
      });

      it('has 3:1 borders, focus rings and readable text on the profile page, with the password form\'s errors', async () => {
        await page.getByLabel('Password', { exact: true }).focus();
        await page.keyboard.press('Enter');
        await expectProfile(page);
        // The heading takes the focus after the navigation, and shows it.
        assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
        assertContrast(await measure(page, 'focus'), 'the profile heading');
        // The sections have loaded what they show.
        await page.locator('#totp-state').waitFor();
        await page.locator('#passkeys-none').waitFor();
        await page.locator('#sessions-alone').waitFor();
        await checkAll(page, 'profile page');
        // name, save, 3 × (password, show), change password, two-step
        // verification, passkeys (one session: no button there), log out
        assert.deepEqual(await checkFocusRings(page, 'profile page'), [
          'INPUT#name:', 'BUTTON#:Save name',
          'INPUT#current-password:', 'BUTTON#:Show password for current-password',
          'INPUT#new-password:', 'BUTTON#:Show password for new-password',
          'INPUT#confirm-password:', 'BUTTON#:Show password for confirm-password',
          'BUTTON#:Change password', 'BUTTON#:Set up two-step veri', 'BUTTON#:Add a passkey', 'BUTTON#:Log out',
        ]);
        await page.getByRole('button', { name: 'Change password', exact: true }).click();
        await page.locator('#current-password-error').waitFor();
        await checkAll(page, 'profile page with the password form\'s errors');
        assertClean(page);
      });

      it('has readable text on the not-found page and after logging out', async () => {
        const baseURL = byName(server().baseURL);
        await page.getByRole('button', { name: 'Log out', exact: true }).click();
        await expectPage(page, '/login', 'Log in');
        await page.locator('#notice').waitFor();
        await checkAll(page, 'login page with a notice');
        await page.goto(`${baseURL}/no/such/page`);
        await expectPage(page, '/no/such/page', 'Page not found');
        assertContrast(await measure(page, 'text'), 'not-found page: text');
        assert.deepEqual(await checkFocusRings(page, 'not-found page'), ['A#:Go to the start page']);
        assertClean(page);
      });
    });
  }
}
