// Popups: a feature's kind, name, the rows the map document lists for its
// layer, the precision of its point and the provenance of its layer; and
// going to a feature (search, near here, list, the URL's sel=).
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { el, getJSON, bboxOf, centreOf } from './dom.js';
import { writeState, territoryFeatureId } from './state.js';
import { shown } from './style.js';
import { pageURL } from './document.js';

// Provenance of the layers, from any API answer: inline (title and
// sources: features, profiles), or by reference (list answers: title and
// href, the URL of the layer's provenance, fetched once and cached).
export function keepProvenance(ctx, answer) {
  for (const [layer, p] of Object.entries(answer?.provenance ?? {})) {
    if (p?.sources) ctx.provenance[layer] = p;
    else if (p?.href && !ctx.provenance[layer] && !ctx.provenanceAsked.has(p.href)) {
      ctx.provenanceAsked.add(p.href);
      getJSON(p.href).then((full) => { if (full?.sources) ctx.provenance[layer] ??= full; })
        .catch(() => ctx.provenanceAsked.delete(p.href));
    }
  }
}

// A place code (or several: "84,27") by its names.
function placeNames(ctx, format, value) {
  return String(value).split(/[,;]/).map((s) => s.trim()).filter(Boolean).map((code) => {
    if (format === 'departement') { const d = ctx.doc.departement(code); return d ? `${d.name} (${code})` : code; }
    return ctx.doc.region(code)?.name ?? code;
  }).join(', ');
}

// A popup row's value as the document's format says.
export function formatValue(ctx, item, v) {
  const { t, number, word } = ctx.i18n;
  switch (item.format) {
    case 'number': return typeof v === 'number' ? number(v) : String(v);
    case 'hectares': return t('unit.ha', { d: typeof v === 'number' ? number(v) : v });
    case 'departement': case 'region': return placeNames(ctx, item.format, v);
    // A feature's groups ("2021-09 2024-04"), each named.
    case 'groups': return String(v).split(' ').filter(Boolean).map((g) => (item.values?.[g] ? word(item.values[g]) : g)).join(', ');
    default: return item.values?.[v] ? word(item.values[v]) : String(v);
  }
}

function popupRows(ctx, layer, props) {
  return (layer?.popup ?? []).filter((item) => props[item.field] !== undefined && props[item.field] !== null && props[item.field] !== '')
    .flatMap((item) => [el('dt', {}, ctx.i18n.word(item.label)), el('dd', { 'data-field': item.field }, formatValue(ctx, item, props[item.field]))]);
}

