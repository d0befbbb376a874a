'use strict';
// A page the site's access rules keep a signed-in user out of: the
// authorizer's 302 to /login?next=PAGE&denied=REASON, and the app saying
// why (a second factor wanted, or no access for this account), with a way
// to log out and log in again that comes back to the page; without a
// session, the login page says the same before the login.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, logIn, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');

const RULES = 'two_factor path=/members/admin/\n'
  + 'deny path=/members/closed/\n'
  + 'one_factor path=/members/\n';

const SECOND = 'The page you asked for needs a login with a second factor: a code from your '
  + 'authenticator app, a recovery code, or a passkey. Log out and log in again with one. If you '
  + 'have none yet, set one up on your profile first.';
const NO_ACCESS = 'Your account may not open the page you asked for. To open it, log out and log in '
  + 'with an account that may.';

// Follows the server's answer to `target`: its 302 and where it went.
async function visit(page, baseURL, target) {
  const response = await page.goto(`${baseURL}${target}`);
  const first = response.request().redirectedFrom();
  return { status: first ? (await first.response()).status() : response.status(), url: page.url() };
}

for (const kind of serverKinds()) {
  describe(`a page the access rules refuse [${kind}]`, () => {
    const server = useServer(kind, { config: 'access_rules = access.rules\n' });
    const browser = useBrowser();
    let page;

    it('writes the rules', () => {
      const file = path.join(server().dir, 'access.rules');
      fs.writeFileSync(file, RULES);
      fs.chmodSync(file, 0o644);
    });

    it('one factor where two are wanted: says so, and logs in again back to the page', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await logInFromStart(page, baseURL);
      const got = await visit(page, baseURL, '/members/admin/?x=1');
      assert.equal(got.status, 302);
      assert.equal(got.url, `${baseURL}/login?next=/members/admin/%3Fx%3D1&denied=second_factor`);
      await expectPage(page, '/login', 'Second factor required');
      assert.equal(await page.title(), 'Second factor required – latchkey');
      assert.equal(await text(page.locator('main p').first()), SECOND);
      assert.equal(await text(page.locator('main strong')), DEMO.email);
      await page.getByRole('button', { name: 'Log out and log in again' }).click();
      await expectPage(page, '/login', 'Log in');
      assert.equal(await text(page.locator('#notice')), 'The page you asked for needs a login with a '
        + 'second factor: your password and a code from your authenticator app, or a passkey.');
      const names = (await page.context().cookies(baseURL)).map((c) => c.name);
      assert.ok(!names.includes('access_token_cookie'), names.join());
      // The password alone is one factor again: back to the page, and
      // the same answer.
      await logIn(page);
      await page.waitForURL(`${baseURL}/login?next=/members/admin/%3Fx%3D1&denied=second_factor`);
      await expectPage(page, '/login', 'Second factor required');
      assertClean(page);
    });

    it('no access at all: says so, and the profile is a link away', async () => {
      const { baseURL } = server();
      const got = await visit(page, baseURL, '/members/closed/');
      assert.equal(got.status, 302);
      assert.equal(got.url, `${baseURL}/login?next=/members/closed/&denied=access`);
      await expectPage(page, '/login', 'Access denied');
      assert.equal(await text(page.locator('main p').first()), NO_ACCESS);
      await page.getByRole('link', { name: 'Go to your profile' }).click();
      await expectProfile(page);
      // What the rules allow is served as ever.
      await page.goto(`${baseURL}/members/`);
      await eventually(async () => assert.equal(await text(page.locator('h1')), 'Members only'));
      assertClean(page);
    });

    it('without a session, the login page says why before the login', async () => {
      const { baseURL } = server();
      await page.context().clearCookies();
      await page.goto(`${baseURL}/login?next=%2Fmembers%2Fclosed%2F&denied=access`);
      await expectPage(page, '/login', 'Log in');
      assert.equal(await text(page.locator('#notice')), 'The page you asked for is not open to the '
        + 'account you used. Log in with one it is open to.');
      // An unknown reason is no reason: the plain login page.
      await page.goto(`${baseURL}/login?denied=other`);
      await expectPage(page, '/login', 'Log in');
      assert.equal(await page.locator('#notice').count(), 0);
      // Signed in with an unknown reason: on to the profile, as ever.
      await logIn(page);
      await expectProfile(page);
      assertClean(page);
    });
  });
}
