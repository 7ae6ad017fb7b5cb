package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/static"
)

// ogcBigLayer has more features than maxOGCLimit, to see the cap.
const (
	ogcBigLayer = "formations"
	ogcBigCount = maxOGCLimit + 5
	ogcSites    = 7
)

// ogcFixtureDataset: polygons with awkward shapes for bbox (a triangle, a
// square with a hole), seven sites with typed properties, territories
// whose ids hold a slash, and a layer larger than the page maximum.
func ogcFixtureDataset() *dataset.Dataset {
	src := []dataset.Source{{Name: "fixture", Licence: "Licence Ouverte 2.0", Vintage: "2026"}}
	name := dataset.Field{Name: "name", Type: dataset.TypeString, Required: true}
	ring := func(pts ...orb.Point) orb.Ring { return append(orb.Ring(pts), pts[0]) }
	square := func(minX, minY, maxX, maxY float64) orb.Ring {
		return ring(orb.Point{minX, minY}, orb.Point{maxX, minY}, orb.Point{maxX, maxY}, orb.Point{minX, maxY})
	}
	regions := dataset.Layer{
		Info: dataset.LayerInfo{ID: layers.Regions, Title: "Régions", Description: "Deux polygones", Geometry: dataset.GeometryPolygon, Sources: src,
			Fields: []dataset.Field{name, {Name: "code", Type: dataset.TypeString}}},
		Features: []dataset.Feature{
			{ID: "reg-tri", Geometry: orb.Polygon{ring(orb.Point{0, 40}, orb.Point{10, 40}, orb.Point{0, 50})}, Properties: map[string]any{"name": "Triangle", "code": "01"}},
			{ID: "reg-holed", Geometry: orb.Polygon{square(20, 40, 30, 50), square(22, 42, 28, 48)}, Properties: map[string]any{"name": "Troué", "code": "02"}},
		},
	}
	sites := dataset.Layer{
		Info: dataset.LayerInfo{ID: "sites", Title: "Sites", Geometry: dataset.GeometryPoint, Sources: src,
			Fields: []dataset.Field{name,
				{Name: "programme", Type: dataset.TypeString},
				{Name: "surface_ha", Type: dataset.TypeNumber},
				{Name: "disponible", Type: dataset.TypeBoolean},
				{Name: "rang", Type: dataset.TypeInteger}}},
	}
	for i := 1; i <= ogcSites; i++ {
		p := map[string]any{"name": "Site " + strconv.Itoa(i), "programme": map[bool]string{true: "a", false: "b"}[i%2 == 1], "rang": int64(i)}
		if i%3 == 0 {
			p["surface_ha"] = 12.5
		}
		if i <= 2 {
			p["disponible"] = i == 1
		}
		sites.Features = append(sites.Features, dataset.Feature{ID: "site-" + strconv.Itoa(i), Geometry: orb.Point{float64(i), 45}, Properties: p})
	}
	territoires := dataset.Layer{
		Info: dataset.LayerInfo{ID: layers.Territoires, Title: "Territoires", Geometry: dataset.GeometryPolygon, Sources: src,
			Fields: []dataset.Field{name, {Name: "period", Type: dataset.TypeString}}},
		Features: []dataset.Feature{
			{ID: "2023/ti-8413", Geometry: orb.Polygon{square(4.5, 44.5, 5.5, 45.5)}, Properties: map[string]any{"name": "TI 2023", "period": "2023-2027"}},
			{ID: "2018/ti-8413", Geometry: orb.MultiPolygon{{square(4.5, 44.5, 5.5, 45.5)}}, Properties: map[string]any{"name": "TI 2018", "period": "2018-2023"}},
		},
	}
	big := dataset.Layer{Info: dataset.LayerInfo{ID: ogcBigLayer, Title: "Formations", Geometry: dataset.GeometryPoint, Sources: src, Fields: []dataset.Field{name}}}
	for i := range ogcBigCount {
		big.Features = append(big.Features, dataset.Feature{ID: fmt.Sprintf("f-%04d", i), Geometry: orb.Point{-5 + float64(i)*0.001, 44}, Properties: map[string]any{"name": "F" + strconv.Itoa(i)}})
	}
	ds := &dataset.Dataset{Manifest: dataset.Manifest{Title: "Fixture OGC", Attribution: "© fixture"}, Version: "v1ogc",
		Layers: []dataset.Layer{regions, territoires, sites, big}}
	for i := range ds.Layers {
		ds.Layers[i].Info.Count = len(ds.Layers[i].Features)
		ds.Manifest.Layers = append(ds.Manifest.Layers, ds.Layers[i].Info)
	}
	return ds
}

func newOGCServer(tb testing.TB) *Server {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.AccessLog = false
	s := New(cfg, quietLogger())
	s.SwapCatalog(newCatalog(tb, ogcFixtureDataset()))
	return s
}

