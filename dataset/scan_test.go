package dataset_test

import (
	"reflect"
	"testing"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
)

// TestStreamReadsWhatLoadReads: on the real data, the features handed one
// at a time are Load's, in the same order, and the version is the same.
func TestStreamReadsWhatLoadReads(t *testing.T) {
	ds, err := dataset.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	s, err := dataset.OpenStream(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Manifest(), ds.Manifest) {
		t.Fatal("the stream's manifest is not Load's")
	}
	n := 0
	version, err := s.Scan(func(layer, index int, f dataset.Feature) error {
		want := ds.Layers[layer].Features[index]
		if f.ID != want.ID || !reflect.DeepEqual(f.Geometry, want.Geometry) || !reflect.DeepEqual(f.Properties, want.Properties) {
			t.Fatalf("layer %d feature %d: %s differs from Load's %s", layer, index, f.ID, want.ID)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, l := range ds.Layers {
		total += len(l.Features)
	}
	if n != total || version != ds.Version {
		t.Fatalf("streamed %d features, version %s; Load: %d, %s", n, version, total, ds.Version)
	}
}
