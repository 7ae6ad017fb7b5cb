package tiles_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

// Build a dataset into a PMTiles archive, with the zooms and tile fields
// of the registry, then read a tile of it back.
func ExampleBuild() {
	ds := &dataset.Dataset{Version: "example", Layers: []dataset.Layer{
		{Info: dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint}, Features: []dataset.Feature{
			{ID: "site-1", Geometry: orb.Point{4.88, 45.70}, Properties: map[string]any{"name": "Site de Vénissieux", "source_urls": "not in the tiles"}},
		}},
	}}
	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(layers.Default())
	archive, stats, err := tiles.Build(context.Background(), ds, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("zooms %d-%d, %d tiles\n", stats.MinZoom, stats.MaxZoom, stats.Tiles)

	r, err := tiles.OpenBytes(archive)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := maptile.At(orb.Point{4.88, 45.70}, 10)
	gz, _ := r.Tile(context.Background(), int(t.Z), int(t.X), int(t.Y))
	decoded, _ := mvt.UnmarshalGzipped(gz)
	f := decoded[0].Features[0]
	fmt.Println(decoded[0].Name, f.Properties["id"], f.Properties["name"], f.Properties["source_urls"])
	// Output:
	// zooms 0-12, 13 tiles
	// sites site-1 Site de Vénissieux <nil>
}

// Open serves an archive from a local path (held in memory when small
// enough), a file://, http(s):// or s3:// URL.
func ExampleOpen() {
	ds := &dataset.Dataset{Version: "example", Layers: []dataset.Layer{
		{Info: dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint}, Features: []dataset.Feature{
			{ID: "site-1", Geometry: orb.Point{2.35, 48.85}, Properties: map[string]any{"name": "Paris"}},
		}},
	}}
	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(layers.Default())
	archive, _, _ := tiles.Build(context.Background(), ds, opts)
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "example.pmtiles")
	if err := dataset.WriteFileAtomic(path, archive); err != nil {
		fmt.Println(err)
		return
	}
	r, err := tiles.Open(context.Background(), path, 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Println(r.Header.MinZoom, r.Header.MaxZoom)
	_, err = tiles.Open(context.Background(), filepath.Join(dir, "missing.pmtiles"), 1<<20)
	fmt.Println(err != nil)
	// Output:
	// 0 12
	// true
}
