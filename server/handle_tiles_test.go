package server

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/api"
)

// acceptsGzip answers as api.AcceptsCoding, its reference, without
// allocating for the usual headers.
func TestAcceptsGzipAgreesWithTheNegotiationParser(t *testing.T) {
	for _, h := range []string{"", "gzip", "GZIP", " gzip ", "x-gzip", "gzip, deflate, br", "br, deflate", "*", "br,*",
		"gzip;q=0", "gzip;q=0, *", "*;q=0", "br;q=1.0, gzip;q=0.8", "gzip;q=0, identity", ",,", "gzipx", "deflate, gzip ,br"} {
		if got, want := acceptsGzip([]byte(h)), api.AcceptsCoding(h, "gzip", "x-gzip"); got != want {
			t.Errorf("acceptsGzip(%q) = %v, api.AcceptsCoding says %v", h, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { acceptsGzip([]byte("gzip, deflate, br")) }); n != 0 {
		t.Errorf("%v allocations for a plain Accept-Encoding", n)
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, h := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "gzip;q=0, *"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got, want := acceptsGzip([]byte(h)), api.AcceptsCoding(h, "gzip", "x-gzip"); got != want {
			t.Errorf("acceptsGzip(%q) = %v, api.AcceptsCoding says %v", h, got, want)
		}
	})
}

func TestETagMatches(t *testing.T) {
	etag := []byte(`"v1-3-4-2-gz"`)
	for header, want := range map[string]bool{
		``: false, `"v1-3-4-2-gz"`: true, `W/"v1-3-4-2-gz"`: true, `"a", "v1-3-4-2-gz"`: true, ` "a" ,W/"v1-3-4-2-gz" `: true,
		`*`: true, `"v1-3-4-2"`: false, `"v1-3-4-2-gz`: false, `, ,`: false,
	} {
		if got := etagMatches([]byte(header), etag); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}

// The whole answer to each kind of tile request, headers and body: what a
// faster path through the middleware must not lose. want lists headers
// that must have exactly that value ("" = absent).
func TestTileAnswersCarryEveryHeader(t *testing.T) {
	s, ts := newTestServer(t, func(c *Config) { c.Limits.Tiles = 100; c.TileMaxAge = 90 * time.Second })
	z, x, y := 8, 0, 0
	path := tilePath(lyon, 8)
	if _, err := fmt.Sscanf(path, "/tiles/%d/%d/%d.mvt", &z, &x, &y); err != nil {
		t.Fatal(err)
	}
	stored, err := ts.reader.Tile(context.Background(), z, x, y)
	if err != nil || len(stored) == 0 {
		t.Fatalf("fixture tile %s: %v", path, err)
	}
	plain, err := gunzip(stored)
	if err != nil {
		t.Fatal(err)
	}
	gzTag := fmt.Sprintf(`"%s-%d-%d-%d-gz"`, ts.Version, z, x, y)
	plainTag := fmt.Sprintf(`"%s-%d-%d-%d"`, ts.Version, z, x, y)
	everywhere := map[string]string{
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "strict-origin-when-cross-origin",
		"Cross-Origin-Resource-Policy": "cross-origin",
		"X-Ratelimit-Limit":            "100",
	}
	tests := []struct {
		name, method, target string
		header               map[string]string
		code                 int
		body                 []byte // nil: no body
		want                 map[string]string
	}{
		{"gzip", "GET", path, map[string]string{"Accept-Encoding": "gzip"}, 200, stored, map[string]string{
			"Content-Type": MediaTypeMVT, "Content-Encoding": "gzip", "Content-Length": strconv.Itoa(len(stored)),
			"Vary": "Accept-Encoding", "ETag": gzTag, "Cache-Control": "public, max-age=90",
			"Access-Control-Allow-Origin": ""}},
		{"identity", "GET", path, nil, 200, plain, map[string]string{
			"Content-Type": MediaTypeMVT, "Content-Encoding": "", "Content-Length": strconv.Itoa(len(plain)),
			"Vary": "Accept-Encoding", "ETag": plainTag}},
		{"versioned", "GET", path + "?v=" + ts.Version, map[string]string{"Accept-Encoding": "gzip"}, 200, stored, map[string]string{
			"Cache-Control": "public, max-age=31536000, immutable", "ETag": gzTag}},
		{"cross-origin", "GET", path, map[string]string{"Accept-Encoding": "gzip", "Origin": "https://region.example.org"}, 200, stored, map[string]string{
			"Access-Control-Allow-Origin": "*", "Content-Encoding": "gzip",
			"Access-Control-Expose-Headers": "ETag,Content-Encoding,Content-Length,Content-Disposition,Link,Retry-After,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset"}},
		{"not modified, gzip", "GET", path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzTag}, 304, nil, map[string]string{
			"ETag": gzTag, "Cache-Control": "public, max-age=90", "Vary": "Accept-Encoding", "Content-Encoding": ""}},
		{"not modified, identity", "GET", path, map[string]string{"If-None-Match": plainTag}, 304, nil, map[string]string{"ETag": plainTag}},
		{"gzip tag for an identity client", "GET", path, map[string]string{"If-None-Match": gzTag}, 200, plain, map[string]string{"ETag": plainTag}},
		{"HEAD", "HEAD", path, map[string]string{"Accept-Encoding": "gzip"}, 200, nil, map[string]string{
			"Content-Type": MediaTypeMVT, "Content-Encoding": "gzip", "Content-Length": strconv.Itoa(len(stored)), "ETag": gzTag}},
		{"empty tile", "GET", tilePath(orb.Point{-150, -40}, 6), map[string]string{"Accept-Encoding": "gzip"}, 204, nil, map[string]string{
			"Cache-Control": "public, max-age=90", "Vary": "Accept-Encoding", "ETag": "", "Content-Encoding": ""}},
		{"above maxzoom", "GET", tilePath(lyon, 11), map[string]string{"Accept-Encoding": "gzip"}, 404, nil, map[string]string{
			"Content-Type": "application/json", "ETag": "", "Content-Encoding": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, tt.method, tt.target, tt.header)
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.code, body)
			}
			if tt.code == 404 {
				wantJSONError(t, tt.name, 404, resp.StatusCode, body, "outside the archive's range")
			} else if !bytes.Equal(body, tt.body) {
				t.Errorf("body of %d bytes, want %d bytes", len(body), len(tt.body))
			}
			for k, v := range everywhere {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for k, v := range tt.want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if r := resp.Header.Get("X-Ratelimit-Remaining"); r == "" || resp.Header.Get("X-Ratelimit-Reset") == "" {
				t.Errorf("rate-limit headers missing: %v", resp.Header)
			}
		})
	}
}

