package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// The profile routes over the real data: the JSON body is the profile the
// catalog's Profiler computes (its brute-force check is in the profile
// package), with attribution and data version; GeoJSON has the origin or
// the territory first, then every feature listed with its role.

type pointProfileBody struct {
	profile.Point
	Attribution string `json:"attribution"`
	DataVersion string `json:"data_version"`
}

type territoryProfileBody struct {
	profile.TerritoryProfile
	Attribution string `json:"attribution"`
	DataVersion string `json:"data_version"`
}

type profileCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Formations struct {
		Counts []profile.RadiusCount `json:"counts"`
		Total  int                   `json:"total"`
	} `json:"formations"`
	Counts      map[string]int                `json:"counts"`
	Territory   *profile.Territory            `json:"territory"`
	Communes    *profile.CommuneCount         `json:"communes"`
	Origin      *profile.Origin               `json:"origin"`
	Provenance  map[string]Provenance         `json:"provenance"`
	Attribution string                        `json:"attribution"`
	Territoires map[string]*profile.Territory `json:"territoires"`
}

// getJSON asks target, wants a 200 of the media type, and decodes it.
func getJSON(t *testing.T, s *Server, target, media string, into any) {
	t.Helper()
	resp, body := do(t, s, "GET", target, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, media) {
		t.Errorf("%s: Content-Type %q, want %s", target, ct, media)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("%s: Cache-Control %q", target, cc)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("%s: %v\n%s", target, err, snippetOf(body))
	}
}

// roundTrip is v as it comes back from JSON (the comparison of a decoded
// answer with the Profiler's own value).
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSiteAndPointProfiles(t *testing.T) {
	s := realServer(t)
	const site = "site-01" // Aix-en-Provence, at its commune's centroid
	want, ok := realCatalog.Profiles.Site(site)
	if !ok {
		t.Fatal("no site-01 in the data")
	}
	var got pointProfileBody
	getJSON(t, s, "/api/sites/"+site+"/profile", mediaJSON, &got)
	if !reflect.DeepEqual(got.Point, roundTrip(t, want)) {
		t.Errorf("the answer differs from the Profiler's profile")
	}
	if got.Site == nil || got.Site.ID != site || got.Origin.Precision != "commune" || !strings.Contains(got.Origin.Note, "Aix-en-Provence") {
		t.Errorf("site %+v origin %+v", got.Site, got.Origin)
	}
	if got.Commune == nil || got.Commune.Code != "13001" || got.Commune.Population == nil || *got.Commune.Population < 100000 {
		t.Errorf("commune %+v", got.Commune)
	}
	if tt := got.Territoires[layers.Period2023]; tt == nil || tt.TIID != "ti-9301" {
		t.Errorf("territories %+v", got.Territoires)
	}
	if len(got.Formations.Counts) != len(profile.Radii) || got.Formations.Counts[0].Total == 0 ||
		got.Formations.Counts[0].Total > got.Formations.Counts[1].Total || got.Formations.Counts[1].Total > got.Formations.Counts[2].Total {
		t.Errorf("counts %+v", got.Formations.Counts)
	}
	for c, list := range got.Formations.Nearest {
		if len(list) != profile.NearestPerCategory || list[0].Category != c || list[0].DistanceM == nil {
			t.Errorf("nearest %s: %+v", c, list)
		}
	}
	for _, f := range got.Sites {
		if f.ID == site || f.DistanceM == nil || *f.DistanceM > 50000 {
			t.Errorf("listed site %+v", f)
		}
	}
	if got.Provenance["formations"].Title == "" || got.Attribution == "" || got.DataVersion == "" {
		t.Errorf("provenance %v attribution %q version %q", got.Provenance, got.Attribution, got.DataVersion)
	}

	// The same point by lat/lon: the same lists, measured from the exact point.
	var byPoint pointProfileBody
	getJSON(t, s, "/api/profile?lat=43.53613&lon=5.39863", mediaJSON, &byPoint)
	if byPoint.Site != nil || byPoint.Origin.Precision != "exact" || byPoint.Origin.Lat != 43.53613 {
		t.Errorf("site %v origin %+v", byPoint.Site, byPoint.Origin)
	}
	if !reflect.DeepEqual(byPoint.Formations, got.Formations) || len(byPoint.Sites) != len(got.Sites)+1 {
		t.Errorf("lat/lon and site profiles differ: %d sites, want %d (the site itself included)", len(byPoint.Sites), len(got.Sites)+1)
	}

	// At sea: no commune, no territory, empty lists (not null).
	resp, body := do(t, s, "GET", "/api/profile?lat=47.5&lon=-6.5", nil)
	for _, want := range []string{`"commune":null`, `"2023-2027":null`, `"cnam":[]`, `"site":null`} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("at sea: %d, no %s in %s", resp.StatusCode, want, snippetOf(body))
		}
	}
}

