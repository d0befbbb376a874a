'use strict';
// The browser's part of the forward-auth tests: Debian's Chromium (as the
// e2e tests drive it) with DOMAIN's names resolved to loopback.
const assert = require('node:assert/strict');
const { openBrowser, CHROMIUM_ARGS } = require('../e2e/lib/browser.js');
const { DOMAIN } = require('./helpers.js');

const DEMO = { email: 'test@example.com', password: 'password123' };

/**
 * An anonymous browser opens appURL: it lands on latchkey's login page
 * (authOrigin), logs in, and comes back to appURL, which the backend
 * answers with the identity latchkey gave.
 */
async function checkBrowserLogin({ appURL, authOrigin }) {
	const browser = await openBrowser({
		args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP *.${DOMAIN} 127.0.0.1`],
	});
	try {
		const page = await browser.context.newPage();
		await page.goto(appURL);
		await page.waitForURL((u) => u.href.startsWith(`${authOrigin}/login`));
		await page.getByLabel('Email').fill(DEMO.email);
		await page.getByLabel('Password', { exact: true }).fill(DEMO.password);
		await page.getByRole('button', { name: 'Log in', exact: true }).click();
		await page.waitForURL(appURL);
		const seen = JSON.parse(await page.locator('body').innerText());
		assert.equal(seen.headers['remote-user'], DEMO.email);
	} finally {
		await browser.close();
	}
}

module.exports = { checkBrowserLogin };
