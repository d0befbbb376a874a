'use strict';
// One error at a time: what one form said (its error box, its field
// errors) is gone once another form is used, and the pages never show two
// error boxes at once (a MutationObserver counts them throughout). Saving
// the name and logging out say "Saving…" and "Logging out…" in their
// role=status regions while they wait.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, holdRequests, logIn, logInFromStart, newPage, text,
  useBrowser,
} = require('./lib/page.js');

// Installed before the app's own scripts in every page of the context:
// the most error boxes (.message-error, or any role=alert) seen at once.
function countErrorBoxes() {
  window.mostErrorBoxes = 0;
  const count = () => {
    const boxes = document.querySelectorAll('.message-error, [role="alert"]').length;
    if (boxes > window.mostErrorBoxes) window.mostErrorBoxes = boxes;
  };
  new MutationObserver(count).observe(document, { childList: true, subtree: true, attributes: true });
}

const mostErrorBoxes = (page) => page.evaluate(() => window.mostErrorBoxes);

// Every error on screen: boxes and field errors, by id.
async function errorsShown(page) {
  return page.evaluate(() => [...document.querySelectorAll('.message-error, [role="alert"], .field-error')]
    .map((el) => `${el.id}: ${el.textContent.trim()}`));
}

const fail500 = { status: 500, contentType: 'application/json', body: '{"msg":"Internal error"}' };

async function fillPasswordForm(page, current, next, confirm = next) {
  await page.getByLabel('Current password', { exact: true }).fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Confirm new password', { exact: true }).fill(confirm);
}

async function saveName(page, name) {
  await page.getByLabel('New name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Save name', exact: true }).click();
}

