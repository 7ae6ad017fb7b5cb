package pages

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// From a profile to a view: the site page and the territory page.

// place is what both pages need besides their profile: the words, the
// registry's, the request's base URL and the assets' prefix.
type place struct {
	v      vocabulary
	codes  codes
	base   string // scheme://host of the request (or the public URL)
	assets string
	// path is the page's path; query its parameters other than lang.
	path  string
	query url.Values
}

// href adds the page's language to an address of the service.
func (pl place) href(u string) string {
	if u == "" || pl.v.lang == langFR {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	if strings.Contains(u, "#") {
		// The map page keeps its state in the fragment.
		return u + "&lang=" + pl.v.lang
	}
	return u + sep + "lang=" + pl.v.lang
}

// common fills what every page has: title, language links, assets.
func (pl place) common(vw *view, title string) {
	vw.Lang = pl.v.lang
	vw.Assets = pl.assets
	vw.Title = title + " — " + pl.v.t("title.suffix")
	self := url.Values{}
	for k, vs := range pl.query {
		self[k] = vs
	}
	other := url.Values{}
	for k, vs := range pl.query {
		other[k] = vs
	}
	if pl.v.lang == langEN {
		self.Set("lang", langEN)
	} else {
		other.Set("lang", langEN)
	}
	vw.Canonical = pl.base + withQuery(pl.path, self)
	otherLang := langEN
	if pl.v.lang == langEN {
		otherLang = langFR
	}
	vw.Other = link{Label: pl.v.t("lang.other"), Href: withQuery(pl.path, other), Lang: otherLang}
}

// finish writes the addresses printed in place of the links.
func (pl place) finish(vw *view) {
	vw.MapPrint = pl.v.f("map.print", "url", vw.MapURLAbs)
	vw.PagePrint = pl.v.f("page.url", "url", vw.Canonical)
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// shortQuery writes parameters as the map pages write theirs: slashes and
// commas left readable.
func shortQuery(q url.Values) string {
	return strings.NewReplacer("%2F", "/", "%2C", ",").Replace(q.Encode())
}

// visibleLayers are the layers the map shows by default, plus extra.
func visibleLayers(reg layers.Registry, extra string) []string {
	var out []string
	for _, l := range reg {
		if l.Legend != nil && (l.Legend.Visible || l.ID == extra) {
			out = append(out, l.ID)
		}
	}
	return out
}

// population is a population, or "not known".
func (pl place) population(p *int64) string {
	if p == nil {
		return pl.v.t("unknown")
	}
	return pl.v.number(*p)
}

// categoryOrder sorts category labels by their counts (the last column,
// largest first), then by name in the page's language.
func categoryOrder(lang string, labels []string, counts [][]int) []int {
	tag := language.French
	if lang == langEN {
		tag = language.BritishEnglish
	}
	byName := collate.New(tag)
	idx := make([]int, len(labels))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ca, cb := counts[a], counts[b]
		if c := cmp.Compare(cb[len(cb)-1], ca[len(ca)-1]); c != 0 {
			return c
		}
		return byName.CompareString(labels[a], labels[b])
	})
	return idx
}

// featureValues are a profile feature's values for its page address.
func featureValues(f profile.Feature) func(string) string {
	return func(field string) string {
		switch field {
		case layers.PageIDField:
			return f.ID
		case "code_insee":
			return f.CodeInsee
		}
		return ""
	}
}

// territoryValues are a territory's values for its page address.
func territoryValues(t profile.Territory) func(string) string {
	return func(field string) string {
		switch field {
		case layers.PageIDField:
			return t.ID
		case "ti_id":
			return t.TIID
		case "period":
			return t.Period
		}
		return ""
	}
}

