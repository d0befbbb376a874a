'use strict';
// A button that waits for its answer keeps the keyboard focus (aria-disabled,
// not disabled, which would drop the focus to <body>) and ignores clicks
// and Enter meanwhile; afterwards the focus is somewhere useful. After a
// wrong password the password field is emptied and focused, described by
// the error, so the next try is just typing.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, expectProfile, fillLogin, holdRequests, newPage,
  text, useBrowser,
} = require('./lib/page.js');

// What has the focus: 'BUTTON "Log in"', 'INPUT#password', 'BODY'…
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return 'nothing';
    if (el.tagName === 'BUTTON') return `BUTTON "${el.textContent.trim()}"`;
    return el.id ? `${el.tagName}#${el.id}` : el.tagName;
  });
}

// Counts the page's requests to `pathname` (any method) from now on.
function countRequests(page, baseURL, pathname) {
  const seen = [];
  const listener = (request) => {
    const url = new URL(request.url());
    if (url.origin === baseURL && url.pathname === pathname) seen.push(request.method());
  };
  page.on('request', listener);
  return { get count() { return seen.length; }, stop: () => page.off('request', listener) };
}

// While the request behind `button` is held: the button keeps the focus,
// says it is unavailable, and neither a second click nor Enter sends anything.
async function expectBusyButton(page, button, name, requests, field) {
  await eventually(async () => assert.equal(await button.getAttribute('aria-disabled'), 'true'));
  assert.equal(await focused(page), `BUTTON "${name}"`);
  assert.equal(await button.getAttribute('disabled'), null);
  await button.click({ force: true });
  await page.keyboard.press('Enter');
  if (field) await field.press('Enter');
  assert.equal(requests.count, 1, 'a busy button sent its request again');
  // Focus back to the button (Enter in the field moved it there).
  if (field) await button.focus();
}

