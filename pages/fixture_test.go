package pages

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/net/html"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// Fixture profiles, written by hand, for the templates' tests; the real
// data's are in server's tests.

func ptr[T any](v T) *T { return &v }

// fixtureProfiles answers one site and one territory of each period.
type fixtureProfiles struct{}

const fixtureSiteName = `Site <b>Usine & Cie</b> "nord"`

func (fixtureProfiles) Site(id string) (profile.Point, bool) {
	if id != "site-1" {
		return profile.Point{}, false
	}
	terr := &profile.Territory{ID: "2023/ti-2704", TIID: "ti-2704", Period: layers.Period2023, Name: "Nord Franche-Comté & <Co>", Population: ptr[int64](123456), NCommunes: 42}
	old := &profile.Territory{ID: "2018/ti-2701", TIID: "ti-2701", Period: layers.Period2018, Name: "Ancien territoire", NCommunes: 10}
	return profile.Point{
		Site:   &profile.Feature{ID: "site-1", Layer: "sites", Name: fixtureSiteName, Category: "2020-07 2024-04", Commune: "Belfort", CodeInsee: "90010", Lon: 6.8628, Lat: 47.6397, Precision: "commune"},
		Origin: profile.Origin{Lon: 6.8628, Lat: 47.6397, Precision: "commune", Note: "distances mesurées depuis le centroïde de Belfort"},
		Commune: &profile.Commune{Code: "90010", Name: "Belfort", Population: ptr[int64](46443), EPCI: "249000241", EPCIName: "CA du Grand Belfort",
			ACV: "acv-001", ACVName: "Belfort", IsACV: true},
		Territoires: map[string]*profile.Territory{layers.Period2023: terr, layers.Period2018: old},
		Formations: profile.Formations{
			Counts: []profile.RadiusCount{
				{RadiusKm: 10, Total: 3, ByCategory: map[string]int{"lycee_professionnel": 2, "cnam": 1}},
				{RadiusKm: 30, Total: 9, ByCategory: map[string]int{"lycee_professionnel": 5, "cnam": 1, "cfa_uimm": 3}},
				{RadiusKm: 50, Total: 1234, ByCategory: map[string]int{"lycee_professionnel": 1200, "cnam": 2, "cfa_uimm": 32}},
			},
			Nearest: map[string][]profile.Feature{
				"lycee_professionnel": {
					{ID: "f1", Layer: "formations", Name: "Lycée Raoul Follereau", Category: "lycee_professionnel", Commune: "Belfort", DistanceM: ptr(850.0), Precision: "exact"},
					{ID: "f2", Layer: "formations", Name: "Lycée Denfert", Category: "lycee_professionnel", Commune: "Belfort", DistanceM: ptr(1234.5), Precision: "commune"},
				},
				"cnam": {{ID: "f3", Layer: "formations", Name: "Cnam Bourgogne-Franche-Comté", Category: "cnam", Commune: "Belfort", DistanceM: ptr(0.0), Precision: "commune"}},
			},
		},
		Cnam:  []profile.Feature{{ID: "cnam-1", Layer: "cnam", Name: "Antenne de Belfort", Category: "2-2020", Commune: "Belfort", DistanceM: ptr(120.0), Precision: "commune"}},
		ACV:   []profile.Feature{{ID: "acv-001", Layer: "acv", Name: "Belfort", Commune: "Belfort", DistanceM: ptr(0.0), Precision: "commune"}},
		Sites: []profile.Feature{{ID: "site-2", Layer: "sites", Name: "Site clé en main — Montbéliard", Category: "2020-07", Commune: "Montbéliard", DistanceM: ptr(17250.0), Precision: "commune"}},
		Provenance: map[string]profile.Provenance{
			"sites":      {Title: "Sites industriels clés en main", Sources: []dataset.Source{{Name: "ANCT <liste>", URL: "https://example.org/anct", Licence: "Licence Ouverte 2.0", Vintage: "2024"}}},
			"formations": {Title: "Formation", Sources: []dataset.Source{{Name: "Annuaire", Licence: "Licence Ouverte 2.0", Vintage: "2024-11"}}},
		},
	}, true
}

