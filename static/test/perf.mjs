// Cold loads of a page in headless Chromium, one fresh context each:
//   node static/test/perf.mjs <base URL> [path] [runs]     (V=1: every request)
// Prints the time to the map's first idle, bytes on the wire (compressed,
// tiles apart), the page's performance marks (territoires:style, :map,
// :load, :idle), and MapLibre's frames (start:duration) and tiles as they
// arrive: where the time goes.
//
// Two baselines, same server, same MapLibre files (path argument):
//   bare        MapLibre alone drawing only a background colour: no data,
//               no app. The floor of this browser and machine.
//   bare-style  MapLibre alone with the server's /style.json: our tiles
//               and style without the page around them.
//
// Each load starts in a window that has been open SETTLE ms (default 3000):
// a new headless window first builds the browser's own interface pages on
// the same cores, which a person opening the map does not wait for.
import { chromium } from 'playwright-core';
const base = process.argv[2]; const path = process.argv[3] || '/'; const runs = Number(process.argv[4] || 3);
const settle = Number(process.env.SETTLE ?? 3000);
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
  if (settle > 0) { await page.goto('about:blank'); await page.waitForTimeout(settle); }
  if (path.startsWith('bare')) await routeBaseline(page, path);
  await page.goto(base + (path.startsWith('bare') ? '/perf-baseline.html' : path));
  await page.waitForFunction(() => window.territoiresFirstIdle, null, { timeout: 30000 });
  // The pages draw their labels just after the first idle (mark
  // territoires:labels); the baselines, and pages of before the labels,
  // have none.
  if (!path.startsWith('bare')) await page.waitForFunction(() => window.territoiresLabels, null, { timeout: 10000 }).catch(() => {});
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

// The baseline page, answered by the browser itself (the server has no
// such page): MapLibre from the server's versioned static folder, a full
// window map, first idle recorded as the app records it.
async function routeBaseline(page, kind) {
  const html = await (await fetch(base + '/', { headers: { Accept: 'text/html' } })).text();
  const assets = html.match(/\/static\/[0-9a-f]+\//)?.[0];
  if (!assets) throw new Error('no versioned static folder in the page');
  const style = kind === 'bare-style' ? "'/style.json'"
    : "{ version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dfe9f5' } }] }";
  await page.route(base + '/perf-baseline.html', (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="${assets}vendor/maplibre-gl/maplibre-gl.css">
<style>html, body, #map { margin: 0; height: 100%; }</style></head><body><div id="map"></div>
<script type="module">
import * as maplibregl from '${assets}vendor/maplibre-gl/maplibre-gl.mjs';
const map = new maplibregl.Map({ container: 'map', style: ${style}, bounds: [[-5.2, 42.3], [8.3, 51.1]], fitBoundsOptions: { padding: 10 }, fadeDuration: 0 });
window.territoiresMap = map;
map.once('idle', () => { window.territoiresFirstIdle = performance.now(); });
</script></body></html>` }));
}
