package profile_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

type fixture struct {
	ds *dataset.Dataset
	ix *index.Index
	pr *profile.Profiler
}

// loadOnce reads and indexes the embedded dataset once for every test and
// benchmark (it is read only): it takes seconds.
var loadOnce = sync.OnceValues(func() (fixture, error) {
	ds, err := dataset.Load(data.FS)
	if err != nil {
		return fixture{}, err
	}
	ix := index.New(ds, layers.Default())
	return fixture{ds, ix, profile.New(ix, ds.Manifest, layers.Default())}, nil
})

func real(tb testing.TB) fixture {
	tb.Helper()
	fx, err := loadOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return fx
}

// ---- the brute force: every feature of the layer files scanned ----

// brute holds the layers' features and their bounds (computed once: a
// bound only skips a polygon that cannot contain the point).
type brute struct {
	ds     *dataset.Dataset
	bounds map[string][]orb.Bound
	// places by code, and the codes of each ACV programme: the joins, read
	// from the files once.
	places   map[string]*dataset.Feature
	acvCodes map[string][]string
}

func newBrute(ds *dataset.Dataset) *brute {
	b := &brute{ds: ds, bounds: map[string][]orb.Bound{}, places: map[string]*dataset.Feature{}, acvCodes: map[string][]string{}}
	for _, l := range ds.Layers {
		for i := range l.Features {
			b.bounds[l.Info.ID] = append(b.bounds[l.Info.ID], l.Features[i].Geometry.Bound())
		}
	}
	fs := b.features("places")
	for i := range fs {
		b.places[fs[i].String("code_insee")] = &fs[i]
	}
	for _, f := range b.features("acv") {
		b.acvCodes[f.String("acv_id")] = acvCodes(&f)
	}
	return b
}

func (b *brute) features(layer string) []dataset.Feature {
	l, _ := b.ds.Layer(layer)
	return l.Features
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// containing lists the features of a polygon layer containing p, in file order.
func (b *brute) containing(layer string, p orb.Point) []*dataset.Feature {
	var out []*dataset.Feature
	fs := b.features(layer)
	for i := range fs {
		if b.bounds[layer][i].Contains(p) && contains(fs[i].Geometry, p) {
			out = append(out, &fs[i])
		}
	}
	return out
}

type bHit struct {
	f *dataset.Feature
	d float64
}

// distance to a point feature: to its nearest point, as index.Distance
// measures it (the reference the profiles must agree with).
func distance(p orb.Point, g orb.Geometry) float64 {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return index.Distance(p, g)
	}
	panic(fmt.Sprintf("not a point: %T", g))
}

// measure measures every feature of a point layer, in file order.
func (b *brute) measure(layer string, p orb.Point) []bHit {
	fs := b.features(layer)
	out := make([]bHit, len(fs))
	for i := range fs {
		out[i] = bHit{&fs[i], distance(p, fs[i].Geometry)}
	}
	return out
}

// nearer orders hits: by distance, ties by id.
func nearer(x, y bHit) int { return cmp.Or(cmp.Compare(x.d, y.d), strings.Compare(x.f.ID, y.f.ID)) }

// sorted measures every feature of a point layer, nearest first, ties by id.
func (b *brute) sorted(layer string, p orb.Point) []bHit {
	out := b.measure(layer, p)
	slices.SortFunc(out, nearer)
	return out
}

var acvCode = regexp.MustCompile(`\(([0-9AB]{5})\)`)

func acvCodes(f *dataset.Feature) []string {
	var out []string
	for _, m := range acvCode.FindAllStringSubmatch(f.String("communes"), -1) {
		out = append(out, m[1])
	}
	return out
}

func round(d float64) float64 { return math.Round(d*10) / 10 }

// checkList compares a profile's list with the brute force's features at
// their distances (nil distances for territory lists).
func checkList(t *testing.T, what string, got []profile.Feature, want []bHit, withDistance bool) {
	t.Helper()
	if len(got) != len(want) {
		ids := func() (g, w []string) {
			for _, f := range got {
				g = append(g, f.ID)
			}
			for _, h := range want {
				w = append(w, h.f.ID)
			}
			return
		}
		g, w := ids()
		t.Fatalf("%s: %d features %v, want %d %v", what, len(got), g, len(want), w)
	}
	for i := range want {
		if got[i].ID != want[i].f.ID {
			t.Fatalf("%s rank %d: %s, want %s", what, i, got[i].ID, want[i].f.ID)
		}
		if withDistance && (got[i].DistanceM == nil || *got[i].DistanceM != round(want[i].d)) {
			t.Fatalf("%s %s: distance %v, want %.1f", what, got[i].ID, got[i].DistanceM, want[i].d)
		}
		if !withDistance && got[i].DistanceM != nil {
			t.Fatalf("%s %s: a distance in a territory profile", what, got[i].ID)
		}
	}
}

