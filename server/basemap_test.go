package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/layers"
)

// Each malformed --basemap stops the start with an error naming the flag
// and the value, before any request.
func TestParseBasemap(t *testing.T) {
	for _, tt := range []struct {
		value, attribution string
		raster             bool
		origin             string
		wantErr            string // "" for a good value
	}{
		{"https://tiles.example.org/{z}/{x}/{y}.png", "© Example", true, "https://tiles.example.org", ""},
		{"https://tiles.example.org/ortho/{z}/{x}/{y}.jpg", "", true, "https://tiles.example.org", ""},
		{"https://tiles.example.org/{z}/{y}/{x}.webp?key=abc", "", true, "https://tiles.example.org", ""},
		{"http://127.0.0.1:8081/t/{z}/{x}/{y}", "", true, "http://127.0.0.1:8081", ""},
		{"https://styles.example.org/plan/standard.json", "", false, "https://styles.example.org", ""},
		{"https://styles.example.org/styles/osm-bright/style.json?v=2", "", false, "https://styles.example.org", ""},

		{"ftp://tiles.example.org/{z}/{x}/{y}.png", "", false, "", "want an http(s) URL"},
		{"tiles.example.org/{z}/{x}/{y}.png", "", false, "", "want an http(s) URL"},
		{"/styles/plan.json", "", false, "", "want an http(s) URL"},
		{"mapbox://styles/example/streets", "", false, "", "want an http(s) URL"},
		{"https://", "", false, "", "want an http(s) URL"},
		{"https://user:secret@tiles.example.org/{z}/{x}/{y}.png", "", false, "", "want an http(s) URL"},
		{"https://tiles.example.org/{z}/{x}.png", "", false, "", "missing {y}"},
		{"https://tiles.example.org/{zoom}/{x}/{y}.png", "", false, "", "missing {z}"},
		{"https://tiles.example.org/{quadkey}.png", "", false, "", "missing {z}, {x}, {y}"},
		{"https://tiles.example.org/tile.png", "", false, "", "needs {z}, {x} and {y}"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "", false, "", "{s} subdomains"},
		{"https://tiles.example.org/a b/{z}/{x}/{y}.png", "", false, "", "no space"},
		{"", "© Example", false, "", "basemap-attribution"},
	} {
		name := tt.value
		if name == "" {
			name = "attribution without a base map"
		}
		t.Run(name, func(t *testing.T) {
			b, err := ParseBasemap(tt.value, tt.attribution)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBasemap) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				flag := `basemap "` + tt.value + `"`
				if tt.value == "" {
					flag = "basemap-attribution"
				}
				if !strings.HasPrefix(err.Error(), flag) {
					t.Errorf("error %q does not start with %s", err, flag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !b.IsSet() || b.Raster() != tt.raster || !slices.Equal(b.Origins(), []string{tt.origin}) || b.Attribution != tt.attribution {
				t.Errorf("got %+v", b)
			}
		})
	}
	if b, err := ParseBasemap("", ""); err != nil || b.IsSet() {
		t.Errorf("no flag: %+v %v", b, err)
	}
}

// baseStyleServer answers a style document on loopback, and what the
// cases below need around it.
func baseStyleServer(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

func loadBasemap(t *testing.T, value, attribution string, opts BasemapLoad) (Basemap, error) {
	t.Helper()
	b, err := ParseBasemap(value, attribution)
	if err != nil {
		t.Fatal(err)
	}
	return b.Load(context.Background(), opts)
}

// A style URL whose answer is not a MapLibre style stops the start with
// an error naming the flag, the value and what is wrong.
func TestBasemapStyleRefusals(t *testing.T) {
	good := `{"version":8,"sources":{"s":{"type":"raster","tiles":["https://t.example.org/{z}/{x}/{y}.png"]}},"layers":[{"id":"r","type":"raster","source":"s"}]}`
	for _, tt := range []struct {
		name, body string
		status     int
		opts       BasemapLoad
		wantErr    string
	}{
		{"404", "not found", 404, BasemapLoad{}, "answered HTTP 404"},
		{"HTML page", "<!DOCTYPE html><title>Plan</title>", 200, BasemapLoad{}, "not JSON"},
		{"JSON array", "[1,2]", 200, BasemapLoad{}, "not JSON"},
		{"version 7", `{"version":7,"sources":{},"layers":[{"id":"a","type":"background"}]}`, 200, BasemapLoad{}, "version 7, want 8"},
		{"no sources", `{"version":8,"layers":[{"id":"a","type":"background"}]}`, 200, BasemapLoad{}, "no sources"},
		{"no layers", `{"version":8,"sources":{}}`, 200, BasemapLoad{}, "no layers"},
		{"a TileJSON", `{"tilejson":"3.0.0","tiles":["https://t.example.org/{z}/{x}/{y}.pbf"]}`, 200, BasemapLoad{}, "version <nil>, want 8"},
		{"layer without id", `{"version":8,"sources":{},"layers":[{"type":"background"}]}`, 200, BasemapLoad{}, "missing or repeated id"},
		{"unknown source", `{"version":8,"sources":{},"layers":[{"id":"a","type":"fill","source":"nope"}]}`, 200, BasemapLoad{}, `source "nope"`},
		{"mapbox source", `{"version":8,"sources":{"m":{"type":"vector","url":"mapbox://mapbox.streets"}},"layers":[{"id":"a","type":"fill","source":"m"}]}`, 200, BasemapLoad{}, "not an http(s) URL"},
		{"pmtiles source", `{"version":8,"sources":{"m":{"type":"vector","url":"pmtiles://https://x.example.org/a.pmtiles"}},"layers":[{"id":"a","type":"fill","source":"m"}]}`, 200, BasemapLoad{}, "not an http(s) URL"},
		{"video source", `{"version":8,"sources":{"v":{"type":"video","urls":["https://x.example.org/a.mp4"],"coordinates":[[0,1],[1,1],[1,0],[0,0]]}},"layers":[{"id":"a","type":"raster","source":"v"}]}`, 200, BasemapLoad{}, `type "video" is not supported`},
		{"bad sprite", `{"version":8,"sprite":42,"sources":{},"layers":[{"id":"a","type":"background"}]}`, 200, BasemapLoad{}, "sprite"},
		{"too big", good, 200, BasemapLoad{MaxBytes: 50}, "larger than 50 bytes"},
		{"too slow", good, 200, BasemapLoad{Timeout: 50 * time.Millisecond}, "fetching the style"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := baseStyleServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.name == "too slow" {
					select {
					case <-time.After(2 * time.Second):
					case <-r.Context().Done():
					}
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			value := base + "/styles/plan/style.json"
			_, err := loadBasemap(t, value, "", tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), `basemap "`+value+`"`) {
				t.Fatalf("error %v, want one naming basemap %q and saying %q", err, value, tt.wantErr)
			}
		})
	}
	t.Run("nothing listens", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		value := srv.URL + "/style.json"
		srv.Close()
		if _, err := loadBasemap(t, value, "", BasemapLoad{}); err == nil || !strings.HasPrefix(err.Error(), `basemap "`+value+`"`) {
			t.Fatalf("error %v", err)
		}
	})
}

