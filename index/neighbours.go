package index

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Neighbours pairs the polygon features of a layer that pass f and whose
// outlines come within distM metres of each other, or that overlap: for
// each feature with at least one neighbour, by id, the neighbours' ids in
// id order. It is a precomputation (tens of milliseconds on the 183
// territories of a period), for a profile to read afterwards.
//
// Simplified outlines of adjacent areas seldom touch exactly: a shared
// border drawn twice leaves gaps and overlaps of some hundred metres, so
// the distance is measured between the outlines' edges (the smallest
// distance between two edges is 0 when they cross, else at an end of one
// of them), each candidate pair of edges found through an R-tree of every
// edge, in a local equirectangular projection then by haversine, as
// Distance does. A polygon inside another without coming near its outline
// overlaps it: one of its vertices is inside the other.
func (ix *Index) Neighbours(layer string, distM float64, f Filter) map[string][]string {
	l := ix.layer(layer)
	out := map[string][]string{}
	if l == nil || !(distM >= 0) {
		return out
	}
	var owners []int32 // the features taking part
	for fi := range l.features {
		if l.shapes[fi] != nil && f.match(l.info.ID, l.rules, &l.features[fi]) {
			owners = append(owners, int32(fi))
		}
	}
	type edge struct {
		owner int32 // index in owners
		a, b  orb.Point
	}
	var edges []edge
	var tree rtree.RTreeG[int32]
	for o, fi := range owners {
		for _, poly := range polygonsOf(l.features[fi].Geometry) {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					e := edge{int32(o), ring[i], ring[i+1]}
					b := orb.MultiPoint{e.a, e.b}.Bound()
					tree.Insert(b.Min, b.Max, int32(len(edges)))
					edges = append(edges, e)
				}
			}
		}
	}
	paired := map[[2]int32]bool{}
	pair := func(a, b int32) {
		if a > b {
			a, b = b, a
		}
		paired[[2]int32{a, b}] = true
	}
	dLat := distM/(EarthRadius*rad)*(1+1e-6) + 1e-9 // degrees of latitude in distM, padded
	for _, e := range edges {
		b := orb.MultiPoint{e.a, e.b}.Bound()
		lat := math.Max(math.Abs(b.Min[1]-dLat), math.Abs(b.Max[1]+dLat))
		dLon := 360.0
		if lat < 89 {
			dLon = dLat / math.Cos(lat*rad)
		}
		lo, hi := [2]float64{b.Min[0] - dLon, b.Min[1] - dLat}, [2]float64{b.Max[0] + dLon, b.Max[1] + dLat}
		tree.Search(lo, hi, func(_, _ [2]float64, j int32) bool {
			g := edges[j]
			// Each pair of edges is met from both ends: measure it once.
			if g.owner <= e.owner || paired[[2]int32{e.owner, g.owner}] {
				return true
			}
			if edgeDistance(e.a, e.b, g.a, g.b) <= distM {
				pair(e.owner, g.owner)
			}
			return true
		})
	}
	// Overlaps that no outline shows: one area inside the other.
	for o, fi := range owners {
		b := l.features[fi].Geometry.Bound()
		l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, fj int32) bool {
			j, ok := slices.BinarySearch(owners, fj) // owners are in feature order
			if !ok || j <= o || paired[[2]int32{int32(o), int32(j)}] {
				return true
			}
			if l.shapes[fj].contains(firstVertex(l.features[fi].Geometry)) || l.shapes[fi].contains(firstVertex(l.features[fj].Geometry)) {
				pair(int32(o), int32(j))
			}
			return true
		})
	}
	for k := range paired {
		a, b := l.features[owners[k[0]]].ID, l.features[owners[k[1]]].ID
		out[a] = append(out[a], b)
		out[b] = append(out[b], a)
	}
	for id := range out {
		slices.Sort(out[id])
	}
	return out
}

// firstVertex is the first position of a polygonal geometry.
func firstVertex(g orb.Geometry) orb.Point {
	return polygonsOf(g)[0][0][0]
}

// edgeDistance is the great-circle distance in metres between the edges
// ab and cd: 0 when they cross, else from an end of one to the other
// edge, found in an equirectangular projection centred on a (fine for
// edges of a few kilometres) and measured by haversine.
func edgeDistance(a, b, c, d orb.Point) float64 {
	kx := math.Cos(a[1] * rad)
	proj := func(p orb.Point) [2]float64 { return [2]float64{(p[0] - a[0]) * kx, p[1] - a[1]} }
	pa, pb, pc, pd := proj(a), proj(b), proj(c), proj(d)
	if segmentsCross(pa, pb, pc, pd) {
		return 0
	}
	best, bestD2 := [2]orb.Point{}, math.Inf(1)
	try := func(p [2]float64, pp orb.Point, s, t [2]float64, sp, tp orb.Point) {
		dx, dy := t[0]-s[0], t[1]-s[1]
		u := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			u = math.Max(0, math.Min(1, ((p[0]-s[0])*dx+(p[1]-s[1])*dy)/l2))
		}
		cx, cy := s[0]+u*dx-p[0], s[1]+u*dy-p[1]
		if d2 := cx*cx + cy*cy; d2 < bestD2 {
			bestD2 = d2
			best = [2]orb.Point{pp, {sp[0] + u*(tp[0]-sp[0]), sp[1] + u*(tp[1]-sp[1])}}
		}
	}
	try(pa, a, pc, pd, c, d)
	try(pb, b, pc, pd, c, d)
	try(pc, c, pa, pb, a, b)
	try(pd, d, pa, pb, a, b)
	return Haversine(best[0], best[1])
}

// segmentsCross says whether the plane segments pq and rs meet.
func segmentsCross(p, q, r, s [2]float64) bool {
	orient := func(a, b, c [2]float64) float64 { return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0]) }
	onSegment := func(a, b, c [2]float64) bool { // c, collinear with ab, lies on it
		return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
	}
	d1, d2, d3, d4 := orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return d1 == 0 && onSegment(r, s, p) || d2 == 0 && onSegment(r, s, q) || d3 == 0 && onSegment(p, q, r) || d4 == 0 && onSegment(p, q, s)
}
