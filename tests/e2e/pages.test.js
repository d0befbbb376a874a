'use strict';
// Every page names itself in the document title (WCAG 2.4.2), as
// "PAGE – latchkey", on a page load and after each in-app navigation; an
// unknown path shows the "Page not found" page.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  assertClean, eventually, expectPage, expectProfile, logIn, newPage, useBrowser,
} = require('./lib/page.js');

const TITLES = {
  login: 'Log in – latchkey',
  profile: 'Profile – latchkey',
  notFound: 'Page not found – latchkey',
};

async function expectTitle(page, title) {
  await eventually(async () => assert.equal(await page.title(), title));
}

for (const kind of serverKinds()) {
  describe(`page titles and the not-found page [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('calls the login page "Log in – latchkey" at / and /login', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      await expectTitle(page, TITLES.login);
      await page.goto(`${baseURL}/login`);
      await expectPage(page, '/login', 'Log in');
      await expectTitle(page, TITLES.login);
      assertClean(page);
    });

    it('shows "Page not found" with its title for unknown paths, and goes back in the app', async () => {
      const { baseURL } = server();
      for (const unknown of ['/no/such/page', '/profile/extra', '/login/', '/index.htm']) {
        await page.goto(`${baseURL}${unknown}`);
        await expectPage(page, unknown, 'Page not found');
        await expectTitle(page, TITLES.notFound);
      }
      await page.getByRole('link', { name: 'Go to the start page', exact: true }).click();
      await expectPage(page, '/', 'Log in');
      await expectTitle(page, TITLES.login);
      assertClean(page);
    });

    it('calls the profile "Profile – latchkey" after logging in, on reload and from a deep link', async () => {
      const { baseURL } = server();
      await logIn(page);
      await expectProfile(page);
      await expectTitle(page, TITLES.profile);
      await page.reload();
      await expectProfile(page);
      await expectTitle(page, TITLES.profile);
      const other = await newPage(page.context());
      await other.goto(`${baseURL}/profile`);
      await expectProfile(other);
      await expectTitle(other, TITLES.profile);
      await other.close();
      assertClean(page);
    });

    it('changes the title with in-app navigation: back and forward, and logging out', async () => {
      const { baseURL } = server();
      await page.goto(`${baseURL}/elsewhere`);
      await expectTitle(page, TITLES.notFound);
      await page.goto(`${baseURL}/profile`);
      await expectProfile(page);
      await page.goBack();
      await expectPage(page, '/elsewhere', 'Page not found');
      await expectTitle(page, TITLES.notFound);
      await page.goForward();
      await expectProfile(page);
      await expectTitle(page, TITLES.profile);
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await expectPage(page, '/login', 'Log in');
      await expectTitle(page, TITLES.login);
      assertClean(page);
    });
  });
}
