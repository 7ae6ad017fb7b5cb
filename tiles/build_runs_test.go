package tiles

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// TestPieceRecordsRoundTrip: what a piece record holds comes back exact.
func TestPieceRecordsRoundTrip(t *testing.T) {
	props := geojson.Properties{"name": "Saint-Étienne", "population": int64(-3), "share": 0.25, "acv": true, "id": "42218"}
	for _, g := range []orb.Geometry{
		orb.Point{-64, 4160},
		orb.MultiPoint{{1, 2}, {-3, 4}},
		orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 0}}, {{2, 2}, {3, 3}, {2, 3}, {2, 2}}},
		orb.MultiPolygon{{{{0, 0}, {5, 0}, {5, 5}, {0, 0}}}, {{{100, 100}, {200, 100}, {200, 200}, {100, 100}}}},
	} {
		encoded, err := appendProperties(nil, props)
		if err != nil {
			t.Fatal(err)
		}
		value := pieceValue(nil, 7, g, encoded)
		index, back, backProps, err := readPiece(value)
		if err != nil {
			t.Fatal(err)
		}
		if index != 7 || !orb.Equal(back, g) {
			t.Errorf("%T: got index %d, %v", g, index, back)
		}
		for k, v := range props {
			if backProps[k] != v {
				t.Errorf("%s: got %v (%T), want %v (%T)", k, backProps[k], backProps[k], v, v)
			}
		}
		if len(backProps) != len(props) {
			t.Errorf("%d properties back, want %d", len(backProps), len(props))
		}
	}
}

// A property of a type the dataset does not have is an error, not a
// crash of the build (FromDataset takes datasets made by hand).
func TestBuildRefusesAPropertyOfAnotherType(t *testing.T) {
	ds := fixtureDataset()
	ds.Layers[0].Features[0].Properties["name"] = 3 // an int, not an int64
	_, _, err := Build(context.Background(), ds, fixtureOptions())
	if err == nil || !strings.Contains(err.Error(), `property "name" is a int`) || !strings.Contains(err.Error(), "region-84") {
		t.Fatalf("error = %v, want one naming the property, its type and the feature", err)
	}
}

// The records hold cell columns in 32 bits: a cell too small for the
// zoom is refused, not wrapped.
func TestBuildRefusesAClusterCellTooSmall(t *testing.T) {
	opts := fixtureOptions()
	opts.ClusterCell = 0
	if _, _, err := Build(context.Background(), fixtureDataset(), opts); err == nil || !strings.Contains(err.Error(), "cluster cell of 0 units") {
		t.Fatalf("error = %v, want the cluster cell refused", err)
	}
}

// FuzzReadPiece: a corrupt temporary record is an error, never a panic or
// a huge allocation.
func FuzzReadPiece(f *testing.F) {
	p1, _ := appendProperties(nil, geojson.Properties{"a": "b", "n": int64(2)})
	p2, _ := appendProperties(nil, geojson.Properties{"x": 1.5, "y": false})
	f.Add(pieceValue(nil, 3, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, p1))
	f.Add(pieceValue(nil, -1, orb.MultiPoint{{1, 2}}, p2))
	f.Fuzz(func(t *testing.T, value []byte) {
		readPiece(value)
		readCell(value)
	})
}

// TestBuildIsTheSameWhateverTheBuffers builds part of the real data with
// the default buffers, then with buffers so small that pieces and cluster
// cells spill at every turn (the training centres' clusters added up from
// many runs), with 1 and 3 workers: the archives must be the same bytes.
func TestBuildIsTheSameWhateverTheBuffers(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the real data")
	}
	full, err := dataset.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Manifest: full.Manifest, Version: full.Version}
	opts := DefaultOptions()
	opts.Layers = map[string]LayerTiling{}
	for _, id := range []string{layers.Departements, "formations", "places"} {
		l, ok := full.Layer(id)
		if !ok {
			t.Fatalf("no layer %s", id)
		}
		ds.Layers = append(ds.Layers, l)
		lt := DefaultOptions().Layers[id]
		lt.MaxZoom = min(lt.MaxZoom, 8) // enough zooms to cluster and to draw points one by one (places)
		opts.Layers[id] = lt
	}
	opts.TempDir = t.TempDir()
	want, wantStats, err := Build(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func(p, c, cb int) { pieceBufferBytes, cellBufferCells, cellBufferBytes = p, c, cb }(pieceBufferBytes, cellBufferCells, cellBufferBytes)
	pieceBufferBytes, cellBufferCells, cellBufferBytes = 64<<10, 16, 4<<10
	for _, workers := range []int{1, 3} {
		opts.Workers = workers
		got, stats, err := Build(context.Background(), ds, opts)
		if err != nil {
			t.Fatal(err)
		}
		if stats.TempRuns < 10*wantStats.TempRuns {
			t.Errorf("%d workers: %d runs, against %d with the default buffers: the small buffers did not spill", workers, stats.TempRuns, wantStats.TempRuns)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d workers, small buffers: the archive differs (%d bytes, want %d)", workers, len(got), len(want))
		}
		if stats.Shown["places"][8] == 0 {
			t.Errorf("%d workers: no place drawn at z8: the test would not cover unclustered points", workers)
		}
		if stats.Shown["formations"][5] != len(ds.Layers[1].Features) {
			t.Errorf("formations at z5: %d drawn, want all %d", stats.Shown["formations"][5], len(ds.Layers[1].Features))
		}
	}
}
