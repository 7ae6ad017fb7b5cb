// Copies from node_modules into vendor/ only the files the pages load:
// MapLibre GL JS (ES modules + CSS), the DSFR stylesheet with the fonts and
// icons it references, and the DSFR's JavaScript module (header menu).
// The big text files also get a Brotli-compressed copy (<file>.br) that
// the server sends to browsers accepting it (about 20% smaller than gzip).
// Idempotent: run by `make assets`.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nm = join(root, 'node_modules');
const out = join(root, 'vendor');

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// Everything but the committed README is regenerated.
for (const d of ['maplibre-gl', 'dsfr']) rmSync(join(out, d), { recursive: true, force: true });

const ml = join(nm, 'maplibre-gl', 'dist');
for (const f of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']) {
  copy(join(ml, f), join(out, 'maplibre-gl', f));
}
const mlVersion = JSON.parse(readFileSync(join(nm, 'maplibre-gl', 'package.json'), 'utf8')).version;

const ds = join(nm, '@gouvfr', 'dsfr', 'dist');
const css = readFileSync(join(ds, 'dsfr.min.css'), 'utf8');
copy(join(ds, 'dsfr.min.css'), join(out, 'dsfr', 'dsfr.min.css'));
const refs = new Set();
for (const m of css.matchAll(/url\(["']?((?:fonts|icons)\/[^"')?#]+)/g)) refs.add(m[1]);
for (const r of refs) {
  const from = join(ds, r);
  if (existsSync(from)) copy(from, join(out, 'dsfr', r));
}
copy(join(ds, 'favicon', 'favicon.svg'), join(out, 'dsfr', 'favicon', 'favicon.svg'));
copy(join(ds, 'dsfr.module.min.js'), join(out, 'dsfr', 'dsfr.module.min.js'));

// Brotli at its best quality: done once here, not per request.
const compressed = [
  'maplibre-gl/maplibre-gl.mjs', 'maplibre-gl/maplibre-gl-worker.mjs', 'maplibre-gl/maplibre-gl.css',
  'dsfr/dsfr.min.css', 'dsfr/dsfr.module.min.js',
];
for (const f of compressed) {
  const body = readFileSync(join(out, f));
  writeFileSync(join(out, f + '.br'), brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }));
}
const dsVersion = JSON.parse(readFileSync(join(nm, '@gouvfr', 'dsfr', 'package.json'), 'utf8')).version;
writeFileSync(join(out, 'versions.json'), JSON.stringify({ 'maplibre-gl': mlVersion, '@gouvfr/dsfr': dsVersion }) + '\n');
console.log(`vendor: maplibre-gl ${mlVersion}, @gouvfr/dsfr ${dsVersion} (${refs.size} fonts/icons)`);