// styleDoc is /style.json as the tests read it.
type styleDoc struct {
	Version  int                       `json:"version"`
	Sources  map[string]map[string]any `json:"sources"`
	Layers   []map[string]any          `json:"layers"`
	Sprite   any                       `json:"sprite"`
	Glyphs   string                    `json:"glyphs"`
	Fonts    map[string]any            `json:"font-faces"`
	State    map[string]any            `json:"state"`
	Metadata map[string]any            `json:"metadata"`
}

func getStyle(t *testing.T, s *Server) (styleDoc, []byte) {
	t.Helper()
	resp, body := do(t, s, "GET", "/style.json", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/style.json: %d %s", resp.StatusCode, body)
	}
	var st styleDoc
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	return st, body
}

func layerIDs(st styleDoc) []string {
	var ids []string
	for _, l := range st.Layers {
		ids = append(ids, l["id"].(string))
	}
	return ids
}

// landIDs are the registry's land fills (layers.RoleLand).
func landIDs(reg layers.Registry) []string {
	var out []string
	for _, l := range reg {
		for _, s := range l.Style {
			if s.Role == layers.RoleLand {
				out = append(out, s.ID)
			}
		}
	}
	return out
}

// checkOursUnder checks our own layers, after the first n (the base
// map's): in the registry's order, the land fills and the background
// hidden and marked for the pages, the others as without a base map.
func checkOursUnder(t *testing.T, st, plain styleDoc, n int, reg layers.Registry) {
	t.Helper()
	if !slices.Equal(layerIDs(st)[n:], layerIDs(plain)) {
		t.Fatalf("our layers after the base map's: %v, want %v", layerIDs(st)[n:], layerIDs(plain))
	}
	land := landIDs(reg)
	if len(land) < 2 {
		t.Fatalf("land fills %v", land)
	}
	for i, l := range st.Layers[n:] {
		id := l["id"].(string)
		layout, _ := l["layout"].(map[string]any)
		meta, _ := l["metadata"].(map[string]any)
		hidden := slices.Contains(land, id) || l["type"] == "background"
		if hidden {
			if layout["visibility"] != "none" || meta[metaWithoutBasemap] != true {
				t.Errorf("%s: layout %v, metadata %v: want hidden and marked %s", id, layout, meta, metaWithoutBasemap)
			}
			// Otherwise as without the base map.
			delete(layout, "visibility")
			want, _ := plain.Layers[i]["layout"].(map[string]any)
			if len(layout) != len(want) {
				t.Errorf("%s: layout %v, want %v + visibility", id, layout, want)
			}
			continue
		}
		if meta[metaBasemap] != nil || meta[metaWithoutBasemap] != nil {
			t.Errorf("%s: metadata %v", id, meta)
		}
		if got, want := layout["visibility"], plain.Layers[i]["layout"]; want == nil && got != nil || want != nil && got != want.(map[string]any)["visibility"] {
			t.Errorf("%s: visibility %v, want as without a base map (%v)", id, got, want)
		}
		if l["source"] != nil && l["source"] != layers.SourceID {
			t.Errorf("%s: source %v", id, l["source"])
		}
	}
	if !strings.HasSuffix(st.Sources[layers.SourceID]["url"].(string), "/tiles.json") || st.Sources[layers.SourceID]["type"] != "vector" {
		t.Errorf("our source %v", st.Sources[layers.SourceID])
	}
}

