package index_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

var (
	loadOnce sync.Once
	realDS   *dataset.Dataset
	realIx   *index.Index
)

// real returns the index of the embedded default dataset, built once.
func real(tb testing.TB) (*dataset.Dataset, *index.Index) {
	tb.Helper()
	loadOnce.Do(func() {
		ds, err := dataset.Load(data.FS)
		if err != nil {
			panic(err)
		}
		realDS, realIx = ds, index.New(ds, layers.Default())
	})
	return realDS, realIx
}

// randomPoint in metropolitan France's bound, or overseas 1 time in 10.
func randomPoint(r *rand.Rand) orb.Point {
	if r.IntN(10) == 0 {
		return orb.Point{55.2 + r.Float64()*0.7, -21.4 + r.Float64()*0.6} // La Réunion
	}
	return orb.Point{-5 + r.Float64()*14.5, 41.3 + r.Float64()*9.8}
}

type bruteHit struct {
	id string
	d  float64
}

// brute computes every distance: the reference the index must equal.
func brute(ds *dataset.Dataset, p orb.Point, layers []string, keep func(*dataset.Feature) bool) []bruteHit {
	var out []bruteHit
	for _, l := range ds.Layers {
		if len(layers) > 0 && !slices.Contains(layers, l.Info.ID) {
			continue
		}
		for i := range l.Features {
			if keep != nil && !keep(&l.Features[i]) {
				continue
			}
			out = append(out, bruteHit{l.Features[i].ID, index.Distance(p, l.Features[i].Geometry)})
		}
	}
	slices.SortFunc(out, func(a, b bruteHit) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		if a.id < b.id {
			return -1
		}
		return 1
	})
	return out
}

func TestNearbyEqualsBruteForce(t *testing.T) {
	ds, ix := real(t)
	r := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 200
	}
	cases := []struct {
		layers []string
		k      int
	}{
		{[]string{"sites"}, 10},
		{[]string{"formations"}, 25},
		{[]string{"sites", "formations", "acv"}, 10},
		{[]string{layers.Communes}, 5},
	}
	for i := 0; i < n; i++ {
		c := cases[i%len(cases)]
		if c.layers[0] == layers.Communes && i%100 != 3 {
			continue // polygons: fewer brute-force scans, they are slow
		}
		p := randomPoint(r)
		got := ix.Nearby(p, c.k, 0, index.Filter{Layers: c.layers})
		want := brute(ds, p, c.layers, nil)[:c.k]
		if len(got) != len(want) {
			t.Fatalf("%v: %d hits, want %d", p, len(got), len(want))
		}
		for j := range want {
			if got[j].Feature.ID != want[j].id || got[j].DistanceM != want[j].d {
				t.Fatalf("point %v layers %v rank %d: got %s at %.3f m, want %s at %.3f m", p, c.layers, j, got[j].Feature.ID, got[j].DistanceM, want[j].id, want[j].d)
			}
		}
	}
}

func TestWithinEqualsBruteForceWithFilters(t *testing.T) {
	ds, ix := real(t)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		p := randomPoint(r)
		radius := 5000 + r.Float64()*80000
		f := index.Filter{Layers: []string{"formations"}, Category: "cfa_organisme_formation"}
		got, more := ix.Within(p, radius, 10000, f)
		var want []bruteHit
		for _, h := range brute(ds, p, f.Layers, func(feat *dataset.Feature) bool { return feat.String("category") == f.Category }) {
			if h.d <= radius {
				want = append(want, h)
			}
		}
		if more || len(got) != len(want) {
			t.Fatalf("%v r=%.0f: %d hits (more=%v), want %d", p, radius, len(got), more, len(want))
		}
		for j := range want {
			if got[j].Feature.ID != want[j].id || got[j].Feature.String("category") != f.Category {
				t.Fatalf("%v rank %d: got %s, want %s", p, j, got[j].Feature.ID, want[j].id)
			}
		}
	}
}

