// Lighthouse (mobile, the default form factor) on the home, issue and entry pages of both themes,
// in both languages, and on the pages of a large archive (an issue of 370 entries with long
// identifiers, a page of a topic's list, a tag's): `cargo build && npm run lighthouse`. Prints each
// page's four scores and exits 1 when one is below 100 (for the large archive, accessibility). Debian's Chromium, offline: every page comes from a local server.
// Performance depends on how busy the machine is, so a page below 100 is measured twice more and
// its median scores count (the median of several runs, as Lighthouse's documentation advises).
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { repo, buildSite, sampleWithTheme, serveFolder, largeSite } from '../tests/browser/helpers.mjs';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
/** The sites audited: their pages, languages and the scores that must be 100. */
const SITES = [
  { name: 'sample', build: (theme) => buildSite(theme === 'default' ? repo : sampleWithTheme(theme)),
    pages: ['/', '/2025-11/', '/2025-11/releases/gateway-api-1-4/'], langs: ['', '/en'], required: CATEGORIES },
  { name: 'large', build: (theme) => buildSite(largeSite(theme), ['--no-search']),
    pages: ['/2025-12/', '/topics/news/2025-09/', '/tags/tag-1/'], langs: ['', '/zh'], required: ['accessibility'] },
];

const chrome = await chromeLauncher.launch({
  chromePath: '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let below = 0;

async function audit(url) {
  const { lhr } = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES });
  return { lhr, scores: CATEGORIES.map((c) => Math.round((lhr.categories[c].score ?? 0) * 100)) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
try {
  for (const site of SITES) for (const theme of ['default', 'links']) {
    const server = await serveFolder(site.build(theme));
    for (const lang of site.langs) {
      for (const path of site.pages) {
        const url = `${server.url}${lang}${path}`;
        const runs = [await audit(url)];
        if (runs[0].scores.some((x) => x < 100)) runs.push(await audit(url), await audit(url));
        const scores = CATEGORIES.map((_, i) => median(runs.map((r) => r.scores[i])));
        const lhr = runs.find((r) => r.scores.join() === scores.join())?.lhr ?? runs[0].lhr;
        const note = runs.length > 1 ? `  (median of ${runs.length} runs: ${runs.map((r) => r.scores.join('/')).join(', ')})` : '';
        console.log(`${site.name.padEnd(7)} ${theme.padEnd(8)} ${(lang + path).padEnd(40)} ${CATEGORIES.map((c, i) => `${c} ${scores[i]}`).join('  ')}${note}`);
        for (const c of site.required) {
          if (scores[CATEGORIES.indexOf(c)] === 100) continue;
          below++;
          for (const ref of lhr.categories[c].auditRefs) {
            const a = lhr.audits[ref.id];
            if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`    ${c}: ${ref.id} ${a.score} ${a.displayValue ?? ''}`);
          }
        }
      }
    }
    server.close();
  }
} finally {
  await chrome.kill();
}
process.exit(below ? 1 : 0);
