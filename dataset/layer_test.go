package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func fixtureManifest(tb testing.TB) Manifest {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "good", ManifestFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	m, err := ReadManifest(f)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestLoadValidFixture(t *testing.T) {
	ds, err := Load(os.DirFS(filepath.Join("testdata", "good")))
	if err != nil {
		t.Fatal(err)
	}
	places, ok := ds.Layer("places")
	if !ok || len(places.Features) != 2 {
		t.Fatalf("places layer: %+v", places)
	}
	paris := places.Features[0]
	if paris.ID != "a" || paris.String("name") != "Paris" {
		t.Errorf("first place = %q %q", paris.ID, paris.String("name"))
	}
	if got, ok := paris.Properties["population"].(int64); !ok || got != 2100000 {
		t.Errorf("population = %#v, want int64 2100000", paris.Properties["population"])
	}
	if _, ok := paris.Geometry.(orb.Point); !ok {
		t.Errorf("geometry %T, want orb.Point", paris.Geometry)
	}
	lg := places.Features[1]
	if _, present := lg.Properties["population"]; present {
		t.Error("a null property must stay absent, not become a zero value")
	}
	if lg.Properties["share"] != 0.5 || lg.Properties["acv"] != true {
		t.Errorf("typed properties: %#v", lg.Properties)
	}
	if mp, ok := lg.Geometry.(orb.MultiPoint); !ok || len(mp) != 2 {
		t.Errorf("geometry %#v, want a MultiPoint of 2", lg.Geometry)
	}
	zones, _ := ds.Layer("zones")
	if _, ok := zones.Features[1].Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("zone 2 geometry %T", zones.Features[1].Geometry)
	}
	if len(ds.Version) != 12 {
		t.Errorf("version %q", ds.Version)
	}
}

