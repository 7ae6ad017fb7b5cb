package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// basemapFixture is a small external base map on loopback: a MapLibre
// style whose sources are raster PNG tiles (made here with image/png) and
// an inline GeoJSON frame, and a sprite. Broken, its tiles answer 500 and
// its sprite 404 (GET /mode/broken; /mode/ok mends it).
type basemapFixture struct {
	URL      string
	broken   atomic.Bool
	tiles    atomic.Int64 // tile requests answered
	tile     []byte
	spritePx []byte
}

// basemapAttribution is the attribution its style gives its tiles.
const basemapAttribution = "Fond de carte d'essai"

func newBasemapFixture(t testing.TB) *basemapFixture {
	t.Helper()
	f := &basemapFixture{tile: pngOf(256, color.NRGBA{0xd8, 0xe8, 0xc8, 0xff}, color.NRGBA{0xc8, 0xdc, 0xb4, 0xff}), spritePx: pngOf(8, color.NRGBA{0x80, 0, 0, 0xff}, color.NRGBA{0x80, 0, 0, 0xff})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /style.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{
  "version": 8,
  "name": "Fond d'essai",
  "sprite": %q,
  "sources": {
    "land": {"type": "raster", "tiles": [%q], "tileSize": 256, "maxzoom": 14, "attribution": %q},
    "frame": {"type": "geojson", "data": {"type": "Feature", "properties": {"name": "cadre"},
      "geometry": {"type": "Polygon", "coordinates": [[[-4, 43], [7, 43], [7, 50], [-4, 50], [-4, 43]]]}}}
  },
  "layers": [
    {"id": "background", "type": "background", "paint": {"background-color": "#f4f1ea"}},
    {"id": "land", "type": "raster", "source": "land"},
    {"id": "frame", "type": "line", "source": "frame", "paint": {"line-color": "#8a6d3b", "line-width": 2}}
  ]
}`, f.URL+"/sprite/base", f.URL+"/tiles/{z}/{x}/{y}.png", basemapAttribution)
	})
	mux.HandleFunc("GET /tiles/{z}/{x}/{y}", func(w http.ResponseWriter, r *http.Request) {
		f.tiles.Add(1)
		if f.broken.Load() {
			http.Error(w, "broken on purpose", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(f.tile)
	})
	mux.HandleFunc("GET /sprite/{file}", func(w http.ResponseWriter, r *http.Request) {
		if f.broken.Load() {
			http.NotFound(w, r)
			return
		}
		switch name := r.PathValue("file"); {
		case strings.HasSuffix(name, ".json"):
			ratio := 1
			if strings.Contains(name, "@2x") {
				ratio = 2
			}
			fmt.Fprintf(w, `{"dot": {"x": 0, "y": 0, "width": 8, "height": 8, "pixelRatio": %d}}`, ratio)
		case strings.HasSuffix(name, ".png"):
			w.Header().Set("Content-Type", "image/png")
			w.Write(f.spritePx)
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("GET /mode/{mode}", func(w http.ResponseWriter, r *http.Request) {
		f.broken.Store(r.PathValue("mode") == "broken")
		fmt.Fprintln(w, r.PathValue("mode"))
	})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Another origin than the map's: MapLibre fetches it with CORS.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// pngOf is a size×size PNG checkered in two colours.
func pngOf(size int, a, b color.NRGBA) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := a
			if (x/32+y/32)%2 == 1 {
				c = b
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// --basemap and --basemap-attribution come from the flags or the
// environment; a malformed value stops the start naming the flag and the
// value.
func TestBasemapFlags(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	o, err := parseServeFlags([]string{"--basemap", "https://tiles.example.org/{z}/{x}/{y}.png", "--basemap-attribution", "© Example"}, noEnv, io.Discard)
	if err != nil || o.server.Basemap.URL != "https://tiles.example.org/{z}/{x}/{y}.png" || !o.server.Basemap.Raster() || o.server.Basemap.Attribution != "© Example" {
		t.Errorf("flags: %v %+v", err, o.server.Basemap)
	}
	env := map[string]string{"TERRITOIRES_BASEMAP": "https://styles.example.org/plan/standard.json", "TERRITOIRES_BASEMAP_ATTRIBUTION": ""}
	o, err = parseServeFlags(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	if err != nil || o.server.Basemap.URL != env["TERRITOIRES_BASEMAP"] || o.server.Basemap.Raster() {
		t.Errorf("environment: %v %+v", err, o.server.Basemap)
	}
	if o, err = parseServeFlags(nil, noEnv, io.Discard); err != nil || o.server.Basemap.IsSet() {
		t.Errorf("default: %v %+v", err, o.server.Basemap)
	}
	for _, tt := range []struct{ args []string }{
		{[]string{"--basemap", "ftp://tiles.example.org/{z}/{x}/{y}.png"}},
		{[]string{"--basemap", "tiles.example.org/plan.json"}},
		{[]string{"--basemap", "https://tiles.example.org/{z}/{x}.png"}},
		{[]string{"--basemap", "https://tiles.example.org/plan.png"}},
		{[]string{"--basemap", "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}},
		{[]string{"--basemap-attribution", "© Example"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseServeFlags(tt.args, noEnv, io.Discard)
			name := strings.TrimPrefix(tt.args[0], "--")
			if err == nil || !strings.Contains(err.Error(), name+` "`+tt.args[1]+`"`) {
				t.Errorf("error %v, want one naming %s %q", err, name, tt.args[1])
			}
		})
	}
}

// A style URL whose answer is not a MapLibre style stops the start before
// the server listens.
func TestServeStopsOnABadBaseStyle(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!DOCTYPE html><title>Plan</title>")
	}))
	defer page.Close()
	for _, value := range []string{page.URL + "/plan/standard.json", page.URL + "/plan/{z}/{x}.png"} {
		o, err := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--cache-dir", t.TempDir(), "--basemap", value}, func(string) (string, bool) { return "", false }, io.Discard)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			err = serve(ctx, o, quietLogger(), func(net.Addr) { t.Errorf("%s: the server listened", value) })
			cancel()
		}
		if err == nil || !strings.Contains(err.Error(), `basemap "`+value+`"`) {
			t.Errorf("%s: error %v, want one naming the flag and the value", value, err)
		}
	}
}

// The real serve logic with a base style on loopback: fetched once at
// start, drawn under our layers in /style.json, admitted by the pages'
// Content-Security-Policy.
func TestServeDrawsTheBasemap(t *testing.T) {
	bm := newBasemapFixture(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeRegions(t, data)
	base, _ := startServe(t, "--data", data, "--cache-dir", filepath.Join(dir, "cache"), "--basemap", bm.URL+"/style.json")
	waitReady(t, base)
	status, body, err := get(base + "/style.json")
	if err != nil || status != 200 {
		t.Fatalf("/style.json: %d %v", status, err)
	}
	var style struct {
		Sprite  string
		Sources map[string]struct{ Tiles []string }
		Layers  []struct {
			ID, Source string
			Metadata   map[string]any
		}
	}
	if err := json.Unmarshal(body, &style); err != nil {
		t.Fatal(err)
	}
	if len(style.Layers) < 4 || style.Layers[1].ID != "basemap-land" || style.Layers[1].Source != "basemap-land" ||
		style.Sources["basemap-land"].Tiles[0] != bm.URL+"/tiles/{z}/{x}/{y}.png" || style.Sprite != bm.URL+"/sprite/base" {
		t.Errorf("style %s", body[:min(len(body), 600)])
	}
	resp, err := http.Get(base + "/embed")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"connect-src 'self' " + bm.URL + ";", "img-src 'self' data: blob: " + bm.URL + ";"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
}
