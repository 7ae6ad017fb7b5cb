package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

var (
	realOnce    sync.Once
	realCatalog *api.Catalog
)

// realServer serves the fixture tiles and the real default dataset's API.
func realServer(tb testing.TB) *Server {
	tb.Helper()
	realOnce.Do(func() {
		ds, err := dataset.Load(data.FS)
		if err != nil {
			panic(err)
		}
		if realCatalog, err = api.NewCatalog(ds, layers.Default()); err != nil {
			panic(err)
		}
	})
	s, _ := newTestServer(tb, nil)
	s.SwapCatalog(realCatalog)
	return s
}

type listBody struct {
	Count       int                       `json:"count"`
	More        bool                      `json:"more"`
	Results     []Result                  `json:"results"`
	Provenance  map[string]listProvenance `json:"provenance"`
	Attribution string                    `json:"attribution"`
}

func getList(t *testing.T, s *Server, target string) listBody {
	t.Helper()
	resp, body := do(t, s, "GET", target, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	var lb listBody
	if err := json.Unmarshal(body, &lb); err != nil {
		t.Fatal(err)
	}
	return lb
}

func TestNearbySitesAroundLyon(t *testing.T) {
	s := realServer(t)
	lb := getList(t, s, "/api/nearby?lat=45.764&lon=4.8357&layers=sites&k=5")
	if lb.Count != 5 || len(lb.Results) != 5 {
		t.Fatalf("count %d", lb.Count)
	}
	lyonPt := orb.Point{4.8357, 45.764}
	prev := -1.0
	for _, r := range lb.Results {
		if r.Layer != "sites" || r.DistanceM == nil || *r.DistanceM < prev {
			t.Fatalf("result %+v out of order or without distance", r)
		}
		prev = *r.DistanceM
		h, _ := realCatalog.Index.Feature(r.ID)
		if want := index.Distance(lyonPt, h.Feature.Geometry); math.Abs(want-*r.DistanceM) > 0.1 {
			t.Errorf("%s: distance %.1f, want %.1f", r.ID, *r.DistanceM, want)
		}
		if r.Properties["precision"] != "commune" {
			t.Errorf("%s: precision %v", r.ID, r.Properties["precision"])
		}
	}
	// The provenance by reference: its href gives the sources.
	ref := lb.Provenance["sites"]
	if ref.Title == "" || ref.Href == "" || ref.Sources != nil {
		t.Fatalf("provenance %+v: want a title and an href", lb.Provenance)
	}
	resp, body := do(t, s, "GET", ref.Href, nil)
	var prov Provenance
	if err := json.Unmarshal(body, &prov); resp.StatusCode != 200 || err != nil || prov.Title != ref.Title {
		t.Fatalf("%s: %d %v %s", ref.Href, resp.StatusCode, err, body)
	}
	src := prov.Sources
	licences := ""
	for _, s := range src {
		licences += s.Licence + " | "
	}
	if len(src) == 0 || !strings.Contains(licences, "Licence Ouverte") || lb.Attribution == "" {
		t.Errorf("provenance %+v", lb.Provenance)
	}
}

func TestWithinRadiusWithFilter(t *testing.T) {
	s := realServer(t)
	lb := getList(t, s, "/api/within?lat=45.764&lon=4.8357&radius_km=50&layers=formations&category=cfa_uimm&limit=1000")
	if lb.Count == 0 || lb.More {
		t.Fatalf("count %d more %v", lb.Count, lb.More)
	}
	for _, r := range lb.Results {
		if *r.DistanceM > 50000 || r.Properties["category"] != "cfa_uimm" {
			t.Errorf("%s at %.0f m, category %v", r.ID, *r.DistanceM, r.Properties["category"])
		}
	}
	small := getList(t, s, "/api/within?lat=45.764&lon=4.8357&radius_km=50&layers=formations&limit=3")
	if small.Count != 3 || !small.More {
		t.Errorf("limit 3: count %d more %v", small.Count, small.More)
	}
}

func TestNearbyAsGeoJSON(t *testing.T) {
	s := realServer(t)
	resp, body := do(t, s, "GET", "/api/nearby?lat=46.2567&lon=5.6553&k=3&format=geojson&fields=name,category", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mediaGeoJSON {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			ID       string `json:"id"`
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("%s", body)
	}
	for _, f := range fc.Features {
		if f.Type != "Feature" || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 || f.Geometry.Coordinates[0] < 5 {
			t.Errorf("feature %+v: lon,lat order expected", f)
		}
		if _, ok := f.Properties["distance_m"]; !ok || f.Properties["layer"] == nil {
			t.Errorf("properties %v lack distance_m or layer", f.Properties)
		}
		if _, ok := f.Properties["code_insee"]; ok {
			t.Errorf("fields=name,category but code_insee returned")
		}
	}
}

func TestSearchAndReverseOnRealNames(t *testing.T) {
	s := realServer(t)
	lb := getList(t, s, "/api/search?q="+url.QueryEscape("chalon sur saone")+"&layers=communes")
	if lb.Count == 0 || lb.Results[0].Name != "Chalon-sur-Saône" {
		t.Fatalf("%+v", lb.Results)
	}
	lb = getList(t, s, "/api/search?q="+url.QueryEscape("st étienne")+"&limit=3")
	if lb.Count == 0 || lb.Results[0].Name != "Saint-Étienne" {
		t.Errorf("st étienne: %+v", lb.Results)
	}

	resp, body := do(t, s, "GET", "/api/reverse?lat=46.2567&lon=5.6553", nil)
	var rev struct {
		Commune     *Result            `json:"commune"`
		Territoires map[string]*Result `json:"territoires"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &rev) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if rev.Commune == nil || rev.Commune.ID != "01283" || rev.Territoires["2023-2027"] == nil || rev.Territoires["2023-2027"].ID != "2023/ti-8413" || rev.Territoires["2018-2023"] == nil {
		t.Errorf("reverse Oyonnax: %s", body)
	}
	_, body = do(t, s, "GET", "/api/reverse?lat=47.5&lon=-6.5", nil)
	if err := json.Unmarshal(body, &rev); err != nil || rev.Commune != nil || rev.Territoires["2023-2027"] != nil {
		t.Errorf("reverse at sea: %s", body)
	}
}

func TestFeatureByIDWithSlash(t *testing.T) {
	s := realServer(t)
	for _, path := range []string{"/api/features/2023/ti-8413", "/api/features/2023%2Fti-8413"} {
		resp, body := do(t, s, "GET", path, nil)
		var f struct {
			ID       string `json:"id"`
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &f) != nil || f.ID != "2023/ti-8413" || !strings.Contains(f.Geometry.Type, "Polygon") || f.Properties["name"] != "Plastics Vallée – Oyonnax" {
			t.Errorf("%s: %d %.300s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := do(t, s, "GET", "/api/features/nope", nil); resp.StatusCode != 404 {
		t.Errorf("unknown id: %d", resp.StatusCode)
	}
}

func TestAPIRejectsBadInput(t *testing.T) {
	s := realServer(t)
	tests := []struct {
		target, mentions string
	}{
		{"/api/nearby?lon=4.8", "lat and lon are both required"},
		{"/api/nearby?lat=NaN&lon=4.8", "not a finite"},
		{"/api/nearby?lat=45&lon=Inf", "not a finite"},
		{"/api/nearby?lat=91&lon=4.8", "outside -90..90"},
		{"/api/nearby?lat=45&lon=-181", "outside -180..180"},
		{"/api/nearby?lat=45&lon=4.8&k=0", "from 1 to 100"},
		{"/api/nearby?lat=45&lon=4.8&k=101", "above the maximum 100"},
		{"/api/nearby?lat=45&lon=4.8&k=99999999999999999999", "from 1 to 100"},
		{"/api/nearby?lat=45&lon=4.8&k=ten", "from 1 to 100"},
		{"/api/nearby?lat=45&lon=4.8&radius=5", "unknown parameter(s) radius"},
		{"/api/nearby?lat=45&lon=4.8&lat=46", "more than once"},
		{"/api/nearby?lat=45&lon=4.8&layers=sites,usines", `unknown layer(s) "usines"`},
		{"/api/nearby?lat=45&lon=4.8&radius_km=501", "at most 500"},
		{"/api/nearby?lat=45&lon=4.8&codeRegion=8", "INSEE region code"},
		{"/api/nearby?lat=45&lon=4.8&codeDepartement=9999", "département code"},
		{"/api/nearby?lat=45&lon=4.8&epci=12", "SIREN"},
		{"/api/nearby?lat=45&lon=4.8&period=2020", "period"},
		{"/api/nearby?lat=45&lon=4.8&format=xml", "json, geojson or csv"},
		{"/api/nearby?lat=45&lon=4.8&min_surface_ha=-1", "non-negative"},
		{"/api/within?lat=45&lon=4.8", "radius_km is required"},
		{"/api/within?lat=45&lon=4.8&radius_km=5&limit=1001", "above the maximum 1000"},
		{"/api/search", "q is required"},
		{"/api/search?q=" + strings.Repeat("a", 101), "longer than 100"},
		{"/api/search?q=lyon&limit=51", "above the maximum 50"},
		{"/api/search?q=lyon&lat=45", "both required"},
		{"/api/reverse?lat=45", "both required"},
		{"/api/reverse?lat=45&lon=4&k=3", "unknown parameter(s) k"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := do(t, s, "GET", tt.target, nil)
			var e errorBody
			if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tt.mentions) {
				t.Errorf("status %d body %s, want 400 mentioning %q", resp.StatusCode, body, tt.mentions)
			}
		})
	}
}

// FuzzAPIQuery: whatever the query string, the API answers 200 or 400 (404
// for features), never a 5xx, never a panic.
func FuzzAPIQuery(f *testing.F) {
	s := realServer(f)
	for _, q := range []string{"lat=45&lon=4.8", "lat=45&lon=4.8&k=3&layers=sites", "q=lyon&limit=3", "lat=1e309&lon=0", "q=%ff%fe", "lat=45&lon=4.8&radius_km=1e-300"} {
		f.Add("nearby", q)
		f.Add("search", q)
		f.Add("profile", q)
	}
	f.Add("profile", "lat=46.2567&lon=5.6553&format=geojson")
	f.Fuzz(func(t *testing.T, route, query string) {
		switch route {
		case "nearby", "within", "search", "reverse", "profile":
		default:
			route = "nearby"
		}
		if _, err := url.ParseRequestURI("/api/" + route + "?" + query); err != nil || strings.ContainsAny(query, " #") {
			return // not a valid request target: the HTTP layer refuses it
		}
		resp, body := do(t, s, "GET", "/api/"+route+"?"+query, nil)
		if resp.StatusCode != 200 && resp.StatusCode != 400 {
			t.Fatalf("/api/%s?%s: %d %s", route, query, resp.StatusCode, body)
		}
	})
}

// wave= and ami= keep the features of one announced group, and the answer
// says how many of that group the data holds against the number announced.
func TestGroupFilters(t *testing.T) {
	s := realServer(t)
	for _, tt := range []struct {
		query, layer, field, value, text string
		official                         int
	}{
		{"wave=2021-09", "sites", "waves", "2021-09", "Septembre 2021 : %d des 49 sites sont nommés par des sources publiques", 49},
		{"wave=2024-04&layers=sites,formations", "sites", "waves", "2024-04", "Avril 2024 (France 2030) : %d des 55 sites sont nommés par des sources publiques", 55},
		{"ami=2-2020", "cnam", "ami", "2-2020", "AMI 2 (2020, Pack rebond) : %d des 20 villes sont nommées par des pages publiques", 20},
	} {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := do(t, s, "GET", "/api/within?lat=46.6&lon=2.4&radius_km=500&limit=1000&"+tt.query, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			var lb struct {
				listBody
				Groups []layers.GroupSummary `json:"groups"`
			}
			if err := json.Unmarshal(body, &lb); err != nil {
				t.Fatal(err)
			}
			want := 0
			all, _ := realCatalog.Index.Features(tt.layer, index.Filter{}, 0, 1000)
			for _, h := range all {
				if slices.Contains(strings.Fields(h.Feature.String(tt.field)), tt.value) {
					want++
				}
			}
			if lb.Count == 0 {
				t.Fatal("no results")
			}
			for _, r := range lb.Results {
				if r.Layer != tt.layer || !strings.Contains(r.Properties[tt.field].(string), tt.value) {
					t.Errorf("%s of %s has %s=%v", r.ID, r.Layer, tt.field, r.Properties[tt.field])
				}
			}
			if len(lb.Groups) != 1 {
				t.Fatalf("groups %+v, want one", lb.Groups)
			}
			g := lb.Groups[0]
			if g.Count != want || g.Official != tt.official || g.Text.FR != fmt.Sprintf(tt.text, want) || g.Layer != tt.layer {
				t.Errorf("group %+v, want %d held of %d, %q", g, want, tt.official, fmt.Sprintf(tt.text, want))
			}
		})
	}
	for _, bad := range []string{"wave=2020-13", "ami=3", "wave="} {
		resp, body := do(t, s, "GET", "/api/nearby?lat=46.6&lon=2.4&"+bad, nil)
		if bad == "wave=" {
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d, an empty filter is no filter", bad, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != 400 || !strings.Contains(string(body), "is not one of") {
			t.Errorf("%s: %d %s, want a 400 listing the groups", bad, resp.StatusCode, body)
		}
	}
}

// The OGC items of a layer with groups take its group parameter, any of a
// list, and refuse an unknown group.
func TestItemsGroupFilter(t *testing.T) {
	s := realServer(t)
	all, _ := realCatalog.Index.Features("sites", index.Filter{}, 0, 1000)
	want := 0
	for _, h := range all {
		w := strings.Fields(h.Feature.String("waves"))
		if slices.Contains(w, "2020-01") || slices.Contains(w, "2021-09") {
			want++
		}
	}
	resp, body := do(t, s, "GET", "/collections/sites/items?wave=2020-01,2021-09&limit=1000", nil)
	var fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &fc) != nil {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if want == 0 || fc.NumberMatched != want || len(fc.Features) != want {
		t.Errorf("%d matched, %d features; want %d", fc.NumberMatched, len(fc.Features), want)
	}
	for _, f := range fc.Features {
		if w := f.Properties["waves"].(string); !strings.Contains(w, "2020-01") && !strings.Contains(w, "2021-09") {
			t.Errorf("a site of waves %q", w)
		}
	}
	if resp, body := do(t, s, "GET", "/collections/sites/items?wave=2019-01", nil); resp.StatusCode != 400 {
		t.Errorf("an unknown wave: %d %s, want 400", resp.StatusCode, body)
	}
	// As on /api, a layer without waves has none of a wave.
	resp, body = do(t, s, "GET", "/collections/acv/items?wave=2020-01", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"numberMatched":0`) {
		t.Errorf("ACV towns of a wave: %d %.200s, want none", resp.StatusCode, body)
	}
}
