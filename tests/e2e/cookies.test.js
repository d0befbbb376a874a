'use strict';
// What page scripts can see of the session: never the access or refresh
// token, always the two CSRF tokens (they have to be echoed in a header).
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

    it('sets HttpOnly access and refresh tokens and readable CSRF tokens, SameSite=Lax', async () => {
      const { baseURL } = server();
      await logIn(page);
      await expectProfile(page);
      // Every cookie of the site, whatever its path.
      const all = Object.fromEntries((await page.context().cookies()).map((cookie) => [cookie.name, cookie]));
      assert.deepEqual(Object.keys(all).sort(),
        ['access_token_cookie', 'csrf_access_token', 'csrf_refresh_token', 'refresh_token_cookie']);
      const {
        access_token_cookie: access, csrf_access_token: csrf,
        refresh_token_cookie: refresh, csrf_refresh_token: refreshCsrf,
      } = all;
      assert.equal(access.httpOnly, true);
      assert.equal(refresh.httpOnly, true);
      assert.equal(csrf.httpOnly, false);
      assert.equal(refreshCsrf.httpOnly, false);
      assert.equal(access.path, '/');
      assert.equal(csrf.path, '/');
      assert.equal(refreshCsrf.path, '/');
      // The refresh token only ever travels to the refresh endpoint.
      assert.equal(refresh.path, '/api/refresh');
      for (const cookie of [access, csrf, refresh, refreshCsrf]) {
        assert.equal(cookie.sameSite, 'Lax');
        assert.equal(cookie.domain, '127.0.0.1');
        assert.notEqual(cookie.value, '');
      }
      // JWTs: three base64url parts.
      for (const token of [access, refresh]) {
        assert.match(token.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      }
      assert.notEqual(csrf.value, refreshCsrf.value);
      // What pages under / are sent: not the refresh token.
      assert.deepEqual(Object.keys(await cookieMap(page.context(), baseURL)).sort(),
        ['access_token_cookie', 'csrf_access_token', 'csrf_refresh_token']);
    });

    it('lets document.cookie read the CSRF tokens and never the access or refresh token', async () => {
      const { baseURL } = server();
      const jar = await cookieMap(page.context(), baseURL);
      const expected = [`csrf_access_token=${jar.csrf_access_token.value}`,
        `csrf_refresh_token=${jar.csrf_refresh_token.value}`];
      const seen = async () => (await documentCookie(page)).split('; ').sort();
      assert.deepEqual(await seen(), expected);
      await page.reload();
      await expectProfile(page);
      assert.deepEqual(await seen(), expected);
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
      assert.deepEqual(await page.context().cookies(), []);
      assertClean(page);
    });
  });
}
