// Screenshots of the issue page for the README: both themes, 360 and 1280 px, light and dark.
// `cargo build && node scripts/screenshots.mjs [OUT_DIR]` (default docs/screenshots/).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo, buildSite, sampleWithTheme, serveFolder, launch } from '../tests/browser/helpers.mjs';

const out = process.argv[2] || join(repo, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const browser = await launch();
for (const theme of ['default', 'links']) {
  const server = await serveFolder(buildSite(theme === 'default' ? repo : sampleWithTheme(theme)));
  for (const scheme of ['light', 'dark']) {
    for (const width of [360, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: width < 600 ? 780 : 900 }, colorScheme: scheme });
      await page.goto(`${server.url}/en/2025-11/`);
      const file = join(out, `issue-${theme}-${width}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
  server.close();
}
await browser.close();
