package index_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

func TestContaining(t *testing.T) {
	_, ix := real(t)
	tests := []struct {
		name, layer string
		p           orb.Point
		want        string // "" for none
	}{
		{"Oyonnax, every commune's outline", "contours_communes", orb.Point{5.6553, 46.2567}, "contour-01283"},
		{"Paris, outside the territories but a commune", "contours_communes", orb.Point{2.3488, 48.8534}, "contour-75056"},
		{"Oyonnax, the communes of the territories", layers.Communes, orb.Point{5.6553, 46.2567}, "01283"},
		{"at sea", "contours_communes", orb.Point{-6.5, 47.5}, ""},
		{"a point layer contains nothing", "sites", orb.Point{5.6553, 46.2567}, ""},
		{"unknown layer", "nope", orb.Point{5.6553, 46.2567}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := ix.Containing(tt.layer, tt.p)
			got := ""
			if ok {
				got = h.Feature.ID
				if h.Layer != tt.layer || index.Distance(tt.p, h.Feature.Geometry) != 0 {
					t.Errorf("hit %s of layer %s does not contain the point", got, h.Layer)
				}
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// EachWithin and WithinAll against a scan of every feature: the same
// features, at the same distances; WithinAll in brute-force order.
func TestEachWithinEqualsBruteForce(t *testing.T) {
	ds, ix := real(t)
	r := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		layers   []string
		category string
		n        int
	}{
		{[]string{"formations"}, "", 400},
		{[]string{"formations"}, "cnam", 200},
		{[]string{"formations"}, "lycee_professionnel", 200},
		{[]string{"formations"}, "no-such-category", 20},
		{[]string{"acv", "sites"}, "", 300}, // acv holds MultiPoints
		{[]string{layers.Territoires}, "", 20},
	}
	for _, c := range cases {
		for i := 0; i < c.n; i++ {
			p := randomPoint(r)
			radius := []float64{0, 1000, 10000, 30000, 50000, 200000}[i%6]
			keep := func(f *dataset.Feature) bool { return c.category == "" || f.String("category") == c.category }
			var want []bruteHit
			for _, h := range brute(ds, p, c.layers, keep) {
				if h.d <= radius {
					want = append(want, h)
				}
			}
			f := index.Filter{Layers: c.layers, Category: c.category}
			var each []string
			ix.EachWithin(p, radius, f, func(h index.Hit) bool {
				each = append(each, h.Feature.ID)
				return true
			})
			got := ix.WithinAll(p, radius, f)
			if len(got) != len(want) || len(each) != len(want) {
				t.Fatalf("%v %v %q r=%v: %d and %d hits, want %d", p, c.layers, c.category, radius, len(got), len(each), len(want))
			}
			slices.Sort(each)
			for j := range want {
				if got[j].Feature.ID != want[j].id || got[j].DistanceM != want[j].d {
					t.Fatalf("%v rank %d: got %s at %v, want %s at %v", p, j, got[j].Feature.ID, got[j].DistanceM, want[j].id, want[j].d)
				}
				if _, ok := slices.BinarySearch(each, want[j].id); !ok {
					t.Fatalf("%v: EachWithin missed %s", p, want[j].id)
				}
			}
		}
	}
}

func TestEachWithinStops(t *testing.T) {
	_, ix := real(t)
	n := 0
	ix.EachWithin(orb.Point{2.35, 48.85}, 50000, index.Filter{Layers: []string{"formations", "sites"}}, func(index.Hit) bool {
		n++
		return n < 3
	})
	if n != 3 {
		t.Fatalf("fn called %d times after asking to stop at 3", n)
	}
}

// A category filter searches the category's own tree: the answer must be
// the one a scan gives, rare categories and unknown ones included.
func TestNearbyByCategoryEqualsBruteForce(t *testing.T) {
	ds, ix := real(t)
	r := rand.New(rand.NewPCG(9, 10))
	categories := []string{"cnam", "cfa_industrie_nom", "cfa_compagnons", "cfa_uimm", "lycee_polyvalent", "cfa_organisme_formation", "nope"}
	for i := 0; i < 700; i++ {
		p := randomPoint(r)
		c := categories[i%len(categories)]
		k := []int{1, 5, 30}[i%3]
		limit := []float64{0, 50000}[i%2]
		got := ix.Nearby(p, k, limit, index.Filter{Layers: []string{"formations"}, Category: c})
		var want []bruteHit
		for _, h := range brute(ds, p, []string{"formations"}, func(f *dataset.Feature) bool { return f.String("category") == c }) {
			if len(want) < k && (limit == 0 || h.d <= limit) {
				want = append(want, h)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%v %s k=%d: %d hits, want %d", p, c, k, len(got), len(want))
		}
		for j := range want {
			if got[j].Feature.ID != want[j].id || got[j].DistanceM != want[j].d {
				t.Fatalf("%v %s rank %d: got %s, want %s", p, c, j, got[j].Feature.ID, want[j].id)
			}
		}
	}
}

func TestNeighbours(t *testing.T) {
	square := func(lon, lat, size float64) orb.Polygon {
		return orb.Polygon{{{lon, lat}, {lon + size, lat}, {lon + size, lat + size}, {lon, lat + size}, {lon, lat}}}
	}
	// A degree of latitude is 111.2 km: 0.0045° is 500 m, 0.018° 2 km.
	ds := &dataset.Dataset{Layers: []dataset.Layer{{Info: dataset.LayerInfo{ID: layers.Territoires, Geometry: dataset.GeometryPolygon}, Features: []dataset.Feature{
		{ID: "a", Geometry: square(5, 45, 0.1), Properties: map[string]any{"period": layers.Period2023}},
		{ID: "b-gap-500m", Geometry: square(5, 45.1045, 0.1), Properties: map[string]any{"period": layers.Period2023}},
		{ID: "c-gap-2km", Geometry: square(5, 44.882, 0.1), Properties: map[string]any{"period": layers.Period2023}},
		{ID: "d-inside-a", Geometry: square(5.04, 45.04, 0.02), Properties: map[string]any{"period": layers.Period2023}},
		{ID: "e-overlaps-a-other-period", Geometry: square(5.05, 45.05, 0.1), Properties: map[string]any{"period": layers.Period2018}},
		{ID: "f-crossing-a", Geometry: orb.Polygon{{{4.95, 45.08}, {5.2, 45.08}, {5.2, 45.085}, {4.95, 45.085}, {4.95, 45.08}}}, Properties: map[string]any{"period": layers.Period2023}},
	}}}}
	ix := index.New(ds, layers.Default())
	got := ix.Neighbours(layers.Territoires, 1000, index.Filter{Period: layers.Period2023})
	want := map[string][]string{
		"a":            {"b-gap-500m", "d-inside-a", "f-crossing-a"},
		"b-gap-500m":   {"a"},
		"d-inside-a":   {"a"},
		"f-crossing-a": {"a"}, // crosses a's outline, no vertex near it
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s: got %v, want %v", id, got[id], w)
		}
	}
	if n := ix.Neighbours(layers.Territoires, 3000, index.Filter{Period: layers.Period2023})["c-gap-2km"]; !slices.Equal(n, []string{"a"}) {
		t.Errorf("at 3 km c's neighbours are %v, want [a]", n)
	}
	if n := ix.Neighbours("nope", 1000, index.Filter{}); len(n) != 0 {
		t.Errorf("unknown layer: %v", n)
	}
}

// On the real territories: two territories are neighbours when a vertex
// of one lies within the distance of the other (the brute force: every
// vertex measured with Distance), or, for the rare edges crossing far from
// any vertex, when their edges cross.
func TestNeighboursEqualBruteForce(t *testing.T) {
	ds, ix := real(t)
	const d = 1000.0
	terr, _ := ds.Layer(layers.Territoires)
	for _, period := range layers.Periods() {
		got := ix.Neighbours(layers.Territoires, d, index.Filter{Period: period})
		var fs []*dataset.Feature
		for i := range terr.Features {
			if terr.Features[i].String("period") == period {
				fs = append(fs, &terr.Features[i])
			}
		}
		pad := orb.Point{0.02, 0.02}
		for i, a := range fs {
			ba := a.Geometry.Bound()
			ba = orb.Bound{Min: orb.Point{ba.Min[0] - pad[0], ba.Min[1] - pad[1]}, Max: orb.Point{ba.Max[0] + pad[0], ba.Max[1] + pad[1]}}
			for _, b := range fs[i+1:] {
				near := false
				if ba.Intersects(b.Geometry.Bound()) {
					near = within(a.Geometry, b.Geometry, d) || within(b.Geometry, a.Geometry, d)
				}
				_, found := slices.BinarySearch(got[a.ID], b.ID)
				if near && !found {
					t.Errorf("%s: %s and %s come within %v m, not neighbours", period, a.ID, b.ID, d)
				}
				if found && !near && !within(a.Geometry, b.Geometry, d*1.01) && !within(b.Geometry, a.Geometry, d*1.01) {
					// Only crossing edges far from any vertex may explain it.
					t.Logf("%s: %s and %s neighbours by crossing edges only", period, a.ID, b.ID)
				}
			}
		}
	}
}

// within says whether a vertex of a lies within d metres of b.
func within(a, b orb.Geometry, d float64) bool {
	bb := b.Bound()
	var polys []orb.Polygon
	switch g := a.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, poly := range polys {
		for _, ring := range poly {
			for _, v := range ring {
				// Quick cut: farther than d from b's box (a degree is at least 70 km here).
				if v[0] < bb.Min[0]-0.05 || v[0] > bb.Max[0]+0.05 || v[1] < bb.Min[1]-0.05 || v[1] > bb.Max[1]+0.05 {
					continue
				}
				if index.Distance(v, b) <= d {
					return true
				}
			}
		}
	}
	return false
}
