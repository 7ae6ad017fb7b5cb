// Layers of some tiles of a running server, with feature and vertex counts:
//   node static/test/tileinfo.mjs http://127.0.0.1:8080 5/16/11 6/32/22
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader as Pbf } from 'pbf';
const base = process.argv[2];
for (const t of process.argv.slice(3)) {
  const r = await fetch(`${base}/tiles/${t}.mvt`);
  const buf = new Uint8Array(await r.arrayBuffer());
  const vt = new VectorTile(new Pbf(buf));
  const out = [];
  for (const [name, l] of Object.entries(vt.layers)) {
    let verts = 0;
    for (let i = 0; i < l.length; i++) { const g = l.feature(i).loadGeometry(); for (const ring of g) verts += ring.length; }
    out.push(`${name}:${l.length}f/${verts}v`);
  }
  console.log(t, buf.length, 'B raw;', out.join(' '));
}
