package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

var lyon = orb.Point{4.8357, 45.7640}

// fixtureDataset: one region and one site, in Lyon.
func fixtureDataset() *dataset.Dataset {
	src := []dataset.Source{{Name: "fixture", Licence: "Licence Ouverte 2.0", Vintage: "2026"}}
	fields := []dataset.Field{{Name: "name", Type: dataset.TypeString, Required: true}, {Name: "code", Type: dataset.TypeString}}
	square := func(c orb.Point, d float64) orb.Polygon {
		return orb.Polygon{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}
	}
	ds := &dataset.Dataset{
		Manifest: dataset.Manifest{Title: "fixture", Attribution: "© fixture"},
		Version:  "v1fixture",
		Layers: []dataset.Layer{
			{Info: dataset.LayerInfo{ID: layers.Regions, Title: "Régions", Geometry: dataset.GeometryPolygon, Sources: src, Fields: fields, Count: 1},
				Features: []dataset.Feature{{ID: "region-84", Geometry: square(orb.Point{5, 45.5}, 1.5), Properties: map[string]any{"name": "Auvergne-Rhône-Alpes", "code": "84"}}}},
			{Info: dataset.LayerInfo{ID: "sites", Title: "Sites", Geometry: dataset.GeometryPoint, Sources: src, Fields: fields, Count: 1},
				Features: []dataset.Feature{{ID: "site-01", Geometry: lyon, Properties: map[string]any{"name": "Site de Lyon"}}}},
		},
	}
	return ds
}

// buildFixtureArchive builds the fixture dataset's archive once: about
// two seconds under the race detector, and most tests want it.
var buildFixtureArchive = sync.OnceValues(func() ([]byte, error) {
	opts := tiles.DefaultOptions()
	opts.Layers = map[string]tiles.LayerTiling{
		layers.Regions: {MinZoom: 0, MaxZoom: 10},
		"sites":        {MinZoom: 2, MaxZoom: 10},
	}
	archive, _, err := tiles.Build(context.Background(), fixtureDataset(), opts)
	return archive, err
})

// fixtureArchive is a copy of the fixture dataset's archive, the caller's
// to keep or change.
func fixtureArchive(tb testing.TB) []byte {
	tb.Helper()
	archive, err := buildFixtureArchive()
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Clone(archive)
}

func fixtureTileset(tb testing.TB, archive []byte) *Tileset {
	tb.Helper()
	r, err := tiles.OpenBytes(archive)
	if err != nil {
		tb.Fatal(err)
	}
	ts, err := NewTileset(r)
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// newCatalog indexes ds with the default registry.
func newCatalog(tb testing.TB, ds *dataset.Dataset) *api.Catalog {
	tb.Helper()
	cat, err := api.NewCatalog(ds, layers.Default())
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestServer serves the fixture archive with cfg (defaults when zero).
func newTestServer(tb testing.TB, mutate func(*Config)) (*Server, *Tileset) {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.AccessLog = false
	if mutate != nil {
		mutate(&cfg)
	}
	s := New(cfg, quietLogger())
	ts := fixtureTileset(tb, fixtureArchive(tb))
	s.Swap(ts)
	s.SwapCatalog(newCatalog(tb, fixtureDataset()))
	return s, ts
}

// newRequest is httptest.NewRequest sent as clients send it: the path in
// the request line and the host in Host (an absolute target would go out
// with no Host, which HTTP/1.1 servers must refuse).
func newRequest(method, target string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, target, body)
	req.RequestURI = req.URL.RequestURI()
	return req
}

func do(tb testing.TB, s *Server, method, target string, header map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req := newRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.App().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

func tilePath(p orb.Point, z maptile.Zoom) string {
	t := maptile.At(p, z)
	return "/tiles/" + itoa(int(t.Z)) + "/" + itoa(int(t.X)) + "/" + itoa(int(t.Y)) + ".mvt"
}

func itoa(i int) string { return strconv.Itoa(i) }

func decodeMVT(tb testing.TB, body []byte, gzipped bool) mvt.Layers {
	tb.Helper()
	var layers mvt.Layers
	var err error
	if gzipped {
		layers, err = mvt.UnmarshalGzipped(body)
	} else {
		layers, err = mvt.Unmarshal(body)
	}
	if err != nil {
		tb.Fatalf("body is not a %s MVT: %v", map[bool]string{true: "gzipped", false: "plain"}[gzipped], err)
	}
	return layers
}

func TestTileIsServedAndDecodesToTheFeaturesItCovers(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, ext := range []string{".mvt", ".pbf"} {
		path := strings.TrimSuffix(tilePath(lyon, 8), ".mvt") + ext
		resp, body := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d %s", path, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != MediaTypeMVT {
			t.Errorf("Content-Type %q", ct)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("headers %v", resp.Header)
		}
		layers := decodeMVT(t, body, true)
		names := map[string]int{}
		for _, l := range layers {
			names[l.Name] = len(l.Features)
		}
		if names["regions"] != 1 || names["sites"] != 1 {
			t.Fatalf("layers %v", names)
		}
		for _, l := range layers {
			if l.Name == "sites" && (l.Features[0].Properties["id"] != "site-01" || l.Features[0].Properties["name"] != "Site de Lyon") {
				t.Errorf("site properties %v", l.Features[0].Properties)
			}
		}
	}
}

func TestTileGzipNegotiation(t *testing.T) {
	s, _ := newTestServer(t, nil)
	path := tilePath(lyon, 8)
	tests := []struct {
		name           string
		acceptEncoding string
		wantGzip       bool
	}{
		{"gzip accepted", "gzip", true},
		{"gzip among others with quality", "br;q=1.0, gzip;q=0.8", true},
		{"any encoding", "*", true},
		{"no Accept-Encoding", "", false},
		{"gzip refused with q=0", "gzip;q=0, identity", false},
		{"only brotli", "br", false},
	}
	var plainETag, gzipETag string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.acceptEncoding != "" {
				h["Accept-Encoding"] = tt.acceptEncoding
			}
			resp, body := do(t, s, "GET", path, h)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			gotGzip := resp.Header.Get("Content-Encoding") == "gzip"
			if gotGzip != tt.wantGzip {
				t.Fatalf("Content-Encoding %q, want gzip=%v", resp.Header.Get("Content-Encoding"), tt.wantGzip)
			}
			// Never double-compressed: the body decodes as announced.
			decodeMVT(t, body, gotGzip)
			if gotGzip {
				gzipETag = resp.Header.Get("ETag")
			} else {
				plainETag = resp.Header.Get("ETag")
			}
		})
	}
	if plainETag == "" || plainETag == gzipETag {
		t.Errorf("gzip and plain bodies share the ETag %q", plainETag)
	}
}

