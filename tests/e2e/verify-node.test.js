'use strict';
// The app on make run-cluster's verify-only node (scripts/run-cluster,
// started for real: PostgreSQL and three lighttpd nodes): what the server
// says is what the page says ("This node cannot issue tokens", not a
// guess), and logging out there signs the browser out although the node
// cannot end the session, with a notice saying so. Cookies belong to the
// host, not the port: a login on node 1 is the session node 3 sees.
const assert = require('node:assert/strict');
const { describe, it, before, after } = require('node:test');
const { startCluster } = require('../cluster/cluster.js');
const { request } = require('../lib/http.js');
const {
  DEMO, assertClean, cookieMap, eventually, expectPage, expectProfile, logIn, logInFromStart, newPage, text,
  useBrowser,
} = require('./lib/page.js');

const NOT_ENDED = 'You are logged out in this browser, but the server could not end the session '
  + '(This node cannot revoke tokens): it stays valid until it expires. To end it now, log in again '
  + 'and log it out under “Sessions”.';

describe('the app on a verify-only node (make run-cluster)', () => {
  let cluster;
  let full;
  let verify;
  before(async () => {
    cluster = await startCluster();
    [full, , verify] = cluster.nodes.map((n) => n.baseURL);
    assert.match(cluster.out(), /node 3 http:\/\/127\.0\.0\.1:\d+ \(verify-only/);
  });
  after(async () => { await cluster?.stop(); });
  const browser = useBrowser();
  let page;

  it('says why a login there cannot be made', async () => {
    page = await newPage(await browser());
    await page.goto(`${verify}/`);
    await expectPage(page, '/', 'Log in');
    await logIn(page);
    await eventually(async () => assert.equal(await text(page.locator('#form-error')),
      'The server could not do this: This node cannot issue tokens (HTTP 503).'));
    assert.equal((await cookieMap(page.context(), verify)).access_token_cookie, undefined);
    assertClean(page);
  });

  it('shows the profile of a session made on a full node, and says why the name cannot be saved there', async () => {
    await logInFromStart(page, full);
    await page.goto(`${verify}/profile`);
    await expectProfile(page);
    await page.getByLabel('New name', { exact: true }).fill('Jane Roe');
    await page.getByRole('button', { name: 'Save name', exact: true }).click();
    await eventually(async () => assert.equal(await text(page.locator('#form-error')),
      'The server could not do this: Service unavailable (HTTP 503).'));
    assert.equal(await text(page.locator('#profile-name')), DEMO.name);
    assertClean(page);
  });

  it('logs out there: this browser signed out, with a notice that the session goes on', async () => {
    const before = await cookieMap(page.context(), verify);
    assert.ok(before.access_token_cookie && before.csrf_access_token);
    const copy = `access_token_cookie=${before.access_token_cookie.value}`;
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await expectPage(page, '/login', 'Log in');
    const notice = page.locator('#notice');
    await eventually(async () => assert.equal(await text(notice), NOT_ENDED));
    assert.equal(await notice.getAttribute('role'), 'alert');
    // The server cleared the four cookies (the refresh one on its path).
    const after = await cookieMap(page.context(), verify);
    for (const name of ['access_token_cookie', 'csrf_access_token', 'csrf_refresh_token']) {
      assert.equal(after[name], undefined, name);
    }
    assert.equal((await cookieMap(page.context(), `${verify}/api/refresh`)).refresh_token_cookie, undefined);
    // A reload agrees: nobody is logged in here.
    await page.goto(`${verify}/profile`);
    await expectPage(page, '/login', 'Log in');
    // The session itself goes on, as the notice says, and a full node
    // ends it.
    assert.equal((await request(full, { path: '/api/profile', cookie: copy })).status, 200);
    const out = await request(full, { method: 'POST', path: '/api/logout', cookie: copy, body: {} });
    assert.equal(out.status, 200, out.body);
    assert.equal((await request(verify, { path: '/api/profile', cookie: copy })).status, 401);
    assertClean(page);
  });
});
