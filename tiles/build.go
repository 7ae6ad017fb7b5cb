package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/protomaps/go-pmtiles/pmtiles"
	"golang.org/x/sync/errgroup"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Properties added to the tiles on top of each layer's own fields.
const (
	PropID         = "id"          // the feature's dataset id
	PropCluster    = "cluster"     // true on a cluster point
	PropPointCount = "point_count" // number of features a cluster stands for
)

// Stats describe a build.
type Stats struct {
	MinZoom, MaxZoom int
	Tiles            int // addressed tiles
	UniqueTiles      int // distinct tile contents stored
	Bytes            int // archive size
	LargestTile      TileSize
	// Shown[layer][z] is the number of the layer's features drawn at zoom z
	// (directly or inside a cluster): equal to the layer's count at every
	// zoom of its range, or a feature vanished.
	Shown map[string]map[int]int
	// Squares[layer] counts (feature, zoom) pairs too small to draw their
	// shape, drawn as the smallest square of the tile grid that covers them.
	Squares map[string]int
}

// TileSize names a tile and its gzipped size.
type TileSize struct {
	Z, X, Y int
	Bytes   int
}

// placed is one feature's part in one tile, in tile-local coordinates.
type placed struct {
	layer, index int  // layer position in the manifest, feature index (−1: cluster)
	label        bool // a label point, in the layer's label layer
	order        int  // sort key inside the layer (feature index or cluster cell order)
	geom         orb.Geometry
	props        geojson.Properties
}

type tileKey struct{ x, y int }

type encodedTile struct {
	id   uint64
	data []byte
}

// Build renders every layer of ds into gzipped MVT tiles and returns a
// PMTiles v3 archive (clustered, deduplicated). The result depends only on
// ds and opts: two builds give the same bytes.
func Build(ctx context.Context, ds *dataset.Dataset, opts Options) ([]byte, Stats, error) {
	minZoom, maxZoom, err := opts.zoomRange(ds)
	if err != nil {
		return nil, Stats{}, err
	}
	stats := Stats{MinZoom: minZoom, MaxZoom: maxZoom, Shown: map[string]map[int]int{}, Squares: map[string]int{}}
	props := tileProperties(ds, opts)
	labels, err := labelPoints(ctx, ds, opts)
	if err != nil {
		return nil, Stats{}, err
	}
	var all []encodedTile
	for z := minZoom; z <= maxZoom; z++ {
		pieces, err := placeZoom(ctx, ds, opts, props, labels, z, opts.toleranceAt(z, maxZoom), &stats)
		if err != nil {
			return nil, Stats{}, err
		}
		encoded, err := encodeZoom(ctx, ds, pieces, z, opts.workers())
		if err != nil {
			return nil, Stats{}, err
		}
		all = append(all, encoded...)
	}
	for _, t := range all {
		if len(t.data) > stats.LargestTile.Bytes {
			z, x, y := pmtiles.IDToZxy(t.id)
			stats.LargestTile = TileSize{Z: int(z), X: int(x), Y: int(y), Bytes: len(t.data)}
		}
	}
	if stats.LargestTile.Bytes > MaxTileBytes {
		lt := stats.LargestTile
		return nil, Stats{}, fmt.Errorf("tiles: tile %d/%d/%d is %d bytes, over the %d-byte limit", lt.Z, lt.X, lt.Y, lt.Bytes, MaxTileBytes)
	}
	meta, err := metadata(ds, opts)
	if err != nil {
		return nil, Stats{}, err
	}
	header := pmtiles.HeaderV3{
		MinZoom:     uint8(minZoom),
		MaxZoom:     uint8(maxZoom),
		CenterZoom:  uint8(opts.Center.Zoom),
		CenterLonE7: e7(opts.Center.Lon),
		CenterLatE7: e7(opts.Center.Lat),
	}
	b := datasetBound(ds)
	header.MinLonE7, header.MinLatE7 = e7(b.Min[0]), e7(b.Min[1])
	header.MaxLonE7, header.MaxLatE7 = e7(b.Max[0]), e7(b.Max[1])
	archive, counts, err := writeArchive(all, header, meta)
	if err != nil {
		return nil, Stats{}, err
	}
	stats.Tiles, stats.UniqueTiles, stats.Bytes = counts.addressed, counts.contents, len(archive)
	return archive, stats, nil
}

