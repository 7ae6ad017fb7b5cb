package pages

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/territoires-industrie/carte/layers"
)

// The site page of the fixture, in French: the profile's numbers, its
// links, the registry's words, one h1, the chart and its table agreeing.
func TestSitePage(t *testing.T) {
	app := newTestApp(t, fixtureProfiles{})
	a := get(t, app, "/sites/site-1")
	if a.status != 200 || !strings.HasPrefix(a.header["Content-Type"], "text/html") {
		t.Fatalf("%d %s\n%s", a.status, a.header["Content-Type"], a.body)
	}
	doc := a.doc
	if got := attr(find(t, doc, tag("html"), "html"), "lang"); got != "fr" {
		t.Errorf("html lang %q", got)
	}
	h1 := findAll(doc, tag("h1"))
	if len(h1) != 1 || text(h1[0]) != fixtureSiteName {
		t.Errorf("h1: %d, %q", len(h1), text(h1[0]))
	}
	if got := text(find(t, doc, tag("title"), "title")); got != fixtureSiteName+" — Territoires d'industrie" {
		t.Errorf("title %q", got)
	}
	reg := layers.Default()
	sites, _ := reg.Layer("sites")
	if got := text(find(t, doc, func(n *html.Node) bool { return hasClass(n, "place-kind") }, "kind")); got != sites.Kind.FR {
		t.Errorf("kind %q, want the registry's %q", got, sites.Kind.FR)
	}

	tests := []struct{ field, want string }{
		{"commune", "Belfort code INSEE 90010"},
		{"population", "46\u202f443"},
		{"epci", "CA du Grand Belfort SIREN 249000241"},
		{"acv", "oui Belfort"},
		{"territoire-2023-2027", "Nord Franche-Comté & <Co> 42 communes · 123\u202f456 habitants"},
		{"territoire-2018-2023", "Ancien territoire 10 communes"},
	}
	for _, tt := range tests {
		if got := factValue(t, doc, tt.field); got != tt.want {
			t.Errorf("fact %s: %q, want %q", tt.field, got, tt.want)
		}
	}

	// The waves and AMI are named by the registry's groups.
	wave := func(v string) string { g, _ := sites.Filters.Groups.Group(v); return g.Name.FR }
	if got := factValue(t, doc, "waves"); got != wave("2020-07")+", "+wave("2024-04") || got == "2020-07, 2024-04" {
		t.Errorf("waves %q", got)
	}
	cnam, _ := reg.Layer("cnam")
	ami, _ := cnam.Filters.Groups.Group("2-2020")
	if got := text(find(t, doc, byAttr("id", "cnam"), "Cnam antennas")); !strings.Contains(got, "Antenne de Belfort "+ami.Name.FR) {
		t.Errorf("Cnam antennas %q", got)
	}
	hrefs := map[string]bool{}
	for _, n := range findAll(doc, tag("a")) {
		hrefs[attr(n, "href")] = true
	}
	// The map shows the default layers, and the sites.
	shown := strings.Join(visibleLayers(reg, "sites"), ",")
	if !strings.Contains(shown, "sites") {
		t.Fatalf("layers shown %q", shown)
	}
	for _, want := range []string{
		"/territoires/ti-2704?period=2023-2027", "/territoires/ti-2701?period=2018-2023", // the site's territories
		"/sites/site-2", // another site near
		"/#layers=" + shown + "&map=12/47.63970/6.86280&sel=site-1", // on the map
		"http://example.test/api/sites/site-1/profile",              // the JSON
		"/sites/site-1?lang=en",
		"https://example.org/anct", // a source
	} {
		if !hrefs[want] {
			t.Errorf("no link to %s", want)
		}
	}
	iframe := find(t, doc, tag("iframe"), "iframe")
	if src := attr(iframe, "src"); src != "/embed?center=6.86280,47.63970&layers="+shown+"&zoom=9" || attr(iframe, "title") == "" {
		t.Errorf("iframe src %q title %q", src, attr(iframe, "title"))
	}

	// The chart and its table: the same numbers, the profile's.
	svg := find(t, doc, tag("svg"), "chart")
	if attr(svg, "role") != "img" || attr(svg, "aria-labelledby") == "" || len(findAll(svg, tag("title"))) != 1 || len(findAll(svg, tag("desc"))) != 1 {
		t.Errorf("chart not an accessible image: %v", svg.Attr)
	}
	bars := findAll(svg, func(n *html.Node) bool { return hasClass(n, "place-bar") })
	table := find(t, find(t, doc, func(n *html.Node) bool { return hasClass(n, "place-chart") }, "chart block"), tag("table"), "chart table")
	rows := tableRows(t, table)
	formations, _ := reg.Layer("formations")
	category, _ := formations.Field("category")
	if len(bars) != len(rows) || len(rows) != len(category.Popup.Values) {
		t.Fatalf("%d bars, %d rows, %d categories in the registry", len(bars), len(rows), len(category.Popup.Values))
	}
	want := map[string][]string{
		category.Popup.Values["lycee_professionnel"].FR: {"2", "5", "1\u202f200"},
		category.Popup.Values["cfa_uimm"].FR:            {"0", "3", "32"},
		category.Popup.Values["cnam"].FR:                {"1", "1", "2"},
		category.Popup.Values["cfa_compagnons"].FR:      {"0", "0", "0"},
	}
	for i, row := range rows {
		counts := strings.Split(attr(bars[i], "data-counts"), ",")
		for j := range counts {
			n, _ := strconv.Atoi(counts[j])
			if (&vocabulary{lang: langFR}).number(int64(n)) != row[j+1] {
				t.Errorf("row %q: bar %v, table %v", row[0], counts, row[1:])
			}
		}
		if label := text(find(t, bars[i], tag("text"), "label")); label != row[0] {
			t.Errorf("bar %d is %q, table row %q", i, label, row[0])
		}
		if w, ok := want[row[0]]; ok && !slices.Equal(w, row[1:]) {
			t.Errorf("row %q: %v, want %v", row[0], row[1:], w)
		}
	}
	if rows[0][0] != category.Popup.Values["lycee_professionnel"].FR {
		t.Errorf("rows not sorted by count: %v", rows)
	}

	// The nearest, with distances in French notation.
	near := text(find(t, doc, byAttr("id", "proches-lycee_professionnel"), "nearest"))
	if !strings.Contains(near, "Lycée Raoul Follereau") || !strings.Contains(near, "850\u00a0m") || !strings.Contains(near, "1,2\u00a0km") {
		t.Errorf("nearest: %q", near)
	}
	if got := text(find(t, doc, byAttr("id", "sites"), "other sites")); !strings.Contains(got, "17,3\u00a0km") {
		t.Errorf("other sites: %q", got)
	}
	// Precision, plainly.
	prec := text(find(t, doc, byAttr("id", "sources"), "sources"))
	if !strings.Contains(prec, "distances sont mesurées depuis le centroïde de Belfort") || !strings.Contains(prec, "Licence Ouverte 2.0") {
		t.Errorf("precision and sources: %q", prec)
	}
	// Escaping: the name's markup is text, never markup.
	if strings.Contains(a.body, "<b>Usine") || !strings.Contains(a.body, "&lt;b&gt;Usine &amp; Cie&lt;/b&gt;") {
		t.Error("the site's name is not escaped")
	}
	// No inline script or style: the pages' Content-Security-Policy forbids them.
	for _, bad := range []string{"<script", "<style", " style=", " onclick="} {
		if strings.Contains(a.body, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
}

// ?lang=en: the page and its links in English, the registry's English words.
func TestSitePageInEnglish(t *testing.T) {
	app := newTestApp(t, fixtureProfiles{})
	a := get(t, app, "/sites/site-1?lang=en")
	if a.status != 200 {
		t.Fatalf("%d", a.status)
	}
	if got := attr(find(t, a.doc, tag("html"), "html"), "lang"); got != "en" {
		t.Errorf("html lang %q", got)
	}
	reg := layers.Default()
	sites, _ := reg.Layer("sites")
	if got := text(find(t, a.doc, func(n *html.Node) bool { return hasClass(n, "place-kind") }, "kind")); got != sites.Kind.EN {
		t.Errorf("kind %q", got)
	}
	if got := factValue(t, a.doc, "population"); got != "46,443" {
		t.Errorf("population %q", got)
	}
	links := map[string]string{}
	for _, n := range findAll(a.doc, tag("a")) {
		links[attr(n, "href")] = text(n)
	}
	for href, label := range map[string]string{
		"/#layers=" + strings.Join(visibleLayers(reg, "sites"), ",") + "&map=12/47.63970/6.86280&sel=site-1&lang=en": "View on the map",
		"/territoires/ti-2704?period=2023-2027&lang=en":                                                              "Nord Franche-Comté & <Co>",
		"/sites/site-2?lang=en": "Site clé en main — Montbéliard",
		"/sites/site-1":         "Français",
	} {
		if links[href] != label {
			t.Errorf("link %s: %q, want %q", href, links[href], label)
		}
	}
	if src := attr(find(t, a.doc, tag("iframe"), "iframe"), "src"); !strings.HasSuffix(src, "&lang=en") {
		t.Errorf("iframe %q", src)
	}
	formations, _ := reg.Layer("formations")
	category, _ := formations.Field("category")
	if !strings.Contains(a.body, category.Popup.Values["lycee_professionnel"].EN) {
		t.Error("categories not in English")
	}
	if !strings.Contains(text(a.doc), "Distances are measured from the centroid of Belfort") {
		t.Error("precision not in English")
	}
}

func TestTerritoryPage(t *testing.T) {
	app := newTestApp(t, fixtureProfiles{})
	a := get(t, app, "/territoires/ti-2704")
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	doc := a.doc
	if h1 := findAll(doc, tag("h1")); len(h1) != 1 || text(h1[0]) != "Nord Franche-Comté & <Co>" {
		t.Errorf("h1 %v", h1)
	}
	for field, want := range map[string]string{
		"id": "ti-2704", "period": "2023-2027", "region": "Bourgogne-Franche-Comté", "communes": "42",
		"population": "123\u202f456 habitants (1 commune sans population connue)", "epcis": "2", "sites": "1", "formations": "17", "acv": "1", "cnam": "1",
	} {
		if got := factValue(t, doc, field); got != want {
			t.Errorf("fact %s: %q, want %q", field, got, want)
		}
	}
	rows := tableRows(t, find(t, find(t, doc, func(n *html.Node) bool { return hasClass(n, "place-chart") }, "chart"), tag("table"), "table"))
	bars := findAll(find(t, doc, tag("svg"), "svg"), func(n *html.Node) bool { return hasClass(n, "place-bar") })
	if len(rows) != len(bars) || rows[0][1] != "12" || rows[1][1] != "5" {
		t.Errorf("chart: %d bars, rows %v", len(bars), rows)
	}
	sites, _ := layers.Default().Layer("sites")
	waves := tableRows(t, find(t, find(t, doc, byAttr("id", "sites"), "sites section"), tag("table"), "waves table"))
	july, _ := sites.Filters.Groups.Group("2020-07")
	april, _ := sites.Filters.Groups.Group("2024-04")
	if want := [][]string{{july.Name.FR, "2"}, {april.Name.FR, "1"}}; len(waves) != 2 || !slices.Equal(waves[0], want[0]) || !slices.Equal(waves[1], want[1]) {
		t.Errorf("sites by wave %v, want %v in the registry's order", waves, want)
	}
	epci := tableRows(t, find(t, find(t, doc, byAttr("id", "epci"), "EPCI section"), tag("table"), "EPCI table"))
	if len(epci) != 2 || !slices.Equal(epci[0], []string{"CA du Grand Belfort", "249000241", "30"}) {
		t.Errorf("EPCIs %v", epci)
	}
	hrefs := map[string]bool{}
	for _, n := range findAll(doc, tag("a")) {
		hrefs[attr(n, "href")] = true
	}
	for _, want := range []string{"/sites/site-1", "/territoires/ti-2705?period=2023-2027", "/#sel=2023/ti-2704",
		"http://example.test/api/territoires/ti-2704/profile?period=2023-2027"} {
		if !hrefs[want] {
			t.Errorf("no link to %s", want)
		}
	}
	if src := attr(find(t, doc, tag("iframe"), "iframe"), "src"); src != "/embed?territoire=2023/ti-2704" {
		t.Errorf("iframe %q", src)
	}

	// The other period, named by the query.
	a = get(t, app, "/territoires/ti-2701?period=2018-2023&lang=en")
	if a.status != 200 || !strings.Contains(a.body, `href="/#period=2018-2023&amp;sel=2018/ti-2701&amp;lang=en"`) {
		t.Errorf("2018-2023: %d", a.status)
	}
	if got := attr(find(t, a.doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "canonical" }, "canonical"), "href"); got != "http://example.test/territoires/ti-2701?lang=en&period=2018-2023" {
		t.Errorf("canonical %q", got)
	}
}

// Errors: an HTML page naming the id (JSON for a client that asks for
// it), 400 for an unknown period, 503 before the data is loaded.
func TestPageErrors(t *testing.T) {
	app := newTestApp(t, fixtureProfiles{})
	tests := []struct {
		target, accept string
		status         int
		want           string
	}{
		{"/sites/nope", "", 404, "Aucun site clé en main n'a l'identifiant « nope »."},
		{"/sites/%3Cb%3Ex", "text/html", 404, "« <b>x »"},
		{"/sites/nope?lang=en", "", 404, "No turnkey site has the id “nope”."},
		{"/territoires/ti-9999", "", 404, "Aucun Territoire d'industrie 2023-2027 n'a l'identifiant « ti-9999 »."},
		{"/territoires/ti-2704?period=2018-2023", "", 404, "« ti-2704 »"},
		{"/territoires/ti-2704?period=2019", "", 400, "Période inconnue « 2019 » : choisissez 2023-2027, 2018-2023."},
		{"/sites/nope", "application/json", 404, `"error"`},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.accept, func(t *testing.T) {
			var a answer
			if tt.accept != "" {
				a = get(t, app, tt.target, "Accept", tt.accept)
			} else {
				a = get(t, app, tt.target)
			}
			if a.status != tt.status {
				t.Errorf("status %d, want %d", a.status, tt.status)
			}
			if tt.accept == "application/json" {
				var e map[string]string
				if err := json.Unmarshal([]byte(a.body), &e); err != nil || !strings.Contains(e["error"], "nope") {
					t.Errorf("JSON error %q", a.body)
				}
				return
			}
			if a.doc == nil {
				t.Fatalf("not HTML: %s", a.header["Content-Type"])
			}
			msg := find(t, a.doc, byAttr("data-error", strconv.Itoa(tt.status)), "message")
			if !strings.Contains(text(msg), tt.want) {
				t.Errorf("message %q, want %q", text(msg), tt.want)
			}
			if len(findAll(a.doc, tag("h1"))) != 1 || a.header["Cache-Control"] != "no-store" {
				t.Errorf("h1 or Cache-Control %q", a.header["Cache-Control"])
			}
			if strings.Contains(a.body, "<b>x") {
				t.Error("the id is not escaped")
			}
		})
	}
	loading := newTestApp(t, nil)
	if a := get(t, loading, "/sites/site-1"); a.status != 503 || a.header["Retry-After"] == "" || a.doc == nil {
		t.Errorf("before the data: %d %q", a.status, a.header["Retry-After"])
	}
}

