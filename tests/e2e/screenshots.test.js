'use strict';
// The login and profile pages (and two-step verification's QR code,
// recovery codes and the login's code step) at desktop and phone widths:
// saved as PNGs
// under tests/e2e/output/ for a person to review, and checked for what a
// person would notice (nothing wider than the screen, touch-sized controls).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { assertClean, expectPage, expectProfile, logIn, newPage, useBrowser } = require('./lib/page.js');
const { base32Decode, totp, stepOf } = require('../lib/totp.js');

const OUTPUT = path.join(__dirname, 'output');

const SCREENS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
  {
    name: 'phone',
    options: { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  },
];

// Width and height from a PNG's IHDR chunk.
function pngSize(file) {
  const bytes = fs.readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is no PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function assertFitsScreen(page, width) {
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.deepEqual(layout, { scrollWidth: width, clientWidth: width }, 'the page is wider than the screen');
  // Visible ones: the password form's hidden username field is no target.
  // A checkbox's target is its label (a click on it ticks the box).
  const targets = page.locator([
    'main input:visible:not([type="checkbox"])',
    'main button:visible',
    'main label:has(+ input[type="checkbox"]), main input[type="checkbox"] + label',
  ].join(', '));
  for (const control of await targets.all()) {
    const box = await control.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width, 'a control sticks out of the screen');
    assert.ok(box.height >= 44, `a control is ${box.height}px high, less than a 44px touch target`);
  }
  for (const box of await page.locator('main input[type="checkbox"]:visible').all()) {
    const label = page.locator(`label[for="${await box.getAttribute('id')}"]`);
    assert.equal(await label.count(), 1, 'a checkbox without its label');
  }
}

async function shoot(page, file, screen) {
  await page.screenshot({ path: file, fullPage: false });
  const { width, height } = screen.options.viewport;
  const scale = screen.options.deviceScaleFactor;
  assert.deepEqual(pngSize(file), { width: width * scale, height: height * scale });
}

for (const kind of serverKinds({ rendering: true })) {
  for (const screen of SCREENS) {
    describe(`screenshots, ${screen.name} [${kind}]`, () => {
      const server = useServer(kind);
      const browser = useBrowser(screen.options);
      let page;

      it('of the login page, with an error shown', async () => {
        const { baseURL } = server();
        fs.mkdirSync(OUTPUT, { recursive: true });
        page = await newPage(await browser());
        await page.goto(`${baseURL}/`);
        await expectPage(page, '/', 'Log in');
        await assertFitsScreen(page, screen.options.viewport.width);
        await shoot(page, path.join(OUTPUT, `${kind}-login-${screen.name}.png`), screen);
        await logIn(page, 'test@example.com', 'not-the-password');
        await page.locator('#form-error').waitFor();
        await assertFitsScreen(page, screen.options.viewport.width);
        await shoot(page, path.join(OUTPUT, `${kind}-login-error-${screen.name}.png`), screen);
        assertClean(page);
      });

      it('of the profile page', async () => {
        await logIn(page);
        await expectProfile(page);
        await page.locator('#totp-state').waitFor();
        await assertFitsScreen(page, screen.options.viewport.width);
        await shoot(page, path.join(OUTPUT, `${kind}-profile-${screen.name}.png`), screen);
        assertClean(page);
      });

      it('of two-step verification: the QR code, the recovery codes, the login\'s code step', async () => {
        const width = screen.options.viewport.width;
        await page.getByRole('button', { name: 'Set up two-step verification', exact: true }).click();
        await page.getByLabel('Your password', { exact: true }).fill('password123');
        await page.getByRole('button', { name: 'Continue', exact: true }).click();
        const qr = page.getByRole('img', { name: 'QR code for two-step verification' });
        await qr.waitFor();
        await qr.scrollIntoViewIfNeeded();
        await assertFitsScreen(page, width);
        await shoot(page, path.join(OUTPUT, `${kind}-totp-setup-${screen.name}.png`), screen);
        const secret = base32Decode(await page.locator('#totp-secret').getAttribute('data-secret'));
        const left = 30 - ((Date.now() / 1000) % 30);
        if (left < 5) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 100));
        const step = stepOf();
        await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, step));
        await page.getByRole('button', { name: 'Turn on', exact: true }).click();
        await page.locator('#recovery-codes').waitFor();
        await page.locator('#recovery-codes').scrollIntoViewIfNeeded();
        await assertFitsScreen(page, width);
        await shoot(page, path.join(OUTPUT, `${kind}-recovery-codes-${screen.name}.png`), screen);
        await page.getByRole('button', { name: 'Done', exact: true }).click();
        await page.getByRole('button', { name: 'Log out', exact: true }).click();
        await expectPage(page, '/login', 'Log in');
        await logIn(page);
        await page.getByLabel('Authentication code', { exact: true }).waitFor();
        await assertFitsScreen(page, width);
        await shoot(page, path.join(OUTPUT, `${kind}-login-code-${screen.name}.png`), screen);
        await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, step + 1));
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await expectProfile(page);
        assertClean(page);
      });
    });
  }
}
