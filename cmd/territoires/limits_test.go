package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/server"
)

const (
	keyA = "alpha-key-0123456789abcdef"
	keyB = "bravo-key-0123456789abcdef"
	keyC = "charlie-key-0123456789abcdef"
)

func TestAbuseFlagsFromEnvironmentAndFlags(t *testing.T) {
	dir := t.TempDir()
	keysFile := filepath.Join(dir, "keys.txt")
	os.WriteFile(keysFile, []byte("# partners\n"+keyB+" Business France\n"), 0o600)
	env := map[string]string{
		"TERRITOIRES_RATE_LIMIT_WINDOW":  "30s",
		"TERRITOIRES_RATE_LIMIT_API":     "100",
		"TERRITOIRES_RATE_LIMIT_TILES":   "0",
		"TERRITOIRES_TRUSTED_PROXIES":    "10.0.0.0/8, 192.0.2.7",
		"TERRITOIRES_API_KEYS":           keyA + " region BFC",
		"TERRITOIRES_API_KEYS_FILE":      keysFile,
		"TERRITOIRES_MAX_QUERY_LENGTH":   "1024",
		"TERRITOIRES_MAX_HEADER_BYTES":   "16384",
		"TERRITOIRES_MAX_CONNECTIONS":    "500",
		"TERRITOIRES_MAP_ORIGINS":        "https://basemap.example.net",
		"TERRITOIRES_RATE_LIMIT_API_KEY": "9000",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	o, err := parseServeFlags([]string{"--rate-limit-api", "50", "--tiles", "x.pmtiles"}, lookup, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l := o.server.Limits
	if l.Window != 30*time.Second || l.API != 50 || l.APIKey != 9000 || l.Tiles != 0 || l.MaxQueryLength != 1024 ||
		l.MaxHeaderBytes != 16384 || l.MaxConnections != 500 ||
		strings.Join(l.TrustedProxies, " ") != "10.0.0.0/8 192.0.2.7" || strings.Join(l.MapOrigins, " ") != "https://basemap.example.net" {
		t.Errorf("limits %+v (the flag must win over the environment for rate-limit-api)", l)
	}
	if len(l.APIKeys) != 2 || l.APIKeys[0].Label != "region BFC" || l.APIKeys[1].Label != "Business France" {
		t.Errorf("keys %+v, want the environment's then the file's", l.APIKeys)
	}

	defaults, err := parseServeFlags(nil, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := server.DefaultConfig().Limits; defaults.server.Limits.API != want.API || defaults.server.Limits.Tiles != want.Tiles ||
		defaults.server.Limits.Window != want.Window || len(defaults.server.Limits.TrustedProxies) != 0 || len(defaults.server.Limits.APIKeys) != 0 {
		t.Errorf("defaults %+v, want %+v", defaults.server.Limits, want)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate-limit-api", "-1"}, "rate-limit-api"},
		{[]string{"--rate-limit-window", "0s"}, "rate-limit-window"},
		{[]string{"--trusted-proxies", "lb.internal"}, "trusted-proxies"},
		{[]string{"--api-keys", "short"}, "api-keys, entry 1"},
		{[]string{"--api-keys", keyA + " a," + keyA + " b"}, "the same key is given twice"},
		{[]string{"--api-keys-file", filepath.Join(dir, "missing.txt")}, "api-keys-file"},
		{[]string{"--max-query-length", "10"}, "max-query-length"},
		{[]string{"--map-origins", "basemap.example.net"}, "map-origins"},
	} {
		_, err := parseServeFlags(tt.args, func(string) (string, bool) { return "", false }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "0123456789") {
			t.Errorf("%v: the error shows a key: %v", tt.args, err)
		}
	}
}

// TestServeRateLimitsKeysAndProxies runs the real serve logic on loopback
// with a keys file: the client address comes from X-Forwarded-For only
// because 127.0.0.1 is a trusted proxy, keys get their own limit, and
// SIGHUP reloads the keys file.
func TestServeRateLimitsKeysAndProxies(t *testing.T) {
	dir := t.TempDir()
	archive := buildArchive(t, dir, "a")
	keysFile := filepath.Join(dir, "keys.txt")
	if err := os.WriteFile(keysFile, []byte(keyA+" partner A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := startServe(t, "--tiles", archive, "--data", filepath.Join(dir, "data-a"),
		"--rate-limit-api", "2", "--rate-limit-api-key", "3", "--rate-limit-tiles", "0",
		"--trusted-proxies", "127.0.0.1", "--api-keys-file", keysFile)
	waitReady(t, base)

	get := func(path string, header map[string]string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	client := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	const api = "/api/search?q=lyon"

	for i := 0; i < 2; i++ {
		if code, _, body := get(api, client("198.51.100.1")); code != 200 {
			t.Fatalf("request %d: %d %s", i+1, code, body)
		}
	}
	code, h, body := get(api, client("198.51.100.1"))
	var e struct{ Error string }
	if code != 429 || h.Get("Retry-After") == "" || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "2 requests per 1m") {
		t.Fatalf("third request: %d %v %s", code, h, body)
	}
	if code, _, _ := get(api, client("198.51.100.2")); code != 200 {
		t.Errorf("another client behind the proxy: %d, want 200", code)
	}
	if code, _, _ := get(api, map[string]string{"X-Forwarded-For": "198.51.100.1", "X-Api-Key": keyA}); code != 200 {
		t.Errorf("the same client with a key: %d, want 200", code)
	}
	if code, _, _ := get(api, map[string]string{"X-Api-Key": keyC}); code != 401 {
		t.Errorf("key C before it is added: %d, want 401", code)
	}

	// Replace the keys file and send SIGHUP: A stops working, C starts.
	if err := os.WriteFile(keysFile, []byte("# rotated\n"+keyC+" partner C\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, base, `territoires_api_key_reloads_total{result="ok"}`, 1)
	codeA, _, _ := get(api, map[string]string{"X-Api-Key": keyA})
	codeC, _, _ := get(api, map[string]string{"X-Api-Key": keyC})
	if codeA != 401 || codeC != 200 {
		t.Fatalf("after SIGHUP: key A %d (want 401), key C %d (want 200)", codeA, codeC)
	}
	// A broken keys file keeps the current keys.
	os.WriteFile(keysFile, []byte("tiny\n"), 0o600)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitMetric(t, base, `territoires_api_key_reloads_total{result="failed"}`, 1)
	if code, _, _ := get(api, map[string]string{"X-Api-Key": keyC}); code != 200 {
		t.Errorf("key C after a bad keys file: %d, want 200 (keys kept)", code)
	}
	if n := metricValue(t, base, `territoires_api_key_reloads_total{result="ok"}`); n != 1 {
		t.Errorf("%v successful key reloads, want 1 (the bad file replaced nothing)", n)
	}
	_, _, metrics := get("/metrics", nil)
	for _, want := range []string{`territoires_rejected_requests_total{reason="rate_limit_api"} 1`, `territoires_api_key_requests_total{label="partner C"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