// The distance must be geodesic: at 46°N, 1° of longitude is ~77 km and
// 1° of latitude ~111 km. A planar-degree index would rank them equal.
func TestNearbyOrdersByGreatCircleNotDegrees(t *testing.T) {
	ds := &dataset.Dataset{Layers: []dataset.Layer{{
		Info: dataset.LayerInfo{ID: "pts", Geometry: dataset.GeometryPoint},
		Features: []dataset.Feature{
			{ID: "north", Geometry: orb.Point{3, 46.9}}, // 0.9° of latitude: ~100 km
			{ID: "east", Geometry: orb.Point{4.2, 46}},  // 1.2° of longitude: ~93 km
		},
	}}}
	hits := index.New(ds, layers.Default()).Nearby(orb.Point{3, 46}, 2, 0, index.Filter{})
	if hits[0].Feature.ID != "east" || math.Abs(hits[0].DistanceM-92700) > 500 || math.Abs(hits[1].DistanceM-100080) > 500 {
		t.Errorf("got %s %.0f m, %s %.0f m", hits[0].Feature.ID, hits[0].DistanceM, hits[1].Feature.ID, hits[1].DistanceM)
	}
}

func TestHaversineKnownDistance(t *testing.T) {
	paris, lyon := orb.Point{2.3522, 48.8566}, orb.Point{4.8357, 45.7640}
	if d := index.Haversine(paris, lyon); math.Abs(d-391500) > 1500 {
		t.Errorf("Paris-Lyon %.0f m, want about 391.5 km", d)
	}
}

// Distance measures points through unit vectors: the haversine's number
// but for the last bits, from a metre to antipodes.
func TestPointDistanceIsTheHaversine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 10000 {
		p := orb.Point{-180 + 360*r.Float64(), -90 + 180*r.Float64()}
		q := orb.Point{p[0] + math.Pow(10, -5+7*r.Float64())*(r.Float64()-0.5), p[1] + math.Pow(10, -5+7*r.Float64())*(r.Float64()-0.5)}
		q[1] = math.Max(-90, math.Min(90, q[1]))
		h, d := index.Haversine(p, q), index.Distance(p, q)
		if math.Abs(h-d) > 1e-6*math.Max(1, h) {
			t.Fatalf("%v to %v: Distance %.9f m, haversine %.9f m", p, q, d, h)
		}
		if m := index.Distance(p, orb.MultiPoint{q, p}); m != 0 {
			t.Fatalf("a MultiPoint holding p is %v m away", m)
		}
	}
	if d := index.Distance(orb.Point{1, 2}, orb.MultiPoint{}); !math.IsInf(d, 1) {
		t.Errorf("an empty MultiPoint is %v m away, want +Inf", d)
	}
}

func TestReverse(t *testing.T) {
	_, ix := real(t)
	tests := []struct {
		name                string
		p                   orb.Point
		commune, ti2023     string
		ti2018              string
		wantNoTerritoryTerm bool
	}{
		{"Oyonnax town centre", orb.Point{5.6553, 46.2567}, "01283", "2023/ti-8413", "2018/ti-8408", false},
		{"at sea off Brittany", orb.Point{-6.5, 47.5}, "", "", "", true},
		{"Paris, in no territory", orb.Point{2.3488, 48.8534}, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			place := ix.Reverse(tt.p)
			gotCommune := ""
			if place.Commune != nil {
				gotCommune = place.Commune.ID
			}
			if gotCommune != tt.commune {
				t.Errorf("commune %q, want %q", gotCommune, tt.commune)
			}
			for period, want := range map[string]string{layers.Period2023: tt.ti2023, layers.Period2018: tt.ti2018} {
				got := ""
				if f := place.Territoires[period]; f != nil {
					got = f.ID
				}
				if got != want {
					t.Errorf("%s territory %q, want %q", period, got, want)
				}
			}
		})
	}
}

// On a border (a vertex shared by two communes, or on the coast) reverse
// must answer a commune whose polygon really contains the point, or none.
func TestReverseAtBorders(t *testing.T) {
	ds, ix := real(t)
	communes, _ := ds.Layer(layers.Communes)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		f := &communes.Features[r.IntN(len(communes.Features))]
		var ring orb.Ring
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			ring = g[0]
		case orb.MultiPolygon:
			ring = g[0][0]
		}
		v := ring[r.IntN(len(ring)-1)]
		place := ix.Reverse(v)
		if place.Commune != nil && index.Distance(v, place.Commune.Geometry) != 0 {
			t.Fatalf("reverse of %v gave %s, whose polygon does not contain it", v, place.Commune.ID)
		}
	}
}

