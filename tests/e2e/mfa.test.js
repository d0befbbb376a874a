'use strict';
// Two-step verification in the browser: set up from the profile with the
// QR code's key (read from the page) and a code this test computes,
// recovery codes shown once with copy and download, the login's code step
// with a code and with a recovery code, a wrong code said plainly, and
// turning it off. Keyboard only where a person would type.
const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, it } = require('node:test');
const { serverKinds, rendersOn, useServer, repoRoot } = require('./lib/harness.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, logIn, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');
const { assertNoViolations } = require('./lib/axe.js');

const { base32Decode, totp, stepOf } = require(path.join(repoRoot, 'tests', 'lib', 'totp.js'));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits until the current time step has at least 5 seconds left.
async function freshStep() {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < 5) await sleep(left * 1000 + 100);
}

async function logOut(page) {
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expectPage(page, '/login', 'Log in');
}

for (const kind of serverKinds()) {
  for (const scheme of rendersOn(kind) ? ['light', 'dark'] : ['light']) {
    describe(`two-step verification in the browser, ${scheme} theme [${kind}]`, () => {
      const server = useServer(kind);
      const browser = useBrowser({ colorScheme: scheme, permissions: ['clipboard-read', 'clipboard-write'] });
      let page;
      let secret;
      let codes;
      let used;

      it('sets it up from the profile with the QR code and a code from the app', async () => {
        const { baseURL } = server();
        require('node:fs').mkdirSync(path.join(__dirname, 'output'), { recursive: true });
        page = await newPage(await browser());
        await logInFromStart(page, baseURL);
        await eventually(async () => assert.match(await text(page.locator('#totp-state')), /^Two-step verification is off\./));
        await page.getByRole('button', { name: 'Set up two-step verification', exact: true }).click();
        const password = page.getByLabel('Your password', { exact: true });
        await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.id), 'mfa-password'));
        await page.getByRole('button', { name: 'Continue', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#mfa-password-error')), 'Enter your password.'));
        await password.fill('not-my-password');
        await password.press('Enter');
        await eventually(async () => assert.equal(await text(page.locator('#mfa-password-error')), 'Your password is not correct.'));
        await password.fill(DEMO.password);
        await password.press('Enter');
        const qr = page.getByRole('img', { name: 'QR code for two-step verification' });
        await qr.waitFor();
        const box = await qr.boundingBox();
        assert.ok(box.width >= 150 && Math.abs(box.width - box.height) < 2, `QR code of ${box.width}×${box.height}`);
        secret = await page.locator('#totp-secret').getAttribute('data-secret');
        assert.match(secret, /^[A-Z2-7]{32}$/);
        assert.equal(await text(page.locator('#totp-secret')), secret.match(/.{4}/g).join(' '));
        // The code field has the focus: the next thing to type.
        assert.equal(await page.evaluate(() => document.activeElement.id), 'mfa-code-field');
        await assertNoViolations(page, 'the QR code step');
        await page.screenshot({ path: path.join(__dirname, 'output', `${kind}-mfa-setup-${scheme}.png`), fullPage: true });
        await page.getByLabel('Authentication code', { exact: true }).fill('000000');
        await page.getByRole('button', { name: 'Turn on', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#mfa-code-field-error')),
          'That code is not right. Check your authenticator app and try again.'));
        await freshStep();
        used = stepOf();
        await page.getByLabel('Authentication code', { exact: true }).fill(totp(base32Decode(secret), used));
        await page.getByLabel('Authentication code', { exact: true }).press('Enter');
        const list = page.locator('#recovery-codes li');
        await eventually(async () => assert.equal(await list.count(), 10));
        codes = (await list.allTextContents()).map((c) => c.trim());
        for (const c of codes) assert.match(c, /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){4}$/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'recovery-heading');
        assertClean(page);
      });

      it('shows the recovery codes once, with copy and download', async () => {
        await page.getByRole('button', { name: 'Copy codes', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#recovery-status')), 'Recovery codes copied.'));
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), codes.join('\n'));
        const download = page.getByRole('link', { name: 'Download codes', exact: true });
        assert.equal(await download.getAttribute('download'), 'latchkey-recovery-codes.txt');
        const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
        const fs = require('node:fs');
        assert.equal(fs.readFileSync(await file.path(), 'utf8'), `${codes.join('\n')}\n`);
        await assertNoViolations(page, 'the recovery codes');
        await page.screenshot({ path: path.join(__dirname, 'output', `${kind}-mfa-codes-${scheme}.png`), fullPage: true });
        await page.getByRole('button', { name: 'Done', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#totp-state')),
          'Two-step verification is on. 10 recovery codes left.'));
        assert.equal(await page.locator('#recovery-codes').count(), 0);
        assertClean(page);
      });

      it('asks for a code after the password, and says plainly when it is wrong', async () => {
        await logOut(page);
        await logIn(page);
        await page.getByRole('heading', { name: 'Two-step verification', exact: true }).waitFor();
        const field = page.getByLabel('Authentication code', { exact: true });
        assert.equal(await page.evaluate(() => document.activeElement.id), 'mfa-code');
        assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
        assert.equal(await field.getAttribute('inputmode'), 'numeric');
        // No session before the second factor.
        const cookies = (await page.context().cookies()).map((c) => c.name);
        assert.ok(!cookies.includes('access_token_cookie'));
        assert.ok(cookies.includes('mfa_pending'));
        await assertNoViolations(page, 'the login\'s code step');
        await page.screenshot({ path: path.join(__dirname, 'output', `${kind}-login-code-${scheme}.png`), fullPage: true });
        // The step used to turn it on is spent.
        await field.fill(totp(base32Decode(secret), used));
        await field.press('Enter');
        await eventually(async () => assert.equal(await text(page.locator('#mfa-code-error')),
          'That code is not right. Check your authenticator app and try again.'));
        assert.equal(await field.inputValue(), '');
        assert.equal(await field.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'mfa-code');
        await assertNoViolations(page, 'the login\'s code step with a wrong code');
        await field.fill(totp(base32Decode(secret), used + 1));
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await expectProfile(page);
        assertClean(page);
      });

      it('takes a recovery code instead, once', async () => {
        await logOut(page);
        await logIn(page);
        await page.getByRole('button', { name: 'Use a recovery code', exact: true }).click();
        const field = page.getByLabel('Recovery code', { exact: true });
        await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.id), 'recovery-code'));
        await field.fill(codes[0].toLowerCase());
        await field.press('Enter');
        await expectProfile(page);
        await eventually(async () => assert.equal(await text(page.locator('#totp-state')),
          'Two-step verification is on. 9 recovery codes left.'));
        await logOut(page);
        await logIn(page);
        await page.getByRole('button', { name: 'Use a recovery code', exact: true }).click();
        await field.fill(codes[0]);
        await field.press('Enter');
        await eventually(async () => assert.equal(await text(page.locator('#recovery-code-error')),
          'That recovery code is not right, or it was used already.'));
        await page.getByRole('button', { name: 'Use an authentication code', exact: true }).click();
        await page.getByLabel('Authentication code', { exact: true }).waitFor();
        await page.getByRole('button', { name: 'Cancel', exact: true }).click();
        await page.getByLabel('Password', { exact: true }).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
        assertClean(page);
      });

      it('turns it off with the password and a code', async () => {
        await logIn(page);
        await page.getByRole('button', { name: 'Use a recovery code', exact: true }).click();
        await page.getByLabel('Recovery code', { exact: true }).fill(codes[1]);
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await expectProfile(page);
        await page.getByRole('button', { name: 'Turn off two-step verification', exact: true }).click();
        await page.getByLabel('Your password', { exact: true }).fill(DEMO.password);
        await page.getByRole('button', { name: 'Turn off', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#mfa-code-field-error')),
          'Enter a code from your authenticator app, or a recovery code.'));
        await page.getByLabel('Code or recovery code', { exact: true }).fill(codes[2]);
        await page.getByRole('button', { name: 'Turn off', exact: true }).click();
        await eventually(async () => assert.match(await text(page.locator('#totp-state')), /^Two-step verification is off\./));
        await eventually(async () => assert.equal(await text(page.locator('#mfa-status')), 'Two-step verification is off.'));
        // The seed's login again.
        await logOut(page);
        await logIn(page);
        await expectProfile(page);
        assertClean(page);
      });
    });
  }
}
