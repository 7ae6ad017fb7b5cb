// Package tiles turns a dataset into Mapbox Vector Tiles (MVT v2) packed in
// a PMTiles v3 archive, and reads such archives back.
//
// The build projects every feature once per zoom into "world" tile units,
// simplifies it there, then cuts it into tiles by recursive halving (each
// cut only sees the part of the geometry that survived the previous one),
// so a region polygon covering thousands of tiles costs O(n log tiles).
package tiles

import (
	"fmt"
	"runtime"

	"github.com/territoires-industrie/carte/dataset"
)

// Extent is the MVT coordinate range of one tile.
const Extent = 4096

// MaxTileBytes is the size no tile may exceed (gzipped): a tile bigger than
// this is slow on phones, so the build fails rather than ship it.
const MaxTileBytes = 500 * 1024

// LayerZoom says at which zooms a layer appears in the tiles.
type LayerZoom struct {
	MinZoom, MaxZoom int
	// ClusterBelow: below this zoom, points are grouped by grid cell and a
	// cell holding several points becomes one point with a point_count.
	// Zero means never cluster.
	ClusterBelow int
}

// Center is the initial view declared in the archive header.
type Center struct {
	Lon, Lat float64
	Zoom     int
}

// Options configure a build. Start from DefaultOptions.
type Options struct {
	// Layers maps a layer id to its zoom range; a layer absent from the map
	// is not tiled (Build reports it as an error so that nothing is lost).
	Layers map[string]LayerZoom
	// Buffer is the margin around each tile, in tile units, kept so that
	// lines and symbols do not stop at tile edges.
	Buffer int
	// Tolerance is the Douglas-Peucker tolerance in tile units.
	Tolerance float64
	// ClusterCell is the grid cell size for clustering, in tile units.
	ClusterCell int
	Center      Center
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
}

// DefaultOptions are the zoom ranges of the default map: base polygons and
// territories from z0, communes from z6 (where the smallest commune is still
// a few units wide), training centres clustered below z9.
func DefaultOptions() Options {
	return Options{
		Layers: map[string]LayerZoom{
			dataset.LayerRegions:      {MinZoom: 0, MaxZoom: 12},
			dataset.LayerDepartements: {MinZoom: 3, MaxZoom: 12},
			dataset.LayerTerritoires:  {MinZoom: 0, MaxZoom: 12},
			dataset.LayerCommunes:     {MinZoom: 6, MaxZoom: 12},
			dataset.LayerACV:          {MinZoom: 4, MaxZoom: 12},
			dataset.LayerFormations:   {MinZoom: 4, MaxZoom: 12, ClusterBelow: 9},
			dataset.LayerSites:        {MinZoom: 0, MaxZoom: 12},
		},
		Buffer:      64,
		Tolerance:   1,
		ClusterCell: 256,
		Center:      Center{Lon: 2.35, Lat: 46.6, Zoom: 5},
	}
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// zoomRange is the archive's zoom range: the union of the layers'.
func (o Options) zoomRange(ds *dataset.Dataset) (minZoom, maxZoom int, err error) {
	minZoom, maxZoom = 99, -1
	for _, l := range ds.Layers {
		z, ok := o.Layers[l.Info.ID]
		if !ok {
			return 0, 0, fmt.Errorf("tiles: layer %q has no zoom range in the build options", l.Info.ID)
		}
		if z.MinZoom < 0 || z.MaxZoom > 22 || z.MinZoom > z.MaxZoom {
			return 0, 0, fmt.Errorf("tiles: layer %q: invalid zoom range %d-%d", l.Info.ID, z.MinZoom, z.MaxZoom)
		}
		minZoom = min(minZoom, z.MinZoom)
		maxZoom = max(maxZoom, z.MaxZoom)
	}
	if maxZoom < 0 {
		return 0, 0, fmt.Errorf("tiles: the dataset has no layers")
	}
	return minZoom, maxZoom, nil
}