type ogcFC struct {
	Type     string `json:"type"`
	Features []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	NumberMatched  *int   `json:"numberMatched"`
	NumberReturned *int   `json:"numberReturned"`
	TimeStamp      string `json:"timeStamp"`
	Links          []Link `json:"links"`
}

func (fc ogcFC) ids() []string {
	var out []string
	for _, f := range fc.Features {
		out = append(out, f.ID)
	}
	return out
}

func linkOf(links []Link, rel string) (Link, bool) {
	i := slices.IndexFunc(links, func(l Link) bool { return l.Rel == rel })
	if i < 0 {
		return Link{}, false
	}
	return links[i], true
}

// checkItems: a valid page with these ids and this numberMatched.
func checkItems(matched int, ids ...string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		var fc ogcFC
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		if fc.Type != "FeatureCollection" || fc.NumberMatched == nil || fc.NumberReturned == nil {
			t.Fatalf("not an OGC FeatureCollection: %s", body)
		}
		if *fc.NumberMatched != matched || *fc.NumberReturned != len(fc.Features) {
			t.Errorf("numberMatched %d numberReturned %d (features %d), want matched %d", *fc.NumberMatched, *fc.NumberReturned, len(fc.Features), matched)
		}
		if ids != nil && !slices.Equal(fc.ids(), ids) {
			t.Errorf("ids %v, want %v", fc.ids(), ids)
		}
		if ts, err := time.Parse(time.RFC3339, fc.TimeStamp); err != nil || ts.Location() != time.UTC {
			t.Errorf("timeStamp %q is not RFC 3339 UTC", fc.TimeStamp)
		}
		for _, rel := range []string{"self", "collection"} {
			if l, ok := linkOf(fc.Links, rel); !ok || !strings.HasPrefix(l.Href, ogcTestBase+"/collections/") {
				t.Errorf("link %s: %+v", rel, fc.Links)
			}
		}
	}
}

func errorSays(parts ...string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		var e errorBody
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			t.Fatalf("not an error body: %s", body)
		}
		for _, p := range parts {
			if !strings.Contains(e.Error, p) {
				t.Errorf("error %q does not say %q", e.Error, p)
			}
		}
	}
}

func jsonBody(check func(*testing.T, map[string]any)) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		check(t, m)
	}
}

func linksOf(t *testing.T, m map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := m["links"].([]any)
	for _, l := range list {
		lm := l.(map[string]any)
		out[lm["rel"].(string)] = lm
	}
	return out
}

// ogcTestBase is where test requests are sent (a reserved .test name):
// absolute links must start with it.
const ogcTestBase = "http://carte.test"

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

