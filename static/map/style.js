// What the state asks of each style layer, read from the roles the map
// document gives them (and of the external base map, if any: basemap=0
// takes it out):
//   ''          the layer's features: filtered by period (or the period's
//               membership flag), chosen place and territory; hidden with
//               the layer's legend entry
//   clusters    filtered by place only; hidden with the layer
//   land        dimmed outside the chosen region
//   selection   the chosen département's outline, hidden when none
//   base        drawn as the style says
// Used to write the initial style (no second parse of the tiles) and to
// update the map when the state changes.
import { PLACE_FIELDS } from './document.js';
import { territoryCode } from './state.js';

// The land inside and outside the chosen region; without one, the style's own colour.
const LAND_IN = '#ffffff';
const LAND_OUT = '#e5e5e5';

const get = (field) => ['get', field];
const all = (parts) => (parts.length ? ['all', ...parts] : null);
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function placeValue(state, field) {
  if (field === PLACE_FIELDS.departement) return state.departement;
  if (field === PLACE_FIELDS.region) return state.region;
  return '';
}

// The fields the state filters a layer on.
function stateFields(layer) {
  const f = layer.filters ?? {};
  const out = new Set(f.place ?? []);
  if (f.period) out.add(f.period);
  for (const m of Object.values(f.territory ?? {})) { if (m.member) out.add(m.member); if (m.territory) out.add(m.territory); }
  return out;
}

// The style layer's own filter without its tests of the fields the state
// filters on (the style is written for the default period: the state's
// period replaces it).
function ownFilter(filter, fields) {
  const mine = (f) => Array.isArray(f) && f[0] === '==' && Array.isArray(f[1]) && f[1][0] === 'get' && fields.has(f[1][1]);
  if (!filter || mine(filter)) return null;
  if (filter[0] !== 'all') return filter;
  const rest = filter.slice(1).filter((f) => !mine(f));
  return rest.length ? (rest.length === 1 ? rest[0] : ['all', ...rest]) : null;
}

// A layer's features as the map filters them, as OGC items property
// filters (and the group parameter): the same tests as styleState's.
export function itemsFilters(ctx, layer) {
  const { state } = ctx;
  const f = layer.filters ?? {};
  const out = {};
  const placeField = (f.place ?? []).find((field) => placeValue(state, field));
  if (placeField) out[placeField] = placeValue(state, placeField);
  if (f.period) out[f.period] = state.period;
  const membership = f.territory?.[state.period];
  if (membership?.member) out[membership.member] = 'true';
  if (state.territoire && membership?.territory) out[membership.territory] = territoryCode(state);
  const chosen = state.groups?.[layer.id];
  if (chosen && layer.groups?.length) out[layer.groups[0].param] = [...chosen].join(',');
  return out;
}

export function styleState(ctx) {
  const { doc, state } = ctx;
  const out = {};
  const territory = state.territoire ? territoryCode(state) : '';
  for (const layer of doc.layers) {
    const f = layer.filters ?? {};
    const fields = stateFields(layer);
    const membership = f.territory?.[state.period];
    const placeField = (f.place ?? []).find((field) => placeValue(state, field));
    const place = placeField ? [['==', get(placeField), placeValue(state, placeField)]] : [];
    const visibility = !layer.legend || state.layers.has(layer.id) ? 'visible' : 'none';
    for (const s of layer.style ?? []) {
      const base = ctx.base[s.id];
      if (!base) continue;
      const own = ownFilter(base.filter, fields);
      switch (s.role ?? '') {
        case '': {
          const parts = [own, ...place];
          if (f.period) parts.push(['==', get(f.period), state.period]);
          if (membership?.member) parts.push(['==', get(membership.member), true]);
          if (territory && membership?.territory) parts.push(['==', get(membership.territory), territory]);
          // The chosen groups: a feature lists its groups in one string.
          const chosen = state.groups?.[layer.id];
          if (chosen && layer.groups?.length) parts.push(['any', ...[...chosen].map((g) => ['in', g, get(layer.groups[0].field)])]);
          out[s.id] = { filter: all(parts.filter(Boolean)), visibility };
          break;
        }
        case 'clusters':
          out[s.id] = { filter: all([own, ...place].filter(Boolean)), visibility };
          break;
        case 'land': {
          const prop = `${base.type}-color`;
          out[s.id] = { paint: { [prop]: state.region ? ['case', ['==', get(PLACE_FIELDS.region), state.region], LAND_IN, LAND_OUT] : base.paint[prop] } };
          break;
        }
        case 'selection':
          out[s.id] = { filter: ['==', get('code'), state.departement], visibility: state.departement ? 'visible' : 'none' };
          break;
        default: // base: as the style says
      }
    }
  }
  return out;
}

