// browse.mjs BASE_URL QUERY - a reader's journey through the built site in headless Chromium:
// front page -> a theme -> an article -> back -> search for QUERY (axe-core on the results) -> click a
// result -> the article.
// Prints one line per step and ends with 'browse: PASS' or 'browse: FAIL - reason'; exit 1 on failure.
import { axeViolations, launch, openPage } from './browser.mjs';

const [base, query] = process.argv.slice(2);
if (!base || !query) { console.log('usage: node browse.mjs BASE_URL QUERY'); process.exit(2); }
const ARTICLE = /\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/[^/]+\/(index\.html)?$/;
const THEME = /\/themes\/[a-z0-9-]+\/(index\.html)?$/;
const TIMEOUT = 15000;

function step(msg) { console.log(`ok: ${msg}`); }
function check(cond, msg) { if (!cond) throw new Error(msg); }
const path = url => new URL(url).pathname;

// Click the first visible link whose URL path matches re (links inside <main> first); return its URL.
async function follow(page, re, what) {
  const links = page.locator('a[href]');
  const info = await links.evaluateAll(as => as.map((a, i) => ({ i, href: a.href, inMain: !!a.closest('main'),
    visible: a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden' })));
  const origin = new URL(page.url()).origin;
  const fits = info.filter(x => x.visible && new URL(x.href).origin === origin && re.test(new URL(x.href).pathname));
  const pick = fits.find(x => x.inMain) || fits[0];
  check(pick, `${what}: no visible link matching ${re} on ${path(page.url())} ` +
    `(first links: ${info.slice(0, 12).map(x => path(x.href)).join(' ')})`);
  await Promise.all([page.waitForURL(u => u.href.split('#')[0] === pick.href.split('#')[0], { timeout: TIMEOUT }),
    links.nth(pick.i).click()]);
  return page.url();
}

async function expectPage(page, what) {
  const h1 = await page.locator('h1').first().textContent({ timeout: TIMEOUT }).catch(() => null);
  check(h1 && h1.trim(), `${what}: no <h1> on ${path(page.url())}`);
  return h1.trim().replace(/\s+/g, ' ');
}

(async () => {
  const browser = await launch();
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await openPage(context, base);

    const resp = await page.goto(base, { waitUntil: 'load', timeout: TIMEOUT });
    check(resp && resp.ok(), `front page: HTTP ${resp && resp.status()} for ${base}`);
    step(`front page ${path(page.url())}: "${await expectPage(page, 'front page')}"`);

    const theme = await follow(page, THEME, 'front page -> theme');
    step(`theme ${path(theme)}: "${await expectPage(page, 'theme page')}"`);

    const article = await follow(page, ARTICLE, 'theme -> article');
    const title = await expectPage(page, 'article page');
    check(await page.locator('article').count() > 0, `article page ${path(article)}: no <article> element`);
    step(`article ${path(article)}: "${title}"`);

    await page.goBack({ waitUntil: 'load', timeout: TIMEOUT });
    check(page.url() === theme, `back: expected ${path(theme)}, got ${path(page.url())}`);
    step(`back to ${path(page.url())}`);

    // search: the nav link to search/ if there is one, else the URL itself
    const searchLinks = await page.$$eval('a[href]', as => as.map(a => a.href).filter(h => /\/search\/(index\.html)?$/.test(new URL(h).pathname)));
    if (searchLinks.length) await follow(page, /\/search\/(index\.html)?$/, 'search link');
    else await page.goto(new URL('search/', base).href, { waitUntil: 'load', timeout: TIMEOUT });
    step(`search page ${path(page.url())}${searchLinks.length ? ' (from the nav link)' : ' (no link to it found; opened by URL)'}`);

    const input = page.locator('input[type="search"], .pagefind-ui__search-input, main input[type="text"], input[type="text"]').first();
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    const before = new Set(await page.$$eval('a[href]', as => as.map(a => a.href)));
    await input.fill(query);
    let hit;
    const deadline = Date.now() + TIMEOUT;
    while (!hit && Date.now() < deadline) {
      const hrefs = await page.$$eval('a[href]', as => as.map(a => a.href));
      hit = hrefs.find(h => !before.has(h) && ARTICLE.test(new URL(h).pathname));
      if (!hit) await page.waitForTimeout(200);
    }
    check(hit, `search for "${query}": no result link to an article within ${TIMEOUT / 1000}s`);
    step(`search for "${query}": first result ${path(hit)}`);
    // the search page with its results shown is the one page whose markup the kit never sees
    const axe = await axeViolations(page);
    check(!axe.length, `axe-core on the search page with results for "${query}":\n  ${axe.join('\n  ')}`);
    step('search page with results: 0 axe-core violations');
    const hitLink = page.locator('a[href]').nth(
      await page.locator('a[href]').evaluateAll((as, t) => as.findIndex(a => a.href === t), hit));
    await Promise.all([page.waitForURL(u => ARTICLE.test(u.pathname), { timeout: TIMEOUT }), hitLink.click()]);
    const found = await expectPage(page, 'search result');
    const text = (await page.locator('body').innerText()).toLowerCase();
    check(text.includes(query.toLowerCase()), `search result ${path(page.url())} does not contain "${query}"`);
    step(`landed on article ${path(page.url())}: "${found}"`);

    const problems = page.problems.filter(p => !/\/favicon\.ico$/.test(p));
    check(!problems.length, `problems while browsing:\n  ${problems.join('\n  ')}`);
    console.log('browse: PASS');
  } catch (e) {
    console.log(`browse: FAIL - ${e.message}`);
    if (page) console.log(`(at ${page.url()})`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})().catch(e => { console.log(`browse: FAIL - ${e.message.split('\n')[0]}`); process.exit(1); });
