package pages

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// The pages of the real data: what they show is what the profiler says.

var realCatalog = sync.OnceValues(func() (*api.Catalog, error) {
	ds, err := dataset.Load(data.FS)
	if err != nil {
		return nil, err
	}
	return api.NewCatalog(ds, layers.Default())
})

func realProfiles(tb testing.TB) *profile.Profiler {
	tb.Helper()
	cat, err := realCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	return cat.Profiles
}

// dump leaves a page in $PAGES_DUMP, to look at.
func dump(tb testing.TB, name, body string) {
	if dir := os.Getenv("PAGES_DUMP"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Error(err)
		}
	}
}

// A real site: the first, in id order, with a commune, a territory, ACV
// towns or Cnam antennas and other sites around it.
func realSite(tb testing.TB, prof *profile.Profiler) profile.Point {
	tb.Helper()
	cat, _ := realCatalog()
	hits, _ := cat.Index.Features(sitesLayer, index.Filter{}, 0, 1000)
	for _, h := range hits {
		if pt, ok := prof.Site(h.Feature.ID); ok && pt.Commune != nil && len(pt.Cnam)+len(pt.ACV) > 0 && len(pt.Sites) > 0 && pt.Territoires[layers.Period2023] != nil {
			return pt
		}
	}
	tb.Fatal("no site with ACV towns or Cnam antennas and other sites around")
	return profile.Point{}
}

func TestRealSitePage(t *testing.T) {
	prof := realProfiles(t)
	app := newTestApp(t, prof)
	pt := realSite(t, prof)
	for _, lang := range []string{langFR, langEN} {
		t.Run(lang, func(t *testing.T) {
			v := newVocabulary(lang)
			target := "/sites/" + url.PathEscape(pt.Site.ID)
			if lang == langEN {
				target += "?lang=en"
			}
			a := get(t, app, target)
			if a.status != 200 {
				t.Fatalf("%s: %d", target, a.status)
			}
			dump(t, "site-"+lang+".html", a.body)
			doc := a.doc
			if got := attr(find(t, doc, tag("html"), "html"), "lang"); got != lang {
				t.Errorf("lang %q", got)
			}
			if h1 := findAll(doc, tag("h1")); len(h1) != 1 || text(h1[0]) != pt.Site.Name {
				t.Errorf("h1 %v", h1)
			}
			if got := factValue(t, doc, "population"); got != v.number(*pt.Commune.Population) {
				t.Errorf("population %q, profile %d", got, *pt.Commune.Population)
			}
			if got := factValue(t, doc, "commune"); !strings.HasPrefix(got, pt.Commune.Name+" ") || !strings.Contains(got, pt.Commune.Code) {
				t.Errorf("commune %q", got)
			}
			// The training centres: table cells are the profile's counts.
			rows := tableRows(t, find(t, find(t, doc, func(n *html.Node) bool { return hasClass(n, "place-chart") }, "chart"), tag("table"), "table"))
			bars := findAll(find(t, doc, tag("svg"), "svg"), func(n *html.Node) bool { return hasClass(n, "place-bar") })
			if len(bars) != len(rows) {
				t.Errorf("%d bars, %d rows", len(bars), len(rows))
			}
			byLabel := map[string][]string{}
			for i, r := range rows {
				byLabel[r[0]] = r[1:]
				if got := attr(bars[i], "data-counts"); got != strings.Join(numbers(r[1:]), ",") {
					t.Errorf("bar %d %q, row %v", i, got, r)
				}
			}
			codes := codes{reg: layers.Default()}
			for i, rc := range pt.Formations.Counts {
				sum := 0
				for c, n := range rc.ByCategory {
					row := byLabel[v.word(codes.label(formationsLayer, c))]
					if len(row) != len(pt.Formations.Counts) || row[i] != v.number(int64(n)) {
						t.Errorf("%s within %v km: row %v, profile %d", c, rc.RadiusKm, row, n)
					}
					sum += n
				}
				if sum != rc.Total {
					t.Logf("within %v km: %d centres without a category", rc.RadiusKm, rc.Total-sum)
				}
			}
			// The nearest of each category, the Cnam antennas, ACV towns and
			// other sites: as many as the profile, with their distances.
			for c, fs := range pt.Formations.Nearest {
				if len(fs) == 0 {
					continue
				}
				g := find(t, doc, byAttr("id", "proches-"+c), "nearest "+c)
				checkItems(t, v, g, fs)
			}
			for id, fs := range map[string][]profile.Feature{"cnam": pt.Cnam, "acv": pt.ACV, "sites": pt.Sites} {
				checkItems(t, v, find(t, doc, byAttr("id", id), id), fs)
			}
			// Links: the territories, the map, the JSON, the other sites.
			hrefs := map[string]bool{}
			for _, n := range findAll(doc, tag("a")) {
				hrefs[attr(n, "href")] = true
			}
			suffix := ""
			if lang == langEN {
				suffix = "&lang=en"
			}
			ti := pt.Territoires[layers.Period2023]
			for _, want := range []string{"/territoires/" + ti.TIID + "?period=" + layers.Period2023 + suffix, "/sites/" + pt.Sites[0].ID + strings.Replace(suffix, "&", "?", 1)} {
				if !hrefs[want] {
					t.Errorf("no link to %s", want)
				}
			}
			mapLink := find(t, doc, byAttr("data-action", "map"), "map link")
			if h := attr(mapLink, "href"); !strings.HasPrefix(h, "/#") || !strings.Contains(h, "sel="+pt.Site.ID) || text(mapLink) != v.t("on.map") {
				t.Errorf("map link %q %q", h, text(mapLink))
			}
			if iframe := find(t, doc, tag("iframe"), "iframe"); !strings.HasPrefix(attr(iframe, "src"), "/embed?center=") {
				t.Errorf("iframe %q", attr(iframe, "src"))
			}
			// Precision: the commune's centroid, named.
			if pt.Origin.Precision == profile.PrecisionCommune && !strings.Contains(text(find(t, doc, byAttr("id", "sources"), "sources")), v.f("precision.commune", "commune", pt.Commune.Name)) {
				t.Error("the precision is not stated")
			}
		})
	}
}