func TestOGCRoutes(t *testing.T) {
	s := newOGCServer(t)
	landingJSON := jsonBody(func(t *testing.T, m map[string]any) {
		if m["title"] != "Fixture OGC" || m["description"] == "" {
			t.Errorf("title/description: %v", m)
		}
		links := linksOf(t, m)
		want := map[string][2]string{
			"self":         {ogcTestBase + "/?f=json", mediaJSON},
			"service-desc": {ogcTestBase + "/openapi.json", mediaOpenAPI},
			"conformance":  {ogcTestBase + "/conformance", mediaJSON},
			"data":         {ogcTestBase + "/collections", mediaJSON},
		}
		for rel, w := range want {
			if l := links[rel]; l == nil || l["href"] != w[0] || l["type"] != w[1] {
				t.Errorf("link %s = %v, want %v", rel, l, w)
			}
		}
	})
	landingHTML := func(t *testing.T, body []byte) {
		h := string(body)
		for _, want := range []string{"<!DOCTYPE html>", `<html lang="fr">`, `<meta charset="utf-8">`, "<title>Fixture OGC</title>",
			`href="` + ogcTestBase + `/collections"`, `href="` + ogcTestBase + `/openapi.json"`, `href="` + ogcTestBase + `/conformance"`, "</html>"} {
			if !strings.Contains(h, want) {
				t.Errorf("HTML lacks %q:\n%s", want, h)
			}
		}
		if strings.Contains(h, "<script") || strings.Contains(h, "<link") || strings.Contains(h, "src=") {
			t.Errorf("HTML loads assets:\n%s", h)
		}
	}
	// Browsers get the map page (503 with an explanation when the binary
	// was built before make assets filled static/vendor).
	mapPageStatus := 200
	mapPage := func(t *testing.T, body []byte) {
		for _, want := range []string{"<!DOCTYPE html>", `<html lang="fr"`, `id="territoires-map"`, assetsPrefix + "/app.js"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("map page lacks %q", want)
			}
		}
	}
	if static.VendorMissing() != "" {
		mapPageStatus = 503
		mapPage = func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), "make assets") {
				t.Errorf("503 page does not say how to fix it: %s", body)
			}
		}
	}
	tests := []struct {
		name   string
		target string
		accept string
		status int
		ctype  string
		check  func(*testing.T, []byte)
	}{
		// Landing page and its content negotiation.
		{"landing, no Accept", "/", "", 200, mediaJSON, landingJSON},
		{"landing, Accept JSON", "/", "application/json", 200, mediaJSON, landingJSON},
		{"landing, Accept */*", "/", "*/*", 200, mediaJSON, landingJSON},
		{"landing, JSON preferred over HTML", "/", "text/html;q=0.5, application/json", 200, mediaJSON, landingJSON},
		{"landing, tie goes to JSON", "/", "application/json, text/html", 200, mediaJSON, landingJSON},
		{"landing, HTML refused", "/", "text/html;q=0, */*", 200, mediaJSON, landingJSON},
		{"landing, browser gets the map page", "/", browserAccept, mapPageStatus, "text/html", mapPage},
		{"landing, f=json beats the browser", "/?f=json", browserAccept, 200, mediaJSON, landingJSON},
		{"landing, f=html", "/?f=html", "application/json", 200, "text/html", landingHTML},
		{"landing, bad f", "/?f=xml", "", 400, mediaJSON, errorSays("f=\"xml\"")},
		{"landing, unknown parameter", "/?zoom=3", "", 400, mediaJSON, errorSays("zoom")},
		{"landing, the map's own parameter, for a program", "/?lang=en", "application/json", 400, mediaJSON, errorSays("lang")},
		// A browser opening /?lang=en (or a link with utm_ tags) gets the
		// map page, which reads its state from the query as from its #.
		{"landing, the map's own parameters, for a browser", "/?lang=en&layers=sites&map=8/45.76/4.84", browserAccept, mapPageStatus, "text/html", mapPage},
		{"landing, other parameters, for a browser", "/?utm_source=lettre", browserAccept, mapPageStatus, "text/html", mapPage},
		{"landing, an empty f, for a browser", "/?f=&lang=en", browserAccept, mapPageStatus, "text/html", mapPage},
		{"landing, f=json with the map's parameter, for a browser", "/?f=json&lang=en", browserAccept, 400, mediaJSON, errorSays("lang")},

		{"conformance", "/conformance", "", 200, mediaJSON, jsonBody(func(t *testing.T, m map[string]any) {
			got, _ := m["conformsTo"].([]any)
			if len(got) != len(api.Conformance()) {
				t.Fatalf("conformsTo %v", got)
			}
			for i, c := range api.Conformance() {
				if got[i] != c {
					t.Errorf("conformsTo[%d] = %v, want %s", i, got[i], c)
				}
			}
		})},
		{"conformance, f=html refused", "/conformance?f=html", "", 400, mediaJSON, errorSays("f=\"html\"")},

		// Collections.
		{"collections", "/collections", "", 200, mediaJSON, jsonBody(func(t *testing.T, m map[string]any) {
			list, _ := m["collections"].([]any)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.(map[string]any)["id"].(string))
			}
			if want := []string{"regions", "territoires", "sites", ogcBigLayer}; !slices.Equal(ids, want) {
				t.Errorf("collection ids %v, want %v", ids, want)
			}
			if l := linksOf(t, m)["self"]; l == nil || l["href"] != ogcTestBase+"/collections" {
				t.Errorf("self link %v", l)
			}
		})},
		{"collection regions", "/collections/regions", "", 200, mediaJSON, jsonBody(func(t *testing.T, m map[string]any) {
			if m["id"] != "regions" || m["title"] != "Régions" || m["description"] != "Deux polygones" || m["itemType"] != "feature" {
				t.Errorf("collection %v", m)
			}
			if crs, _ := m["crs"].([]any); len(crs) != 1 || crs[0] != crs84 {
				t.Errorf("crs %v", m["crs"])
			}
			bbox := m["extent"].(map[string]any)["spatial"].(map[string]any)["bbox"].([]any)[0]
			if fmt.Sprint(bbox) != "[0 40 30 50]" {
				t.Errorf("extent bbox %v, want the union of the polygons' bounds [0 40 30 50]", bbox)
			}
			links := linksOf(t, m)
			if l := links["items"]; l == nil || l["href"] != ogcTestBase+"/collections/regions/items" || l["type"] != mediaGeoJSON {
				t.Errorf("items link %v", l)
			}
			if l := links["self"]; l == nil || l["href"] != ogcTestBase+"/collections/regions" || l["type"] != mediaJSON {
				t.Errorf("self link %v", l)
			}
		})},
		{"collection sites extent", "/collections/sites", "", 200, mediaJSON, jsonBody(func(t *testing.T, m map[string]any) {
			bbox := m["extent"].(map[string]any)["spatial"].(map[string]any)["bbox"].([]any)[0]
			if fmt.Sprint(bbox) != "[1 45 7 45]" {
				t.Errorf("extent bbox %v", bbox)
			}
		})},
		{"unknown collection", "/collections/nope", "", 404, mediaJSON, errorSays(`"nope"`, "regions, territoires, sites, formations")},
		{"unknown collection items", "/collections/nope/items", "", 404, mediaJSON, errorSays(`"nope"`, "regions, territoires, sites, formations")},
		{"unknown collection item", "/collections/nope/items/site-1", "", 404, mediaJSON, errorSays(`"nope"`, "sites")},

		// Items.
		{"items, all", "/collections/sites/items", "", 200, mediaGeoJSON, checkItems(ogcSites, "site-1", "site-2", "site-3", "site-4", "site-5", "site-6", "site-7")},
		{"items, f=geojson", "/collections/sites/items?f=geojson&limit=1", "", 200, mediaGeoJSON, checkItems(ogcSites, "site-1")},
		{"items, f=html refused", "/collections/sites/items?f=html", "", 400, mediaJSON, errorSays("f=\"html\"")},
		{"items, limit and offset", "/collections/sites/items?limit=2&offset=3", "", 200, mediaGeoJSON, checkItems(ogcSites, "site-4", "site-5")},
		{"items, offset past the end", "/collections/sites/items?offset=50", "", 200, mediaGeoJSON, checkItems(ogcSites, []string{}...)},
		{"items, limit capped", "/collections/" + ogcBigLayer + "/items?limit=100000", "", 200, mediaGeoJSON, func(t *testing.T, body []byte) {
			checkItems(ogcBigCount)(t, body)
			var fc ogcFC
			json.Unmarshal(body, &fc)
			if *fc.NumberReturned != maxOGCLimit {
				t.Errorf("numberReturned %d, want the maximum %d", *fc.NumberReturned, maxOGCLimit)
			}
			if l, ok := linkOf(fc.Links, "next"); !ok || !strings.Contains(l.Href, "limit="+strconv.Itoa(maxOGCLimit)) || !strings.Contains(l.Href, "offset="+strconv.Itoa(maxOGCLimit)) {
				t.Errorf("next link %+v", l)
			}
		}},
		{"items, limit beyond int", "/collections/sites/items?limit=99999999999999999999999", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"items, default limit", "/collections/" + ogcBigLayer + "/items", "", 200, mediaGeoJSON, func(t *testing.T, body []byte) {
			var fc ogcFC
			json.Unmarshal(body, &fc)
			if len(fc.Features) != defaultOGCLimit {
				t.Errorf("%d features, want the default %d", len(fc.Features), defaultOGCLimit)
			}
		}},
		{"items, limit=0", "/collections/sites/items?limit=0", "", 400, mediaJSON, errorSays("limit")},
		{"items, limit=-3", "/collections/sites/items?limit=-3", "", 400, mediaJSON, errorSays("limit")},
		{"items, limit=abc", "/collections/sites/items?limit=abc", "", 400, mediaJSON, errorSays("limit")},
		{"items, offset=-1", "/collections/sites/items?offset=-1", "", 400, mediaJSON, errorSays("offset")},
		{"items, unknown parameters", "/collections/sites/items?colour=red&zoom=3", "", 400, mediaJSON, errorSays("colour, zoom", "programme", "bbox")},
		{"items, property of another layer", "/collections/sites/items?period=2023-2027", "", 400, mediaJSON, errorSays("period")},
		{"items, repeated parameter", "/collections/sites/items?limit=1&limit=2", "", 400, mediaJSON, errorSays("limit", "more than once")},

		// bbox on points (the index is exact) and on polygons (refined).
		{"bbox, points", "/collections/sites/items?bbox=0.5,44,3.5,46", "", 200, mediaGeoJSON, checkItems(3, "site-1", "site-2", "site-3")},
		{"bbox, degenerate box on a point", "/collections/sites/items?bbox=2,45,2,45", "", 200, mediaGeoJSON, checkItems(1, "site-2")},
		{"bbox, six numbers", "/collections/sites/items?bbox=0.5,44,0,3.5,46,100", "", 200, mediaGeoJSON, checkItems(3, "site-1", "site-2", "site-3")},
		{"bbox, bbox-crs CRS84", "/collections/sites/items?bbox=0.5,44,3.5,46&bbox-crs=" + url.QueryEscape(crs84), "", 200, mediaGeoJSON, checkItems(3)},
		{"bbox, paged", "/collections/sites/items?bbox=0.5,44,3.5,46&limit=1&offset=1", "", 200, mediaGeoJSON, checkItems(3, "site-2")},
		{"bbox, inside the triangle", "/collections/regions/items?bbox=1,41,2,42", "", 200, mediaGeoJSON, checkItems(1, "reg-tri")},
		{"bbox, in the triangle's bound only", "/collections/regions/items?bbox=8,48,9,49", "", 200, mediaGeoJSON, checkItems(0, []string{}...)},
		{"bbox, inside the hole", "/collections/regions/items?bbox=23,43,27,47", "", 200, mediaGeoJSON, checkItems(0, []string{}...)},
		{"bbox, around the hole", "/collections/regions/items?bbox=21,41,29,49", "", 200, mediaGeoJSON, checkItems(1, "reg-holed")},
		{"bbox, touching a vertex", "/collections/regions/items?bbox=10,40,11,41", "", 200, mediaGeoJSON, checkItems(1, "reg-tri")},
		{"bbox, everything", "/collections/regions/items?bbox=-180,-90,180,90", "", 200, mediaGeoJSON, checkItems(2, "reg-tri", "reg-holed")},
		{"bbox, multipolygon", "/collections/territoires/items?bbox=5,45,5.1,45.1", "", 200, mediaGeoJSON, checkItems(2, "2023/ti-8413", "2018/ti-8413")},
		{"bbox, three numbers", "/collections/sites/items?bbox=1,2,3", "", 400, mediaJSON, errorSays("bbox", "4 numbers")},
		{"bbox, five numbers", "/collections/sites/items?bbox=1,2,3,4,5", "", 400, mediaJSON, errorSays("bbox")},
		{"bbox, not a number", "/collections/sites/items?bbox=a,2,3,4", "", 400, mediaJSON, errorSays("bbox", `"a"`)},
		{"bbox, NaN", "/collections/sites/items?bbox=NaN,2,3,4", "", 400, mediaJSON, errorSays("bbox", "finite")},
		{"bbox, Inf", "/collections/sites/items?bbox=1,2,Inf,4", "", 400, mediaJSON, errorSays("bbox", "finite")},
		{"bbox, empty member", "/collections/sites/items?bbox=1,,3,4", "", 400, mediaJSON, errorSays("bbox")},
		{"bbox, longitude out of range", "/collections/sites/items?bbox=-190,40,3,46", "", 400, mediaJSON, errorSays("longitudes")},
		{"bbox, latitude out of range", "/collections/sites/items?bbox=1,40,3,95", "", 400, mediaJSON, errorSays("latitudes")},
		{"bbox, minlat above maxlat", "/collections/sites/items?bbox=1,46,3,44", "", 400, mediaJSON, errorSays("minlat")},
		{"bbox, minlon above maxlon", "/collections/sites/items?bbox=3,44,1,46", "", 400, mediaJSON, errorSays("minlon", "antimeridian")},
		{"bbox-crs, other CRS", "/collections/sites/items?bbox=44,0.5,46,3.5&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326"), "", 400, mediaJSON, errorSays("bbox-crs", "not supported")},

		// Property filters.
		{"property, string", "/collections/sites/items?programme=a", "", 200, mediaGeoJSON, checkItems(4, "site-1", "site-3", "site-5", "site-7")},
		{"property, string paged", "/collections/sites/items?programme=a&limit=2&offset=2", "", 200, mediaGeoJSON, checkItems(4, "site-5", "site-7")},
		{"property, no match", "/collections/sites/items?programme=A", "", 200, mediaGeoJSON, checkItems(0, []string{}...)},
		{"property, number", "/collections/sites/items?surface_ha=12.5", "", 200, mediaGeoJSON, checkItems(2, "site-3", "site-6")},
		{"property, number as integer text", "/collections/sites/items?surface_ha=12.50", "", 200, mediaGeoJSON, checkItems(2, "site-3", "site-6")},
		{"property, integer", "/collections/sites/items?rang=4", "", 200, mediaGeoJSON, checkItems(1, "site-4")},
		{"property, boolean true", "/collections/sites/items?disponible=true", "", 200, mediaGeoJSON, checkItems(1, "site-1")},
		{"property, boolean false", "/collections/sites/items?disponible=false", "", 200, mediaGeoJSON, checkItems(1, "site-2")},
		{"property, two filters", "/collections/sites/items?programme=b&surface_ha=12.5", "", 200, mediaGeoJSON, checkItems(1, "site-6")},
		{"property and bbox", "/collections/sites/items?programme=a&bbox=0.5,44,3.5,46", "", 200, mediaGeoJSON, checkItems(2, "site-1", "site-3")},
		{"property on a polygon layer with bbox", "/collections/territoires/items?period=2018-2023&bbox=4,44,6,46", "", 200, mediaGeoJSON, checkItems(1, "2018/ti-8413")},
		{"property, bad boolean", "/collections/sites/items?disponible=oui", "", 400, mediaJSON, errorSays("disponible", "true or false")},
		{"property, bad integer", "/collections/sites/items?rang=4.5", "", 400, mediaJSON, errorSays("rang", "integer")},
		{"property, bad number", "/collections/sites/items?surface_ha=grand", "", 400, mediaJSON, errorSays("surface_ha")},

		// datetime: accepted, checked, selects nothing (no temporal data).
		{"datetime, instant", "/collections/sites/items?datetime=2024-01-31T12:00:00Z", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, offset and fraction", "/collections/sites/items?datetime=" + url.QueryEscape("2024-01-31T12:00:00.5+02:00"), "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, bounded interval", "/collections/sites/items?datetime=2020-01-01T00:00:00Z/2024-01-01T00:00:00Z", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, open start", "/collections/sites/items?datetime=../2024-01-01T00:00:00Z", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, open end, empty", "/collections/sites/items?datetime=2024-01-01T00:00:00Z/", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, date only", "/collections/sites/items?datetime=2024-01-01", "", 200, mediaGeoJSON, checkItems(ogcSites)},
		{"datetime, garbage", "/collections/sites/items?datetime=yesterday", "", 400, mediaJSON, errorSays("datetime")},
		{"datetime, both ends open", "/collections/sites/items?datetime=../..", "", 400, mediaJSON, errorSays("datetime")},
		{"datetime, empty", "/collections/sites/items?datetime=", "", 400, mediaJSON, errorSays("datetime")},
		{"datetime, reversed", "/collections/sites/items?datetime=2024-01-01T00:00:00Z/2020-01-01T00:00:00Z", "", 400, mediaJSON, errorSays("ends before it starts")},

		// One feature.
		{"item", "/collections/sites/items/site-3", "", 200, mediaGeoJSON, jsonBody(func(t *testing.T, m map[string]any) {
			props := m["properties"].(map[string]any)
			if m["type"] != "Feature" || m["id"] != "site-3" || props["name"] != "Site 3" || props["surface_ha"] != 12.5 || props["layer"] != "sites" {
				t.Errorf("feature %v", m)
			}
			// The schema lists it; the feature leaves it out rather than
			// send a null that the schema's one type would refuse.
			if v, ok := props["disponible"]; ok {
				t.Errorf("a declared property without value is sent (%v), want it left out", v)
			}
			links := linksOf(t, m)
			if links["self"]["href"] != ogcTestBase+"/collections/sites/items/site-3" || links["collection"]["href"] != ogcTestBase+"/collections/sites" {
				t.Errorf("links %v", links)
			}
		})},
		{"item, id with a raw slash", "/collections/territoires/items/2023/ti-8413", "", 200, mediaGeoJSON, jsonBody(func(t *testing.T, m map[string]any) {
			if m["id"] != "2023/ti-8413" || linksOf(t, m)["self"]["href"] != ogcTestBase+"/collections/territoires/items/2023%2Fti-8413" {
				t.Errorf("feature %v %v", m["id"], m["links"])
			}
		})},
		{"item, id with an encoded slash", "/collections/territoires/items/2018%2Fti-8413", "", 200, mediaGeoJSON, jsonBody(func(t *testing.T, m map[string]any) {
			if m["id"] != "2018/ti-8413" {
				t.Errorf("feature %v", m["id"])
			}
		})},
		{"item, absent", "/collections/sites/items/site-99", "", 404, mediaJSON, errorSays(`"site-99"`)},
		{"item, in another collection", "/collections/sites/items/2023/ti-8413", "", 404, mediaJSON, errorSays(`"2023/ti-8413"`, `"sites"`)},
		{"item, unknown parameter", "/collections/sites/items/site-1?bbox=1,2,3,4", "", 400, mediaJSON, errorSays("bbox")},

		{"openapi", "/openapi.json", "", 200, mediaOpenAPI, jsonBody(func(t *testing.T, m map[string]any) {
			if m["openapi"] != "3.0.3" {
				t.Errorf("openapi %v", m["openapi"])
			}
		})},
		{"openapi, unknown parameter", "/openapi.json?v=2", "", 400, mediaJSON, errorSays("v")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.accept != "" {
				h["Accept"] = tt.accept
			}
			resp, body := do(t, s, "GET", ogcTestBase+tt.target, h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if tt.status == 200 && (tt.target == "/" || strings.HasPrefix(tt.target, "/?")) {
				if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
					t.Errorf("Vary %q lacks Accept", resp.Header.Get("Vary"))
				}
			}
			tt.check(t, body)
		})
	}
}

