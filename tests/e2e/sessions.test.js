'use strict';
// The profile's "Sessions" in two browsers signed in to one account: each
// sees both, this one marked; "Log out" on the other's row ends it there
// (its next request finds the session gone), and so does "Log out other
// sessions".
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  assertClean, eventually, expectPage, expectProfile, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');
const { assertNoViolations } = require('./lib/axe.js');

const OUTPUT = path.join(__dirname, 'output');

async function rows(page) {
  return page.locator('#session-list .item').count();
}

for (const kind of serverKinds()) {
  describe(`a user's sessions in two browsers [${kind}]`, () => {
    const server = useServer(kind);
    const first = useBrowser();
    const second = useBrowser({ userAgent: 'Second Browser/1.0' });
    let a;
    let b;

    it('lists both, this one marked', async () => {
      const { baseURL } = server();
      a = await newPage(await first());
      b = await newPage(await second());
      await logInFromStart(a, baseURL);
      await logInFromStart(b, baseURL);
      await a.reload();
      await expectProfile(a);
      await eventually(async () => assert.equal(await rows(a), 2));
      const current = a.locator('#session-list .item', { hasText: '(this device)' });
      assert.equal(await current.count(), 1);
      assert.equal(await current.getByRole('button').count(), 0);
      const other = a.locator('#session-list .item', { hasText: 'Second Browser/1.0' });
      assert.match(await text(other.locator('.item-detail')), /^127\.0\.0\.1 · signed in .+ · last active .+$/);
      await other.getByRole('button', { name: 'Log out Second Browser/1.0, 127.0.0.1', exact: true }).waitFor();
      await a.getByRole('button', { name: 'Log out other sessions', exact: true }).waitFor();
      await assertNoViolations(a, 'the profile with two sessions');
      fs.mkdirSync(OUTPUT, { recursive: true });
      await a.screenshot({ path: path.join(OUTPUT, `${kind}-sessions.png`), fullPage: true });
      assertClean(a);
    });

    it('logs the other browser out from its row', async () => {
      await a.getByRole('button', { name: 'Log out Second Browser/1.0, 127.0.0.1', exact: true }).click();
      await eventually(async () => assert.equal(await text(a.locator('#sessions-status')), 'That session has been logged out.'));
      await eventually(async () => assert.equal(await rows(a), 1));
      assert.equal(await text(a.locator('#sessions-alone')), 'No other device is signed in.');
      assert.equal(await a.evaluate(() => document.activeElement.id), 'sessions-heading');
      // The other browser's next request finds its session ended.
      await b.getByRole('button', { name: 'Save name', exact: true }).click();
      await expectPage(b, '/login', 'Log in');
      await eventually(async () => assert.equal(await text(b.locator('#notice')),
        'Your session has ended. Please log in again.'));
      assertClean(a);
    });

    it('logs every other browser out at once', async () => {
      const { baseURL } = server();
      await logInFromStart(b, baseURL);
      await a.reload();
      await expectProfile(a);
      await eventually(async () => assert.equal(await rows(a), 2));
      await a.getByRole('button', { name: 'Log out other sessions', exact: true }).click();
      await eventually(async () => assert.equal(await text(a.locator('#sessions-status')),
        'Your other sessions have been logged out.'));
      await eventually(async () => assert.equal(await rows(a), 1));
      await b.reload();
      await expectPage(b, '/login', 'Log in');
      // This browser's own session goes on.
      await a.reload();
      await expectProfile(a);
      assertClean(a);
      assertClean(b);
    });
  });
}
