// Package index answers the questions the map and the API ask of the
// dataset: what is near a point (k nearest, within a radius, ordered by
// great-circle distance), what lies in a box, which names start with what
// was typed, and which commune and territories contain a point.
//
// Geometry goes through tidwall/rtree, one tree per layer, searched best
// first with a geodesic lower bound for boxes; names go through a sorted
// token list searched by prefix. An Index is immutable once built: a
// reload builds a new one and swaps it, readers never lock.
package index

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Hit is one feature found, with its distance when the query had a point.
type Hit struct {
	Layer     string
	Feature   *dataset.Feature
	DistanceM float64 // metres; 0 inside a polygon; NaN when not asked
}

// layerIndex is one layer's R-tree; the tree holds feature indexes.
type layerIndex struct {
	info     dataset.LayerInfo
	features []dataset.Feature
	// rules are the layer's filters, from the registry (zero when the
	// registry does not know the layer: it then matches no category,
	// surface, period or territory filter).
	rules layers.Filters
	// search is how the name search lists the layer (layers.SearchAll…).
	search string
	tree   rtree.RTreeG[int32]
	// unit holds, for Point features, the position as a unit vector: the
	// chord between two unit vectors orders like the great-circle
	// distance and costs no trigonometry.
	unit [][3]float64
	isPt []bool
	// multiUnit holds the unit vectors of MultiPoint features' members.
	multiUnit map[int32][][3]float64
	// shapes holds (Multi)Polygon features prepared for containment
	// tests; nil for other geometries.
	shapes []*shape
	// pointsOnly: every feature is a Point or MultiPoint, so Nearby grows
	// a cap (nearestPoints) rather than searching best first.
	pointsOnly bool
	// idRank is each feature's rank in id order, for point layers: ties in
	// distance are broken by id, and in big towns hundreds of training
	// centres share one address.
	idRank []int32
	// byCategory splits a point layer with a category field (the
	// registry's Filters.Category) into one part per value, each with its
	// own tree over the same features: a category filter then searches
	// only that category's points. Among 9,660 training centres the 24 of
	// the Cnam would otherwise be found by growing a cap over thousands.
	byCategory map[string]*layerIndex
	// members lists the features of a category's part (nil: the whole
	// layer).
	members []int32
}

// size is the number of features the layer (or the category's part) holds.
func (l *layerIndex) size() int {
	if l.members != nil {
		return len(l.members)
	}
	return len(l.features)
}

// part is the layer, or its category's part when f asks for a category
// the layer splits by; rest is what remains of f to check (its category
// holds for every feature of the part, so it is not read again).
func (l *layerIndex) part(f Filter) (part *layerIndex, rest Filter) {
	if f.Category == "" || l.byCategory == nil {
		return l, f
	}
	rest = f
	rest.Category = ""
	if sub, ok := l.byCategory[f.Category]; ok {
		return sub, rest
	}
	// No feature has that category: an empty part, not the whole layer.
	return &layerIndex{info: l.info, features: l.features, rules: l.rules, pointsOnly: true, members: []int32{}}, rest
}

// splitByCategory builds the parts of a point layer, one per value of its
// category field.
func (l *layerIndex) splitByCategory() {
	field := l.rules.Category
	if field == "" || !l.pointsOnly {
		return
	}
	groups := map[string][]int32{}
	for fi := range l.features {
		if c, ok := l.features[fi].Properties[field].(string); ok && c != "" {
			groups[c] = append(groups[c], int32(fi))
		}
	}
	l.byCategory = make(map[string]*layerIndex, len(groups))
	for c, members := range groups {
		sub := &layerIndex{info: l.info, features: l.features, rules: l.rules, search: l.search, unit: l.unit, isPt: l.isPt,
			multiUnit: l.multiUnit, shapes: l.shapes, pointsOnly: true, idRank: l.idRank, members: members}
		for _, fi := range members {
			b := l.features[fi].Geometry.Bound()
			sub.tree.Insert(b.Min, b.Max, fi)
		}
		l.byCategory[c] = sub
	}
}

// Index is built once from a dataset with New.
type Index struct {
	layers []*layerIndex
	byID   map[string]ref
	text   *textIndex
}

type ref struct{ layer, feature int32 }

