// screenshots.mjs BASE_URL OUT_DIR NAME=PATH... - full-page PNGs of each page at phone (375x812)
// and desktop (1280x900) widths, in light and dark mode: OUT_DIR/NAME-WIDTH-SCHEME.png, plus the
// first screen alone (NAME-WIDTH-SCHEME-top.png).
// Also prints, per shot, anything a person would notice without looking: horizontal overflow,
// failed loads, text smaller than 12px.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launch, openPage } from './browser.mjs';

const [base, outDir, ...targets] = process.argv.slice(2);
if (!base || !outDir || !targets.length) { console.log('usage: node screenshots.mjs BASE_URL OUT_DIR NAME=PATH...'); process.exit(2); }
const SIZES = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 900 } };
const SCHEMES = ['light', 'dark'];
mkdirSync(outDir, { recursive: true });

(async () => {
  const browser = await launch();
  let failed = 0;
  try {
    for (const target of targets) {
      const [name, rel] = target.includes('=') ? target.split(/=(.*)/s) : [target, target];
      for (const [size, viewport] of Object.entries(SIZES)) {
        for (const colorScheme of SCHEMES) {
          const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1,
            isMobile: size === 'phone', hasTouch: size === 'phone' });
          const page = await openPage(context, base);
          const url = new URL(rel, base).href;
          const resp = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
          const file = path.join(outDir, `${name}-${size}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          // the first screen alone, at full resolution: what a reader sees before scrolling
          await page.screenshot({ path: file.replace(/\.png$/, '-top.png'), fullPage: false });
          const m = await page.evaluate(() => {
            const de = document.documentElement;
            const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > de.clientWidth + 1)
              .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
            const tiny = [...document.querySelectorAll('body *')].filter(e => e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
              && parseFloat(getComputedStyle(e).fontSize) < 12).slice(0, 5).map(e => e.tagName.toLowerCase());
            const bg = getComputedStyle(document.body).backgroundColor, fg = getComputedStyle(document.body).color;
            return { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, height: de.scrollHeight, wide, tiny, bg, fg };
          });
          const notes = [];
          if (!resp || !resp.ok()) { notes.push(`HTTP ${resp ? resp.status() : 'no response'}`); failed++; }
          if (m.scrollWidth > m.clientWidth) notes.push(`horizontal overflow ${m.scrollWidth}px > ${m.clientWidth}px (e.g. ${m.wide.join(', ')})`);
          if (m.tiny.length) notes.push(`text under 12px: ${m.tiny.join(', ')}`);
          notes.push(...page.problems);
          console.log(`${file}: ${viewport.width}x${m.height}, body ${m.fg} on ${m.bg}${notes.length ? '; ' + notes.join('; ') : ''}`);
          await context.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots: ${failed ? 'FAIL' : 'PASS'} - ${targets.length * 8} shots in ${outDir}`);
  process.exitCode = failed ? 1 : 0;
})().catch(e => { console.log(`screenshots: FAIL - ${e.message.split('\n')[0]}`); process.exit(1); });
