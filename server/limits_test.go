package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	nearbyLyon = "/api/nearby?lat=45.764&lon=4.8357&layers=sites"
	partnerKey = "partner-key-0123456789abcdef"
)

// limitedServer serves the fixture with small limits.
func limitedServer(t *testing.T, mutate func(*Limits)) *Server {
	t.Helper()
	s, _ := newTestServer(t, func(c *Config) {
		c.Limits.API, c.Limits.APIKey, c.Limits.Tiles = 3, 5, 4
		if mutate != nil {
			mutate(&c.Limits)
		}
	})
	return s
}

// wantJSONError checks a response is the server's JSON error with status
// code and a message containing every part.
func wantJSONError(t *testing.T, what string, code int, gotCode int, body []byte, parts ...string) {
	t.Helper()
	var e errorBody
	if gotCode != code || json.Unmarshal(body, &e) != nil || e.Error == "" {
		t.Fatalf("%s: %d %s, want %d and a JSON error", what, gotCode, body, code)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error, p) {
			t.Errorf("%s: error %q does not mention %q", what, e.Error, p)
		}
	}
}

// metric returns the value of one series in /metrics, or -1.
func metric(t *testing.T, s *Server, series string) float64 {
	t.Helper()
	_, body := do(t, s, "GET", "/metrics", nil)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Logf("no %s in /metrics:\n%.2000s", series, body)
	return -1
}

func TestAPIRateLimitPerClient(t *testing.T) {
	s := limitedServer(t, nil)
	for i := 0; i < 3; i++ {
		resp, body := do(t, s, "GET", nearbyLyon, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
		}
		if got := resp.Header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("request %d: X-RateLimit-Remaining %q", i+1, got)
		}
	}
	// The budget is shared by every API route, JSON and OGC.
	for _, target := range []string{nearbyLyon, "/collections", "/conformance", "/openapi.json", "/api/features/site-01"} {
		resp, body := do(t, s, "GET", target, nil)
		wantJSONError(t, target, 429, resp.StatusCode, body, "rate limit", "3 requests per 1m", "without an API key")
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 60 {
			t.Errorf("%s: Retry-After %q, want seconds within the 1m window", target, resp.Header.Get("Retry-After"))
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: a 429 must not be cached (Cache-Control %q)", target, resp.Header.Get("Cache-Control"))
		}
	}
	// Tiles, pages and probes draw on other budgets, or none.
	for _, target := range []string{tilePath(lyon, 8), "/healthz", "/readyz", "/tiles.json", "/style.json", "/"} {
		if resp, body := do(t, s, "GET", target, nil); resp.StatusCode != 200 {
			t.Errorf("%s after the API limit: %d %s", target, resp.StatusCode, body)
		}
	}
	for i := 0; i < 20; i++ {
		if resp, _ := do(t, s, "GET", "/healthz", nil); resp.StatusCode != 200 {
			t.Fatalf("/healthz is limited: %d", resp.StatusCode)
		}
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="rate_limit_api"}`); got != 5 {
		t.Errorf("rate_limit_api rejections %v, want 5", got)
	}
	if got := metric(t, s, `territoires_http_requests_total{code="429",method="GET",route="api_nearby"}`); got != 1 {
		t.Errorf("429s counted per route: %v, want 1", got)
	}
}

func TestTileRateLimitIsSeparate(t *testing.T) {
	s := limitedServer(t, nil)
	tile := tilePath(lyon, 8)
	for i := 0; i < 4; i++ {
		if resp, _ := do(t, s, "GET", tile, nil); resp.StatusCode != 200 {
			t.Fatalf("tile %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := do(t, s, "GET", tile, nil)
	wantJSONError(t, "tile", 429, resp.StatusCode, body, "tiles are limited to 4 requests per 1m")
	if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("429 headers %v", resp.Header)
	}
	if resp, body := do(t, s, "GET", nearbyLyon, nil); resp.StatusCode != 200 {
		t.Errorf("API after the tile limit: %d %s", resp.StatusCode, body)
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="rate_limit_tiles"}`); got != 1 {
		t.Errorf("rate_limit_tiles rejections %v, want 1", got)
	}
}

func TestRateLimitZeroIsOff(t *testing.T) {
	s := limitedServer(t, func(l *Limits) { l.API, l.Tiles = 0, 0 })
	for i := 0; i < 30; i++ {
		for _, target := range []string{nearbyLyon, tilePath(lyon, 8)} {
			if resp, _ := do(t, s, "GET", target, nil); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "" {
				t.Fatalf("%s #%d: %d %v", target, i, resp.StatusCode, resp.Header)
			}
		}
	}
}