// New indexes every layer of ds, filtered as the registry says. The index
// points into ds, which must not change afterwards.
func New(ds *dataset.Dataset, reg layers.Registry) *Index {
	ix := &Index{byID: map[string]ref{}}
	for li, l := range ds.Layers {
		spec, _ := reg.Layer(l.Info.ID)
		lx := &layerIndex{info: l.Info, features: l.Features, rules: spec.Filters, search: spec.Search, unit: make([][3]float64, len(l.Features)),
			isPt: make([]bool, len(l.Features)), shapes: make([]*shape, len(l.Features)), pointsOnly: true}
		for fi := range l.Features {
			if p, ok := l.Features[fi].Geometry.(orb.Point); ok {
				lx.unit[fi], lx.isPt[fi] = unitVector(p), true
			}
			if mp, ok := l.Features[fi].Geometry.(orb.MultiPoint); ok {
				if lx.multiUnit == nil {
					lx.multiUnit = map[int32][][3]float64{}
				}
				for _, p := range mp {
					lx.multiUnit[int32(fi)] = append(lx.multiUnit[int32(fi)], unitVector(p))
				}
			}
			lx.shapes[fi] = prepare(l.Features[fi].Geometry)
			_, multi := l.Features[fi].Geometry.(orb.MultiPoint)
			lx.pointsOnly = lx.pointsOnly && (lx.isPt[fi] || multi)
			b := l.Features[fi].Geometry.Bound()
			lx.tree.Insert(b.Min, b.Max, int32(fi))
			ix.byID[l.Features[fi].ID] = ref{int32(li), int32(fi)}
		}
		if lx.pointsOnly {
			lx.idRank = idRanks(l.Features) // only nearestPoints breaks ties by rank
			lx.splitByCategory()
		}
		ix.layers = append(ix.layers, lx)
	}
	ix.text = buildText(ix.layers)
	return ix
}

func idRanks(features []dataset.Feature) []int32 {
	order := make([]int32, len(features))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(features[a].ID, features[b].ID) })
	rank := make([]int32, len(features))
	for r, fi := range order {
		rank[fi] = int32(r)
	}
	return rank
}

// Layers lists the layer ids in dataset order.
func (ix *Index) Layers() []string {
	out := make([]string, len(ix.layers))
	for i, l := range ix.layers {
		out[i] = l.info.ID
	}
	return out
}

// HasLayer says whether id is a layer of the index.
func (ix *Index) HasLayer(id string) bool { return ix.layer(id) != nil }

func (ix *Index) layer(id string) *layerIndex {
	for _, l := range ix.layers {
		if l.info.ID == id {
			return l
		}
	}
	return nil
}

// Feature finds a feature by id.
func (ix *Index) Feature(id string) (Hit, bool) {
	r, ok := ix.byID[id]
	if !ok {
		return Hit{}, false
	}
	l := ix.layers[r.layer]
	return Hit{Layer: l.info.ID, Feature: &l.features[r.feature], DistanceM: math.NaN()}, true
}

// selected returns the layers a filter asks for (all when it names none).
func (ix *Index) selected(f Filter) []*layerIndex {
	if len(f.Layers) == 0 && len(f.Groups) == 0 {
		return ix.layers
	}
	var out []*layerIndex
	for _, l := range ix.layers {
		if (len(f.Layers) == 0 || slices.Contains(f.Layers, l.info.ID)) && l.takesGroups(f) {
			out = append(out, l)
		}
	}
	return out
}

// takesGroups says whether the layer has every group parameter f filters
// on: one that has not matches none of them, and is not searched at all.
func (l *layerIndex) takesGroups(f Filter) bool {
	for param := range f.Groups {
		if g := l.rules.Groups; g == nil || g.Param != param {
			return false
		}
	}
	return true
}

// Nearby returns the k features nearest to p that pass f, nearest first,
// no farther than maxDistM (0: no limit). Ties are broken by id, so the
// order is total and stable.
func (ix *Index) Nearby(p orb.Point, k int, maxDistM float64, f Filter) []Hit {
	if k <= 0 {
		return nil
	}
	limit := math.Inf(1)
	if maxDistM > 0 {
		limit = maxDistM
	}
	// The point layers share one heap of the k nearest, searched from the
	// biggest: its k-th bounds the search of the others.
	hits := make([]Hit, 0, min(k, 128))
	var partsArray [8]pointPart
	parts := partsArray[:0]
	for _, l := range ix.selected(f) {
		if l.pointsOnly {
			pl, rest := l.part(f)
			parts = append(parts, pointPart{pl, rest})
		} else {
			hits = append(hits, l.nearest(p, k, limit, f)...)
		}
	}
	if len(parts) > 0 {
		slices.SortStableFunc(parts, func(a, b pointPart) int { return b.l.size() - a.l.size() })
		best := nearestK{k: k, heap: make([]inCap, 0, min(k, 128))}
		q, within := unitVector(p), newReach(limit)
		for _, pt := range parts {
			pt.l.nearestPoints(&best, p, q, within, pt.rest)
		}
		hits = best.appendHits(hits)
	}
	// Order by metres, then id, and keep k. (Point layers alone give k
	// hits at most.)
	sortByDistance(hits)
	return hits[:min(k, len(hits))]
}

// pointPart is a point layer (or its category's part) that a query
// searches, with what remains of the filter to check.
type pointPart struct {
	l    *layerIndex
	rest Filter
}

