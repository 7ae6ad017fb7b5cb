// Cold loads of a page in headless Chromium, one fresh context each:
//   node static/test/perf.mjs <base URL> [path] [runs]     (V=1: every request)
// Prints the time to the map's first idle, bytes on the wire (compressed,
// tiles apart), the page's performance marks (territoires:style, :map,
// :load, :idle), and MapLibre's frames (start:duration) and tiles as they
// arrive: where the time goes.
import { chromium } from 'playwright-core';
const base = process.argv[2]; const path = process.argv[3] || '/'; const runs = Number(process.argv[4] || 3);
const verbose = process.env.V === '1';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
for (let i = 0; i < runs; i++) {
  const ctx = await browser.newContext({ viewport: path.startsWith('/embed') ? { width: 800, height: 600 } : { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const log = window.__log = [];
    const iv = setInterval(() => {
      const m = window.territoiresMap; if (!m) return; clearInterval(iv);
      log.push(['map', Math.round(performance.now())]);
      const orig = m._render;
      m._render = function (t) { const s = performance.now(); const r = orig.call(this, t); log.push(['frame', Math.round(s), Math.round(performance.now() - s)]); return r; };
      m.on('load', () => log.push(['load', Math.round(performance.now())]));
      m.on('sourcedata', (e) => { if (e.tile) log.push(['tile', Math.round(performance.now()), e.tile.tileID.canonical.toString()]); });
      m.once('idle', () => log.push(['idle', Math.round(performance.now())]));
    }, 5);
  });
  const reqs = [];
  let t0 = 0;
  page.on('requestfinished', async (r) => {
    const s = await r.sizes().catch(() => null); const tm = r.timing();
    let body = s?.responseBodySize ?? 0;
    if (!body) { const h = await (await r.response())?.allHeaders().catch(() => ({})); body = Number(h?.['content-length'] || 0); }
    reqs.push({ url: r.url().replace(base, ''), start: tm.startTime, end: tm.responseEnd, bytes: s ? body + s.responseHeadersSize : 0 });
  });
  page.on('console', (m) => { if (verbose || m.type() === 'error') console.log('  console', m.type(), m.text()); });
  await page.goto(base + path);
  await page.waitForFunction(() => window.territoiresFirstIdle, null, { timeout: 30000 });
  const marks = await page.evaluate(() => ({ idle: window.territoiresFirstIdle, nav: performance.timeOrigin,
    log: window.__log, marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
    paint: performance.getEntriesByType('paint').map((m) => [m.name, Math.round(m.startTime)]) }));
  await page.waitForTimeout(300);
  const origin = marks.nav;
  const total = reqs.reduce((a, r) => a + r.bytes, 0);
  const tiles = reqs.filter((r) => /\/tiles\/\d+/.test(r.url));
  console.log(`${path} run ${i}: idle ${Math.round(marks.idle)} ms, ${reqs.length} req, ${total} B (tiles ${tiles.length} = ${tiles.reduce((a, r) => a + r.bytes, 0)} B) marks ${JSON.stringify(marks.marks)} paint ${JSON.stringify(marks.paint)}`);
  console.log('   ', marks.log.map((x) => x.join(':')).join(' '));
  if (verbose) for (const r of reqs.sort((a, b) => a.start - b.start)) console.log(`   ${Math.round(r.start - origin)}..${Math.round(r.start - origin + r.end)} ${r.bytes} ${r.url.slice(0, 90)}`);
  await ctx.close();
}
await browser.close();