func TestRateLimitWindowResets(t *testing.T) {
	s := limitedServer(t, func(l *Limits) { l.API, l.Window = 2, 90*time.Second })
	clock := int64(1_000_000)
	s.guard.api.now = func() int64 { return clock }
	want := func(step string, code int, remaining, reset string) {
		t.Helper()
		resp, body := do(t, s, "GET", nearbyLyon, nil)
		if resp.StatusCode != code {
			t.Fatalf("%s: %d %s", step, resp.StatusCode, body)
		}
		if code == 429 {
			if got := resp.Header.Get("Retry-After"); got != reset {
				t.Errorf("%s: Retry-After %q, want %s", step, got, reset)
			}
			return
		}
		if got := resp.Header.Get("X-RateLimit-Limit"); got != "2" {
			t.Errorf("%s: X-RateLimit-Limit %q", step, got)
		}
		if got := resp.Header.Get("X-RateLimit-Remaining"); got != remaining {
			t.Errorf("%s: X-RateLimit-Remaining %q, want %s", step, got, remaining)
		}
		if got := resp.Header.Get("X-RateLimit-Reset"); got != reset {
			t.Errorf("%s: X-RateLimit-Reset %q, want %s", step, got, reset)
		}
	}
	want("first request: the window opens", 200, "1", "90")
	clock += 30
	want("second, 30 s later", 200, "0", "60")
	clock += 59
	want("third, 1 s before the end", 429, "", "1")
	clock++
	want("at the end: a new window", 200, "1", "90")
	clock += 89
	want("second of the new window", 200, "0", "1")
	// A client gone for good is forgotten once its window has ended.
	if n := len(s.guard.api.clients); n != 1 {
		t.Fatalf("%d clients counted", n)
	}
	clock += 1000
	s.guard.api.take(netip.MustParsePrefix("192.0.2.1/32"))
	if _, kept := s.guard.api.clients[netip.MustParsePrefix("0.0.0.0/32")]; kept || len(s.guard.api.clients) != 1 {
		t.Errorf("after the windows ended: %v", s.guard.api.clients)
	}
}