func TestDecodeLayerRejectsBadInput(t *testing.T) {
	m := fixtureManifest(t)
	places, _ := m.Layer("places")
	zones, _ := m.Layer("zones")
	tests := []struct {
		file  string
		layer LayerInfo
		want  error
		// parts of the message that locate the problem
		where []string
	}{
		{"invalid-json", places, ErrSyntax, []string{"invalid-json.geojson", "feature 0"}},
		{"not-collection", places, ErrNotCollection, []string{`field "type"`}},
		{"unknown-geometry", places, ErrGeometryType, []string{"feature 0", `(id "a")`, `field "geometry"`, `"Circle"`}},
		{"polygon-in-point-layer", places, ErrGeometryType, []string{`field "geometry"`, "Point or MultiPoint"}},
		{"lat-out-of-range", places, ErrCoordinate, []string{"feature 1", `(id "b")`, "98.85"}},
		{"nan-coordinate", places, ErrSyntax, []string{"feature 0"}},
		{"duplicate-id", places, ErrID, []string{"feature 1", `(id "a")`, "also used by feature 0"}},
		{"missing-id", places, ErrID, []string{"feature 0", `field "id"`}},
		{"missing-name", places, ErrMissingProperty, []string{`(id "a")`, `field "name"`}},
		{"wrong-type", places, ErrPropertyType, []string{`field "population"`, `"many"`}},
		{"fractional-integer", places, ErrPropertyType, []string{`field "population"`, "3.5"}},
		{"unknown-property", places, ErrUnknownProperty, []string{`field "colour"`}},
		{"unclosed-ring", zones, ErrRing, []string{`(id "z")`, "not closed"}},
		{"short-ring", zones, ErrRing, []string{"3 positions"}},
		{"degenerate-ring", zones, ErrRing, []string{"zero area"}},
		{"null-geometry", places, ErrGeometryType, []string{"geometry is missing"}},
		{"trailing-data", places, ErrSyntax, []string{"after the FeatureCollection"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := tt.file + ".geojson"
			b, err := os.ReadFile(filepath.Join("testdata", "bad", name))
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeLayer(bytes.NewReader(b), name, tt.layer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.File != name {
				t.Fatalf("error %v does not name the file", err)
			}
			for _, part := range tt.where {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestLoadRejectsInconsistentDataset(t *testing.T) {
	good := filepath.Join("testdata", "good")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(good, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	manifest, zones, places := read(ManifestFile), read("zones.geojson"), read("places.geojson")
	tests := []struct {
		name  string
		files map[string]string
		want  error
		where string
	}{
		{"count differs from manifest", map[string]string{ManifestFile: strings.Replace(manifest, `"count": 2}`, `"count": 3}`, 1), "zones.geojson": zones, "places.geojson": places}, ErrCountMismatch, "manifest says 3"},
		{"id shared by two layers", map[string]string{ManifestFile: manifest, "zones.geojson": zones, "places.geojson": strings.Replace(places, `"id":"a"`, `"id":"z1"`, 1)}, ErrID, `also in layer "zones"`},
		{"layer file missing", map[string]string{ManifestFile: manifest, "zones.geojson": zones}, ErrMissingLayerFile, "places.geojson"},
		{"id used twice in a layer", map[string]string{ManifestFile: manifest, "zones.geojson": zones, "places.geojson": strings.Replace(places, `"id":"b"`, `"id":"a"`, 1)}, ErrID, `feature 1 (id "a"): field "id": dataset: missing or duplicate id: also used by feature 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(os.DirFS(dir))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.where) {
				t.Fatalf("error = %v, want %v mentioning %q", err, tt.want, tt.where)
			}
			// Read one feature at a time, the same data fails the same way.
			s, err := OpenStream(os.DirFS(dir))
			if err == nil {
				_, err = s.Scan(func(layer, index int, f Feature) error { return nil })
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.where) {
				t.Fatalf("streamed: error = %v, want %v mentioning %q", err, tt.want, tt.where)
			}
		})
	}
}

func TestReadManifestRejectsBadSchema(t *testing.T) {
	base := `{"title":"t","attribution":"a","layers":[{"id":"x","file":"x.geojson","title":"X","description":"d","geometry":"%s","sources":%s,"fields":%s,"count":0}]}`
	name := `[{"name":"name","type":"string","required":true,"description":"n"}]`
	src := `[{"name":"s","licence":"Licence Ouverte 2.0","vintage":"2026"}]`
	tests := []struct {
		name, json, want string
	}{
		{"no provenance", fmt.Sprintf(base, "point", "[]", name), "no source"},
		{"bad geometry kind", fmt.Sprintf(base, "line", src, name), `geometry "line"`},
		{"no name field", fmt.Sprintf(base, "point", src, "[]"), `"name" must be declared`},
		{"unknown field type", fmt.Sprintf(base, "point", src, `[{"name":"name","type":"string","required":true,"description":"n"},{"name":"d","type":"date","description":"d"}]`), `unknown type "date"`},
		{"unknown key", `{"title":"t","layerz":[]}`, "unknown field"},
		// The answers put the layer and the distance beside the fields.
		{"reserved field name", fmt.Sprintf(base, "point", src, `[{"name":"name","type":"string","required":true,"description":"n"},{"name":"layer","type":"integer","description":"l"}]`), `field "layer": the name is reserved`},
		{"field named id", fmt.Sprintf(base, "point", src, `[{"name":"name","type":"string","required":true,"description":"n"},{"name":"id","type":"string","description":"i"}]`), `field "id": the name is reserved`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadManifest(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestWriteDirRoundTrip(t *testing.T) {
	src, err := Load(os.DirFS(filepath.Join("testdata", "good")))
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string][]Feature{}
	for _, l := range src.Layers {
		layers[l.Info.ID] = l.Features
	}
	dir := t.TempDir()
	m := src.Manifest
	for i := range m.Layers {
		m.Layers[i].File += ".gz"
	}
	if err := WriteDir(dir, m, layers); err != nil {
		t.Fatal(err)
	}
	back, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range back.Layers {
		want := src.Layers[i].Features
		if len(l.Features) != len(want) {
			t.Fatalf("layer %s: %d features, want %d", l.Info.ID, len(l.Features), len(want))
		}
		for j, f := range l.Features {
			if f.ID != want[j].ID || !orb.Equal(f.Geometry, want[j].Geometry) || len(f.Properties) != len(want[j].Properties) {
				t.Errorf("layer %s feature %d: %+v, want %+v", l.Info.ID, j, f, want[j])
			}
			for k, v := range want[j].Properties {
				if f.Properties[k] != v {
					t.Errorf("feature %s: %s = %#v, want %#v", f.ID, k, f.Properties[k], v)
				}
			}
		}
	}
	// Writing twice gives the same bytes: builds downstream are reproducible.
	dir2 := t.TempDir()
	if err := WriteDir(dir2, m, layers); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ManifestFile, "zones.geojson.gz", "places.geojson.gz"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes", name)
		}
	}
}

func FuzzDecodeLayer(f *testing.F) {
	m := fixtureManifest(f)
	places, _ := m.Layer("places")
	zones, _ := m.Layer("zones")
	for _, dir := range []string{"good", "bad"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", dir))
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, info := range []LayerInfo{places, zones} {
			features, err := DecodeLayer(bytes.NewReader(b), "fuzz.geojson", info)
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("error %v is not a *ValidationError", err)
				}
				continue
			}
			// Whatever is accepted has the RFC 7946 winding, and encodes and
			// decodes to the same features.
			for _, f := range features {
				checkRFC7946(t, f.Geometry)
			}
			var buf bytes.Buffer
			if err := EncodeLayer(&buf, features); err != nil {
				t.Fatalf("accepted features do not encode: %v", err)
			}
			again, err := DecodeLayer(&buf, "again.geojson", info)
			if err != nil || len(again) != len(features) {
				t.Fatalf("round trip: %v (%d vs %d features)", err, len(again), len(features))
			}
			for i := range again {
				if !orb.Equal(again[i].Geometry, features[i].Geometry) {
					t.Fatalf("feature %d: geometry %v after a round trip, was %v", i, again[i].Geometry, features[i].Geometry)
				}
			}
		}
	})
}