func TestStyleOverARasterBasemap(t *testing.T) {
	plainServer, _ := newTestServer(t, nil)
	plain, plainBody := getStyle(t, plainServer)
	if strings.Contains(string(plainBody), "basemap") {
		t.Fatalf("without --basemap the style names a base map: %s", plainBody)
	}
	tmpl := "https://tiles.example.org/plan/{z}/{x}/{y}.png"
	bm, err := ParseBasemap(tmpl, `© <a href="https://www.example.org">Example</a>`)
	if err != nil {
		t.Fatal(err)
	}
	// A raster base map needs no fetch.
	if bm, err = bm.Load(context.Background(), BasemapLoad{Client: &http.Client{Transport: failingTransport{}}}); err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, func(c *Config) { c.Basemap = bm })
	st, body := getStyle(t, s)
	t.Run("gl-style-validate", func(t *testing.T) { validateStyle(t, body) })

	src := st.Sources["basemap"]
	if src["type"] != "raster" || !slices.Equal(toStrings(src["tiles"]), []string{tmpl}) || src["tileSize"] != 256.0 ||
		src["attribution"] != `© <a href="https://www.example.org">Example</a>` {
		t.Errorf("raster source %v", src)
	}
	if len(st.Sources) != 2 {
		t.Errorf("sources %v", st.Sources)
	}
	first := st.Layers[0]
	if first["id"] != "basemap" || first["type"] != "raster" || first["source"] != "basemap" || first["metadata"].(map[string]any)[metaBasemap] != true {
		t.Errorf("bottom layer %v", first)
	}
	checkOursUnder(t, st, plain, 1, s.cfg.Registry)
	info := st.Metadata[metaBasemap].(map[string]any)
	if !slices.Equal(toStrings(info["sources"]), []string{"basemap"}) || len(info["without"].(map[string]any)) != 0 {
		t.Errorf("metadata %s: %v", metaBasemap, info)
	}
	if st.Glyphs != "" || st.Sprite != nil {
		t.Errorf("glyphs %q sprite %v", st.Glyphs, st.Sprite)
	}
	// The registry itself is untouched: a later style without the base
	// map still shows the land.
	if again, _ := getStyle(t, plainServer); !slices.EqualFunc(again.Layers, plain.Layers, func(a, b map[string]any) bool {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return string(ja) == string(jb)
	}) {
		t.Error("drawing the base map changed the registry's layouts")
	}
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no request expected")
}

