package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Every point within r of p must fall in one of capBounds(p, r)'s boxes,
// wherever p is: near the poles, astride the antimeridian, with caps from
// metres to half the planet.
func TestCapBoundsHoldTheCap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 20000 {
		p := orb.Point{-180 + 360*r.Float64(), -89.9 + 179.8*r.Float64()}
		if r.IntN(4) == 0 {
			p[0] = 179.9 + 0.2*r.Float64() // astride the antimeridian
			if p[0] > 180 {
				p[0] -= 360
			}
		}
		radius := math.Pow(10, 1+6.5*r.Float64()) // 10 m to 30,000 km
		// A point at distance ≤ radius in a random direction (destination
		// formula on the sphere).
		d := radius * r.Float64() / EarthRadius
		bearing := 2 * math.Pi * r.Float64()
		lat1, lon1 := p[1]*rad, p[0]*rad
		lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(bearing))
		lon2 := lon1 + math.Atan2(math.Sin(bearing)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
		q := orb.Point{math.Remainder(lon2/rad, 360), lat2 / rad}
		if Haversine(p, q) > radius {
			continue // rounding at the edge: not a point of the cap
		}
		boxes, n := capBounds(p, radius)
		in := false
		for _, b := range boxes[:n] {
			in = in || b.Contains(q)
		}
		if !in {
			t.Fatalf("capBounds(%v, %.0f m) = %v misses %v at %.0f m", p, radius, boxes[:n], q, Haversine(p, q))
		}
	}
}

// The cap search must agree with a full scan on every query shape: k
// small and large, with and without a distance limit, with a filter that
// leaves few points, at sea far from everything.
func TestNearestPointsEqualsScan(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var feats []orb.Point
	for range 3000 {
		// Clustered like training centres: many share a town's point.
		c := orb.Point{-4 + 12*r.Float64(), 42 + 9*r.Float64()}
		for range 1 + r.IntN(8) {
			feats = append(feats, orb.Point{c[0] + 0.01*r.NormFloat64()*float64(r.IntN(2)), c[1] + 0.01*r.NormFloat64()*float64(r.IntN(2))})
		}
	}
	ix := pointIndexForTest(feats)
	l := ix.layers[0]
	for i := range 500 {
		p := orb.Point{-10 + 25*r.Float64(), 38 + 16*r.Float64()}
		k := []int{1, 10, 100, 1001}[i%4]
		limit := []float64{math.Inf(1), 50000, 2000}[i%3]
		maxDist := 0.0 // Nearby's "no limit"
		if !math.IsInf(limit, 1) {
			maxDist = limit
		}
		sameAsScan(t, fmt.Sprintf("%v k=%d limit=%v", p, k, limit), ix.Nearby(p, k, maxDist, Filter{}), l.scanNearest(p, k, limit))
	}
}

// sameAsScan fails the test unless got holds the scan's hits, in order,
// at the same distances to the last bit.
func sameAsScan(t *testing.T, query string, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, scan finds %d", query, len(got), len(want))
	}
	for j := range got {
		if got[j].Feature.ID != want[j].Feature.ID || got[j].DistanceM != want[j].DistanceM {
			t.Fatalf("%s: hit %d is %s at %.1f m, scan says %s at %.1f m", query, j,
				got[j].Feature.ID, got[j].DistanceM, want[j].Feature.ID, want[j].DistanceM)
		}
	}
}

// pointIndexForTest indexes points as a layer of their own, with ids that
// do not sort like their order (ties are broken by id).
func pointIndexForTest(points []orb.Point) *Index {
	feats := make([]dataset.Feature, len(points))
	for i, p := range points {
		feats[i] = dataset.Feature{ID: fmt.Sprintf("f%d", (i*7919)%len(points)), Geometry: p, Properties: map[string]any{}}
	}
	return New(&dataset.Dataset{Layers: []dataset.Layer{{Info: dataset.LayerInfo{ID: "formations"}, Features: feats}}}, layers.Default())
}

// scanNearest measures every point: the reference.
func (l *layerIndex) scanNearest(p orb.Point, k int, limit float64) []Hit {
	var all []Hit
	for fi := range l.features {
		if d := Distance(p, l.features[fi].Geometry); d <= limit {
			all = append(all, Hit{Layer: l.info.ID, Feature: &l.features[fi], DistanceM: d})
		}
	}
	sortByDistance(all)
	return all[:min(k, len(all))]
}

// TestNearestPointsAcrossLayersEqualsScan: point layers share one heap,
// the biggest searched first and bounding the others. Half the points of
// the small layer sit exactly on points of the big one (as Action cœur de
// ville communes sit on the centroid that commune-precision training
// centres share), so ties across layers are settled by id.
func TestNearestPointsAcrossLayersEqualsScan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var big, small []dataset.Feature
	var shared []orb.Point // in both layers, exactly
	for i := range 4000 {
		p := orb.Point{-4 + 12*r.Float64(), 42 + 9*r.Float64()}
		big = append(big, dataset.Feature{ID: fmt.Sprintf("b%d", (i*7919)%4000), Geometry: p, Properties: map[string]any{}})
		if i%20 == 0 {
			q := p
			if i%40 == 0 {
				q = orb.Point{p[0] + 0.05*r.NormFloat64(), p[1] + 0.05*r.NormFloat64()}
			} else {
				shared = append(shared, p)
			}
			// Ids on both sides of the big layer's: ties go either way.
			small = append(small, dataset.Feature{ID: fmt.Sprintf("%s%d", []string{"a", "c"}[i%3%2], i), Geometry: q, Properties: map[string]any{}})
		}
	}
	ds := &dataset.Dataset{Layers: []dataset.Layer{
		{Info: dataset.LayerInfo{ID: "acv"}, Features: small},
		{Info: dataset.LayerInfo{ID: "formations"}, Features: big},
	}}
	ix := New(ds, layers.Default())
	for i := range 400 {
		p := orb.Point{-6 + 16*r.Float64(), 41 + 11*r.Float64()}
		if i%4 == 0 { // on a shared point: an exact tie at distance 0
			p = small[r.IntN(len(small))].Geometry.(orb.Point)
		}
		k := []int{1, 10, 100}[i%3]
		if i%4 == 1 {
			// Ten metres from a shared point: it is the nearest, twice, at
			// the same distance, and k=1 keeps the one with the smaller id.
			s := shared[r.IntN(len(shared))]
			p, k = orb.Point{s[0], s[1] + 1e-4}, 1 // due north: on the edge of its cap's box
		}
		maxDist := []float64{0, 30000, 3000, 400}[i%4]
		limit := math.Inf(1)
		if maxDist > 0 {
			limit = maxDist
		}
		var want []Hit
		for _, l := range ix.layers {
			want = append(want, l.scanNearest(p, len(l.features), limit)...)
		}
		sortByDistance(want)
		sameAsScan(t, fmt.Sprintf("%v k=%d limit=%v", p, k, limit), ix.Nearby(p, k, maxDist, Filter{}), want[:min(k, len(want))])
	}
}