// The routes follow the registry's page addresses.
func TestRoutesFollowTheRegistry(t *testing.T) {
	p := New(Config{Registry: layers.Default()})
	var paths []string
	for _, r := range p.Routes() {
		paths = append(paths, r.Path+" "+r.Doc)
		if r.Operation == nil || r.Label == "" {
			t.Errorf("route %s: no operation or label", r.Path)
		}
	}
	if want := []string{"/territoires/:id /territoires/{id}", "/sites/:id /sites/{id}"}; !slices.Equal(paths, want) {
		t.Errorf("routes %v, want %v", paths, want)
	}
}

func TestNumbers(t *testing.T) {
	fr, en := vocabulary{lang: langFR}, vocabulary{lang: langEN}
	tests := []struct {
		v    vocabulary
		m    float64
		want string
	}{
		{fr, 0, "0\u00a0m"}, {fr, 999.4, "999\u00a0m"}, {fr, 1000, "1\u00a0km"}, {fr, 12345, "12,3\u00a0km"},
		{en, 12345, "12.3\u00a0km"}, {fr, 1234567, "1\u202f234,6\u00a0km"}, {en, 1234567, "1,234.6\u00a0km"},
	}
	for _, tt := range tests {
		if got := tt.v.distance(tt.m); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.v.lang, tt.m, got, tt.want)
		}
	}
	if got := fr.number(-1234567); got != "-1\u202f234\u202f567" {
		t.Errorf("%q", got)
	}
}

// Every word the templates and the builders ask for exists in both
// languages: a missing key would show as the key itself.
func TestEveryWordIsInBothLanguages(t *testing.T) {
	for key, w := range words() {
		if w.FR == "" || w.EN == "" {
			t.Errorf("word %q: %+v", key, w)
		}
	}
	app := newTestApp(t, fixtureProfiles{})
	for _, target := range []string{"/sites/site-1", "/sites/site-1?lang=en", "/territoires/ti-2704", "/territoires/ti-2704?lang=en", "/sites/x", "/territoires/x?period=1"} {
		body := get(t, app, target).body
		for _, m := range regexp.MustCompile(`>([a-z]+\.[a-z.]+)<`).FindAllStringSubmatch(body, -1) {
			t.Errorf("%s shows %q, a missing word", target, m[1])
		}
	}
}
