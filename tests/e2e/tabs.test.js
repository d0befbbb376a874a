'use strict';
// Logging out in one tab logs out the others; logging in in one takes the
// others to the profile. Once over BroadcastChannel, once over the storage
// event the app falls back to without it.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  assertClean, eventually, expectPage, expectProfile, logIn, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');

const CHANNELS = [
  { name: 'BroadcastChannel', hasBroadcastChannel: true },
  { name: 'storage event fallback', hasBroadcastChannel: false },
];

for (const kind of serverKinds()) {
  for (const channel of CHANNELS) {
    describe(`several tabs, ${channel.name} [${kind}]`, () => {
      const server = useServer(kind);
      const browser = useBrowser();
      let first;
      let second;

      it('opens two tabs on the profile', async () => {
        const { baseURL } = server();
        const context = await browser();
        if (!channel.hasBroadcastChannel) {
          await context.addInitScript(() => { delete window.BroadcastChannel; });
        }
        first = await newPage(context);
        await logInFromStart(first, baseURL);
        second = await newPage(context);
        await second.goto(`${baseURL}/profile`);
        await expectProfile(second);
        assert.equal(await second.evaluate(() => typeof window.BroadcastChannel),
          channel.hasBroadcastChannel ? 'function' : 'undefined');
      });

      it('logs out the other tab with a message', async () => {
        await first.getByRole('button', { name: 'Log out', exact: true }).click();
        await expectPage(first, '/login', 'Log in');
        assert.equal(await text(first.locator('#notice')), 'You have logged out.');
        await expectPage(second, '/login', 'Log in');
        assert.equal(await text(second.locator('#notice')), 'You were logged out in another tab.');
        assertClean(first);
        assertClean(second);
      });

      it('takes the other tab to the profile when logging in again', async () => {
        await logIn(first);
        await expectProfile(first);
        await eventually(() => expectProfile(second), { timeout: 10000 });
        assert.equal(await second.locator('#notice').count(), 0);
        assertClean(first);
        assertClean(second);
      });
    });
  }
}
