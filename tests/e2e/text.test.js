'use strict';
// Errors are told apart from hints in forced-colours mode (where the
// system's colours replace the app's red): each starts with a visible
// "Error:", part of what a screen reader reads too. Text fields take
// dir="auto", and the name field refuses bidi controls and other invisible
// format characters in the page.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const {
  DEMO, activeElementId, assertClean, eventually, expectPage, logIn, logInFromStart, newPage, text, useBrowser,
} = require('./lib/page.js');

// How far the first character of `selector`'s own text sits to the right
// of where its content box starts: the width of what is drawn before it
// (the generated "Error: "), 0 for a hint.
async function textIndent(page, selector) {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    const node = [...element.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
    const range = document.createRange();
    range.setStart(node, 0);
    range.setEnd(node, 1);
    const style = getComputedStyle(element);
    const contentLeft = element.getBoundingClientRect().left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
    return range.getClientRects()[0].left - contentLeft;
  }, selector);
}

async function prefixOf(page, selector) {
  return page.evaluate((sel) => {
    const style = getComputedStyle(document.querySelector(sel), '::before');
    return { content: style.content, display: style.display, visibility: style.visibility, position: style.position };
  }, selector);
}

const ERROR_PREFIX = { content: '"Error: "', display: 'inline', visibility: 'visible', position: 'static' };

// The accessible description of the input with `id`, as Chromium's
// accessibility tree has it.
async function accessibleDescription(page, id) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const { node } = await cdp.send('DOM.describeNode', {
      objectId: (await cdp.send('Runtime.evaluate', { expression: `document.getElementById(${JSON.stringify(id)})` })).result.objectId,
    });
    const found = nodes.find((n) => n.backendDOMNodeId === node.backendNodeId);
    return found && found.description ? found.description.value : '';
  } finally {
    await cdp.detach();
  }
}

// Bidi embeddings and overrides, isolates, and the direction marks; and
// the other format characters that show nothing (soft hyphen, zero-width
// space, word joiner and invisible operators, deprecated format controls,
// byte order mark, interlinear annotations).
const FORMAT_CHARACTERS = [
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c,
  0x00ad, 0x180e, 0x200b, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206f, 0xfeff, 0xfff9,
  0xfffb,
];
const NAME_INVISIBLE = 'The name contains invisible characters that are not allowed, such as marks that change the direction of text. Type the name again without them.';

for (const kind of serverKinds({ rendering: true })) {
  describe(`errors in forced colours [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser({ forcedColors: 'active' });
    let page;

    it('starts every error with a visible "Error:", and no hint', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      assert.equal(await page.evaluate(() => matchMedia('(forced-colors: active)').matches), true);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page.locator('#email-error').waitFor();
      for (const id of ['email-error', 'password-error']) {
        assert.deepEqual(await prefixOf(page, `#${id}`), ERROR_PREFIX, id);
        assert.ok(await textIndent(page, `#${id}`) > 20, `${id}: nothing visible before its text`);
      }
      assert.equal(await page.locator('#email-error').ariaSnapshot(), '- paragraph: "Error: Enter your email address."');
      assert.equal(await accessibleDescription(page, 'email'), 'Error: Enter your email address.');

      await logIn(page, DEMO.email, 'wrong-password');
      await eventually(async () => assert.equal(await text(page.locator('#form-error')), 'Wrong email or password.'));
      assert.deepEqual(await prefixOf(page, '#form-error'), ERROR_PREFIX);
      assert.ok(await textIndent(page, '#form-error') > 20);
      assert.equal(await page.locator('#form-error').ariaSnapshot(), '- alert: "Error: Wrong email or password."');

      await logIn(page);
      await page.locator('#new-password-hint').waitFor();
      // A hint is no error.
      assert.equal((await prefixOf(page, '#new-password-hint')).content, 'none');
      assert.ok(Math.abs(await textIndent(page, '#new-password-hint')) < 1);
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await page.locator('#current-password-error').waitFor();
      assert.deepEqual(await prefixOf(page, '#new-password-error'), ERROR_PREFIX);
      assert.equal((await prefixOf(page, '#new-password-hint')).content, 'none');
      assertClean(page);
    });
  });

  describe(`text direction and invisible characters in names [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    let page;

    it('gives every text field dir="auto"', async () => {
      const { baseURL } = server();
      page = await newPage(await browser());
      await page.goto(`${baseURL}/`);
      await expectPage(page, '/', 'Log in');
      const loginFields = await page.locator('input:not([type="checkbox"])').evaluateAll(
        (inputs) => inputs.map((input) => `${input.id} ${input.getAttribute('dir')}`));
      assert.deepEqual(loginFields, ['email auto', 'password auto']);
      await logInFromStart(page, baseURL);
      const profileFields = await page.locator('input:not([type="checkbox"])').evaluateAll(
        (inputs) => inputs.map((input) => `${input.id || input.name} ${input.getAttribute('dir')}`));
      assert.deepEqual(profileFields, [
        'name auto', 'username auto', 'current-password auto', 'new-password auto', 'confirm-password auto',
      ]);
      const name = page.getByLabel('New name', { exact: true });
      await name.fill('سارة');
      assert.equal(await name.evaluate((input) => input.matches(':dir(rtl)')), true);
      await name.fill('Sarah');
      assert.equal(await name.evaluate((input) => input.matches(':dir(ltr)')), true);
    });

    it('refuses bidi controls and other format characters in a name, at the field, without a request', async () => {
      const patches = [];
      const listener = (request) => { if (request.method() === 'PATCH') patches.push(request); };
      page.on('request', listener);
      const name = page.getByLabel('New name', { exact: true });
      for (const code of [...FORMAT_CHARACTERS, 0x09, 0x7f, 0x85]) {
        const character = String.fromCodePoint(code);
        await name.fill(`Jane${character}Roe`);
        assert.equal(await name.inputValue(), `Jane${character}Roe`, `U+${code.toString(16)} did not get in`);
        await page.getByRole('button', { name: 'Save name', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#name-error')), NAME_INVISIBLE),
          { timeout: 3000 });
        assert.equal(await name.getAttribute('aria-invalid'), 'true', `U+${code.toString(16)}`);
        assert.equal(await activeElementId(page), 'name');
        // Cleared for the next one, so each refusal is its own.
        await name.fill('');
        await page.getByRole('button', { name: 'Save name', exact: true }).click();
        await eventually(async () => assert.equal(await text(page.locator('#name-error')), 'Enter a name.'));
      }
      page.off('request', listener);
      assert.deepEqual(patches.map((r) => r.postData()), []);
      assert.equal(await page.locator('#form-error').count(), 0);
      assert.equal(await text(page.locator('#profile-name')), DEMO.name);
    });

    it('takes a right-to-left name without such characters', async () => {
      const name = page.getByLabel('New name', { exact: true });
      await name.fill('سارة بنت علي');
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), 'سارة بنت علي'));
      assert.equal(await page.locator('#name-error').count(), 0);
      await name.fill(DEMO.name);
      await page.getByRole('button', { name: 'Save name', exact: true }).click();
      await eventually(async () => assert.equal(await text(page.locator('#profile-name')), DEMO.name));
      assertClean(page);
    });
  });
}