// vectorBaseStyle is a small base style with relative and absolute URLs,
// a sprite, glyphs, fonts and global state, as a style server answers it.
const vectorBaseStyle = `{
  "version": 8,
  "name": "Plan",
  "center": [2, 47], "zoom": 3,
  "sprite": "../sprites/plan",
  "glyphs": "https://fonts.example.net/{fontstack}/{range}.pbf",
  "font-faces": {"Marianne Regular": "https://fonts.example.net/theirs-marianne.woff2", "Open Sans": [{"url": "/fonts/open-sans.woff2", "unicode-range": ["U+0-FF"]}]},
  "state": {"lang": {"default": "fr"}},
  "sources": {
    "plan": {"type": "vector", "tiles": ["https://tiles.example.net/plan/{z}/{x}/{y}.pbf"], "maxzoom": 14, "attribution": "© Plan"},
    "relief": {"type": "raster", "url": "../relief.json", "tileSize": 256},
    "territoires": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
  },
  "layers": [
    {"id": "background", "type": "background", "paint": {"background-color": "#f8f4f0"}},
    {"id": "relief", "type": "raster", "source": "relief"},
    {"id": "water", "type": "fill", "source": "plan", "source-layer": "water", "metadata": {"editor:group": "hydro"}, "paint": {"fill-color": "#a0c8f0"}},
    {"id": "places", "type": "symbol", "source": "plan", "source-layer": "place", "layout": {"text-field": ["get", "name"], "text-font": ["Open Sans"]}},
    {"id": "mine", "type": "line", "source": "territoires"}
  ]
}`

