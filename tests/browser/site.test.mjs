// The sample site in a real browser: language switch, table of contents, fallback, no errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { repo, buildSite, serveFolder, launch } from './helpers.mjs';

let server, browser, page;
const errors = [];

before(async () => {
  server = await serveFolder(buildSite(repo));
  browser = await launch();
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  // Every request but the deliberate 404 must succeed (stylesheet, icon, pages).
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/no/such/page/')) errors.push(`${r.status()} ${r.url()}`);
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the language switch leads to the same page in the other language', async () => {
  await page.goto(`${server.url}/2025-11/releases/helm-4/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh');
  await page.click('.lang-switch a[hreflang="en"]');
  await page.waitForURL(`${server.url}/en/2025-11/releases/helm-4/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Helm 4/);
});

test('the table of contents jumps to each entry of the issue', async () => {
  await page.goto(`${server.url}/en/2025-11/`);
  const links = await page.$$eval('.toc-topics ol a', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(links.length, 42);
  for (const href of links) {
    assert.equal(await page.locator(`[id="${href.slice(1)}"]`).count(), 1, href);
  }
  await page.click('.toc-topics a[href="#memes"]');
  assert.ok(await page.locator('#memes').isVisible());
});

test('the theme stylesheet is applied and pages fit a phone screen', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${server.url}/2025-11/`);
  const maxWidth = await page.$eval('main', (m) => getComputedStyle(m).maxWidth);
  assert.notEqual(maxWidth, 'none');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: '/tmp/digest-issue-phone.png' });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('the 404 page is served for unknown paths, in the site language', async () => {
  const response = await page.goto(`${server.url}/no/such/page/`);
  assert.equal(response.status(), 404);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh');
  assert.equal(await page.textContent('h1'), '页面不存在');
});

test('no page raised a script or console error, nor a failed request', () => {
  assert.deepEqual(errors, []);
});
