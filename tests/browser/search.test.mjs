// The search pages of the sample site in a real browser: pagefind's index written by
// `digest build`, searched in Chinese and English, filtered, with nothing fetched from elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { repo, buildSite, serveFolder, launch } from './helpers.mjs';

const axePath = join(repo, 'node_modules', 'axe-core', 'axe.min.js');

let server, sub, browser, page;
const errors = [];
const foreign = [];

before(async () => {
  server = await serveFolder(buildSite(repo));
  sub = await serveFolder(buildSite(repo, ['--base-url', 'https://digest.example.org/newsletter']), '/newsletter');
  browser = await launch();
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  // Every request, the search worker's included, stays on the site's own host.
  page.context().on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== '127.0.0.1') {
      foreign.push(r.url());
    }
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  sub?.close();
});

/** Types `query` into the search page at `path` and waits for its results. */
async function search(base, path, query) {
  if (!page.url().startsWith(`${base}${path}`)) {
    await page.goto(`${base}${path}`);
  }
  await page.waitForSelector('#search:not([hidden])');
  await page.fill('#search-input', query);
  await page.press('#search-input', 'Enter');
  await settled();
  return results();
}

/** Waits for the search running (the page marks it with `data-state`) to show its results. */
async function settled() {
  await page.waitForSelector('#search[data-state="done"]');
}

/** The results shown: link, title and meta line of each. */
function results() {
  return page.$$eval('.search-result', (items) => items.map((li) => ({
    href: li.querySelector('h2 a').getAttribute('href'),
    title: li.querySelector('h2 a').textContent,
    meta: li.querySelector('.search-result-meta').textContent,
    marked: [...li.querySelectorAll('.search-result-excerpt mark')].map((m) => m.textContent),
  })));
}

test('网关 finds the Gateway API entry on the Chinese search page', async () => {
  const found = await search(server.url, '/search/', '网关');
  const hit = found.find((r) => r.href === '/2025-11/releases/gateway-api-1-4/');
  assert.ok(hit, JSON.stringify(found, null, 1));
  assert.equal(hit.title, 'Gateway API 1.4：三项功能进入标准通道');
  assert.equal(hit.meta, '云原生月报 2025 年 11 月 · 产品新功能/新版本');
  // Highlighted, as the characters pagefind matched (网 and 关 are two segments there).
  assert.match(hit.marked.join(''), /网.*关|网关/, JSON.stringify(hit));
  // Only Chinese records: the English pages live in the other index.
  assert.ok(found.every((r) => !r.href.startsWith('/en/')), JSON.stringify(found));
  assert.match(await page.textContent('.search-status'), /^找到 \d+ 条结果$/);
});

test('a word from inside a longer Chinese word finds its entry', async () => {
  // The entry has 中小企业 (small and medium-sized enterprises), segmented as one word.
  const found = await search(server.url, '/search/', '小企业');
  assert.ok(found.some((r) => r.href === '/2025-11/memes/open-source-maintenance-maintainer-view/'), JSON.stringify(found));
  // 后量子 (post-quantum) is segmented 后|量子 in the index.
  const pq = await search(server.url, '/search/', '后量子');
  assert.equal(pq[0]?.href, '/2025-11/releases/linkerd-2-19/', JSON.stringify(pq));
});

test('"Gateway" finds the entry on the English search page, and a topic filter narrows the results', async () => {
  const found = await search(server.url, '/en/search/', 'Gateway');
  const hit = found.find((r) => r.href === '/en/2025-11/releases/gateway-api-1-4/');
  assert.ok(hit, JSON.stringify(found, null, 1));
  assert.equal(hit.meta, 'Cloud Native Monthly, November 2025 · Releases');
  assert.ok(found.every((r) => r.href.startsWith('/en/')), JSON.stringify(found));
  const all = await page.textContent('.search-status');
  const count = Number(all.match(/\d+/)[0]);
  assert.ok(count > 2, all);

  await page.selectOption('#search-topic', 'Releases');
  await settled();
  const narrowed = await results();
  assert.ok(narrowed.length > 0 && narrowed.length < count, `${narrowed.length} of ${count}`);
  assert.ok(narrowed.every((r) => r.meta.endsWith('· Releases')), JSON.stringify(narrowed));
  assert.ok(narrowed.some((r) => r.href === '/en/2025-11/releases/gateway-api-1-4/'));
  // The filter is kept in the address, so the search can be shared.
  assert.match(page.url(), /[?&]topic=Releases/);
  await page.selectOption('#search-topic', '');
});

