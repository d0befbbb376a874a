'use strict';
// What the browser shows around second factors a session alone cannot
// change: "Add a passkey" once the login is no longer fresh asks for the
// password (and the code, with two-step verification on) in the same form
// and tries again (Chromium's virtual authenticator); new recovery codes
// ask for a code too; the change-password form and the reset page list
// the account's passkeys, each kept unless unchecked; the reset and
// invitation pages check their link first, name the account and give it
// to password managers as a read-only username. axe-core on each new
// form, keyboard focus where the next thing to type is.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, after } = require('node:test');
const { repoRoot, serverKinds, useServer } = require('./lib/harness.js');
const { assertNoViolations } = require('./lib/axe.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, expectProfile, logIn, newPage, text, useBrowser,
} = require('./lib/page.js');

const lib = (name) => require(path.join(repoRoot, 'tests', 'lib', name));
const { request, cookiesFrom } = lib('http.js');
const { Authenticator } = lib('authenticator.js');
const { base32Decode, totp, stepOf } = lib('totp.js');
const { startMailSite, linkIn } = lib('mailsite.js');

const OUTPUT = path.join(__dirname, 'output');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function shoot(page, name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

// A virtual platform authenticator for page (resident keys, a user who is
// always verified), as tests/e2e/passkey.test.js uses it.
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

// A fresh API session of email, from Node (no browser).
async function apiLogin(baseURL, email, password) {
  const res = await request(baseURL, { method: 'POST', path: '/api/login', body: { email, password } });
  assert.equal(res.status, 200, res.body);
  const c = cookiesFrom(res.setCookies);
  return { cookie: `access_token_cookie=${c.access_token_cookie}`, csrf: c.csrf_access_token };
}

const apiPost = (baseURL, s, p, body) => request(baseURL, { method: 'POST', path: p, body,
  cookie: s.cookie, headers: { 'X-CSRF-TOKEN': s.csrf } });

// Passkeys named `names` for email, registered over HTTP by a software
// authenticator at the server's own origin (http://127.0.0.1:PORT), with
// the password as the proof (the login may be fresh no longer).
async function addPasskeysOverHttp(baseURL, email, password, names) {
  const s = await apiLogin(baseURL, email, password);
  for (const name of names) {
    const opts = await apiPost(baseURL, s, '/api/webauthn/register/options', { password });
    assert.equal(opts.status, 200, opts.body);
    const att = new Authenticator({ alg: -7 }).register(opts.json(), { origin: baseURL });
    const res = await apiPost(baseURL, s, '/api/webauthn/register', { ...att, name });
    assert.equal(res.status, 200, res.body);
  }
}

// Two-step verification turned on for email over HTTP: its recovery codes.
async function enrolOverHttp(baseURL, email, password) {
  const s = await apiLogin(baseURL, email, password);
  const setup = await apiPost(baseURL, s, '/api/mfa/totp/setup', { password });
  assert.equal(setup.status, 200, setup.body);
  const on = await apiPost(baseURL, s, '/api/mfa/totp/enable',
    { code: totp(base32Decode(setup.json().secret), stepOf()) });
  assert.equal(on.status, 200, on.body);
  return on.json().recovery_codes;
}

function addUser(srv, email, name, password) {
  const r = srv.tool(['user', 'add', email, '--name', name, '--password-stdin'], `${password}\n`);
  assert.equal(r.status, 0, r.stderr);
}

function passkeysOf(srv, email) {
  const out = srv.sql('SELECT c.name FROM webauthn_credentials c JOIN users u ON u.id = c.user_id '
    + `WHERE u.email = '${email}' ORDER BY c.name`);
  return out === '' ? [] : out.split('\n');
}

for (const kind of serverKinds()) {
  describe(`second factors on the profile page [${kind}]`, () => {
    // A login counts as fresh for one second: the tests wait it out.
    const server = useServer(kind, { config: 'fresh_seconds = 1\n' });
    const browser = useBrowser();
    // Another user's browser, with cookies of its own.
    const otherBrowser = useBrowser();

    it('asks for the password before adding a passkey once the login is no longer fresh', async () => {
      const { baseURL } = server();
      const local = baseURL.replace('//127.0.0.1:', '//localhost:');
      const page = await newPage(await browser());
      const credentials = await virtualAuthenticator(page);
      await page.goto(`${local}/`);
      await expectPage(page, '/', 'Log in');
      await logIn(page);
      await expectProfile(page);
      await sleep(2100);
      await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
      await page.getByLabel('Passkey name', { exact: true }).fill('Stale laptop');
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      // The server asked for more: the same form asks for the password.
      await eventually(async () => assert.equal(await text(page.locator('#passkey-proof-intro')),
        'A passkey signs in without your password, so adding one asks for it: enter your password, then create the passkey.'));
      await eventually(async () => assert.equal(await activeElementId(page), 'passkey-password'));
      assert.equal(await page.locator('#passkey-code').count(), 0);
      assert.equal((await credentials()).length, 0);
      assert.equal(await text(page.locator('#passkeys-status')), '');
      await assertNoViolations(page, 'the passkey form asking for the password');
      await shoot(page, `${kind}-passkey-proof`);
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#passkey-password-error')), 'Enter your password.'));
      const password = page.getByLabel('Your password', { exact: true });
      await password.fill('not the password');
      await password.press('Enter');
      await eventually(async () => assert.equal(await text(page.locator('#passkey-password-error')),
        'Your password is not correct.'));
      assert.equal(await activeElementId(page), 'passkey-password');
      await assertNoViolations(page, 'the passkey form with a wrong password');
      await password.fill(DEMO.password);
      await password.press('Enter');
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-status')), 'Passkey added.'));
      await eventually(async () => assert.equal(await text(page.locator('#passkey-list .item-name')), 'Stale laptop'));
      assert.equal((await credentials()).length, 1);
      assertClean(page);
      await page.close();
    });

    it('asks for a code too, with two-step verification on, and for new recovery codes', async () => {
      const srv = server();
      const { baseURL } = srv;
      const local = baseURL.replace('//127.0.0.1:', '//localhost:');
      const user = { email: 'two@example.com', name: 'Two Factors', password: 'two factors 1' };
      addUser(srv, user.email, user.name, user.password);
      const codes = await enrolOverHttp(baseURL, user.email, user.password);
      const page = await newPage(await otherBrowser());
      const credentials = await virtualAuthenticator(page);
      await page.goto(`${local}/`);
      await logIn(page, user.email, user.password);
      await page.getByRole('button', { name: 'Use a recovery code', exact: true }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(codes[0]);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await expectProfile(page, user);
      await sleep(2100);
      await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      await eventually(async () => assert.match(await text(page.locator('#passkey-proof-intro')),
        /^A passkey signs in without your password or code, so adding one asks for both:/));
      await page.getByLabel('Your password', { exact: true }).fill(user.password);
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#passkey-code-error')),
        'Enter a code from your authenticator app, or a recovery code.'));
      assert.equal(await activeElementId(page), 'passkey-code');
      const code = page.getByLabel('Code or recovery code', { exact: true });
      assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
      await code.fill('AAAA-AAAA-AAAA-AAAA-AAAA');
      await code.press('Enter');
      await eventually(async () => assert.equal(await text(page.locator('#passkey-code-error')),
        'That code is not right. Check your authenticator app and try again.'));
      await assertNoViolations(page, 'the passkey form asking for the password and a code');
      await code.fill(codes[1]);
      await code.press('Enter');
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-status')), 'Passkey added.'));
      assert.equal((await credentials()).length, 1);
      // New recovery codes: the password and a code.
      await page.getByRole('button', { name: 'New recovery codes', exact: true }).click();
      await eventually(async () => assert.equal(await activeElementId(page), 'mfa-password'));
      await page.getByLabel('Your password', { exact: true }).fill(user.password);
      await page.getByRole('button', { name: 'Make new recovery codes', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#mfa-code-field-error')),
        'Enter a code from your authenticator app, or a recovery code.'));
      await assertNoViolations(page, 'new recovery codes asking for a code');
      await page.getByLabel('Code or recovery code', { exact: true }).fill(codes[2]);
      await page.getByRole('button', { name: 'Make new recovery codes', exact: true }).click();
      const list = page.locator('#recovery-codes li');
      await eventually(async () => assert.equal(await list.count(), 10));
      const fresh = (await list.allTextContents()).map((c) => c.trim());
      assert.ok(fresh.every((c) => !codes.includes(c)));
      assertClean(page);
      await page.close();
    });

    it('lists the passkeys on the change-password form and removes the ones unchecked', async () => {
      const srv = server();
      const user = { email: 'keep@example.com', name: 'Kee Pme', password: 'keep me pw 12' };
      addUser(srv, user.email, user.name, user.password);
      await addPasskeysOverHttp(srv.baseURL, user.email, user.password, ['Phone', 'Tablet']);
      const page = await newPage(await browser());
      await page.goto(`${srv.baseURL}/`);
      await logIn(page, user.email, user.password);
      await expectProfile(page, user);
      const form = page.locator('#keep-passkeys');
      await eventually(async () => assert.equal(await text(form.locator('legend')), 'Passkeys to keep'));
      const phone = page.getByLabel(/^Keep Phone \(added .+\)$/);
      const tablet = page.getByLabel(/^Keep Tablet \(added .+\)$/);
      assert.equal(await phone.isChecked(), true);
      assert.equal(await tablet.isChecked(), true);
      await assertNoViolations(page, 'the change-password form with passkeys');
      await tablet.uncheck();
      await page.getByLabel('Current password', { exact: true }).fill(user.password);
      await page.getByLabel('New password', { exact: true }).fill('keep me pw 34');
      await page.getByLabel('Confirm new password', { exact: true }).fill('keep me pw 34');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#password-status')),
        'Password changed. Your other sessions have been logged out.'));
      assert.deepEqual(passkeysOf(srv, user.email), ['Phone']);
      // Both lists on the page follow.
      await eventually(async () => assert.deepEqual(
        (await page.locator('#passkey-list .item-name').allTextContents()).map((t) => t.trim()), ['Phone']));
      await eventually(async () => assert.equal(await page.locator('#keep-passkeys input').count(), 1));
      await shoot(page, `${kind}-password-keep-passkeys`);
      assertClean(page);
      await page.close();
    });
  });

  describe(`the pages of a link name its account [${kind}]`, () => {
    const LOST = { email: 'lost@example.com', name: 'Lo Stpw', password: 'lost old pw 1' };
    let site = null;
    const browser = useBrowser();
    after(async () => { if (site) await site.stop(); });

    it('checks a reset link first, gives the account to password managers and keeps the passkeys checked', async () => {
      site = await startMailSite({ kind, siteURL: 'self', users: [LOST] });
      const { srv } = site;
      await addPasskeysOverHttp(srv.baseURL, LOST.email, LOST.password, ['Laptop', 'Phone']);
      const asked = await request(srv.baseURL, { method: 'POST', path: '/api/password/forgot',
        body: { email: LOST.email } });
      assert.equal(asked.status, 202);
      let msg;
      do msg = await site.mailTo(LOST.email); while (!/\/reset#/.test(msg.body));
      const link = linkIn(msg);
      const page = await newPage(await browser());
      await page.goto(link.url);
      await expectPage(page, '/reset', 'Choose a new password');
      await eventually(async () => assert.equal(await text(page.locator('#link-intro')),
        'Choose the new password of the account of Lo Stpw, lost@example.com. Every session of the account will be logged out.'));
      const username = page.getByLabel('Account', { exact: true });
      assert.equal(await username.inputValue(), LOST.email);
      assert.equal(await username.getAttribute('autocomplete'), 'username');
      assert.equal(await username.getAttribute('readonly'), '');
      const laptop = page.getByLabel(/^Keep Laptop \(added .+\)$/);
      assert.equal(await laptop.isChecked(), true);
      assert.equal(await page.getByLabel(/^Keep Phone \(added .+\)$/).isChecked(), true);
      await assertNoViolations(page, 'the reset page with the account and its passkeys');
      await shoot(page, `${kind}-reset-passkeys`);
      await laptop.uncheck();
      await page.getByLabel('New password', { exact: true }).fill('lost new pw 22');
      await page.getByLabel('Confirm new password', { exact: true }).fill('lost new pw 22');
      await page.getByRole('button', { name: 'Set the new password', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      assert.deepEqual(passkeysOf(srv, LOST.email), ['Phone']);
      // Used: the page says so at once, before anything is typed.
      await page.goto(link.url);
      await expectPage(page, '/reset', 'Choose a new password');
      await eventually(async () => assert.equal(await text(page.locator('#link-invalid')),
        'This link is invalid or has expired. Ask for a new link'));
      assert.equal(await page.getByLabel('New password', { exact: true }).count(), 0);
      assertClean(page);
      await page.close();
    });

    it('names the invited account and gives it to password managers', async () => {
      const { srv } = site;
      const r = srv.tool(['user', 'invite', 'ines@example.com', '--name', 'Inès Invitée', '--print-link']);
      assert.equal(r.status, 0, r.stderr);
      const page = await newPage(await browser());
      await page.goto(r.stdout.trim());
      await expectPage(page, '/invite', 'Choose your password');
      await eventually(async () => assert.equal(await text(page.locator('#link-intro')),
        'Choose the password of the new account of Inès Invitée, ines@example.com. You will be logged in with it.'));
      assert.equal(await page.getByLabel('Account', { exact: true }).inputValue(), 'ines@example.com');
      assert.equal(await page.locator('#keep-passkeys').count(), 0);
      await assertNoViolations(page, 'the invitation page with its account');
      await page.getByLabel('New password', { exact: true }).fill('ines own pw 1');
      await page.getByLabel('Confirm new password', { exact: true }).fill('ines own pw 1');
      await page.getByRole('button', { name: 'Set the password', exact: true }).click();
      await expectProfile(page, { email: 'ines@example.com', name: 'Inès Invitée' });
      assertClean(page);
      await page.close();
    });
  });
}