// territoryLink is a territory's name, linked to its page.
func (pl place) territoryFact(label string, t *profile.Territory) fact {
	if t == nil {
		return fact{Label: label, Value: pl.v.t("none")}
	}
	f := fact{Label: label, Value: t.Name, Href: pl.href(pl.codes.page(layers.Territoires, territoryValues(*t)))}
	var parts []string
	if t.NCommunes > 0 {
		parts = append(parts, pl.v.number(t.NCommunes)+" "+strings.ToLower(pl.v.t("communes")))
	}
	if t.Population != nil {
		parts = append(parts, pl.v.f("population.sum", "n", pl.v.number(*t.Population)))
	}
	f.Note = strings.Join(parts, " · ")
	return f
}

// item lists a profile feature: its page when its layer has one, its
// category's name (unless the list is of one category) and commune, its
// distance.
func (pl place) item(f profile.Feature, withCategory bool) item {
	it := item{Name: f.Name, Href: pl.href(pl.codes.page(f.Layer, featureValues(f)))}
	var meta []string
	for _, c := range strings.Fields(f.Category) {
		if withCategory {
			meta = append(meta, pl.v.word(pl.codes.label(f.Layer, c)))
		}
	}
	if f.Commune != "" && f.Commune != f.Name {
		meta = append(meta, f.Commune)
	}
	it.Meta = strings.Join(meta, " · ")
	if f.DistanceM != nil {
		it.Distance = pl.v.distance(*f.DistanceM)
	}
	return it
}

func (pl place) items(fs []profile.Feature) []item {
	out := make([]item, 0, len(fs))
	for _, f := range fs {
		out = append(out, pl.item(f, true))
	}
	return pl.printCap(out, printListCap)
}

// How many items of a list the printed page keeps: the nearest training
// centres of each category, and any other list.
const (
	printNearestCap = 3
	printListCap    = 8
)

// printCap marks the items past n as left out of print, and says how
// many there are on the last one printed.
func (pl place) printCap(items []item, n int) []item {
	if len(items) <= n {
		return items
	}
	for i := n; i < len(items); i++ {
		items[i].Extra = true
	}
	items[n-1].More = pl.v.f("print.more", "n", pl.v.number(int64(len(items)-n)))
	return items
}

// sources lists the provenance of the layers, in registry order (layers
// the registry does not know last, by id): each source once, by its short
// name, with the layers it feeds; and each layer's sources in full.
func (pl place) sources(prov map[string]profile.Provenance) (unique []sourceItem, details []source) {
	ids := make([]string, 0, len(prov))
	for id := range prov {
		ids = append(ids, id)
	}
	order := pl.codes.reg.IDs()
	rank := func(id string) int {
		if i := slices.Index(order, id); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b)) })
	seen := map[string]int{}
	for _, id := range ids {
		layer := pl.v.word(pl.codes.layerName(id))
		s := source{Layer: layer}
		for _, src := range prov[id].Sources {
			it := sourceItem{Name: shortName(src.Name), Full: src.Name, URL: src.URL, Licence: src.Licence, Vintage: src.Vintage, Note: src.Note}
			s.Items = append(s.Items, it)
			if i, ok := seen[src.Name]; ok {
				unique[i].Layers += ", " + layer
				continue
			}
			seen[src.Name] = len(unique)
			it.Layers = layer
			it.Vintage, _, _ = strings.Cut(src.Vintage, " ")
			unique = append(unique, it)
		}
		details = append(details, s)
	}
	return unique, details
}

// shortName is a source's name up to its first parenthesis or comma, as
// the map's popups say it.
func shortName(name string) string {
	if i := strings.IndexAny(name, "(,"); i > 0 {
		return strings.TrimSpace(name[:i])
	}
	return name
}

// approximate counts the listed features placed at their commune's
// centroid.
func approximate(lists ...[]profile.Feature) (n, total int) {
	for _, l := range lists {
		for _, f := range l {
			total++
			if f.Precision == "commune" {
				n++
			}
		}
	}
	return n, total
}

// ---- the site page ----