for (const kind of serverKinds()) {
  describe(`one error at a time, and progress in status regions [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('clears a failed name change\'s box when the password form is used', async () => {
      const { baseURL } = server();
      const context = await browser();
      await context.addInitScript(countErrorBoxes);
      page = await newPage(context);
      await logInFromStart(page, baseURL);
      const hold = await holdRequests(page, (url) => url.pathname === '/api/profile', { fulfil: fail500 });
      await saveName(page, 'Jane Roe');
      await hold.reached;
      hold.release();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['form-error: The server could not do this: Internal error (HTTP 500).']));
      await hold.stop();
      // The password form's own check fails: its error, and only its.
      await fillPasswordForm(page, DEMO.password, 'brand-new-pass-1', 'something-else');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['confirm-password-error: This does not match the new password.']));
      // A wrong current password (the real server's 401).
      await fillPasswordForm(page, 'not-my-password', 'brand-new-pass-1');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['current-password-error: Your current password is not correct.']));
      assert.equal(await mostErrorBoxes(page), 1);
      assertClean(page);
    });

    it('clears the password form\'s errors once the name is saved', async () => {
      await saveName(page, 'Jane Roe');
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'Jane Roe'));
      assert.deepEqual(await errorsShown(page), []);
      assert.equal(await text(page.locator('#name-status')), 'Name saved.');

      // The password form's box this time, then a name saved.
      const { baseURL } = server();
      const hold = await holdRequests(page, `${baseURL}/api/password`, { fulfil: fail500 });
      await fillPasswordForm(page, DEMO.password, 'brand-new-pass-1');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await hold.reached;
      hold.release();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['password-form-error: The server could not do this: Internal error (HTTP 500).']));
      await hold.stop();
      // "Name saved." from before went when the password form was used.
      assert.equal(await text(page.locator('#name-status')), '');
      await saveName(page, DEMO.name);
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      assert.deepEqual(await errorsShown(page), []);
      assert.equal(await mostErrorBoxes(page), 1);
      assertClean(page);
    });

    it('clears the name field\'s error once the password form succeeds', async () => {
      const { baseURL } = server();
      await saveName(page, '   ');
      await eventually(async () => assert.deepEqual(await errorsShown(page), ['name-error: Enter a name.']));
      // Answered in the browser: the demo user keeps its password.
      const hold = await holdRequests(page, `${baseURL}/api/password`,
        { fulfil: { status: 200, contentType: 'application/json', body: '{"password":true}' } });
      await fillPasswordForm(page, DEMO.password, 'brand-new-pass-1');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await hold.reached;
      hold.release();
      await eventually(async () => assert.equal(await text(page.locator('#password-status')),
        'Password changed. Your other sessions have been logged out.'));
      await hold.stop();
      assert.deepEqual(await errorsShown(page), []);
      assert.equal(await mostErrorBoxes(page), 1);
    });

    it('says "Saving…" in the name form\'s status region while the name is on its way', async () => {
      const hold = await holdRequests(page, (url) => url.pathname === '/api/profile');
      await saveName(page, 'Saving Slowly');
      await hold.reached;
      const status = page.locator('#name-status');
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(await text(status), 'Saving…');
      // The other form's "Password changed." is gone.
      assert.equal(await text(page.locator('#password-status')), '');
      hold.release();
      await eventually(async () => assert.equal(await text(status), 'Name saved.'));
      await hold.stop();
      await saveName(page, DEMO.name);
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
    });

    it('says "Logging out…" while logging out, and a failed logout\'s box goes with the next action', async () => {
      const { baseURL } = server();
      let hold = await holdRequests(page, `${baseURL}/api/logout`, { fulfil: fail500 });
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await hold.reached;
      const status = page.locator('#logout-status');
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(await text(status), 'Logging out…');
      hold.release();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['form-error: The server could not do this: Internal error (HTTP 500).']));
      await hold.stop();
      assert.equal(await text(status), '');
      await fillPasswordForm(page, '', '');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.deepEqual(await errorsShown(page), [
        'current-password-error: Enter your current password.',
        'new-password-error: Enter a new password.',
      ]));

      hold = await holdRequests(page, `${baseURL}/api/logout`);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await hold.reached;
      assert.equal(await text(status), 'Logging out…');
      assert.deepEqual(await errorsShown(page), []);
      hold.release();
      await expectPage(page, '/login', 'Log in');
      await hold.stop();
      assert.equal(await mostErrorBoxes(page), 1);
      assertClean(page);
    });

    it('shows a failed login instead of the "session ended" alert, never beside it', async () => {
      await logIn(page);
      await expectProfile(page);
      await page.context().clearCookies();
      await saveName(page, 'Nobody');
      await expectPage(page, '/login', 'Log in');
      assert.deepEqual(await errorsShown(page), ['notice: Your session has ended. Please log in again.']);
      await logIn(page, DEMO.email, 'wrong-password');
      await eventually(async () => assert.deepEqual(await errorsShown(page), ['form-error: Wrong email or password.']));
      await logIn(page, 'not-an-email', 'x');
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['email-error: Enter an email address like name@example.com.']));
      assert.equal(await mostErrorBoxes(page), 1);
      assertClean(page);
    });

    it('gives the server\'s reason for a failure, and the status alone when it gives none', async () => {
      await logIn(page);
      await expectProfile(page);
      const isProfile = (url) => url.pathname === '/api/profile';
      let hold = await holdRequests(page, isProfile,
        { fulfil: { status: 503, contentType: 'application/json', body: '{"msg":"This node cannot issue tokens"}' } });
      await saveName(page, 'Jane Roe');
      await hold.reached;
      hold.release();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['form-error: The server could not do this: This node cannot issue tokens (HTTP 503).']));
      await hold.stop();
      // A proxy's own page: no reason to give.
      hold = await holdRequests(page, isProfile,
        { fulfil: { status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' } });
      await saveName(page, 'Jane Roe');
      await hold.reached;
      hold.release();
      await eventually(async () => assert.deepEqual(await errorsShown(page),
        ['form-error: Something went wrong on the server (HTTP 502). Try again in a moment.']));
      await hold.stop();
      assert.equal(await text(page.locator('#profile-name')), DEMO.name);
      assertClean(page);
    });
  });
}
