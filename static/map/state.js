// The visitor's choices and the URL that carries them: the hash on the
// map page (#map=z/lat/lon&layers=…&period=…&region=…&sel=…&lang=…&basemap=0, also
// read from the query: /?lang=en), the query on /embed (?region=…&layers=…&territoire=…&center=…&zoom=…&basemap=0).
// Layer ids, periods and places are checked against the map document.
import { boundsOf } from './document.js';

// Mainland France: the view when no place is chosen.
export const MAINLAND = [[-5.2, 42.3], [8.3, 51.1]];

// The URL's parameters, before the document is known (the language is
// needed first, to translate the page while the style loads). The page
// also reads its query (/?lang=en, a link written by hand or by another
// site); the hash, which the page keeps up to date, wins.
export function urlParams(embed) {
  const p = new URLSearchParams(location.search);
  if (!embed) for (const [k, v] of new URLSearchParams(location.hash.slice(1))) p.set(k, v);
  return p;
}

export function readState(doc, p, embed) {
  const legend = doc.legend.map((l) => l.id);
  const st = {
    lang: p.get('lang') === 'en' ? 'en' : 'fr',
    layers: new Set(doc.legend.filter((l) => l.legend.visible).map((l) => l.id)),
    period: doc.periods.includes(p.get('period')) ? p.get('period') : doc.periods[0],
    region: '', departement: '', territoire: p.get('territoire') || '',
    view: null, selected: p.get('sel') || '',
    controls: p.get('controls') !== '0', search: embed ? p.get('search') === '1' : true,
    // basemap=0: without the server's external base map (if it has one).
    basemap: p.get('basemap') !== '0',
  };
  // Announced groups (wave=2020-07,2024-04): the layer shows those only;
  // absent, all of them.
  st.groups = {};
  for (const l of doc.layers) {
    if (!l.groups?.length || !p.has(l.groups[0].param)) continue;
    const known = l.groups.map((g) => g.value);
    st.groups[l.id] = new Set(p.get(l.groups[0].param).split(',').map((s) => s.trim()).filter((s) => known.includes(s)));
  }
  if (p.has('layers')) st.layers = new Set(p.get('layers').split(',').map((s) => s.trim()).filter((s) => legend.includes(s)));
  const dep = doc.departement(p.get('departement') || p.get('dep') || '');
  if (dep) { st.departement = dep.code; st.region = dep.region; } else if (doc.region(p.get('region') || '')) st.region = p.get('region');
  // A territory id may name its period by its first year (2018/ti-2702).
  const year = /^(\d{4})\//.exec(st.territoire)?.[1];
  if (year) st.period = doc.periods.find((x) => x.startsWith(year)) ?? st.period;
  // View: map=zoom/lat/lon (page) or center=lon,lat&zoom=z (embed, and accepted on the page).
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) st.view = { zoom: m[0], center: [m[2], m[1]] };
  const c = (p.get('center') || '').split(',').map(Number);
  if (c.length === 2 && c.every(Number.isFinite)) st.view = { center: c, zoom: Number(p.get('zoom')) || 8 };
  return st;
}

// The chosen place's bounds (null: none chosen).
export function boundsOfPlace(ctx) {
  const { state, doc } = ctx;
  if (state.departement) return boundsOf(doc.departement(state.departement));
  if (state.region) return boundsOf(doc.region(state.region));
  return null;
}

// The territory's id in the tiles (ti-2704), and as the API names it,
// with its period (2023/ti-2704).
export const territoryCode = (st) => st.territoire.replace(/^\d{4}\//, '');
export const territoryFeatureId = (st) => (/^\d{4}\//.test(st.territoire) ? st.territoire : `${st.period.slice(0, 4)}/${st.territoire}`);

// The groups chosen, for layers where not all are.
function setGroups(p, state, doc) {
  for (const [id, chosen] of Object.entries(state.groups ?? {})) {
    const l = doc.layer(id);
    if (l?.groups?.length && chosen.size < l.groups.length) p.set(l.groups[0].param, [...chosen].join(','));
  }
}

const shortURL = (p) => p.toString().replaceAll('%2F', '/').replaceAll('%2C', ',');

// The page's hash follows the state (not on /embed, whose URL is the host's choice).
export function writeState(ctx) {
  const { map, state, doc } = ctx;
  if (ctx.embed || !map) return;
  const c = map.getCenter();
  const p = new URLSearchParams();
  p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  p.set('layers', [...state.layers].join(','));
  if (state.period !== doc.periods[0]) p.set('period', state.period);
  if (state.region) p.set('region', state.region);
  if (state.departement) p.set('departement', state.departement);
  if (state.selected) p.set('sel', state.selected);
  setGroups(p, state, doc);
  if (state.lang !== 'fr') p.set('lang', state.lang);
  if (!state.basemap) p.set('basemap', '0');
  // The state has one home, the hash: the query it may have come from goes.
  history.replaceState(null, '', location.pathname + '#' + shortURL(p));
}

// The full map with the embed's choices, for the "open the full map" link.
export function fullMapURL(ctx) {
  const { state, doc } = ctx;
  const p = new URLSearchParams();
  p.set('layers', [...state.layers].join(','));
  if (state.period !== doc.periods[0]) p.set('period', state.period);
  if (state.departement) p.set('departement', state.departement);
  else if (state.region) p.set('region', state.region);
  setGroups(p, state, doc);
  if (state.lang !== 'fr') p.set('lang', state.lang);
  if (!state.basemap) p.set('basemap', '0');
  return `${location.origin}/#${shortURL(p)}`;
}
