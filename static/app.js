// The map page (/) and the embeddable page (/embed): one module, two modes
// (body[data-mode]). Plain ES modules, MapLibre GL JS 6, no framework.
// This module wires the others; everything they share is in one context
// object (ctx): the map document, the visitor's state, the words of the
// language, the map and its popup, marker and modes.
//
// The map's first view needs only the first three; the interface around
// it (the others) loads while the map fetches its tiles.
//
//   map/document.js  the layers, places and counts the server describes
//   map/state.js     the state, read from and written to the URL
//   map/style.js     what the state asks of each style layer
//   map/dom.js       DOM and fetch helpers
//   map/panel.js     legend, period switch, region and département filter
//   map/search.js    the search box
//   map/near.js      "near here"
//   map/list.js      the list of the features in view
//   map/popup.js     popups and going to a feature
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';
import { i18n } from './i18n.js';
import { readDocument, fetchPreloaded } from './map/document.js';
import { urlParams, readState, writeState, fullMapURL, boundsOfPlace, MAINLAND } from './map/state.js';
import { prepareStyle, applyStyle, showLabels } from './map/style.js';

// MapLibre's workers parse the tiles: start them now, while the style is
// fetched. Two, even on a two-core machine: one parses while the other
// waits for its tile. Their module is taken at its versioned URL, which the
// page prefetches while MapLibre itself downloads (MapLibre would add ?v=,
// a URL of its own).
maplibregl.setWorkerUrl(new URL('./vendor/maplibre-gl/maplibre-gl-worker.mjs', import.meta.url).href);
maplibregl.setWorkerCount(Math.min(4, Math.max(2, navigator.hardwareConcurrency || 2)));
maplibregl.prewarm();

function newContext() {
  const embed = document.body.dataset.mode === 'embed';
  const params = urlParams(embed);
  const ctx = {
    embed,
    params,
    i18n: i18n(params.get('lang')),
    doc: null, // the map document (map/document.js), from /style.json
    state: null, // the visitor's choices (map/state.js)
    map: null,
    styleReady: false,
    ui: null, // the interface's modules, once loaded (loadInterface)
    base: {}, // the style's own filters and paints, by style layer
    provenance: {}, // by layer, from the API's answers (map/popup.js)
    provenanceAsked: new Set(), // the provenance URLs fetched or being fetched
    popup: null,
    nearMarker: null,
    picking: false,
    listOpen: false,
    dsfr: null, // the DSFR script's import, once started
  };
  // After any change of the state: the map, the URL, the legend's counts
  // and the list follow.
  ctx.update = () => { applyStyle(ctx); writeState(ctx); ctx.ui?.renderCounts(ctx); ctx.ui?.renderList(ctx); };
  return ctx;
}

