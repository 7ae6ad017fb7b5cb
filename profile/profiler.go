package profile

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// The layers a profile reads, besides layers.Communes and
// layers.Territoires. A dataset without one of them gives empty lists (or
// no commune), not an error.
const (
	LayerContours   = "contours_communes" // every commune's outline: which commune holds a point
	LayerPlaces     = "places"            // every commune as a point: population, EPCI
	LayerACV        = "acv"
	LayerFormations = "formations"
	LayerCnam       = "cnam"
	LayerSites      = "sites"
)

// pointLayers and territoryLayers are the layers each kind of profile
// reads, for its provenance.
func pointLayers() []string {
	return []string{LayerContours, LayerPlaces, layers.Territoires, LayerFormations, LayerCnam, LayerACV, LayerSites}
}

func territoryLayers() []string {
	return []string{layers.Territoires, layers.Communes, LayerSites, LayerFormations, LayerCnam, LayerACV}
}

// provenanceOf is the provenance of those of ids the dataset has: a new
// map, the caller's.
func (pr *Profiler) provenanceOf(ids []string) map[string]Provenance {
	out := make(map[string]Provenance, len(ids))
	for _, id := range ids {
		if p, ok := pr.provenance[id]; ok {
			out[id] = p
		}
	}
	return out
}

// Precisions of a point.
const (
	PrecisionExact   = "exact"
	PrecisionCommune = "commune"
)

// Profiler computes profiles over one catalog. It is built once, with what
// does not depend on the question (communes by code, territory members,
// neighbours), and is then read only: safe for concurrent use.
type Profiler struct {
	ix *index.Index
	// provenance of every layer a profile reads that the dataset has.
	provenance map[string]Provenance
	// categoryField is, per listed layer, the field of Feature.Category
	// (none for a layer the registry does not know).
	categoryField map[string]string
	// categories are the training centres' categories, sorted.
	categories []string
	// listed holds what a profile says of each feature of the listed
	// layers, but its distance: read once, not at every answer.
	listed    map[*dataset.Feature]Feature
	places    map[string]*dataset.Feature // by INSEE code
	acvByCode map[string]*dataset.Feature // the ACV programme of each member commune
	// territories are every territory's profile, by period and ti_id: they
	// depend on nothing but the data. Territory answers copies.
	territories map[territoryKey]*TerritoryProfile
}

// joins is what the territory profiles are built from, dropped once they are.
type joins struct {
	acvCodes map[*dataset.Feature][]string // each ACV programme's communes
	// members of each territory: its communes.
	members map[territoryKey][]*dataset.Feature
	// byCode lists the features of the sites, formations and Cnam layers
	// by their commune's INSEE code, in id order.
	byCode map[string]map[string][]*dataset.Feature
	// neighbours holds, by territory feature id, the neighbours' ids.
	neighbours map[string][]string
}

type territoryKey struct{ period, tiID string }

