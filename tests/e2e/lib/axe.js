'use strict';
// axe-core (tests/e2e/node_modules/axe-core) run in the page. The app's CSP
// (script-src 'self') would block a <script> tag with axe's source, so the
// source goes in through the DevTools protocol (page.evaluate), which no CSP
// applies to; the app's policy stays as it is.
const assert = require('node:assert/strict');
const fs = require('node:fs');

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs every axe rule that is not experimental (WCAG 2.x A and AA, and
// axe's best practices) on the whole document; returns the violations as
// "rule (impact): help — targets" lines.
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  }
  const { violations, ran } = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
      })),
      ran: [...result.passes, ...result.incomplete, ...result.violations].map((r) => r.id),
    };
  });
  // It really looked: the rules every page has something for applied.
  for (const rule of ['color-contrast', 'document-title', 'landmark-one-main', 'page-has-heading-one']) {
    if (!ran.includes(rule)) throw new Error(`axe did not apply its ${rule} rule`);
  }
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}

async function assertNoViolations(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe found violations on ${state}`);
}

module.exports = { axeViolations, assertNoViolations };
