package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, tt := range []struct {
		method, target string
		code           int
	}{
		{"GET", tilePath(lyon, 8), 200},
		{"GET", "/tiles/1/5/0.mvt", 400},
		{"GET", "/api/nearby?lat=45.764&lon=4.8357", 200},
		{"GET", "/api/nearby?lat=NaN&lon=4", 400},
		{"GET", "/collections", 200},
		{"GET", "/no/such/route", 404},
		{"GET", "/healthz", 200},
		{"GET", "/metrics", 200},
		{"GET", "/widget.js", 200},
		{"DELETE", "/api/search?q=lyon", 405},
		{"OPTIONS", "/tiles/0/0/0.mvt", 204},
	} {
		h := map[string]string{}
		if tt.method == "OPTIONS" {
			h["Origin"], h["Access-Control-Request-Method"] = "https://www.region.fr", "GET"
		}
		resp, _ := do(t, s, tt.method, tt.target, h)
		if resp.StatusCode != tt.code {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.target, resp.StatusCode, tt.code)
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options":       "nosniff",
			"Referrer-Policy":              "strict-origin-when-cross-origin",
			"Cross-Origin-Resource-Policy": "cross-origin", // other sites' maps load tiles and the API
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %s: %s %q, want %q", tt.method, tt.target, k, got, want)
			}
		}
		if resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("Cross-Origin-Embedder-Policy") != "" {
			t.Errorf("%s: headers that would break embedding: %v", tt.target, resp.Header)
		}
		// Data answers carry no page policy (it would mean nothing there).
		if csp := resp.Header.Get("Content-Security-Policy"); csp != "" {
			t.Errorf("%s: CSP %q on a non-HTML answer", tt.target, csp)
		}
	}
}

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(t *testing.T, csp string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if _, dup := out[name]; dup {
			t.Errorf("directive %s twice in %q (browsers keep the first)", name, csp)
		}
		out[name] = value
	}
	return out
}

func TestPagesHaveAStrictContentSecurityPolicy(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) {
		c.FrameAncestors = []string{"'self'", "https://www.region.fr"}
	})
	browser := map[string]string{"Accept": browserAccept}
	for _, tt := range []struct {
		target, frameAncestors string
	}{
		{"/", "'self'"},
		{"/embed?region=27", "'self' https://www.region.fr"},
		{"/?f=html", "'self'"}, // the OGC landing page as HTML
	} {
		resp, _ := do(t, s, "GET", tt.target, browser)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", tt.target, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		d := cspDirectives(t, resp.Header.Get("Content-Security-Policy"))
		for name, want := range map[string]string{
			"default-src":     "'self'",
			"script-src":      "'self'", // no inline script, no eval, no other host
			"img-src":         "'self' data: blob:",
			"connect-src":     "'self'",
			"worker-src":      "'self' blob:", // MapLibre's worker
			"child-src":       "'self' blob:",
			"object-src":      "'none'",
			"base-uri":        "'self'",
			"frame-ancestors": tt.frameAncestors,
		} {
			if d[name] != want {
				t.Errorf("%s: %s %q, want %q", tt.target, name, d[name], want)
			}
		}
		if strings.Contains(d["script-src"], "unsafe") {
			t.Errorf("%s: script-src %q", tt.target, d["script-src"])
		}
	}

	// The public URL (tile URLs in tiles.json) and extra map origins (an
	// external basemap) may be fetched by the page.
	s, _ = newTestServer(t, func(c *Config) {
		c.PublicURL = "https://carte.example.org/base/"
		c.Limits.MapOrigins = []string{"https://basemap.example.net/", "https://carte.example.org"}
	})
	resp, _ := do(t, s, "GET", "/embed", nil)
	d := cspDirectives(t, resp.Header.Get("Content-Security-Policy"))
	for _, name := range []string{"connect-src", "img-src"} {
		if !strings.HasSuffix(d[name], " https://carte.example.org https://basemap.example.net") {
			t.Errorf("%s %q lacks the public URL and the map origin (once each)", name, d[name])
		}
	}
	if d["script-src"] != "'self'" || d["frame-ancestors"] != "*" {
		t.Errorf("script-src %q, frame-ancestors %q", d["script-src"], d["frame-ancestors"])
	}
}