// New prepares the profiles of the catalog made of ix (the index of the
// dataset described by manifest) and reg, its registry.
func New(ix *index.Index, manifest dataset.Manifest, reg layers.Registry) *Profiler {
	pr := &Profiler{
		ix: ix, provenance: map[string]Provenance{}, categoryField: map[string]string{}, listed: map[*dataset.Feature]Feature{},
		places: map[string]*dataset.Feature{}, acvByCode: map[string]*dataset.Feature{}, territories: map[territoryKey]*TerritoryProfile{},
	}
	j := joins{acvCodes: map[*dataset.Feature][]string{}, members: map[territoryKey][]*dataset.Feature{},
		byCode: map[string]map[string][]*dataset.Feature{}, neighbours: map[string][]string{}}
	for _, id := range append(pointLayers(), layers.Communes) {
		if info, ok := manifest.Layer(id); ok && ix.HasLayer(id) {
			pr.provenance[id] = Provenance{Title: info.Title, Sources: info.Sources}
		}
	}
	for _, id := range []string{LayerFormations, LayerCnam, LayerSites} {
		if l, ok := reg.Layer(id); ok {
			// The sites' waves and the Cnam's AMI are the layers' groups;
			// the training centres' category is the field the API's
			// category filter reads, as the nearest of each category do.
			if l.Filters.Groups != nil {
				pr.categoryField[id] = l.Filters.Groups.Field
			} else {
				pr.categoryField[id] = l.Filters.Category
			}
		}
	}
	all := func(layer string) []index.Hit {
		hits, _ := ix.Features(layer, index.Filter{}, 0, math.MaxInt)
		return hits
	}
	for _, layer := range []string{LayerFormations, LayerCnam, LayerACV, LayerSites} {
		for _, h := range all(layer) {
			pr.listed[h.Feature] = pr.describe(h)
		}
	}
	for _, h := range all(LayerPlaces) {
		pr.places[h.Feature.String("code_insee")] = h.Feature
	}
	for _, h := range all(LayerACV) {
		codes := acvCommuneCodes(h.Feature.String("communes"))
		j.acvCodes[h.Feature] = codes
		for _, code := range codes {
			pr.acvByCode[code] = h.Feature
		}
	}
	categories := map[string]bool{}
	for _, layer := range []string{LayerSites, LayerFormations, LayerCnam} {
		j.byCode[layer] = map[string][]*dataset.Feature{}
		for _, h := range all(layer) {
			code := h.Feature.String("code_insee")
			j.byCode[layer][code] = append(j.byCode[layer][code], h.Feature)
			if layer == LayerFormations {
				categories[h.Feature.String(pr.categoryField[layer])] = true
			}
		}
		for _, list := range j.byCode[layer] {
			slices.SortFunc(list, byID)
		}
	}
	delete(categories, "")
	pr.categories = slices.Sorted(maps.Keys(categories))
	communes, _ := reg.Layer(layers.Communes)
	for _, period := range layers.Periods() {
		m := communes.Filters.Territory[period] // which fields say a commune is a member, and of which territory
		hits, _ := ix.Features(layers.Communes, index.Filter{Period: period}, 0, math.MaxInt)
		for _, h := range hits {
			if ti := h.Feature.String(m.Territory); ti != "" {
				k := territoryKey{period, ti}
				j.members[k] = append(j.members[k], h.Feature)
			}
		}
		maps.Copy(j.neighbours, ix.Neighbours(layers.Territoires, NeighbourDistanceM, index.Filter{Period: period}))
	}
	for _, h := range all(layers.Territoires) {
		k := territoryKey{h.Feature.String("period"), h.Feature.String("ti_id")}
		pr.territories[k] = pr.territory(h.Feature, j.members[k], &j)
	}
	return pr
}

func byID(a, b *dataset.Feature) int { return strings.Compare(a.ID, b.ID) }

// keepNearest inserts h into hits, sorted nearest first (ties by id), and
// keeps k of them.
func keepNearest(hits []index.Hit, h index.Hit, k int) []index.Hit {
	if len(hits) == k { // most are farther than the k-th: out at once
		last := hits[k-1]
		if h.DistanceM > last.DistanceM || h.DistanceM == last.DistanceM && h.Feature.ID >= last.Feature.ID {
			return hits
		}
	}
	i, _ := slices.BinarySearchFunc(hits, h, func(a, b index.Hit) int {
		return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), strings.Compare(a.Feature.ID, b.Feature.ID))
	})
	hits = slices.Insert(hits, i, h)
	return hits[:min(len(hits), k)]
}

// acvCommuneCodes reads the INSEE codes of an ACV programme's communes,
// "Nom (code) ; Nom (code)".
func acvCommuneCodes(s string) []string {
	var codes []string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		open := strings.LastIndexByte(part, '(')
		if open < 0 || !strings.HasSuffix(part, ")") {
			continue
		}
		if code := strings.TrimSpace(part[open+1 : len(part)-1]); code != "" {
			codes = append(codes, code)
		}
	}
	return codes
}

