// notfound.mjs URL... - open each not-found page (served in place of a missing page, at its own
// address, or from disk) and check that its styles apply and every link leads to a page that
// exists; a URL ending in search/index.html opened from disk must say why search cannot work there.
// Ends with 'notfound: PASS' or 'notfound: FAIL - N problems'; exit 1 on any.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';

const urls = process.argv.slice(2);
if (!urls.length) { console.log('usage: node notfound.mjs URL...'); process.exit(2); }

// A link works when its target is a file (a folder: its index.html) or answers below 400.
async function works(context, href) {
  const url = new URL(href);
  url.hash = '';
  if (url.protocol === 'file:') {
    const file = fileURLToPath(url);
    return existsSync(file) && (statSync(file).isFile() || existsSync(path.join(file, 'index.html')));
  }
  const resp = await context.request.get(url.href, { maxRedirects: 0 });
  return resp.status() < 400;
}

(async () => {
  const browser = await launch();
  let problems = 0;
  const fail = (url, what) => { console.log(`${url}: ${what}`); problems += 1; };
  try {
    const context = await browser.newContext();
    for (const url of urls) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'networkidle', timeout: 30000 });
      if (url.startsWith('file:') && url.endsWith('search/index.html')) {
        const shown = await page.isVisible('#search-from-disk');
        if (!shown) fail(url, 'no message saying why search does not work from disk');
        await page.close();
        continue;
      }
      // The theme's colours come from custom properties on :root: set only when the CSS applied.
      const styled = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg') !== '');
      if (!styled) fail(url, 'the stylesheet did not apply');
      const links = await page.evaluate(() => [...document.querySelectorAll('a[href], link[href]')]
        .filter(a => !a.getAttribute('href').startsWith('#')).map(a => a.href));
      if (links.length < 5) fail(url, `only ${links.length} links`);
      for (const href of links) {
        if (!(await works(context, href))) fail(url, `dead link ${href}`);
      }
      console.log(`${url}: ${links.length} links checked`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`notfound: ${problems ? 'FAIL' : 'PASS'} - ${urls.length} pages, ${problems} problems`);
  process.exitCode = problems ? 1 : 0;
})().catch(e => { console.log(`notfound: FAIL - ${e.message.split('\n')[0]}`); process.exit(1); });
