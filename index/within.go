package index

import (
	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
)

// EachWithin calls fn for every feature passing f within radiusM metres
// of p (great-circle; 0 inside a polygon), with its distance, in no set
// order, until fn returns false. Unlike Within it has no limit and sorts
// nothing: it is for counting what lies around a point.
//
// The cap's bounding boxes (capBounds) hold every point within the
// radius, so the R-tree's box search finds every candidate; points are
// tested by chord first (no trigonometry), then measured in metres, the
// distance that decides.
func (ix *Index) EachWithin(p orb.Point, radiusM float64, f Filter, fn func(Hit) bool) {
	if !(radiusM >= 0) {
		return
	}
	q := unitVector(p)
	// The chord only screens (reach.over is a hair above the radius'),
	// the metres decide.
	screen := newReach(radiusM).over
	boxes, nb := capBounds(p, radiusM)
	for _, layer := range ix.selected(f) {
		l, f := layer.part(f)
		// A feature whose box meets both boxes (across the antimeridian: a
		// polygon, a MultiPoint) is reported once.
		var seen map[int32]bool
		if nb > 1 {
			seen = map[int32]bool{}
		}
		stop := false
		visit := func(_, _ [2]float64, fi int32) bool {
			var d float64
			if l.isPt[fi] {
				c2 := chordTo(q, l.unit[fi])
				if c2 > screen {
					return true
				}
				d = chordMetres(c2)
			} else {
				if seen != nil {
					if seen[fi] {
						return true
					}
					seen[fi] = true
				}
				d = l.distance(p, fi)
			}
			feat := &l.features[fi]
			if d > radiusM || !f.match(l.info.ID, l.rules, feat) {
				return true
			}
			if !fn(Hit{Layer: l.info.ID, Feature: feat, DistanceM: d}) {
				stop = true
				return false
			}
			return true
		}
		for _, b := range boxes[:nb] {
			if l.tree.Search(b.Min, b.Max, visit); stop {
				return
			}
		}
	}
}

// WithinAll returns every feature passing f within radiusM metres of p,
// nearest first (ties by id), however many there are: for the small
// layers a profile lists in full (Within caps its answer for clients).
func (ix *Index) WithinAll(p orb.Point, radiusM float64, f Filter) []Hit {
	var hits []Hit
	ix.EachWithin(p, radiusM, f, func(h Hit) bool {
		hits = append(hits, h)
		return true
	})
	sortByDistance(hits)
	return hits
}

// Containing returns the first feature of the layer, in file order, whose
// (Multi)Polygon contains p (a point on a boundary is inside), and false
// when none does or the layer is unknown.
func (ix *Index) Containing(layer string, p orb.Point) (Hit, bool) {
	l := ix.layer(layer)
	if l == nil {
		return Hit{}, false
	}
	f := l.containing(p, func(f *dataset.Feature) bool { return false })
	if f == nil {
		return Hit{}, false
	}
	return Hit{Layer: l.info.ID, Feature: f}, true
}