func TestSiteProfileAsGeoJSON(t *testing.T) {
	s := realServer(t)
	want, _ := realCatalog.Profiles.Site("site-01")
	var fc profileCollection
	getJSON(t, s, "/api/sites/site-01/profile?format=geojson", mediaGeoJSON, &fc)
	nearest := 0
	for _, l := range want.Formations.Nearest {
		nearest += len(l)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1+nearest+len(want.Cnam)+len(want.ACV)+len(want.Sites) {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	origin := fc.Features[0]
	var coords []float64
	if err := json.Unmarshal(origin.Geometry.Coordinates, &coords); err != nil || origin.Geometry.Type != "Point" ||
		coords[0] != want.Origin.Lon || coords[1] != want.Origin.Lat || origin.ID != "site-01" ||
		origin.Properties["role"] != "origin" || origin.Properties["precision"] != "commune" || origin.Properties["note"] != want.Origin.Note {
		t.Errorf("origin %+v", origin)
	}
	roles := map[string]int{}
	for _, f := range fc.Features[1:] {
		roles[f.Properties["role"].(string)]++
		if _, ok := f.Properties["distance_m"].(float64); !ok || f.ID == "" || f.Geometry.Type != "Point" {
			t.Errorf("listed feature %+v", f)
		}
	}
	if roles["formation"] != nearest || roles["acv"] != len(want.ACV) || roles["site"] != len(want.Sites) || roles["cnam"] != len(want.Cnam) {
		t.Errorf("roles %v", roles)
	}
	if !reflect.DeepEqual(fc.Formations.Counts, roundTrip(t, want.Formations.Counts)) || fc.Counts["sites"] != len(want.Sites) ||
		fc.Origin == nil || fc.Provenance["sites"].Title == "" || fc.Attribution == "" || len(fc.Territoires) != 2 {
		t.Errorf("foreign members: counts %+v %v origin %v", fc.Formations.Counts, fc.Counts, fc.Origin)
	}
}

func TestTerritoryProfile(t *testing.T) {
	s := realServer(t)
	for _, tt := range []struct{ target, period, ti string }{
		{"/api/territoires/ti-8413/profile", layers.Period2023, "ti-8413"},
		{"/api/territoires/ti-8413/profile?period=2023-2027", layers.Period2023, "ti-8413"},
		{"/api/territoires/ti-8408/profile?period=2018-2023", layers.Period2018, "ti-8408"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			want, ok := realCatalog.Profiles.Territory(tt.period, tt.ti)
			if !ok {
				t.Fatal("not in the data")
			}
			var got territoryProfileBody
			getJSON(t, s, tt.target, mediaJSON, &got)
			if !reflect.DeepEqual(got.TerritoryProfile, roundTrip(t, want)) {
				t.Errorf("the answer differs from the Profiler's profile")
			}
			if got.Territory.TIID != tt.ti || got.Territory.Period != tt.period || got.Communes.Count == 0 || got.Communes.Population == 0 ||
				len(got.EPCIs) == 0 || len(got.Neighbours) == 0 || got.Attribution == "" {
				t.Errorf("%+v", got.TerritoryProfile)
			}
			var fc profileCollection
			getJSON(t, s, tt.target+map[bool]string{true: "&", false: "?"}[strings.Contains(tt.target, "?")]+"format=geojson", mediaGeoJSON, &fc)
			first := fc.Features[0]
			if first.ID != got.Territory.ID || first.Properties["role"] != "territory" || !strings.HasSuffix(first.Geometry.Type, "Polygon") {
				t.Errorf("first feature %s %v %s", first.ID, first.Properties, first.Geometry.Type)
			}
			if len(fc.Features) != 1+len(got.Sites)+len(got.Cnam)+len(got.ACV) || fc.Territory == nil || fc.Territory.ID != got.Territory.ID ||
				fc.Communes == nil || *fc.Communes != got.Communes || fc.Formations.Total != got.Formations.Total {
				t.Errorf("collection: %d features, territory %v communes %v", len(fc.Features), fc.Territory, fc.Communes)
			}
		})
	}
}

func TestProfilesRejectBadInput(t *testing.T) {
	s := realServer(t)
	tests := []struct {
		target  string
		status  int
		mention string
	}{
		{"/api/profile?lon=4.8", 400, "lat and lon are both required"},
		{"/api/profile?lat=NaN&lon=4.8", 400, "not a finite"},
		{"/api/profile?lat=45&lon=Inf", 400, "not a finite"},
		{"/api/profile?lat=91&lon=4.8", 400, "outside -90..90"},
		{"/api/profile?lat=45&lon=-181", 400, "outside -180..180"},
		{"/api/profile?lat=45&lon=4.8&k=3", 400, "unknown parameter(s) k"},
		{"/api/profile?lat=45&lon=4.8&lat=46", 400, "more than once"},
		{"/api/profile?lat=45&lon=4.8&format=xml", 400, "json or geojson"},
		{"/api/sites/site-01/profile?radius_km=5", 400, "unknown parameter(s) radius_km"},
		{"/api/sites/site-999/profile", 404, `no site "site-999"`},
		{"/api/sites/01283/profile", 404, `no site "01283"`}, // a commune, not a site
		{"/api/territoires/ti-8413/profile?period=2030", 400, `period="2030" must be`},
		{"/api/territoires/ti-8413/profile?periode=2018-2023", 400, "unknown parameter(s) periode"},
		{"/api/territoires/ti-9999/profile", 404, `no territory "ti-9999" in 2023-2027`},
		{"/api/territoires/ti-5311/profile", 404, `no territory "ti-5311"`}, // a territory of 2018-2023 only
		{"/api/territoires/2023%2Fti-8413/profile", 404, `no territory "2023/ti-8413"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := do(t, s, "GET", tt.target, nil)
			var e errorBody
			if resp.StatusCode != tt.status || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tt.mention) {
				t.Errorf("status %d body %s, want %d mentioning %q", resp.StatusCode, body, tt.status, tt.mention)
			}
		})
	}
	// A training centre's id is a 404 too.
	formation := getList(t, s, "/api/nearby?lat=45.76&lon=4.84&k=1&layers=formations").Results[0].ID
	if resp, _ := do(t, s, "GET", "/api/sites/"+formation+"/profile", nil); resp.StatusCode != 404 {
		t.Errorf("a training centre's profile: %d, want 404", resp.StatusCode)
	}
	// lat/lon are read as /api/nearby reads them: the same messages.
	for _, q := range []string{"lat=NaN&lon=4", "lat=1e400&lon=4", "lat=-90.5&lon=4", "lat=4&lon=x", "lon=4"} {
		_, a := do(t, s, "GET", "/api/profile?"+q, nil)
		_, b := do(t, s, "GET", "/api/nearby?"+q, nil)
		if string(a) != string(b) {
			t.Errorf("%s: profile says %s, nearby %s", q, a, b)
		}
	}
}