// pointLayerWithFillers is a layer "formations" holding feats and, far
// away in La Réunion, enough other points for the tree to be searched
// (a layer of fewer than smallLayer points is scanned whole).
func pointLayerWithFillers(feats []dataset.Feature) *Index {
	for i := range smallLayer + 20 {
		feats = append(feats, dataset.Feature{ID: fmt.Sprintf("zz%03d", i), Geometry: orb.Point{55.3 + 0.001*float64(i), -21.1}, Properties: map[string]any{}})
	}
	return New(&dataset.Dataset{Layers: []dataset.Layer{{Info: dataset.LayerInfo{ID: "formations"}, Features: feats}}}, layers.Default())
}

// A point exactly at the limit is within it, and one a hair beyond is
// not, as Distance measures them (the chord and the metres round
// differently: the chord only screens).
func TestNearbyLimitIsDistancesLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		p := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		g := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		d := Distance(p, g)
		for _, ix := range []*Index{
			New(&dataset.Dataset{Layers: []dataset.Layer{{Info: dataset.LayerInfo{ID: "formations"}, Features: []dataset.Feature{{ID: "g", Geometry: g, Properties: map[string]any{}}}}}}, layers.Default()),
			pointLayerWithFillers([]dataset.Feature{{ID: "g", Geometry: g, Properties: map[string]any{}}}),
		} {
			if got := ix.Nearby(p, 1, d, Filter{}); len(got) != 1 || got[0].Feature.ID != "g" || got[0].DistanceM != d {
				t.Fatalf("case %d: %v to %v, limit = its distance %v m: %+v", i, p, g, d, got)
			}
			if got, _ := ix.Within(p, d, 5, Filter{}); len(got) != 1 {
				t.Fatalf("case %d: Within at its distance: %d hits", i, len(got))
			}
			if got := ix.Nearby(p, 1, math.Nextafter(d, 0), Filter{}); len(got) != 0 {
				t.Fatalf("case %d: limit a hair under its distance %v m: %+v", i, d, got)
			}
		}
	}
}

// Two points whose chords differ by an ulp but measure the same metres:
// the id decides, as in the answer's order and a scan's.
func TestNearbyTiesInMetresGoById(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	found := 0
	for range 2_000_000 {
		p := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		g := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		g2 := orb.Point{math.Nextafter(g[0], 1e9), g[1]}
		q := unitVector(p)
		c, c2 := chordTo(q, unitVector(g)), chordTo(q, unitVector(g2))
		if c == c2 || chordMetres(c) != chordMetres(c2) {
			continue
		}
		near, far := g, g2 // the nearer chord gets the larger id
		if c2 < c {
			near, far = g2, g
		}
		ix := pointLayerWithFillers([]dataset.Feature{{ID: "b", Geometry: near, Properties: map[string]any{}}, {ID: "a", Geometry: far, Properties: map[string]any{}}})
		if got := ix.Nearby(p, 1, 0, Filter{}); len(got) != 1 || got[0].Feature.ID != "a" {
			t.Fatalf("%v: chords %v and %v, both %v m: got %+v, want a", p, c, c2, chordMetres(c), got)
		}
		if found++; found == 5 {
			return
		}
	}
	t.Fatalf("only %d cases found", found)
}

// A MultiPoint across the antimeridian meets both of a cap's boxes: it is
// found once. One without points (the loader refuses it, New does not) is
// never found.
func TestNearbyMultiPointsOnceAndNeverEmpty(t *testing.T) {
	ix := pointLayerWithFillers([]dataset.Feature{
		{ID: "m", Geometry: orb.MultiPoint{{179.9, -17}, {-179.9, -17}}, Properties: map[string]any{}},
		{ID: "empty", Geometry: orb.MultiPoint{}, Properties: map[string]any{}},
	})
	p := orb.Point{179.95, -17}
	if got := ix.Nearby(p, 3, 50000, Filter{}); len(got) != 1 || got[0].Feature.ID != "m" {
		t.Errorf("nearby: %+v", got)
	}
	var within []string
	ix.EachWithin(p, 50000, Filter{}, func(h Hit) bool { within = append(within, h.Feature.ID); return true })
	if len(within) != 1 {
		t.Errorf("within: %v", within)
	}
	for _, h := range ix.Nearby(p, 1000, 0, Filter{}) {
		if h.Feature.ID == "empty" || math.IsInf(h.DistanceM, 0) {
			t.Errorf("found %s at %v m", h.Feature.ID, h.DistanceM)
		}
	}
}
