// The map page (/) and the embeddable page (/embed): one module, two modes
// (body[data-mode]). Plain ES modules, MapLibre GL JS 6, no framework.
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';
import { t, setLang, getLang, translate, fmtNumber, fmtDistance } from './i18n.js';
import { REGIONS, DEPARTEMENTS, COUNTS } from './geo.js';

const EMBED = document.body.dataset.mode === 'embed';
const PERIODS = ['2023-2027', '2018-2023'];
const MAINLAND = [[-5.2, 42.3], [8.3, 51.1]];

// Layer groups of the style served at /style.json (server/style.go).
const GROUPS = [
  { id: 'territoires', layers: ['territoires-fill', 'territoires-line'], color: '#6a6af4', shape: 'area', minzoom: 0 },
  { id: 'communes', layers: ['communes-fill', 'communes-line'], color: '#8585f6', shape: 'area', minzoom: 7 },
  { id: 'sites', layers: ['sites-circle'], color: '#e1000f', shape: 'dot', minzoom: 0 },
  { id: 'formations', layers: ['formations-cluster', 'formations-circle'], color: '#009081', shape: 'dot', minzoom: 4 },
  { id: 'acv', layers: ['acv-circle'], color: '#fc5d00', shape: 'dot', minzoom: 4 },
];
const GROUP_IDS = GROUPS.map((g) => g.id);
// Clickable layers, most specific first.
const CLICKABLE = ['sites-circle', 'acv-circle', 'formations-circle', 'formations-cluster', 'communes-fill', 'territoires-fill'];

// ---- state, read from the URL (hash on the page, query on /embed) ----

function readState() {
  const p = new URLSearchParams(EMBED ? location.search : location.hash.slice(1));
  const st = {
    lang: p.get('lang') === 'en' ? 'en' : 'fr',
    layers: new Set(GROUP_IDS.filter((g) => g !== 'communes')),
    period: PERIODS.includes(p.get('period')) ? p.get('period') : PERIODS[0],
    region: '', departement: '', territoire: p.get('territoire') || '',
    view: null, selected: p.get('sel') || '',
    controls: p.get('controls') !== '0', search: EMBED ? p.get('search') === '1' : true,
  };
  if (p.has('layers')) st.layers = new Set(p.get('layers').split(',').map((s) => s.trim()).filter((s) => GROUP_IDS.includes(s)));
  const dep = p.get('departement') || p.get('dep') || '';
  const depRow = DEPARTEMENTS.find((d) => d[0] === dep);
  if (depRow) { st.departement = dep; st.region = depRow[2]; }
  if (st.territoire.startsWith('2018/')) st.period = '2018-2023';
  const reg = p.get('region') || '';
  if (!depRow && REGIONS.some((r) => r[0] === reg)) st.region = reg;
  // View: map=zoom/lat/lon (page) or center=lon,lat&zoom=z (embed, and accepted on the page).
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) st.view = { zoom: m[0], center: [m[2], m[1]] };
  const c = (p.get('center') || '').split(',').map(Number);
  if (c.length === 2 && c.every(Number.isFinite)) st.view = { center: c, zoom: Number(p.get('zoom')) || 8 };
  return st;
}

const state = readState();
setLang(state.lang);

// MapLibre's workers parse the tiles: start them now, while the style is
// fetched. Two, even on a two-core machine: one parses while the other
// waits for its tile. Their module is taken at its versioned URL, which the
// page prefetches while MapLibre itself downloads (MapLibre would add ?v=,
// a URL of its own).
maplibregl.setWorkerUrl(new URL('./vendor/maplibre-gl/maplibre-gl-worker.mjs', import.meta.url).href);
maplibregl.setWorkerCount(Math.min(4, Math.max(2, navigator.hardwareConcurrency || 2)));
maplibregl.prewarm();

function writeState() {
  if (EMBED || !map) return;
  const c = map.getCenter();
  const p = new URLSearchParams();
  p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  p.set('layers', [...state.layers].join(','));
  if (state.period !== PERIODS[0]) p.set('period', state.period);
  if (state.region) p.set('region', state.region);
  if (state.departement) p.set('departement', state.departement);
  if (state.selected) p.set('sel', state.selected);
  if (state.lang !== 'fr') p.set('lang', state.lang);
  history.replaceState(null, '', '#' + p.toString().replaceAll('%2F', '/').replaceAll('%2C', ','));
}

