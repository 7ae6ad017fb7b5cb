package index

import (
	"slices"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Place is what contains a point: the commune and the Territoire
// d'industrie of each period. Nil fields mean none (at sea, abroad, or a
// commune outside every territory).
type Place struct {
	Commune     *dataset.Feature
	Territoires map[string]*dataset.Feature // by period
}

// Reverse finds the commune and the territories whose polygons contain p.
// Only communes of the Territoires d'industrie are in the dataset, so a
// point of France outside them has no commune.
func (ix *Index) Reverse(p orb.Point) Place {
	place := Place{Territoires: map[string]*dataset.Feature{}}
	if l := ix.layer(layers.Communes); l != nil {
		place.Commune = l.containing(p, func(*dataset.Feature) bool { return false }) // the first is the one
	}
	if l := ix.layer(layers.Territoires); l != nil {
		l.containing(p, func(f *dataset.Feature) bool {
			place.Territoires[f.String("period")] = f
			return true
		})
	}
	return place
}

// containing calls found for each feature whose polygon contains p, in
// file order, until found returns false; it returns the last one found.
func (l *layerIndex) containing(p orb.Point, found func(*dataset.Feature) bool) *dataset.Feature {
	var hits []int32
	l.tree.Search(p, p, func(_, _ [2]float64, fi int32) bool {
		hits = append(hits, fi)
		return true
	})
	slices.Sort(hits)
	var last *dataset.Feature
	for _, fi := range hits {
		f := &l.features[fi]
		if s := l.shapes[fi]; s != nil && s.contains(p) {
			last = f
			if !found(f) {
				break
			}
		}
	}
	return last
}
