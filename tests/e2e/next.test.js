'use strict';
// /login?next=PATH: after a login the app goes to PATH when, and only when,
// it is a path of this site (one "/", no scheme, no backslash, no control
// character, and it resolves to this origin): in the app for its own pages,
// by loading the page for the server's (/members/). Anything else goes to
// /profile, and nothing ever leaves the origin: no request elsewhere, no
// navigation elsewhere, no script run. A visit to /members/ without a
// session is the server's 302 to /login?next=/members/ (the authorizer's),
// and back there after the login.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, assertClean, eventually, expectPage, expectProfile, logIn, newPage, text, useBrowser,
} = require('./lib/page.js');

// Values of `next` (as the page reads them, decoded) that must not be
// followed.
const HOSTILE = [
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  'https://evil.example',
  'http:evil.example',
  'HTTPS://evil.example/members/',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '%2F%2Fevil.example',
  '/%2F/evil.example',
  '/%5Cevil.example',
  '/%0d%0a',
  '/\r\nSet-Cookie: x=1',
  '/\t/evil.example',
  ' //evil.example',
  '///evil.example',
  '/.//evil.example',
  '/.//evil.example/members/',
  '/..//evil.example/members/',
  '/members/..//evil.example/x',
  '/%2e%2e//evil.example/members/',
  'evil.example',
  '',
];

// Watches `page` for anything that leaves `baseURL`'s origin: requests,
// main-frame navigations, and dialogs (a javascript: URL that ran).
function watchOrigin(page, baseURL) {
  const origin = new URL(baseURL).origin;
  const escaped = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) escaped.push(`request ${request.url()}`);
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && !frame.url().startsWith(`${origin}/`)) escaped.push(`navigation ${frame.url()}`);
  });
  page.on('dialog', (dialog) => {
    escaped.push(`dialog ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return escaped;
}

// Logged out, opens /login?QUERY and logs in. Returns false, without
// logging in, when the server refuses that address itself (lighttpd
// answers 400 to %0d%0a in a query): no app runs then, nothing to follow.
async function logInWithQuery(page, baseURL, query) {
  await page.context().clearCookies();
  const response = await page.goto(`${baseURL}/login?${query}`);
  if (response.status() === 400) return false;
  assert.equal(response.status(), 200, query);
  await expectPage(page, '/login', 'Log in');
  await logIn(page);
  return true;
}

for (const kind of serverKinds()) {
  describe(`return after login: /login?next= [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;
    let escaped;

    it('goes to /profile in the app for next=/profile, without loading a page', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      escaped = watchOrigin(page, baseURL);
      await page.context().clearCookies();
      await page.goto(`${baseURL}/login?next=${encodeURIComponent('/profile')}`);
      await expectPage(page, '/login', 'Log in');
      await page.evaluate(() => { window.stillThisDocument = true; });
      await logIn(page);
      await expectProfile(page);
      assert.equal(page.url(), `${baseURL}/profile`);
      assert.equal(await page.evaluate(() => window.stillThisDocument), true, 'the page was loaded again');
      assert.deepEqual(escaped, []);
      assertClean(page);
    });

    it('loads a page the server serves, like /members/, keeping its query and fragment', async () => {
      const { baseURL } = server();
      for (const target of ['/members/', '/members/index.html?from=login#top']) {
        await logInWithQuery(page, baseURL, `next=${encodeURIComponent(target)}`);
        await page.waitForURL(`${baseURL}${target}`);
        await eventually(async () => assert.equal(await text(page.locator('h1')), 'Members only'));
      }
      // Unencoded in the address, as a server's redirect may write it.
      await logInWithQuery(page, baseURL, 'next=/members/');
      await page.waitForURL(`${baseURL}/members/`);
      await eventually(async () => assert.equal(await text(page.locator('h1')), 'Members only'));
      assert.deepEqual(escaped, []);
    });

    it('goes to /profile for the login pages themselves, and without next', async () => {
      const { baseURL } = server();
      for (const query of ['next=%2F', 'next=%2Flogin', 'next=%2Flogin%3Fnext%3D%252Fmembers%252F', 'other=1', '']) {
        await logInWithQuery(page, baseURL, query);
        await expectProfile(page);
        assert.equal(page.url(), `${baseURL}/profile`, query);
      }
      assert.deepEqual(escaped, []);
    });

    it('never follows a next that is not a path of this site', async () => {
      const { baseURL } = server();
      const refusedByServer = [];
      for (const value of HOSTILE) {
        // Encoded as a form would, and as it stands (the browser encodes
        // only what it must).
        for (const query of [`next=${encodeURIComponent(value)}`, `next=${value}`]) {
          if (!(await logInWithQuery(page, baseURL, query))) {
            refusedByServer.push(query);
            continue;
          }
          await expectProfile(page);
          assert.equal(page.url(), `${baseURL}/profile`, `next ${JSON.stringify(value)} as ${query}`);
        }
      }
      assert.deepEqual(escaped, []);
      // A server may refuse control characters in a query (lighttpd
      // answers 400), but nothing else.
      const control = /[\u0000-\u001f\u007f]/;
      assert.deepEqual(refusedByServer.filter((query) => !control.test(new URLSearchParams(query).get('next'))), []);
      assertClean(page);
    });

    it('goes to /profile when already logged in, whatever next says', async () => {
      const { baseURL } = server();
      // Logged in from the last test: no login happens here, so nothing
      // to return to (and no loop with a server that sent the user here).
      await page.goto(`${baseURL}/login?next=${encodeURIComponent('/members/')}`);
      await expectProfile(page);
      assert.equal(new URL(page.url()).pathname, '/profile');
      assert.deepEqual(escaped, []);
    });

    it('sends a visit to /members/ without a session to log in, and back there after', async () => {
      const { baseURL } = server();
      await page.context().clearCookies();
      for (const target of ['/members/', '/members/index.html?from=mail']) {
        await page.context().clearCookies();
        const response = await page.goto(`${baseURL}${target}`);
        // The server's 302, followed: the login page with the page to return to.
        assert.equal(response.request().redirectedFrom().url(), `${baseURL}${target}`);
        assert.equal((await response.request().redirectedFrom().response()).status(), 302);
        assert.equal(new URL(page.url()).searchParams.get('next'), target);
        await expectPage(page, '/login', 'Log in');
        await logIn(page);
        await page.waitForURL(`${baseURL}${target}`);
        await eventually(async () => assert.equal(await text(page.locator('h1')), 'Members only'));
        // The greeting, from SSI (Apache) or from /api/profile (lighttpd).
        await eventually(async () => assert.equal(await page.locator('#greeting').isVisible(), true));
        assert.equal(await text(page.locator('#email')), DEMO.email);
        assert.equal(await text(page.locator('#name')), DEMO.name);
        assert.equal((await text(page.locator('#greeting'))).replace(/\s+/g, ' '),
          `Signed in as ${DEMO.email} (${DEMO.name}).`);
      }
      // A script asking for the same page is told why, not redirected.
      await page.context().clearCookies();
      const answer = await page.evaluate(async () => {
        const r = await fetch('/members/', { redirect: 'manual' });
        return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
      });
      assert.deepEqual(answer, { status: 401, type: 'application/json',
        body: '{"msg":"Missing cookie \\"access_token_cookie\\""}\n' });
      assert.deepEqual(escaped, []);
      assertClean(page);
    });
  });
}