function popupContent(ctx, layer, p, full) {
  const { t, word, lang } = ctx.i18n;
  const props = { ...p, ...(full?.properties ?? {}) };
  const body = el('div', { class: 'app-popup', lang },
    el('p', { class: 'app-popup-kind' }, word(layer?.kind)),
    el('h2', { class: 'app-popup-title' }, props.name ?? ''),
    el('dl', { class: 'app-popup-details' }, popupRows(ctx, layer, props)));
  // Points placed at their commune's centroid say so (data contract).
  if (props.precision === 'commune') body.append(el('p', { class: 'app-popup-precision' }, t('popup.centroid')));
  else if (props.precision) body.append(el('p', { class: 'app-popup-precision' }, t('popup.exact')));
  // Sites and territories have a page of their own.
  const page = pageURL(layer, props, lang);
  if (page) body.append(el('p', { class: 'app-popup-page' }, el('a', { href: page, class: 'fr-link fr-text--sm' }, t('popup.page'))));
  const prov = ctx.provenance[layer?.id];
  if (prov?.sources?.length) {
    const s = prov.sources[0];
    const name = s.name.split(/[,(]/)[0].trim();
    body.append(el('p', { class: 'app-popup-source' },
      `${t('popup.source')} : `, s.url ? el('a', { href: s.url, target: '_blank', rel: 'noopener' }, name) : name,
      s.licence ? ` — ${t('popup.licence')} : ${s.licence}` : '', s.vintage ? ` — ${t('popup.vintage')} : ${s.vintage.split(' ')[0]}` : ''));
  }
  return body;
}

function openPopup(ctx, lngLat, content, opts = {}) {
  ctx.popup?.remove();
  ctx.popup = new maplibregl.Popup({ maxWidth: '340px', closeButton: true, focusAfterOpen: true, className: 'app-popup-wrap', ...opts })
    .setLngLat(lngLat).setDOMContent(content).addTo(ctx.map);
  return ctx.popup;
}

// Shows a feature's popup. full: its /api/features answer, when known;
// otherwise it is fetched when the tiles lack a popup field or the layer's
// provenance is not known yet.
export function showPopup(ctx, layerId, props, lngLat, full) {
  const layer = ctx.doc.layer(layerId);
  const popup = openPopup(ctx, lngLat, popupContent(ctx, layer, props, full));
  popup.on('close', () => { if (ctx.state.selected === props.id) { ctx.state.selected = ''; writeState(ctx); } });
  ctx.state.selected = props.id ?? ''; writeState(ctx);
  const incomplete = !ctx.provenance[layerId] || (layer?.popup ?? []).some((item) => !(item.field in props));
  if (!full && props.id && incomplete) {
    getJSON('/api/features/' + encodeURIComponent(props.id)).then((f) => {
      keepProvenance(ctx, f);
      if (ctx.popup === popup && popup.isOpen()) popup.setDOMContent(popupContent(ctx, layer, props, f));
    }).catch(() => {});
  }
}

// Moves the map to a feature: an area is framed (up to its layer's focus
// zoom), a point is flown to at its layer's focus zoom.
function focus(ctx, layer, at, bounds) {
  const zoom = layer?.focus_zoom ?? 11;
  if (bounds) ctx.map.fitBounds(bounds, { padding: 40, duration: 800, maxZoom: zoom });
  else ctx.map.flyTo({ center: at, zoom: Math.max(ctx.map.getZoom(), zoom), duration: 800 });
}

// A search or near-here result ({id, layer, name, lon, lat, properties}).
export async function goToHit(ctx, r) {
  const layer = ctx.doc.layer(r.layer);
  ctx.state.selected = r.id;
  if (layer?.geometry === 'polygon') {
    try {
      const f = await getJSON('/api/features/' + encodeURIComponent(r.id));
      keepProvenance(ctx, f);
      const b = bboxOf(f.geometry);
      const at = Number.isFinite(r.lon) ? [r.lon, r.lat] : centreOf(b);
      focus(ctx, layer, at, b);
      showPopup(ctx, r.layer, { ...r.properties, id: r.id }, at, f);
      return;
    } catch { /* fall back to the point */ }
  }
  focus(ctx, layer, [r.lon, r.lat]);
  showPopup(ctx, r.layer, { ...r.properties, id: r.id }, [r.lon, r.lat]);
}

// The embed's territory: frame it (the style filters its features).
export async function showTerritory(ctx) {
  try {
    const f = await getJSON('/api/features/' + encodeURIComponent(territoryFeatureId(ctx.state)));
    const b = bboxOf(f.geometry);
    if (b && !ctx.state.view) ctx.map.fitBounds(b, { padding: 20, duration: 0 });
  } catch { /* unknown id: the filter shows nothing */ }
}

// The URL's selected feature; move: fly to it too.
export async function openFeatureById(ctx, id, move = true) {
  try {
    const f = await getJSON('/api/features/' + encodeURIComponent(id));
    keepProvenance(ctx, f);
    const layerId = f.properties?.layer ?? f.layer;
    const point = f.geometry?.type === 'Point';
    const at = point ? f.geometry.coordinates : centreOf(bboxOf(f.geometry));
    if (move) focus(ctx, ctx.doc.layer(layerId), at, point ? undefined : bboxOf(f.geometry));
    showPopup(ctx, layerId, { ...f.properties, id }, at, f);
  } catch { ctx.state.selected = ''; }
}

// A click on the map: the top-most clickable feature's popup; a cluster
// zooms in and says how many features it holds.
export function clickFeature(ctx, e) {
  const { map, doc } = ctx;
  const layers = doc.clickable.filter((id) => shown(map, id));
  const hits = map.queryRenderedFeatures(e.point, { layers });
  if (!hits.length) { ctx.popup?.remove(); return; }
  hits.sort((a, b) => layers.indexOf(a.layer.id) - layers.indexOf(b.layer.id));
  const f = hits[0];
  const s = doc.styleLayer(f.layer.id);
  if (s.role === 'clusters') {
    map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, s.layer.focus_zoom) });
    openPopup(ctx, e.lngLat, el('p', { class: 'app-popup' }, ctx.i18n.t('popup.cluster', { n: ctx.i18n.number(f.properties.point_count), name: ctx.i18n.word(s.layer.name) })));
    return;
  }
  const at = f.geometry.type === 'Point' ? f.geometry.coordinates : e.lngLat;
  showPopup(ctx, s.layer.id, { ...f.properties }, at);
}