func TestTileETagAndConditionalRequests(t *testing.T) {
	s, _ := newTestServer(t, nil)
	path := tilePath(lyon, 8)
	gz := map[string]string{"Accept-Encoding": "gzip"}
	resp, _ := do(t, s, "GET", path, gz)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("ETag %q is not a strong entity tag", etag)
	}
	for name, inm := range map[string]string{"same tag": etag, "weak form": "W/" + etag, "in a list": `"other", ` + etag, "wildcard": "*"} {
		t.Run(name, func(t *testing.T) {
			resp, body := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": inm})
			if resp.StatusCode != 304 || len(body) != 0 {
				t.Fatalf("status %d, %d bytes; want 304 and no body", resp.StatusCode, len(body))
			}
			if resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") == "" {
				t.Errorf("304 headers %v", resp.Header)
			}
		})
	}
	resp, body := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"stale"`})
	if resp.StatusCode != 200 || len(body) == 0 {
		t.Errorf("non-matching tag: status %d", resp.StatusCode)
	}
}

func TestTileCacheControl(t *testing.T) {
	s, ts := newTestServer(t, func(c *Config) { c.TileMaxAge = 90 * time.Second })
	path := tilePath(lyon, 8)
	tests := []struct{ query, want string }{
		{"?v=" + ts.Version, "public, max-age=31536000, immutable"},
		{"", "public, max-age=90"},
		{"?v=an-old-version", "public, max-age=90"},
	}
	for _, tt := range tests {
		resp, _ := do(t, s, "GET", path+tt.query, nil)
		if got := resp.Header.Get("Cache-Control"); got != tt.want {
			t.Errorf("%q: Cache-Control %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestTileHeadHasHeadersAndNoBody(t *testing.T) {
	s, _ := newTestServer(t, nil)
	path := tilePath(lyon, 8)
	get, getBody := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
	head, headBody := do(t, s, "HEAD", path, map[string]string{"Accept-Encoding": "gzip"})
	if head.StatusCode != 200 || len(headBody) != 0 {
		t.Fatalf("HEAD: status %d, %d bytes of body", head.StatusCode, len(headBody))
	}
	for _, h := range []string{"Content-Type", "Content-Encoding", "ETag", "Cache-Control"} {
		if head.Header.Get(h) != get.Header.Get(h) {
			t.Errorf("HEAD %s = %q, GET %q", h, head.Header.Get(h), get.Header.Get(h))
		}
	}
	if head.Header.Get("Content-Length") != itoa(len(getBody)) {
		t.Errorf("HEAD Content-Length %q, GET body %d bytes", head.Header.Get("Content-Length"), len(getBody))
	}
}

func TestTileStatusCodes(t *testing.T) {
	s, _ := newTestServer(t, nil)
	tests := []struct {
		name, method, path string
		want               int
		errorMentions      string
	}{
		{"letters for z", "GET", "/tiles/a/0/0.mvt", 400, "z="},
		{"negative x", "GET", "/tiles/3/-1/0.mvt", 400, "x="},
		{"x outside the grid", "GET", "/tiles/3/8/0.mvt", 400, "below 2^z = 8"},
		{"y outside the grid", "GET", "/tiles/0/0/1.mvt", 400, "below 2^z = 1"},
		{"zoom above 30", "GET", "/tiles/31/0/0.mvt", 400, "above 30"},
		{"number too long", "GET", "/tiles/3/00000000001/0.mvt", 400, "1 to 10 digits"},
		{"missing y", "GET", "/tiles/3/1.mvt", 400, "{z}/{x}/{y}"},
		{"extra segment", "GET", "/tiles/3/1/1/1.mvt", 400, "{z}/{x}/{y}"},
		{"other format", "GET", "/tiles/3/1/1.png", 400, ".mvt or .pbf"},
		{"no extension", "GET", "/tiles/3/1/1", 400, ".mvt or .pbf"},
		{"plus sign", "GET", "/tiles/+3/1/1.mvt", 400, "z="},
		{"zoom above the archive", "GET", "/tiles/11/0/0.mvt", 404, "outside the archive's range 0-10"},
		{"unknown route", "GET", "/nothing-here", 404, "no such route"},
		{"POST", "POST", "/tiles/3/4/2.mvt", 405, "read-only"},
		{"PUT", "PUT", "/tiles.json", 405, "read-only"},
		{"DELETE", "DELETE", "/tiles/3/4/2.mvt", 405, "read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, tt.method, tt.path, nil)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.want, body)
			}
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, tt.errorMentions) {
				t.Errorf("body %s: want a JSON error mentioning %q", body, tt.errorMentions)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			if tt.want == 405 && resp.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
		})
	}
	// An empty tile inside the zoom range: 204, cacheable, no body.
	resp, body := do(t, s, "GET", tilePath(orb.Point{-150, -40}, 6), nil)
	if resp.StatusCode != 204 || len(body) != 0 || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("empty tile: status %d, %d bytes, Cache-Control %q", resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
	}
}

func TestCORS(t *testing.T) {
	t.Run("any origin by default", func(t *testing.T) {
		s, _ := newTestServer(t, nil)
		resp, _ := do(t, s, "GET", tilePath(lyon, 8), map[string]string{"Origin": "https://region.example.org"})
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		resp, body := do(t, s, "OPTIONS", tilePath(lyon, 8), map[string]string{
			"Origin": "https://region.example.org", "Access-Control-Request-Method": "GET"})
		if resp.StatusCode != 204 || len(body) != 0 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
			t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("configured origins only", func(t *testing.T) {
		s, _ := newTestServer(t, func(c *Config) { c.CORSOrigins = []string{"https://www.grandest.fr"} })
		resp, _ := do(t, s, "GET", tilePath(lyon, 8), map[string]string{"Origin": "https://www.grandest.fr"})
		if resp.Header.Get("Access-Control-Allow-Origin") != "https://www.grandest.fr" {
			t.Errorf("allowed origin: %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		resp, _ = do(t, s, "GET", tilePath(lyon, 8), map[string]string{"Origin": "https://evil.example"})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("other origin allowed: %q", got)
		}
	})
}

func TestNotReadyUntilATilesetIsSwappedIn(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AccessLog = false
	s := New(cfg, quietLogger())
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503, "/tiles/0/0/0.mvt": 503, "/tiles.json": 503, "/style.json": 503, "/api/search?q=lyon": 503} {
		resp, body := do(t, s, "GET", path, nil)
		if resp.StatusCode != want {
			t.Errorf("%s before the archive: %d, want %d (%s)", path, resp.StatusCode, want, body)
		}
		if want == 503 && resp.Header.Get("Retry-After") == "" && path != "/readyz" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
	}
	ts := fixtureTileset(t, fixtureArchive(t))
	s.Swap(ts)
	if resp, _ := do(t, s, "GET", "/readyz", nil); resp.StatusCode != 503 {
		t.Errorf("/readyz with tiles but no index: %d, want 503", resp.StatusCode)
	}
	s.SwapCatalog(newCatalog(t, fixtureDataset()))
	resp, body := do(t, s, "GET", "/readyz", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), ts.Version) {
		t.Errorf("/readyz after: %d %s", resp.StatusCode, body)
	}
}

// semver is semver.org's grammar (without pre-release, which we never
// send): major, minor, patch, and the build metadata.
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

func TestTileJSONVersionIsASemver(t *testing.T) {
	hash := []byte{0xff, 0xff, 0xff, 0xff}
	for _, version := range []string{"2026-11-30.ab12", "0001f335d500", "v1..2", "données/é", ""} {
		got := tileJSONVersion(hash, version)
		if !semver.MatchString(got) {
			t.Errorf("tileJSONVersion(%q) = %q, not a semver", version, got)
		}
	}
	if a, b := tileJSONVersion([]byte{0, 0, 0, 16}, "x"), tileJSONVersion([]byte{0, 0, 0, 32}, "x"); a == b {
		t.Errorf("two archives, one version %q: the minor must follow the archive", a)
	}
}

func TestTileJSONURLs(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		header    map[string]string
		wantBase  string
	}{
		{"request host", "", nil, "http://example.com"},
		{"X-Forwarded headers", "", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "carte.example.gouv.fr"}, "https://carte.example.gouv.fr"},
		{"Forwarded header wins", "", map[string]string{"Forwarded": `for=192.0.2.60;proto=https;host="tiles.example.org", for=10.0.0.1`, "X-Forwarded-Host": "ignored.example"}, "https://tiles.example.org"},
		{"junk forwarded proto ignored", "", map[string]string{"X-Forwarded-Proto": "javascript"}, "http://example.com"},
		{"junk forwarded host ignored", "", map[string]string{"X-Forwarded-Host": "evil.example/x?"}, "http://example.com"},
		{"configured public URL", "https://cdn.example.org/carte/", map[string]string{"X-Forwarded-Host": "ignored.example"}, "https://cdn.example.org/carte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := newTestServer(t, func(c *Config) { c.PublicURL = tt.publicURL })
			resp, body := do(t, s, "GET", "/tiles.json", tt.header)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var doc struct {
				TileJSON     string   `json:"tilejson"`
				Version      string   `json:"version"`
				Tiles        []string `json:"tiles"`
				MinZoom      int      `json:"minzoom"`
				MaxZoom      int      `json:"maxzoom"`
				Bounds       []float64
				Attribution  string `json:"attribution"`
				VectorLayers []struct {
					ID string `json:"id"`
				} `json:"vector_layers"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			want := tt.wantBase + "/tiles/{z}/{x}/{y}.mvt?v=" + ts.Version
			// TileJSON asks a semver: the data version rides as build metadata.
			if m := semver.FindStringSubmatch(doc.Version); m == nil || m[4] != ts.Version {
				t.Errorf("version %q is not a semver carrying the data version %q", doc.Version, ts.Version)
			}
			if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || doc.Tiles[0] != want {
				t.Errorf("tiles %v, want [%s]", doc.Tiles, want)
			}
			if doc.MaxZoom != 10 || len(doc.Bounds) != 4 || doc.Attribution != "© fixture" || len(doc.VectorLayers) != 2 {
				t.Errorf("document %s", body)
			}
		})
	}
}

