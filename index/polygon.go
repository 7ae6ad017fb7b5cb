package index

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// shape is a (Multi)Polygon prepared once for point-in-polygon tests.
// orb's planar.PolygonContains recomputes each ring's bound on every call
// and then reads every edge: on a territory ring of thousands of vertices
// that is most of a reverse geocode. Here each ring keeps its bound, and a
// long ring its edges sorted into latitude bands, so a test reads only the
// few edges that can cross the point's parallel.
type shape struct {
	polygons [][]preparedRing // each polygon: its outer ring, then holes
}

type preparedRing struct {
	ring  orb.Ring
	bound orb.Bound
	// Band i lists the edges (by index of their first vertex) whose
	// latitude span meets it: edges[bandStart[i]:bandStart[i+1]]. Both are
	// nil for rings short enough to scan whole.
	bandStart []int32
	edges     []int32
	bandH     float64 // height of a band, in degrees
}

// shortRing is the edge count below which a ring is scanned whole.
const shortRing = 32

// polygonsOf lists the polygons of a Polygon or MultiPolygon, nil for
// other geometries.
func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// prepare returns the shape of a polygonal geometry, nil for others.
func prepare(g orb.Geometry) *shape {
	polys := polygonsOf(g)
	if polys == nil {
		return nil
	}
	s := &shape{polygons: make([][]preparedRing, len(polys))}
	for i, poly := range polys {
		s.polygons[i] = make([]preparedRing, len(poly))
		for j, ring := range poly {
			s.polygons[i][j] = prepareRing(ring)
		}
	}
	return s
}

func prepareRing(r orb.Ring) preparedRing {
	pr := preparedRing{ring: r, bound: r.Bound()}
	edges := len(r) - 1
	if edges < shortRing || pr.bound.Max[1] == pr.bound.Min[1] {
		return pr
	}
	n := edges / 8 // a few edges per band on average
	pr.bandH = (pr.bound.Max[1] - pr.bound.Min[1]) / float64(n)
	pr.bandStart = make([]int32, n+1)
	// Two passes: count the edges of each band, then place them.
	span := func(i int) (lo, hi int) {
		lo, hi = pr.band(r[i][1]), pr.band(r[i+1][1])
		return min(lo, hi), max(lo, hi)
	}
	for i := 0; i < edges; i++ {
		lo, hi := span(i)
		for b := lo; b <= hi; b++ {
			pr.bandStart[b+1]++
		}
	}
	for b := 1; b <= n; b++ {
		pr.bandStart[b] += pr.bandStart[b-1]
	}
	pr.edges = make([]int32, pr.bandStart[n])
	next := slices.Clone(pr.bandStart[:n])
	for i := 0; i < edges; i++ {
		lo, hi := span(i)
		for b := lo; b <= hi; b++ {
			pr.edges[next[b]] = int32(i)
			next[b]++
		}
	}
	return pr
}

// band is the index of the band holding latitude y (clamped, so that the
// ring's own extreme latitudes fall in the first and last bands).
func (r *preparedRing) band(y float64) int {
	b := int((y - r.bound.Min[1]) / r.bandH)
	return max(0, min(len(r.bandStart)-2, b))
}

// contains says whether p is in the shape: inside some polygon's outer
// ring and in none of its holes. Points on a boundary are inside, as with
// orb's planar.PolygonContains.
func (s *shape) contains(p orb.Point) bool {
	for _, poly := range s.polygons {
		if !poly[0].contains(p) {
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if hole.contains(p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// contains counts the edges crossed by a ray from p towards +x (even-odd
// rule); a point on an edge is inside.
func (r *preparedRing) contains(p orb.Point) bool {
	if !r.bound.Contains(p) {
		return false
	}
	in := false
	if r.bandStart == nil {
		for i := 0; i+1 < len(r.ring); i++ {
			crosses, on := crossing(p, r.ring[i], r.ring[i+1])
			if on {
				return true
			}
			in = in != crosses
		}
		return in
	}
	b := r.band(p[1])
	for _, i := range r.edges[r.bandStart[b]:r.bandStart[b+1]] {
		crosses, on := crossing(p, r.ring[i], r.ring[i+1])
		if on {
			return true
		}
		in = in != crosses
	}
	return in
}

// crossing says whether the edge ab crosses the ray from p towards +x,
// counting an edge's lower end but not its upper one so that a vertex on
// the ray is crossed once, and whether p lies on ab.
func crossing(p, a, b orb.Point) (crosses, on bool) {
	if (a[1] > p[1]) == (b[1] > p[1]) {
		// Both ends on one side of the parallel: only a horizontal edge at
		// p's latitude can still hold p.
		on = a[1] == p[1] && b[1] == p[1] && p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0])
		if !on && (p == a || p == b) {
			on = true
		}
		return false, on
	}
	// The edge spans p's latitude: where does it cut it?
	cross := (b[0]-a[0])*(p[1]-a[1]) - (p[0]-a[0])*(b[1]-a[1])
	if cross == 0 {
		return false, true
	}
	// cross > 0 means p is left of a→b; seen from p, the edge is to the
	// east exactly when p is left of an upward edge or right of a downward one.
	return (cross > 0) == (b[1] > a[1]), false
}
