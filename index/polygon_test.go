package index

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// The prepared shapes must agree with orb's planar containment, the
// reference, on the real territories and communes: for random points in
// and around each feature's bound, and for its vertices and edge
// midpoints (boundary points are inside for both).
func TestPreparedShapeEqualsPlanarContains(t *testing.T) {
	ds, err := dataset.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	checked, inside := 0, 0
	for _, l := range ds.Layers {
		if l.Info.ID != layers.Territoires && l.Info.ID != layers.Communes {
			continue
		}
		for fi := range l.Features {
			if l.Info.ID == layers.Communes && fi%20 != 0 {
				continue // a sample of communes keeps the test quick
			}
			g := l.Features[fi].Geometry
			s := prepare(g)
			if s == nil {
				t.Fatalf("%s: not prepared", l.Features[fi].ID)
			}
			want := func(p orb.Point) bool {
				switch g := g.(type) {
				case orb.Polygon:
					return planar.PolygonContains(g, p)
				case orb.MultiPolygon:
					return planar.MultiPolygonContains(g, p)
				}
				return false
			}
			check := func(p orb.Point, what string) {
				checked++
				got := s.contains(p)
				if got != want(p) {
					t.Fatalf("%s, %s %v: prepared says %v, planar says %v", l.Features[fi].ID, what, p, got, !got)
				}
				if got {
					inside++
				}
			}
			b := g.Bound().Pad(0.01)
			for range 40 {
				check(orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}, "random point")
			}
			ring := outerRing(g)
			for i := 0; i+1 < len(ring); i += 1 + len(ring)/50 {
				check(ring[i], "vertex")
				// Either side of an edge's midpoint, about a centimetre
				// away: decisively in or out, unlike the midpoint itself
				// which rounding puts on either side.
				mx, my := (ring[i][0]+ring[i+1][0])/2, (ring[i][1]+ring[i+1][1])/2
				dx, dy := ring[i+1][0]-ring[i][0], ring[i+1][1]-ring[i][1]
				if n := math.Hypot(dx, dy); n > 0 {
					ox, oy := -dy/n*1e-7, dx/n*1e-7
					check(orb.Point{mx + ox, my + oy}, "left of an edge")
					check(orb.Point{mx - ox, my - oy}, "right of an edge")
				}
			}
		}
	}
	if checked < 50000 || inside < checked/10 {
		t.Fatalf("checked %d points, %d inside: too few to mean anything", checked, inside)
	}
}

func outerRing(g orb.Geometry) orb.Ring {
	switch g := g.(type) {
	case orb.Polygon:
		return g[0]
	case orb.MultiPolygon:
		return g[0][0]
	}
	return nil
}

// Hand-made cases around the even-odd rule's traps: a ray through a
// vertex, horizontal edges on the ray, a hole, points on edges (in,
// but out when the edge is a hole's).
func TestShapeContainsEdgeCases(t *testing.T) {
	// A square with a notch whose bottom is on y=1, and a hole.
	outer := orb.Ring{{0, 0}, {4, 0}, {4, 3}, {3, 3}, {3, 1}, {2, 1}, {2, 3}, {0, 3}, {0, 0}}
	hole := orb.Ring{{0.5, 0.5}, {1.5, 0.5}, {1.5, 1.5}, {0.5, 1.5}, {0.5, 0.5}}
	s := prepare(orb.Polygon{outer, hole})
	for _, c := range []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{1, 2}, true},      // ray passes the notch's vertices (2,3),(3,3)… at y=2: crosses twice more
		{orb.Point{1, 1}, false},     // in the hole
		{orb.Point{0.5, 1}, false},   // on the hole's edge: inside the hole, so out
		{orb.Point{2.5, 2}, false},   // in the notch
		{orb.Point{2.5, 1}, true},    // on the notch's bottom edge
		{orb.Point{1.8, 1}, true},    // ray along the notch's horizontal bottom edge
		{orb.Point{3.5, 3}, true},    // on the top edge
		{orb.Point{4, 1.5}, true},    // on the right edge
		{orb.Point{4.1, 1.5}, false}, // just outside
		{orb.Point{-1, 0}, false},    // ray along the bottom edge, from outside
		{orb.Point{0, 0}, true},      // a vertex
	} {
		if got := s.contains(c.p); got != c.want {
			t.Errorf("contains(%v) = %v, want %v", c.p, got, c.want)
		}
		if ref := planar.PolygonContains(orb.Polygon{outer, hole}, c.p); ref != c.want {
			t.Errorf("test case %v: orb says %v, the case says %v", c.p, ref, c.want)
		}
	}
}