func TestNoDirectoryTraversalThroughStaticRoutes(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, target := range []string{
		"/static/../go.mod",
		"/static/../../server/server.go",
		"/static/..%2f..%2fgo.mod",
		"/static/%2e%2e/%2e%2e/go.mod",
		"/static/%2E%2E%2Fembed.go",
		"/static/%252e%252e/embed.go",          // double-encoded: decoded once, then just a strange name
		"/static/%252e%252e%252fembed.go",      // same with the slash
		"/static/..%5c..%5cgo.mod",             // backslashes
		"/static/..\\..\\go.mod",               // raw backslashes
		"/static//etc/passwd",                  // absolute path
		"/static/%2fetc%2fpasswd",              // encoded absolute path
		"/static/C:%5cWindows%5cwin.ini",       // drive letter
		"/static/" + "x/../embed.go",           // a .. inside the path
		"/static/" + "./embed.go",              // the Go file that embeds the front end
		"/static/index.html",                   // pages only at / and /embed
		"/static/%00index.html",                // NUL byte
		"/static/vendor/../../../../etc/hosts", // deep
	} {
		resp, body := do(t, s, "GET", target, nil)
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("%s: %d, want 404 (or 400)", target, resp.StatusCode)
		}
		wantJSONError(t, target, resp.StatusCode, resp.StatusCode, body)
		if b := string(body); strings.Contains(b, "module github.com") || strings.Contains(b, "package ") || strings.Contains(b, "root:") || strings.Contains(b, "<html") {
			t.Errorf("%s: leaked a file: %.200s", target, b)
		}
	}
	// The legitimate file next to them is served.
	if resp, body := do(t, s, "GET", "/static/app.js", nil); resp.StatusCode != 200 || !strings.Contains(string(body), "maplibre") {
		t.Errorf("/static/app.js: %d", resp.StatusCode)
	}
}

func TestQueryStringLengthAndEncoding(t *testing.T) {
	s, _ := newTestServer(t, nil)
	long := "/api/search?q=" + strings.Repeat("a", 2049-len("q="))
	resp, body := do(t, s, "GET", long, nil)
	wantJSONError(t, "long query", 414, resp.StatusCode, body, "2049 bytes", "2048 allowed")
	// Exactly at the limit the route decides (here: q longer than 100).
	resp, body = do(t, s, "GET", long[:len(long)-1], nil)
	wantJSONError(t, "query at the limit", 400, resp.StatusCode, body, "q")
	// A long query on a page or a tile is refused too.
	resp, body = do(t, s, "GET", tilePath(lyon, 8)+"?v="+strings.Repeat("1", 3000), nil)
	wantJSONError(t, "long tile query", 414, resp.StatusCode, body)

	for _, target := range []string{"/api/search?q=%ff", "/api/search?q=caf%C3", "/api/search?%C0%AF=1", "/collections/sites/items?name=%ED%A0%80"} {
		resp, body := do(t, s, "GET", target, nil)
		wantJSONError(t, target, 400, resp.StatusCode, body, "query string is not valid UTF-8")
	}
	resp, body = do(t, s, "GET", "/api/features/%ff%fe", nil)
	wantJSONError(t, "path", 400, resp.StatusCode, body, "path is not valid UTF-8")
	// Valid UTF-8 passes.
	if resp, body := do(t, s, "GET", "/api/search?q=%C3%A9", nil); resp.StatusCode != 200 {
		t.Errorf("q=é: %d %s", resp.StatusCode, body)
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="query_too_long"}`); got != 2 {
		t.Errorf("query_too_long %v, want 2", got)
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="invalid_utf8"}`); got != 5 {
		t.Errorf("invalid_utf8 %v, want 5", got)
	}
}

// The pages' policy allows no inline script or style at all.
func TestPagePolicyForbidsInline(t *testing.T) {
	p := pagePolicy(nil)
	for _, directive := range strings.Split(p, "; ") {
		if strings.Contains(directive, "'unsafe-inline'") || strings.Contains(directive, "'unsafe-eval'") {
			t.Errorf("page policy allows inline code: %q", directive)
		}
	}
	if !strings.Contains(p, "style-src 'self'") || !strings.Contains(p, "script-src 'self'") {
		t.Errorf("page policy lacks self-only script or style sources: %s", p)
	}
}

// TestCanonicalHeaderNamesAreNormalised: names set with SetCanonical are
// stored as given, so each must be spelt as fasthttp normalises it, or
// Peek (and the middlewares that read answers' headers) would miss it.
// The tiles' ETag keeps the RFC's spelling on the wire (fasthttp would say
// Etag): nothing reads it back.
func TestCanonicalHeaderNamesAreNormalised(t *testing.T) {
	names := [][]byte{headerXContentTypeOptions, headerReferrerPolicy, headerCrossOriginResourcePolicy,
		xRateLimitLimit, xRateLimitRemaining, xRateLimitReset,
		headerCacheControl, headerVary, headerContentEncoding}
	for _, name := range names {
		var h fasthttp.ResponseHeader
		h.SetBytesK(bytes.ToLower(name), "v")
		var normalised []byte
		h.VisitAll(func(k, _ []byte) {
			if bytes.EqualFold(k, name) {
				normalised = append([]byte(nil), k...)
			}
		})
		if !bytes.Equal(normalised, name) {
			t.Errorf("header %q: fasthttp normalises it as %q", name, normalised)
		}
	}
}
