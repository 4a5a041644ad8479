// Screenshots of the email and WeChat editions of the sample issue, in Debian's Chromium:
//   cargo build && node scripts/export-screenshots.mjs
// writes docs/screenshots/{email,email-dark,wechat}.png.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, repo, digest } from '../tests/browser/helpers.mjs';

function edition(format, lang) {
  const run = spawnSync(digest, ['--root', repo, 'export', '2025-11', '--format', format, '--lang', lang], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

const out = join(repo, 'docs', 'screenshots');
const browser = await launch();
try {
  const shots = [
    ['email.png', 'email', 'zh', 'light', 760],
    ['email-dark.png', 'email', 'en', 'dark', 760],
    ['wechat.png', 'wechat', 'zh', 'light', 760],
  ];
  for (const [file, format, lang, colorScheme, width] of shots) {
    const page = await browser.newPage({ viewport: { width, height: 1300 }, colorScheme });
    // No request leaves the machine: the editions are self-contained.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(edition(format, lang), { waitUntil: 'load' });
    await page.screenshot({ path: join(out, file) });
    await page.close();
  }
} finally {
  await browser.close();
}
