package index

import (
	"math"

	"github.com/paulmach/orb"
)

// Point layers answer Nearby by growing a spherical cap rather than by
// best-first search: the R-tree returns every point in the cap's bounding
// box (plain comparisons, no trigonometry per box), the points are ranked
// by chord, and once the k nearest that pass the filter lie in the cap,
// no point outside it can be nearer. Best-first search pushes every entry
// of every leaf it opens onto a heap and costs a bound per box: in Paris,
// among 9,660 training centres, that is ten times slower.

// metroFranceM2 is about the area of metropolitan France, from which a
// layer's density gives the first cap's radius: a guess, never a bound.
const metroFranceM2 = 5.5e11

// inCap is a point found in the cap, with its squared chord to the query.
type inCap struct {
	fi int32
	c2 float64
}

// nearestPoints is nearest for a layer of Point and MultiPoint features;
// it appends its hits to dst.
// Every point the box search visits is ranked, in the cap or not: when k
// of them are ranked but the k-th is outside the cap, its distance is a
// radius that surely holds k points, and the next round is the last.
func (l *layerIndex) nearestPoints(dst []Hit, p orb.Point, k int, limit float64, f Filter) []Hit {
	q := unitVector(p)
	best := nearestK{l: l, k: k, heap: make([]inCap, 0, min(k, l.size()))}
	if l.size() <= smallLayer {
		if l.members != nil {
			for _, fi := range l.members {
				best.offer(p, q, fi, f)
			}
		} else {
			for fi := range l.features {
				best.offer(p, q, int32(fi), f)
			}
		}
		best.keepWithin(chord2(limit))
		return best.appendHits(dst)
	}
	// A first guess well under the mean spacing: small caps are cheap, and
	// in cities the k nearest are close. But when the limit's cap should
	// hold fewer than k points (a within query), one round at the limit.
	density := float64(l.size()) / metroFranceM2
	r := math.Sqrt(float64(k)/(math.Pi*density)) / 3
	if density*math.Pi*limit*limit <= float64(k) {
		r = limit
	}
	for {
		r = math.Min(r, limit)
		rc := chord2(r)
		best.heap = best.heap[:0]
		boxes, nb := capBounds(p, r)
		for _, b := range boxes[:nb] {
			l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, fi int32) bool {
				best.offer(p, q, fi, f)
				return true
			})
		}
		full := len(best.heap) == k
		if full && best.heap[0].c2 <= rc {
			break // the k nearest are in the cap: nothing outside is nearer
		}
		if r >= limit || r >= math.Pi*EarthRadius {
			best.keepWithin(rc) // all there is within the limit
			break
		}
		switch n := len(best.heap); {
		case full:
			r = chordMetres(best.heap[0].c2) * (1 + 1e-9)
		case n == 0:
			r *= 2 // nothing yet: empty boxes cost little
		default:
			// n points in about πr²: aim at the area that holds k, without
			// overshooting much, since the last box is what costs (at sea,
			// a wide box reaches the dense coast).
			r *= math.Max(1.25, math.Min(2, 1.1*math.Sqrt(float64(k)/float64(n))))
		}
	}
	return best.appendHits(dst)
}

// smallLayer is the size under which a layer is scanned whole: cheaper
// than a few rounds of tree search.
const smallLayer = 100

// chordMetres is the great-circle distance of a squared chord: the
// inverse of chord2.
func chordMetres(c2 float64) float64 {
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(c2)/2))
}

// nearestK keeps the k nearest points seen, as a max-heap on (chord, id):
// the root is the one to drop next. Ties in chord go by id, as the final
// order does, so the k kept are the right ones even among equals.
type nearestK struct {
	l    *layerIndex
	k    int
	heap []inCap
}

// farther orders the heap: a after b in the answer.
func (h *nearestK) farther(a, b inCap) bool {
	if a.c2 != b.c2 {
		return a.c2 > b.c2
	}
	return h.l.idRank[a.fi] > h.l.idRank[b.fi]
}

// offer ranks feature fi, at unit vector q's point p, if it passes f.
func (h *nearestK) offer(p orb.Point, q [3]float64, fi int32, f Filter) {
	l := h.l
	var c2 float64
	if l.isPt[fi] {
		c2 = chordTo(q, l.unit[fi])
	} else { // a MultiPoint: its box meets the cap's box when one of its points is in the cap
		c2 = math.Inf(1)
		for _, u := range l.multiUnit[fi] {
			c2 = math.Min(c2, chordTo(q, u))
		}
	}
	if h.wants(fi, c2) && f.match(l.info.ID, l.rules, &l.features[fi]) {
		h.push(inCap{fi, c2})
	}
}

