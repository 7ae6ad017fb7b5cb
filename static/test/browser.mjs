// Browser tests of the map page, the embed and the widget, in Debian's
// Chromium driven by playwright-core, against a running server.
//   node static/test/browser.mjs <base URL> <screenshot folder>
// Prints one line per check ("ok …" / "FAIL …"), the measures
// ("measure …"), and exits 1 if a check failed. Run by
// cmd/territoires/browser_test.go against the real server and data.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const base = process.argv[2];
const shots = process.argv[3] || '.';
mkdirSync(shots, { recursive: true });
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

let failures = 0;
function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ' — ' + detail : ''}`);
  if (!ok) failures++;
}
// BROWSER_STEPS=<regexp> runs only the matching steps (while working on
// one page; the map page's steps build on its first one).
const only = process.env.BROWSER_STEPS ? new RegExp(process.env.BROWSER_STEPS) : null;
async function step(name, fn) {
  if (only && !only.test(name)) return;
  try { await fn(); } catch (e) { check(name, false, String(e?.message ?? e).split('\n')[0]); }
}

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-dev-shm-usage'],
});

// A page that records console errors, page errors, failed requests, and
// the bytes it received (compressed, as on the wire).
async function newPage(opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'fr-FR' });
  const page = await context.newPage();
  const rec = { errors: [], bytes: 0, tileBytes: 0, requests: 0 };
  page.on('console', (m) => { if (m.type() === 'error') rec.errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => rec.errors.push('pageerror: ' + e.message));
  page.on('response', (r) => { if (r.status() >= 400) rec.errors.push(`HTTP ${r.status()} ${r.url()}`); });
  // Bytes on the wire (compressed bodies + headers), workers' tile
  // requests included.
  page.on('requestfinished', async (r) => {
    const s = await r.sizes().catch(() => null);
    if (!s) return;
    let body = s.responseBodySize;
    if (!body) {
      // Chromium reports 0 for a module worker's script: take its length.
      const h = await (await r.response())?.allHeaders().catch(() => ({}));
      body = Number(h?.['content-length'] || 0);
    }
    const n = body + s.responseHeadersSize;
    rec.bytes += n; rec.requests++;
    if (/\/tiles\/\d+\//.test(r.url())) rec.tileBytes += n;
  });
  return { page, context, rec };
}

// Resolves at the map's next idle (after a forced repaint).
const idle = (frame) => frame.evaluate(() => new Promise((resolve) => {
  const m = window.territoiresMap;
  m.once('idle', () => resolve());
  m.triggerRepaint();
}));
// The first idle, then the labels, drawn just after it.
const waitMap = (frame) => frame.waitForFunction(() => window.territoiresMap && window.territoiresFirstIdle && window.territoiresLabels, null, { timeout: 30000 });
// The map document the pages read (style metadata): the expectations
// below about layers, words and counts come from it.
const mapDoc = (await (await fetch(base + '/style.json')).json()).metadata['territoires:map'];
const docLayer = (id) => mapDoc.layers.find((l) => l.id === id);
const legendLayers = mapDoc.layers.filter((l) => l.legend);
const digits = (s) => Number(String(s).replace(/\D/g, ''));

const rendered = (frame, layer) => frame.evaluate((l) => window.territoiresMap.queryRenderedFeatures({ layers: [l] })
  .map((f) => ({ id: f.properties.id, name: f.properties.name, region: f.properties.region, period: f.properties.period, ti: f.properties.ti_id, territoire: f.properties.territoire, waves: f.properties.waves, cluster: !!f.properties.point_count })), layer);

// ---- the map page ----
const { page, context, rec } = await newPage();
// The accessible names MapLibre's canvas and zoom buttons carry.
const mapLabels = (frame) => frame.evaluate(() => ['.maplibregl-canvas', '.maplibregl-ctrl-zoom-in', '.maplibregl-ctrl-zoom-out']
  .map((sel) => document.querySelector(sel)?.getAttribute('aria-label')).join('|'));

await step('map page loads and reaches idle', async () => {
  await page.goto(base + '/', { waitUntil: 'load' });
  await waitMap(page);
  const firstIdle = await page.evaluate(() => window.territoiresFirstIdle);
  console.log(`measure page_first_idle_ms ${Math.round(firstIdle)}`);
  await page.waitForTimeout(300);
  console.log(`measure page_bytes ${rec.bytes} (tiles ${rec.tileBytes}, other ${rec.bytes - rec.tileBytes}, ${rec.requests} requests)`);
  check('map page reaches idle', firstIdle > 0, `${Math.round(firstIdle)} ms`);
  const title = await page.textContent('.fr-header__service-title');
  check('DSFR header in French', title.includes("Territoires d'industrie") && (await page.textContent('.fr-logo')).includes('République'));
  check('map canvas and buttons named in French', (await mapLabels(page)) === 'Carte (flèches du clavier pour se déplacer, + et − pour zoomer)|Zoomer|Dézoomer', await mapLabels(page));
  await page.screenshot({ path: join(shots, 'page-france.png') });
});

await step('place names at the France view', async () => {
  // The ten most populous places named from the France view, read from
  // the places collection (its minzoom says which), must be drawn; and
  // region names, each the name of a region of the map document.
  const z5 = await (await fetch(base + '/collections/places/items?minzoom=5&limit=1000')).json();
  const biggest = z5.features.sort((a, b) => (b.properties.population ?? 0) - (a.properties.population ?? 0)).slice(0, 10).map((f) => f.properties.name);
  const towns = new Set((await rendered(page, 'places-label')).map((f) => f.name));
  const missing = biggest.filter((n) => !towns.has(n));
  check('France view: the ten largest towns are named', biggest.length === 10 && missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : biggest.join(', '));
  const regionNames = new Set(mapDoc.regions.map((r) => r.name));
  const regions = (await rendered(page, 'regions-label')).map((f) => f.name);
  check('France view: region names are drawn', regions.length >= 4 && regions.every((n) => regionNames.has(n)), regions.join(', '));
});

await step('each layer renders features', async () => {
  for (const l of ['departements-fill', 'territoires-fill', 'sites-circle', 'acv-circle', 'formations-cluster', 'cnam-circle']) {
    const f = await rendered(page, l);
    check(`layer ${l} renders features`, f.length > 0, `${f.length}`);
  }
  const terr = await rendered(page, 'territoires-fill');
  check('territories default to 2023–2027', terr.every((f) => f.period === '2023-2027'));
  const counts = await page.$$eval('[data-count]', (els) => els.map((e) => e.textContent));
  check('legend shows counts', counts.length === legendLayers.length && legendLayers.length === 6 && counts.every((c) => /\d/.test(c)), counts.join(' | '));
  // The legend is the document's: its layers in registry order, their
  // names, and their counts (territories: the default period's).
  const entries = await page.$$eval('#layers-fieldset input[name=layers]', (els) => els.map((e) => ({ id: e.value, name: e.parentElement.querySelector('.app-layer-name').textContent, count: e.parentElement.querySelector('[data-count]').textContent.split('·')[0] })));
  const want = legendLayers.map((l) => ({ id: l.id, name: l.name.fr, count: (l.count[mapDoc.periods[0]] ?? l.count[''])[''] }));
  check('legend: the document\'s layers, names and counts, in registry order', JSON.stringify(entries.map((e) => [e.id, e.name, digits(e.count)])) === JSON.stringify(want.map((w) => [w.id, w.name, w.count])), entries.map((e) => `${e.id} ${e.name} ${e.count}`).join(' | '));
  const ticked = await page.$$eval('#layers-fieldset input[name=layers]:checked', (els) => els.map((e) => e.value));
  check('legend: the layers ticked at start are the document\'s visible ones', ticked.join() === legendLayers.filter((l) => l.legend.visible).map((l) => l.id).join(), ticked.join());
});

await step('toggling a layer hides it', async () => {
  await page.click('label[for="layer-sites"]');
  await idle(page);
  const off = await rendered(page, 'sites-circle');
  check('sites hidden after unticking', off.length === 0, `${off.length} rendered`);
  check('layers kept in the URL', !(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('layers') || '').includes('sites'));
  await page.click('label[for="layer-sites"]');
  await idle(page);
  check('sites back after ticking', (await rendered(page, 'sites-circle')).length > 0);
});

await step('period switch changes the territories', async () => {
  const before = new Set((await rendered(page, 'territoires-fill')).map((f) => f.id));
  await page.click('label[for="period-2018-2023"]');
  await idle(page);
  const after = await rendered(page, 'territoires-fill');
  check('period 2018–2023 shows the first-period territories', after.length > 0 && after.every((f) => f.period === '2018-2023') && after.some((f) => !before.has(f.id)), `${after.length} features`);
  await page.click('label[for="period-2023-2027"]');
  await idle(page);
});

await step('search "chalon" offers Chalon-sur-Saône and moves the map', async () => {
  await page.click('#search-input');
  await page.keyboard.type('chalon', { delay: 30 });
  await page.waitForSelector('#search-list [role=option] >> text=Chalon-sur-Saône', { timeout: 10000 });
  const names = await page.$$eval('#search-list .app-opt-name', (els) => els.map((e) => e.textContent));
  const i = names.indexOf('Chalon-sur-Saône');
  check('autocomplete offers Chalon-sur-Saône', i >= 0, names.join(', '));
  for (let k = 0; k <= i; k++) await page.keyboard.press('ArrowDown');
  const activeText = await page.$eval('#search-list [aria-selected=true] .app-opt-name', (e) => e.textContent);
  check('arrow keys move the active option', activeText === 'Chalon-sur-Saône', activeText);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => { const c = window.territoiresMap.getCenter(); return Math.abs(c.lng - 4.852) < 0.05 && Math.abs(c.lat - 46.79) < 0.05 && !window.territoiresMap.isMoving(); }, null, { timeout: 10000 });
  await idle(page);
  const z = await page.evaluate(() => window.territoiresMap.getZoom());
  check('map moved to Chalon-sur-Saône', z >= 10, `zoom ${z.toFixed(1)}`);
  const popup = await page.textContent('.maplibregl-popup .app-popup-title');
  check('popup opens on the result', popup === 'Chalon-sur-Saône', popup);
  await page.waitForSelector('.maplibregl-popup .app-popup-source', { timeout: 5000 });
  const source = await page.textContent('.maplibregl-popup .app-popup-source');
  check('popup shows provenance (source, licence)', /Source/.test(source) && /Licence/i.test(source), source.slice(0, 80));
  // Its kind and rows are the document's: each row's label is the label
  // of its field in the commune layer's popup list, in that order.
  const rows = await page.$$eval('.maplibregl-popup .app-popup-details dd', (els) => els.map((e) => ({ field: e.dataset.field, label: e.previousElementSibling.textContent, value: e.textContent })));
  const communes = docLayer('communes');
  const order = communes.popup.map((p) => p.field);
  check('popup rows: labels and order from the document', rows.length >= 3 && rows.every((r, i) => r.label === communes.popup.find((p) => p.field === r.field)?.label.fr && (i === 0 || order.indexOf(r.field) > order.indexOf(rows[i - 1].field))), rows.map((r) => `${r.label}=${r.value}`).join(' | '));
  const dep = rows.find((r) => r.field === 'departement');
  check('popup rows: a département by its name and code', dep?.value === `${mapDoc.departements.find((d) => d.code === '71').name} (71)`, dep?.value);
  check('popup kind from the document', (await page.textContent('.maplibregl-popup .app-popup-kind')) === communes.kind.fr);
  // Around Chalon: its name and its neighbours', the fabric of communes.
  const around = (await rendered(page, 'places-label')).map((f) => f.name);
  check('Chalon-sur-Saône and its neighbours are named', around.includes('Chalon-sur-Saône') && around.length >= 6, around.slice(0, 12).join(', '));
  const contours = await rendered(page, 'contours-communes-line');
  check('the boundaries of the neighbouring communes are drawn', new Set(contours.map((f) => f.id)).size >= 6, `${new Set(contours.map((f) => f.id)).size} communes`);
  await page.screenshot({ path: join(shots, 'page-chalon.png') });
  await page.keyboard.press('Escape');
});

await step('communes render when ticked', async () => {
  await page.click('label[for="layer-communes"]');
  await idle(page);
  check('layer communes-fill renders features', (await rendered(page, 'communes-fill')).length > 0);
  check('layer formations-circle renders features at zoom 11', (await rendered(page, 'formations-circle')).length > 0);
});

await step('clicking a site shows "located at the commune centroid"', async () => {
  await page.evaluate(() => window.territoiresMap.jumpTo({ center: [2.35, 46.6], zoom: 5.3 }));
  await idle(page);
  const { pt, props } = await page.evaluate(() => {
    const f = window.territoiresMap.queryRenderedFeatures({ layers: ['sites-circle'] })[0];
    return { pt: window.territoiresMap.project(f.geometry.coordinates), props: f.properties };
  });
  const box = await page.locator('#territoires-map').boundingBox();
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('.maplibregl-popup .app-popup-precision', { timeout: 5000 });
  const kind = await page.textContent('.maplibregl-popup .app-popup-kind');
  const prec = await page.textContent('.maplibregl-popup .app-popup-precision');
  check('site popup with precision', kind === 'Site clé en main' && prec === 'Localisé au centroïde de la commune', `${kind} / ${prec}`);
  // The site's page, at the address the document gives its layer.
  const pageLink = await page.getAttribute('.maplibregl-popup .app-popup-page a', 'href');
  check('site popup links to the site\'s page', pageLink === docLayer('sites').page.replace('{id}', props.id), pageLink);
  // The site's waves are each named by the document ("2021-09 2024-04" →
  // "Septembre 2021, Avril 2024 (France 2030)").
  const waves = await page.textContent('.maplibregl-popup dd[data-field="waves"]');
  const names = docLayer('sites').popup.find((p) => p.field === 'waves').values;
  const named = props.waves.split(' ').map((w) => names[w]?.fr).join(', ');
  check('site popup: waves named by the document', !named.includes('undefined') && waves === named, `${props.waves} → ${waves}`);
  await page.keyboard.press('Escape');
});

await step('the legend filters the sites by wave and says how many each wave names', async () => {
  const groups = docLayer('sites').groups;
  const sept = groups.find((g) => g.value === '2021-09');
  const hint = await page.textContent('label[for="group-sites-2021-09"] .fr-hint-text');
  check('wave hint says held of announced', sept.text.fr.endsWith(hint) && hint.startsWith(`${sept.count} des 49 sites`), hint);
  await page.evaluate(() => window.territoiresMap.jumpTo({ center: [2.4, 46.6], zoom: 5 }));
  await idle(page);
  // The DSFR draws the box on the label: a visitor clicks the label.
  for (const g of groups) if (g.value !== '2021-09') await page.click(`label[for="group-sites-${g.value}"]`);
  await idle(page);
  const shown = (await rendered(page, 'sites-circle')).map((f) => f.waves);
  check('only sites of September 2021 drawn', shown.length > 0 && shown.every((w) => w.split(' ').includes('2021-09')), JSON.stringify(shown));
  check('the hash keeps the wave', page.url().includes('wave=2021-09'), page.url());
  for (const g of groups) if (g.value !== '2021-09') await page.click(`label[for="group-sites-${g.value}"]`);
  await idle(page);
  check('all waves again: as many sites as before', (await rendered(page, 'sites-circle')).length > shown.length);
  check('all waves again: no wave in the hash', !page.url().includes('wave='), page.url());
});

await step('a cluster says how many features of which layer it holds', async () => {
  const clusters = mapDoc.layers.flatMap((l) => l.style.filter((s) => s.role === 'clusters').map((s) => ({ id: s.id, name: l.name.fr })));
  const c = clusters[0];
  const pt = await page.evaluate((id) => {
    const f = window.territoiresMap.queryRenderedFeatures({ layers: [id] })[0];
    return f && { xy: window.territoiresMap.project(f.geometry.coordinates), n: f.properties.point_count };
  }, c.id);
  const box = await page.locator('#territoires-map').boundingBox();
  await page.mouse.click(box.x + pt.xy.x, box.y + pt.xy.y);
  await page.waitForSelector('.maplibregl-popup .app-popup', { timeout: 5000 });
  const text = await page.textContent('.maplibregl-popup .app-popup');
  check('cluster popup names its layer and count', text.includes(c.name) && digits(text) === pt.n, text);
  await page.keyboard.press('Escape');
});

await step('near here lists sites with distances', async () => {
  await page.evaluate(() => window.territoiresMap.jumpTo({ center: [4.85, 46.79], zoom: 9 }));
  await idle(page);
  const asked = [];
  const provAsked = []; // the layers' provenance, which the answers refer to
  const onRequest = (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/nearby') asked.push(u.searchParams.get('layers'));
    if (u.pathname.startsWith('/api/provenance/')) provAsked.push(u.pathname + u.search);
  };
  page.on('request', onRequest);
  await page.click('#near-pick');
  const box = await page.locator('#territoires-map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#near-list li', { timeout: 10000 });
  const items = await page.$$eval('#near-list li .app-result', (els) => els.map((e) => e.textContent));
  check('near here lists results with distances', items.length >= 5 && items.every((s) => /\d\s?(km|m)$/.test(s.trim())), items.slice(0, 3).join(' | '));
  const metas = await page.$$eval('#near-list .app-result-meta', (els) => els.map((e) => e.textContent));
  check('near here includes sites and training centres', metas.some((m) => m.startsWith('Site')) && metas.some((m) => m.startsWith('Centre')), metas.slice(0, 4).join(' | '));
  const nearbyLayers = mapDoc.layers.filter((l) => l.nearby);
  check('near here: one query per "nearby" layer of the document', asked.sort().join() === nearbyLayers.map((l) => l.id).sort().join(), asked.join());
  const kinds = nearbyLayers.map((l) => l.kind.fr);
  check('near here: results named by their layer\'s kind', metas.every((m) => kinds.some((k) => m.startsWith(k + ' · '))) && items.length <= 5 * nearbyLayers.length, `${items.length} results`);
  const pages = await page.$$eval('#near-list li', (els) => els.map((e) => ({ kind: e.querySelector('.app-result-meta').textContent, href: e.querySelector('.app-result-page')?.getAttribute('href') ?? '' })));
  const withPage = new Set(mapDoc.layers.filter((l) => l.page).map((l) => l.kind.fr));
  check('near here: results whose layer has a page link to it', pages.every((x) => [...withPage].some((k) => x.kind.startsWith(k + ' · ')) === (x.href !== '')) && pages.some((x) => x.href.startsWith('/sites/')), pages.filter((x) => x.href).map((x) => x.href).slice(0, 3).join(' '));
  const helpText = await page.textContent('#near-help');
  check('near here: the help names the layers searched', nearbyLayers.every((l) => helpText.includes(l.name.fr)), helpText);
  await page.click('#near-list li:first-child button');
  await page.waitForSelector('.maplibregl-popup .app-popup-title', { timeout: 5000 });
  await page.waitForSelector('.maplibregl-popup .app-popup-source', { timeout: 5000 });
  page.off('request', onRequest);
  const source = await page.textContent('.maplibregl-popup .app-popup-source');
  check('near here: the popup shows its source, the answers\' provenance fetched by reference, once per layer',
    /Source/.test(source) && /Licence/i.test(source) && provAsked.length > 0 && new Set(provAsked).size === provAsked.length, `${provAsked.join(' ')} — ${source.slice(0, 60)}`);
  await idle(page);
  await page.screenshot({ path: join(shots, 'page-near.png') });
});

await step('list view of the features in view', async () => {
  await page.click('#list-toggle');
  await page.waitForSelector('#list-items li', { timeout: 5000 });
  const n = await page.$$eval('#list-items li', (els) => els.length);
  check('list view shows the features in view', n > 0, `${n} items`);
  const listKinds = mapDoc.layers.filter((l) => l.legend?.in_list).map((l) => l.kind.fr);
  const metas = await page.$$eval('#list-items .app-result-meta', (els) => els.map((e) => e.textContent));
  check('list view: only the document\'s listed layers', metas.every((m) => listKinds.includes(m)), [...new Set(metas)].join(' | '));
  // Each listed layer's features in view as CSV: the view's box and the
  // map's filters; the file holds every listed feature of its layer.
  const links = await page.$$eval('#list-download a', (els) => els.map((a) => ({ href: a.href, label: a.getAttribute('aria-label'), text: a.textContent })));
  check('list view CSV: one labelled link per layer listed', links.length > 0 && links.every((l) => l.label === `Télécharger (CSV) : ${l.text}` && /\/collections\/[a-z_]+\/items\?bbox=/.test(l.href) && l.href.includes('f=csv')),
    links.map((l) => l.href.replace(base, '')).join(' '));
  const sites = links.find((l) => l.href.includes('/collections/sites/'));
  if (sites) {
    const text = new TextDecoder().decode(await (await fetch(sites.href)).arrayBuffer()).replace(/^\ufeff/, '');
    const rows = parseCSV(text);
    const names = new Set(rows.slice(1).map((r) => r[rows[0].indexOf('name')]));
    const listedSites = await page.$$eval('#list-items li', (els) => els.map((e) => ({ name: e.querySelector('.app-result-name').textContent, kind: e.querySelector('.app-result-meta').textContent })));
    const want = listedSites.filter((x) => x.kind === docLayer('sites').kind.fr).map((x) => x.name);
    check('list view CSV: the sites listed are in the file', want.length > 0 && want.every((n) => names.has(n)), `${want.length} listed, ${names.size} in the file`);
  }
});

// RFC 4180 as the server writes it (CRLF records), for the checks below.
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  return rows;
}

await step('near here: CSV downloads of the list', async () => {
  // With a region chosen, the list and its files keep to the region.
  await page.selectOption('#filter-region', '27');
  await page.waitForTimeout(800);
  await page.evaluate(() => window.territoiresMap.jumpTo({ center: [4.85, 46.79], zoom: 9 }));
  await idle(page);
  await page.click('#near-pick');
  const box = await page.locator('#territoires-map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#near-download a[href*="codeRegion=27"]', { timeout: 10000 });
  const listed = await page.$$eval('#near-list .app-result-name', (els) => els.map((e) => e.textContent));
  const links = await page.$$eval('#near-download a', (els) => els.map((a) => ({ href: a.href, download: a.hasAttribute('download'), label: a.getAttribute('aria-label'), text: a.textContent })));
  const nearbyLayers = mapDoc.layers.filter((l) => l.nearby);
  const asked = links.map((l) => new URL(l.href).searchParams);
  check('near here CSV: one download link per layer of the list, labelled', links.length > 1 && links.every((l, i) => l.download && l.label === `Télécharger (CSV) : ${l.text}` && l.text === docLayer(asked[i].get('layers'))?.name.fr),
    links.map((l) => l.label).join(' | '));
  check('near here CSV: the list\'s query and filters, format=csv', asked.every((q) => q.get('format') === 'csv' && q.get('codeRegion') === '27' && q.get('k') === '5' && q.get('lat') && q.get('lon') && nearbyLayers.some((l) => l.id === q.get('layers'))),
    links.map((l) => l.href.replace(base, '')).join(' '));
  // The files hold the list's rows: merged by distance as the page does.
  let rows = [];
  for (const l of links) {
    const r = await fetch(l.href);
    const bytes = new Uint8Array(await r.arrayBuffer());
    const [header, ...body] = parseCSV(new TextDecoder().decode(bytes)); // the decoder drops the BOM
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    check(`near here CSV ${asked[links.indexOf(l)].get('layers')}: a CSV with a BOM and a header`, r.headers.get('content-type').startsWith('text/csv') && bom && header[0] === 'id' && header.includes('distance_m') && body.every((b) => b.length === header.length), r.headers.get('content-type'));
    rows.push(...body.map((b) => Object.fromEntries(header.map((h, i) => [h, b[i]]))));
  }
  rows = rows.sort((a, b) => Number(a.distance_m) - Number(b.distance_m));
  check('near here CSV: the rows are the list\'s, in its order', JSON.stringify(rows.map((r) => r.name)) === JSON.stringify(listed), `${rows.length} rows, ${listed.length} listed`);
  check('near here CSV: every row in the chosen region', rows.length > 0 && rows.every((r) => r.region === '27'), [...new Set(rows.map((r) => r.region))].join());
  await page.locator('#near-results').screenshot({ path: join(shots, 'page-near-csv.png') });
  // A person's click: the browser downloads the file under the server's name.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#near-download a >> nth=0')]);
  check('near here CSV: clicking downloads territoires-nearby-<layer>.csv', download.suggestedFilename() === `territoires-nearby-${asked[0].get('layers')}.csv`, download.suggestedFilename());
  // As the step found the page: no region, a feature of the list open
  // (picking the point closed its popup).
  await page.selectOption('#filter-region', '');
  await page.waitForTimeout(800);
  await page.click('#near-list li:first-child button');
  await page.waitForSelector('.maplibregl-popup .app-popup-title', { timeout: 5000 });
  await idle(page);
});

await step('region filter', async () => {
  await page.selectOption('#filter-region', '27');
  await page.waitForTimeout(800);
  await idle(page);
  const sites = await rendered(page, 'sites-circle');
  check('region filter keeps only its sites', sites.length > 0 && sites.every((f) => f.region === '27'), `${sites.length}`);
  const outlined = () => page.evaluate(() => [...new Set(window.territoiresMap.queryRenderedFeatures({ layers: ['departement-selected'] }).map((f) => f.properties.code))]);
  check('no département outlined before one is chosen', (await outlined()).length === 0);
  await page.selectOption('#filter-departement', '21');
  await page.waitForTimeout(800);
  await idle(page);
  const codes = await outlined();
  check('the chosen département is outlined, alone', codes.length === 1 && codes[0] === '21', codes.join(','));
  await page.selectOption('#filter-departement', '');
  await page.waitForTimeout(800);
  await idle(page);
  check('the outline goes with the choice', (await outlined()).length === 0);
});

await step('URL state round-trips', async () => {
  await page.click('label[for="period-2018-2023"]');
  await page.click('label[for="layer-acv"]');
  await idle(page);
  const url = page.url();
  const view = await page.evaluate(() => ({ c: window.territoiresMap.getCenter(), z: window.territoiresMap.getZoom() }));
  const p2 = await context.newPage();
  await p2.goto(url);
  await waitMap(p2);
  const v2 = await p2.evaluate(() => ({ c: window.territoiresMap.getCenter(), z: window.territoiresMap.getZoom() }));
  check('view restored from the URL', Math.abs(v2.z - view.z) < 0.02 && Math.abs(v2.c.lng - view.c.lng) < 0.001 && Math.abs(v2.c.lat - view.c.lat) < 0.001, url.split('#')[1]);
  check('choices restored from the URL', await p2.isChecked('#period-2018-2023') && !(await p2.isChecked('#layer-acv')) && (await p2.inputValue('#filter-region')) === '27');
  check('selected feature reopened from the URL', (await p2.waitForSelector('.maplibregl-popup .app-popup-title', { timeout: 5000 }).then(() => true, () => false)));
  await p2.close();
});

await step('English switch', async () => {
  await page.click('#lang-switch');
  check('English strings', (await page.textContent('.fr-header__service-title')) === 'Industrial territories' && (await page.textContent('label[for="layer-sites"] .app-layer-name')) === 'Turnkey industrial sites');
  check('lang in the URL', page.url().includes('lang=en'));
  check('map canvas and buttons named in English', (await mapLabels(page)) === 'Map (arrow keys to pan, + and − to zoom)|Zoom in|Zoom out', await mapLabels(page));
});

await step('the page takes its state from the query: /?lang=en', async () => {
  const q = await context.newPage();
  await q.goto(base + '/?lang=en&layers=sites,territoires&region=84');
  await waitMap(q);
  check('/?lang=en: the map page in English', (await q.textContent('.fr-header__service-title')) === 'Industrial territories' && (await q.evaluate(() => document.documentElement.lang)) === 'en');
  check('/?lang=en: the layers and region of the query applied', !(await q.isChecked('#layer-acv')) && await q.isChecked('#layer-sites') && (await q.inputValue('#filter-region')) === '84');
  // The English page names the same places as the French one, at the same view.
  const fr = await context.newPage();
  await fr.goto(base + '/?layers=sites,territoires&region=84');
  await waitMap(fr);
  await Promise.all([idle(q), idle(fr)]);
  const names = async (p) => (await rendered(p, 'places-label')).map((f) => f.name).sort().join('|');
  const [en, frNames] = [await names(q), await names(fr)];
  check('/?lang=en: the same place names as the French page', en !== '' && en === frNames, en.split('|').slice(0, 8).join(', '));
  await fr.close();
  await q.evaluate(() => new Promise((resolve) => { window.territoiresMap.once('moveend', resolve); window.territoiresMap.panBy([40, 0]); }));
  const u = new URL(q.url());
  check('/?lang=en: the state moves to the hash', u.search === '' && u.hash.includes('lang=en') && u.hash.includes('region=84'), q.url());
  await q.close();
});
if (!only) check('map page: no console errors', rec.errors.length === 0, rec.errors.slice(0, 5).join(' ; '));
await context.close();

// ---- phone-sized screen ----
await step('phone layout', async () => {
  const { page: ph, context: cx, rec: r } = await newPage({ viewport: { width: 390, height: 844 } });
  await ph.goto(base + '/');
  await waitMap(ph);
  await idle(ph);
  const w = await ph.evaluate(() => document.documentElement.scrollWidth);
  const mapBox = await ph.locator('#territoires-map').boundingBox();
  check('phone: no horizontal scroll, map full width', w <= 390 && mapBox.width >= 380, `scrollWidth ${w}, map ${Math.round(mapBox.width)}x${Math.round(mapBox.height)}`);
  await ph.screenshot({ path: join(shots, 'page-phone.png'), fullPage: false });
  check('phone: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
});

// ---- the header's menu on a phone (the DSFR script, loaded after idle) ----
await step('phone menu', async () => {
  const { page: ph, context: cx, rec: r } = await newPage({ viewport: { width: 375, height: 667 } });
  await ph.goto(base + '/');
  await waitMap(ph);
  const burger = ph.locator('#button-menu');
  check('phone menu: burger shown, header links folded', await burger.isVisible() && !(await ph.isVisible('.fr-header__tools-links a[href="/embed/docs"]')));
  // The DSFR script marks the page once it has started.
  await ph.waitForFunction(() => document.documentElement.hasAttribute('data-fr-js'), null, { timeout: 10000 });
  await burger.click();
  const modal = ph.locator('#modal-menu');
  await ph.waitForFunction(() => document.querySelector('#modal-menu')?.classList.contains('fr-modal--opened'), null, { timeout: 5000 });
  const links = await ph.$$eval('#modal-menu .fr-header__menu-links a, #modal-menu .fr-header__menu-links button', (els) => els.map((e) => e.textContent.trim()));
  check('phone menu: the burger opens the menu with the links', await modal.isVisible() && links.includes('Intégrer la carte') && links.includes('API et données') && links.includes('English'), links.join(' | '));
  const focusIn = await ph.evaluate(() => document.querySelector('#modal-menu').contains(document.activeElement));
  check('phone menu: focus moves into the menu', focusIn, await ph.evaluate(() => document.activeElement?.outerHTML.slice(0, 80)));
  await ph.screenshot({ path: join(shots, 'page-phone-menu.png') });
  await ph.keyboard.press('Escape');
  await ph.waitForFunction(() => !document.querySelector('#modal-menu').classList.contains('fr-modal--opened'), null, { timeout: 5000 });
  const back = await ph.evaluate(() => document.activeElement?.id);
  check('phone menu: Escape closes it and gives the focus back to the burger', !(await modal.isVisible()) && back === 'button-menu', `focus on ${back}`);
  // The language switch also works from the menu's copy of the links.
  await burger.click();
  await ph.waitForFunction(() => document.querySelector('#modal-menu')?.classList.contains('fr-modal--opened'), null, { timeout: 5000 });
  await ph.click('#modal-menu [data-lang-switch]');
  check('phone menu: English switch from the menu', (await ph.textContent('.fr-header__service-title')) === 'Industrial territories');
  check('phone menu: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
  // A tap before the map is idle (the DSFR script not loaded yet) opens it too.
  // The tiles are held back until the tap, so that the map cannot be idle.
  const { page: early, context: cx2, rec: r2 } = await newPage({ viewport: { width: 375, height: 667 } });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await cx2.route(/\/tiles\/\d+\//, async (route) => { await held; await route.continue(); });
  await early.goto(base + '/', { waitUntil: 'domcontentloaded' });
  await early.click('#button-menu');
  const openedEarly = await early.waitForFunction(() => document.querySelector('#modal-menu')?.classList.contains('fr-modal--opened'), null, { timeout: 10000 }).then(() => true, () => false);
  const beforeIdle = await early.evaluate(() => !window.territoiresFirstIdle);
  check('phone menu: a tap before the first idle opens it', openedEarly && beforeIdle, beforeIdle ? 'tapped before idle' : 'map was already idle');
  release();
  await waitMap(early);
  check('phone menu (early tap): no console errors', r2.errors.length === 0, r2.errors.join(' ; '));
  await cx2.close();
});

// ---- the embed's documentation page ----
await step('embed docs page', async () => {
  const { page: d, context: cx, rec: r } = await newPage({ viewport: { width: 1280, height: 900 } });
  await d.goto(base + '/embed/docs');
  const widget = await d.textContent('#snippet-widget');
  check('docs: one-line widget snippet with this server and region 27', widget === `<script src="${base}/widget.js" data-region="27" async></script>`, widget);
  const div = await d.textContent('#snippet-div');
  check('docs: <div data-…> snippet', div.includes('<div data-territoires-map data-region="27"') && div.includes(`${base}/widget.js`), div);
  const iframe = await d.textContent('#snippet-iframe');
  check('docs: iframe snippet', iframe.startsWith(`<iframe src="${base}/embed?region=27"`) && iframe.includes('loading="lazy"'), iframe);
  const params = await d.$$eval('[data-lang-block="fr"] table tbody td:first-child code', (els) => els.map((e) => e.textContent));
  const wanted = ['region', 'departement', 'territoire', 'layers', 'period', 'lang', 'center', 'zoom', 'controls', 'search', 'basemap'];
  check('docs: every /embed parameter documented', wanted.every((w) => params.includes(w)), params.join(','));
  check('docs: frame-ancestors allow-list explained', (await d.textContent('main')).includes('frame-ancestors'));
  // The layers parameter lists the document's legend layers, and says which are shown by default.
  await d.waitForSelector('[data-lang-block="fr"] [data-doc-layers="all"] code', { timeout: 10000 });
  const listed = await d.$$eval('[data-lang-block="fr"] [data-doc-layers="all"] code', (els) => els.map((e) => e.textContent));
  const byDefault = await d.$$eval('[data-lang-block="fr"] [data-doc-layers="visible"] code', (els) => els.map((e) => e.textContent));
  check('docs: the layers parameter lists the document\'s layers', listed.join() === legendLayers.map((l) => l.id).join() && byDefault.join() === legendLayers.filter((l) => l.legend.visible).map((l) => l.id).join(), `${listed.join()} / default ${byDefault.join()}`);
  const boxes = await d.$$eval('#b-layers input', (els) => els.map((e) => `${e.value}:${e.checked}`));
  check('docs: the form offers the document\'s layers, the visible ones ticked', boxes.join() === legendLayers.map((l) => `${l.id}:${l.legend.visible}`).join(), boxes.join());
  // The live preview is the real embed.
  const frame = await (await d.waitForSelector('#preview')).contentFrame();
  await waitMap(frame);
  const sites = await rendered(frame, 'sites-circle');
  check('docs: the preview shows region 27', sites.length > 0 && sites.every((f) => f.region === '27'), `${sites.length} sites`);
  // Composing: another region and no training centres change snippets and preview.
  await d.selectOption('#b-region', '53');
  await d.click('label[for="b-layer-formations"]');
  const w2 = await d.textContent('#snippet-widget');
  // The default layers but the training centres, in registry order.
  const without = legendLayers.filter((l) => l.legend.visible && l.id !== 'formations').map((l) => l.id).join(',');
  check('docs: the form rewrites the snippets', w2.includes('data-region="53"') && w2.includes(`data-layers="${without}"`), w2);
  await d.waitForFunction(() => document.querySelector('#preview').src.includes('region=53'));
  const f2 = await (await d.$('#preview')).contentFrame();
  await f2.waitForFunction(() => window.territoiresMap && window.territoiresFirstIdle && new URLSearchParams(location.search).get('region') === '53', null, { timeout: 30000 });
  const s2 = await rendered(f2, 'sites-circle');
  check('docs: the preview follows the form', s2.length > 0 && s2.every((f) => f.region === '53') && (await f2.evaluate(() => window.territoiresMap.getLayoutProperty('formations-circle', 'visibility'))) === 'none', `${s2.length} sites`);
  await d.screenshot({ path: join(shots, 'docs.png'), fullPage: true });
  await d.click('#lang-switch');
  check('docs: English switch', (await d.textContent('h1')) === 'Embed the map in your site' && await d.isVisible('[data-lang-block="en"] table') && !(await d.isVisible('[data-lang-block="fr"] table')) && d.url().includes('lang=en'));
  check('docs: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
});

// ---- the embed ----
await step('embed', async () => {
  const { page: em, context: cx, rec: r } = await newPage({ viewport: { width: 800, height: 600 } });
  await em.goto(base + '/embed?region=27');
  await waitMap(em);
  const firstIdle = await em.evaluate(() => window.territoiresFirstIdle);
  await em.waitForTimeout(300);
  console.log(`measure embed_first_idle_ms ${Math.round(firstIdle)}`);
  console.log(`measure embed_bytes ${r.bytes} (tiles ${r.tileBytes}, other ${r.bytes - r.tileBytes}, ${r.requests} requests)`);
  for (const l of ['territoires-fill', 'sites-circle', 'acv-circle']) {
    const f = await rendered(em, l);
    check(`embed region=27: ${l} only in region 27`, f.length > 0 && f.every((x) => x.region === '27'), `${f.length} features`);
  }
  // The embed of one region names the places around it too (the labels
  // are a base layer): the region is shown in its surroundings.
  const places = await rendered(em, 'places-label');
  check('embed region=27: places named in and around the region', places.some((x) => x.region === '27') && places.some((x) => x.region !== '27'), `${places.length} names`);
  const coop = await em.evaluate(() => window.territoiresMap.cooperativeGestures.isEnabled());
  check('embed: cooperative gestures', coop);
  await em.screenshot({ path: join(shots, 'embed-region27.png') });
  check('embed: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
});

await step('embed of one territory', async () => {
  const { page: em, context: cx, rec: r } = await newPage({ viewport: { width: 600, height: 450 } });
  await em.goto(base + '/embed?territoire=2023/ti-2704&layers=territoires,sites,acv&search=1&lang=en');
  await waitMap(em);
  await idle(em);
  const terr = await rendered(em, 'territoires-fill');
  check('embed territoire=2023/ti-2704: only that territory', terr.length > 0 && terr.every((f) => f.ti === 'ti-2704'), `${terr.length} pieces`);
  const acv = await rendered(em, 'acv-circle');
  check('embed territoire: only its ACV towns', acv.every((f) => f.territoire === 'ti-2704'), `${acv.length}`);
  check('embed search=1 shows the search box, lang=en in English', await em.isVisible('#search-input') && (await em.getAttribute('#search-input', 'placeholder')).startsWith('E.g.'));
  check('embed layers= hides the others', (await em.evaluate(() => window.territoiresMap.getLayoutProperty('formations-circle', 'visibility'))) === 'none');
  await em.screenshot({ path: join(shots, 'embed-territoire.png') });
  check('embed territoire: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
});

// ---- the pages of a site and of a territory (rendered on the server) ----
// The PDF's page objects (/Type /Page, not /Pages): how many sheets it prints on.
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
const pageSteps = [
  { name: 'site page', path: async () => `/sites/${(await (await fetch(base + '/collections/sites/items?limit=1')).json()).features[0].id}`, layer: 'sites-circle' },
  { name: 'territory page', path: async () => '/territoires/ti-2704', layer: 'territoires-fill' },
];
for (const ps of pageSteps) {
  await step(ps.name, async () => {
    const { page: p, context: cx, rec: r } = await newPage({ viewport: { width: 1280, height: 900 } });
    const path = await ps.path();
    const resp = await p.goto(base + path);
    check(`${ps.name}: ${path} answers an HTML page`, resp.status() === 200 && (await p.$$('h1')).length === 1, `${resp.status()}, ${await p.title()}`);
    // The chart: one SVG bar group per row of its table, the same numbers.
    const chart = await p.evaluate(() => {
      const svg = document.querySelector('.place-chart svg[role="img"]');
      const bars = [...svg.querySelectorAll('.place-bar')].map((g) => ({ label: g.querySelector('text').textContent, counts: g.dataset.counts, rects: g.querySelectorAll('rect').length }));
      const rows = [...document.querySelectorAll('.place-chart table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim()));
      return { bars, rows, named: !!svg.querySelector('title')?.textContent && svg.getAttribute('aria-labelledby')?.split(' ').every((id) => document.getElementById(id)) };
    });
    const same = chart.bars.length > 0 && chart.bars.length === chart.rows.length && chart.bars.every((b, i) => b.label === chart.rows[i][0]
      && b.counts === chart.rows[i].slice(1).map((c) => String(digits(c))).join(',') && b.rects === chart.rows[i].length - 1);
    check(`${ps.name}: the chart's bars are its table's rows, same numbers`, same && chart.named, `${chart.bars.length} bars, ${chart.rows.length} rows: ${chart.rows.slice(0, 3).map((r) => r.join(' ')).join(' | ')}`);
    // The small map: the embed, framed on the place, with its layer drawn.
    const frame = await (await p.waitForSelector('.place-map iframe')).contentFrame();
    await waitMap(frame);
    const drawn = await rendered(frame, ps.layer);
    check(`${ps.name}: the map in its frame loads and draws ${ps.layer}`, drawn.length > 0, `${drawn.length} features`);
    const links = await p.$$eval('a[data-action]', (as) => Object.fromEntries(as.map((a) => [a.dataset.action, a.getAttribute('href')])));
    const json = await fetch(new URL(links.json, base));
    check(`${ps.name}: links to the map page and to the JSON profile`, links.map?.startsWith('/#') && links.map.includes('sel=') && json.status === 200 && (await json.json()) !== null, JSON.stringify(links));
    // "View on the map": the map page, on the place, its popup open.
    const h1 = (await p.textContent('h1')).trim();
    const m = await cx.newPage();
    await m.goto(base + links.map);
    await waitMap(m);
    const popup = await m.waitForSelector('.maplibregl-popup .app-popup-title', { timeout: 10000 }).then((e) => e.textContent(), () => '');
    await m.waitForFunction(() => !window.territoiresMap.isMoving(), null, { timeout: 10000 });
    const zoom = await m.evaluate(() => window.territoiresMap.getZoom());
    check(`${ps.name}: "${links.map}" opens the map on the place, its popup open`, popup === h1 && zoom >= 7, `${popup}, zoom ${zoom.toFixed(1)}`);
    await m.close();
    await p.screenshot({ path: join(shots, `${ps.name.replace(' ', '-')}.png`), fullPage: true });
    // Printed: one A4 sheet, the chart kept, the interactive map left out.
    const pdf = await p.pdf({ format: 'A4', path: join(shots, `${ps.name.replace(' ', '-')}.pdf`) });
    await p.emulateMedia({ media: 'print' });
    const printed = await p.evaluate(() => ({ svg: document.querySelector('.place-chart svg').getBoundingClientRect().height > 0, map: document.querySelector('.place-map iframe').getBoundingClientRect().height }));
    check(`${ps.name}: prints on one A4 sheet, with the chart and without the interactive map`, pdfPages(pdf) === 1 && printed.svg && printed.map === 0, `${pdfPages(pdf)} page(s)`);
    await p.emulateMedia({ media: 'screen' });
    // In English.
    await p.goto(base + path + (path.includes('?') ? '&' : '?') + 'lang=en');
    check(`${ps.name}: ?lang=en in English`, (await p.evaluate(() => document.documentElement.lang)) === 'en' && (await p.textContent('a[data-action="map"]')) === 'View on the map');
    check(`${ps.name}: no console errors`, r.errors.length === 0, r.errors.slice(0, 5).join(' ; '));
    await cx.close();
  });
}

// ---- widget.js on another site ----
await step('widget', async () => {
  const { page: w, context: cx, rec: r } = await newPage({ viewport: { width: 900, height: 700 } });
  // The host page is answered by the test itself (the server never sees
  // it). Same origin: Chromium's local-network-access rules would block
  // another loopback origin from loading the script.
  const host = base + '/region-page.html';
  await w.route(host, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Région</title></head><body>
<h1>Notre région</h1><script src="${base}/widget.js" data-region="27" data-layers="sites,formations,territoires" data-height="420px" async></script><p>Fin</p></body></html>`,
  }));
  await w.goto(host);
  const iframe = await w.waitForSelector('iframe.territoires-map-frame', { timeout: 10000 });
  const src = await iframe.getAttribute('src');
  check('widget inserts a lazy iframe of /embed', src.startsWith(base + '/embed?region=27') && (await iframe.getAttribute('loading')) === 'lazy', src);
  const frame = await iframe.contentFrame();
  await waitMap(frame);
  const f = await rendered(frame, 'sites-circle');
  check('widget iframe shows the map', f.length > 0 && f.every((x) => x.region === '27'), `${f.length} sites`);
  const layers = await frame.evaluate(() => window.territoiresMap.getLayoutProperty('acv-circle', 'visibility'));
  check('widget data-layers hides the other layers', layers === 'none');
  await w.screenshot({ path: join(shots, 'widget.png') });
  check('widget: no console errors', r.errors.length === 0, r.errors.join(' ; '));
  await cx.close();
});

