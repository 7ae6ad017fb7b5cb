package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// realCatalog is the catalog of the embedded default dataset, built once.
var realCatalog = sync.OnceValues(func() (*Catalog, error) {
	ds, err := dataset.Load(data.FS)
	if err != nil {
		return nil, err
	}
	return NewCatalog(ds, layers.Default())
})

func mustRealCatalog(tb testing.TB) *Catalog {
	tb.Helper()
	cat, err := realCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// The pre-encoded answers must be byte for byte what encoding/json makes
// of results(): on nearby, within and search queries over the real data,
// with every layer and the extras the routes add.
func TestPlainAnswersEqualEncodingJSON(t *testing.T) {
	cat := mustRealCatalog(t)
	r := rand.New(rand.NewPCG(11, 11))
	check := func(what string, hits []index.Hit, extra map[string]any) {
		t.Helper()
		for _, full := range []bool{false, true} {
			want, err := json.Marshal(results(cat, hits, nil, false, full, extra))
			if err != nil {
				t.Fatal(err)
			}
			got, err := cat.plain.appendResults(nil, hits, full, extra)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Fatalf("%s (full provenance %v): answers differ at byte %d:\nfast:     …%s\nexpected: …%s", what, full, i, snippet(got, i), snippet(want, i))
			}
		}
	}
	ids := cat.Index.Layers()
	for i := range 300 {
		p := randomFrance(r)
		f := index.Filter{}
		if i%3 == 0 {
			f.Layers = []string{ids[r.IntN(len(ids))]}
		}
		k := 1 + r.IntN(100)
		hits := cat.Index.Nearby(p, k, 0, f)
		check(fmt.Sprintf("nearby %v k=%d %v", p, k, f.Layers), hits,
			map[string]any{"query": map[string]any{"lat": p[1], "lon": p[0], "k": k, "radius_km": 0.0, "layers": f.Layers}})
		within, more := cat.Index.Within(p, 20000, 50, f)
		check(fmt.Sprintf("within %v", p), within, map[string]any{"more": more, "query": map[string]any{"lat": p[1]}})
	}
	for _, q := range []string{"chalon", "st etienne", "lyon", "a", "zzzz", "<&>"} {
		hits := cat.Index.Search(q, index.Filter{}, 50, nil)
		check("search "+q, hits, map[string]any{"query": map[string]any{"q": q}})
	}
	// Hand-made distances at the edges of encoding/json's float formats.
	hits := cat.Index.Nearby(randomFrance(r), 6, 0, index.Filter{})
	for i, d := range []float64{0, 1e-7, 0.1, 123456789.5, 1e21, math.NaN()} {
		hits[i].DistanceM = d
	}
	check("odd distances", hits, nil)
	// Extras of every kind the routes add, written without encoding/json:
	// group summaries, strings to escape, nil lists, a member named like
	// one of the answer's own.
	var groups []layers.GroupSummary
	for _, l := range cat.Registry {
		if info, ok := cat.layerInfo(l.ID); ok {
			groups = append(groups, l.GroupSummaries(info.Groups)...)
		}
	}
	if len(groups) == 0 {
		t.Fatal("no group summaries in the real data")
	}
	for _, q := range []string{"é\u2028\"\\<&>\x01\t", "plain", ""} {
		check("extras "+q, hits, map[string]any{
			"groups": groups, "more": true,
			"query": map[string]any{"q": q, "layers": []string(nil), "lat": -0.0, "k": 7, "list": []string{q, "a"}, "nested": map[string]any{"x": 1e-9}},
		})
	}
	check("extra named count", hits, map[string]any{"count": "x", "zz": []int{1}})
}

func snippet(b []byte, i int) string {
	return string(b[max(0, i-40):min(len(b), i+60)])
}

// randomFrance is a point of metropolitan France's bound (sea included).
func randomFrance(r *rand.Rand) orb.Point {
	return orb.Point{-5 + r.Float64()*14.5, 41.3 + r.Float64()*9.8}
}

// A profile's answer, with its provenance encoded once, is byte for byte
// what encoding/json makes of the profile.
func TestProfileAnswersEqualEncodingJSON(t *testing.T) {
	cat := mustRealCatalog(t)
	type plainPoint struct {
		profile.Point
		Attribution string `json:"attribution"`
		DataVersion string `json:"data_version"`
	}
	type plainTerritory struct {
		profile.TerritoryProfile
		Attribution string `json:"attribution"`
		DataVersion string `json:"data_version"`
	}
	site, _ := cat.Profiles.Site("site-01")
	ti, _ := cat.Profiles.Territory(layers.Period2023, "ti-8413")
	point := cat.Profiles.Point(orb.Point{5.6553, 46.2567})
	point.Provenance["not-in-the-manifest"] = profile.Provenance{Title: "x"}
	for name, c := range map[string]struct{ got, want any }{
		"site":      {pointAnswer{site, cat.plain.provenanceJSON(site.Provenance), "a", "v"}, plainPoint{site, "a", "v"}},
		"point":     {pointAnswer{point, cat.plain.provenanceJSON(point.Provenance), "a", "v"}, plainPoint{point, "a", "v"}},
		"territory": {territoryAnswer{ti, cat.plain.provenanceJSON(ti.Provenance), "a", "v"}, plainTerritory{ti, "a", "v"}},
	} {
		got, err1 := json.Marshal(c.got)
		want, err2 := json.Marshal(c.want)
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v %v\n%s\n%s", name, err1, err2, got, want)
		}
	}
}

// encodedOf finds a feature by its place in its layer's slice, and only a
// feature of that slice: a copy, a feature of another layer or of a slice
// that merely overlaps in memory is not found.
func TestEncodedOfFindsOnlyTheLayersOwnFeatures(t *testing.T) {
	feats := []dataset.Feature{
		{ID: "a", Geometry: orb.Point{1, 2}, Properties: map[string]any{"name": "A"}},
		{ID: "b", Geometry: orb.Point{3, 4}, Properties: map[string]any{"name": "B"}},
		{ID: "c", Geometry: orb.Point{5, 6}, Properties: map[string]any{"name": "C"}},
	}
	other := []dataset.Feature{feats[1]}
	ds := &dataset.Dataset{Layers: []dataset.Layer{{Info: dataset.LayerInfo{ID: "sites"}, Features: feats[:2]}}}
	pj, err := newPlainJSON(ds)
	if err != nil {
		t.Fatal(err)
	}
	l := pj.layers["sites"]
	for i := range 2 {
		fj, ok := l.encodedOf(&feats[i])
		if !ok || !bytes.Contains(fj.head, []byte(`"id":"`+feats[i].ID+`"`)) {
			t.Errorf("feature %d: %v %s", i, ok, fj.head)
		}
	}
	copied := feats[0]
	for name, f := range map[string]*dataset.Feature{"a copy": &copied, "another slice": &other[0], "past the layer's end": &feats[2]} {
		if _, ok := l.encodedOf(f); ok {
			t.Errorf("%s is found", name)
		}
	}
	if _, ok := pj.layers["nowhere"].encodedOf(&feats[0]); ok {
		t.Error("a layer the data does not hold finds a feature")
	}
}