// Every tile answer draws on the client's tile budget, whatever its
// status (200, 304, 204, 404, HEAD), and nothing else does.
func TestTileBudgetCountsEveryTileAnswer(t *testing.T) {
	s := limitedServer(t, func(l *Limits) { l.Tiles = 6 })
	path := tilePath(lyon, 8)
	resp, _ := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
	etag := resp.Header.Get("ETag")
	steps := []struct {
		method, target string
		header         map[string]string
		code           int
	}{
		{"GET", path, map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}, 304},
		{"GET", tilePath(orb.Point{-150, -40}, 6), nil, 204},
		{"GET", tilePath(lyon, 11), nil, 404},
		{"HEAD", path, nil, 200},
		{"GET", "/tiles.json", nil, 200}, // not a tile: no budget
		{"GET", path, nil, 200},
	}
	for i, st := range steps {
		resp, body := do(t, s, st.method, st.target, st.header)
		if resp.StatusCode != st.code {
			t.Fatalf("step %d %s: %d %s, want %d", i, st.target, resp.StatusCode, body, st.code)
		}
	}
	resp, body := do(t, s, "GET", path, nil)
	wantJSONError(t, "7th tile", 429, resp.StatusCode, body, "tiles are limited to 6 requests per 1m")
	if resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("429 headers %v", resp.Header)
	}
}

// The metrics count every tile answer by status and method, and the
// bytes of the bodies sent.
func TestMetricsCountEveryTileAnswer(t *testing.T) {
	s, _ := newTestServer(t, nil)
	path := tilePath(lyon, 8)
	resp, gz := do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
	_, plain := do(t, s, "GET", path, nil)
	do(t, s, "GET", path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")})
	do(t, s, "HEAD", path, map[string]string{"Accept-Encoding": "gzip"})
	for i := 0; i < 3; i++ {
		do(t, s, "GET", tilePath(orb.Point{-150, -40}, 6), nil)
	}
	do(t, s, "GET", tilePath(lyon, 11), nil)
	for series, want := range map[string]float64{
		`territoires_http_requests_total{code="200",method="GET",route="tiles"}`:  2,
		`territoires_http_requests_total{code="304",method="GET",route="tiles"}`:  1,
		`territoires_http_requests_total{code="200",method="HEAD",route="tiles"}`: 1,
		`territoires_http_requests_total{code="204",method="GET",route="tiles"}`:  3,
		`territoires_http_requests_total{code="404",method="GET",route="tiles"}`:  1,
		`territoires_http_request_duration_seconds_count{route="tiles"}`:          8,
		// HEAD counts the body it would have sent, as before.
		"territoires_tile_bytes_total": float64(2*len(gz) + len(plain)),
	} {
		if got := metric(t, s, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}
