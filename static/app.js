// The map page (/) and the embeddable page (/embed): one module, two modes
// (body[data-mode]). Plain ES modules, MapLibre GL JS 6, no framework.
// This module wires the others; everything they share is in one context
// object (ctx): the map document, the visitor's state, the words of the
// language, the map and its popup, marker and modes.
//
//   map/document.js  the layers, places and counts the server describes
//   map/state.js     the state, read from and written to the URL
//   map/style.js     what the state asks of each style layer
//   map/panel.js     legend, period switch, region and département filter
//   map/search.js    the search box
//   map/near.js      "near here"
//   map/list.js      the list of the features in view
//   map/popup.js     popups and going to a feature
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';
import { i18n } from './i18n.js';
import { $, el, fetchPreloaded, getJSON, bboxOf } from './map/dom.js';
import { readDocument } from './map/document.js';
import { urlParams, readState, writeState, fullMapURL, territoryFeatureId } from './map/state.js';
import { prepareStyle, applyStyle } from './map/style.js';
import { buildLayersPanel, renderCounts, buildFilters, boundsOfFilter, MAINLAND } from './map/panel.js';
import { buildSearch } from './map/search.js';
import { buildNear, setPicking, nearby, renderNearHelp } from './map/near.js';
import { buildList, renderList, labelListToggle } from './map/list.js';
import { clickFeature, openFeatureById } from './map/popup.js';

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
    base: {}, // the style's own filters and paints, by style layer
    provenance: {}, // by layer, from the API's answers
    popup: null,
    nearMarker: null,
    picking: false,
    listOpen: false,
    dsfr: null, // the DSFR script's import, once started
  };
  // After any change of the state: the map, the legend's counts, the URL
  // and the list follow.
  ctx.update = () => { applyStyle(ctx); renderCounts(ctx); writeState(ctx); renderList(ctx); };
  return ctx;
}

async function start(ctx) {
  ctx.i18n.translate();
  const [style, tilejson] = await Promise.all([fetchPreloaded('/style.json'), fetchPreloaded('/tiles.json')]);
  performance.mark('territoires:style');
  ctx.doc = readDocument(style);
  ctx.state = readState(ctx.doc, ctx.params, ctx.embed);
  const { state } = ctx;
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
  };
  if (!state.view) {
    const b = boundsOfFilter(ctx) ?? (state.territoire ? null : MAINLAND);
    if (b) { delete opts.center; delete opts.zoom; opts.bounds = b; opts.fitBoundsOptions = { padding: 10 }; }
  }
  const map = new maplibregl.Map(opts);
  ctx.map = map;
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
    customAttribution: ctx.embed ? `<a href="${fullMapURL(ctx)}" target="_blank" rel="noopener">${ctx.i18n.t('embed.open')}</a>` : undefined,
  }), 'bottom-right');
  if (state.controls) map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  if (!ctx.embed) map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('load', () => {
    ctx.styleReady = true;
    // Compact attribution starts folded (the "i" button opens it).
    document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
    ctx.update();
    if (state.territoire) showTerritoire(ctx);
    if (state.selected) openFeatureById(ctx, state.selected, false);
  });
  map.on('moveend', () => { writeState(ctx); renderList(ctx); });
  map.on('idle', () => renderList(ctx));
  map.on('zoomend', () => renderCounts(ctx));
  map.on('click', (e) => {
    if (ctx.picking) { setPicking(ctx, false); nearby(ctx, e.lngLat.lat, e.lngLat.lng); } else clickFeature(ctx, e);
  });
  for (const id of ctx.doc.clickable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ctx.picking ? 'crosshair' : ''; });
  }
  map.on('error', (e) => { if (e?.error?.status !== 404) console.warn('map:', e.error?.message ?? e); });
}

// The embed's territory: frame it (its features are filtered by the style).
async function showTerritoire(ctx) {
  try {
    const f = await getJSON('/api/features/' + encodeURIComponent(territoryFeatureId(ctx.state)));
    const b = bboxOf(f.geometry);
    if (b && !ctx.state.view) ctx.map.fitBounds(b, { padding: 20, duration: 0 });
  } catch { /* unknown id: the filter shows nothing */ }
}

// ---- language ----

// The switch is in the header's tools and, on phones, in the copy of them
// that the DSFR script puts in the menu: one delegated listener serves both.
function buildLang(ctx) {
  document.addEventListener('click', (e) => {
    if (!e.target.closest?.('[data-lang-switch]') || !ctx.state) return;
    ctx.state.lang = ctx.state.lang === 'fr' ? 'en' : 'fr';
    ctx.i18n = i18n(ctx.state.lang);
    markLangSwitches(ctx);
    rebuildUI(ctx);
    writeState(ctx);
  });
  markLangSwitches(ctx);
}
function markLangSwitches(ctx) {
  for (const b of document.querySelectorAll('[data-lang-switch]')) b.setAttribute('lang', ctx.i18n.lang === 'fr' ? 'en' : 'fr');
}

function rebuildUI(ctx) {
  const { t } = ctx.i18n;
  ctx.i18n.translate();
  document.title = t('site.title') + (ctx.i18n.lang === 'fr' ? ' — carte' : ' — map');
  buildSearch(ctx); buildFilters(ctx); buildLayersPanel(ctx); renderNearHelp(ctx);
  setPicking(ctx, ctx.picking);
  labelListToggle(ctx);
  renderList(ctx);
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
  $('#button-menu')?.addEventListener('click', async () => {
    if (document.documentElement.hasAttribute('data-fr-js')) return; // the DSFR handles it
    await loadDSFR(ctx);
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
}

// ---- go ----

function main() {
  const ctx = newContext();
  // Escape closes the popup and leaves the point-picking mode.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.target?.id === 'search-input') return;
    if (ctx.picking) setPicking(ctx, false);
    ctx.popup?.remove();
  });
  buildLang(ctx); buildMenu(ctx); buildNear(ctx); buildList(ctx);
  start(ctx).then(() => rebuildUI(ctx)).catch((err) => {
    console.error(err);
    document.getElementById('territoires-map').replaceChildren(el('p', { class: 'app-error', role: 'alert' }, ctx.i18n.t('error.load')));
    loadDSFR(ctx);
  });
}

main();