// A vector style base map: its sources and layers renamed and first, its
// URLs absolute, its sprite, glyphs, fonts and state kept, ours after.
func TestStyleOverAVectorBasemap(t *testing.T) {
	var requests int
	base := baseStyleServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.URL.Path != "/styles/plan/standard.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(vectorBaseStyle))
	})
	bm, err := loadBasemap(t, base+"/styles/plan/standard.json", "", BasemapLoad{})
	if err != nil {
		t.Fatal(err)
	}
	plainServer, _ := newTestServer(t, nil)
	plain, _ := getStyle(t, plainServer)
	s, _ := newTestServer(t, func(c *Config) { c.Basemap = bm })
	st, body := getStyle(t, s)
	getStyle(t, s)
	if requests != 1 {
		t.Errorf("the style was fetched %d times, want once (at start)", requests)
	}

	wantIDs := []string{"basemap-background", "basemap-relief", "basemap-water", "basemap-places", "basemap-mine"}
	if got := layerIDs(st)[:len(wantIDs)]; !slices.Equal(got, wantIDs) {
		t.Errorf("base layers %v, want %v", got, wantIDs)
	}
	for _, l := range st.Layers[:len(wantIDs)] {
		meta := l["metadata"].(map[string]any)
		if meta[metaBasemap] != true {
			t.Errorf("%v: metadata %v", l["id"], meta)
		}
		if src, ok := l["source"].(string); ok && (!strings.HasPrefix(src, "basemap-") || st.Sources[src] == nil) {
			t.Errorf("%v: source %q", l["id"], src)
		}
	}
	if st.Layers[2]["metadata"].(map[string]any)["editor:group"] != "hydro" || st.Layers[4]["source"] != "basemap-territoires" {
		t.Errorf("layers keep their metadata, sources renamed: %v %v", st.Layers[2], st.Layers[4])
	}
	checkOursUnder(t, st, plain, len(wantIDs), s.cfg.Registry)

	// Sources: theirs renamed (one named like ours), URLs absolute.
	if got := st.Sources["basemap-plan"]; toStrings(got["tiles"])[0] != "https://tiles.example.net/plan/{z}/{x}/{y}.pbf" || got["attribution"] != "© Plan" {
		t.Errorf("basemap-plan %v", got)
	}
	if got := st.Sources["basemap-relief"]["url"]; got != base+"/styles/relief.json" {
		t.Errorf("relative source url resolved to %v", got)
	}
	if st.Sources["basemap-territoires"]["type"] != "geojson" || st.Sources[layers.SourceID]["type"] != "vector" || len(st.Sources) != 4 {
		t.Errorf("sources %v", st.Sources)
	}
	// Sprite, glyphs, fonts, state.
	if st.Sprite != base+"/styles/sprites/plan" || st.Glyphs != "https://fonts.example.net/{fontstack}/{range}.pbf" {
		t.Errorf("sprite %v glyphs %q", st.Sprite, st.Glyphs)
	}
	if open, _ := st.Fonts["Open Sans"].([]any); len(open) != 1 || open[0].(map[string]any)["url"] != base+"/fonts/open-sans.woff2" {
		t.Errorf("font-faces %v", st.Fonts)
	}
	if st.State["lang"] == nil {
		t.Errorf("state %v", st.State)
	}
	info := st.Metadata[metaBasemap].(map[string]any)
	if got := toStrings(info["sources"]); !slices.Equal(got, []string{"basemap-plan", "basemap-relief", "basemap-territoires"}) {
		t.Errorf("metadata sources %v", got)
	}
	without := info["without"].(map[string]any)
	for _, k := range []string{"glyphs", "sprite", "state"} {
		if v, ok := without[k]; !ok || v != nil {
			t.Errorf("without[%s] = %v, want null (our style has none)", k, v)
		}
	}
	if faces, _ := without["font-faces"].(map[string]any); faces["Marianne Regular"] == nil {
		t.Errorf("without[font-faces] = %v, want our own font files", without["font-faces"])
	}
	// Centre and zoom are ours.
	var view struct{ Zoom float64 }
	json.Unmarshal(body, &view)
	if view.Zoom == 3 {
		t.Error("the base style's zoom replaced ours")
	}
	t.Run("gl-style-validate", func(t *testing.T) { validateStyle(t, body) })

	// A base style is big: the style travels compressed.
	gz := map[string]string{"Accept-Encoding": "gzip"}
	if resp, _ := do(t, s, "GET", "/style.json", gz); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("with a base style: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}

	// A --basemap-attribution replaces the style's sources' own.
	bm2, err := loadBasemap(t, base+"/styles/plan/standard.json", "© Plan, our words", BasemapLoad{})
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := newTestServer(t, func(c *Config) { c.Basemap = bm2 })
	st2, _ := getStyle(t, s2)
	for _, id := range []string{"basemap-plan", "basemap-relief"} {
		if st2.Sources[id]["attribution"] != "© Plan, our words" {
			t.Errorf("%s: attribution %v", id, st2.Sources[id]["attribution"])
		}
	}
}

// Our own top-level font-faces (the place-name labels' fonts) survive the
// merge and win over the base map's for the same name; whatever Go type
// the style holds them in.
func TestBasemapKeepsOurFontFaces(t *testing.T) {
	base := baseStyleServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(vectorBaseStyle)) })
	bm, err := loadBasemap(t, base+"/style.json", "", BasemapLoad{})
	if err != nil {
		t.Fatal(err)
	}
	type face struct {
		URL string `json:"url"`
	}
	for name, ours := range map[string]any{
		"generic": map[string]any{"Marianne Regular": "/static/fonts/marianne-regular.woff2", "Marianne Bold": "/static/fonts/marianne-bold.woff2"},
		"typed":   map[string][]face{"Marianne Regular": {{"/static/fonts/marianne-regular.woff2"}}, "Marianne Bold": {{"/static/fonts/marianne-bold.woff2"}}},
	} {
		t.Run(name, func(t *testing.T) {
			style := layers.Style(layers.Default(), layers.StyleInput{TileJSONURL: "https://carte.example.org/tiles.json"})
			style["font-faces"] = ours
			style["glyphs"] = "https://carte.example.org/fonts/{fontstack}/{range}.pbf"
			bm.drawUnder(style, layers.Default())
			raw, _ := json.Marshal(style)
			var st styleDoc
			if err := json.Unmarshal(raw, &st); err != nil {
				t.Fatal(err)
			}
			regular, _ := json.Marshal(st.Fonts["Marianne Regular"])
			if !strings.Contains(string(regular), "/static/fonts/marianne-regular.woff2") || st.Fonts["Marianne Bold"] == nil || st.Fonts["Open Sans"] == nil {
				t.Errorf("font-faces %v: want ours (Marianne Regular and Bold) and theirs (Open Sans)", st.Fonts)
			}
			if st.Glyphs != "https://fonts.example.net/{fontstack}/{range}.pbf" {
				t.Errorf("glyphs %q, want the base map's (its labels need them)", st.Glyphs)
			}
			// Without the base map (basemap=0) the pages put ours back.
			without := st.Metadata[metaBasemap].(map[string]any)["without"].(map[string]any)
			if without["glyphs"] != "https://carte.example.org/fonts/{fontstack}/{range}.pbf" {
				t.Errorf("without: glyphs %v", without["glyphs"])
			}
			back, _ := json.Marshal(without["font-faces"])
			if want, _ := json.Marshal(ours); string(back) != string(want) {
				t.Errorf("without: font-faces %s, want ours %s", back, want)
			}
		})
	}
}

