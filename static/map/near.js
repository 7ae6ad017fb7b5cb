// "Near here": a point picked on the map or the visitor's position, and
// the nearest features of each of the document's "nearby" layers (one
// query per layer, five each, so that a numerous layer does not crowd out
// the others), merged by distance. Each layer's rows can be downloaded as
// CSV: the same query with format=csv.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { $, el, getJSON, swatch } from './dom.js';
import { goToHit, keepProvenance } from './popup.js';
import { pageURL } from './document.js';

const PER_LAYER = 5;

export function setPicking(ctx, on) {
  ctx.picking = on;
  const b = $('#near-pick');
  if (b) { b.setAttribute('aria-pressed', String(on)); b.textContent = ctx.i18n.t(on ? 'near.picking' : 'near.pick'); }
  if (ctx.map) ctx.map.getCanvas().style.cursor = on ? 'crosshair' : '';
}

// The help names the layers it searches.
export function renderNearHelp(ctx) {
  const help = $('#near-help');
  if (help) help.textContent = ctx.i18n.t('near.help', { layers: ctx.doc.nearby.map((l) => ctx.i18n.word(l.name)).join(', ') });
}

export async function nearby(ctx, lat, lon) {
  const { map, doc, state, i18n: { t, word, distance } } = ctx;
  const out = $('#near-results');
  if (!out) return;
  ctx.nearMarker?.remove();
  ctx.nearMarker = new maplibregl.Marker({ color: '#000091' }).setLngLat([lon, lat]).addTo(map);
  ctx.nearMarker.getElement().dataset.i18nAria = 'map.marker'; // named again on a language switch
  out.replaceChildren(el('p', { class: 'fr-text--sm' }, t('popup.loading')));
  try {
    let q = `/api/nearby?lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}&k=${PER_LAYER}`;
    if (state.region) q += `&codeRegion=${state.region}`;
    const queries = doc.nearby.map((l) => `${q}&layers=${encodeURIComponent(l.id)}`);
    const parts = await Promise.all(queries.map(getJSON));
    parts.forEach((d) => keepProvenance(ctx, d));
    const res = parts.flatMap((d) => d.results ?? []).sort((a, b) => a.distance_m - b.distance_m);
    if (!res.length) { out.replaceChildren(el('p', {}, t('near.none'))); return; }
    out.replaceChildren(
      el('p', { class: 'fr-text--sm app-near-head' }, t('near.results', { n: res.length, place: t('near.here') })),
      el('ol', { class: 'app-results', id: 'near-list' }, res.map((r) => {
        const layer = doc.layer(r.layer);
        const page = pageURL(layer, { ...r.properties, id: r.id }, ctx.i18n.lang);
        return el('li', { class: page ? 'app-result-with-page' : undefined },
          el('button', { type: 'button', class: 'app-result', onclick: () => goToHit(ctx, r) },
            swatch(layer?.legend, 'dot'),
            el('span', { class: 'app-result-name' }, r.name),
            el('span', { class: 'app-result-meta' }, `${word(layer?.kind)} · `, el('strong', { class: 'app-distance' }, distance(r.distance_m)))),
          page && el('a', { href: page, class: 'app-result-page', 'aria-label': t('near.pageOf', { name: r.name }) }, t('near.page')));
      })),
      downloads(ctx, doc.nearby.map((l, i) => ({ layer: l, query: queries[i] })).filter((_, i) => parts[i].results?.length)));
    const b = new maplibregl.LngLatBounds([lon, lat], [lon, lat]);
    res.slice(0, 5).forEach((r) => b.extend([r.lon, r.lat]));
    map.fitBounds(b, { padding: 60, maxZoom: 12, duration: 600 });
  } catch {
    out.replaceChildren(el('p', { class: 'fr-error-text' }, t('search.error')));
  }
}

// The list's rows as CSV files, one per layer of the list: its query with
// format=csv (the server names the file and makes it safe for
// spreadsheets).
function downloads(ctx, lists) {
  const { t, word } = ctx.i18n;
  return el('p', { class: 'fr-text--sm app-near-download', id: 'near-download' }, t('near.download'), ' ',
    lists.flatMap(({ layer, query }, i) => [i ? ' · ' : '',
      el('a', { class: 'fr-link fr-link--sm', href: `${query}&format=csv`, download: true, 'aria-label': t('near.downloadLayer', { layer: word(layer.name) }) }, word(layer.name))]));
}

export function buildNear(ctx) {
  $('#near-pick')?.addEventListener('click', () => setPicking(ctx, !ctx.picking));
  $('#near-locate')?.addEventListener('click', () => {
    const fail = () => { $('#near-results').textContent = ctx.i18n.t('near.locateError'); };
    if (!navigator.geolocation) { fail(); return; }
    navigator.geolocation.getCurrentPosition((pos) => nearby(ctx, pos.coords.latitude, pos.coords.longitude), fail, { timeout: 10000 });
  });
}
