// Package tiles turns a dataset into Mapbox Vector Tiles (MVT v2) packed in
// a PMTiles v3 archive, and reads such archives back.
//
// The build projects every feature once per zoom into "world" tile units,
// simplifies it there, then cuts it into tiles by recursive halving (each
// cut only sees the part of the geometry that survived the previous one),
// so a region polygon covering thousands of tiles costs O(n log tiles).
//
// Its memory does not grow with the data (build.go, BuildTo): features are
// read one at a time and their pieces written to a temporary file in
// sorted runs (spill.go); point clusters are sums per grid cell, added up
// from the runs (cluster.go); the tiles are assembled from the merged runs
// in tile-id order and written out as they are encoded (assemble.go,
// archive.go).
package tiles

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Extent is the MVT coordinate range of one tile.
const Extent = 4096

// BuilderVersion changes whenever the same dataset and options would give
// different tiles, so that archives cached by the server are rebuilt.
const BuilderVersion = 5

// MaxTileBytes is the size no tile may exceed (gzipped): a tile bigger than
// this is slow on phones, so the build fails rather than ship it.
const MaxTileBytes = 500 * 1024

// LayerTiling says at which zooms a layer appears in the tiles and what
// its tile features carry.
type LayerTiling struct {
	MinZoom, MaxZoom int
	// Fields are the properties kept in the tiles (plus the id), enough to
	// style, label and filter; the API serves the full record. A field the
	// dataset does not have is left out; nil keeps every field.
	Fields []string
	// ClusterBelow: below this zoom, points are grouped by grid cell and a
	// cell holding several points becomes one point with a point_count.
	// Zero means never cluster.
	ClusterBelow int
	// ZoomField names an integer property of a point layer: a feature is
	// in the tiles from that zoom on ("": from MinZoom).
	ZoomField string
	// Labels, for a polygon layer, adds a tile layer of label points
	// (layers.LabelLayer), one per feature inside its largest part, at
	// these zooms (nil: none).
	Labels *layers.ZoomRange
}

// Center is the initial view declared in the archive header.
type Center struct {
	Lon, Lat float64
	Zoom     int
}

// Options configure a build. Start from DefaultOptions.
type Options struct {
	// Layers maps a layer id to its tiling; a layer absent from the map is
	// an error (so that nothing is left out silently).
	Layers map[string]LayerTiling
	// Buffer is the margin around each tile, in tile units, kept so that
	// lines and symbols do not stop at tile edges.
	Buffer int
	// Tolerance is the Douglas-Peucker tolerance in tile units, below the
	// archive's highest zoom. MapLibre draws a 4096-unit tile over 512
	// pixels, so 4 units is half a pixel.
	Tolerance float64
	// MaxZoomTolerance is the tolerance at the archive's highest zoom,
	// whose tiles maps keep enlarging beyond it (overzoom): finer, as in
	// GDAL's SIMPLIFICATION_MAX_ZOOM.
	MaxZoomTolerance float64
	// ClusterCell is the grid cell size for clustering, in tile units.
	ClusterCell int
	Center      Center
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// TempDir holds the build's temporary files ("": the system's);
	// they are gone when the build returns.
	TempDir string
}

// DefaultOptions build every layer of the default registry, with the
// build settings of the default map.
func DefaultOptions() Options {
	return Options{
		Layers:           LayerTilings(layers.Default()),
		Buffer:           64,
		Tolerance:        4,
		MaxZoomTolerance: 1,
		ClusterCell:      256,
		Center:           Center{Lon: 2.35, Lat: 46.6, Zoom: 5},
	}
}

// LayerTilings is the tiling of every layer of a registry: its zoom
// range, its tile fields and its clustering.
func LayerTilings(r layers.Registry) map[string]LayerTiling {
	out := make(map[string]LayerTiling, len(r))
	for _, l := range r {
		out[l.ID] = LayerTiling{MinZoom: l.MinZoom, MaxZoom: l.MaxZoom, Fields: l.TileFields(), ClusterBelow: l.ClusterBelow,
			ZoomField: l.ZoomField, Labels: l.Labels}
	}
	return out
}

// CacheKey names the archive that Build makes of the data version with
// these options: the whole options value (but the number of workers and the
// temporary folder, which do not change the result) and the builder version, so that no change
// of an option can reuse a stale archive.
func (o Options) CacheKey(dataVersion string) string {
	o.Workers, o.TempDir = 0, ""
	b, err := json.Marshal(struct {
		Data    string
		Builder int
		Options Options
	}{dataVersion, BuilderVersion, o})
	if err != nil {
		panic("tiles: options cannot be encoded: " + err.Error()) // plain values only
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// toleranceAt is the simplification tolerance of zoom z in an archive whose
// highest zoom is maxZoom.
func (o Options) toleranceAt(z, maxZoom int) float64 {
	if z == maxZoom {
		return o.MaxZoomTolerance
	}
	return o.Tolerance
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// zoomRange is the archive's zoom range: the union of the layers'.
func (o Options) zoomRange(ls []dataset.LayerInfo) (minZoom, maxZoom int, err error) {
	minZoom, maxZoom = 99, -1
	for _, l := range ls {
		z, ok := o.Layers[l.ID]
		if !ok {
			return 0, 0, fmt.Errorf("tiles: layer %q has no zoom range in the build options", l.ID)
		}
		if z.MinZoom < 0 || z.MaxZoom > 22 || z.MinZoom > z.MaxZoom {
			return 0, 0, fmt.Errorf("tiles: layer %q: invalid zoom range %d-%d", l.ID, z.MinZoom, z.MaxZoom)
		}
		minZoom = min(minZoom, z.MinZoom)
		maxZoom = max(maxZoom, z.MaxZoom)
	}
	if maxZoom < 0 {
		return 0, 0, fmt.Errorf("tiles: the dataset has no layers")
	}
	return minZoom, maxZoom, nil
}