// siteView is the page of a turnkey site.
func (pl place) siteView(pt profile.Point, jsonURL string) view {
	v := pl.v
	var site profile.Feature
	if pt.Site != nil {
		site = *pt.Site
	}
	layer := cmp.Or(site.Layer, sitesLayer)
	lastKm := v.decimal(profile.Radii[len(profile.Radii)-1])
	vw := view{Kind: v.word(pl.codes.kind(layer)), H1: site.Name, JSONURL: jsonURL}
	pl.common(&vw, site.Name)
	commune := ""
	if pt.Commune != nil {
		commune = pt.Commune.Name
	}
	vw.Lead = v.f("site.lead", "kind", vw.Kind, "commune", commune)
	if commune == "" {
		vw.Lead = v.f("site.lead.nowhere", "kind", vw.Kind)
	}
	vw.Desc = v.f("site.desc", "name", site.Name, "km", lastKm)

	// The map: the site's point, its layer shown.
	zoom := 12.0
	if l, ok := pl.codes.reg.Layer(layer); ok && l.FocusZoom > 0 {
		zoom = l.FocusZoom
	}
	shown := visibleLayers(pl.codes.reg, layer)
	hash := url.Values{}
	hash.Set("map", fmt.Sprintf("%g/%.5f/%.5f", zoom, pt.Origin.Lat, pt.Origin.Lon))
	hash.Set("layers", strings.Join(shown, ","))
	if site.ID != "" {
		hash.Set("sel", site.ID)
	}
	vw.MapURL = pl.href("/#" + shortQuery(hash))
	vw.MapURLAbs = pl.base + vw.MapURL
	embed := url.Values{}
	embed.Set("center", fmt.Sprintf("%.5f,%.5f", pt.Origin.Lon, pt.Origin.Lat))
	embed.Set("zoom", "9")
	embed.Set("layers", strings.Join(shown, ","))
	vw.Embed = &frame{Src: pl.href("/embed?" + shortQuery(embed)), Title: v.f("map.title", "name", site.Name)}

	// The commune and its territories.
	vw.FactsHeading = v.t("place")
	if c := pt.Commune; c != nil {
		vw.Facts = append(vw.Facts,
			fact{Field: "commune", Label: v.t("commune"), Value: c.Name, Note: v.f("code.insee", "code", c.Code)},
			fact{Field: "population", Label: v.t("population"), Value: pl.population(c.Population)})
		epci := fact{Field: "epci", Label: v.t("epci"), Value: cmp.Or(c.EPCIName, c.EPCI, v.t("none"))}
		if c.EPCI != "" {
			epci.Note = v.f("siren", "code", c.EPCI)
		}
		acv := fact{Field: "acv", Label: v.word(pl.codes.layerName(acvLayer)), Value: v.t("no")}
		if c.IsACV || c.ACV != "" {
			acv.Value = v.t("yes")
			acv.Note = c.ACVName
		}
		vw.Facts = append(vw.Facts, epci, acv)
	} else {
		vw.Facts = append(vw.Facts, fact{Field: "commune", Label: v.t("commune"), Value: v.t("no.commune")})
	}
	for _, period := range layers.Periods() {
		f := pl.territoryFact(v.f("territory.of", "period", period), pt.Territoires[period])
		f.Field = "territoire-" + period
		vw.Facts = append(vw.Facts, f)
	}
	if waves := strings.Fields(site.Category); len(waves) > 0 {
		var names []string
		for _, w := range waves {
			names = append(names, v.word(pl.codes.label(layer, w)))
		}
		vw.Facts = append(vw.Facts, fact{Field: "waves", Label: v.word(pl.codes.groupLabel(layer, pl.v.words["wave"])), Value: strings.Join(names, ", ")})
	}

	// Training centres: counts by radius and category, the nearest.
	vw.Sections = append(vw.Sections, pl.siteFormations(pt))
	vw.Sections = append(vw.Sections, pl.nearest(pt))
	within := section{ID: "alentours", Heading: v.f("within.last", "km", lastKm)}
	none := v.f("none.within", "km", lastKm)
	within.Groups = []group{
		{ID: "cnam", Heading: v.word(pl.codes.layerName(cnamLayer)), Items: pl.items(pt.Cnam), Empty: none},
		{ID: "acv", Heading: v.word(pl.codes.layerName(acvLayer)), Items: pl.items(pt.ACV), Empty: none},
		{ID: "sites", Heading: v.t("other.sites"), Items: pl.items(pt.Sites), Empty: none},
	}
	vw.Sections = append(vw.Sections, within)

	// Precision, plainly.
	if pt.Origin.Precision == "commune" {
		vw.Precision = append(vw.Precision, v.f("precision.commune", "commune", cmp.Or(commune, site.Commune)))
	} else {
		vw.Precision = append(vw.Precision, v.t("precision.exact"))
	}
	var nearest []profile.Feature
	for _, fs := range pt.Formations.Nearest {
		nearest = append(nearest, fs...)
	}
	if n, total := approximate(nearest, pt.Cnam, pt.ACV, pt.Sites); n > 0 {
		vw.Precision = append(vw.Precision, v.f("precision.listed", "n", v.number(int64(n)), "total", v.number(int64(total))))
	}
	vw.Precision = append(vw.Precision, v.t("crow"))
	vw.Sources, vw.SourceDetails = pl.sources(pt.Provenance)
	pl.finish(&vw)
	return vw
}