func TestOGCNotReadyAnswers503ButLandingAndConformanceWork(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AccessLog = false
	s := New(cfg, quietLogger())
	for _, target := range []string{"/collections", "/collections/sites", "/collections/sites/items", "/collections/sites/items/site-1"} {
		resp, body := do(t, s, "GET", target, nil)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: status %d Retry-After %q: %s", target, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	for _, target := range []string{"/", "/conformance", "/openapi.json"} {
		if resp, body := do(t, s, "GET", target, nil); resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %s", target, resp.StatusCode, body)
		}
	}
}

func TestOGCForwardedBaseURLInLinks(t *testing.T) {
	s := newOGCServer(t)
	_, body := do(t, s, "GET", "/collections/sites/items?limit=2", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.carte.test"})
	var fc ogcFC
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	for _, l := range fc.Links {
		if !strings.HasPrefix(l.Href, "https://public.carte.test/collections/sites") {
			t.Errorf("link %+v does not use the forwarded base URL", l)
		}
	}
}

// walkPages follows next links from target and returns the ids seen and
// every numberMatched reported.
func walkPages(t *testing.T, s *Server, target string) (ids []string, matched []int, pages int) {
	t.Helper()
	for target != "" {
		pages++
		if pages > 1000 {
			t.Fatal("next links do not end")
		}
		resp, body := do(t, s, "GET", ogcTestBase+target, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", target, resp.StatusCode, body)
		}
		var fc ogcFC
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fc.ids()...)
		matched = append(matched, *fc.NumberMatched)
		_, hasPrev := linkOf(fc.Links, "prev")
		if hasPrev != (pages > 1) {
			t.Errorf("page %d: prev link present=%v", pages, hasPrev)
		}
		target = ""
		if next, ok := linkOf(fc.Links, "next"); ok {
			if next.Type != mediaGeoJSON {
				t.Errorf("next link type %q", next.Type)
			}
			u, err := url.Parse(next.Href)
			if err != nil || u.Scheme+"://"+u.Host != ogcTestBase {
				t.Fatalf("next link %q", next.Href)
			}
			target = u.RequestURI()
		}
	}
	return ids, matched, pages
}

