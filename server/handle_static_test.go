package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/territoires-industrie/carte/static"
)

func TestStaticRoutes(t *testing.T) {
	s := New(func() Config {
		c := DefaultConfig()
		c.AccessLog = false
		c.FrameAncestors = []string{"'self'", "https://www.region.fr"}
		return c
	}(), quietLogger())
	vendored := static.VendorMissing() == ""

	t.Run("embed: frame-ancestors allow-list", func(t *testing.T) {
		resp, body := do(t, s, "GET", "/embed?region=27", nil)
		if got := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(got, "; frame-ancestors 'self' https://www.region.fr") || !strings.HasPrefix(got, pagePolicy(nil)) {
			t.Errorf("CSP %q", got)
		}
		if !vendored {
			if resp.StatusCode != 503 || !strings.Contains(string(body), "make assets") {
				t.Errorf("without vendor files: %d %s", resp.StatusCode, body)
			}
			return
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(string(body), assetsPrefix+"/app.js") || strings.Contains(string(body), "{{ASSETS}}") {
			t.Errorf("asset URLs not versioned:\n%s", body)
		}
	})
	t.Run("map page for browsers, JSON for programs", func(t *testing.T) {
		resp, body := do(t, s, "GET", "/", map[string]string{"Accept": browserAccept})
		if vendored && (resp.StatusCode != 200 || !strings.Contains(string(body), `id="territoires-map"`)) {
			t.Errorf("map page: %d", resp.StatusCode)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
			t.Errorf("Vary %q", resp.Header.Get("Vary"))
		}
		resp, _ = do(t, s, "GET", "/", nil)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("API clients get %q", resp.Header.Get("Content-Type"))
		}
	})
	t.Run("embed docs page", func(t *testing.T) {
		resp, body := do(t, s, "GET", "/embed/docs", nil)
		if got := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(got, "; frame-ancestors 'self'") || !strings.Contains(got, "script-src 'self';") {
			t.Errorf("CSP %q: want the pages' policy with frame-ancestors 'self'", got)
		}
		if !vendored {
			if resp.StatusCode != 503 {
				t.Errorf("without vendor files: %d", resp.StatusCode)
			}
			return
		}
		page := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// Every /embed parameter is documented, and the allow-list.
		for _, want := range []string{"<code>region</code>", "<code>departement</code>", "<code>territoire</code>", "<code>layers</code>",
			"<code>period</code>", "<code>lang</code>", "<code>center</code>", "<code>zoom</code>", "<code>controls</code>", "<code>search</code>", "<code>basemap</code>",
			"frame-ancestors", "TERRITOIRES_FRAME_ANCESTORS", `id="snippet-widget"`, `id="snippet-iframe"`, `id="preview"`, assetsPrefix + "/docs.js"} {
			if !strings.Contains(page, want) {
				t.Errorf("docs page lacks %q", want)
			}
		}
		// Pages stay clean under a strict Content-Security-Policy: no inline
		// script, style or event handler.
		for _, bad := range []string{"<script>", "<style", ` style="`, " onclick=", " onload="} {
			if strings.Contains(page, bad) {
				t.Errorf("docs page has %q", bad)
			}
		}
	})
	t.Run("Brotli for the big vendor files", func(t *testing.T) {
		if !vendored {
			t.Skip("vendor files not embedded")
		}
		name := assetsPrefix + "/vendor/maplibre-gl/maplibre-gl.mjs"
		_, plain := do(t, s, "GET", name, nil)
		resp, br := do(t, s, "GET", name, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if resp.Header.Get("Content-Encoding") != "br" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("headers %v", resp.Header)
		}
		got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Brotli body does not decode to the file (%v)", err)
		}
		if len(br) >= len(plain)/3 {
			t.Errorf("Brotli body %d bytes for %d", len(br), len(plain))
		}
		// br refused (q=0): gzip.
		resp, _ = do(t, s, "GET", name, map[string]string{"Accept-Encoding": "gzip, br;q=0"})
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("br;q=0 got %q", resp.Header.Get("Content-Encoding"))
		}
		// The .br files themselves are not served.
		resp, _ = do(t, s, "GET", name+".br", nil)
		if resp.StatusCode != 404 {
			t.Errorf(".br file: %d", resp.StatusCode)
		}
	})
	t.Run("widget.js", func(t *testing.T) {
		resp, body := do(t, s, "GET", "/widget.js", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
			resp.Header.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(string(body), "/embed") {
			t.Errorf("%d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("versioned assets are immutable and gzipped", func(t *testing.T) {
		plainResp, plain := do(t, s, "GET", assetsPrefix+"/app.js", nil)
		if plainResp.StatusCode != 200 || plainResp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
			plainResp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || plainResp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%d %v", plainResp.StatusCode, plainResp.Header)
		}
		resp, gz := do(t, s, "GET", assetsPrefix+"/app.js", map[string]string{"Accept-Encoding": "gzip"})
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("gzip: %v", resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, plain) {
			t.Error("gzipped body differs")
		}
		resp, _ = do(t, s, "GET", "/static/app.css", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("unversioned: %d %v", resp.StatusCode, resp.Header)
		}
		if vendored {
			resp, _ = do(t, s, "GET", assetsPrefix+"/vendor/maplibre-gl/maplibre-gl-worker.mjs?v=1", nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Errorf("worker: %d %v", resp.StatusCode, resp.Header)
			}
		}
	})
	for _, target := range []string{"/static/nope.js", "/static/../go.mod", "/static/%2e%2e/embed.go", "/static/index.html", "/static/" + static.Version + "/embed.go"} {
		t.Run("404 "+target, func(t *testing.T) {
			resp, body := do(t, s, "GET", target, nil)
			if resp.StatusCode != 404 || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestFrameAncestorsValidation(t *testing.T) {
	for a, ok := range map[string]bool{
		"*": true, "'self'": true, "'none'": true, "https://www.region.fr": true, "https://*.region.fr": true, "http://127.0.0.1:8080": true,
		"www.region.fr": false, "https://a.fr; script-src *": false, "https://a.fr/page": false, "ftp://a.fr": false, "'unsafe-inline'": false,
	} {
		c := DefaultConfig()
		c.FrameAncestors = []string{a}
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("%q: err %v, want ok=%v", a, err, ok)
		}
	}
	c := DefaultConfig()
	c.FrameAncestors = nil
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "frame-ancestors") {
		t.Errorf("empty list: %v", err)
	}
}