// ---- small helpers ----

const $ = (sel) => document.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v; // CSSOM: allowed by a strict style-src
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}
const regionName = (code) => REGIONS.find((r) => r[0] === code)?.[1] ?? code;
const depName = (code) => DEPARTEMENTS.find((d) => d[0] === code)?.[1] ?? code;

// ---- the map ----

let map = null;
let baseFilters = {};
let nearMarker = null;
let popup = null;
let picking = false;
let styleReady = false;

// Style and TileJSON are requested by the page's <link rel="preload"> while
// MapLibre downloads; these fetches reuse those responses (same URL, mode
// and credentials, no extra headers).
async function fetchJSON(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function start() {
  translate();
  const [style, tilejson] = await Promise.all([fetchJSON('/style.json'), fetchJSON('/tiles.json')]);
  performance.mark('territoires:style');
  for (const l of style.layers) baseFilters[l.id] = l.filter ?? null;
  inlineTileJSON(style, tilejson);
  // The initial filters and visibilities go into the style itself: changing
  // them once the map is loaded would parse every tile a second time.
  const initial = styleState();
  for (const l of style.layers) {
    const want = initial[l.id];
    if (!want) continue;
    if ('filter' in want) { if (want.filter) l.filter = want.filter; else delete l.filter; }
    if (want.visibility) l.layout = { ...l.layout, visibility: want.visibility };
    l.paint = { ...l.paint, ...want.paint };
  }
  const opts = {
    container: 'territoires-map',
    style,
    center: state.view?.center ?? style.center ?? [2.35, 46.6],
    zoom: state.view?.zoom ?? (EMBED ? 5 : 5.3),
    minZoom: 2,
    maxZoom: 14,
    attributionControl: false,
    cooperativeGestures: EMBED,
    hash: false,
    dragRotate: false,
    fadeDuration: 0, // no label fading (there are no labels): idle sooner
    pitchWithRotate: false,
    touchPitch: false,
  };
  if (!state.view) {
    const b = boundsOfFilter() ?? (state.territoire ? null : MAINLAND);
    if (b) { delete opts.center; delete opts.zoom; opts.bounds = b; opts.fitBoundsOptions = { padding: 10 }; }
  }
  map = new maplibregl.Map(opts);
  window.territoiresMap = map;
  performance.mark('territoires:map');
  // For the browser tests and anyone curious: time from navigation to the
  // first idle, with marks on the way in the Performance timeline (style
  // fetched, map created, style and first tiles loaded, idle).
  map.once('load', () => performance.mark('territoires:load'));
  map.once('idle', () => {
    performance.mark('territoires:idle');
    window.territoiresFirstIdle = performance.now();
    document.dispatchEvent(new CustomEvent('territoires:idle'));
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.AttributionControl({
    compact: true,
    customAttribution: EMBED ? `<a href="${fullMapURL()}" target="_blank" rel="noopener">${t('embed.open')}</a>` : undefined,
  }), 'bottom-right');
  if (state.controls) map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  if (!EMBED) map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('load', () => {
    styleReady = true;
    // Compact attribution starts folded (the "i" button opens it).
    document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
    applyStyleState();
    if (state.territoire) showTerritoire(state.territoire);
    if (state.selected) openFeatureById(state.selected, false);
  });
  map.on('moveend', () => { writeState(); if (listOpen) renderList(); });
  map.on('idle', () => { if (listOpen) renderList(); });
  map.on('zoomend', renderLayerCounts);
  map.on('click', onMapClick);
  for (const id of CLICKABLE) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
  map.on('error', (e) => { if (e?.error?.status !== 404) console.warn('map:', e.error?.message ?? e); });
}

// The full map with the embed's choices, for the "open the full map" link.
function fullMapURL() {
  const p = new URLSearchParams();
  p.set('layers', [...state.layers].join(','));
  if (state.period !== PERIODS[0]) p.set('period', state.period);
  if (state.departement) p.set('departement', state.departement);
  else if (state.region) p.set('region', state.region);
  if (state.lang !== 'fr') p.set('lang', state.lang);
  return `${location.origin}/#${p.toString().replaceAll('%2C', ',')}`;
}

function boundsOfFilter() {
  if (state.departement) { const b = DEPARTEMENTS.find((d) => d[0] === state.departement)[3]; return [[b[0], b[1]], [b[2], b[3]]]; }
  if (state.region) { const b = REGIONS.find((r) => r[0] === state.region)[2]; return [[b[0], b[1]], [b[2], b[3]]]; }
  return null;
}

// The source's TileJSON written into the style, so that MapLibre does not
// request it again after the style (one round trip less before the tiles).
function inlineTileJSON(style, tj) {
  for (const src of Object.values(style.sources)) {
    if (src.type !== 'vector' || !src.url || !tj?.tiles) continue;
    delete src.url;
    Object.assign(src, { tiles: tj.tiles, minzoom: tj.minzoom ?? 0, maxzoom: tj.maxzoom ?? 22, scheme: tj.scheme ?? 'xyz' });
    if (tj.bounds) src.bounds = tj.bounds;
    if (!src.attribution && tj.attribution) src.attribution = tj.attribution;
  }
}

// What the state asks of each layer: its filter (the layer's own filter,
// the period, the region/département, the territory of the embed), its
// visibility and some paint properties. Used to write the initial style and
// to update the map.
function styleState() {
  const out = {};
  const periodIs = ['==', ['get', 'period'], state.period];
  const place = [];
  if (state.departement) place.push(['==', ['get', 'departement'], state.departement]);
  else if (state.region) place.push(['==', ['get', 'region'], state.region]);
  for (const g of GROUPS) {
    for (const id of g.layers) {
      const parts = [];
      const base = baseFilters[id];
      if (g.id === 'territoires') {
        parts.push(periodIs);
        if (state.region) parts.push(['==', ['get', 'region'], state.region]);
        if (state.territoire) parts.push(['==', ['get', 'ti_id'], state.territoire.replace(/^\d{4}\//, '')]);
      } else {
        if (base) parts.push(base);
        if (g.id === 'communes') parts.push(['==', ['get', state.period === '2023-2027' ? 'in_ti_2023' : 'in_ti_2018'], true]);
        // Clusters of training centres never span départements and carry
        // the département and region they share: filtered like the points.
        parts.push(...place);
        // Points and communes name their 2023–2027 territory (communes also the 2018 one).
        const tiField = g.id === 'communes' && state.period === '2018-2023' ? 'territoire_2018' : 'territoire';
        if (state.territoire && id !== 'formations-cluster' && (state.period === '2023-2027' || g.id === 'communes')) parts.push(['==', ['get', tiField], state.territoire.replace(/^\d{4}\//, '')]);
      }
      out[id] = { filter: parts.length ? ['all', ...parts] : null, visibility: state.layers.has(g.id) ? 'visible' : 'none', paint: {} };
    }
  }
  // Dim the regions outside the filter (the land is drawn by regions below
  // z5, by départements from z5); outline the chosen département.
  const inRegion = (field) => (state.region ? ['case', ['==', ['get', field], state.region], '#ffffff', '#e5e5e5'] : '#f6f6f6');
  out['regions-fill'] = { paint: { 'fill-color': inRegion('code') } };
  out['departements-fill'] = { paint: { 'fill-color': inRegion('region') } };
  out['departement-selected'] = { filter: ['==', ['get', 'code'], state.departement], visibility: state.departement ? 'visible' : 'none', paint: {} };
  return out;
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// Applies styleState() to the map, changing only what differs (a changed
// filter makes MapLibre re-parse the tiles).
function applyStyleState() {
  if (!styleReady) return;
  for (const [id, want] of Object.entries(styleState())) {
    if (!map.getLayer(id)) continue;
    if ('filter' in want && !same(map.getFilter(id), want.filter)) map.setFilter(id, want.filter);
    if (want.visibility && (map.getLayoutProperty(id, 'visibility') ?? 'visible') !== want.visibility) map.setLayoutProperty(id, 'visibility', want.visibility);
    for (const [k, v] of Object.entries(want.paint ?? {})) if (!same(map.getPaintProperty(id, k), v)) map.setPaintProperty(id, k, v);
  }
  renderLayerCounts();
  writeState();
}

// ---- layers panel ----

function countOf(group) {
  const key = group === 'territoires' ? 'territoires:' + state.period : group;
  const c = COUNTS[key] ?? {};
  return c[state.region || ''] ?? 0;
}

function buildLayersPanel() {
  const box = $('#layers-box');
  if (!box) return;
  if (EMBED && !state.controls) return;
  box.hidden = false;
  box.replaceChildren();
  let root = box;
  if (EMBED) {
    const det = el('details', { open: window.innerWidth >= 640 && window.innerHeight >= 420 }, el('summary', {}, t('layers.legend')));
    box.append(det);
    root = det;
  }
  const fs = el('fieldset', { class: 'fr-fieldset app-layers', id: 'layers-fieldset' },
    el('legend', { class: 'fr-fieldset__legend fr-text--md' }, t('layers.legend')));
  for (const g of GROUPS) {
    const id = 'layer-' + g.id;
    fs.append(el('div', { class: 'fr-fieldset__element' },
      el('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
        el('input', { type: 'checkbox', id, name: 'layers', value: g.id, checked: state.layers.has(g.id), onchange: (e) => {
          if (e.target.checked) state.layers.add(g.id); else state.layers.delete(g.id);
          applyStyleState();
          if (listOpen) renderList();
        } }),
        el('label', { class: 'fr-label', for: id },
          el('span', { class: `app-swatch app-swatch--${g.shape}`, style: `--c:${g.color}`, 'aria-hidden': 'true' }),
          el('span', { class: 'app-layer-name' }, t('layers.' + g.id)),
          el('span', { class: 'fr-hint-text app-count', 'data-count': g.id }, '')))));
  }
  root.append(fs);
  // Period switch (territories and communes).
  const seg = el('fieldset', { class: 'fr-segmented fr-segmented--sm app-period' },
    el('legend', { class: 'fr-segmented__legend' }, t('period.legend')),
    el('div', { class: 'fr-segmented__elements' }, PERIODS.map((p) => el('div', { class: 'fr-segmented__element' },
      el('input', { type: 'radio', name: 'period', id: 'period-' + p, value: p, checked: state.period === p, onchange: () => {
        state.period = p; applyStyleState(); if (listOpen) renderList();
      } }),
      el('label', { class: 'fr-label', for: 'period-' + p }, p.replace('-', '–'))))));
  root.append(seg);
  renderLayerCounts();
}

function renderLayerCounts() {
  for (const g of GROUPS) {
    const span = document.querySelector(`[data-count="${g.id}"]`);
    if (!span) continue;
    const z = map ? map.getZoom() : 0;
    // Counts are known per region (geo.js), not per territory.
    const count = state.territoire ? '' : t('layers.count', { n: fmtNumber(countOf(g.id)) });
    const hint = g.minzoom > z + 0.01 ? t('layers.zoomHint', { z: g.minzoom }) : '';
    span.textContent = EMBED ? count : [count, hint].filter(Boolean).join(' · ');
  }
}

// ---- region / département filter ----

function buildFilters() {
  const rs = $('#filter-region'); const ds = $('#filter-departement');
  if (!rs || !ds) return;
  rs.replaceChildren(el('option', { value: '' }, t('filter.all')), ...REGIONS.map(([c, n]) => el('option', { value: c, selected: c === state.region }, n)));
  const fillDeps = () => {
    ds.replaceChildren(el('option', { value: '' }, t('filter.allDep')),
      ...DEPARTEMENTS.filter((d) => !state.region || d[2] === state.region)
        .map(([c, n]) => el('option', { value: c, selected: c === state.departement }, `${c} – ${n}`)));
  };
  fillDeps();
  rs.onchange = () => { state.region = rs.value; state.departement = ''; fillDeps(); applyStyleState(); fitFilter(); };
  ds.onchange = () => {
    state.departement = ds.value;
    if (ds.value) state.region = DEPARTEMENTS.find((d) => d[0] === ds.value)[2];
    rs.value = state.region; fillDeps(); applyStyleState(); fitFilter();
  };
}
function fitFilter() {
  const b = boundsOfFilter();
  if (b) map.fitBounds(b, { padding: 30, duration: 600 });
  else map.fitBounds(MAINLAND, { padding: 10, duration: 600 });
}

// ---- search box (combobox with listbox, keyboard) ----

function buildSearch() {
  const box = $('#search-box');
  if (!box || !state.search) return;
  box.hidden = false;
  const input = el('input', {
    class: 'fr-input', id: 'search-input', type: 'search', autocomplete: 'off', spellcheck: 'false',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'search-list',
    placeholder: t('search.placeholder'),
  });
  const list = el('ul', { id: 'search-list', role: 'listbox', class: 'app-search-list', hidden: true, 'aria-label': t('search.label') });
  const status = el('p', { class: 'fr-sr-only', 'aria-live': 'polite', id: 'search-status' });
  box.replaceChildren(
    el('div', { class: 'fr-search-bar', role: 'search' },
      el('label', { class: 'fr-label', for: 'search-input' }, t('search.label')),
      input,
      el('button', { class: 'fr-btn', type: 'button', title: t('search.button'), onclick: () => choose(active >= 0 ? active : 0) }, t('search.button'))),
    list, status);
  let results = []; let active = -1; let timer = 0; let seq = 0;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0 && list.children[i]) { input.setAttribute('aria-activedescendant', list.children[i].id); list.children[i].scrollIntoView({ block: 'nearest' }); }
  };
  const render = () => {
    list.replaceChildren(...results.map((r, i) => el('li', {
      id: 'search-opt-' + i, role: 'option', 'aria-selected': 'false', class: 'app-search-option',
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, el('span', { class: 'app-opt-name' }, r.name), el('span', { class: 'app-opt-meta' }, describeHit(r)))));
    if (!results.length) list.replaceChildren(el('li', { class: 'app-search-empty', role: 'option', 'aria-disabled': 'true' }, t('search.none')));
    list.hidden = false; input.setAttribute('aria-expanded', 'true'); active = -1;
    status.textContent = results.length ? `${results.length}` : t('search.none');
  };
  const query = async () => {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const my = ++seq;
    const c = map.getCenter();
    try {
      const d = await getJSON(`/api/search?q=${encodeURIComponent(q)}&limit=8&lat=${c.lat.toFixed(4)}&lon=${c.lng.toFixed(4)}`);
      if (my !== seq) return;
      results = d.results ?? []; provenanceFrom(d); render();
    } catch { if (my === seq) { results = []; list.replaceChildren(el('li', { class: 'app-search-empty' }, t('search.error'))); list.hidden = false; } }
  };
  const choose = (i) => {
    const r = results[i];
    if (!r) return;
    input.value = r.name; close(); goToHit(r);
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(query, 120); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) query(); else highlight(Math.min(active + 1, results.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === 'Enter') { e.preventDefault(); if (results.length) choose(active >= 0 ? active : 0); }
    else if (e.key === 'Escape') { if (!list.hidden) { e.preventDefault(); close(); } else input.value = ''; }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

function describeHit(r) {
  const p = r.properties ?? {};
  const parts = [t('layer.' + r.layer)];
  if (p.commune && r.layer !== 'communes') parts.push(p.commune);
  if (p.departement) parts.push(`${depName(p.departement)} (${p.departement})`);
  else if (p.region) parts.push(regionName(p.region));
  if (r.distance_m !== undefined) parts.push(fmtDistance(r.distance_m));
  return parts.join(' · ');
}

const ZOOM_FOR = { communes: 11, sites: 12, formations: 13, acv: 12, departements: 8, regions: 6.5, territoires: 9 };

async function goToHit(r) {
  state.selected = r.id;
  if (r.layer === 'regions' || r.layer === 'departements' || r.layer === 'territoires') {
    try {
      const f = await getJSON('/api/features/' + encodeURIComponent(r.id));
      const b = bboxOf(f.geometry);
      if (b) map.fitBounds(b, { padding: 40, duration: 800, maxZoom: 11 });
      showPopup(r.layer, { ...r.properties, id: r.id }, [r.lon ?? (b[0][0] + b[1][0]) / 2, r.lat ?? (b[0][1] + b[1][1]) / 2], f);
      return;
    } catch { /* fall back to the point */ }
  }
  map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), ZOOM_FOR[r.layer] ?? 11), duration: 800 });
  showPopup(r.layer, { ...r.properties, id: r.id }, [r.lon, r.lat]);
}

function bboxOf(geom) {
  if (!geom) return null;
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => { if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); } else c.forEach(walk); };
  walk(geom.coordinates);
  return Number.isFinite(b[0]) ? [[b[0], b[1]], [b[2], b[3]]] : null;
}

// ---- popups: details and provenance ----

const provenance = {};
function provenanceFrom(d) { Object.assign(provenance, d?.provenance ?? {}); }

function detailRows(layer, p) {
  const rows = [];
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') rows.push([t(k), String(v)]); };
  if (layer === 'sites') { add('popup.commune', p.commune); if (p.surface_ha) add('popup.surface', t('unit.ha', { d: fmtNumber(p.surface_ha) })); add('popup.programme', p.programme); }
  if (layer === 'formations') { add('popup.category', p.category ? t('cat.' + p.category) : ''); add('popup.commune', p.commune); }
  if (layer === 'communes') { add('popup.population', p.population ? fmtNumber(p.population) : ''); add('popup.epci', p.epci_name); add('popup.territoire', p.territoire_name); }
  if (layer === 'territoires') { add('popup.period', p.period); add('popup.communes', p.n_communes ? fmtNumber(p.n_communes) : ''); add('popup.population', p.population ? fmtNumber(p.population) : ''); }
  if (layer === 'acv') { add('popup.commune', p.communes ?? p.name); add('popup.territoire', p.territoire_name); }
  if (p.departement && layer !== 'territoires') add('popup.departement', `${depName(p.departement)} (${p.departement})`);
  if (p.region) add('popup.region', regionName(p.region));
  return rows;
}

function popupContent(layer, p, full) {
  const props = { ...p, ...(full?.properties ?? {}) };
  const body = el('div', { class: 'app-popup', lang: getLang() },
    el('p', { class: 'app-popup-kind' }, t('layer.' + layer)),
    el('h2', { class: 'app-popup-title' }, props.name ?? ''),
    el('dl', { class: 'app-popup-details' }, detailRows(layer, props).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
  if (props.precision === 'commune') body.append(el('p', { class: 'app-popup-precision' }, t('popup.centroid')));
  else if (props.precision) body.append(el('p', { class: 'app-popup-precision' }, t('popup.exact')));
  const prov = provenance[layer];
  if (prov?.sources?.length) {
    const s = prov.sources[0];
    body.append(el('p', { class: 'app-popup-source' },
      `${t('popup.source')} : `, s.url ? el('a', { href: s.url, target: '_blank', rel: 'noopener' }, s.name.split(/[,(]/)[0].trim()) : s.name.split(/[,(]/)[0].trim(),
      s.licence ? ` — ${t('popup.licence')} : ${s.licence}` : '', s.vintage ? ` — ${t('popup.vintage')} : ${s.vintage.split(' ')[0]}` : ''));
  }
  return body;
}

function showPopup(layer, props, lngLat, full) {
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '340px', closeButton: true, focusAfterOpen: true, className: 'app-popup-wrap' })
    .setLngLat(lngLat).setDOMContent(popupContent(layer, props, full)).addTo(map);
  popup.on('close', () => { if (state.selected === props.id) { state.selected = ''; writeState(); } });
  state.selected = props.id ?? ''; writeState();
  const closeBtn = popup.getElement()?.querySelector('.maplibregl-popup-close-button');
  if (closeBtn) closeBtn.setAttribute('aria-label', t('popup.close'));
  if (!full && props.id && (!provenance[layer] || layer === 'communes' || layer === 'territoires' || layer === 'sites')) {
    const mine = popup;
    getJSON('/api/features/' + encodeURIComponent(props.id)).then((f) => {
      provenanceFrom(f);
      if (popup === mine && mine.isOpen()) mine.setDOMContent(popupContent(layer, props, f));
    }).catch(() => {});
  }
}

async function openFeatureById(id, move = true) {
  try {
    const f = await getJSON('/api/features/' + encodeURIComponent(id));
    provenanceFrom(f);
    const layer = f.layer ?? f.properties?.layer ?? layerOfId(id);
    const b = bboxOf(f.geometry);
    const at = f.geometry?.type === 'Point' ? f.geometry.coordinates : [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2];
    if (move) map.flyTo({ center: at, zoom: Math.max(map.getZoom(), ZOOM_FOR[layer] ?? 10) });
    showPopup(layer, { ...f.properties, id }, at, f);
  } catch { state.selected = ''; }
}
function layerOfId(id) {
  if (/^\d{4}\//.test(id)) return 'territoires';
  if (id.startsWith('site')) return 'sites';
  if (id.startsWith('formation')) return 'formations';
  if (id.startsWith('acv')) return 'acv';
  return 'communes';
}

function onMapClick(e) {
  if (picking) { setPicking(false); nearby(e.lngLat.lat, e.lngLat.lng); return; }
  const layers = CLICKABLE.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  const hits = map.queryRenderedFeatures(e.point, { layers });
  if (!hits.length) { popup?.remove(); return; }
  hits.sort((a, b) => layers.indexOf(a.layer.id) - layers.indexOf(b.layer.id));
  const f = hits[0];
  if (f.layer.id === 'formations-cluster') {
    map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, 9.2) });
    popup?.remove();
    popup = new maplibregl.Popup({ closeButton: true }).setLngLat(e.lngLat)
      .setDOMContent(el('p', { class: 'app-popup' }, t('popup.cluster', { n: fmtNumber(f.properties.point_count) }))).addTo(map);
    return;
  }
  const at = f.geometry.type === 'Point' ? f.geometry.coordinates : e.lngLat;
  showPopup(f.sourceLayer, { ...f.properties }, at);
}

// ---- near here ----

function setPicking(on) {
  picking = on;
  const b = $('#near-pick');
  if (b) { b.setAttribute('aria-pressed', String(on)); b.textContent = t(on ? 'near.picking' : 'near.pick'); }
  map.getCanvas().style.cursor = on ? 'crosshair' : '';
}

async function nearby(lat, lon) {
  const out = $('#near-results');
  if (!out) return;
  nearMarker?.remove();
  nearMarker = new maplibregl.Marker({ color: '#000091' }).setLngLat([lon, lat]).addTo(map);
  out.replaceChildren(el('p', { class: 'fr-text--sm' }, t('popup.loading')));
  try {
    // The nearest sites and the nearest training centres (far more
    // numerous), merged by distance.
    let q = `/api/nearby?lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}&k=5`;
    if (state.region) q += `&codeRegion=${state.region}`;
    const parts = await Promise.all(['sites', 'formations'].map((l) => getJSON(`${q}&layers=${l}`)));
    parts.forEach(provenanceFrom);
    const res = parts.flatMap((d) => d.results ?? []).sort((a, b) => a.distance_m - b.distance_m);
    if (!res.length) { out.replaceChildren(el('p', {}, t('near.none'))); return; }
    out.replaceChildren(
      el('p', { class: 'fr-text--sm app-near-head' }, t('near.results', { n: res.length, place: t('near.here') })),
      el('ol', { class: 'app-results', id: 'near-list' }, res.map((r) => el('li', {},
        el('button', { type: 'button', class: 'app-result', onclick: () => goToHit(r) },
          el('span', { class: `app-swatch app-swatch--dot`, style: `--c:${GROUPS.find((g) => g.id === r.layer)?.color}`, 'aria-hidden': 'true' }),
          el('span', { class: 'app-result-name' }, r.name),
          el('span', { class: 'app-result-meta' }, `${t('layer.' + r.layer)} · `, el('strong', { class: 'app-distance' }, fmtDistance(r.distance_m))))))));
    const b = new maplibregl.LngLatBounds([lon, lat], [lon, lat]);
    res.slice(0, 5).forEach((r) => b.extend([r.lon, r.lat]));
    map.fitBounds(b, { padding: 60, maxZoom: 12, duration: 600 });
  } catch {
    out.replaceChildren(el('p', { class: 'fr-error-text' }, t('search.error')));
  }
}

function buildNear() {
  $('#near-pick')?.addEventListener('click', () => setPicking(!picking));
  $('#near-locate')?.addEventListener('click', () => {
    if (!navigator.geolocation) { $('#near-results').textContent = t('near.locateError'); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => nearby(pos.coords.latitude, pos.coords.longitude),
      () => { $('#near-results').textContent = t('near.locateError'); }, { timeout: 10000 });
  });
}

// ---- list view of the features in view ----

let listOpen = false;
function buildList() {
  const btn = $('#list-toggle');
  if (!btn) return;
  btn.addEventListener('click', () => {
    listOpen = !listOpen;
    btn.setAttribute('aria-expanded', String(listOpen));
    btn.textContent = t(listOpen ? 'list.hide' : 'list.show');
    $('#list-view').hidden = !listOpen;
    if (listOpen) renderList();
  });
}
function renderList() {
  const out = $('#list-view');
  if (!out || !map) return;
  const layers = ['sites-circle', 'acv-circle', 'formations-circle', 'territoires-fill'].filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers })) {
    const id = f.properties.id ?? `${f.sourceLayer}:${f.properties.name}`;
    if (!seen.has(id)) seen.set(id, f);
  }
  const order = ['sites', 'acv', 'formations', 'territoires'];
  const feats = [...seen.values()].sort((a, b) => order.indexOf(a.sourceLayer) - order.indexOf(b.sourceLayer) || String(a.properties.name).localeCompare(String(b.properties.name), 'fr'));
  if (!feats.length) { out.replaceChildren(el('p', { class: 'fr-text--sm' }, t('list.empty'))); return; }
  const max = 150;
  out.replaceChildren(el('ul', { class: 'app-results', id: 'list-items' }, feats.slice(0, max).map((f) => el('li', {},
    el('button', { type: 'button', class: 'app-result', onclick: () => {
      const at = f.geometry.type === 'Point' ? f.geometry.coordinates : map.getCenter().toArray();
      if (f.geometry.type === 'Point') map.flyTo({ center: at, zoom: Math.max(map.getZoom(), 10) });
      showPopup(f.sourceLayer, { ...f.properties }, at);
    } },
    el('span', { class: 'app-swatch app-swatch--dot', style: `--c:${GROUPS.find((g) => g.id === f.sourceLayer)?.color}`, 'aria-hidden': 'true' }),
    el('span', { class: 'app-result-name' }, f.properties.name),
    el('span', { class: 'app-result-meta' }, t('layer.' + f.sourceLayer)))))),
  feats.length > max ? el('p', { class: 'fr-text--sm' }, t('list.more', { n: fmtNumber(feats.length - max) })) : '');
}

// ---- territory (embed parameter) ----

async function showTerritoire(id) {
  const full = /^\d{4}\//.test(id) ? id : `${state.period.slice(0, 4)}/${id}`;
  try {
    const f = await getJSON('/api/features/' + encodeURIComponent(full));
    const b = bboxOf(f.geometry);
    if (b && !state.view) map.fitBounds(b, { padding: 20, duration: 0 });
  } catch { /* unknown id: the filter shows nothing */ }
}

// ---- language ----

// The switch is in the header's tools and, on phones, in the copy of them
// that the DSFR script puts in the menu: one delegated listener serves both.
function buildLang() {
  document.addEventListener('click', (e) => {
    if (!e.target.closest?.('[data-lang-switch]')) return;
    state.lang = state.lang === 'fr' ? 'en' : 'fr';
    setLang(state.lang);
    markLangSwitches();
    rebuildUI();
    writeState();
  });
  markLangSwitches();
}
function markLangSwitches() {
  for (const b of document.querySelectorAll('[data-lang-switch]')) b.setAttribute('lang', state.lang === 'fr' ? 'en' : 'fr');
}

function rebuildUI() {
  translate();
  document.title = t('site.title') + (getLang() === 'fr' ? ' — carte' : ' — map');
  buildSearch(); buildFilters(); buildLayersPanel();
  if (!picking) setPicking(false);
  const lt = $('#list-toggle'); if (lt) lt.textContent = t(listOpen ? 'list.hide' : 'list.show');
  if (listOpen) renderList();
}

// Escape closes the popup and leaves the point-picking mode.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.target?.id === 'search-input') return;
  if (picking) setPicking(false);
  popup?.remove();
});