func TestOGCPagingWalksEveryFeatureOnce(t *testing.T) {
	s := newOGCServer(t)
	ds := ogcFixtureDataset()
	all := func(layer string, keep func(dataset.Feature) bool) []string {
		l, _ := ds.Layer(layer)
		var out []string
		for _, f := range l.Features {
			if keep == nil || keep(f) {
				out = append(out, f.ID)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		start string
		want  []string
		limit int
	}{
		{"sites", "/collections/sites/items?limit=2", all("sites", nil), 2},
		{"sites by property", "/collections/sites/items?limit=2&programme=a", all("sites", func(f dataset.Feature) bool { return f.Properties["programme"] == "a" }), 2},
		{"sites in a box", "/collections/sites/items?limit=2&bbox=1.5,44,6.5,46", all("sites", func(f dataset.Feature) bool { x := f.Geometry.(orb.Point)[0]; return x >= 1.5 && x <= 6.5 }), 2},
		{"polygons in a box", "/collections/regions/items?limit=1&bbox=-10,30,40,60", all("regions", nil), 1},
		{"more than the maximum, capped pages", "/collections/" + ogcBigLayer + "/items?limit=5000", all(ogcBigLayer, nil), maxOGCLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, matched, pages := walkPages(t, s, tt.start)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("walked %d ids %v…, want each of %d once, in order", len(ids), ids[:min(len(ids), 10)], len(tt.want))
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Errorf("id %s seen twice", id)
				}
				seen[id] = true
			}
			for _, m := range matched {
				if m != len(tt.want) {
					t.Errorf("numberMatched %v, want %d on every page", matched, len(tt.want))
					break
				}
			}
			if wantPages := max(1, (len(tt.want)+tt.limit-1)/tt.limit); pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
		})
	}
}