// The pages' Content-Security-Policy admits the base map's origins by
// itself: the template's, or the style's and those of its sources,
// sprite, glyphs and fonts.
func TestPagePolicyAdmitsTheBasemap(t *testing.T) {
	csp := func(t *testing.T, bm Basemap) map[string]string {
		t.Helper()
		s, _ := newTestServer(t, func(c *Config) { c.Basemap = bm })
		resp, _ := do(t, s, "GET", "/embed", nil)
		return cspDirectives(t, resp.Header.Get("Content-Security-Policy"))
	}
	t.Run("raster", func(t *testing.T) {
		bm, err := ParseBasemap("https://tiles.example.org:8443/plan/{z}/{x}/{y}.png", "")
		if err != nil {
			t.Fatal(err)
		}
		d := csp(t, bm)
		for _, name := range []string{"connect-src", "img-src"} {
			if !strings.HasSuffix(d[name], " https://tiles.example.org:8443") {
				t.Errorf("%s %q", name, d[name])
			}
		}
	})
	t.Run("style", func(t *testing.T) {
		base := baseStyleServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(vectorBaseStyle)) })
		bm, err := loadBasemap(t, base+"/styles/plan/standard.json", "", BasemapLoad{})
		if err != nil {
			t.Fatal(err)
		}
		d := csp(t, bm)
		for _, name := range []string{"connect-src", "img-src"} {
			got := strings.Fields(d[name])
			// The style's own origin serves its sprite, relief TileJSON and
			// a font; tiles and glyphs come from two others.
			for _, o := range []string{base, "https://tiles.example.net", "https://fonts.example.net"} {
				if n := strings.Count(" "+d[name]+" ", " "+o+" "); n != 1 {
					t.Errorf("%s %q: %s %d times, want once", name, d[name], o, n)
				}
			}
			if got[0] != "'self'" || slices.Contains(got, "*") {
				t.Errorf("%s %q", name, d[name])
			}
		}
		if d["script-src"] != "'self'" || d["style-src"] != "'self'" {
			t.Errorf("script-src %q style-src %q", d["script-src"], d["style-src"])
		}
	})
}

// The embed documents its basemap parameter, in the OpenAPI document and
// on /embed/docs (TestStaticPages checks the page lists it).
func TestEmbedDocumentsBasemap(t *testing.T) {
	s, _ := newTestServer(t, nil)
	doc := fetchOpenAPI(t, s)
	p, ok := paramsOf(t, doc, "/embed")["basemap"]
	if !ok || p["in"] != "query" || !strings.Contains(p["description"].(string), "--basemap") {
		t.Errorf("/embed basemap parameter: %v", p)
	}
}

// validateStyle runs MapLibre's gl-style-validate on a style (skipped
// without the npm packages, required under TERRITOIRES_REQUIRE_BROWSER=1).
func validateStyle(t *testing.T, style []byte) {
	t.Helper()
	bin := filepath.Join("..", "static", "node_modules", ".bin", "gl-style-validate")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(bin); err != nil || statErr != nil {
		if os.Getenv("TERRITOIRES_REQUIRE_BROWSER") == "1" {
			t.Fatalf("node or gl-style-validate missing (make assets): %v %v", err, statErr)
		}
		t.Skip("node or gl-style-validate missing: run make assets")
	}
	path := filepath.Join(t.TempDir(), "style.json")
	if err := os.WriteFile(path, style, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, bin, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("gl-style-validate: %v\n%s", err, out)
	}
}
