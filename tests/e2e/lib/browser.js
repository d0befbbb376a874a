'use strict';
// Debian's chromium, driven by playwright-core. Never a browser of
// playwright's own: nothing is downloaded.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Starts a browser with a fresh profile directory of its own and returns its
// one context (playwright's BrowserContext). `close()` ends the browser and
// removes the profile. Options go to launchPersistentContext (viewport,
// isMobile…).
async function openBrowser(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      timeout: 30000,
      ...options,
    });
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { openBrowser, CHROMIUM_ARGS };