// TestGDALReadsTheCollections runs GDAL's OGC API – Features driver
// against a real listener: it must list the collections, report the
// feature counts, and page through a collection with a small page size.
// serveOnLoopback serves s on a free loopback port until the test ends,
// for clients that are programs of their own (GDAL); it returns the
// server's URL.
func serveOnLoopback(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.App().Listener(ln) }()
	t.Cleanup(func() {
		if err := s.App().ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Error(err)
		}
		<-done
	})
	return "http://" + ln.Addr().String()
}

// runGDAL runs a GDAL program against a local server (no proxy, no HTTP
// cache) and returns what it printed, standard error included.
func runGDAL(t *testing.T, program string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = append(os.Environ(), "NO_PROXY=*", "no_proxy=*", "http_proxy=", "HTTP_PROXY=", "GDAL_HTTP_PROXY=", "CPL_VSIL_CURL_NON_CACHED=/", "GDAL_HTTP_TIMEOUT=30")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// gdalTool finds a GDAL program, or skips the test without GDAL (the
// README's test command installs it).
func gdalTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TERRITOIRES_REQUIRE_BROWSER") == "1" {
			t.Fatalf("%s (GDAL) is not installed", name)
		}
		t.Skipf("%s (GDAL) is not installed", name)
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	return path
}

