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

// inCap is a point found in the cap, of layer (or part) l, with its
// squared chord to the query.
type inCap struct {
	l  *layerIndex
	fi int32
	c2 float64
}

// nearestPoints offers best the points of a layer of Point and
// MultiPoint features within reach of p (q is p's unit vector).
// best holds the k nearest of the point layers searched before, and its
// k-th bounds this layer's search: in a town, once the training centres
// gave ten answers within 2 km, the sites are looked for within 2 km.
// Every point the box search visits is ranked, in the cap or not: when k
// of them are ranked but the k-th is outside the cap, its distance is a
// radius that surely holds k points, and the next round is the last.
func (l *layerIndex) nearestPoints(best *nearestK, p orb.Point, q [3]float64, within reach, f Filter) {
	limit := within.metres
	if l.size() <= smallLayer {
		if l.members != nil {
			for _, fi := range l.members {
				best.offer(l, q, fi, within, f)
			}
		} else {
			for fi := range l.features {
				best.offer(l, q, int32(fi), within, f)
			}
		}
		return
	}
	bound := limit
	if best.full() {
		bound = math.Min(limit, chordMetres(best.heap[0].c2)*(1+1e-9))
	}
	// Each round searches a cap from the points kept before this layer.
	var saved [16]inCap
	before := append(saved[:0], best.heap...)
	// A first guess well under the mean spacing: small caps are cheap, and
	// in cities the k nearest are close. But when the bound's cap should
	// hold fewer than k points (a within query, or a bound from the
	// layers before), one round at the bound.
	density := float64(l.size()) / metroFranceM2
	r := math.Sqrt(float64(best.k)/(math.Pi*density)) / 3
	if density*math.Pi*bound*bound <= float64(best.k) {
		r = bound
	}
	for {
		r = math.Min(r, bound)
		rc := chord2(r)
		best.heap = append(best.heap[:0], before...)
		boxes, nb := capBounds(p, r)
		for _, b := range boxes[:nb] {
			l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, fi int32) bool {
				// Across the antimeridian a MultiPoint may meet both boxes:
				// it is ranked once.
				if nb > 1 && !l.isPt[fi] && best.holds(l, fi) {
					return true
				}
				best.offer(l, q, fi, within, f)
				return true
			})
		}
		if best.full() && best.heap[0].c2 <= rc {
			return // the k nearest are in the cap: nothing outside is nearer
		}
		if r >= bound || r >= math.Pi*EarthRadius {
			return // all there is within the limit
		}
		switch n := len(best.heap) - len(before); {
		case best.full():
			r = chordMetres(best.heap[0].c2) * (1 + 1e-9)
		case n <= 0:
			r *= 2 // nothing yet: empty boxes cost little
		default:
			// n points in about πr²: aim at the area that holds k, without
			// overshooting much, since the last box is what costs (at sea,
			// a wide box reaches the dense coast).
			r *= math.Max(1.25, math.Min(2, 1.1*math.Sqrt(float64(best.k-len(before))/float64(n))))
		}
	}
}

// smallLayer is the size under which a layer is scanned whole: cheaper
// than a few rounds of tree search.
const smallLayer = 100

// chordMetres is the great-circle distance of a squared chord: the
// inverse of chord2 (+Inf, no point at all, stays +Inf).
func chordMetres(c2 float64) float64 {
	if math.IsInf(c2, 1) {
		return c2
	}
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(c2)/2))
}

// nearestK keeps the k nearest points seen, of one or more point layers,
// as a max-heap on (chord, id): the root is the one to drop next. Ties in
// chord go by id, as the final order does, so the k kept are the right
// ones even among equals.
type nearestK struct {
	k    int
	heap []inCap
}

// full says whether k points are kept: the root then bounds the search.
func (h *nearestK) full() bool { return len(h.heap) == h.k }

// farther orders the heap: a after b in the answer. Within a layer the id
// ranks compare (in big towns hundreds of training centres share one
// address); across layers, the ids.
func (h *nearestK) farther(a, b inCap) bool {
	switch {
	case a.c2 > b.c2*(1+1e-12):
		return true
	case b.c2 > a.c2*(1+1e-12):
		return false
	}
	return fartherAlike(a, b)
}

// fartherAlike is farther for two chords within an ulp or so: they may
// measure the same metres, and then, as in the answer's order, the id
// decides.
func fartherAlike(a, b inCap) bool {
	if a.c2 != b.c2 {
		if ma, mb := chordMetres(a.c2), chordMetres(b.c2); ma != mb {
			return ma > mb
		}
	}
	if a.l.info.ID == b.l.info.ID {
		return a.l.idRank[a.fi] > b.l.idRank[b.fi]
	}
	return a.l.features[a.fi].ID > b.l.features[b.fi].ID
}

// offer ranks feature fi of l, at unit vector q, if it lies within reach
// and passes f.
func (h *nearestK) offer(l *layerIndex, q [3]float64, fi int32, within reach, f Filter) {
	var c2 float64
	if l.isPt[fi] {
		c2 = chordTo(q, l.unit[fi])
	} else { // a MultiPoint: its box meets the cap's box when one of its points is in the cap
		c2 = math.Inf(1)
		for _, u := range l.multiUnit[fi] {
			c2 = math.Min(c2, chordTo(q, u))
		}
	}
	if c := (inCap{l, fi, c2}); within.holds(c2) && h.wants(c) && f.match(l.info.ID, l.rules, &l.features[fi]) {
		h.push(c)
	}
}

// holds says whether feature fi of l is among the points kept.
func (h *nearestK) holds(l *layerIndex, fi int32) bool {
	for _, c := range h.heap {
		if c.fi == fi && c.l.info.ID == l.info.ID {
			return true
		}
	}
	return false
}

// reach is a search's distance limit in metres, and the squared chords
// under and over which a point is surely within it or beyond it.
type reach struct{ metres, under, over float64 }

func newReach(metres float64) reach {
	c := chord2(metres)
	return reach{metres, c * (1 - 1e-9), c * (1 + 1e-9)}
}

// holds says whether a point at squared chord c2 lies within the limit,
// as Distance measures it: the chord decides away from the edge, the
// metres near it (chord2 and chordMetres round differently). No point at
// all (+Inf: a MultiPoint without points) is never within.
func (r reach) holds(c2 float64) bool {
	switch {
	case c2 < r.under:
		return true
	case c2 > r.over:
		return false
	}
	return !math.IsInf(c2, 1) && chordMetres(c2) <= r.metres
}

// chordTo is the squared chord between two unit vectors.
func chordTo(q, u [3]float64) float64 {
	dx, dy, dz := u[0]-q[0], u[1]-q[1], u[2]-q[2]
	return dx*dx + dy*dy + dz*dz
}

// appendHits appends the points kept to dst, nearest first (the heap is
// used up), measured in metres from their chords, as Distance measures
// points.
func (h *nearestK) appendHits(dst []Hit) []Hit {
	all := h.heap
	for n := len(all) - 1; n > 0; n-- { // heapsort: the farthest to the end
		all[0], all[n] = all[n], all[0]
		h.heap = all[:n]
		h.down(0)
	}
	h.heap = all
	for _, c := range all {
		dst = append(dst, Hit{Layer: c.l.info.ID, Feature: &c.l.features[c.fi], DistanceM: chordMetres(c.c2)})
	}
	return dst
}

// wants says whether point c could enter the k kept.
func (h *nearestK) wants(c inCap) bool {
	return len(h.heap) < h.k || !h.farther(c, h.heap[0])
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
