'use strict';
// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn:
// ctap2, internal transport, resident keys, user verification): added on
// the profile page, used to sign in after logging out, not offered at an
// IP address (WebAuthn refuses one as RP ID: the app is opened at
// http://localhost:PORT, a secure context) and refused once removed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, after } = require('node:test');
const { repoRoot, serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, cookieMap, eventually, expectPage, expectProfile, logIn, newPage, text, useBrowser,
} = require('./lib/page.js');
const { assertNoViolations } = require('./lib/axe.js');

const OUTPUT = path.join(__dirname, 'output');

// A virtual authenticator for page: a platform one, with resident keys
// and a user who is always verified.
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

async function logOut(page) {
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expectPage(page, '/login', 'Log in');
}

async function passkeySignIn(page) {
  await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
}

for (const kind of serverKinds()) {
  describe(`passkeys in the browser [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;
    let authenticator;
    let local;

    it('adds a passkey on the profile page', async () => {
      const { baseURL } = server();
      local = baseURL.replace('//127.0.0.1:', '//localhost:');
      fs.mkdirSync(OUTPUT, { recursive: true });
      page = await newPage(await browser());
      authenticator = await virtualAuthenticator(page);
      await page.goto(`${local}/`);
      await expectPage(page, '/', 'Log in');
      await logIn(page);
      await expectProfile(page);
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-none')), 'You have no passkeys yet.'));
      await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
      const name = page.getByLabel('Passkey name', { exact: true });
      assert.equal(await page.evaluate(() => document.activeElement.id), 'passkey-name');
      assert.equal(await name.inputValue(), 'Passkey');
      await name.fill('');
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#passkey-name-error')), 'Enter a name for the passkey.'));
      await name.fill('Test laptop');
      await name.press('Enter');
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-status')), 'Passkey added.'));
      await eventually(async () => assert.equal(await text(page.locator('#passkey-list .item-name')), 'Test laptop'));
      assert.match(await text(page.locator('#passkey-list .item-detail')), /^Added .+ · never used$/);
      const held = await authenticator.credentials();
      assert.equal(held.length, 1);
      assert.equal(held[0].isResidentCredential, true);
      assert.equal(held[0].rpId, 'localhost');
      await assertNoViolations(page, 'the profile with a passkey');
      await page.screenshot({ path: path.join(OUTPUT, `${kind}-passkeys.png`), fullPage: true });
      // The same authenticator cannot register a second passkey here.
      await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
      await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-error')),
        'This device holds one of your passkeys already.'));
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      assertClean(page);
    });

    it('logs out and signs in with the passkey alone', async () => {
      await logOut(page);
      await passkeySignIn(page);
      await expectProfile(page);
      // The cookies of a password login, the refresh one for its path.
      const cookies = await cookieMap(page.context(), local);
      assert.ok(cookies.access_token_cookie && cookies.access_token_cookie.httpOnly);
      assert.ok(cookies.csrf_access_token && cookies.csrf_refresh_token);
      const refresh = (await cookieMap(page.context(), `${local}/api/refresh`)).refresh_token_cookie;
      assert.ok(refresh && refresh.httpOnly && refresh.path === '/api/refresh');
      await eventually(async () => assert.match(await text(page.locator('#passkey-list .item-detail')),
        /^Added .+ · last used .+$/));
      assert.ok((await authenticator.credentials())[0].signCount >= 1);
      assertClean(page);
    });

    it('is not offered at an IP address, with a hint where it works', async () => {
      const { baseURL } = server();
      const hint = 'Passkeys are not offered here: browsers refuse them on a site opened by its IP '
        + `address. Open ${local} to use them.`;
      await logOut(page);
      // The same server at http://127.0.0.1, where the browser would refuse
      // any passkey: no button that cannot work, a hint instead.
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      await eventually(async () => assert.equal(await text(page.locator('#passkey-hint')), hint));
      assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).count(), 0);
      await assertNoViolations(page, 'the login page at an IP address');
      // The password logs in; the passkeys are listed, none can be added.
      await logIn(page);
      await expectProfile(page);
      await eventually(async () => assert.equal(await text(page.locator('#passkey-list .item-name')), 'Test laptop'));
      assert.equal(await text(page.locator('#passkeys-hint')), hint);
      assert.equal(await page.getByRole('button', { name: 'Add a passkey' }).count(), 0);
      await logOut(page);
      assert.equal((await cookieMap(page.context(), baseURL)).access_token_cookie, undefined);
      // By name, both are offered again.
      await page.goto(`${local}/`);
      await expectPage(page, '/', 'Log in');
      assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).count(), 1);
      assert.equal(await page.locator('#passkey-hint').count(), 0);
      assertClean(page);
    });

    it('fails once the passkey is removed', async () => {
      await page.goto(`${local}/`);
      await expectPage(page, '/', 'Log in');
      await logIn(page);
      await expectProfile(page);
      const remove = page.getByRole('button', { name: 'Remove Test laptop', exact: true });
      await remove.click();
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-status')), 'Passkey removed.'));
      await eventually(async () => assert.equal(await text(page.locator('#passkeys-none')), 'You have no passkeys yet.'));
      await logOut(page);
      // The authenticator still holds it; the server no longer takes it.
      assert.equal((await authenticator.credentials()).length, 1);
      await passkeySignIn(page);
      await eventually(async () => assert.equal(await text(page.locator('#form-error')),
        'This passkey was not accepted. Try another one, or log in with your password.'));
      await expectPage(page, '/login', 'Log in');
      assert.equal((await cookieMap(page.context(), local)).access_token_cookie, undefined);
      assertClean(page);
    });
  });
}

// The server's own origin check, in the browser: with webauthn_rp_id
// set, a page at a subdomain of the RP ID (which the browser lets ask for
// its passkeys) is no origin the server was told of. Hosts of example.test
// map to 127.0.0.1 and count as secure for this browser only.
describe('passkeys from an origin the server was not told of [lighttpd]', () => {
  let srv;
  let opened;
  after(async () => {
    if (opened) await opened.close();
    if (srv) await srv.stop();
  });

  it('registers at the listed origin and is refused at a sibling one', async () => {
    const { startServer, freePort } = require(path.join(repoRoot, 'tests', 'lib', 'server.js'));
    const { openBrowser, CHROMIUM_ARGS } = require('./lib/browser.js');
    const port = await freePort();
    const site = `http://example.test:${port}`;
    const sibling = `http://app.example.test:${port}`;
    srv = await startServer({ kind: 'lighttpd', port,
      config: `webauthn_rp_id = example.test\nallowed_origins = ${site}\n` });
    opened = await openBrowser({ args: [...CHROMIUM_ARGS,
      '--host-resolver-rules=MAP example.test 127.0.0.1, MAP *.example.test 127.0.0.1',
      `--unsafely-treat-insecure-origin-as-secure=${site},${sibling}`] });
    const page = await newPage(opened.context);
    const authenticator = await virtualAuthenticator(page);
    await page.goto(`${site}/`);
    await logIn(page);
    await expectProfile(page);
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.getByRole('button', { name: 'Create passkey', exact: true }).click();
    await eventually(async () => assert.equal(await text(page.locator('#passkeys-status')), 'Passkey added.'));
    const [held] = await authenticator.credentials();
    assert.equal(held.rpId, 'example.test');
    await logOut(page);
    await page.goto(`${sibling}/`);
    await expectPage(page, '/', 'Log in');
    await passkeySignIn(page);
    await eventually(async () => assert.equal(await text(page.locator('#form-error')),
      'This passkey was not accepted. Try another one, or log in with your password.'));
    // The browser did sign: the server refused the origin.
    assert.equal((await authenticator.credentials())[0].signCount, held.signCount + 1);
    assert.match(srv.log(), /audit event="login_failed" [^\n]* reason="origin not allowed"/);
    await page.goto(`${site}/`);
    await passkeySignIn(page);
    await expectProfile(page, DEMO);
    assertClean(page);
  });
});
