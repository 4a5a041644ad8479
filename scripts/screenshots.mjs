// Screenshots of the issue page for the README: both themes, 360 and 1280 px, light and dark.
// `cargo build && npm run screenshots [-- OUT_DIR]` (default docs/screenshots/). The 360 px shots
// start at the first topic, where the two themes differ; the 1280 px ones at the top.
// Chinese and emoji need fonts: `apt-get install fonts-noto-cjk fonts-noto-color-emoji`.
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
      const page = await browser.newPage({ viewport: { width, height: width < 600 ? 760 : 1000 }, colorScheme: scheme });
      await page.goto(`${server.url}/en/2025-11/`);
      if (width < 600) await page.evaluate(() => document.querySelector('section.topic').scrollIntoView());
      const file = join(out, `issue-${theme}-${width}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
  server.close();
}
await browser.close();
