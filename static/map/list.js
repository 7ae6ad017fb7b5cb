// The list of the features in view: the features of the document's listed
// layers that the map draws, top-most layer first, then by name.
import { $, el, swatch } from './dom.js';
import { showPopup } from './popup.js';
import { shown } from './style.js';

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
  feats.length > MAX ? el('p', { class: 'fr-text--sm' }, t('list.more', { n: number(feats.length - MAX) })) : '');
}
