// Both themes in a real browser: axe-core (WCAG 2.1 AA and best practices) on every page kind in
// both languages and both colour schemes, no horizontal overflow at 320 px, and no failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serveBothThemes, closeAll, launch } from './helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** One page of every kind (home, issue, issue topic, entry, archive, topic, tag, tags, 404). */
export const PAGES = ['/', '/2025-11/', '/2025-11/releases/', '/2025-11/releases/gateway-api-1-4/', '/archive/',
  '/topics/releases/', '/tags/gateway-api/', '/tags/', '/404.html'];
const LANGS = ['', '/en'];

let themes;
let browser;

before(async () => {
  browser = await launch();
  themes = await serveBothThemes();
});

after(async () => {
  await browser?.close();
  closeAll(themes);
});

/** Opens `path`, failing on script errors and failed requests. */
async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/404.html')) problems.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n')).join('\n');
}

for (const theme of ['default', 'links']) {
  for (const scheme of ['light', 'dark']) {
    test(`${theme} theme, ${scheme}: axe-core finds no WCAG 2.1 AA or best-practice violation`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      const failures = [];
      for (const lang of LANGS) {
        for (const path of PAGES) {
          const { page, problems } = await open(context, `${themes[theme].url}${lang}${path}`);
          await page.addScriptTag({ content: axeSource });
          const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
          if (result.violations.length) failures.push(`${lang}${path}:\n${describe(result.violations)}`);
          if (problems.length) failures.push(`${lang}${path}: ${problems.join(', ')}`);
          await page.close();
        }
      }
      await context.close();
      assert.deepEqual(failures, []);
    });
  }

  test(`${theme} theme: no page is wider than a 320 px screen`, async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const wide = [];
    for (const lang of LANGS) {
      for (const path of PAGES) {
        const { page } = await open(context, `${themes[theme].url}${lang}${path}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) wide.push(`${lang}${path}: ${overflow}px too wide`);
        await page.close();
      }
    }
    await context.close();
    assert.deepEqual(wide, []);
  });
}

test('links theme: each entry is a line linking to its source, the entry page one click away', async () => {
  const context = await browser.newContext();
  const { page } = await open(context, `${themes.links.url}/en/2025-11/`);
  const items = await page.$$eval('.link-item', (lis) => lis.map((li) => ({
    id: li.id,
    title: li.querySelector('.link-title').getAttribute('href'),
    details: li.querySelector('.link-details')?.getAttribute('href') ?? null,
    height: li.getBoundingClientRect().height,
  })));
  assert.equal(items.length, 42);
  for (const item of items) {
    // The title goes to the source when there is one, and then "Details" to the entry page.
    if (item.title.startsWith('https://')) assert.match(item.details, /^\/en\/2025-11\/[a-z]+\/[a-z0-9-]+\/$/, item.id);
    else assert.match(item.title, /^\/en\/2025-11\/[a-z]+\/[a-z0-9-]+\/$/, item.id);
  }
  // The entry page's way back lands on the item.
  await page.click('#releases-gateway-api-1-4 .link-details');
  await page.click('.pager-up');
  assert.equal(new URL(page.url()).hash, '#releases-gateway-api-1-4');
  assert.ok(await page.locator('#releases-gateway-api-1-4').isVisible());
  await context.close();
});