// siteFormations is the chart and table of the training centres within
// each radius, by category.
func (pl place) siteFormations(pt profile.Point) section {
	v := pl.v
	var columns, totals []string
	byCat := map[string][]int{}
	for _, c := range pl.codes.categories(formationsLayer) {
		byCat[c] = make([]int, len(pt.Formations.Counts))
	}
	for i, rc := range pt.Formations.Counts {
		km := v.decimal(rc.RadiusKm)
		columns = append(columns, v.f("within", "km", km))
		totals = append(totals, v.number(int64(rc.Total))+" "+v.f("within", "km", km))
		for c, n := range rc.ByCategory {
			if byCat[c] == nil {
				byCat[c] = make([]int, len(pt.Formations.Counts))
			}
			byCat[c][i] = n
		}
	}
	s := section{ID: "formations", Heading: v.t("formations.around")}
	if len(totals) > 0 {
		s.Intro = v.f("formations.totals", "counts", strings.Join(totals, ", "))
	}
	if len(columns) == 0 {
		return s
	}
	inner := make([]string, 0, len(columns)-1)
	for _, rc := range pt.Formations.Counts[:len(columns)-1] {
		inner = append(inner, v.decimal(rc.RadiusKm))
	}
	s.Chart = pl.categoryChart("chart-formations", v.t("chart.title.site"),
		v.f("chart.desc.site", "last", v.decimal(pt.Formations.Counts[len(columns)-1].RadiusKm), "inner", strings.Join(inner, ", ")),
		columns, byCat)
	return s
}

// categoryChart makes the chart of counts by training-centre category,
// rows sorted by their last count.
func (pl place) categoryChart(id, title, desc string, columns []string, byCat map[string][]int) *chart {
	var labels []string
	var counts [][]int
	for c, n := range byCat {
		labels = append(labels, pl.v.word(pl.codes.label(formationsLayer, c)))
		counts = append(counts, n)
	}
	in := chartInput{ID: id, Title: title, Desc: desc, Caption: title, RowHead: pl.v.t("category"), Columns: columns,
		Sep: " / ", Number: pl.v.number}
	for _, i := range categoryOrder(pl.v.lang, labels, counts) {
		in.Labels = append(in.Labels, labels[i])
		in.Counts = append(in.Counts, counts[i])
	}
	return newChart(in)
}