// Categories lists the training centres' categories, sorted: the keys
// Formations.Nearest may hold.
func (pr *Profiler) Categories() []string { return slices.Clone(pr.categories) }

// Point is the profile of any point (lat/lon): distances from the point
// itself.
func (pr *Profiler) Point(p orb.Point) Point {
	return pr.point(p, Origin{Lon: p[0], Lat: p[1], Precision: PrecisionExact,
		Note: "Distances mesurées depuis le point demandé. / Distances measured from the point asked."}, nil)
}

// Site is the profile of a turnkey site, false when id is not a site.
// Distances are measured from the site's point: for a site placed at its
// commune's centroid (precision "commune"), from that centroid.
func (pr *Profiler) Site(id string) (Point, bool) {
	h, ok := pr.ix.Feature(id)
	if !ok || h.Layer != LayerSites {
		return Point{}, false
	}
	p := index.RepresentativePoint(h.Feature)
	o := Origin{Lon: p[0], Lat: p[1], Precision: cmp.Or(h.Feature.String("precision"), PrecisionExact)}
	if o.Precision == PrecisionCommune {
		c := cmp.Or(h.Feature.String("commune"), h.Feature.String("code_insee"))
		o.Note = fmt.Sprintf("Distances mesurées depuis le centroïde de la commune (%s), pas depuis le site. / Distances measured from the centroid of %s, not from the site.", c, c)
	} else {
		o.Note = "Distances mesurées depuis le point du site. / Distances measured from the site's point."
	}
	return pr.point(p, o, h.Feature), true
}

func (pr *Profiler) point(p orb.Point, origin Origin, site *dataset.Feature) Point {
	out := Point{Origin: origin, Territoires: map[string]*Territory{}, Provenance: pr.provenanceOf(pointLayers()),
		Cnam: []Feature{}, ACV: []Feature{}, Sites: []Feature{}}
	if site != nil {
		f := pr.feature(index.Hit{Layer: LayerSites, Feature: site, DistanceM: math.NaN()})
		out.Site = &f
	}
	if h, ok := pr.ix.Containing(LayerContours, p); ok {
		out.Commune = pr.commune(h.Feature)
	}
	place := pr.ix.Reverse(p)
	for _, period := range layers.Periods() {
		out.Territoires[period] = nil
		if f := place.Territoires[period]; f != nil {
			t := territory(f)
			out.Territoires[period] = &t
		}
	}
	out.Formations = pr.formations(p)
	reach := Radii[len(Radii)-1] * 1000
	list := func(layer string) []Feature {
		out := []Feature{}
		for _, h := range pr.ix.WithinAll(p, reach, index.Filter{Layers: []string{layer}}) {
			if h.Feature != site {
				out = append(out, pr.feature(h))
			}
		}
		return out
	}
	if pr.ix.HasLayer(LayerCnam) {
		out.Cnam = list(LayerCnam)
	}
	if pr.ix.HasLayer(LayerACV) {
		out.ACV = list(LayerACV)
	}
	if pr.ix.HasLayer(LayerSites) {
		out.Sites = list(LayerSites)
	}
	return out
}

// commune joins a commune's outline to its place (population, EPCI) and
// its ACV programme, by INSEE code.
func (pr *Profiler) commune(outline *dataset.Feature) *Commune {
	code := outline.String("code_insee")
	c := &Commune{Code: code, Name: outline.String("name")}
	if place := pr.places[code]; place != nil {
		if n, ok := place.Properties["population"].(int64); ok {
			c.Population = &n
		}
		c.EPCI, c.EPCIName = place.String(layers.FieldEPCI), place.String("epci_name")
	}
	if acv := pr.acvByCode[code]; acv != nil {
		c.ACV, c.ACVName, c.IsACV = cmp.Or(acv.String("acv_id"), acv.ID), acv.String("name"), true
	}
	return c
}

