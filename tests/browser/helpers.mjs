// Shared helpers for browser tests: build a site, serve a folder, launch Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, cpSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { chromium } from 'playwright-core';

export const repo = new URL('../../', import.meta.url).pathname;
export const digest = join(repo, 'target', 'debug', 'digest');

/** Builds the site at `root` into a fresh folder and returns that folder. */
export function buildSite(root, args = []) {
  const out = join(mkdtempSync(join(tmpdir(), 'digest-browser-')), 'public');
  const run = spawnSync(digest, ['--root', root, 'build', '--output', out, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build failed: ${run.stderr}`);
  return out;
}

const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.xml': 'application/xml', '.txt': 'text/plain',
  '.js': 'text/javascript', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/** Serves a folder on an ephemeral loopback port, at `prefix` (e.g. `/newsletter`, for a site
 * published below a sub-path); resolves to { url, close, served }, `served()` the bytes of the
 * files served so far. */
export function serveFolder(dir, prefix = '') {
  let served = 0;
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) { res.writeHead(404); return res.end(); }
      path = path.slice(prefix.length) || '/';
    }
    if (path.includes('..')) { res.writeHead(404); return res.end(); }
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404, { 'content-type': types['.html'] }); return res.end(readFileSync(join(dir, '404.html'))); }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    const bytes = readFileSync(file);
    served += bytes.length;
    res.end(bytes);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close(), served: () => served });
  }));
}

/** Launches headless Chromium with the flags this machine needs. */
export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A copy of the sample site that selects `theme`: a temporary folder with the repository's
 * config.toml (plus `theme = "…"`) and copies of its content/ and themes/ (the links theme is
 * built in; its source folder, read over the built-in copy, shows edits without a rebuild).
 */
export function sampleWithTheme(theme) {
  const root = mkdtempSync(join(tmpdir(), `digest-${theme}-`));
  const config = readFileSync(join(repo, 'config.toml'), 'utf8');
  writeFileSync(join(root, 'config.toml'), `theme = "${theme}"\n${config}`);
  // Copies, not links: digest refuses symbolic links in a site's folders.
  cpSync(join(repo, 'content'), join(root, 'content'), { recursive: true });
  cpSync(join(repo, 'themes'), join(root, 'themes'), { recursive: true });
  return root;
}

/**
 * The sample site built with each theme and served: `{ default: {url, close}, links: {url, close} }`.
 * `closeAll` stops every server.
 */
export async function serveBothThemes() {
  return {
    default: await serveFolder(buildSite(repo)),
    links: await serveFolder(buildSite(sampleWithTheme('links'))),
  };
}

export function closeAll(servers) {
  for (const s of Object.values(servers ?? {})) s.close();
}

const TOPICS = ['releases', 'news', 'discussions', 'reports', 'products', 'memes'];
const ISSUES = ['2025-09', '2025-10', '2025-11', '2025-12'];

/** Four issues of 370 entries (English first, a Chinese edition of fallbacks), in `theme`. */
export function largeSite(theme) {
  const root = mkdtempSync(join(tmpdir(), `digest-lists-${theme}-`));
  writeFileSync(join(root, 'config.toml'), `theme = "${theme}"\nbase_url = "https://links.example.org"\n` +
    'default_language = "en"\n[languages.en]\ntitle = "Links"\ndescription = "Links, every month"\n' +
    '[languages.zh]\ntitle = "链接"\ndescription = "每月链接"\n');
  for (const key of ISSUES) {
    const dir = join(root, 'content', key);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '_index.md'), `+++\ntitle = "Links of ${key}"\ndate = ${key}-28\n+++\nThe month's links.\n`);
    for (let e = 0; e < 370; e++) {
      const topic = TOPICS[e % 6];
      mkdirSync(join(dir, topic), { recursive: true });
      const title = e % 4 === 0
        ? `Stabilize windows_process_extensions_main_thread_handle_${e} and https://github.com/kubernetes/kubernetes/pull/${130000 + e}`
        : `Item ${e} of ${key}`;
      writeFileSync(join(dir, topic, `item-${e}.md`), `+++\ntitle = "${title}"\nsource = "https://example.com/${key}/${e}"\n` +
        `date = ${key}-${String(e % 28 + 1).padStart(2, '0')}\ntags = ["tag-${e % 3}"]\n+++\nA short summary of item ${e}: ` +
        '`sigs.k8s.io/controller-runtime/pkg/client/apiutil.GroupVersionKindFor`.\n');
    }
  }
  return root;
}
