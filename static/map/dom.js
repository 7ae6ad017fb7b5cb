// Small DOM and fetch helpers shared by the page's modules.

export const $ = (sel) => document.querySelector(sel);

// el('a', { href, class, onclick, style: { '--c': color } }, ...children).
// Styles go through the CSSOM (allowed by the pages' strict style-src).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style') for (const [p, pv] of Object.entries(v)) e.style.setProperty(p, pv);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// A colour swatch (legend, results) for a layer's legend entry.
export function swatch(legend, shape = legend?.shape) {
  return el('span', { class: `app-swatch app-swatch--${shape ?? 'dot'}`, style: legend?.color ? { '--c': legend.color } : undefined, 'aria-hidden': 'true' });
}

export async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

// [[minlon, minlat], [maxlon, maxlat]] of a GeoJSON geometry.
export function bboxOf(geom) {
  if (!geom) return null;
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); } else c.forEach(walk);
  };
  walk(geom.coordinates);
  return Number.isFinite(b[0]) ? [[b[0], b[1]], [b[2], b[3]]] : null;
}

export const centreOf = (b) => [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2];
