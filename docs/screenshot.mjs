// Takes the README's picture of the map (docs/map.png) from a running
// server, in Debian's Chromium driven by the front end's playwright-core:
//   make assets && go run ./cmd/territoires serve &
//   node docs/screenshot.mjs http://127.0.0.1:8080 docs/map.png
// The picture is taken once the map has drawn its first view (the page
// sets window.territoiresFirstIdle). CHROMIUM names another Chromium
// binary, SHOT_PATH another page or view ('/#map=7/46.8/4.6'), SHOT_SIZE
// another window size (default 1080x675, which keeps the PNG near 250 KB).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../static/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const base = process.argv[2] || 'http://127.0.0.1:8080';
const out = process.argv[3] || 'docs/map.png';
const path = process.env.SHOT_PATH || '/';
const [width, height] = (process.env.SHOT_SIZE || '1080x675').split('x').map(Number);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(base + path);
  await page.waitForFunction(() => window.territoiresFirstIdle, null, { timeout: 60000 });
  // The DSFR script is loaded after the first idle: let it settle.
  await page.waitForTimeout(1000);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