// chordTo is the squared chord between two unit vectors.
func chordTo(q, u [3]float64) float64 {
	dx, dy, dz := u[0]-q[0], u[1]-q[1], u[2]-q[2]
	return dx*dx + dy*dy + dz*dz
}

// appendHits appends the points kept to dst, ranked by chord; Nearby
// measures the ones it keeps in metres.
func (h *nearestK) appendHits(dst []Hit) []Hit {
	for _, c := range h.heap {
		dst = append(dst, Hit{Layer: h.l.info.ID, Feature: &h.l.features[c.fi], DistanceM: math.NaN(), chord2: c.c2})
	}
	return dst
}

// wants says whether a point at chord c2 could enter the k kept.
func (h *nearestK) wants(fi int32, c2 float64) bool {
	return len(h.heap) < h.k || !h.farther(inCap{fi, c2}, h.heap[0])
}

func (h *nearestK) push(c inCap) {
	if len(h.heap) == h.k {
		h.heap[0] = c
		h.down(0)
		return
	}
	h.heap = append(h.heap, c)
	for i := len(h.heap) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.farther(h.heap[i], h.heap[parent]) {
			break
		}
		h.heap[i], h.heap[parent] = h.heap[parent], h.heap[i]
		i = parent
	}
}

// keepWithin drops the points farther than chord² rc (the heap order is
// lost, which the caller no longer needs).
func (h *nearestK) keepWithin(rc float64) {
	kept := h.heap[:0]
	for _, c := range h.heap {
		if c.c2 <= rc {
			kept = append(kept, c)
		}
	}
	h.heap = kept
}

func (h *nearestK) down(i int) {
	for {
		top, left, right := i, 2*i+1, 2*i+2
		if left < len(h.heap) && h.farther(h.heap[left], h.heap[top]) {
			top = left
		}
		if right < len(h.heap) && h.farther(h.heap[right], h.heap[top]) {
			top = right
		}
		if top == i {
			return
		}
		h.heap[i], h.heap[top] = h.heap[top], h.heap[i]
		i = top
	}
}

// capBounds returns lon/lat boxes covering every point within r metres of
// p (great-circle): one box, or two when the cap crosses the antimeridian
// (the count is n).
// A cap of angular radius δ around latitude φ spans φ±δ in latitude and,
// unless it holds a pole, λ±asin(sin δ / cos φ) in longitude.
func capBounds(p orb.Point, r float64) (boxes [2]orb.Bound, n int) {
	const pad = 1e-9 // degrees: keeps rounding from shaving a boundary point
	d := r / EarthRadius
	if d >= math.Pi {
		return [2]orb.Bound{{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}, 1
	}
	lat := p[1] * rad
	latMin, latMax := (lat-d)/rad-pad, (lat+d)/rad+pad
	if latMin <= -90 || latMax >= 90 {
		return [2]orb.Bound{{Min: orb.Point{-180, math.Max(-90, latMin)}, Max: orb.Point{180, math.Min(90, latMax)}}}, 1
	}
	s := math.Sin(d) / math.Cos(lat)
	if s >= 1 {
		return [2]orb.Bound{{Min: orb.Point{-180, latMin}, Max: orb.Point{180, latMax}}}, 1
	}
	dlon := math.Asin(s) / rad
	lonMin, lonMax := p[0]-dlon-pad, p[0]+dlon+pad
	switch {
	case lonMin < -180:
		return [2]orb.Bound{
			{Min: orb.Point{-180, latMin}, Max: orb.Point{lonMax, latMax}},
			{Min: orb.Point{lonMin + 360, latMin}, Max: orb.Point{180, latMax}},
		}, 2
	case lonMax > 180:
		return [2]orb.Bound{
			{Min: orb.Point{lonMin, latMin}, Max: orb.Point{180, latMax}},
			{Min: orb.Point{-180, latMin}, Max: orb.Point{lonMax - 360, latMax}},
		}, 2
	}
	return [2]orb.Bound{{Min: orb.Point{lonMin, latMin}, Max: orb.Point{lonMax, latMax}}}, 1
}
