'use strict';
// The page checks names and new passwords against the server's own limits,
// from GET /api/settings (public, 200 {"name_max": N, "password_min": M},
// here from a server configured with 40 and 10); on any failure (the
// endpoint missing, a network error, a 5xx, a body that makes no sense)
// against the defaults 100 and 8. A name the server
// refuses anyway (400) is said at the name field, in plain words.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, expectProfile, logInFromStart, newPage, text,
  useBrowser,
} = require('./lib/page.js');

const SETTINGS = '**/api/settings';

// Answers GET /api/settings in the browser with `answer` (route.fulfill's
// options) or aborts it (`answer` null). Returns a function giving how often
// it was asked.
async function serveSettings(page, answer) {
  let asked = 0;
  await page.route(SETTINGS, async (route) => {
    asked += 1;
    assert.equal(route.request().method(), 'GET');
    if (answer) await route.fulfill(answer);
    else await route.abort('connectionrefused');
  });
  return () => asked;
}

const json = (status, body) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

// The limits the profile page shows and enforces: the name field's
// maxlength, the new password's minlength and hint.
async function limitsShown(page) {
  return {
    nameMax: await page.getByLabel('New name', { exact: true }).getAttribute('maxlength'),
    passwordMin: await page.getByLabel('New password', { exact: true }).getAttribute('minlength'),
    hint: await text(page.locator('#new-password-hint')),
  };
}

const DEFAULT_LIMITS = { nameMax: '100', passwordMin: '8', hint: 'At least 8 characters.' };

// Records the page's requests to `pathname` with `method` from now on.
function watch(page, method, pathname) {
  const seen = [];
  const listener = (request) => {
    if (request.method() === method && new URL(request.url()).pathname === pathname) seen.push(request);
  };
  page.on('request', listener);
  return { seen, stop: () => page.off('request', listener) };
}

