// The list of the features in view: the features of the document's listed
// layers that the map draws, top-most layer first, then by name; and each
// layer's features in view as a CSV file, with the map's filters.
import { $, el, swatch } from './dom.js';
import { showPopup } from './popup.js';
import { shown, itemsFilters } from './style.js';

const MAX = 150;

export function buildList(ctx) {
  const btn = $('#list-toggle');
  if (!btn) return;
  btn.addEventListener('click', () => {
    ctx.listOpen = !ctx.listOpen;
    labelListToggle(ctx);
    $('#list-view').hidden = !ctx.listOpen;
    renderList(ctx);
  });
}

export function labelListToggle(ctx) {
  const btn = $('#list-toggle');
  if (!btn) return;
  btn.setAttribute('aria-expanded', String(ctx.listOpen));
  btn.textContent = ctx.i18n.t(ctx.listOpen ? 'list.hide' : 'list.show');
}

export function renderList(ctx) {
  const { map, doc, i18n: { t, word, number } } = ctx;
  const out = $('#list-view');
  if (!out || !map || !ctx.listOpen) return;
  const layers = doc.listed.filter((id) => shown(map, id));
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers })) {
    const id = f.properties.id ?? `${f.sourceLayer}:${f.properties.name}`;
    if (!seen.has(id)) seen.set(id, f);
  }
  const rank = (f) => layers.indexOf(f.layer.id);
  const feats = [...seen.values()].sort((a, b) => rank(a) - rank(b) || String(a.properties.name).localeCompare(String(b.properties.name), 'fr'));
  if (!feats.length) { out.replaceChildren(el('p', { class: 'fr-text--sm' }, t('list.empty'))); return; }
  const download = downloads(ctx, [...new Set(feats.map((f) => f.sourceLayer))]);
  out.replaceChildren(el('ul', { class: 'app-results', id: 'list-items' }, feats.slice(0, MAX).map((f) => {
    const layer = doc.layer(f.sourceLayer);
    return el('li', {},
      el('button', { type: 'button', class: 'app-result', onclick: () => {
        const point = f.geometry.type === 'Point';
        const at = point ? f.geometry.coordinates : map.getCenter().toArray();
        if (point) map.flyTo({ center: at, zoom: Math.max(map.getZoom(), 10) });
        showPopup(ctx, f.sourceLayer, { ...f.properties }, at);
      } },
      swatch(layer?.legend, 'dot'),
      el('span', { class: 'app-result-name' }, f.properties.name),
      el('span', { class: 'app-result-meta' }, word(layer?.kind))));
  })),
  feats.length > MAX ? el('p', { class: 'fr-text--sm' }, t('list.more', { n: number(feats.length - MAX) })) : '',
  download);
}

// A CSV of each listed layer's features in view: the OGC items of the
// view's box with the filters the map draws them with (the file holds
// every field, and every feature of the box, up to the API's maximum).
function downloads(ctx, ids) {
  const { map, i18n: { t, word } } = ctx;
  const b = map.getBounds();
  const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
  const links = ids.map((id) => ctx.doc.layer(id)).filter(Boolean).map((layer) => {
    const q = new URLSearchParams({ bbox: box, limit: '1000', f: 'csv', ...itemsFilters(ctx, layer) });
    return el('a', { class: 'fr-link fr-link--sm', href: `/collections/${encodeURIComponent(layer.id)}/items?${q}`, download: '',
      'aria-label': t('near.downloadLayer', { layer: word(layer.name) }) }, word(layer.name));
  });
  return el('p', { class: 'fr-text--sm app-list-download', id: 'list-download' }, t('near.download'), ' ',
    links.flatMap((a, i) => [i ? ' · ' : '', a]));
}