// formations counts the training centres within each radius by category,
// and finds the nearest of each category.
func (pr *Profiler) formations(p orb.Point) Formations {
	out := Formations{Counts: make([]RadiusCount, len(Radii)), Nearest: map[string][]Feature{}}
	radii := make([]float64, len(Radii))
	for i, r := range Radii {
		out.Counts[i] = RadiusCount{RadiusKm: r, ByCategory: map[string]int{}}
		radii[i] = r * 1000
	}
	if !pr.ix.HasLayer(LayerFormations) {
		return out
	}
	// One search per category, in the category's own tree (no feature's
	// category is read), which also keeps the nearest of the category
	// within the last radius; only a category with fewer there is asked
	// for its nearest beyond.
	near := make([]index.Hit, 0, NearestPerCategory+1) // room to insert before dropping the last
	for _, c := range pr.categories {
		near = near[:0]
		f := index.Filter{Layers: []string{LayerFormations}, Category: c}
		pr.ix.EachWithin(p, radii[len(radii)-1], f, func(h index.Hit) bool {
			for i := len(radii) - 1; i >= 0 && h.DistanceM <= radii[i]; i-- {
				out.Counts[i].Total++
				out.Counts[i].ByCategory[c]++
			}
			near = keepNearest(near, h, NearestPerCategory)
			return true
		})
		if len(near) < NearestPerCategory {
			near = append(near[:0], pr.ix.Nearby(p, NearestPerCategory, 0, f)...)
		}
		list := make([]Feature, len(near))
		for i, h := range near {
			list[i] = pr.feature(h)
		}
		out.Nearest[c] = list
	}
	return out
}

// feature is a hit as a profile lists it; its distance is rounded to the
// decimetre, as the API's are (more is noise), and left out when NaN.
func (pr *Profiler) feature(h index.Hit) Feature {
	f, ok := pr.listed[h.Feature]
	if !ok {
		f = pr.describe(h)
	}
	if !math.IsNaN(h.DistanceM) {
		d := math.Round(h.DistanceM*10) / 10
		f.DistanceM = &d
	}
	return f
}

// describe is what a profile says of a feature, its distance aside.
func (pr *Profiler) describe(h index.Hit) Feature {
	pt := index.RepresentativePoint(h.Feature)
	f := Feature{
		ID: h.Feature.ID, Layer: h.Layer, Name: h.Feature.String(layers.FieldName),
		Commune: h.Feature.String("commune"), CodeInsee: h.Feature.String("code_insee"),
		Lon: pt[0], Lat: pt[1], Precision: cmp.Or(h.Feature.String("precision"), PrecisionExact),
	}
	if field := pr.categoryField[h.Layer]; field != "" {
		f.Category = h.Feature.String(field)
	}
	return f
}

// territory names a territory feature.
func territory(f *dataset.Feature) Territory {
	t := Territory{ID: f.ID, TIID: f.String("ti_id"), Period: f.String("period"), Name: f.String(layers.FieldName)}
	if n, ok := f.Properties["population"].(int64); ok {
		t.Population = &n
	}
	t.NCommunes, _ = f.Properties["n_communes"].(int64)
	return t
}

// Territory is the profile of the Territoire d'industrie tiID (ti-RRNN) of
// period (layers.Period2023 or layers.Period2018), false when there is
// none. The profile is the caller's to keep or change.
func (pr *Profiler) Territory(period, tiID string) (TerritoryProfile, bool) {
	t := pr.territories[territoryKey{period, tiID}]
	if t == nil {
		return TerritoryProfile{}, false
	}
	return t.clone(), true
}

