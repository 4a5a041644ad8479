// `digest serve` in a real browser: an edit reloads the open pages that show it, and only those;
// a broken edit shows an overlay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digest, launch } from './helpers.mjs';

const site = mkdtempSync(join(tmpdir(), 'digest-serve-'));
const write = (path, text) => {
  mkdirSync(join(site, path, '..'), { recursive: true });
  writeFileSync(join(site, path), text);
};
const entry = (title) => `+++\ntitle = "${title}"\n+++\nBody of ${title}.\n`;

let server, browser, url;

before(async () => {
  write('config.toml', 'base_url = "https://example.org"\ndefault_language = "en"\n[languages.en]\ntitle = "Preview"\n');
  write('content/2025-11/_index.md', '+++\ntitle = "November"\ndate = 2025-11-30\n+++\n');
  write('content/2025-11/news/item.md', entry('First title'));
  write('content/2025-10/_index.md', '+++\ntitle = "October"\ndate = 2025-10-31\n+++\n');
  write('content/2025-10/news/older.md', entry('Older item'));
  server = spawn(digest, ['--root', site, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d) => {
      seen += d;
      const m = seen.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) resolve(m[0]);
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${seen}`)));
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test('saving an entry reloads the open page with the new text', async () => {
  const page = await browser.newPage();
  await page.goto(`${url}/2025-11/news/item/`);
  assert.equal(await page.textContent('h1'), 'First title');
  write('content/2025-11/news/item.md', entry('Second title'));
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Second title', null, { timeout: 15000 });
});

test('a broken edit shows the error over the last good page, and fixing it clears it', async () => {
  const page = await browser.newPage();
  await page.goto(`${url}/2025-11/news/item/`);
  write('content/2025-11/news/item.md', '+++\ntitle = "<b>broken\n+++\n');
  await page.waitForFunction(() => document.body.innerText.includes('item.md'), null, { timeout: 15000 });
  // The last good page is still there under the report, and the report is text, not markup.
  assert.equal(await page.textContent('h1'), 'Second title');
  assert.equal(await page.locator('b', { hasText: 'broken' }).count(), 0);
  write('content/2025-11/news/item.md', entry('Third title'));
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Third title', null, { timeout: 15000 });
  assert.ok(!(await page.evaluate(() => document.body.innerText.includes('item.md'))));
});

test('a save reloads the pages that show the entry, whole-archive lists included, and no other', async () => {
  const open = async (path) => {
    const page = await browser.newPage();
    await page.goto(`${url}${path}`);
    // Gone when the page reloads.
    await page.evaluate(() => { window.notReloaded = true; });
    return page;
  };
  const item = await open('/2025-11/news/item/');
  const topic = await open('/topics/news/');
  const other = await open('/2025-10/news/older/');
  write('content/2025-11/news/item.md', entry('Fourth title'));
  await item.waitForFunction(() => document.querySelector('h1')?.textContent === 'Fourth title', null, { timeout: 15000 });
  // The topic page lists every issue's entries: it comes in the second step.
  await topic.waitForFunction(() => !window.notReloaded && document.body.innerText.includes('Fourth title'), null, { timeout: 15000 });
  assert.equal(await other.evaluate(() => window.notReloaded), true, 'a page of another issue was reloaded');
  // It still listens, from the new generation: a change to every page reloads it once.
  write('config.toml', 'base_url = "https://example.org"\ndefault_language = "en"\n[languages.en]\ntitle = "Preview two"\n');
  await other.waitForFunction(() => !window.notReloaded && document.title.includes('Preview two'), null, { timeout: 15000 });
});
