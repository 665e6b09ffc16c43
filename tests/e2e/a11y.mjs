// a11y.mjs BASE_URL [--phone=PATH,PATH] PATH... - axe-core (all non-experimental rules) on each page
// at desktop width in light and dark mode (contrast differs by scheme), and on the --phone pages
// at phone width in both modes too. The shared kit's check_a11y
// samples only 5 pages in light mode; this covers one page of every kind. Prints every violation
// and failed load; ends with 'a11y: PASS' or 'a11y: FAIL - N problems'; exit 1 on any.
import { axeViolations, launch, openPage } from './browser.mjs';

const [base, ...rest] = process.argv.slice(2);
const phoneArg = rest.find(a => a.startsWith('--phone='));
const phonePages = phoneArg ? phoneArg.slice(8).split(',').filter(Boolean) : [];
const pages = rest.filter(a => !a.startsWith('--phone='));
if (!base || !pages.length) { console.log('usage: node a11y.mjs BASE_URL PATH...'); process.exit(2); }
const MODES = [['desktop', { width: 1280, height: 900 }, 'light'], ['desktop', { width: 1280, height: 900 }, 'dark'],
  ['phone', { width: 375, height: 812 }, 'light'], ['phone', { width: 375, height: 812 }, 'dark']];

(async () => {
  const browser = await launch();
  let problems = 0;
  try {
    for (const [size, viewport, colorScheme] of MODES) {
      const context = await browser.newContext({ viewport, colorScheme });
      for (const rel of size === 'phone' ? phonePages : pages) {
        const page = await openPage(context, base);
        const resp = await page.goto(new URL(rel, base).href, { waitUntil: 'load', timeout: 30000 });
        const found = resp && resp.ok() ? await axeViolations(page) : [`HTTP ${resp ? resp.status() : 'no response'}`];
        found.push(...page.problems.filter(p => !/\/favicon\.ico$/.test(p)));
        for (const f of found) console.log(`${rel} (${size}, ${colorScheme}): ${f}`);
        problems += found.length;
        await page.close();
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`a11y: ${problems ? 'FAIL' : 'PASS'} - ${pages.length} pages x 2 modes + ${phonePages.length} pages x 2 phone modes, ${problems} problems`);
  process.exitCode = problems ? 1 : 0;
})().catch(e => { console.log(`a11y: FAIL - ${e.message.split('\n')[0]}`); process.exit(1); });