// checkPoint compares a point profile with the brute force at p; site is
// the site profiled ("" for a point).
func (b *brute) checkPoint(t *testing.T, name string, p orb.Point, got profile.Point, site string) {
	t.Helper()
	// Provenance: every layer the profile read, and those only.
	var read []string
	for id, p := range got.Provenance {
		if p.Title == "" || len(p.Sources) == 0 {
			t.Fatalf("%s: provenance of %s: %+v", name, id, p)
		}
		read = append(read, id)
	}
	slices.Sort(read)
	if want := []string{"acv", "cnam", "contours_communes", "formations", "places", "sites", "territoires"}; !slices.Equal(read, want) {
		t.Fatalf("%s: provenance of %v, want %v", name, read, want)
	}
	// The commune: the first outline containing p, joined by code.
	var wantCode string
	if cs := b.containing("contours_communes", p); len(cs) > 0 {
		wantCode = cs[0].String("code_insee")
	}
	gotCode := ""
	if got.Commune != nil {
		gotCode = got.Commune.Code
	}
	if gotCode != wantCode {
		t.Fatalf("%s: commune %q, want %q", name, gotCode, wantCode)
	}
	if got.Commune != nil {
		place := b.places[wantCode]
		var pop *int64
		if n, ok := place.Properties["population"].(int64); ok {
			pop = &n
		}
		if (pop == nil) != (got.Commune.Population == nil) || pop != nil && *pop != *got.Commune.Population ||
			got.Commune.EPCI != place.String("epci") || got.Commune.EPCIName != place.String("epci_name") {
			t.Fatalf("%s: commune %+v, place %v", name, got.Commune, place.Properties)
		}
		wantACV := ""
		for id, codes := range b.acvCodes {
			if slices.Contains(codes, wantCode) {
				wantACV = id
			}
		}
		if got.Commune.ACV != wantACV || got.Commune.IsACV != (wantACV != "") {
			t.Fatalf("%s: commune %s ACV %q, want %q", name, wantCode, got.Commune.ACV, wantACV)
		}
	}
	// The territory of each period: the last containing p in file order,
	// as index.Reverse answers where outlines overlap.
	want := map[string]string{}
	for _, f := range b.containing(layers.Territoires, p) {
		want[f.String("period")] = f.ID
	}
	for _, period := range layers.Periods() {
		g, ok := got.Territoires[period]
		if !ok {
			t.Fatalf("%s: no key for period %s", name, period)
		}
		gotID := ""
		if g != nil {
			gotID = g.ID
		}
		if gotID != want[period] {
			t.Fatalf("%s: territory %s %q, want %q", name, period, gotID, want[period])
		}
	}
	// Training centres: counts within each radius, the nearest of each category.
	all := b.measure("formations", p)
	for i, r := range profile.Radii {
		c := got.Formations.Counts[i]
		total, by := 0, map[string]int{}
		for _, h := range all {
			if h.d <= r*1000 {
				total++
				by[h.f.String("category")]++
			}
		}
		if c.RadiusKm != r || c.Total != total || !mapsEqual(c.ByCategory, by) {
			t.Fatalf("%s: within %v km %d %v, want %d %v", name, r, c.Total, c.ByCategory, total, by)
		}
	}
	// The nearest of each category: each list kept sorted, at most 5 long.
	nearest := map[string][]bHit{}
	for _, h := range all {
		c := h.f.String("category")
		l := nearest[c]
		if len(l) == profile.NearestPerCategory && nearer(h, l[len(l)-1]) > 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(l, h, nearer)
		l = slices.Insert(l, i, h)
		nearest[c] = l[:min(len(l), profile.NearestPerCategory)]
	}
	if len(got.Formations.Nearest) != len(nearest) {
		t.Fatalf("%s: nearest of %d categories, want %d", name, len(got.Formations.Nearest), len(nearest))
	}
	for c, w := range nearest {
		checkList(t, name+" nearest "+c, got.Formations.Nearest[c], w, true)
	}
	// Cnam antennas, ACV towns and the other sites within the last radius.
	reach := profile.Radii[len(profile.Radii)-1] * 1000
	within := func(layer string) []bHit {
		var out []bHit
		for _, h := range b.sorted(layer, p) {
			if h.d <= reach && h.f.ID != site {
				out = append(out, h)
			}
		}
		return out
	}
	checkList(t, name+" cnam", got.Cnam, within("cnam"), true)
	checkList(t, name+" acv", got.ACV, within("acv"), true)
	checkList(t, name+" sites", got.Sites, within("sites"), true)
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// randomPoint: metropolitan France's bound 9 times in 10 (sea and
// neighbours included), else one of the overseas régions.
func randomPoint(r *rand.Rand) orb.Point {
	if r.IntN(10) == 0 {
		overseas := []orb.Bound{
			{Min: orb.Point{55.2, -21.4}, Max: orb.Point{55.9, -20.8}},   // La Réunion
			{Min: orb.Point{-61.85, 15.8}, Max: orb.Point{-61.0, 16.55}}, // Guadeloupe
			{Min: orb.Point{-61.25, 14.38}, Max: orb.Point{-60.8, 14.9}}, // Martinique
			{Min: orb.Point{-54.6, 2.1}, Max: orb.Point{-51.6, 5.8}},     // Guyane
			{Min: orb.Point{45.0, -13.0}, Max: orb.Point{45.3, -12.6}},   // Mayotte
		}
		b := overseas[r.IntN(len(overseas))]
		return orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
	}
	return orb.Point{-5 + r.Float64()*14.5, 41.3 + r.Float64()*9.8}
}

// TestProfilesEqualBruteForce: the profile of every site and of 3,000
// random points against a scan of the layer files (containment by orb's
// planar test, distances by haversine).
func TestProfilesEqualBruteForce(t *testing.T) {
	fx := real(t)
	b := newBrute(fx.ds)
	sites := b.features("sites")
	if len(sites) == 0 {
		t.Fatal("no sites in the dataset")
	}
	for i := range sites {
		s := &sites[i]
		got, ok := fx.pr.Site(s.ID)
		if !ok {
			t.Fatalf("Site(%q) not found", s.ID)
		}
		p := s.Geometry.(orb.Point)
		if got.Site == nil || got.Site.ID != s.ID || got.Origin.Lon != p[0] || got.Origin.Lat != p[1] || got.Origin.Precision != s.String("precision") {
			t.Fatalf("%s: site %+v origin %+v", s.ID, got.Site, got.Origin)
		}
		if s.String("precision") == "commune" && !strings.Contains(got.Origin.Note, s.String("commune")) {
			t.Fatalf("%s: the note %q does not name the commune", s.ID, got.Origin.Note)
		}
		b.checkPoint(t, s.ID, p, got, s.ID)
	}
	r := rand.New(rand.NewPCG(14, 14))
	seen := map[string]int{} // how many profiles had some of each, lest the comparison be vacuous
	count := func(p profile.Point) {
		for what, n := range map[string]int{"commune": map[bool]int{true: 1}[p.Commune != nil], "cnam": len(p.Cnam), "acv": len(p.ACV), "sites": len(p.Sites), "formations": p.Formations.Counts[0].Total} {
			if n > 0 {
				seen[what]++
			}
		}
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		p := randomPoint(r)
		got := fx.pr.Point(p)
		if got.Site != nil || got.Origin.Precision != "exact" || got.Origin.Lon != p[0] || got.Origin.Lat != p[1] {
			t.Fatalf("%v: site %v origin %+v", p, got.Site, got.Origin)
		}
		b.checkPoint(t, fmt.Sprint(p), p, got, "")
		count(got)
	}
	for _, what := range []string{"commune", "cnam", "acv", "sites", "formations"} {
		if seen[what] < n/50 {
			t.Errorf("only %d of %d random points have %s near them", seen[what], n, what)
		}
	}
	t.Logf("of %d random points: %v", n, seen)
}

// TestTerritoryProfilesEqualBruteForce: every territory of both periods
// against a scan of the communes (membership fields of COG 2026), sites,
// training centres, Cnam antennas and ACV programmes.
func TestTerritoryProfilesEqualBruteForce(t *testing.T) {
	fx := real(t)
	b := newBrute(fx.ds)
	var nWaves, nCnam, nACV int // lest the comparison be vacuous
	membership := map[string][2]string{layers.Period2023: {"in_ti_2023", "territoire"}, layers.Period2018: {"in_ti_2018", "territoire_2018"}}
	n := 0
	for _, tf := range b.features(layers.Territoires) {
		period, ti := tf.String("period"), tf.String("ti_id")
		got, ok := fx.pr.Territory(period, ti)
		if !ok {
			t.Fatalf("Territory(%s, %s) not found", period, ti)
		}
		n++
		name := tf.ID
		if got.Territory.ID != tf.ID || got.Territory.TIID != ti || got.Territory.Period != period || got.Territory.Name != tf.String("name") ||
			got.Region != tf.String("region") || got.RegionName != tf.String("region_name") {
			t.Fatalf("%s: %+v region %s %s", name, got.Territory, got.Region, got.RegionName)
		}
		m := membership[period]
		members := map[string]bool{}
		var count, without int
		var pop int64
		epcis := map[string]int{}
		for _, c := range b.features(layers.Communes) {
			if c.Properties[m[0]] != true || c.String(m[1]) != ti {
				continue
			}
			members[c.String("code_insee")] = true
			count++
			if v, ok := c.Properties["population"].(int64); ok {
				pop += v
			} else {
				without++
			}
			if e := c.String("epci"); e != "" {
				epcis[e]++
			}
		}
		if got.Communes.Count != count || got.Communes.Population != pop || got.Communes.WithoutPopulation != without {
			t.Fatalf("%s: communes %+v, want %d (%d people, %d without)", name, got.Communes, count, pop, without)
		}
		gotEPCI := map[string]int{}
		for i, e := range got.EPCIs {
			gotEPCI[e.SIREN] = e.NCommunes
			if i > 0 && got.EPCIs[i-1].SIREN >= e.SIREN {
				t.Fatalf("%s: EPCIs out of order", name)
			}
		}
		if !mapsEqual(gotEPCI, epcis) {
			t.Fatalf("%s: EPCIs %v, want %v", name, gotEPCI, epcis)
		}
		memberList := func(layer string, keep func(*dataset.Feature) bool) []bHit {
			var out []bHit
			fs := b.features(layer)
			for i := range fs {
				if keep(&fs[i]) {
					out = append(out, bHit{f: &fs[i]})
				}
			}
			slices.SortFunc(out, func(x, y bHit) int { return strings.Compare(x.f.ID, y.f.ID) })
			return out
		}
		inside := func(f *dataset.Feature) bool { return members[f.String("code_insee")] }
		sites := memberList("sites", inside)
		checkList(t, name+" sites", got.Sites, sites, false)
		waves := map[string]int{}
		for _, s := range sites {
			for _, w := range strings.Fields(s.f.String("waves")) {
				waves[w]++
			}
		}
		if !mapsEqual(got.SitesByWave, waves) {
			t.Fatalf("%s: sites by wave %v, want %v", name, got.SitesByWave, waves)
		}
		formations := memberList("formations", inside)
		byCat := map[string]int{}
		for _, f := range formations {
			byCat[f.f.String("category")]++
		}
		if got.Formations.Total != len(formations) || !mapsEqual(got.Formations.ByCategory, byCat) {
			t.Fatalf("%s: formations %+v, want %d %v", name, got.Formations, len(formations), byCat)
		}
		checkList(t, name+" cnam", got.Cnam, memberList("cnam", inside), false)
		checkList(t, name+" acv", got.ACV, memberList("acv", func(f *dataset.Feature) bool {
			return slices.ContainsFunc(acvCodes(f), func(c string) bool { return members[c] })
		}), false)
		nWaves, nCnam, nACV = nWaves+len(got.SitesByWave), nCnam+len(got.Cnam), nACV+len(got.ACV)
		for _, nb := range got.Neighbours {
			if nb.Period != period || nb.ID == tf.ID {
				t.Fatalf("%s: neighbour %+v", name, nb)
			}
		}
	}
	if nWaves == 0 || nCnam == 0 || nACV == 0 {
		t.Errorf("no territory has sites by wave (%d), Cnam antennas (%d) or ACV towns (%d)", nWaves, nCnam, nACV)
	}
	if n != 183+149 {
		t.Errorf("%d territories profiled, want 183 + 149", n)
	}
	for _, bad := range [][2]string{{layers.Period2023, "ti-9999"}, {"2030-2035", "ti-8413"}, {layers.Period2018, ""}} {
		if _, ok := fx.pr.Territory(bad[0], bad[1]); ok {
			t.Errorf("Territory(%q, %q) found", bad[0], bad[1])
		}
	}
}
