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
		got := ix.Nearby(p, k, maxDist, Filter{})
		want := l.scanNearest(p, k, limit)
		if len(got) != len(want) {
			t.Fatalf("%v k=%d limit=%v: %d hits, scan finds %d", p, k, limit, len(got), len(want))
		}
		for j := range got {
			if got[j].Feature.ID != want[j].Feature.ID || got[j].DistanceM != want[j].DistanceM {
				t.Fatalf("%v k=%d limit=%v: hit %d is %s at %.1f m, scan says %s at %.1f m", p, k, limit, j,
					got[j].Feature.ID, got[j].DistanceM, want[j].Feature.ID, want[j].DistanceM)
			}
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
		got := ix.Nearby(p, k, maxDist, Filter{})
		var want []Hit
		for _, l := range ix.layers {
			want = append(want, l.scanNearest(p, len(l.features), limit)...)
		}
		sortByDistance(want)
		want = want[:min(k, len(want))]
		if len(got) != len(want) {
			t.Fatalf("%v k=%d limit=%v: %d hits, scan finds %d", p, k, limit, len(got), len(want))
		}
		for j := range got {
			if got[j].Feature.ID != want[j].Feature.ID || got[j].DistanceM != want[j].DistanceM {
				t.Fatalf("%v k=%d limit=%v: hit %d is %s at %.1f m, scan says %s at %.1f m", p, k, limit, j,
					got[j].Feature.ID, got[j].DistanceM, want[j].Feature.ID, want[j].DistanceM)
			}
		}
	}
}
