// The legend (one checkbox per layer of the document's legend, with its
// swatch, name and feature count), the period switch, and the region and
// département filter.
import { $, el, swatch } from './dom.js';
import { boundsOfPlace, MAINLAND } from './state.js';

export function buildLayersPanel(ctx) {
  const { state, doc, i18n: { t, word } } = ctx;
  const box = $('#layers-box');
  if (!box) return;
  if (ctx.embed && !state.controls) return;
  box.hidden = false;
  box.replaceChildren();
  let root = box;
  if (ctx.embed) {
    const det = el('details', { open: window.innerWidth >= 640 && window.innerHeight >= 420 }, el('summary', {}, t('layers.legend')));
    box.append(det);
    root = det;
  }
  const fs = el('fieldset', { class: 'fr-fieldset app-layers', id: 'layers-fieldset' },
    el('legend', { class: 'fr-fieldset__legend fr-text--md' }, t('layers.legend')));
  for (const layer of doc.legend) {
    const id = 'layer-' + layer.id;
    fs.append(el('div', { class: 'fr-fieldset__element' },
      el('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
        el('input', { type: 'checkbox', id, name: 'layers', value: layer.id, checked: state.layers.has(layer.id), onchange: (e) => {
          if (e.target.checked) state.layers.add(layer.id); else state.layers.delete(layer.id);
          ctx.update();
        } }),
        el('label', { class: 'fr-label', for: id },
          swatch(layer.legend),
          el('span', { class: 'app-layer-name' }, word(layer.name)),
          el('span', { class: 'fr-hint-text app-count', 'data-count': layer.id }, '')))));
    if (layer.groups?.length) fs.append(groupChoices(ctx, layer));
  }
  root.append(fs);
  // The period switch (layers filtered by period or by membership per period).
  const seg = el('fieldset', { class: 'fr-segmented fr-segmented--sm app-period' },
    el('legend', { class: 'fr-segmented__legend' }, t('period.legend')),
    el('div', { class: 'fr-segmented__elements' }, doc.periods.map((p) => el('div', { class: 'fr-segmented__element' },
      el('input', { type: 'radio', name: 'period', id: 'period-' + p, value: p, checked: state.period === p, onchange: () => {
        state.period = p; ctx.update();
      } }),
      el('label', { class: 'fr-label', for: 'period-' + p }, p.replace('-', '–'))))));
  root.append(seg);
  renderCounts(ctx);
}

// Each legend entry's count in the chosen period and region (counts are
// known per region, not per territory), and below its zoom range a hint.
// A layer's announced groups (the sites' waves), each a checkbox saying how
// many the sources name of how many were announced.
function groupChoices(ctx, layer) {
  const { state, i18n: { t, word } } = ctx;
  const chosen = () => state.groups[layer.id] ?? new Set(layer.groups.map((g) => g.value));
  return el('div', { class: 'fr-fieldset__element app-groups' },
    el('fieldset', { class: 'fr-fieldset fr-fieldset--sm', id: `groups-${layer.id}` },
      el('legend', { class: 'fr-fieldset__legend fr-text--sm fr-mb-1v' }, t('layers.groups', { layer: word(layer.name), label: word(layer.groups[0].label) })),
      layer.groups.map((g) => {
        const id = `group-${layer.id}-${g.value}`;
        return el('div', { class: 'fr-fieldset__element' },
          el('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
            el('input', { type: 'checkbox', id, name: `groups-${layer.id}`, value: g.value, checked: chosen().has(g.value), onchange: (e) => {
              const set = new Set(chosen());
              if (e.target.checked) set.add(g.value); else set.delete(g.value);
              state.groups[layer.id] = set;
              ctx.update();
            } }),
            el('label', { class: 'fr-label', for: id }, word(g.name),
              el('span', { class: 'fr-hint-text' }, held(word(g.text), word(g.name))))));
      })));
}

// The sentence without the group's name, which the label already says.
const held = (text, name) => (text.startsWith(name) ? text.slice(name.length).replace(/^\s*:\s*/, '') : text);

export function renderCounts(ctx) {
  const { state, doc, map, i18n: { t, number } } = ctx;
  const z = map ? map.getZoom() : 0;
  for (const layer of doc.legend) {
    const span = document.querySelector(`[data-count="${layer.id}"]`);
    if (!span) continue;
    const count = state.territoire ? '' : t('layers.count', { n: number(doc.count(layer, state.period, state.region)) });
    const hint = layer.minzoom > z + 0.01 ? t('layers.zoomHint', { z: layer.minzoom }) : '';
    span.textContent = ctx.embed ? count : [count, hint].filter(Boolean).join(' · ');
  }
}

export function buildFilters(ctx) {
  const { state, doc, i18n: { t } } = ctx;
  const rs = $('#filter-region'); const ds = $('#filter-departement');
  if (!rs || !ds) return;
  rs.replaceChildren(el('option', { value: '' }, t('filter.all')),
    ...doc.regions.map((r) => el('option', { value: r.code, selected: r.code === state.region }, r.name)));
  const fillDeps = () => {
    ds.replaceChildren(el('option', { value: '' }, t('filter.allDep')),
      ...doc.departements.filter((d) => !state.region || d.region === state.region)
        .map((d) => el('option', { value: d.code, selected: d.code === state.departement }, `${d.code} – ${d.name}`)));
  };
  fillDeps();
  rs.onchange = () => { state.region = rs.value; state.departement = ''; fillDeps(); ctx.update(); fitFilter(ctx); };
  ds.onchange = () => {
    state.departement = ds.value;
    if (ds.value) state.region = doc.departement(ds.value).region;
    rs.value = state.region; fillDeps(); ctx.update(); fitFilter(ctx);
  };
}

function fitFilter(ctx) {
  const b = boundsOfPlace(ctx);
  ctx.map.fitBounds(b ?? MAINLAND, { padding: b ? 30 : 10, duration: 600 });
}
