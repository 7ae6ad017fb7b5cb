// The search box: a combobox with its listbox (WAI-ARIA 1.2 pattern),
// arrow keys, Enter and Escape; results ranked by the API around the
// map's centre, described with their layer's kind and their place.
import { $, el, getJSON } from './dom.js';
import { goToHit, keepProvenance } from './popup.js';

function describeHit(ctx, r) {
  const { doc, i18n: { word, distance } } = ctx;
  const p = r.properties ?? {};
  const parts = [word(doc.layer(r.layer)?.kind)];
  if (p.commune && p.commune !== r.name) parts.push(p.commune);
  const dep = p.departement && doc.departement(p.departement);
  if (p.departement) parts.push(`${dep?.name ?? p.departement} (${p.departement})`);
  else if (p.region) parts.push(doc.region(p.region)?.name ?? p.region);
  if (r.distance_m !== undefined) parts.push(distance(r.distance_m));
  return parts.join(' · ');
}

export function buildSearch(ctx) {
  const { state, i18n: { t } } = ctx;
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
  // The box's own state: its results, the active option, the debounce
  // timer and the number of the latest query (older answers are dropped).
  const combo = { results: [], active: -1, timer: 0, seq: 0 };
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); combo.active = -1; };
  const highlight = (i) => {
    combo.active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0 && list.children[i]) { input.setAttribute('aria-activedescendant', list.children[i].id); list.children[i].scrollIntoView({ block: 'nearest' }); }
  };
  const choose = (i) => {
    const r = combo.results[i];
    if (!r) return;
    input.value = r.name; close(); goToHit(ctx, r);
  };
  const render = () => {
    const { results } = combo;
    list.replaceChildren(...results.map((r, i) => el('li', {
      id: 'search-opt-' + i, role: 'option', 'aria-selected': 'false', class: 'app-search-option',
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, el('span', { class: 'app-opt-name' }, r.name), el('span', { class: 'app-opt-meta' }, describeHit(ctx, r)))));
    if (!results.length) list.replaceChildren(el('li', { class: 'app-search-empty', role: 'option', 'aria-disabled': 'true' }, t('search.none')));
    list.hidden = false; input.setAttribute('aria-expanded', 'true'); combo.active = -1;
    status.textContent = results.length ? `${results.length}` : t('search.none');
  };
  const query = async () => {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const my = ++combo.seq;
    const c = ctx.map.getCenter();
    try {
      const d = await getJSON(`/api/search?q=${encodeURIComponent(q)}&limit=8&lat=${c.lat.toFixed(4)}&lon=${c.lng.toFixed(4)}`);
      if (my !== combo.seq) return;
      combo.results = d.results ?? []; keepProvenance(ctx, d); render();
    } catch {
      if (my === combo.seq) { combo.results = []; list.replaceChildren(el('li', { class: 'app-search-empty' }, t('search.error'))); list.hidden = false; }
    }
  };
  box.replaceChildren(
    el('div', { class: 'fr-search-bar', role: 'search' },
      el('label', { class: 'fr-label', for: 'search-input' }, t('search.label')),
      input,
      el('button', { class: 'fr-btn', type: 'button', title: t('search.button'), onclick: () => choose(combo.active >= 0 ? combo.active : 0) }, t('search.button'))),
    list, status);
  input.addEventListener('input', () => { clearTimeout(combo.timer); combo.timer = setTimeout(query, 120); });
  input.addEventListener('keydown', (e) => {
    const { results, active } = combo;
    if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) query(); else highlight(Math.min(active + 1, results.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === 'Enter') { e.preventDefault(); if (results.length) choose(active >= 0 ? active : 0); }
    else if (e.key === 'Escape') { if (!list.hidden) { e.preventDefault(); close(); } else input.value = ''; }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