// numbers reads formatted counts back.
func numbers(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.NewReplacer("\u202f", "", ",", "").Replace(c)
	}
	return out
}

// checkItems: the list under n names the features, in order, with their
// distances.
func checkItems(t *testing.T, v vocabulary, n *html.Node, fs []profile.Feature) {
	t.Helper()
	lis := findAll(n, tag("li"))
	if len(lis) != len(fs) {
		t.Errorf("%s: %d items, profile %d", attr(n, "id"), len(lis), len(fs))
		return
	}
	for i, f := range fs {
		got := onScreen(lis[i])
		if !strings.HasPrefix(got, f.Name) || (f.DistanceM != nil && !strings.HasSuffix(got, v.distance(*f.DistanceM))) {
			t.Errorf("%s item %d: %q, profile %s %v", attr(n, "id"), i, got, f.Name, f.DistanceM)
		}
	}
}

func TestRealTerritoryPage(t *testing.T) {
	prof := realProfiles(t)
	app := newTestApp(t, prof)
	for _, period := range layers.Periods() {
		pt := realSite(t, prof)
		id := pt.Territoires[layers.Period2023].TIID
		if period == layers.Period2018 {
			// A first-period territory with an apostrophe in its name.
			cat, _ := realCatalog()
			hits, _ := cat.Index.Features(layers.Territoires, index.Filter{Period: period}, 0, 1000)
			for _, h := range hits {
				if strings.Contains(h.Feature.String("name"), "'") {
					id = h.Feature.String("ti_id")
					break
				}
			}
		}
		tp, ok := prof.Territory(period, id)
		if !ok {
			t.Fatalf("no territory %s %s", period, id)
		}
		t.Run(period, func(t *testing.T) {
			v := newVocabulary(langFR)
			a := get(t, app, "/territoires/"+id+"?period="+period)
			if a.status != 200 {
				t.Fatalf("%d", a.status)
			}
			dump(t, "territoire-"+period+".html", a.body)
			doc := a.doc
			if h1 := findAll(doc, tag("h1")); len(h1) != 1 || text(h1[0]) != tp.Territory.Name {
				t.Errorf("h1 %q, want %q", text(h1[0]), tp.Territory.Name)
			}
			if strings.Contains(tp.Territory.Name, "'") && !strings.Contains(a.body, strings.ReplaceAll(tp.Territory.Name, "'", "&#39;")) {
				t.Error("the name is not escaped as html/template does")
			}
			for field, want := range map[string]string{
				"communes": v.number(int64(tp.Communes.Count)), "epcis": v.number(int64(len(tp.EPCIs))), "sites": v.number(int64(len(tp.Sites))),
				"formations": v.number(int64(tp.Formations.Total)), "acv": v.number(int64(len(tp.ACV))), "cnam": v.number(int64(len(tp.Cnam))),
				"period": period, "id": id,
			} {
				if got := factValue(t, doc, field); got != want {
					t.Errorf("fact %s: %q, profile %q", field, got, want)
				}
			}
			if got := factValue(t, doc, "population"); !strings.HasPrefix(got, v.number(tp.Communes.Population)+" ") {
				t.Errorf("population %q, profile %d", got, tp.Communes.Population)
			}
			codes := codes{reg: layers.Default()}
			rows := tableRows(t, find(t, find(t, doc, func(n *html.Node) bool { return hasClass(n, "place-chart") }, "chart"), tag("table"), "table"))
			byLabel := map[string]string{}
			for _, r := range rows {
				byLabel[r[0]] = r[1]
			}
			for c, n := range tp.Formations.ByCategory {
				if got := byLabel[v.word(codes.label(formationsLayer, c))]; got != v.number(int64(n)) {
					t.Errorf("%s: %q, profile %d", c, got, n)
				}
			}
			if len(tp.EPCIs) > 0 {
				epci := tableRows(t, find(t, find(t, doc, byAttr("id", "epci"), "EPCIs"), tag("table"), "EPCI table"))
				if len(epci) != len(tp.EPCIs) || epci[0][1] != tp.EPCIs[0].SIREN || epci[0][2] != strconv.Itoa(tp.EPCIs[0].NCommunes) {
					t.Errorf("EPCIs %v", epci)
				}
			}
			hrefs := map[string]bool{}
			for _, n := range findAll(doc, tag("a")) {
				hrefs[attr(n, "href")] = true
			}
			for _, s := range tp.Sites {
				if !hrefs["/sites/"+s.ID] {
					t.Errorf("no link to site %s", s.ID)
				}
			}
			for _, n := range tp.Neighbours {
				if !hrefs["/territoires/"+n.TIID+"?period="+period] {
					t.Errorf("no link to neighbour %s", n.TIID)
				}
			}
			if len(tp.Neighbours) == 0 && period == layers.Period2023 {
				t.Error("a territory without neighbours: pick another")
			}
			want := "/embed?territoire=" + tp.Territory.ID
			if src := attr(find(t, doc, tag("iframe"), "iframe"), "src"); src != want {
				t.Errorf("iframe %q, want %q", src, want)
			}
			if !slices.ContainsFunc(findAll(doc, tag("a")), func(n *html.Node) bool { return strings.Contains(attr(n, "href"), "sel="+tp.Territory.ID) }) {
				t.Error("no link to the map page framed on the territory")
			}
		})
	}
}

// onScreen is an element's text without what only the printed page says.
func onScreen(n *html.Node) string {
	var parts []string
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && hasClass(c, "place-print-only") {
			continue
		}
		parts = append(parts, text(c))
	}
	return strings.Join(strings.FieldsFunc(strings.Join(parts, " "), func(r rune) bool { return r == ' ' }), " ")
}