async function start(ctx) {
  ctx.i18n.translate();
  const [style, tilejson] = await Promise.all([fetchPreloaded('/style.json'), fetchPreloaded('/tiles.json')]);
  performance.mark('territoires:style');
  ctx.doc = readDocument(style);
  ctx.state = readState(ctx.doc, ctx.params, ctx.embed);
  const { state } = ctx;
  state.lang = ctx.i18n.lang; // the switch may have been used while the style loaded
  // The initial filters and visibilities go into the style itself: changing
  // them once the map is loaded would parse every tile a second time.
  prepareStyle(ctx, style, tilejson);
  const opts = {
    container: 'territoires-map',
    style,
    center: state.view?.center ?? style.center ?? [2.35, 46.6],
    zoom: state.view?.zoom ?? (ctx.embed ? 5 : 5.3),
    minZoom: 2,
    maxZoom: 14,
    attributionControl: false,
    cooperativeGestures: ctx.embed,
    hash: false,
    dragRotate: false,
    fadeDuration: 0, // no label fading (there are no labels): idle sooner
    pitchWithRotate: false,
    touchPitch: false,
    locale: mapLocale(ctx.i18n),
  };
  if (!state.view) {
    const b = boundsOfPlace(ctx) ?? (state.territoire ? null : MAINLAND);
    if (b) { delete opts.center; delete opts.zoom; opts.bounds = b; opts.fitBoundsOptions = { padding: 10 }; }
  }
  const map = new maplibregl.Map(opts);
  ctx.map = map;
  window.territoiresMap = map;
  performance.mark('territoires:map');
  // For the browser tests and anyone curious: time from navigation to the
  // first idle, with marks on the way in the Performance timeline (style
  // fetched, map created, style and first tiles loaded, idle), then to the
  // labels drawn.
  map.once('load', () => performance.mark('territoires:load'));
  map.once('idle', () => {
    performance.mark('territoires:idle');
    window.territoiresFirstIdle = performance.now();
    document.dispatchEvent(new CustomEvent('territoires:idle'));
    showLabels(ctx);
    map.once('idle', () => {
      performance.mark('territoires:labels');
      window.territoiresLabels = performance.now();
    });
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.AttributionControl({
    compact: true,
    customAttribution: ctx.embed ? `<a href="${fullMapURL(ctx)}" target="_blank" rel="noopener">${ctx.i18n.t('embed.open')}</a>` : undefined,
  }), 'bottom-right');
  if (state.controls) map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  if (!ctx.embed) map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  markMapLabels(map);
  map.on('load', () => {
    ctx.styleReady = true;
    // Compact attribution starts folded (the "i" button opens it).
    document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
    ctx.update();
    if (ctx.ui) afterLoad(ctx);
  });
  map.on('moveend', () => { writeState(ctx); ctx.ui?.renderList(ctx); });
  map.on('idle', () => ctx.ui?.renderList(ctx));
  map.on('zoomend', () => ctx.ui?.renderCounts(ctx));
  map.on('click', (e) => {
    const { ui } = ctx;
    if (!ui) return;
    if (ctx.picking) { ui.setPicking(ctx, false); ui.nearby(ctx, e.lngLat.lat, e.lngLat.lng); } else ui.clickFeature(ctx, e);
  });
  for (const id of ctx.doc.clickable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ctx.picking ? 'crosshair' : ''; });
  }
  map.on('error', (e) => { if (e?.error?.status !== 404) console.warn('map:', e.error?.message ?? e); });
}

// The interface around the map: its modules, one object.
async function loadInterface() {
  const parts = await Promise.all([import('./map/panel.js'), import('./map/popup.js'), import('./map/search.js'), import('./map/near.js'), import('./map/list.js')]);
  return Object.assign({}, ...parts);
}

// Once the map exists and the interface has loaded.
function wireInterface(ctx, ui) {
  ctx.ui = ui;
  ui.buildNear(ctx); ui.buildList(ctx);
  rebuildUI(ctx);
  if (ctx.styleReady) { ctx.update(); afterLoad(ctx); }
}

// Once both the map's style and the interface are there: the embed's
// territory framed, the URL's selected feature opened (and framed, when
// the URL gives no view: a link from a site's or a territory's page).
function afterLoad(ctx) {
  if (ctx.state.territoire) ctx.ui.showTerritory(ctx);
  if (ctx.state.selected) ctx.ui.openFeatureById(ctx, ctx.state.selected, !ctx.state.view && !boundsOfPlace(ctx));
}

// ---- language ----

// MapLibre's own words (the canvas's accessible name, the zoom and
// attribution buttons, the embed's two-finger hint) in the page's
// language. The locale gives them at creation; the data-i18n marks let a
// language switch translate them with the rest of the page.
const MAP_WORDS = {
  'Map.Title': 'map.canvas',
  'NavigationControl.ZoomIn': 'map.zoomIn',
  'NavigationControl.ZoomOut': 'map.zoomOut',
  'AttributionControl.ToggleAttribution': 'map.attribution',
  'Marker.Title': 'map.marker',
  'Popup.Close': 'popup.close',
  'CooperativeGesturesHandler.WindowsHelpText': 'map.gestures.windows',
  'CooperativeGesturesHandler.MacHelpText': 'map.gestures.mac',
  'CooperativeGesturesHandler.MobileHelpText': 'map.gestures.mobile',
};
const mapLocale = ({ t }) => Object.fromEntries(Object.entries(MAP_WORDS).map(([k, key]) => [k, t(key)]));
function markMapLabels(map) {
  const mark = (el, key, title) => {
    if (!el) return;
    el.dataset.i18nAria = key;
    if (title) el.dataset.i18nTitle = key;
  };
  const root = map.getContainer();
  mark(map.getCanvas(), MAP_WORDS['Map.Title']);
  mark(root.querySelector('.maplibregl-ctrl-zoom-in'), MAP_WORDS['NavigationControl.ZoomIn'], true);
  mark(root.querySelector('.maplibregl-ctrl-zoom-out'), MAP_WORDS['NavigationControl.ZoomOut'], true);
  mark(root.querySelector('.maplibregl-ctrl-attrib-button'), MAP_WORDS['AttributionControl.ToggleAttribution'], true);
}

