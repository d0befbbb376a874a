'use strict';
// The password fields: a "Show password" toggle (a real button with
// aria-pressed that submits nothing), a "Caps Lock is on" hint while typing
// with Caps Lock on; the change form's "Confirm new password" and its
// refusal of the current password as the new one, both without a request;
// the name field starting with the current name.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');

// Records the page's requests to /api/ paths other than /api/settings.
function watchApi(page) {
  const seen = [];
  const listener = (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/') && pathname !== '/api/settings') seen.push(`${request.method()} ${pathname}`);
  };
  page.on('request', listener);
  return { seen, stop: () => page.off('request', listener) };
}

// A key event as the browser sends it while Caps Lock is on (or off):
// the DevTools protocol has no Caps Lock modifier, so the event is made in
// the page, with the modifier state a real one would carry.
async function keyWithCapsLock(page, inputId, type, on) {
  await page.evaluate(({ id, eventType, capsLock }) => {
    document.getElementById(id).dispatchEvent(new KeyboardEvent(eventType, {
      key: capsLock ? 'A' : 'a', code: 'KeyA', bubbles: true, cancelable: true, modifierCapsLock: capsLock,
    }));
  }, { id: inputId, eventType: type, capsLock: on });
}

function toggleOf(page, inputId) {
  return page.locator(`button[aria-controls="${inputId}"]`);
}

async function expectToggle(page, inputId, shown) {
  const toggle = toggleOf(page, inputId);
  await eventually(async () => {
    assert.equal(await toggle.getAttribute('aria-pressed'), shown ? 'true' : 'false');
    assert.equal(await text(toggle), shown ? 'Hide password' : 'Show password');
    assert.equal(await page.locator(`#${inputId}`).getAttribute('type'), shown ? 'text' : 'password');
  });
}

async function describedBy(page, inputId) {
  return ((await page.locator(`#${inputId}`).getAttribute('aria-describedby')) || '').split(' ').filter(Boolean);
}