func (fixtureProfiles) Territory(period, id string) (profile.TerritoryProfile, bool) {
	if id != "ti-2704" || period != layers.Period2023 {
		if id == "ti-2701" && period == layers.Period2018 {
			return profile.TerritoryProfile{Territory: profile.Territory{ID: "2018/ti-2701", TIID: "ti-2701", Period: period, Name: "Ancien territoire"}}, true
		}
		return profile.TerritoryProfile{}, false
	}
	return profile.TerritoryProfile{
		Territory:  profile.Territory{ID: "2023/ti-2704", TIID: "ti-2704", Period: period, Name: "Nord Franche-Comté & <Co>", Population: ptr[int64](123456), NCommunes: 42},
		Region:     "27",
		RegionName: "Bourgogne-Franche-Comté",
		Communes:   profile.CommuneCount{Count: 42, Population: 123456, WithoutPopulation: 1},
		EPCIs:      []profile.EPCI{{SIREN: "249000241", Name: "CA du Grand Belfort", NCommunes: 30}, {SIREN: "200041622", Name: "CC du Sud Territoire", NCommunes: 12}},
		Sites: []profile.Feature{
			{ID: "site-1", Layer: "sites", Name: fixtureSiteName, Category: "2020-07", Commune: "Belfort", Precision: "commune"},
		},
		SitesByWave: map[string]int{"2024-04": 1, "2020-07": 2},
		Formations:  profile.Count{Total: 17, ByCategory: map[string]int{"lycee_professionnel": 12, "cfa_uimm": 5}},
		Cnam:        []profile.Feature{{ID: "cnam-1", Layer: "cnam", Name: "Antenne de Belfort", Precision: "commune"}},
		ACV:         []profile.Feature{{ID: "acv-001", Layer: "acv", Name: "Belfort", Precision: "commune"}},
		Neighbours:  []profile.Territory{{ID: "2023/ti-2705", TIID: "ti-2705", Period: period, Name: "Territoire voisin", NCommunes: 7}},
		Provenance: map[string]profile.Provenance{
			"territoires": {Title: "Territoires d'industrie", Sources: []dataset.Source{{Name: "ANCT", Licence: "Licence Ouverte 2.0", Vintage: "2024-09"}}},
		},
	}, true
}

// newTestApp mounts the pages on a Fiber app whose errors are JSON, as
// the server's are.
func newTestApp(tb testing.TB, prof Profiles) *fiber.App {
	tb.Helper()
	p := New(Config{Registry: layers.Default(), Assets: "/static/v1", Profiles: func() Profiles { return prof }})
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		code := fiber.StatusInternalServerError
		if fe, ok := err.(*fiber.Error); ok {
			code = fe.Code
		}
		return c.Status(code).JSON(fiber.Map{"error": err.Error()})
	}})
	for _, r := range p.Routes() {
		app.Get(r.Path, r.Handler)
	}
	return app
}

type answer struct {
	status int
	header map[string]string
	body   string
	doc    *html.Node
}

func get(tb testing.TB, app *fiber.App, target string, header ...string) answer {
	tb.Helper()
	// The path in the request line and the host in Host, as clients send
	// them: HTTP/1.1 servers refuse a request without Host.
	req := httptest.NewRequest("GET", target, nil)
	req.Host = "example.test"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(b), header: map[string]string{}}
	for k := range resp.Header {
		a.header[k] = resp.Header.Get(k)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if a.doc, err = html.Parse(strings.NewReader(a.body)); err != nil {
			tb.Fatal(err)
		}
	}
	return a
}

// ---- reading the HTML ----

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// findAll returns the elements under n that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func byAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, key) == val }
}

func find(tb testing.TB, n *html.Node, match func(*html.Node) bool, what string) *html.Node {
	tb.Helper()
	all := findAll(n, match)
	if len(all) == 0 {
		tb.Fatalf("no %s in the page", what)
	}
	return all[0]
}

// text is the element's text, spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	// Only ASCII white space: the no-break spaces of numbers stay.
	return strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }), " ")
}

// fact is the text of a fact row's value.
func factValue(tb testing.TB, doc *html.Node, field string) string {
	tb.Helper()
	return text(find(tb, find(tb, doc, byAttr("data-fact", field), "fact "+field), tag("dd"), "dd of "+field))
}

// tableRows reads a table's body: the row heads and the numbers after.
func tableRows(tb testing.TB, t *html.Node) [][]string {
	tb.Helper()
	var out [][]string
	for _, tr := range findAll(find(tb, t, tag("tbody"), "tbody"), tag("tr")) {
		var row []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				row = append(row, text(c))
			}
		}
		out = append(out, row)
	}
	return out
}