for (const kind of serverKinds()) {
  describe(`limits from GET /api/settings [${kind}]`, () => {
    const server = useServer(kind, { config: 'name_max = 40\npassword_min = 10\n' });
    const browser = useBrowser();
    let page;

    it('asks the server, and uses the limits of its configuration', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/settings');
      await logInFromStart(page, baseURL);
      const response = await asked;
      assert.equal(response.request().method(), 'GET');
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), { admin: true, name_max: 40, password_min: 10, mail: false });
      await page.reload();
      await expectProfile(page);
      await eventually(async () => assert.deepEqual(await limitsShown(page),
        { nameMax: '40', passwordMin: '10', hint: 'At least 10 characters.' }));
      assertClean(page);
    });

    it('uses the limits the server gives for the name and the new password', async () => {
      const { baseURL } = server();
      const asked = await serveSettings(page, json(200, { name_max: 20, password_min: 12 }));
      await page.goto(`${baseURL}/profile`);
      await expectProfile(page);
      await eventually(async () => assert.deepEqual(await limitsShown(page),
        { nameMax: '20', passwordMin: '12', hint: 'At least 12 characters.' }));
      assert.equal(asked(), 1);

      const sent = watch(page, 'POST', '/api/password');
      await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
      await page.getByLabel('New password', { exact: true }).fill('elevenchars');
      await page.getByLabel('Confirm new password', { exact: true }).fill('elevenchars');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#new-password-error')),
        'The new password must have at least 12 characters.'));
      assert.equal(await activeElementId(page), 'new-password');

      const patched = watch(page, 'PATCH', '/api/profile');
      const name = page.getByLabel('New name', { exact: true });
      // Typing stops at the limit…
      await name.fill('');
      await name.pressSequentially('A name of twenty-five chars');
      assert.equal(await name.inputValue(), 'A name of twenty-fiv');
      // …and a longer value that got in some other way is refused in the page.
      await name.evaluate((input) => input.removeAttribute('maxlength'));
      await name.fill('A name of twenty-one c');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#name-error')),
        'A name can have at most 20 characters.'));
      assert.equal(await activeElementId(page), 'name');
      // Counted in characters as the server counts them, not UTF-16 units:
      // 20 of them, 40 units, are fine.
      await name.fill('😀'.repeat(20));
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), '😀'.repeat(20)));
      assert.equal(patched.seen.length, 1);
      await name.fill(DEMO.name);
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      sent.stop();
      patched.stop();
      assert.equal(sent.seen.length, 0);
      await page.unroute(SETTINGS);
      assertClean(page);
    });

    for (const [what, answer] of [
      ['a network error', null],
      ['a server error', json(500, { msg: 'Internal error' })],
      ['an answer that is not JSON', { status: 200, contentType: 'text/html', body: '<!doctype html><p>hi' }],
      ['nonsense limits', json(200, { name_max: 'lots', password_min: -3 })],
      ['no limits at all', json(200, {})],
    ]) {
      it(`falls back to 100 and 8 on ${what}`, async () => {
        const { baseURL } = server();
        const asked = await serveSettings(page, answer);
        await page.goto(`${baseURL}/profile`);
        await expectProfile(page);
        await eventually(() => assert.equal(asked(), 1));
        assert.deepEqual(await limitsShown(page), DEFAULT_LIMITS);
        await page.getByLabel('Current password', { exact: true }).fill(DEMO.password);
        await page.getByLabel('New password', { exact: true }).fill('seven77');
        await page.getByRole('button', { name: 'Change password', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#new-password-error')),
          'The new password must have at least 8 characters.'));
        await page.unroute(SETTINGS);
        // Nothing of this is a reason to end the session.
        await expectProfile(page);
        assertClean(page);
      });
    }

    it('says at the name field, in plain words, when the server refuses a name', async () => {
      const { baseURL } = server();
      // A page that believes names may be 200 characters long: the real
      // server (name_max 40) refuses 150.
      await serveSettings(page, json(200, { name_max: 200, password_min: 8 }));
      await page.goto(`${baseURL}/profile`);
      await expectProfile(page);
      await eventually(async () => assert.deepEqual((await limitsShown(page)).nameMax, '200'));
      const answer = page.waitForResponse((r) => r.request().method() === 'PATCH');
      await page.getByLabel('New name', { exact: true }).fill('n'.repeat(150));
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      const response = await answer;
      assert.equal(response.status(), 400);
      assert.match((await response.json()).msg, /^Field "name" must be/);
      await eventually(async () => assert.equal(await text(page.locator('#name-error')),
        'The server did not accept this name. Try a shorter one, in ordinary letters, numbers and punctuation.'));
      const name = page.getByLabel('New name', { exact: true });
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
      assert.equal(await name.getAttribute('aria-describedby'), 'name-error');
      assert.equal(await activeElementId(page), 'name');
      // At the field, not in a box for the whole page.
      assert.equal(await page.locator('#form-error').count(), 0);
      assert.equal(await page.getByRole('alert').count(), 0);
      assert.equal(await text(page.locator('#profile-name')), DEMO.name);
      await page.unroute(SETTINGS);
      assertClean(page);
    });
  });

  describe(`"Forgot password?" only where mail can be sent [${kind}]`, () => {
    // make run's configuration: no mail_from, no site_url.
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('offers no reset link on a site without mail, and says whom to ask', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/settings');
      await page.goto(`${baseURL}/login`);
      await expectPage(page, '/login', 'Log in');
      assert.equal((await (await asked).json()).mail, false);
      await eventually(async () => assert.equal(await text(page.locator('#forgot-no-mail')),
        'Forgot your password? Ask the site\'s administrator to reset it: this site does not send mail.'));
      assert.equal(await page.getByRole('link', { name: 'Forgot password?', exact: true }).count(), 0);
      // The forgot page, opened directly, asks for no address.
      await page.goto(`${baseURL}/forgot`);
      await expectPage(page, '/forgot', 'Forgot your password?');
      await eventually(async () => assert.equal(await text(page.locator('#forgot-no-mail')),
        'This site does not send mail, so no link can reach you. Ask the site\'s administrator to reset your password.'));
      assert.equal(await page.getByLabel('Email', { exact: true }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Send the link', exact: true }).count(), 0);
      await page.getByRole('link', { name: 'Back to log in', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      assertClean(page);
    });

    it('offers the link where the server says mail goes, and when it does not say', async () => {
      const { baseURL } = server();
      for (const answer of [json(200, { name_max: 100, password_min: 8, mail: true }), json(500, { msg: 'x' })]) {
        await serveSettings(page, answer);
        await page.goto(`${baseURL}/login`);
        await expectPage(page, '/login', 'Log in');
        const link = page.getByRole('link', { name: 'Forgot password?', exact: true });
        await link.waitFor();
        assert.equal(await page.locator('#forgot-no-mail').count(), 0);
        await link.click();
        await expectPage(page, '/forgot', 'Forgot your password?');
        assert.equal(await page.getByLabel('Email', { exact: true }).count(), 1);
        await page.unroute(SETTINGS);
      }
      assertClean(page);
    });
  });
}
