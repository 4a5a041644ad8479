// Printing: an issue and an entry, in both languages and both themes, printed to PDF by Chromium
// and read back with pdftotext (Debian's poppler-utils): a clean document, without navigation,
// language switch or feed links, outside links followed by their address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveBothThemes, closeAll, launch } from './helpers.mjs';

let themes;
let browser;
const scratch = mkdtempSync(join(tmpdir(), 'digest-print-'));

before(async () => {
  browser = await launch();
  themes = await serveBothThemes();
});

after(async () => {
  await browser?.close();
  closeAll(themes);
});

/** The text of `url` printed to an A4 PDF, its lines joined by spaces, and its number of pages. */
async function printed(url) {
  const page = await browser.newPage();
  await page.goto(url);
  const pdf = await page.pdf({ format: 'A4' });
  await page.close();
  const file = join(scratch, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const run = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  if (run.error) throw new Error('pdftotext is needed: apt-get install poppler-utils');
  const pages = (run.stdout.match(/\f/g) || []).length;
  return { text: run.stdout.replace(/\s+/g, ' '), pages };
}

// What the screen shows around the content, in each language: none of it belongs on paper.
const chrome = {
  '': ['跳到正文', '由 digest 生成', '订阅', 'English', '返回本期', '回到本期目录', '本期专题'],
  '/en': ['Skip to content', 'Made with digest', 'Subscribe', '中文', 'Back to the issue', 'Back to contents'],
};
const titles = {
  '': { issue: '云原生月报 2025 年 11 月', entry: 'Gateway API 1.4' },
  '/en': { issue: 'Cloud Native Monthly, November 2025', entry: 'Gateway API 1.4' },
};

for (const theme of ['default', 'links']) {
  for (const lang of ['', '/en']) {
    test(`${theme} theme${lang || ' (zh)'}: an issue prints as a document`, async () => {
      const { text, pages } = await printed(`${themes[theme].url}${lang}/2025-11/`);
      assert.ok(text.includes(titles[lang].issue), `no issue title in: ${text.slice(0, 300)}`);
      for (const word of chrome[lang]) assert.ok(!text.includes(word), `printed "${word}"`);
      assert.ok(!/\bRSS\b/.test(text), 'printed a feed link');
      // Outside links followed by their address (pdftotext may break a long address across lines).
      assert.ok(text.replace(/ /g, '').includes('(https://kubernetes.io/blog/2025/11/06/gateway-api-v1-4/)'),
        'the source of the Gateway API entry is not printed after its link');
      // Links within the site are not followed by anything.
      assert.ok(!text.includes('(/'), 'an internal address was printed');
      assert.ok(pages >= 2, `${pages} pages`);
    });

    test(`${theme} theme${lang || ' (zh)'}: an entry prints as a document`, async () => {
      const { text, pages } = await printed(`${themes[theme].url}${lang}/2025-11/releases/gateway-api-1-4/`);
      assert.ok(text.includes(titles[lang].entry), text.slice(0, 300));
      for (const word of chrome[lang]) assert.ok(!text.includes(word), `printed "${word}"`);
      assert.ok(text.replace(/ /g, '').includes('(https://kubernetes.io/blog/2025/11/06/gateway-api-v1-4/)'));
      assert.ok(pages <= 2, `a short entry took ${pages} pages`);
    });
  }
}

test('print: entries are not split across pages where they fit on one', async () => {
  const page = await browser.newPage();
  for (const theme of ['default', 'links']) {
    await page.goto(`${themes[theme].url}/en/2025-11/`);
    await page.emulateMedia({ media: 'print' });
    const rules = await page.$$eval('.entry, .link-item', (els) => els.map((e) => getComputedStyle(e).breakInside));
    assert.ok(rules.length >= 42, theme);
    assert.ok(rules.every((r) => r === 'avoid' || r === 'avoid-page'), `${theme}: ${[...new Set(rules)]}`);
    const hidden = await page.$$eval('.site-header, .site-footer, .toc, .pager, .lang-switch',
      (els) => els.every((e) => getComputedStyle(e).display === 'none'));
    assert.ok(hidden, theme);
    await page.emulateMedia({ media: 'screen' });
  }
  await page.close();
});
