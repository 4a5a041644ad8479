// Pages at the scale of a real archive, in both themes: an issue of 370 entries whose titles hold
// long identifiers, and topic and tag lists cut into pages. axe-core finds no violation, no page
// is wider than a 320 or 360 px screen, and the list pages lead from one to the next.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildSite, serveFolder, launch, closeAll, largeSite } from './helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
let sites;
let browser;

before(async () => {
  browser = await launch();
  sites = {
    default: await serveFolder(buildSite(largeSite('default'), ['--no-search'])),
    links: await serveFolder(buildSite(largeSite('links'), ['--no-search'])),
  };
});

after(async () => {
  await browser?.close();
  closeAll(sites);
});

// The issue of 370 entries; a topic's list (its newest page) and one of its full pages; a tag's.
const PAGES = ['/2025-12/', '/topics/news/', '/topics/news/2025-09/', '/tags/tag-1/', '/tags/tag-1/2025-09/'];
const LANGS = ['', '/zh'];

for (const theme of ['default', 'links']) {
  test(`${theme} theme: large pages pass axe-core and fit 320 and 360 px screens`, async () => {
    const failures = [];
    for (const width of [320, 360]) {
      const context = await browser.newContext({ viewport: { width, height: 740 } });
      for (const lang of LANGS) {
        for (const path of PAGES) {
          const page = await context.newPage();
          const response = await page.goto(`${sites[theme].url}${lang}${path}`);
          assert.equal(response.status(), 200, `${lang}${path}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) failures.push(`${width}px ${lang}${path}: ${overflow}px too wide`);
          if (width === 360) {
            await page.addScriptTag({ content: axeSource });
            const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
            for (const v of result.violations) failures.push(`${lang}${path}: ${v.id}: ${v.help} (${v.nodes[0].target.join(' ')})`);
          }
          await page.close();
        }
      }
      await context.close();
    }
    assert.deepEqual(failures, []);
  });

  test(`${theme} theme: a list's pages lead from the newest to the oldest and back`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // About 62 news items an issue: the three oldest issues fill a page of 200 at most.
    await page.goto(`${sites[theme].url}/topics/news/`);
    let listed = await page.$$eval('.list-pages li', (lis) => lis.map((li) => li.textContent.trim()));
    assert.deepEqual(listed, ['2025-12', '2025-09 – 2025-11']);
    // About 123 items of tag-1 an issue: a page each.
    await page.goto(`${sites[theme].url}/tags/tag-1/`);
    listed = await page.$$eval('.list-pages li', (lis) => lis.map((li) => li.textContent.trim()));
    assert.deepEqual(listed, ['2025-12', '2025-11', '2025-10', '2025-09']);
    await page.click('.list-pages a[rel=next]');
    assert.equal(new URL(page.url()).pathname, '/tags/tag-1/2025-11/');
    await page.click('.list-pages a[rel=next]');
    assert.equal(new URL(page.url()).pathname, '/tags/tag-1/2025-10/');
    await page.click('.list-pages a[rel=prev]');
    assert.equal(new URL(page.url()).pathname, '/tags/tag-1/2025-11/');
    await context.close();
  });
}
