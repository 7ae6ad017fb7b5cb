package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/territoires-industrie/carte/dataset"
)

// Properties added to the tiles on top of each layer's own fields.
const (
	PropID         = "id"          // the feature's dataset id
	PropCluster    = "cluster"     // true on a cluster point
	PropPointCount = "point_count" // number of features a cluster stands for
)

// Stats describe a build.
type Stats struct {
	DataVersion      string // the source's (dataset.Dataset.Version)
	MinZoom, MaxZoom int
	Tiles            int // addressed tiles
	UniqueTiles      int // distinct tile contents stored
	Bytes            int // archive size
	LargestTile      TileSize
	// Shown[layer][z] is the number of the layer's features drawn at zoom z
	// (directly or inside a cluster): equal to the layer's count at every
	// zoom of its range, or a feature vanished.
	Shown map[string]map[int]int
	// TempBytes is what the build wrote to its temporary files, sorted
	// runs of tile pieces and cluster cells.
	TempBytes int64
	TempRuns  int // how many sorted runs
	// Squares[layer] counts (feature, zoom) pairs too small to draw their
	// shape, drawn as the smallest square of the tile grid that covers them.
	Squares map[string]int
}

// TileSize names a tile and its gzipped size.
type TileSize struct {
	Z, X, Y int
	Bytes   int
}

func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }

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
	type tileKey struct{ x, y int }
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

// Source is what the build reads: the manifest, then every feature once,
// layer by layer in the manifest's order and in file order within a layer.
// A dataset in memory is one (FromDataset); a dataset folder read one
// feature at a time (dataset.OpenStream) is another, whose features the
// build never holds all at once.
type Source interface {
	Manifest() dataset.Manifest
	// Scan hands every feature to fn and returns the data version.
	Scan(fn func(layer, index int, f dataset.Feature) error) (version string, err error)
}

// FromDataset is a dataset in memory as a build's source.
func FromDataset(ds *dataset.Dataset) Source { return memorySource{ds} }

type memorySource struct{ ds *dataset.Dataset }

// Manifest is the dataset's, with the layers it holds.
func (m memorySource) Manifest() dataset.Manifest {
	man := m.ds.Manifest
	man.Layers = make([]dataset.LayerInfo, len(m.ds.Layers))
	for i, l := range m.ds.Layers {
		man.Layers[i] = l.Info
	}
	return man
}

func (m memorySource) Scan(fn func(layer, index int, f dataset.Feature) error) (string, error) {
	for li, l := range m.ds.Layers {
		for fi, f := range l.Features {
			if err := fn(li, fi, f); err != nil {
				return "", err
			}
		}
	}
	return m.ds.Version, nil
}

// Build renders every layer of ds into gzipped MVT tiles and returns a
// PMTiles v3 archive (clustered, deduplicated), for a dataset already in
// memory. The result depends only on ds and opts: two builds give the same
// bytes, whatever the number of workers.
func Build(ctx context.Context, ds *dataset.Dataset, opts Options) ([]byte, Stats, error) {
	var buf bytes.Buffer
	stats, err := BuildTo(ctx, FromDataset(ds), opts, &buf)
	if err != nil {
		return nil, Stats{}, err
	}
	return buf.Bytes(), stats, nil
}

// BuildFile builds the archive of src into path, replaced at the end in
// one rename: a reader sees the old archive or the new one.
func BuildFile(ctx context.Context, src Source, opts Options, path string) (Stats, error) {
	var stats Stats
	err := dataset.WriteAtomic(path, func(w io.Writer) error {
		var err error
		stats, err = BuildTo(ctx, src, opts, w)
		return err
	})
	if err != nil {
		return Stats{}, err
	}
	return stats, nil
}

// BuildTo writes the archive of src to w. The build keeps its memory flat
// as the data grows, as planetiler and tippecanoe do: each feature is cut
// into its tiles as it is read, and the pieces go to a temporary file,
// sorted in runs; the tiles are then assembled from the runs merged in
// tile-id order, and written out as they are encoded.
func BuildTo(ctx context.Context, src Source, opts Options, w io.Writer) (Stats, error) {
	m := src.Manifest()
	b, err := newBuilder(m, opts)
	if err != nil {
		return Stats{}, err
	}
	defer b.close()
	version, err := b.place(ctx, src)
	if err != nil {
		return Stats{}, err
	}
	if err := b.clusters(ctx); err != nil {
		return Stats{}, err
	}
	archive, err := newArchiveWriter(opts.TempDir)
	if err != nil {
		return Stats{}, err
	}
	defer archive.Close()
	if err := b.assemble(ctx, archive); err != nil {
		return Stats{}, err
	}
	meta, err := metadata(m, version, opts)
	if err != nil {
		return Stats{}, err
	}
	header := pmtiles.HeaderV3{
		MinZoom:     uint8(b.minZoom),
		MaxZoom:     uint8(b.maxZoom),
		CenterZoom:  uint8(opts.Center.Zoom),
		CenterLonE7: e7(opts.Center.Lon),
		CenterLatE7: e7(opts.Center.Lat),
	}
	bound := b.bound()
	header.MinLonE7, header.MinLatE7 = e7(bound.Min[0]), e7(bound.Min[1])
	header.MaxLonE7, header.MaxLatE7 = e7(bound.Max[0]), e7(bound.Max[1])
	size, err := archive.finish(w, header, meta)
	if err != nil {
		return Stats{}, err
	}
	stats := b.stats()
	stats.DataVersion = version
	stats.TempBytes = b.pieces.Bytes() + b.cells.Bytes()
	stats.TempRuns = b.pieces.Runs() + b.cells.Runs()
	stats.Tiles, stats.UniqueTiles, stats.Bytes = archive.counts.addressed, archive.counts.contents, int(size)
	stats.LargestTile = archive.largest
	return stats, nil
}