// Within returns every feature passing f within radiusM of p, nearest
// first, at most limit of them (and whether there were more).
func (ix *Index) Within(p orb.Point, radiusM float64, limit int, f Filter) (hits []Hit, more bool) {
	hits = ix.Nearby(p, limit+1, radiusM, f)
	if len(hits) > limit {
		return hits[:limit], true
	}
	return hits, false
}

// nearest is a best-first search of one layer: boxes by their geodesic
// lower bound, features by their exact distance. Distances travel through
// the search as squared chords (monotonic in the great-circle distance);
// the hits kept are then measured in metres.
func (l *layerIndex) nearest(p orb.Point, k int, limit float64, f Filter) []Hit {
	q := unitVector(p)
	cosLat := math.Cos(p[1] * rad)
	limitChord := chord2(limit)
	var hits []Hit
	var last float64 // chord² of the last hit kept
	l.tree.Nearby(
		func(min, max [2]float64, fi int32, item bool) float64 {
			if !item {
				return boxChord2(p, cosLat, min, max)
			}
			if l.isPt[fi] {
				u := l.unit[fi]
				dx, dy, dz := u[0]-q[0], u[1]-q[1], u[2]-q[2]
				return dx*dx + dy*dy + dz*dz
			}
			return chord2(l.distance(p, fi))
		},
		func(_, _ [2]float64, fi int32, c float64) bool {
			if c > limitChord {
				return false
			}
			// Keep equal distances past k so that ties sort by id.
			if len(hits) >= k && c > last {
				return false
			}
			feat := &l.features[fi]
			if f.match(l.info.ID, l.rules, feat) {
				hits = append(hits, Hit{Layer: l.info.ID, Feature: feat, DistanceM: l.distance(p, fi)})
				last = c
			}
			return true
		},
	)
	return hits
}

// unitVector is p on the unit sphere.
func unitVector(p orb.Point) [3]float64 {
	lat, lon := p[1]*rad, p[0]*rad
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// chord2 is the squared chord, on the unit sphere, of a great-circle
// distance in metres (+Inf stays +Inf).
func chord2(d float64) float64 {
	if math.IsInf(d, 1) {
		return d
	}
	a := math.Min(d/EarthRadius, math.Pi) / 2
	s := 2 * math.Sin(a)
	return s * s
}

func sortByDistance(hits []Hit) {
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if a.DistanceM != b.DistanceM {
			if a.DistanceM < b.DistanceM {
				return -1
			}
			return 1
		}
		if a.Feature.ID < b.Feature.ID {
			return -1
		}
		if a.Feature.ID > b.Feature.ID {
			return 1
		}
		return 0
	})
}

// InBBox returns the features passing f whose geometry meets b (see
// MeetsBox), in dataset order (layer, then file order), with offset and
// limit, and the total number that match. An empty or inverted box (min >
// max) matches nothing; a box crossing the antimeridian is not supported
// (the data has none).
func (ix *Index) InBBox(b orb.Bound, f Filter, offset, limit int) (hits []Hit, total int) {
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return nil, 0
	}
	pg := page{offset: offset, limit: limit}
	for _, l := range ix.selected(f) {
		var found []int32
		l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, fi int32) bool {
			// The tree compares bounds: exact for points, a first cut
			// for polygons.
			feat := &l.features[fi]
			if f.match(l.info.ID, l.rules, feat) && (l.isPt[fi] || MeetsBox(feat.Geometry, b)) {
				found = append(found, fi)
			}
			return true
		})
		slices.Sort(found)
		for _, fi := range found {
			pg.add(l, fi)
		}
	}
	return pg.hits, pg.total
}

// Extent is the bound of every feature of the layer, false when the
// layer is empty or unknown.
func (ix *Index) Extent(layer string) (orb.Bound, bool) {
	l := ix.layer(layer)
	if l == nil || len(l.features) == 0 {
		return orb.Bound{}, false
	}
	lo, hi := l.tree.Bounds()
	return orb.Bound{Min: lo, Max: hi}, true
}

// Features returns the layer's features passing f in file order, with
// offset and limit, and the total that match.
func (ix *Index) Features(layer string, f Filter, offset, limit int) (hits []Hit, total int) {
	l := ix.layer(layer)
	if l == nil {
		return nil, 0
	}
	pg := page{offset: offset, limit: limit}
	for fi := range l.features {
		if f.match(l.info.ID, l.rules, &l.features[fi]) {
			pg.add(l, int32(fi))
		}
	}
	return pg.hits, pg.total
}

// page keeps the matches from offset on, at most limit, and counts them all.
type page struct {
	offset, limit, total int
	hits                 []Hit
}

func (p *page) add(l *layerIndex, fi int32) {
	if p.total >= p.offset && len(p.hits) < p.limit {
		p.hits = append(p.hits, Hit{Layer: l.info.ID, Feature: &l.features[fi], DistanceM: math.NaN()})
	}
	p.total++
}