func TestInBBox(t *testing.T) {
	_, ix := real(t)
	lyonArea := orb.Bound{Min: orb.Point{4.7, 45.6}, Max: orb.Point{5.0, 45.9}}
	f := index.Filter{Layers: []string{"formations"}}
	all, total := ix.InBBox(lyonArea, f, 0, 100000)
	if total == 0 || len(all) != total {
		t.Fatalf("%d of %d", len(all), total)
	}
	for _, h := range all {
		p := h.Feature.Geometry.(orb.Point)
		if !lyonArea.Contains(p) {
			t.Errorf("%s at %v outside the box", h.Feature.ID, p)
		}
	}
	page, total2 := ix.InBBox(lyonArea, f, 5, 10)
	if total2 != total || len(page) != 10 || page[0].Feature.ID != all[5].Feature.ID {
		t.Errorf("paging: %d hits, total %d", len(page), total2)
	}
	if hits, n := ix.InBBox(orb.Bound{Min: orb.Point{5, 46}, Max: orb.Point{4, 45}}, index.Filter{}, 0, 10); n != 0 || hits != nil {
		t.Errorf("inverted box matched %d", n)
	}
	if _, n := ix.InBBox(orb.Bound{Min: orb.Point{-30, 40}, Max: orb.Point{-29, 41}}, index.Filter{}, 0, 10); n != 0 {
		t.Errorf("box at sea matched %d", n)
	}
}

func TestFilters(t *testing.T) {
	_, ix := real(t)
	p := orb.Point{5.6553, 46.2567} // Oyonnax
	tests := []struct {
		name  string
		f     index.Filter
		check func(dataset.Feature) bool
	}{
		{"region", index.Filter{Layers: []string{"formations"}, Region: "84"}, func(f dataset.Feature) bool { return f.String("region") == "84" }},
		{"departement", index.Filter{Departement: "01"}, func(f dataset.Feature) bool { return f.String("departement") == "01" }},
		{"territoire 2023", index.Filter{Layers: []string{layers.Communes}, Territoire: "ti-8413"}, func(f dataset.Feature) bool {
			return f.String("territoire") == "ti-8413" || f.String("territoire_2018") == "ti-8413"
		}},
		{"period 2018 territories", index.Filter{Layers: []string{layers.Territoires}, Period: layers.Period2018}, func(f dataset.Feature) bool { return f.String("period") == "2018-2023" }},
		{"sites by surface", index.Filter{Layers: []string{"sites"}, MinSurfaceHa: 50}, func(f dataset.Feature) bool {
			s, ok := f.Properties["surface_ha"].(float64)
			return ok && s >= 50
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Nearby(p, 50, 0, tt.f)
			if len(hits) == 0 {
				t.Fatal("no hit")
			}
			for _, h := range hits {
				if !tt.check(*h.Feature) {
					t.Errorf("%s (%s) does not pass the filter", h.Feature.ID, h.Layer)
				}
			}
		})
	}
}

func TestFeatureByID(t *testing.T) {
	_, ix := real(t)
	h, ok := ix.Feature("2023/ti-8413")
	if !ok || h.Layer != layers.Territoires || h.Feature.String("ti_id") != "ti-8413" {
		t.Errorf("%+v %v", h, ok)
	}
	if _, ok := ix.Feature("nope"); ok {
		t.Error("unknown id found")
	}
}

// A group filter (wave=, ami=) keeps the features listing the group in their
// groups field, a site of two waves in both, and only layers taking that
// parameter.
func TestNearbyGroupsEqualsBruteForce(t *testing.T) {
	ds, ix := real(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, tt := range []struct{ param, value, layer, field string }{
		{"wave", "2024-04", "sites", "waves"},
		{"wave", "2021-09", "sites", "waves"},
		{"ami", "2-2020", "cnam", "ami"},
	} {
		t.Run(tt.param+"="+tt.value, func(t *testing.T) {
			inGroup := func(feat *dataset.Feature) bool {
				return slices.Contains(strings.Fields(feat.String(tt.field)), tt.value)
			}
			for i := 0; i < 50; i++ {
				p := randomPoint(r)
				f := index.Filter{Groups: map[string][]string{tt.param: {tt.value}}} // every layer: only one takes the parameter
				got := ix.Nearby(p, 20, 0, f)
				want := brute(ds, p, []string{tt.layer}, inGroup)
				if len(want) > 20 {
					want = want[:20]
				}
				if len(got) != len(want) {
					t.Fatalf("%v: %d hits, want %d", p, len(got), len(want))
				}
				for j := range want {
					if got[j].Feature.ID != want[j].id || got[j].Layer != tt.layer {
						t.Fatalf("%v rank %d: got %s/%s, want %s", p, j, got[j].Layer, got[j].Feature.ID, want[j].id)
					}
				}
			}
		})
	}
}