// TestGDALWritesATypedGeoPackage copies collections of the real data to a
// GeoPackage with ogr2ogr, as a GIS analyst would, and checks what GDAL
// made of them: the field types of the collections' schemas (a surface in
// hectares is Real even where the first page has none, a population
// Integer, a flag Boolean), one geometry type per layer (MultiPolygon for
// communes and regions, which mix both kinds), and not one warning.
func TestGDALWritesATypedGeoPackage(t *testing.T) {
	ogr2ogr, ogrinfo := gdalTool(t, "ogr2ogr"), gdalTool(t, "ogrinfo")
	root := "OAPIF:" + serveOnLoopback(t, realServer(t))
	gpkg := filepath.Join(t.TempDir(), "territoires.gpkg")
	for _, c := range []struct{ layer, spat string }{
		{"sites", ""}, {"regions", ""}, {"departements", ""}, {"territoires", ""},
		// The communes from Bourg-en-Bresse to Orgelet (a few hundred, in a
		// few seconds): pages of both geometry kinds (Orgelet, 39397, is a
		// MultiPolygon).
		{"communes", "5.2 46.0 5.8 46.6"},
	} {
		args := []string{"-f", "GPKG", "-update", "-append", "-oo", "PAGE_SIZE=200", gpkg, root, c.layer}
		if c.spat != "" {
			args = append(args, strings.Fields("-spat "+c.spat)...)
		}
		if out := runGDAL(t, ogr2ogr, args...); strings.TrimSpace(out) != "" {
			t.Errorf("ogr2ogr %s said something (a warning or an error):\n%s", c.layer, out)
		}
	}
	want := map[string][]string{
		"sites":        {"Geometry: Point", "surface_ha: Real", "named_in_source: Integer(Boolean)", "disponible_2024: Integer(Boolean)", "waves: String"},
		"regions":      {"Geometry: Multi Polygon", "code: String"},
		"departements": {"Geometry: Multi Polygon", "code: String"},
		"territoires":  {"Geometry: Multi Polygon", "n_communes: Integer", "population: Integer"},
		"communes":     {"Geometry: Multi Polygon", "population: Integer", "in_ti_2023: Integer(Boolean)", "centroid_lon: Real"},
	}
	for layer, lines := range want {
		out := runGDAL(t, ogrinfo, "-ro", "-so", gpkg, layer)
		for _, line := range lines {
			if !strings.Contains(out, line) {
				t.Errorf("GeoPackage layer %s: no %q in\n%s", layer, line, out)
			}
		}
		if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(out); m == nil || m[1] == "0" {
			t.Errorf("GeoPackage layer %s is empty:\n%s", layer, out)
		}
	}
}