test('a query with no match says so', async () => {
  const zh = await search(server.url, '/search/', '鳕鱼钢琴');
  assert.deepEqual(zh, []);
  assert.equal(await page.textContent('.search-status'), '没有找到与“鳕鱼钢琴”相关的内容。');
  const en = await search(server.url, '/en/search/', 'zzyzxquux');
  assert.deepEqual(en, []);
  assert.equal(await page.textContent('.search-status'), 'Nothing found for “zzyzxquux”.');
});

test('every result links to a page that exists', async () => {
  const hrefs = new Set();
  for (const [path, query] of [['/search/', '网关'], ['/search/', 'Kubernetes'], ['/en/search/', 'Kubernetes'], ['/en/search/', 'release']]) {
    await search(server.url, path, query);
    // All pages of results.
    while (await page.isVisible('.search-more')) {
      const n = (await results()).length;
      await page.click('.search-more');
      await page.waitForFunction((n) => document.querySelectorAll('.search-result').length > n, n);
    }
    for (const r of await results()) hrefs.add(r.href);
  }
  assert.ok(hrefs.size > 20, `${hrefs.size} results`);
  for (const href of hrefs) {
    const response = await page.request.get(`${server.url}${href}`);
    assert.equal(response.status(), 200, href);
  }
});

test('an issue introduction is found too, labelled as such', async () => {
  const found = await search(server.url, '/en/search/', 'packed');
  const intro = found.find((r) => r.href === '/en/2025-11/');
  assert.ok(intro, JSON.stringify(found));
  assert.equal(intro.meta, 'Cloud Native Monthly, November 2025 · Introduction of the issue');
});

test('a site below a sub-path searches and links below it', async () => {
  const found = await search(sub.url, '/newsletter/en/search/', 'Gateway');
  assert.ok(found.length > 0);
  assert.ok(found.every((r) => r.href.startsWith('/newsletter/en/')), JSON.stringify(found));
  for (const r of found) {
    assert.equal((await page.request.get(`${sub.url}${r.href}`)).status(), 200, r.href);
  }
});

test('a query in the address is searched at once', async () => {
  await page.goto(`${server.url}/en/search/?q=Helm`);
  await settled();
  assert.equal(await page.inputValue('#search-input'), 'Helm');
  assert.ok((await results()).some((r) => r.href === '/en/2025-11/releases/helm-4/'));
});

test('without JavaScript the page says so and links to the archive', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(`${server.url}/search/`);
  assert.equal(await plain.isVisible('#search'), false);
  assert.match(await plain.textContent('.search-noscript'), /搜索需要 JavaScript/);
  assert.equal(await plain.getAttribute('.search-noscript a', 'href'), '/archive/');
  await context.close();
});