func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }

// tileProperties precomputes each feature's tile properties: the layer's
// tile fields plus its id, shared by every tile it appears in (the encoder
// only reads them).
func tileProperties(ds *dataset.Dataset, opts Options) [][]geojson.Properties {
	out := make([][]geojson.Properties, len(ds.Layers))
	for li, l := range ds.Layers {
		keep := opts.Layers[l.Info.ID].Fields
		out[li] = make([]geojson.Properties, len(l.Features))
		for fi, f := range l.Features {
			p := make(geojson.Properties, len(f.Properties)+1)
			for k, v := range f.Properties {
				if keep == nil || slices.Contains(keep, k) {
					p[k] = v
				}
			}
			p[PropID] = f.ID
			out[li][fi] = p
		}
	}
	return out
}

// labelPoints computes, for each layer with label points, each feature's
// label point (nil for the other layers), once for every zoom.
func labelPoints(ctx context.Context, ds *dataset.Dataset, opts Options) ([][]orb.Point, error) {
	out := make([][]orb.Point, len(ds.Layers))
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(opts.workers())
	for li, l := range ds.Layers {
		if opts.Layers[l.Info.ID].Labels == nil || l.Info.Geometry != dataset.GeometryPolygon {
			continue
		}
		out[li] = make([]orb.Point, len(l.Features))
		for fi := range l.Features {
			g.Go(func() error {
				out[li][fi] = labelPoint(l.Features[fi].Geometry)
				return nil
			})
		}
	}
	return out, g.Wait()
}

// shownFrom is the zoom from which a feature is in the tiles: its zoom
// field's value, or the layer's own range.
func shownFrom(f *dataset.Feature, lz LayerTiling) int {
	if lz.ZoomField == "" {
		return lz.MinZoom
	}
	if v, ok := f.Properties[lz.ZoomField].(int64); ok { // an integer field (layers.Registry.Check)
		return int(v)
	}
	return lz.MinZoom
}

