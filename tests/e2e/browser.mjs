// Launch Debian's Chromium through playwright-core (no browser download, no network but loopback)
// and run axe-core in a page.
// playwright-core and axe-core are resolved from $PLAYWRIGHT_NODE_MODULES, then tests/e2e/node_modules, then
// the verification kit's $VKIT/node_modules (default /tmp/vkit).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function requireFrom(name, file = '') {
  const candidates = [process.env.PLAYWRIGHT_NODE_MODULES, path.join(HERE, 'node_modules'),
    path.join(process.env.VKIT || '/tmp/vkit', 'node_modules')].filter(Boolean);
  for (const dir of candidates) {
    if (existsSync(path.join(dir, name, 'package.json'))) {
      const req = createRequire(path.join(dir, 'noop.js'));
      return file ? req.resolve(`${name}/${file}`) : req(name);
    }
  }
  throw new Error(`${name} not found in ${candidates.join(', ')} (npm ci --ignore-scripts --prefix tests/e2e)`);
}
const loadPlaywright = () => requireFrom('playwright-core');

// Run axe-core (all non-experimental rules, as the kit's check_a11y does) on the page as it is now;
// return one line per violation: "[impact] rule: help (N nodes, e.g. selector)".
export async function axeViolations(page) {
  await page.addScriptTag({ path: requireFrom('axe-core', 'axe.min.js') });
  const res = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.map(v => `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ` +
    `${v.nodes[0].target.join(' ')})`);
}

// The flags keep Chromium off the closed network (background fetches, updates, sync, QUIC);
// playwright's launch() gives every run a fresh, temporary user-data-dir.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  const { chromium } = loadPlaywright();
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// A page that may only talk to the site's own origin; it records failed loads and page errors.
export async function openPage(context, baseUrl) {
  const page = await context.newPage();
  const origin = new URL(baseUrl).origin;
  page.problems = [];
  await page.route(u => u.origin !== origin, r => r.abort());
  page.on('response', r => { if (r.status() >= 400) page.problems.push(`HTTP ${r.status()} ${r.url()}`); });
  page.on('pageerror', e => page.problems.push(`page error: ${e.message.split('\n')[0]}`));
  page.on('console', m => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`); });
  return page;
}
