// The map document: what the server's layer registry tells the pages, in
// the style's metadata ("territoires:map"): the periods, the regions and
// départements of the filter, and for each layer its words, legend, zooms,
// style layers and their roles, filters, popup rows and feature counts.
// Everything the pages know about layers comes from here; they keep no
// table of their own.

// Join fields of the data contract: every layer names the département and
// region of its features with these properties.
export const PLACE_FIELDS = { departement: 'departement', region: 'region' };

// The style (and the TileJSON) are requested by the page's <link
// rel="preload"> while MapLibre downloads; this fetch reuses those
// responses (same URL, mode and credentials, no extra headers).
export async function fetchPreloaded(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

export function readDocument(style) {
  const meta = style?.metadata?.['territoires:map'];
  if (!Array.isArray(meta?.layers)) throw new Error('style.json carries no territoires:map document');
  const layers = meta.layers;
  const byId = new Map(layers.map((l) => [l.id, l]));
  // Style layer id → { layer, id, role, click }.
  const byStyle = new Map();
  for (const l of layers) for (const s of l.style ?? []) byStyle.set(s.id, { ...s, role: s.role ?? '', layer: l });
  // The style's own order is the drawing order: the top-most layer is
  // the one a click means.
  const drawn = (style.layers ?? []).map((l) => l.id).filter((id) => byStyle.has(id));
  const clickable = drawn.filter((id) => byStyle.get(id).click).reverse();
  const regions = meta.regions ?? [];
  const departements = meta.departements ?? [];
  const regionByCode = new Map(regions.map((r) => [r.code, r]));
  const depByCode = new Map(departements.map((d) => [d.code, d]));
  return {
    periods: meta.periods ?? [],
    regions,
    departements,
    layers,
    layer: (id) => byId.get(id),
    styleLayer: (id) => byStyle.get(id),
    // The legend: layers with a legend entry, in registry order.
    legend: layers.filter((l) => l.legend),
    // Clickable style layers, top-most first.
    clickable,
    // The list of features in view: the feature layers (not clusters) of
    // the listed layers, top-most first.
    listed: clickable.filter((id) => { const s = byStyle.get(id); return s.role === '' && s.layer.legend?.in_list; }),
    // "Near here": one query per layer.
    nearby: layers.filter((l) => l.nearby),
    region: (code) => regionByCode.get(code),
    departement: (code) => depByCode.get(code),
    // Features of a layer in a period and region ('' = all).
    count(l, period, region) {
      const byRegion = l.count?.[period] ?? l.count?.[''] ?? {};
      return byRegion[region || ''] ?? 0;
    },
  };
}

// [[minlon, minlat], [maxlon, maxlat]] of a place of the document.
export const boundsOf = (place) => (place?.bbox ? [[place.bbox[0], place.bbox[1]], [place.bbox[2], place.bbox[3]]] : null);

// The address of a feature's page (its layer's page, from the registry:
// "/sites/{id}"), the {fields} filled from values (id: the feature's id),
// in the page's language; null when the layer has none or a value is
// missing.
export function pageURL(layer, values, lang) {
  if (!layer?.page) return null;
  let missing = false;
  const fill = (s) => s.replace(/\{(\w+)\}/g, (_, k) => {
    const v = values?.[k];
    if (v === undefined || v === null || v === '') { missing = true; return ''; }
    return encodeURIComponent(String(v));
  });
  const [path, query] = layer.page.split('?');
  let u = fill(path) + (query ? '?' + fill(query) : '');
  if (missing) return null;
  if (lang && lang !== 'fr') u += (u.includes('?') ? '&' : '?') + 'lang=' + lang;
  return u;
}
