'use strict';
// Too many wrong passwords: the server answers 429 with Retry-After, and the
// login page says how long to wait. On a server of its own, since the
// throttle would spoil the other tests' logins.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, logIn, newPage, text, useBrowser,
} = require('./lib/page.js');

// More wrong passwords than any sane throttle allows.
const MAX_ATTEMPTS = 30;

function expectedMessage(retryAfter) {
  const seconds = Number(retryAfter);
  if (seconds < 120) return `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  return `Too many attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

for (const kind of serverKinds()) {
  describe(`too many attempts [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();

    it('tells the user to wait, for as long as Retry-After says', async () => {
      const { baseURL } = server();
      const page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      let throttled = null;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && !throttled; attempt += 1) {
        const answer = page.waitForResponse(`${baseURL}/api/login`);
        await logIn(page, DEMO.email, `wrong-${attempt}`);
        const response = await answer;
        if (response.status() === 429) throttled = response;
        else assert.equal(response.status(), 401, `attempt ${attempt}`);
        await eventually(async () => assert.equal(
          await page.getByRole('button', { name: 'Log in', exact: true }).isEnabled(), true));
      }
      assert.ok(throttled, `still no 429 after ${MAX_ATTEMPTS} wrong passwords`);
      const retryAfter = await throttled.headerValue('retry-after');
      assert.match(retryAfter || '', /^[1-9][0-9]*$/, 'Retry-After is not a number of seconds');
      assert.equal(typeof (await throttled.json()).msg, 'string');
      await eventually(async () => assert.equal(await text(page.locator('#form-error')), expectedMessage(retryAfter)));
      assert.equal(await activeElementId(page), 'form-error');
      assertClean(page);
    });
  });
}