// In tests the TCP peer is 0.0.0.0 (Fiber's test connection).
func TestClientAddressComesFromTrustedProxiesOnly(t *testing.T) {
	xff := func(v string) map[string]string { return map[string]string{"X-Forwarded-For": v} }
	status := func(s *Server, h map[string]string) int {
		resp, _ := do(t, s, "GET", nearbyLyon, h)
		return resp.StatusCode
	}
	exhaust := func(s *Server, h map[string]string) {
		t.Helper()
		for i := 0; i < 3; i++ {
			if code := status(s, h); code != 200 {
				t.Fatalf("request %d from %v: %d", i+1, h, code)
			}
		}
	}

	t.Run("untrusted peer: X-Forwarded-For is ignored", func(t *testing.T) {
		s := limitedServer(t, nil)
		exhaust(s, xff("203.0.113.1"))
		if code := status(s, xff("203.0.113.99")); code != 429 {
			t.Errorf("a client changing X-Forwarded-For escaped the limit: %d", code)
		}
	})
	t.Run("trusted peer: each forwarded client has its budget", func(t *testing.T) {
		s := limitedServer(t, func(l *Limits) { l.TrustedProxies = []string{"0.0.0.0"} })
		exhaust(s, xff("203.0.113.1"))
		if code := status(s, xff("203.0.113.1")); code != 429 {
			t.Errorf("same client: %d, want 429", code)
		}
		if code := status(s, xff("203.0.113.2")); code != 200 {
			t.Errorf("another client: %d, want 200", code)
		}
	})
	t.Run("trusted peer: the client's own X-Forwarded-For entries are not believed", func(t *testing.T) {
		// The proxy appends the address it saw; what the client sent is
		// further left and must not choose the key.
		s := limitedServer(t, func(l *Limits) { l.TrustedProxies = []string{"0.0.0.0/32", "10.0.0.0/8"} })
		exhaust(s, xff("198.51.100.7, 203.0.113.1"))
		for _, spoof := range []string{"198.51.100.8, 203.0.113.1", "garbage, 203.0.113.1", "10.0.0.1, 203.0.113.1"} {
			if code := status(s, xff(spoof)); code != 429 {
				t.Errorf("X-Forwarded-For %q escaped the limit: %d", spoof, code)
			}
		}
		// A chain of our own proxies is skipped: the client is 203.0.113.1.
		if code := status(s, xff("203.0.113.1, 10.1.2.3, 10.9.9.9")); code != 429 {
			t.Errorf("through two trusted proxies: %d, want 429 (same client)", code)
		}
		if code := status(s, map[string]string{"X-Forwarded-For": "203.0.113.5"}); code != 200 {
			t.Errorf("new client: %d", code)
		}
	})
	t.Run("IPv6 clients are counted per /64", func(t *testing.T) {
		s := limitedServer(t, func(l *Limits) { l.TrustedProxies = []string{"0.0.0.0"} })
		exhaust(s, xff("2001:db8:1:2::1"))
		if code := status(s, xff("2001:db8:1:2:ffff::42")); code != 429 {
			t.Errorf("same /64: %d, want 429", code)
		}
		if code := status(s, xff("2001:db8:1:3::1")); code != 200 {
			t.Errorf("another /64: %d, want 200", code)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	var logs bytes.Buffer
	partner, err := NewAPIKey(partnerKey, "Business France")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Limits.API, cfg.Limits.APIKey, cfg.Limits.Tiles = 1, 3, 0
	cfg.Limits.APIKeys = []APIKey{partner}
	s := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	s.Swap(fixtureTileset(t, fixtureArchive(t)))
	s.SwapCatalog(newCatalog(t, fixtureDataset()))
	withKey := map[string]string{HeaderAPIKey: partnerKey}

	// The anonymous budget is spent...
	do(t, s, "GET", nearbyLyon, nil)
	if resp, _ := do(t, s, "GET", nearbyLyon, nil); resp.StatusCode != 429 {
		t.Fatalf("anonymous: %d, want 429", resp.StatusCode)
	}
	// ...the key has its own, counted per key, not per address.
	for i := 0; i < 3; i++ {
		resp, body := do(t, s, "GET", nearbyLyon, withKey)
		if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("with key, request %d: %d %v %s", i+1, resp.StatusCode, resp.Header, body)
		}
	}
	resp, body := do(t, s, "GET", "/collections", withKey)
	wantJSONError(t, "key over its limit", 429, resp.StatusCode, body, "3 requests per 1m per API key")

	// An unknown key is refused, not downgraded to anonymous.
	for _, bad := range []string{"wrong-key-0123456789abcdef", partnerKey + "x", partnerKey[:len(partnerKey)-1], "x"} {
		resp, body := do(t, s, "GET", nearbyLyon, map[string]string{HeaderAPIKey: bad})
		wantJSONError(t, "unknown key", 401, resp.StatusCode, body, "unknown API key", HeaderAPIKey)
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
	// Keys do not matter to tiles (tile limit off here).
	if resp, _ := do(t, s, "GET", tilePath(lyon, 8), map[string]string{HeaderAPIKey: "wrong"}); resp.StatusCode != 200 {
		t.Errorf("tile with a wrong key: %d", resp.StatusCode)
	}

	if got := metric(t, s, `territoires_api_key_requests_total{label="Business France"}`); got != 4 {
		t.Errorf("key uses %v, want 4", got)
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="unknown_api_key"}`); got != 4 {
		t.Errorf("unknown key rejections %v, want 4", got)
	}
	if got := metric(t, s, `territoires_rejected_requests_total{reason="rate_limit_api_key"}`); got != 1 {
		t.Errorf("key rate-limit rejections %v, want 1", got)
	}
	// The access log names the key by its label and never shows a key.
	if strings.Contains(logs.String(), partnerKey[:12]) || strings.Contains(logs.String(), "wrong-key") {
		t.Errorf("a key leaked into the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"api_key":"Business France"`) {
		t.Errorf("the access log lacks the key label:\n%s", logs.String())
	}

	// Keys can be replaced while serving: the old one stops working.
	next, _ := NewAPIKey("next-key-0123456789abcdef", "")
	if err := s.SetAPIKeys([]APIKey{next}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, s, "GET", nearbyLyon, withKey); resp.StatusCode != 401 {
		t.Errorf("old key after reload: %d, want 401", resp.StatusCode)
	}
	if resp, _ := do(t, s, "GET", nearbyLyon, map[string]string{HeaderAPIKey: "next-key-0123456789abcdef"}); resp.StatusCode != 200 {
		t.Errorf("new key after reload: %d, want 200", resp.StatusCode)
	}
	if err := s.SetAPIKeys([]APIKey{next, next}); err == nil {
		t.Error("a duplicate key was accepted")
	} else {
		s.APIKeysReloadFailed(err)
	}
	// The reloads are counted, each by its result: what tests and operators
	// wait on after a SIGHUP.
	if ok, failed := metric(t, s, `territoires_api_key_reloads_total{result="ok"}`), metric(t, s, `territoires_api_key_reloads_total{result="failed"}`); ok != 1 || failed != 1 {
		t.Errorf("key reloads counted ok %v, failed %v; want 1 and 1", ok, failed)
	}
}

func TestParseAPIKeys(t *testing.T) {
	file := "# partners\n\n" + partnerKey + "   Business France  \n  other-key-0123456789abcdef\n#disabled-key-0123456789abc old\n"
	keys, err := ParseAPIKeys(file, "\n", "keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Label != "Business France" || !strings.HasPrefix(keys[1].Label, "key-") || len(keys[1].Label) != 12 {
		t.Fatalf("keys %+v", keys)
	}
	var r keyring
	r.set(keys)
	if k, ok := r.lookup(partnerKey); !ok || k.Label != "Business France" {
		t.Errorf("lookup: %+v %v", k, ok)
	}
	if _, ok := r.lookup("#disabled-key-0123456789abc"); ok {
		t.Error("a commented-out key is valid")
	}
	env, err := ParseAPIKeys(" a-key-from-the-environment01 region BFC, another-key-0123456789ab", ",", "api-keys")
	if err != nil || len(env) != 2 || env[0].Label != "region BFC" {
		t.Fatalf("%+v %v", env, err)
	}

	for _, tt := range []struct{ text, sep, want string }{
		{"short label", "\n", "keys.txt, entry 1: API key \"label\": too short"},
		{"ok-key-0123456789abcdef\n\tsh\xffort-key-0123456789", "\n", "entry 2"},
		{"good-key-0123456789abcdef,tiny", ",", "api-keys, entry 2"},
		{"#hash-key-0123456789abcdef", ",", "must not start with #"},
	} {
		where := "keys.txt"
		if tt.sep == "," {
			where = "api-keys"
		}
		_, err := ParseAPIKeys(tt.text, tt.sep, where)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "0123456789") {
			t.Errorf("the error quotes a key: %v", err)
		}
	}
}

func TestLimitsValidation(t *testing.T) {
	dup, _ := NewAPIKey(partnerKey, "a")
	dup2, _ := NewAPIKey(partnerKey, "b")
	for _, tt := range []struct {
		mutate func(*Limits)
		want   string
	}{
		{func(l *Limits) { l.Window = 0 }, "rate-limit-window"},
		{func(l *Limits) { l.API = -1 }, "rate-limit-api:"},
		{func(l *Limits) { l.APIKey = -5 }, "rate-limit-api-key"},
		{func(l *Limits) { l.Tiles = -1 }, "rate-limit-tiles"},
		{func(l *Limits) { l.TrustedProxies = []string{"10.0.0.0/33"} }, "trusted-proxies"},
		{func(l *Limits) { l.TrustedProxies = []string{"proxy.example.org"} }, "trusted-proxies"},
		{func(l *Limits) { l.APIKeys = []APIKey{dup, dup2} }, `labels "a" and "b"`},
		{func(l *Limits) { l.MaxQueryLength = 10 }, "max-query-length"},
		{func(l *Limits) { l.MaxHeaderBytes = 100 }, "max-header-bytes"},
		{func(l *Limits) { l.MaxConnections = 0 }, "max-connections"},
		{func(l *Limits) { l.MapOrigins = []string{"https://a.example.org/style.json"} }, "map-origins"},
		{func(l *Limits) { l.MapOrigins = []string{"https://a.example.org; script-src *"} }, "map-origins"},
	} {
		c := DefaultConfig()
		tt.mutate(&c.Limits)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want one naming %q", err, tt.want)
		}
	}
	c := DefaultConfig()
	c.Limits.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1", "::1", "fd00::/8"}
	c.Limits.MapOrigins = []string{"https://basemap.example.org", "http://localhost:8081"}
	c.Limits.API, c.Limits.Tiles = 0, 0
	if err := c.Validate(); err != nil {
		t.Errorf("valid limits refused: %v", err)
	}
}
