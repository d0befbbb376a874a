'use strict';
// Helpers for driving the app the way a person does: by labels, roles and
// visible text.
const assert = require('node:assert/strict');
const { openBrowser } = require('./browser.js');
const { after } = require('node:test');

const DEMO = Object.freeze({ email: 'test@example.com', password: 'password123', name: 'John Doe' });

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
  + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs `check` until it stops throwing or `timeout` ms pass; then rethrows its
// last failure. For assertions about a page that is still settling.
async function eventually(check, { timeout = 5000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(interval);
  }
}

// Inside a describe(): a browser of its own for the tests that follow,
// opened on first use and closed after them. `options` go to openBrowser.
function useBrowser(options = {}) {
  let opened = null;
  after(async () => {
    if (opened) await (await opened).close();
  });
  return async () => {
    if (!opened) opened = openBrowser(options);
    return (await opened).context;
  };
}

// Opens a page that records what must never happen: uncaught script errors
// and Content-Security-Policy violations. `assertClean(page)` checks them.
async function newPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (execute|load|apply|evaluate|connect|frame)/.test(text)) {
      problems.push(`CSP: ${text}`);
    }
  });
  page.problems = problems;
  return page;
}

function assertClean(page) {
  assert.deepEqual(page.problems, [], 'the page had script errors or CSP violations');
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function text(locator) {
  return (await locator.textContent()).trim();
}

// Waits until the page shows heading `title` at `path`.
async function expectPage(page, path, title) {
  await eventually(async () => {
    assert.equal(pathOf(page), path);
    assert.equal(await text(page.locator('h1')), title);
  });
}

async function expectProfile(page, user = DEMO) {
  await expectPage(page, '/profile', 'Your profile');
  assert.equal(await text(page.locator('#profile-email')), user.email);
  assert.equal(await text(page.locator('#profile-name')), user.name);
}

async function fillLogin(page, email, password) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
}

async function logIn(page, email = DEMO.email, password = DEMO.password) {
  await fillLogin(page, email, password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

// Logs in from the start page and waits for the profile.
async function logInFromStart(page, baseURL) {
  await page.goto(`${baseURL}/`);
  await expectPage(page, '/', 'Log in');
  await logIn(page);
  await expectProfile(page);
}

async function cookieMap(context, baseURL) {
  const map = {};
  for (const cookie of await context.cookies(baseURL)) map[cookie.name] = cookie;
  return map;
}

async function activeElementId(page) {
  return page.evaluate(() => (document.activeElement ? document.activeElement.id : null));
}

// Holds the page's requests to `url` (a string or predicate, as for
// page.route) until `release()`: `reached` resolves when the first one
// arrives; held requests then go on to the real server, unless
// `fulfil` (route.fulfill's options) answers them instead. `stop()` removes
// the route.
async function holdRequests(page, url, { fulfil = null } = {}) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let arrived;
  const reached = new Promise((resolve) => { arrived = resolve; });
  const handler = async (route) => {
    arrived(route.request());
    await held;
    if (fulfil) await route.fulfill(fulfil);
    else await route.continue();
  };
  await page.route(url, handler);
  return { reached, release, stop: () => page.unroute(url, handler) };
}

module.exports = {
  CSP,
  DEMO,
  activeElementId,
  assertClean,
  cookieMap,
  eventually,
  expectPage,
  expectProfile,
  fillLogin,
  holdRequests,
  logIn,
  logInFromStart,
  newPage,
  pathOf,
  sleep,
  text,
  useBrowser,
};
