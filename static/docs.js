// The embed's documentation page (/embed/docs): snippets written with this
// server's address, a small form that composes them, and a live preview of
// /embed. French by default, English with the switch or ?lang=en. The
// layers and regions it offers are the map document's (/style.json).
import { i18n } from './i18n.js';
import { readDocument, fetchPreloaded } from './map/document.js';
import { $, el } from './map/dom.js';

// The region the form starts with, so that the snippets show one.
const EXAMPLE_REGION = '27';

// The form's choices as /embed parameters, in the order of the docs table;
// defaults are left out so the snippets stay short. Until the document
// has come, the form has no region list and no layers: the example region
// and the default layers.
function params(ctx) {
  const p = [];
  const select = $('#b-region');
  const region = select.options.length ? select.value : EXAMPLE_REGION;
  if (region) p.push(['region', region]);
  if (ctx.doc) {
    const ids = (layers) => layers.map((l) => l.id).join(',');
    const chosen = ids(ctx.doc.legend.filter((l) => $('#b-layer-' + l.id)?.checked));
    if (chosen !== ids(ctx.doc.legend.filter((l) => l.legend.visible))) p.push(['layers', chosen]);
  }
  if ($('#b-en').checked) p.push(['lang', 'en']);
  if (!$('#b-controls').checked) p.push(['controls', '0']);
  if ($('#b-search').checked) p.push(['search', '1']);
  if (ctx.basemap && !$('#b-basemap').checked) p.push(['basemap', '0']);
  return p;
}

const attr = (v) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

function render(ctx) {
  const origin = location.origin;
  const p = params(ctx);
  const query = p.map(([k, v]) => `${k}=${encodeURIComponent(v).replaceAll('%2C', ',')}`).join('&');
  const embedURL = `${origin}/embed${query ? '?' + query : ''}`;
  const data = p.map(([k, v]) => ` data-${k}="${attr(v)}"`).join('');
  const title = $('#b-en').checked ? 'Map of the Territoires d’industrie' : 'Carte des Territoires d’industrie';
  $('#snippet-widget').textContent = `<script src="${origin}/widget.js"${data} async></script>`;
  $('#snippet-div').textContent = `<div data-territoires-map${data} data-height="480px"></div>\n<script src="${origin}/widget.js" async></script>`;
  $('#snippet-iframe').textContent = `<iframe src="${attr(embedURL)}" title="${title}" width="100%" height="480" loading="lazy" allow="geolocation; fullscreen" style="border:0"></iframe>`;
  const preview = $('#preview');
  if (preview.getAttribute('src') !== embedURL) preview.setAttribute('src', embedURL);
}

// The region list and the layers' checkboxes, from the document.
function buildForm(ctx) {
  const { doc, i18n: { t, word } } = ctx;
  const region = $('#b-region');
  const keep = region.options.length ? region.value : EXAMPLE_REGION;
  region.replaceChildren(new Option(t('filter.all'), ''), ...doc.regions.map((r) => new Option(`${r.name} (${r.code})`, r.code)));
  region.value = keep;
  const box = $('#b-layers');
  const checked = new Set(doc.legend.filter((l) => $('#b-layer-' + l.id)?.checked ?? l.legend.visible).map((l) => l.id));
  box.querySelectorAll('.fr-fieldset__element').forEach((e) => e.remove());
  for (const l of doc.legend) {
    box.append(el('div', { class: 'fr-fieldset__element' },
      el('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
        el('input', { type: 'checkbox', id: 'b-layer-' + l.id, name: 'layers', value: l.id, checked: checked.has(l.id) }),
        el('label', { class: 'fr-label', for: 'b-layer-' + l.id }, word(l.name)))));
  }
  // The parameters table: the layer ids, and which are shown by default.
  const codes = (layers) => layers.flatMap((l, i) => [i ? ', ' : '', el('code', {}, l.id), ` (${word(l.name)})`]);
  for (const span of document.querySelectorAll('[data-doc-layers]')) {
    span.replaceChildren(...codes(span.dataset.docLayers === 'visible' ? doc.legend.filter((l) => l.legend.visible) : doc.legend));
  }
}

function applyLang(ctx) {
  const { t, lang } = ctx.i18n;
  ctx.i18n.translate();
  document.title = `${t('docs.title')} — ${t('site.title')}`;
  for (const b of document.querySelectorAll('[data-lang-block]')) b.hidden = b.dataset.langBlock !== lang;
  for (const b of document.querySelectorAll('[data-lang-switch]')) b.setAttribute('lang', lang === 'fr' ? 'en' : 'fr');
  if (ctx.doc) buildForm(ctx);
  render(ctx);
}

async function copy(ctx, button) {
  const text = document.getElementById(button.dataset.copy).textContent;
  const status = $('#copy-status');
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = ctx.i18n.t('docs.copied');
  } catch {
    // No clipboard access: select the code so that Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copy));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = ctx.i18n.t('docs.copyManual');
  }
}

function main() {
  const ctx = { i18n: i18n(new URLSearchParams(location.search).get('lang')), doc: null, basemap: false };
  $('#builder').addEventListener('change', () => render(ctx));
  $('#builder').addEventListener('submit', (e) => e.preventDefault());
  // Delegated: the DSFR script copies the header's tools into the phone menu.
  document.addEventListener('click', (e) => {
    const target = e.target.closest?.('[data-lang-switch], [data-copy]');
    if (!target) return;
    if (target.dataset.copy) { copy(ctx, target); return; }
    ctx.i18n = i18n(ctx.i18n.lang === 'fr' ? 'en' : 'fr');
    const url = new URL(location.href);
    if (ctx.i18n.lang === 'en') url.searchParams.set('lang', 'en'); else url.searchParams.delete('lang');
    history.replaceState(null, '', url);
    applyLang(ctx);
  });
  applyLang(ctx);
  fetchPreloaded('/style.json').then((style) => {
    ctx.doc = readDocument(style);
    // The base map option, when the service draws one (its --basemap).
    ctx.basemap = Boolean(style.metadata?.['territoires:basemap']);
    $('#b-basemap-option').hidden = !ctx.basemap;
    applyLang(ctx);
  })
    .catch((err) => console.error('map document:', err.message));

  // The DSFR script: the header's phone menu (no start-up messages).
  window.dsfr = { production: true };
  import('./vendor/dsfr/dsfr.module.min.js').catch((err) => console.warn('DSFR script:', err.message));
}

main();