// nearest lists, per category, the nearest training centres, in the
// chart's order.
func (pl place) nearest(pt profile.Point) section {
	v := pl.v
	s := section{ID: "plus-proches", Heading: v.f("nearest", "n", v.number(profile.NearestPerCategory))}
	var labels []string
	var cats []string
	var counts [][]int
	for c, fs := range pt.Formations.Nearest {
		if len(fs) == 0 {
			continue
		}
		cats = append(cats, c)
		labels = append(labels, v.word(pl.codes.label(formationsLayer, c)))
		// Ordered as the chart: by the count within the last radius.
		n := 0
		if k := len(pt.Formations.Counts); k > 0 {
			n = pt.Formations.Counts[k-1].ByCategory[c]
		}
		counts = append(counts, []int{n})
	}
	for _, i := range categoryOrder(v.lang, labels, counts) {
		g := group{ID: "proches-" + cats[i], Heading: labels[i]}
		for _, f := range pt.Formations.Nearest[cats[i]] {
			g.Items = append(g.Items, pl.item(f, false))
		}
		g.Items = pl.printCap(g.Items, printNearestCap)
		s.Groups = append(s.Groups, g)
	}
	if len(s.Groups) == 0 {
		s.Empty = v.t("nearest.none")
	}
	return s
}

// ---- the territory page ----