// placeZoom cuts every feature shown at zoom z into its tiles, and places
// the label points of that zoom.
func placeZoom(ctx context.Context, ds *dataset.Dataset, opts Options, props [][]geojson.Properties, labels [][]orb.Point, z int, tolerance float64, stats *Stats) (map[tileKey][]placed, error) {
	type job struct {
		layer, index int
		label        bool
	}
	var jobs []job
	for li, l := range ds.Layers {
		lz := opts.Layers[l.Info.ID]
		if z < lz.MinZoom || z > lz.MaxZoom {
			continue
		}
		if stats.Shown[l.Info.ID] == nil {
			stats.Shown[l.Info.ID] = map[int]int{}
		}
		if labels[li] != nil && z >= lz.Labels.MinZoom && z <= lz.Labels.MaxZoom {
			if stats.Shown[layers.LabelLayer(l.Info.ID)] == nil {
				stats.Shown[layers.LabelLayer(l.Info.ID)] = map[int]int{}
			}
			for fi := range l.Features {
				jobs = append(jobs, job{li, fi, true})
			}
		}
		if l.Info.Geometry == dataset.GeometryPoint && lz.ClusterBelow > 0 && z < lz.ClusterBelow {
			continue // clustered below, in one pass over the layer
		}
		for fi := range l.Features {
			if shownFrom(&l.Features[fi], lz) <= z {
				jobs = append(jobs, job{li, fi, false})
			}
		}
	}

	// The jobs are dealt round-robin into parts, so that each part mixes
	// cheap points and costly polygons; each part fills maps of its own.
	parts := 4 * opts.workers()
	results := make([]map[tileKey][]placed, parts)
	shown := make([]map[int]int, parts)   // layer → features drawn
	labeled := make([]map[int]int, parts) // layer → label points drawn
	squares := make([]map[int]int, parts)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.workers())
	buffer := float64(opts.Buffer)
	for w := range parts {
		results[w], shown[w], labeled[w], squares[w] = map[tileKey][]placed{}, map[int]int{}, map[int]int{}, map[int]int{}
		g.Go(func() error {
			out := results[w]
			for j := w; j < len(jobs); j += parts {
				if j%1024 == 0 && gctx.Err() != nil {
					return gctx.Err()
				}
				li, fi, label := jobs[j].layer, jobs[j].index, jobs[j].label
				f := ds.Layers[li].Features[fi]
				p := props[li][fi]
				drawn := false
				emitGeom := func(x, y int, geom orb.Geometry) {
					k := tileKey{x, y}
					out[k] = append(out[k], placed{layer: li, index: fi, label: label, order: fi, geom: geom, props: p})
					drawn = true
				}
				if label {
					placePoints(projectPoints(labels[li][fi], z), z, buffer, emitGeom)
					if drawn {
						labeled[w][li]++
					}
					continue
				}
				if ds.Layers[li].Info.Geometry == dataset.GeometryPolygon {
					mp, square := simplifyPolygons(projectPolygons(f.Geometry, z), tolerance)
					if square {
						squares[w][li]++
					}
					cutPolygons(mp, z, buffer, func(x, y int, g orb.MultiPolygon) { emitGeom(x, y, singlePolygon(g)) })
				} else {
					placePoints(projectPoints(f.Geometry, z), z, buffer, emitGeom)
				}
				if drawn {
					shown[w][li]++
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	merged := map[tileKey][]placed{}
	for w := range results {
		for k, v := range results[w] {
			merged[k] = append(merged[k], v...)
		}
		for li, n := range shown[w] {
			stats.Shown[ds.Layers[li].Info.ID][z] += n
		}
		for li, n := range labeled[w] {
			stats.Shown[layers.LabelLayer(ds.Layers[li].Info.ID)][z] += n
		}
		for li, n := range squares[w] {
			stats.Squares[ds.Layers[li].Info.ID] += n
		}
	}
	for li, l := range ds.Layers {
		lz := opts.Layers[l.Info.ID]
		if l.Info.Geometry == dataset.GeometryPoint && z >= lz.MinZoom && z < lz.ClusterBelow {
			n := clusterLayer(l, li, props[li], z, buffer, float64(opts.ClusterCell), merged)
			stats.Shown[l.Info.ID][z] += n
		}
	}
	return merged, nil
}

// singlePolygon keeps a one-part MultiPolygon as a Polygon: same MVT bytes,
// but decoders then report the type a GIS user expects.
func singlePolygon(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// placePoints puts each point (world units, rounded) into the tiles whose
// buffered square holds it; a MultiPoint keeps its parts per tile.
func placePoints(pts []orb.Point, z int, buffer float64, emit func(x, y int, g orb.Geometry)) {
	perTile := map[tileKey]orb.MultiPoint{}
	var keys []tileKey
	for _, p := range pts {
		x0, y0, x1, y1 := tileRange(orb.Bound{Min: p, Max: p}, z, buffer)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				k := tileKey{x, y}
				if _, ok := perTile[k]; !ok {
					keys = append(keys, k)
				}
				perTile[k] = append(perTile[k], orb.Point{p[0] - float64(x*Extent), p[1] - float64(y*Extent)})
			}
		}
	}
	for _, k := range keys {
		if mp := perTile[k]; len(mp) == 1 {
			emit(k.x, k.y, mp[0])
		} else {
			emit(k.x, k.y, mp)
		}
	}
}

// clusterLayer groups a point layer by grid cell at zoom z, never across
// départements: a cell with one feature shows it unchanged; a group of
// several shows one point at their mean position carrying point_count and
// the département and region they share, so that maps filtered by place
// keep or hide whole clusters. It returns how many features were drawn
// (all of them).
func clusterLayer(l dataset.Layer, li int, props []geojson.Properties, z int, buffer, cell float64, out map[tileKey][]placed) int {
	type cellKey struct {
		cx, cy      int64
		departement string
	}
	type group struct {
		members []int
		sumX    float64
		sumY    float64
	}
	groups := map[cellKey]*group{}
	var order []cellKey
	for fi, f := range l.Features {
		pts := projectPoints(f.Geometry, z)
		p := pts[0] // a MultiPoint clusters by its first point
		k := cellKey{int64(math.Floor(p[0] / cell)), int64(math.Floor(p[1] / cell)), f.String("departement")}
		gr, ok := groups[k]
		if !ok {
			gr = &group{}
			groups[k] = gr
			order = append(order, k)
		}
		gr.members = append(gr.members, fi)
		gr.sumX += p[0]
		gr.sumY += p[1]
	}
	drawn := 0
	for ci, k := range order {
		gr := groups[k]
		if len(gr.members) == 1 {
			fi := gr.members[0]
			placePoints(projectPoints(l.Features[fi].Geometry, z), z, buffer, func(x, y int, g orb.Geometry) {
				out[tileKey{x, y}] = append(out[tileKey{x, y}], placed{layer: li, index: fi, order: ci, geom: g, props: props[fi]})
			})
			drawn++
			continue
		}
		n := float64(len(gr.members))
		center := orb.Point{math.Round(gr.sumX / n), math.Round(gr.sumY / n)}
		cp := geojson.Properties{PropCluster: true, PropPointCount: int64(len(gr.members))}
		for _, key := range []string{"departement", "region"} {
			if v := sharedValue(l.Features, gr.members, key); v != "" {
				cp[key] = v
			}
		}
		placePoints([]orb.Point{center}, z, buffer, func(x, y int, g orb.Geometry) {
			out[tileKey{x, y}] = append(out[tileKey{x, y}], placed{layer: li, index: -1, order: ci, geom: g, props: cp})
		})
		drawn += len(gr.members)
	}
	return drawn
}

// sharedValue is the string property key when every member has the same
// one, else "".
func sharedValue(features []dataset.Feature, members []int, key string) string {
	v := features[members[0]].String(key)
	for _, m := range members[1:] {
		if features[m].String(key) != v {
			return ""
		}
	}
	return v
}

// encodeZoom turns each tile's pieces into a gzipped MVT, in parallel.
func encodeZoom(ctx context.Context, ds *dataset.Dataset, pieces map[tileKey][]placed, z, workers int) ([]encodedTile, error) {
	keys := make([]tileKey, 0, len(pieces))
	for k := range pieces {
		keys = append(keys, k)
	}
	out := make([]encodedTile, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, k := range keys {
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			data, err := encodeTile(ds, pieces[k])
			if err != nil {
				return fmt.Errorf("tiles: tile %d/%d/%d: %w", z, k.x, k.y, err)
			}
			out[i] = encodedTile{id: pmtiles.ZxyToID(uint8(z), uint32(k.x), uint32(k.y)), data: data}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func encodeTile(ds *dataset.Dataset, pieces []placed) ([]byte, error) {
	sort.Slice(pieces, func(i, j int) bool {
		if pieces[i].layer != pieces[j].layer {
			return pieces[i].layer < pieces[j].layer
		}
		if pieces[i].label != pieces[j].label {
			return !pieces[i].label // a layer's features, then its label points
		}
		return pieces[i].order < pieces[j].order
	})
	var tileLayers mvt.Layers
	for _, p := range pieces {
		name := ds.Layers[p.layer].Info.ID
		if p.label {
			name = layers.LabelLayer(name)
		}
		if len(tileLayers) == 0 || tileLayers[len(tileLayers)-1].Name != name {
			tileLayers = append(tileLayers, &mvt.Layer{Name: name, Version: 2, Extent: Extent})
		}
		f := geojson.NewFeature(p.geom)
		f.Properties = p.props
		if p.index >= 0 {
			f.ID = uint64(p.index) + 1 // numeric id for MapLibre feature-state
		}
		l := tileLayers[len(tileLayers)-1]
		l.Features = append(l.Features, f)
	}
	raw, err := mvt.Marshal(tileLayers)
	if err != nil {
		return nil, err
	}
	return gzipBytes(raw)
}

// gzipWriters keeps compressors between tiles: a new one allocates and
// clears about a megabyte of state, more than compressing a small tile.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return zw
}}

func gzipBytes(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// datasetBound is the WGS84 bound of every feature, clamped to Mercator.
func datasetBound(ds *dataset.Dataset) orb.Bound {
	var b orb.Bound
	first := true
	for _, l := range ds.Layers {
		for _, f := range l.Features {
			fb := f.Geometry.Bound()
			if first {
				b, first = fb, false
			} else {
				b = b.Union(fb)
			}
		}
	}
	b.Min[1] = math.Max(b.Min[1], -maxMercatorLat)
	b.Max[1] = math.Min(b.Max[1], maxMercatorLat)
	return b
}