func TestGDALReadsTheCollections(t *testing.T) {
	ogrinfo := gdalTool(t, "ogrinfo")
	root := "OAPIF:" + serveOnLoopback(t, newOGCServer(t)) + "/"
	run := func(args ...string) string { t.Helper(); return runGDAL(t, ogrinfo, args...) }

	out := run("-ro", "-so", root)
	for _, id := range []string{"regions", "territoires", "sites", ogcBigLayer} {
		if !regexp.MustCompile(`(?m)^\d+: ` + regexp.QuoteMeta(id) + ` `).MatchString(out) {
			t.Errorf("ogrinfo does not list collection %s:\n%s", id, out)
		}
	}

	// Feature counts as GDAL reports them (numberMatched of the first page).
	for _, c := range []struct {
		id    string
		count int
	}{{"sites", ogcSites}, {"regions", 2}, {ogcBigLayer, ogcBigCount}} {
		out = run("-ro", "-al", "-so", root, c.id)
		if !strings.Contains(out, fmt.Sprintf("Feature Count: %d\n", c.count)) {
			t.Errorf("%s: GDAL does not report %d features:\n%s", c.id, c.count, out)
		}
	}
	out = run("-ro", "-al", "-so", root, "sites")
	for _, field := range []string{"programme: String", "surface_ha: ", "disponible: Integer(Boolean)", "rang: Integer"} {
		if !strings.Contains(out, field) {
			t.Errorf("sites: GDAL does not see field %q:\n%s", field, out)
		}
	}

	// Reading every feature with a small page size makes GDAL follow the
	// next links.
	for _, c := range []struct {
		id       string
		pageSize int
		count    int
	}{{"sites", 2, ogcSites}, {ogcBigLayer, 400, ogcBigCount}} {
		out = run("-ro", "-al", "-q", "-oo", "PAGE_SIZE="+strconv.Itoa(c.pageSize), root, c.id)
		if got := strings.Count(out, "OGRFeature("+c.id+"):"); got != c.count {
			t.Errorf("%s: GDAL read %d features with PAGE_SIZE=%d, want %d", c.id, got, c.pageSize, c.count)
		}
	}
	// A spatial filter becomes bbox; GDAL counts what it reads.
	out = run("-ro", "-al", "-so", "-spat", "0.5", "44", "3.5", "46", "-oo", "PAGE_SIZE=2", root, "sites")
	if !strings.Contains(out, "Feature Count: 3\n") {
		t.Errorf("sites in a box: GDAL does not count 3:\n%s", out)
	}
}