// territoryView is the page of a Territoire d'industrie.
func (pl place) territoryView(tp profile.TerritoryProfile, jsonURL string) view {
	v := pl.v
	t := tp.Territory
	vw := view{Kind: v.word(pl.codes.kind(layers.Territoires)), H1: t.Name, JSONURL: jsonURL}
	pl.common(&vw, t.Name+" ("+t.Period+")")
	vw.Lead = v.f("ti.lead", "period", t.Period, "region", tp.RegionName)
	if tp.RegionName == "" {
		vw.Lead = v.f("ti.lead.noregion", "period", t.Period)
	}
	vw.Desc = v.f("ti.desc", "name", t.Name, "period", t.Period)

	// The map: the territory alone, framed.
	hash := url.Values{}
	hash.Set("sel", t.ID)
	if t.Period != layers.Periods()[0] {
		hash.Set("period", t.Period)
	}
	vw.MapURL = pl.href("/#" + shortQuery(hash))
	vw.MapURLAbs = pl.base + vw.MapURL
	embed := url.Values{}
	embed.Set("territoire", t.ID)
	vw.Embed = &frame{Src: pl.href("/embed?" + shortQuery(embed)), Title: v.f("map.title", "name", t.Name)}

	// Key figures.
	pop := v.f("population.sum", "n", v.number(tp.Communes.Population))
	if tp.Communes.WithoutPopulation == 1 {
		pop = v.f("population.one", "n", v.number(tp.Communes.Population))
	} else if tp.Communes.WithoutPopulation > 1 {
		pop = v.f("population.some", "n", v.number(tp.Communes.Population), "missing", v.number(int64(tp.Communes.WithoutPopulation)))
	}
	vw.FactsHeading = v.t("ti.figures")
	vw.Facts = []fact{
		{Field: "id", Label: v.t("ti.id"), Value: t.TIID},
		{Field: "period", Label: v.t("period"), Value: t.Period},
		{Field: "region", Label: v.t("region"), Value: cmp.Or(tp.RegionName, tp.Region, v.t("unknown"))},
		{Field: "communes", Label: v.t("communes"), Value: v.number(int64(tp.Communes.Count))},
		{Field: "population", Label: v.t("population"), Value: pop},
		{Field: "epcis", Label: v.t("epcis"), Value: v.number(int64(len(tp.EPCIs)))},
		{Field: "sites", Label: v.word(pl.codes.layerName(sitesLayer)), Value: v.number(int64(len(tp.Sites)))},
		{Field: "formations", Label: v.word(pl.codes.layerName(formationsLayer)), Value: v.number(int64(tp.Formations.Total))},
		{Field: "acv", Label: v.word(pl.codes.layerName(acvLayer)), Value: v.number(int64(len(tp.ACV)))},
		{Field: "cnam", Label: v.word(pl.codes.layerName(cnamLayer)), Value: v.number(int64(len(tp.Cnam)))},
	}

	// Sites, by wave.
	sites := section{ID: "sites", Heading: v.word(pl.codes.layerName(sitesLayer)), Items: pl.items(tp.Sites), Empty: v.t("none.listed")}
	if len(tp.SitesByWave) > 0 {
		var waves []string
		for w := range tp.SitesByWave {
			waves = append(waves, w)
		}
		pl.codes.groupOrder(sitesLayer, waves)
		tb := &table{Caption: v.t("by.wave"), Head: []string{v.word(pl.codes.groupLabel(sitesLayer, v.words["wave"])), v.t("count")}}
		for _, w := range waves {
			tb.Rows = append(tb.Rows, []cell{{Text: v.word(pl.codes.label(sitesLayer, w))}, {Text: v.number(int64(tp.SitesByWave[w])), Num: true}})
		}
		sites.Table = tb
	}

	// Training centres by category.
	byCat := map[string][]int{}
	for _, c := range pl.codes.categories(formationsLayer) {
		byCat[c] = []int{0}
	}
	for c, n := range tp.Formations.ByCategory {
		byCat[c] = []int{n}
	}
	formations := section{ID: "formations", Heading: v.t("formations.in"),
		Intro: v.t("total") + v.t("colon") + v.number(int64(tp.Formations.Total)),
		Chart: pl.categoryChart("chart-formations", v.t("chart.title.ti"), v.t("chart.desc.ti"), []string{v.t("count")}, byCat)}

	// The intercommunalities.
	epcis := section{ID: "epci", Heading: v.t("epcis"), Empty: v.t("none.listed")}
	if len(tp.EPCIs) > 0 {
		tb := &table{Caption: v.t("epcis"), Head: []string{v.t("name"), "SIREN", v.t("epci.communes")}}
		for _, e := range tp.EPCIs {
			tb.Rows = append(tb.Rows, []cell{{Text: cmp.Or(e.Name, e.SIREN)}, {Text: e.SIREN}, {Text: v.number(int64(e.NCommunes)), Num: true}})
		}
		epcis.Table = tb
	}

	// Towns, antennas, neighbours.
	around := section{ID: "villes", Heading: v.word(pl.codes.layerName(acvLayer)) + " · " + v.word(pl.codes.layerName(cnamLayer)),
		Groups: []group{
			{ID: "acv", Heading: v.word(pl.codes.layerName(acvLayer)), Items: pl.items(tp.ACV), Empty: v.t("none.listed")},
			{ID: "cnam", Heading: v.word(pl.codes.layerName(cnamLayer)), Items: pl.items(tp.Cnam), Empty: v.t("none.listed")},
		}}
	neighbours := section{ID: "voisins", Heading: v.t("neighbours"),
		Intro: v.f("neighbours.intro", "km", v.decimal(profile.NeighbourDistanceM/1000.0)), Empty: v.t("none.listed")}
	for _, n := range tp.Neighbours {
		it := item{Name: n.Name, Href: pl.href(pl.codes.page(layers.Territoires, territoryValues(n)))}
		var meta []string
		if n.NCommunes > 0 {
			meta = append(meta, v.number(n.NCommunes)+" "+strings.ToLower(v.t("communes")))
		}
		if n.Population != nil {
			meta = append(meta, v.f("population.sum", "n", v.number(*n.Population)))
		}
		it.Meta = strings.Join(meta, " · ")
		neighbours.Items = append(neighbours.Items, it)
	}
	neighbours.Items = pl.printCap(neighbours.Items, printListCap)
	vw.Sections = []section{formations, sites, epcis, around, neighbours}

	if n, total := approximate(tp.Sites, tp.ACV, tp.Cnam); n > 0 {
		vw.Precision = append(vw.Precision, v.f("precision.sites", "n", v.number(int64(n)), "total", v.number(int64(total))))
	}
	vw.Sources, vw.SourceDetails = pl.sources(tp.Provenance)
	pl.finish(&vw)
	return vw
}
