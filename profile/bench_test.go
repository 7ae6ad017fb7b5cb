package profile_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// Benchmarks on the full default dataset. The profile of a site beside a
// baseline that assembles the same answer from the index's list queries,
// as a client of the JSON API would: reverse for the territories, the
// commune's outline by nearest polygon and its place by id, within at
// each radius for the counts, nearby per category for the nearest, and
// within for the Cnam antennas, ACV towns and sites.

// reportCPU adds the CPU time per operation (cpu-ns/op) to a benchmark:
// call it after ResetTimer, defer what it returns.
func reportCPU(b *testing.B) func() {
	start, ok := cpuTime()
	return func() {
		if end, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func siteIDs(tb testing.TB, fx fixture) []string {
	l, _ := fx.ds.Layer(profile.LayerSites)
	var ids []string
	for _, f := range l.Features {
		ids = append(ids, f.ID)
	}
	if len(ids) == 0 {
		tb.Skip("no sites")
	}
	return ids
}

func BenchmarkProfileSite(b *testing.B) {
	fx := real(b)
	ids := siteIDs(b, fx)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		if _, ok := fx.pr.Site(ids[i%len(ids)]); !ok {
			b.Fatal("no site")
		}
	}
}

func BenchmarkProfileSiteBaseline(b *testing.B) {
	fx := real(b)
	ids := siteIDs(b, fx)
	categories := fx.pr.Categories()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		baseline(fx.ix, ids[i%len(ids)], categories)
	}
}

// baseline is the site's profile from the API's list queries, counted
// and grouped as a client would.
func baseline(ix *index.Index, id string, categories []string) profile.Point {
	h, _ := ix.Feature(id)
	p := h.Feature.Geometry.(orb.Point)
	out := profile.Point{Territoires: map[string]*profile.Territory{}, Formations: profile.Formations{Nearest: map[string][]profile.Feature{}}}
	place := ix.Reverse(p)
	for _, period := range layers.Periods() {
		if f := place.Territoires[period]; f != nil {
			out.Territoires[period] = &profile.Territory{ID: f.ID, Name: f.String("name")}
		}
	}
	if c := ix.Nearby(p, 1, 1e-9, index.Filter{Layers: []string{profile.LayerContours}}); len(c) == 1 {
		code := c[0].Feature.String("code_insee")
		out.Commune = &profile.Commune{Code: code}
		if pl, ok := ix.Feature("place-" + code); ok {
			n, _ := pl.Feature.Properties["population"].(int64)
			out.Commune.Population = &n
		}
	}
	list := func(hits []index.Hit) []profile.Feature {
		out := make([]profile.Feature, len(hits))
		for i, h := range hits {
			d := math.Round(h.DistanceM*10) / 10
			out[i] = profile.Feature{ID: h.Feature.ID, Layer: h.Layer, Name: h.Feature.String("name"), DistanceM: &d}
		}
		return out
	}
	for _, r := range profile.Radii {
		hits, _ := ix.Within(p, r*1000, 100000, index.Filter{Layers: []string{profile.LayerFormations}})
		c := profile.RadiusCount{RadiusKm: r, Total: len(hits), ByCategory: map[string]int{}}
		for _, h := range hits {
			c.ByCategory[h.Feature.String("category")]++
		}
		out.Formations.Counts = append(out.Formations.Counts, c)
	}
	for _, c := range categories {
		out.Formations.Nearest[c] = list(ix.Nearby(p, profile.NearestPerCategory, 0, index.Filter{Layers: []string{profile.LayerFormations}, Category: c}))
	}
	reach := profile.Radii[len(profile.Radii)-1] * 1000
	cnam, _ := ix.Within(p, reach, 1000, index.Filter{Layers: []string{profile.LayerCnam}})
	acv, _ := ix.Within(p, reach, 1000, index.Filter{Layers: []string{profile.LayerACV}})
	sites, _ := ix.Within(p, reach, 1000, index.Filter{Layers: []string{profile.LayerSites}})
	out.Cnam, out.ACV, out.Sites = list(cnam), list(acv), list(sites)
	return out
}

func BenchmarkProfilePoint(b *testing.B) {
	fx := real(b)
	r := rand.New(rand.NewPCG(1, 1))
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = randomPoint(r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		fx.pr.Point(pts[i%len(pts)])
	}
}

func BenchmarkProfileTerritory(b *testing.B) {
	fx := real(b)
	l, _ := fx.ds.Layer(layers.Territoires)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		f := &l.Features[i%len(l.Features)]
		if _, ok := fx.pr.Territory(f.String("period"), f.String("ti_id")); !ok {
			b.Fatal("no territory")
		}
	}
}

// BenchmarkNewProfiler: what a catalog's build spends on the profiles
// (neighbours, joins).
func BenchmarkNewProfiler(b *testing.B) {
	fx := real(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		profile.New(fx.ix, fx.ds.Manifest, layers.Default())
	}
}