// axe-core (Deque's accessibility engine, from the npm packages) on every
// page: WCAG 2.0–2.2 A and AA and axe's best practices, no violation. The
// context bypasses the pages' Content-Security-Policy only to inject axe.
await step('accessibility (axe-core)', async () => {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const cx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', bypassCSP: true });
  const aSite = (await (await fetch(base + '/collections/sites/items?limit=1')).json()).features[0].id;
  for (const path of ['/', '/#lang=en', '/embed?region=27&search=1', '/embed?territoire=2023/ti-2704&lang=en', '/embed/docs', '/?f=html', `/sites/${aSite}`, '/territoires/ti-2704?lang=en']) {
    const p = await cx.newPage();
    await p.goto(base + path);
    if (!/docs|f=html|sites|territoires/.test(path)) await waitMap(p);
    // Until the DSFR script has started (the map page loads it once the
    // map is idle, the other pages as a module), the phone menu's markup
    // (the DSFR's own) names a dialog that has no role yet. Every page with
    // that menu is scanned as a visitor finds it a moment later.
    if (await p.$('#modal-menu')) await p.waitForSelector('#modal-menu[data-fr-js-header-modal]', { state: 'attached', timeout: 15000 });
    await p.evaluate(axeSource);
    const { violations, passes } = await p.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }));
    check(`axe: ${path} has no violation`, violations.length === 0 && passes.length > 0,
      violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}×: ${v.nodes[0].target.join(' ')})`).join(' ; ') || `${passes.length} rules pass`);
    await p.close();
  }
  await cx.close();
});

// ---- an external base map (serve --basemap), when BROWSER_BASEMAP names
// its server (TestBrowser's second run, with BROWSER_STEPS=^basemap) ----
if (process.env.BROWSER_BASEMAP) {
  const { basemapSteps } = await import('./basemap.mjs');
  await basemapSteps({ base, basemap: process.env.BROWSER_BASEMAP, shots, mapDoc, step, check, newPage, waitMap, rendered });
}

await browser.close();
console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