for (const kind of serverKinds({ rendering: true })) {
  describe(`focus while waiting and after a wrong password [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('keeps the focus in the field while a login sent with Enter waits, then on the error box', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      await fillLogin(page, DEMO.email, DEMO.password);
      const hold = await holdRequests(page, `${baseURL}/api/login`,
        { fulfil: { status: 503, contentType: 'application/json', body: '{"msg":"Service unavailable"}' } });
      await page.getByLabel('Password', { exact: true }).press('Enter');
      await hold.reached;
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).getAttribute('aria-disabled'), 'true');
      assert.equal(await focused(page), 'INPUT#password');
      hold.release();
      // Not a wrong password: the box with the reason takes the focus, and
      // the password stays.
      await eventually(async () => assert.equal(await activeElementId(page), 'form-error'));
      await hold.stop();
      assert.match(await text(page.locator('#form-error')), /HTTP 503/);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), DEMO.password);
      assertClean(page);
    });

    it('keeps the focus on "Log in" while it waits, then empties and focuses the password field', async () => {
      const { baseURL } = server();
      await fillLogin(page, DEMO.email, 'wrong-password');
      // Where the focus goes from here on: never to the alert on its way.
      await page.evaluate(() => {
        window.focusTrail = [];
        document.addEventListener('focusin', (event) => window.focusTrail.push(event.target.id || event.target.tagName));
      });
      const hold = await holdRequests(page, `${baseURL}/api/login`);
      const requests = countRequests(page, baseURL, '/api/login');
      const button = page.getByRole('button', { name: 'Log in', exact: true });
      await button.click();
      await hold.reached;
      await expectBusyButton(page, button, 'Log in', requests, page.getByLabel('Password', { exact: true }));
      assert.equal(await text(page.locator('#login-status')), 'Logging in…');
      hold.release();
      await eventually(async () => assert.equal(await text(page.locator('#form-error')), 'Wrong email or password.'));
      await hold.stop();
      requests.stop();
      // Ready for the next try.
      await eventually(async () => assert.equal(await focused(page), 'INPUT#password'));
      const password = page.getByLabel('Password', { exact: true });
      assert.equal(await password.inputValue(), '');
      assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), DEMO.email);
      // Still announced: an alert, and the description of the focused field.
      assert.equal(await page.locator('#form-error').getAttribute('role'), 'alert');
      assert.deepEqual((await password.getAttribute('aria-describedby')).split(' '), ['form-error']);
      assert.equal(await button.getAttribute('aria-disabled'), null);
      assert.equal((await page.evaluate(() => window.focusTrail)).includes('form-error'), false,
        'the error box took the focus on the way to the password field');
      assertClean(page);
    });

    it('logs in on the next try with nothing but the password and Enter', async () => {
      await page.keyboard.type(DEMO.password);
      await page.keyboard.press('Enter');
      await expectProfile(page);
      assert.equal(await focused(page), 'H1');
      assertClean(page);
    });

    it('keeps the focus on "Save name" while it waits, and after', async () => {
      const { baseURL } = server();
      await page.getByLabel('New name', { exact: true }).fill('Focus Kept');
      const hold = await holdRequests(page, (url) => url.pathname === '/api/profile');
      const requests = countRequests(page, baseURL, '/api/profile');
      const button = page.getByRole('button', { name: 'Save name', exact: true });
      await button.click();
      const request = await hold.reached;
      assert.equal(request.method(), 'PATCH');
      await expectBusyButton(page, button, 'Save name', requests, page.getByLabel('New name', { exact: true }));
      // The other actions wait too.
      assert.equal(await page.getByRole('button', { name: 'Log out', exact: true }).getAttribute('aria-disabled'), 'true');
      assert.equal(await page.getByRole('button', { name: 'Change password', exact: true }).getAttribute('aria-disabled'), 'true');
      hold.release();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'Focus Kept'));
      await hold.stop();
      requests.stop();
      assert.equal(await button.getAttribute('aria-disabled'), null);
      assert.equal(await focused(page), 'BUTTON "Save name"');
      await page.getByLabel('New name', { exact: true }).fill(DEMO.name);
      await button.click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      assertClean(page);
    });

    it('keeps the focus on "Change password" while it waits, then moves it to the field at fault', async () => {
      const { baseURL } = server();
      await page.getByLabel('Current password', { exact: true }).fill('not-my-password');
      await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-1');
      await page.getByLabel('Confirm new password', { exact: true }).fill('brand-new-pass-1');
      const hold = await holdRequests(page, `${baseURL}/api/password`);
      const requests = countRequests(page, baseURL, '/api/password');
      const button = page.getByRole('button', { name: 'Change password', exact: true });
      // From the keyboard this time.
      await button.focus();
      await page.keyboard.press('Enter');
      await hold.reached;
      await expectBusyButton(page, button, 'Change password', requests, page.getByLabel('Confirm new password', { exact: true }));
      hold.release();
      await eventually(async () => assert.equal(await focused(page), 'INPUT#current-password'));
      await hold.stop();
      requests.stop();
      assert.equal(await text(page.locator('#current-password-error')), 'Your current password is not correct.');
      assert.equal(await button.getAttribute('aria-disabled'), null);
      assertClean(page);
    });

    it('keeps the focus on "Change password" after a change the server took', async () => {
      const { baseURL } = server();
      // Answered in the browser: the demo user keeps its password.
      const hold = await holdRequests(page, `${baseURL}/api/password`,
        { fulfil: { status: 200, contentType: 'application/json', body: '{"password":true}' } });
      await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
      await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-1');
      await page.getByLabel('Confirm new password', { exact: true }).fill('brand-new-pass-1');
      const button = page.getByRole('button', { name: 'Change password', exact: true });
      await button.click();
      await hold.reached;
      assert.equal(await focused(page), 'BUTTON "Change password"');
      assert.equal(await text(page.locator('#password-status')), 'Changing your password…');
      hold.release();
      await eventually(async () => assert.equal(await text(page.locator('#password-status')),
        'Password changed. Your other sessions have been logged out.'));
      await hold.stop();
      assert.equal(await focused(page), 'BUTTON "Change password"');
      assertClean(page);
    });

    it('keeps the focus on "Log out" while it waits', async () => {
      const { baseURL } = server();
      const hold = await holdRequests(page, `${baseURL}/api/logout`);
      const requests = countRequests(page, baseURL, '/api/logout');
      const button = page.getByRole('button', { name: 'Log out', exact: true });
      await button.click();
      await hold.reached;
      await expectBusyButton(page, button, 'Log out', requests, null);
      hold.release();
      await expectPage(page, '/login', 'Log in');
      await hold.stop();
      requests.stop();
      assert.equal(await focused(page), 'H1');
      assertClean(page);
    });
  });
}