test('the search page has no accessibility violations (axe-core), in light and dark mode', async () => {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [path, query] of [['/search/', '网关'], ['/en/search/', 'Gateway']]) {
      await page.goto(`${server.url}${path}`);
      await search(server.url, path, query);
      await page.addScriptTag({ path: axePath });
      const { violations } = await page.evaluate(() => window.axe.run());
      const summary = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(summary, [], `${scheme} ${path}`);
      await page.screenshot({ path: `/tmp/digest-search-${scheme}${path.startsWith('/en') ? '-en' : ''}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: null });
});

test('markup in an entry\'s text is shown as text in the results', async () => {
  const root = mkdtempSync(join(tmpdir(), 'digest-hostile-'));
  const write = (path, text) => { mkdirSync(join(root, path, '..'), { recursive: true }); writeFileSync(join(root, path), text); };
  write('config.toml', 'base_url = "https://example.org"\ndefault_language = "en"\n[languages.en]\ntitle = "T"\ndescription = "D"\n');
  write('content/2025-11/_index.md', '+++\ntitle = "November"\ndate = 2025-11-30\n+++\n');
  write('content/2025-11/news/evil.md',
    '+++\ntitle = "Hostile <img src=x onerror=alert(1)> &amp; title"\n+++\nHostile body \\<img src=y onerror=alert(2)> text.\n');
  const hostile = await serveFolder(buildSite(root));
  try {
    await page.goto(`${hostile.url}/search/?q=hostile`);
    await settled();
    const found = await results();
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0].title, 'Hostile <img src=x onerror=alert(1)> &amp; title');
    assert.equal(await page.locator('.search-results img').count(), 0);
    assert.match(await page.textContent('.search-result-excerpt'), /<img src=y onerror=alert\(2\)>/);
  } finally {
    hostile.close();
  }
});

/** A site of two years, Chinese by default, with an entry written in English only. */
function twoYears() {
  const root = mkdtempSync(join(tmpdir(), 'digest-years-'));
  const write = (path, text) => { mkdirSync(join(root, path, '..'), { recursive: true }); writeFileSync(join(root, path), text); };
  write('config.toml', 'base_url = "https://example.org"\ndefault_language = "zh"\n[languages.zh]\ntitle = "月报"\ndescription = "月报"\n[languages.en]\ntitle = "Monthly"\ndescription = "Monthly"\n');
  for (const [key, date, zh, en] of [['2024-06', '2024-06-30', '二〇二四年六月', 'June 2024'], ['2025-11', '2025-11-30', '二〇二五年十一月', 'November 2025']]) {
    write(`content/${key}/_index.md`, `+++\ntitle = "${zh}"\ndate = ${date}\n+++\n`);
    write(`content/${key}/_index.en.md`, `+++\ntitle = "${en}"\n+++\n`);
    write(`content/${key}/news/mesh.md`, `+++\ntitle = "${zh}的服务网格"\n+++\n服务网格 Zanzibar 的消息。\n`);
    write(`content/${key}/news/mesh.en.md`, `+++\ntitle = "Mesh of ${en}"\n+++\nZanzibar mesh news.\n`);
  }
  write('content/2025-11/releases/quokka.en.md', '+++\ntitle = "Quokka operators released"\n+++\nQuokka operators now reconcile clusters.\n');
  return root;
}

test('an untranslated English entry is found from the Chinese search page, stemmed as English, at its Chinese address', async () => {
  const site = await serveFolder(buildSite(twoYears()));
  try {
    // "reconciled" finds "reconcile" only through English stemming.
    const found = await search(site.url, '/search/', 'reconciled');
    assert.deepEqual(found.map((r) => [r.href, r.title, r.meta]),
      [['/2025-11/releases/quokka/', 'Quokka operators released', '二〇二五年十一月 · 产品新功能/新版本']]);
    assert.equal((await page.request.get(`${site.url}${found[0].href}`)).status(), 200);
    // The Chinese topic filter keeps it; another topic leaves it out.
    await page.selectOption('#search-topic', '产品新功能/新版本');
    await settled();
    assert.deepEqual((await results()).map((r) => r.href), ['/2025-11/releases/quokka/']);
    await page.selectOption('#search-topic', '新闻与访谈');
    await settled();
    assert.deepEqual(await results(), []);
    await page.selectOption('#search-topic', '');
    await settled();
    // On the English page it is an English result like any other, found once.
    const en = await search(site.url, '/en/search/', 'quokka');
    assert.deepEqual(en.map((r) => r.href), ['/en/2025-11/releases/quokka/']);
  } finally {
    site.close();
  }
});

test('one query finds a result of an old year and one of the current year', async () => {
  const site = await serveFolder(buildSite(twoYears()));
  try {
    for (const [path, prefix] of [['/search/', '/'], ['/en/search/', '/en/']]) {
      const found = await search(site.url, path, 'Zanzibar');
      assert.deepEqual(found.map((r) => r.href).sort(), [`${prefix}2024-06/news/mesh/`, `${prefix}2025-11/news/mesh/`], path);
    }
  } finally {
    site.close();
  }
});

// The bytes a two-word query loads, for docs/performance.md: DIGEST_SEARCH_BYTES names built
// sites (output folders, comma-separated, e.g. one per digest version of the same archive).
test('the bytes a two-word query loads', { skip: !process.env.DIGEST_SEARCH_BYTES }, async () => {
  for (const dir of process.env.DIGEST_SEARCH_BYTES.split(',')) {
    const site = await serveFolder(dir);
    for (const [path, query] of [['/search/', '服务网格 网关'], ['/en/search/', 'service mesh']]) {
      // A fresh context each time: nothing cached. Counted where the site is served, once the
      // page is done and the first results' fragments are in.
      const context = await browser.newContext();
      const tab = await context.newPage();
      const before = site.served();
      await tab.goto(`${site.url}${path}?q=${encodeURIComponent(query)}`);
      await tab.waitForSelector('#search[data-state="done"]');
      await tab.waitForLoadState('networkidle');
      const found = await tab.textContent('.search-status');
      console.log(`${dir} ${path} "${query}": ${site.served() - before} bytes with the page (${found})`);
      await context.close();
    }
    site.close();
  }
});

test('no request left the site, and nothing failed', () => {
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
});
