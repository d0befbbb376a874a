'use strict';
// How the servers deliver the app: one uncached index.html for each of its
// pages and, as a 404, for any other path, hashed and long-cached assets, and a
// Content-Security-Policy the app runs under without a single violation.
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { serverKinds, useServer } = require('./lib/harness.js');
const { CSP, assertClean, expectPage, newPage, useBrowser } = require('./lib/page.js');

const ONE_YEAR = 31536000;

function cacheDirectives(response) {
  const header = response.headers()['cache-control'] || '';
  return header.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
}

// Every /assets/ URL index.html refers to.
function assetPaths(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
}

for (const kind of serverKinds()) {
  describe(`serving the app [${kind}]`, () => {
    const server = useServer(kind);
    const browser = useBrowser();

    // Each test fetches what it looks at, so that one failure stays one.
    async function get(pagePath) {
      return (await browser()).request.get(`${server().baseURL}${pagePath}`);
    }

    async function indexHtml() {
      const response = await get('/');
      assert.equal(response.status(), 200);
      return response.text();
    }

    it('answers / with an uncached index.html under the CSP', async () => {
      const response = await get('/');
      assert.equal(response.status(), 200);
      assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers()['content-security-policy'], CSP);
      const cache = cacheDirectives(response);
      assert.ok(cache.includes('no-cache') || cache.includes('no-store'),
        `index.html is cached: Cache-Control "${cache.join(', ')}"`);
    });

    it('has no inline script or style in index.html', async () => {
      const html = await indexHtml();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      assert.ok(scripts.length > 0);
      for (const tag of scripts) assert.match(tag, /\bsrc="\/assets\/[^"]+\.js"/, `inline script: ${tag}`);
      assert.doesNotMatch(html, /<style\b/);
      assert.doesNotMatch(html, /\sstyle=/);
      assert.doesNotMatch(html, /\son[a-z]+=/);
      assert.doesNotMatch(html, /(src|href)="(data|javascript):/);
    });

    it('serves hashed assets with a long cache lifetime', async () => {
      const assets = assetPaths(await indexHtml());
      assert.ok(assets.some((asset) => asset.endsWith('.js')), 'no script asset');
      assert.ok(assets.some((asset) => asset.endsWith('.css')), 'no stylesheet asset');
      const types = { js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml' };
      for (const asset of assets) {
        assert.match(asset, /^\/assets\/[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8}\.(js|css|svg)$/, `unhashed name: ${asset}`);
        const response = await get(asset);
        assert.equal(response.status(), 200, asset);
        const type = types[asset.split('.').pop()];
        assert.equal(response.headers()['content-type'].split(';')[0], type, asset);
        const cache = cacheDirectives(response);
        const maxAge = cache.find((directive) => directive.startsWith('max-age='));
        assert.equal(maxAge, `max-age=${ONE_YEAR}`, `${asset}: Cache-Control "${cache.join(', ')}"`);
        assert.ok(cache.includes('immutable'), `${asset}: Cache-Control "${cache.join(', ')}"`);
      }
    });

    it('answers the app\'s pages with index.html, other paths with it as a 404, /api/ with JSON', async () => {
      const html = await indexHtml();
      const expect = async (pagePath, status) => {
        const response = await get(pagePath);
        assert.equal(response.status(), status, pagePath);
        assert.equal(await response.text(), html, pagePath);
        assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8', pagePath);
        assert.equal(response.headers()['content-security-policy'], CSP, pagePath);
        const cache = cacheDirectives(response);
        assert.ok(cache.includes('no-cache') || cache.includes('no-store'),
          `${pagePath}: Cache-Control "${cache.join(', ')}"`);
      };
      for (const pagePath of ['/login', '/profile', '/login?next=%2Fmembers%2F', '/forgot', '/reset',
        '/invite']) await expect(pagePath, 200);
      // The not-found page is the app's, with a status that says so.
      for (const pagePath of ['/no/such/page', '/profile/x', '/login/', '/index.htm', '/reset/x', '/invites']) {
        await expect(pagePath, 404);
      }
      const api = await get('/api/no-such-endpoint');
      assert.equal(api.status(), 404);
      assert.equal(api.headers()['content-type'], 'application/json');
      assert.deepEqual(await api.json(), { msg: 'Not found' });
    });

    it('runs the app with no CSP violation and shows a page for unknown paths', async () => {
      const { baseURL } = server();
      const page = await newPage(await browser());
      await page.goto(`${baseURL}/no/such/page`);
      await expectPage(page, '/no/such/page', 'Page not found');
      await page.getByRole('link', { name: 'Go to the start page', exact: true }).click();
      await expectPage(page, '/', 'Log in');
      assertClean(page);
    });
  });
}
