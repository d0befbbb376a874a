'use strict';
// What page scripts can see of the session: never the access token, always
// the CSRF token (it has to be echoed in a header).
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  assertClean, cookieMap, expectPage, expectProfile, logIn, newPage, useBrowser,
} = require('./lib/page.js');

const documentCookie = (page) => page.evaluate(() => document.cookie);

for (const kind of serverKinds()) {
  describe(`cookies seen from the page [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('shows no cookie at all before logging in', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      assert.equal(await documentCookie(page), '');
    });

    it('sets an HttpOnly access token and a readable CSRF token, both Path=/ and SameSite=Lax', async () => {
      const { baseURL } = server();
      await logIn(page);
      await expectProfile(page);
      const jar = await cookieMap(page.context(), baseURL);
      assert.deepEqual(Object.keys(jar).sort(), ['access_token_cookie', 'csrf_access_token']);
      const { access_token_cookie: access, csrf_access_token: csrf } = jar;
      assert.equal(access.httpOnly, true);
      assert.equal(csrf.httpOnly, false);
      for (const cookie of [access, csrf]) {
        assert.equal(cookie.path, '/');
        assert.equal(cookie.sameSite, 'Lax');
        assert.equal(cookie.domain, '127.0.0.1');
      }
      // A JWT: three base64url parts.
      assert.match(access.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.notEqual(csrf.value, '');
    });

    it('lets document.cookie read the CSRF token and never the access token', async () => {
      const { baseURL } = server();
      const { csrf_access_token: csrf } = await cookieMap(page.context(), baseURL);
      assert.equal(await documentCookie(page), `csrf_access_token=${csrf.value}`);
      await page.reload();
      await expectProfile(page);
      assert.equal(await documentCookie(page), `csrf_access_token=${csrf.value}`);
    });

    it('does not let a script overwrite the HttpOnly access token', async () => {
      const { baseURL } = server();
      const before = (await cookieMap(page.context(), baseURL)).access_token_cookie.value;
      await page.evaluate(() => { document.cookie = 'access_token_cookie=forged; Path=/'; });
      assert.equal((await cookieMap(page.context(), baseURL)).access_token_cookie.value, before);
      assert.doesNotMatch(await documentCookie(page), /access_token_cookie/);
      await page.reload();
      await expectProfile(page);
      assertClean(page);
    });

    it('leaves no cookie behind after logging out', async () => {
      const { baseURL } = server();
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      assert.equal(await documentCookie(page), '');
      assert.deepEqual(Object.keys(await cookieMap(page.context(), baseURL)), []);
      assertClean(page);
    });
  });
}