// clone copies every slice and map of the profile (Provenance's sources
// excepted: they are the manifest's, which nothing changes).
func (t *TerritoryProfile) clone() TerritoryProfile {
	c := *t
	c.Territory.Population = clonePtr(t.Territory.Population)
	c.EPCIs = slices.Clone(t.EPCIs)
	c.Sites = cloneFeatures(t.Sites)
	c.SitesByWave = maps.Clone(t.SitesByWave)
	c.Formations.ByCategory = maps.Clone(t.Formations.ByCategory)
	c.Cnam = cloneFeatures(t.Cnam)
	c.ACV = cloneFeatures(t.ACV)
	c.Neighbours = slices.Clone(t.Neighbours)
	for i := range c.Neighbours {
		c.Neighbours[i].Population = clonePtr(c.Neighbours[i].Population)
	}
	c.Provenance = maps.Clone(t.Provenance)
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneFeatures(fs []Feature) []Feature {
	out := slices.Clone(fs)
	for i := range out {
		out[i].DistanceM = clonePtr(out[i].DistanceM)
	}
	return out
}

// territory builds the profile of territory feature tf, whose member
// communes are members.
func (pr *Profiler) territory(tf *dataset.Feature, members []*dataset.Feature, j *joins) *TerritoryProfile {
	out := &TerritoryProfile{
		Territory: territory(tf), Region: tf.String(layers.FieldRegion), RegionName: tf.String("region_name"),
		EPCIs: []EPCI{}, Sites: []Feature{}, SitesByWave: map[string]int{},
		Formations: Count{ByCategory: map[string]int{}}, Cnam: []Feature{}, ACV: []Feature{}, Neighbours: []Territory{},
		Provenance: map[string]Provenance{},
	}
	out.Provenance = pr.provenanceOf(territoryLayers())
	isMember := make(map[string]bool, len(members))
	epcis := map[string]*EPCI{}
	noDistance := func(layer string, f *dataset.Feature) Feature {
		return pr.feature(index.Hit{Layer: layer, Feature: f, DistanceM: math.NaN()})
	}
	for _, c := range members {
		code := c.String("code_insee")
		isMember[code] = true
		out.Communes.Count++
		if n, ok := c.Properties["population"].(int64); ok {
			out.Communes.Population += n
		} else {
			out.Communes.WithoutPopulation++
		}
		if siren := c.String(layers.FieldEPCI); siren != "" {
			e := epcis[siren]
			if e == nil {
				e = &EPCI{SIREN: siren, Name: c.String("epci_name")}
				epcis[siren] = e
			}
			e.NCommunes++
		}
		for _, s := range j.byCode[LayerSites][code] {
			out.Sites = append(out.Sites, noDistance(LayerSites, s))
			for _, w := range strings.Fields(s.String(pr.categoryField[LayerSites])) { // space separated, as layers.Groups says
				out.SitesByWave[w]++
			}
		}
		for _, f := range j.byCode[LayerFormations][code] {
			out.Formations.Total++
			if cat := f.String(pr.categoryField[LayerFormations]); cat != "" {
				out.Formations.ByCategory[cat]++
			}
		}
		for _, f := range j.byCode[LayerCnam][code] {
			out.Cnam = append(out.Cnam, noDistance(LayerCnam, f))
		}
	}
	for _, siren := range slices.Sorted(maps.Keys(epcis)) {
		out.EPCIs = append(out.EPCIs, *epcis[siren])
	}
	for acv, codes := range j.acvCodes {
		if slices.ContainsFunc(codes, func(c string) bool { return isMember[c] }) {
			out.ACV = append(out.ACV, noDistance(LayerACV, acv))
		}
	}
	byFeatureID := func(a, b Feature) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(out.Sites, byFeatureID)
	slices.SortFunc(out.Cnam, byFeatureID)
	slices.SortFunc(out.ACV, byFeatureID)
	for _, id := range j.neighbours[tf.ID] {
		if h, ok := pr.ix.Feature(id); ok {
			out.Neighbours = append(out.Neighbours, territory(h.Feature))
		}
	}
	return out
}
