'use strict';
// How the servers deliver the app: one uncached index.html for every page
// path (the history fallback), hashed and long-cached assets, and a
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
    let request;
    let indexHtml;

    it('answers / with an uncached index.html under the CSP', async () => {
      const { baseURL } = server();
      request = (await browser()).request;
      const response = await request.get(`${baseURL}/`);
      assert.equal(response.status(), 200);
      assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers()['content-security-policy'], CSP);
      const cache = cacheDirectives(response);
      assert.ok(cache.includes('no-cache') || cache.includes('no-store'),
        `index.html is cached: Cache-Control "${cache.join(', ')}"`);
      indexHtml = await response.text();
    });

    it('has no inline script or style in index.html', () => {
      assert.ok(indexHtml, 'index.html was not fetched');
      const scripts = [...indexHtml.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      assert.ok(scripts.length > 0);
      for (const tag of scripts) assert.match(tag, /\bsrc="\/assets\/[^"]+\.js"/, `inline script: ${tag}`);
      assert.doesNotMatch(indexHtml, /<style\b/);
      assert.doesNotMatch(indexHtml, /\sstyle=/);
      assert.doesNotMatch(indexHtml, /\son[a-z]+=/);
      assert.doesNotMatch(indexHtml, /(src|href)="(data|javascript):/);
    });

    it('serves hashed assets with a long cache lifetime', async () => {
      const { baseURL } = server();
      const assets = assetPaths(indexHtml || '');
      assert.ok(assets.some((asset) => asset.endsWith('.js')), 'no script asset');
      assert.ok(assets.some((asset) => asset.endsWith('.css')), 'no stylesheet asset');
      const types = { js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml' };
      for (const asset of assets) {
        assert.match(asset, /^\/assets\/[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8}\.(js|css|svg)$/, `unhashed name: ${asset}`);
        const response = await request.get(`${baseURL}${asset}`);
        assert.equal(response.status(), 200, asset);
        const type = types[asset.split('.').pop()];
        assert.equal(response.headers()['content-type'].split(';')[0], type, asset);
        const cache = cacheDirectives(response);
        const maxAge = cache.find((directive) => directive.startsWith('max-age='));
        assert.equal(maxAge, `max-age=${ONE_YEAR}`, `${asset}: Cache-Control "${cache.join(', ')}"`);
        assert.ok(cache.includes('immutable'), `${asset}: Cache-Control "${cache.join(', ')}"`);
      }
    });

    it('answers every page path with the same index.html, but not /api/ paths', async () => {
      const { baseURL } = server();
      for (const pagePath of ['/login', '/profile', '/no/such/page']) {
        const response = await request.get(`${baseURL}${pagePath}`);
        assert.equal(response.status(), 200, pagePath);
        assert.equal(await response.text(), indexHtml, pagePath);
        assert.equal(response.headers()['content-security-policy'], CSP, pagePath);
      }
      const api = await request.get(`${baseURL}/api/no-such-endpoint`);
      assert.equal(api.status(), 404);
      assert.notEqual(await api.text(), indexHtml);
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