// ---- go ----

// The DSFR script (the header's phone menu) is not needed for the first
// view of the map: it is loaded once the map is idle (or has failed), or
// at the first tap on the menu button.
let dsfrLoading = null;
function loadDSFR() {
  if (EMBED) return Promise.resolve();
  window.dsfr ??= { production: true }; // no start-up messages in the console
  dsfrLoading ??= import('./vendor/dsfr/dsfr.module.min.js').catch((err) => console.warn('DSFR script:', err.message));
  return dsfrLoading;
}
document.addEventListener('territoires:idle', loadDSFR, { once: true });
$('#button-menu')?.addEventListener('click', async () => {
  if (document.documentElement.hasAttribute('data-fr-js')) return; // the DSFR handles it
  await loadDSFR();
  // The DSFR started after this tap: open the menu once it manages it.
  const modal = $('#modal-menu');
  const until = performance.now() + 3000;
  const open = () => {
    if (modal.classList.contains('fr-modal--opened')) return;
    if (modal.hasAttribute('data-fr-js-modal')) window.dsfr?.(modal)?.modal?.disclose();
    else if (performance.now() < until) requestAnimationFrame(open);
  };
  open();
});

buildLang(); buildNear(); buildList();
start().then(() => { rebuildUI(); }).catch((err) => {
  console.error(err);
  document.getElementById('territoires-map').replaceChildren(el('p', { class: 'app-error', role: 'alert' }, t('error.load')));
  loadDSFR();
});