// The switch is in the header's tools and, on phones, in the copy of them
// that the DSFR script puts in the menu: one delegated listener serves both.
function buildLang(ctx) {
  document.addEventListener('click', (e) => {
    if (!e.target.closest?.('[data-lang-switch]')) return;
    ctx.i18n = i18n(ctx.i18n.lang === 'fr' ? 'en' : 'fr');
    if (ctx.state) ctx.state.lang = ctx.i18n.lang;
    markLangSwitches(ctx);
    if (ctx.ui) rebuildUI(ctx); else ctx.i18n.translate(); // the interface will be built in this language
    writeState(ctx);
  });
  markLangSwitches(ctx);
}
function markLangSwitches(ctx) {
  for (const b of document.querySelectorAll('[data-lang-switch]')) b.setAttribute('lang', ctx.i18n.lang === 'fr' ? 'en' : 'fr');
}

function rebuildUI(ctx) {
  const { i18n: { t, lang }, ui } = ctx;
  ctx.i18n.translate();
  document.title = t('site.title') + (lang === 'fr' ? ' — carte' : ' — map');
  ui.buildSearch(ctx); ui.buildFilters(ctx); ui.buildLayersPanel(ctx); ui.renderNearHelp(ctx);
  ui.setPicking(ctx, ctx.picking);
  ui.labelListToggle(ctx);
  ui.renderList(ctx);
}

// ---- the DSFR script ----

// The DSFR script (the header's phone menu) is not needed for the first
// view of the map: it is loaded once the map is idle (or has failed), or
// at the first tap on the menu button.
function loadDSFR(ctx) {
  if (ctx.embed) return Promise.resolve();
  window.dsfr ??= { production: true }; // no start-up messages in the console
  ctx.dsfr ??= import('./vendor/dsfr/dsfr.module.min.js').catch((err) => console.warn('DSFR script:', err.message));
  return ctx.dsfr;
}
function buildMenu(ctx) {
  document.addEventListener('territoires:idle', () => loadDSFR(ctx), { once: true });
  document.getElementById('button-menu')?.addEventListener('click', async () => {
    if (document.documentElement.hasAttribute('data-fr-js')) return; // the DSFR handles it
    await loadDSFR(ctx);
    // The DSFR started after this tap: open the menu once it manages it.
    const modal = document.getElementById('modal-menu');
    const until = performance.now() + 3000;
    const open = () => {
      if (modal.classList.contains('fr-modal--opened')) return;
      if (modal.hasAttribute('data-fr-js-modal')) window.dsfr?.(modal)?.modal?.disclose();
      else if (performance.now() < until) requestAnimationFrame(open);
    };
    open();
  });
}

// ---- go ----

function main() {
  const ctx = newContext();
  // Escape closes the popup and leaves the point-picking mode.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.target?.id === 'search-input') return;
    if (ctx.picking) ctx.ui.setPicking(ctx, false);
    ctx.popup?.remove();
  });
  buildLang(ctx); buildMenu(ctx);
  start(ctx).then(loadInterface).then((ui) => wireInterface(ctx, ui)).catch((err) => {
    console.error(err);
    const p = Object.assign(document.createElement('p'), { className: 'app-error', textContent: ctx.i18n.t('error.load') });
    p.setAttribute('role', 'alert');
    document.getElementById('territoires-map').replaceChildren(p);
    loadDSFR(ctx);
  });
}

main();
