package tiles_test

import (
	"context"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

// TestBuildDefaultDataset builds the real archive once and checks what the
// map promises: every feature drawn at every zoom of its layer, a valid
// archive by go-pmtiles' own verify, bounds that include overseas France,
// and a known commune where it belongs.
func TestBuildDefaultDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full archive")
	}
	ds, err := dataset.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	opts := tiles.DefaultOptions()
	archive, stats, err := tiles.Build(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ds.Layers {
		lt := opts.Layers[l.Info.ID]
		for z := lt.MinZoom; z <= lt.MaxZoom; z++ {
			// A layer with a zoom field shows, at z, its features of
			// that zoom or lower; every other layer all of them.
			want := 0
			for _, f := range l.Features {
				if v, ok := f.Properties[lt.ZoomField].(int64); lt.ZoomField == "" || ok && int(v) <= z {
					want++
				}
			}
			if got := stats.Shown[l.Info.ID][z]; got != want {
				t.Errorf("%s at z%d: %d of %d features drawn", l.Info.ID, z, got, want)
			}
		}
		if lt.Labels != nil {
			for z := lt.Labels.MinZoom; z <= lt.Labels.MaxZoom; z++ {
				if got := stats.Shown[layers.LabelLayer(l.Info.ID)][z]; got != len(l.Features) {
					t.Errorf("%s label points at z%d: %d of %d drawn", l.Info.ID, z, got, len(l.Features))
				}
			}
		}
	}
	if stats.LargestTile.Bytes > tiles.MaxTileBytes {
		t.Errorf("largest tile %+v", stats.LargestTile)
	}
	t.Logf("archive %d bytes, %d tiles, largest %+v", stats.Bytes, stats.Tiles, stats.LargestTile)

	path := filepath.Join(t.TempDir(), "default.pmtiles")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pmtiles.Verify(log.New(io.Discard, "", 0), path); err != nil {
		t.Fatalf("go-pmtiles verify: %v", err)
	}
	r, err := tiles.OpenArchive(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header
	// Guadeloupe in the west, La Réunion and Mayotte in the south-east.
	if h.MinLonE7 > -610000000 || h.MaxLonE7 < 555000000 || h.MinLatE7 > -210000000 || h.MaxLatE7 < 510000000 {
		t.Errorf("bounds [%d %d %d %d] miss overseas France", h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7)
	}

	oyonnax := orb.Point{5.65253, 46.26112} // commune 01283, "Plastics Vallée" territory
	for _, z := range []maptile.Zoom{7, 10, 12} {
		tile := maptile.At(oyonnax, z)
		b, err := r.Tile(context.Background(), int(tile.Z), int(tile.X), int(tile.Y))
		if err != nil || b == nil {
			t.Fatalf("z%d: tile %v: %v", z, tile, err)
		}
		layers, err := mvt.UnmarshalGzipped(b)
		if err != nil {
			t.Fatal(err)
		}
		checkMVTWinding(t, tile, layers)
		layers.ProjectToWGS84(tile)
		found := false
		for _, l := range layers {
			if l.Name != "communes" {
				continue
			}
			for _, f := range l.Features {
				if f.Properties["id"] != "01283" {
					continue
				}
				found = true
				if f.Properties["name"] != "Oyonnax" || f.Properties["territoire"] != "ti-8413" {
					t.Errorf("z%d: Oyonnax properties %v", z, f.Properties)
				}
				if !planar.MultiPolygonContains(dataset.Polygons(f.Geometry), oyonnax) {
					t.Errorf("z%d: Oyonnax's polygon misses its centroid", z)
				}
			}
		}
		if !found {
			t.Errorf("z%d: Oyonnax missing from tile %v", z, tile)
		}
	}
}

// checkMVTWinding checks, in tile coordinates (y down), that the first ring
// of every polygon feature is an exterior ring by MVT 2.1 §4.3.4.4: positive
// area by the surveyor's formula, clockwise on screen, which orb's
// Orientation calls CCW since it assumes y up. orb's decoder takes the first
// ring as given and starts a new polygon at each later ring of that sign, so
// the first ring is the one a wrong winding would show in. The dataset's
// rings are counterclockwise in longitude and latitude (RFC 7946): the
// builder has to turn them for the tiles, whose y points down.
func checkMVTWinding(tb testing.TB, tile maptile.Tile, layers mvt.Layers) {
	tb.Helper()
	for _, l := range layers {
		for _, f := range l.Features {
			if p := dataset.Polygons(f.Geometry); len(p) > 0 && p[0][0].Orientation() != orb.CCW {
				tb.Errorf("tile %v layer %s feature %v: the first ring is not an MVT exterior ring", tile, l.Name, f.Properties["id"])
			}
		}
	}
}