// Records the style's own filters and paints, writes the TileJSON and the
// state's initial choices into the style before the map is made.
export function prepareStyle(ctx, style, tilejson) {
  if (!ctx.state.basemap) removeBasemap(style);
  // The labels are drawn with the page's own font, without the style's
  // font files: the map page has Marianne from the DSFR already loading
  // for its text (MapLibre would fetch and register the same files again,
  // a second later), the embed uses the system's sans-serif for its text
  // and its labels alike (no 116 KB of fonts: it stays under 500 KB with
  // its first tiles). With a base map's glyph server, the files stay: the
  // fonts they name are not on that server.
  if (!style.glyphs) delete style['font-faces'];
  ctx.base = {};
  for (const l of style.layers) ctx.base[l.id] = { type: l.type, filter: l.filter ?? null, paint: { ...l.paint } };
  inlineTileJSON(style, tilejson);
  const initial = styleState(ctx);
  for (const l of style.layers) {
    const want = initial[l.id];
    if (!want) continue;
    if ('filter' in want) { if (want.filter) l.filter = want.filter; else delete l.filter; }
    if (want.visibility) l.layout = { ...l.layout, visibility: want.visibility };
    if (want.paint) l.paint = { ...l.paint, ...want.paint };
  }
  // Our labels wait for the first idle (showLabels): drawing text without
  // a glyph server means rasterizing every glyph in the page, which on a
  // slow machine delays the first view by a third; shapes and points come
  // first, the names a moment later.
  ctx.labelsLater = new Map();
  for (const l of style.layers) {
    if (l.type !== 'symbol' || l.metadata?.['territoires:basemap']) continue;
    ctx.labelsLater.set(l.id, l.layout?.visibility ?? 'visible');
    l.layout = { ...l.layout, visibility: 'none' };
  }
}

// Shows the labels held back by prepareStyle, as the state wants them.
export function showLabels(ctx) {
  const pending = ctx.labelsLater;
  ctx.labelsLater = null;
  for (const [id, visibility] of pending ?? []) if (ctx.map.getLayer(id)) ctx.map.setLayoutProperty(id, 'visibility', visibility);
}

// Applies styleState() to the map, changing only what differs (a changed
// filter makes MapLibre parse the tiles again).
export function applyStyle(ctx) {
  const { map } = ctx;
  if (!ctx.styleReady) return;
  for (const [id, want] of Object.entries(styleState(ctx))) {
    if (!map.getLayer(id)) continue;
    if ('filter' in want && !same(map.getFilter(id), want.filter)) map.setFilter(id, want.filter);
    if (want.visibility && ctx.labelsLater?.has(id)) ctx.labelsLater.set(id, want.visibility); // shown later, as wanted then
    else if (want.visibility && (map.getLayoutProperty(id, 'visibility') ?? 'visible') !== want.visibility) map.setLayoutProperty(id, 'visibility', want.visibility);
    for (const [k, v] of Object.entries(want.paint ?? {})) if (!same(map.getPaintProperty(id, k), v)) map.setPaintProperty(id, k, v);
  }
}

// The external base map the server may draw under our layers (its
// --basemap), taken out of the style (basemap=0): its layers and sources
// go, the style's top-level members (glyphs, sprite…) are as they would be
// without it, and our background and land fills, hidden under it, show.
function removeBasemap(style) {
  const info = style.metadata?.['territoires:basemap'];
  if (!info) return;
  const theirs = new Set(info.sources ?? []);
  style.layers = style.layers.filter((l) => !l.metadata?.['territoires:basemap'] && !theirs.has(l.source));
  for (const id of theirs) delete style.sources[id];
  for (const [key, value] of Object.entries(info.without ?? {})) {
    if (value === null) delete style[key]; else style[key] = value;
  }
  for (const l of style.layers) if (l.metadata?.['territoires:without-basemap']) l.layout = { ...l.layout, visibility: 'visible' };
  delete style.metadata['territoires:basemap'];
}

// Our source's TileJSON written into the style, so that MapLibre does not
// request it again after the style (one round trip less before the tiles).
// A base map's sources keep their own.
function inlineTileJSON(style, tj) {
  const theirs = new Set(style.metadata?.['territoires:basemap']?.sources ?? []);
  for (const [id, src] of Object.entries(style.sources)) {
    if (theirs.has(id) || src.type !== 'vector' || !src.url || !tj?.tiles) continue;
    delete src.url;
    Object.assign(src, { tiles: tj.tiles, minzoom: tj.minzoom ?? 0, maxzoom: tj.maxzoom ?? 22, scheme: tj.scheme ?? 'xyz' });
    if (tj.bounds) src.bounds = tj.bounds;
    if (!src.attribution && tj.attribution) src.attribution = tj.attribution;
  }
}

// Is the style layer shown now (its layer ticked)?
export const shown = (map, id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none';
