// Browser checks of an external base map (serve --basemap), run by
// browser.mjs when BROWSER_BASEMAP names the base map's server:
//   BROWSER_BASEMAP=<base map URL> BROWSER_STEPS=^basemap node static/test/browser.mjs <base URL> <screenshot folder>
// against a server started with --basemap <base map URL>/style.json.
// cmd/territoires/browser_test.go does both: its base map server answers
// a style with raster PNG tiles, a GeoJSON frame and a sprite;
// GET <base map>/mode/broken makes its tiles answer 500 and its sprite
// 404, /mode/ok mends it.
import { join } from 'node:path';

export async function basemapSteps({ base, basemap, shots, mapDoc, step, check, newPage, waitMap, rendered }) {
  const land = mapDoc.layers.flatMap((l) => l.style.filter((s) => s.role === 'land').map((s) => s.id));
  const fromBasemap = (url) => url.startsWith(basemap + '/');

  // A page that also records the requests to the base map's server and
  // the Content-Security-Policy violations the page sees.
  async function basemapPage(opts) {
    const p = await newPage(opts);
    p.asked = [];
    p.context.on('request', (r) => { if (fromBasemap(r.url())) p.asked.push(new URL(r.url()).pathname); });
    await p.context.addInitScript(() => {
      window.territoiresCSP = [];
      document.addEventListener('securitypolicyviolation', (e) => window.territoiresCSP.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return p;
  }
  // The style as the map holds it: which layers are the base map's, ours.
  const drawn = (frame) => frame.evaluate(() => {
    const st = window.territoiresMap.getStyle();
    return {
      layers: st.layers.map((l) => ({ id: l.id, basemap: Boolean(l.metadata?.['territoires:basemap']), visibility: l.layout?.visibility ?? 'visible' })),
      sources: Object.keys(st.sources),
      sprite: st.sprite ?? null,
    };
  });
  const csp = (frame) => frame.evaluate(() => window.territoiresCSP);

  await step('basemap: the map page draws it under our layers', async () => {
    const { page, context, rec, asked } = await basemapPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(base + '/', { waitUntil: 'load' });
    await waitMap(page);
    const tiles = asked.filter((p) => p.startsWith('/tiles/'));
    check('basemap: the page requests the base map\'s tiles and sprite', tiles.length > 0 && asked.some((p) => p.startsWith('/sprite/')), `${tiles.length} tiles, ${asked.length} requests`);
    const st = await drawn(page);
    const lastTheirs = st.layers.findLastIndex((l) => l.basemap);
    const firstOurs = st.layers.findIndex((l) => !l.basemap);
    check('basemap: its layers first, ours above', lastTheirs >= 1 && firstOurs === lastTheirs + 1 && st.layers.slice(0, lastTheirs + 1).every((l) => l.id.startsWith('basemap')),
      st.layers.slice(0, lastTheirs + 2).map((l) => l.id).join(','));
    check('basemap: its GeoJSON frame renders', (await rendered(page, 'basemap-frame')).length > 0);
    for (const l of ['territoires-fill', 'sites-circle', 'acv-circle']) {
      const f = await rendered(page, l);
      check(`basemap: our ${l} renders above it`, f.length > 0, `${f.length}`);
    }
    const hidden = land.filter((id) => st.layers.find((l) => l.id === id)?.visibility === 'none');
    check('basemap: our land fills and background are off', land.length >= 2 && hidden.length === land.length && st.layers.find((l) => l.id === 'background')?.visibility === 'none', hidden.join(','));
    const attribution = await page.evaluate(() => window.territoiresMap.getStyle().sources['basemap-land'].attribution);
    const shown = await page.textContent('.maplibregl-ctrl-attrib-inner');
    check('basemap: its attribution is shown', Boolean(attribution) && shown.includes(attribution), shown);
    const violations = await csp(page);
    check('basemap: no Content-Security-Policy violation', violations.length === 0, violations.join(' ; '));
    check('basemap: no console errors', rec.errors.length === 0, rec.errors.slice(0, 5).join(' ; '));
    await page.screenshot({ path: join(shots, 'basemap-page.png') });
    await context.close();
  });

  await step('basemap: basemap=0 on the embed turns it off', async () => {
    const { page, context, rec, asked } = await basemapPage({ viewport: { width: 800, height: 600 } });
    await page.goto(base + '/embed?region=27&basemap=0');
    await waitMap(page);
    check('basemap=0: no request to the base map\'s server', asked.length === 0, asked.slice(0, 5).join(','));
    const st = await drawn(page);
    check('basemap=0: its layers, sources and sprite are gone', !st.layers.some((l) => l.basemap) && !st.sources.some((s) => s.startsWith('basemap')) && st.sprite === null,
      `${st.sources.join(',')} sprite ${st.sprite}`);
    const off = st.layers.filter((l) => (land.includes(l.id) || l.id === 'background') && l.visibility !== 'visible');
    const landDrawn = (await Promise.all(land.map((id) => rendered(page, id)))).flat();
    check('basemap=0: our land fills and background are back', off.length === 0 && landDrawn.length > 0, `${off.map((l) => l.id).join(',')} ${landDrawn.length} land features`);
    const sites = await rendered(page, 'sites-circle');
    check('basemap=0: our layers render', sites.length > 0 && sites.every((f) => f.region === '27'), `${sites.length} sites`);
    check('basemap=0: no console errors', rec.errors.length === 0 && (await csp(page)).length === 0, rec.errors.slice(0, 5).join(' ; '));
    await page.screenshot({ path: join(shots, 'basemap-embed-off.png') });
    await context.close();
    // The map page takes it too, and keeps it in its fragment.
    const p2 = await basemapPage({ viewport: { width: 640, height: 480 } });
    await p2.page.goto(base + '/?basemap=0');
    await waitMap(p2.page);
    check('basemap=0 on the map page: no request to it, kept in the fragment', p2.asked.length === 0 && p2.page.url().includes('basemap=0'), p2.page.url());
    check('basemap=0 on the map page: no console errors', p2.rec.errors.length === 0, p2.rec.errors.join(' ; '));
    await p2.context.close();
  });

  await step('basemap: the embed docs offer basemap=0', async () => {
    const { page, context, rec } = await newPage();
    // The preview's map is the embed, checked above: an empty page stands in.
    await context.route((u) => u.pathname === '/embed', (r) => r.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><html lang="fr"><title>aperçu</title></html>' }));
    await page.goto(base + '/embed/docs');
    await page.waitForSelector('#b-basemap-option', { state: 'visible', timeout: 10000 });
    await page.click('label[for="b-basemap"]');
    const widget = await page.textContent('#snippet-widget');
    await page.waitForFunction(() => document.querySelector('#preview').src.includes('basemap=0'));
    check('basemap: the docs form writes basemap=0 into the snippets and the preview', widget.includes('data-basemap="0"'), widget);
    check('basemap: docs page without console errors', rec.errors.length === 0, rec.errors.join(' ; '));
    await context.close();
  });

  await step('basemap: a failing base map leaves our layers drawn', async () => {
    await fetch(basemap + '/mode/broken');
    try {
      const { page, context, rec, asked } = await basemapPage({ viewport: { width: 800, height: 600 } });
      const consoleErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ text: m.text(), url: m.location()?.url ?? '' }); });
      await page.goto(base + '/embed?region=27');
      await waitMap(page);
      for (const l of ['territoires-fill', 'sites-circle', 'acv-circle']) {
        const f = await rendered(page, l);
        check(`failing base map: our ${l} renders`, f.length > 0 && f.every((x) => x.region === '27'), `${f.length}`);
      }
      // The deliberate failures, and only they: its tiles' 500s, its
      // sprite's 404s, and the browser's console line for each.
      const deliberate = (e) => {
        const m = /^HTTP (\d+) (.*)$/.exec(e);
        return m && fromBasemap(m[2]) && ((m[1] === '500' && new URL(m[2]).pathname.startsWith('/tiles/')) || (m[1] === '404' && new URL(m[2]).pathname.startsWith('/sprite/')));
      };
      const failedLoad = /^Failed to load resource: the server responded with a status of (500|404)\b/;
      const loadLines = consoleErrors.filter((c) => failedLoad.test(c.text));
      const others = rec.errors.filter((e) => !deliberate(e) && !failedLoad.test(e.replace(/^console: /, '')));
      check('failing base map: its tiles answered 500 and its sprite 404', rec.errors.some((e) => deliberate(e) && e.startsWith('HTTP 500')) && asked.some((p) => p.startsWith('/sprite/')), `${rec.errors.filter(deliberate).length} deliberate failures`);
      check('failing base map: no other error', others.length === 0 && loadLines.every((c) => !c.url || fromBasemap(c.url)), others.concat(loadLines.filter((c) => c.url && !fromBasemap(c.url)).map((c) => c.url)).slice(0, 5).join(' ; '));
      await page.screenshot({ path: join(shots, 'basemap-failing.png') });
      await context.close();
    } finally {
      await fetch(basemap + '/mode/ok');
    }
  });
}
