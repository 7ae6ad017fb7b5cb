// The embed's documentation page (/embed/docs): snippets written with this
// server's address, a small form that composes them, and a live preview of
// /embed. French by default, English with the switch or ?lang=en.
import { t, setLang, getLang, translate } from './i18n.js';
import { REGIONS } from './geo.js';

const LAYERS = ['territoires', 'communes', 'sites', 'formations', 'acv'];
const DEFAULT_LAYERS = ['territoires', 'sites', 'formations', 'acv'];
const origin = location.origin;

const $ = (sel) => document.querySelector(sel);

// The form's choices as /embed parameters, in the order of the docs table;
// defaults are left out so the snippets stay short.
function params() {
  const p = [];
  const region = $('#b-region').value;
  if (region) p.push(['region', region]);
  const layers = LAYERS.filter((l) => $('#b-layer-' + l).checked);
  if (layers.join(',') !== DEFAULT_LAYERS.join(',')) p.push(['layers', layers.join(',')]);
  if ($('#b-en').checked) p.push(['lang', 'en']);
  if (!$('#b-controls').checked) p.push(['controls', '0']);
  if ($('#b-search').checked) p.push(['search', '1']);
  return p;
}

const attr = (v) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

function render() {
  const p = params();
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

function buildForm() {
  const region = $('#b-region');
  const keep = region.value || '27';
  region.replaceChildren(new Option(t('filter.all'), ''), ...REGIONS.map(([code, name]) => new Option(`${name} (${code})`, code)));
  region.value = keep;
  const box = $('#b-layers');
  const checked = new Set(LAYERS.filter((l) => $('#b-layer-' + l)?.checked ?? DEFAULT_LAYERS.includes(l)));
  box.querySelectorAll('.fr-fieldset__element').forEach((e) => e.remove());
  for (const l of LAYERS) {
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'b-layer-' + l, name: 'layers', value: l, checked: checked.has(l) });
    const label = Object.assign(document.createElement('label'), { className: 'fr-label', htmlFor: input.id, textContent: t('layers.' + l) });
    const group = document.createElement('div');
    group.className = 'fr-checkbox-group fr-checkbox-group--sm';
    group.append(input, label);
    const item = document.createElement('div');
    item.className = 'fr-fieldset__element';
    item.append(group);
    box.append(item);
  }
}

function applyLang() {
  const lang = getLang();
  translate();
  document.title = `${t('docs.title')} — ${t('site.title')}`;
  for (const b of document.querySelectorAll('[data-lang-block]')) b.hidden = b.dataset.langBlock !== lang;
  for (const b of document.querySelectorAll('[data-lang-switch]')) b.setAttribute('lang', lang === 'fr' ? 'en' : 'fr');
  buildForm();
  render();
}

async function copy(button) {
  const text = document.getElementById(button.dataset.copy).textContent;
  const status = $('#copy-status');
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = t('docs.copied');
  } catch {
    // No clipboard access: select the code so that Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copy));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = t('docs.copyManual');
  }
}

setLang(new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'fr');
$('#builder').addEventListener('change', render);
$('#builder').addEventListener('submit', (e) => e.preventDefault());
// Delegated: the DSFR script copies the header's tools into the phone menu.
document.addEventListener('click', (e) => {
  const target = e.target.closest?.('[data-lang-switch], [data-copy]');
  if (!target) return;
  if (target.dataset.copy) { copy(target); return; }
  setLang(getLang() === 'fr' ? 'en' : 'fr');
  const url = new URL(location.href);
  if (getLang() === 'en') url.searchParams.set('lang', 'en'); else url.searchParams.delete('lang');
  history.replaceState(null, '', url);
  applyLang();
});
applyLang();

// The DSFR script: the header's phone menu (no start-up messages).
window.dsfr = { production: true };
import('./vendor/dsfr/dsfr.module.min.js').catch((err) => console.warn('DSFR script:', err.message));