for (const kind of serverKinds({ rendering: true })) {
  describe(`password fields, confirmation and the name field [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('has a show-password toggle on the login page that submits nothing', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      const toggle = page.getByRole('button', { name: 'Show password', exact: true });
      assert.equal(await toggle.count(), 1);
      assert.equal(await toggle.getAttribute('type'), 'button');
      assert.equal(await toggle.getAttribute('aria-controls'), 'password');
      await expectToggle(page, 'password', false);

      const api = watchApi(page);
      await page.getByLabel('Email', { exact: true }).fill(DEMO.email);
      await page.getByLabel('Password', { exact: true }).fill('secret-123');
      await toggle.click();
      await expectToggle(page, 'password', true);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), 'secret-123');
      assert.equal(await activeElementId(page), '', 'the toggle lost the focus');
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-controls')), 'password');
      // From the keyboard: Enter and Space press it, and never submit.
      await page.keyboard.press('Enter');
      await expectToggle(page, 'password', false);
      await page.keyboard.press('Space');
      await expectToggle(page, 'password', true);
      await page.getByRole('button', { name: 'Hide password', exact: true }).click();
      await expectToggle(page, 'password', false);
      assert.deepEqual(api.seen, []);
      assert.equal(await page.locator('.field-error, #form-error').count(), 0);
      api.stop();
      assertClean(page);
    });

    it('says "Caps Lock is on" while typing a password with Caps Lock on', async () => {
      const password = page.getByLabel('Password', { exact: true });
      await password.fill('');
      await password.focus();
      await page.keyboard.type('abc');
      assert.equal(await text(page.locator('#password-caps')), '');
      assert.deepEqual(await describedBy(page, 'password'), []);
      await keyWithCapsLock(page, 'password', 'keydown', true);
      await eventually(async () => assert.equal(await text(page.locator('#password-caps')), 'Caps Lock is on'));
      assert.deepEqual(await describedBy(page, 'password'), ['password-caps']);
      assert.equal(await page.locator('#password-caps').getAttribute('aria-live'), 'polite');
      assert.equal(await page.locator('#password-caps').isVisible(), true);
      // Caps Lock off again (a keyup without it).
      await keyWithCapsLock(page, 'password', 'keyup', false);
      await eventually(async () => assert.equal(await text(page.locator('#password-caps')), ''));
      // On again, then the field is left.
      await keyWithCapsLock(page, 'password', 'keydown', true);
      await eventually(async () => assert.equal(await text(page.locator('#password-caps')), 'Caps Lock is on'));
      await page.getByLabel('Email', { exact: true }).focus();
      await eventually(async () => assert.equal(await text(page.locator('#password-caps')), ''));
      assert.deepEqual(await describedBy(page, 'password'), []);
      // The email field is no password: no hint there.
      await keyWithCapsLock(page, 'email', 'keydown', true);
      assert.equal(await text(page.locator('#password-caps')), '');
      assertClean(page);
    });

    it('starts the name field with the current name', async () => {
      const { baseURL } = server();
      await logInFromStart(page, baseURL);
      const name = page.getByLabel('New name', { exact: true });
      assert.equal(await name.inputValue(), DEMO.name);
      await name.fill('Jane Roe');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'Jane Roe'));
      assert.equal(await name.inputValue(), 'Jane Roe');
      await page.reload();
      await eventually(async () => assert.equal(await page.getByLabel('New name', { exact: true }).inputValue(), 'Jane Roe'));
      await page.getByLabel('New name', { exact: true }).fill(DEMO.name);
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
    });

    it('has a toggle and the Caps Lock hint on each field of the change form, each on its own', async () => {
      const ids = ['current-password', 'new-password', 'confirm-password'];
      assert.equal(await page.getByRole('button', { name: 'Show password', exact: true }).count(), 3);
      const confirm = page.getByLabel('Confirm new password', { exact: true });
      assert.equal(await confirm.getAttribute('type'), 'password');
      assert.equal(await confirm.getAttribute('autocomplete'), 'new-password');
      const api = watchApi(page);
      for (const id of ids) {
        await toggleOf(page, id).click();
        for (const other of ids) await expectToggle(page, other, other === id);
        await toggleOf(page, id).click();
        await expectToggle(page, id, false);
        await page.locator(`#${id}`).focus();
        await keyWithCapsLock(page, id, 'keydown', true);
        await eventually(async () => assert.equal(await text(page.locator(`#${id}-caps`)), 'Caps Lock is on'));
        assert.ok((await describedBy(page, id)).includes(`${id}-caps`));
        await keyWithCapsLock(page, id, 'keydown', false);
        await eventually(async () => assert.equal(await text(page.locator(`#${id}-caps`)), ''));
      }
      assert.deepEqual(api.seen, []);
      api.stop();
      // The hint keeps its place in the new password's description.
      assert.deepEqual(await describedBy(page, 'new-password'), ['new-password-hint']);
    });

    it('asks for the new password twice and says so at the confirm field, without a request', async () => {
      const api = watchApi(page);
      await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
      await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-1');
      await page.getByLabel('Confirm new password', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#confirm-password-error')),
        'Enter the new password again.'));
      await page.getByLabel('Confirm new password', { exact: true }).fill('brand-new-pass-2');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#confirm-password-error')),
        'This does not match the new password.'));
      const confirm = page.getByLabel('Confirm new password', { exact: true });
      assert.equal(await confirm.getAttribute('aria-invalid'), 'true');
      assert.deepEqual(await describedBy(page, 'confirm-password'), ['confirm-password-error']);
      assert.equal(await activeElementId(page), 'confirm-password');
      assert.equal(await page.locator('#new-password-error, #current-password-error').count(), 0);
      assert.deepEqual(api.seen, []);
      api.stop();
    });

    it('refuses the current password as the new one, without a request', async () => {
      const api = watchApi(page);
      await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
      await page.getByLabel('New password', { exact: true }).fill(DEMO.password);
      await page.getByLabel('Confirm new password', { exact: true }).fill(DEMO.password);
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#new-password-error')),
        'The new password must be different from the current one.'));
      assert.equal(await activeElementId(page), 'new-password');
      assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#confirm-password-error').count(), 0);
      assert.deepEqual(api.seen, []);
      api.stop();
      // And the server's own refusal of it, when it comes, shows at the
      // same field (400 {"msg"}, as for a too-common password).
      await page.route('**/api/password', (route) => route.fulfill({
        status: 400, contentType: 'application/json',
        body: '{"msg":"The new password must be different from the current one"}',
      }));
      await page.getByLabel('New password', { exact: true }).fill('Different-1');
      await page.getByLabel('Confirm new password', { exact: true }).fill('Different-1');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#new-password-error')),
        'The new password must be different from the current one.'));
      await page.unroute('**/api/password');
      assertClean(page);
    });
  });
}