func TestStyleDrawsEveryLayer(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) { c.PublicURL = "https://carte.example.org" })
	_, body := do(t, s, "GET", "/style.json", nil)
	var style struct {
		Version int `json:"version"`
		Sources map[string]struct {
			URL string `json:"url"`
		} `json:"sources"`
		Layers []struct {
			SourceLayer string `json:"source-layer"`
		} `json:"layers"`
		Glyphs string `json:"glyphs"`
	}
	if err := json.Unmarshal(body, &style); err != nil {
		t.Fatal(err)
	}
	if style.Version != 8 || style.Sources[layers.SourceID].URL != "https://carte.example.org/tiles.json" || style.Glyphs != "" {
		t.Errorf("style %s", body)
	}
	drawn := map[string]bool{}
	for _, l := range style.Layers {
		drawn[l.SourceLayer] = true
	}
	for _, id := range []string{layers.Regions, layers.Departements, layers.Territoires, layers.Communes, "acv", "formations", "sites"} {
		if !drawn[id] {
			t.Errorf("the style does not draw layer %q", id)
		}
	}
}

// Borders drawn as fill outlines: MapLibre multiplies the outline by
// fill-opacity, so a translucent fill must carry its alpha in fill-color.
func TestStyleOutlinesAreNotFaded(t *testing.T) {
	s, _ := newTestServer(t, nil)
	_, body := do(t, s, "GET", "/style.json", nil)
	var style struct {
		Layers []struct {
			ID    string         `json:"id"`
			Type  string         `json:"type"`
			Paint map[string]any `json:"paint"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(body, &style); err != nil {
		t.Fatal(err)
	}
	outlined := 0
	for _, l := range style.Layers {
		if l.Type != "fill" || l.Paint["fill-outline-color"] == nil {
			continue
		}
		outlined++
		if op, ok := l.Paint["fill-opacity"]; ok && op != 1.0 {
			t.Errorf("%s: fill-opacity %v would fade its outline", l.ID, op)
		}
		if aa, ok := l.Paint["fill-antialias"]; ok && aa == false {
			t.Errorf("%s: fill-antialias false hides its outline", l.ID)
		}
	}
	if outlined < 2 {
		t.Errorf("%d outlined fills, want the départements and the territories", outlined)
	}
}

func TestMetricsCountRequestsWithBoundedLabels(t *testing.T) {
	s, _ := newTestServer(t, nil)
	do(t, s, "GET", tilePath(lyon, 8), map[string]string{"Accept-Encoding": "gzip"})
	do(t, s, "GET", "/tiles/x/y/z.mvt", nil)
	for i := 0; i < 20; i++ {
		do(t, s, "GET", "/random-"+itoa(i), nil)
	}
	_, body := do(t, s, "GET", "/metrics", nil)
	text := string(body)
	for _, want := range []string{
		`territoires_http_requests_total{code="200",method="GET",route="tiles"} 1`,
		`territoires_http_requests_total{code="400",method="GET",route="tiles"} 1`,
		`territoires_http_requests_total{code="404",method="GET",route="other"} 20`,
		`territoires_http_request_duration_seconds_bucket{route="tiles",le=`,
		"territoires_tile_bytes_total ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for path, want := range map[string]string{"/api/nearby": "api_nearby", "/api/features/2023/ti-1": "api_features", "/collections/sites/items/x": "collection_items", "/collections/sites": "collection", "/": "landing", "/embed": "embed", "/static/abc/app.js": "static", "/x/y": "other"} {
		if got := s.table.label(path); got != want {
			t.Errorf("label of %q = %q, want %q", path, got, want)
		}
	}
	if strings.Contains(text, "random-") {
		t.Error("a request path leaked into the labels")
	}
}

// The scale-out path: the archive on an HTTP server that honours Range
// (object storage, a CDN), read through http:// by a stateless replica.
func TestRemoteArchiveOverHTTPRange(t *testing.T) {
	archive := fixtureArchive(t)
	var ranges int
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			ranges++
		}
		http.ServeContent(w, r, "fixture.pmtiles", time.Unix(0, 0), bytes.NewReader(archive))
	}))
	defer remote.Close()

	r, err := tiles.Open(context.Background(), remote.URL+"/fixture.pmtiles", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := NewTileset(r)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.AccessLog = false
	s := New(cfg, quietLogger())
	s.Swap(ts)
	local, _ := newTestServer(t, nil)
	for _, z := range []maptile.Zoom{0, 5, 8, 10} {
		path := tilePath(lyon, z)
		got, gotBody := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
		want, wantBody := do(t, local, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
		if got.StatusCode != 200 || !bytes.Equal(gotBody, wantBody) || got.Header.Get("ETag") != want.Header.Get("ETag") {
			t.Errorf("z%d: remote %d (%d bytes), local %d (%d bytes)", z, got.StatusCode, len(gotBody), want.StatusCode, len(wantBody))
		}
	}
	if ranges < 4 {
		t.Errorf("only %d range requests reached the remote server", ranges)
	}
}

func TestOpenLocalArchiveFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.pmtiles")
	if err := os.WriteFile(path, fixtureArchive(t), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{1 << 30, 0} { // in memory, then through the file bucket
		r, err := tiles.Open(context.Background(), path, limit)
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		b, err := r.Tile(context.Background(), 0, 0, 0)
		if err != nil || len(b) == 0 {
			t.Errorf("limit %d: tile 0/0/0: %v", limit, err)
		}
		r.Close()
	}
	os.WriteFile(filepath.Join(dir, "junk.pmtiles"), []byte("not an archive at all"), 0o644)
	for _, bad := range []string{filepath.Join(dir, "missing.pmtiles"), dir, filepath.Join(dir, "junk.pmtiles")} {
		if _, err := tiles.Open(context.Background(), bad, 1<<30); err == nil {
			t.Errorf("%s opened without error", bad)
		}
	}
}
