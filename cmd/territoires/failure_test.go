package main

// Fault injection, end to end through the real serve logic: broken
// archives at start and at reload, a remote origin that fails and comes
// back.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/tiles/tilestest"
)

// readyz is the decoded /readyz answer.
type readyz struct {
	code            int
	Status, Error   string
	Version         string
	LoadedAt        string `json:"loaded_at"`
	LastReloadError *struct {
		Error, At string
	} `json:"last_reload_error"`
	Storage struct{ Status, Error string }
}

func getReadyz(t *testing.T, base string) readyz {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readyz
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("/readyz is not JSON: %v", err)
	}
	r.code = resp.StatusCode
	return r
}

func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	v, ok := metricSeries(t, base, name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return v
}

// metricSeries reads one series of /metrics, and whether it is there yet
// (a counter with labels appears at its first increment).
func metricSeries(t *testing.T, base, name string) (float64, bool) {
	t.Helper()
	code, body, err := get(base + "/metrics")
	if err != nil || code != 200 {
		t.Fatalf("/metrics: %d %v %.500s", code, err, body)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f, true
		}
	}
	return 0, false
}

// waitMetric waits, polling /metrics, until a series reaches at least want:
// the event a test waits for (a reload done, a request counted).
func waitMetric(t *testing.T, base, name string, want float64) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if v, _ := metricSeries(t, base, name); v >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach %v", name, want)
		}
	}
}

// TestServeRefusesBrokenArchivesAtStart: a missing, truncated or corrupt
// archive stops the start with an error naming the file and the problem,
// before anything listens; local files and remote URLs alike.
func TestServeRefusesBrokenArchivesAtStart(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(buildArchive(t, dir, "good"))
	if err != nil {
		t.Fatal(err)
	}
	// start runs serve on a broken archive; it must fail before listening.
	start := func(location string, extra ...string) error {
		t.Helper()
		args := append([]string{"--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data-good"), "--tiles", location}, extra...)
		o, err := parseServeFlags(args, func(string) (string, bool) { return "", false }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err = serve(ctx, o, quietLogger(), func(net.Addr) { t.Errorf("%s: serve listened despite a broken archive", location) })
		if err == nil {
			t.Fatalf("%s: serve started", location)
		}
		return err
	}

	missing := filepath.Join(dir, "missing.pmtiles")
	if err := start(missing); !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing archive: %v", err)
	}
	o := tilestest.NewOrigin(t, good)
	for name, c := range tilestest.Corruptions(t, good) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".pmtiles")
		if err := os.WriteFile(path, c.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		// In memory (the default for small files), read from the file,
		// and over HTTP.
		for _, extra := range [][]string{nil, {"--max-in-memory", "0"}} {
			if err := start(path, extra...); !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.Want) {
				t.Errorf("%s %v: error %q, want one naming the file and saying %q", name, extra, err, c.Want)
			}
		}
		o.Data.Store(&c.Data)
		url := o.URL + "/" + filepath.Base(path)
		if err := start(url); !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), c.Want) {
			t.Errorf("%s over HTTP: error %q, want one naming the URL and saying %q", name, err, c.Want)
		}
	}
	o.Mode.Store("500")
	if err := start(o.URL+"/good.pmtiles", "--storage-timeout", "1s"); !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("origin failing at start: %v", err)
	}
}

// TestServeReportsAFailedReload: SIGHUP with a broken archive keeps the old
// data served and ready, and says so in /readyz and the metrics; a good
// archive later clears the error.
func TestServeReportsAFailedReload(t *testing.T) {
	dir := t.TempDir()
	archive := buildArchive(t, dir, "a")
	good, _ := os.ReadFile(archive)
	base, _ := startServe(t, "--tiles", archive, "--data", filepath.Join(dir, "data-a"))
	version := waitReady(t, base)
	before := getReadyz(t, base)
	if before.Status != "ready" || before.LastReloadError != nil || before.Storage.Status != "ok" || before.LoadedAt == "" {
		t.Fatalf("/readyz at start: %+v", before)
	}
	// The metric says when the load succeeded: the second /readyz shows.
	loadedAt := metricValue(t, base, "territoires_last_reload_success_timestamp_seconds")
	at, err := time.Parse(time.RFC3339, before.LoadedAt)
	if d := loadedAt - float64(at.Unix()); err != nil || d < 0 || d >= 1 || metricValue(t, base, "territoires_last_reload_ok") != 1 {
		t.Fatalf("load metrics at start: success at %v, /readyz says loaded at %s", loadedAt, before.LoadedAt)
	}

	if err := os.WriteFile(archive, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	var r readyz
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r = getReadyz(t, base); r.LastReloadError != nil {
			break
		}
	}
	if r.code != 200 || r.Status != "ready" || r.Version != version || r.LoadedAt != before.LoadedAt {
		t.Errorf("/readyz after a failed reload: %+v; want still ready with version %s loaded at %s", r, version, before.LoadedAt)
	}
	if r.LastReloadError == nil || !strings.Contains(r.LastReloadError.Error, archive) || !strings.Contains(r.LastReloadError.Error, "truncated") || r.LastReloadError.At == "" {
		t.Errorf("last reload error %+v, want the file and the problem", r.LastReloadError)
	}
	if code, body, _ := get(base + "/tiles/5/16/11.mvt"); code != 200 || len(body) == 0 {
		t.Errorf("tiles after the failed reload: %d", code)
	}
	if metricValue(t, base, "territoires_last_reload_ok") != 0 || metricValue(t, base, `territoires_reloads_total{result="failed"}`) != 1 ||
		metricValue(t, base, "territoires_last_reload_success_timestamp_seconds") != loadedAt {
		t.Error("metrics do not report the failed reload")
	}

	// A good archive again: the next reload succeeds and clears the error.
	// (The server times the failure and this reload itself, requests apart:
	// the new loaded_at is later than the failure, which /readyz then hides.)
	if err := os.WriteFile(archive, good, 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r = getReadyz(t, base); r.LastReloadError == nil {
			break
		}
	}
	if r.code != 200 || r.LastReloadError != nil || metricValue(t, base, "territoires_last_reload_ok") != 1 ||
		metricValue(t, base, "territoires_last_reload_success_timestamp_seconds") <= loadedAt {
		t.Errorf("after a good reload: %+v", r)
	}
}

// TestServeRemoteOriginFailsAndRecovers: an archive over http:// whose
// origin answers 500, drops connections, then hangs: tiles answer 503 with
// Retry-After and a JSON error (never 500, never a wait past the storage
// timeout), /readyz turns 503 with the reason, and both recover by
// themselves once the origin serves again, without any tile request.
func TestServeRemoteOriginFailsAndRecovers(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(buildArchive(t, dir, "a"))
	o := tilestest.NewOrigin(t, good)
	base, stop := startServe(t, "--tiles", o.URL+"/a.pmtiles", "--data", filepath.Join(dir, "data-a"), "--storage-timeout", "400ms")
	waitReady(t, base)
	tile := base + "/tiles/5/16/11.mvt"
	code, want, err := get(tile)
	if err != nil || code != 200 || len(want) == 0 {
		t.Fatalf("tile from a healthy origin: %d, %v", code, err)
	}

	// A server waiting for the hanging origin (10 s) instead of its storage
	// timeout (400 ms) would fail this client's generous deadline; /readyz's
	// reason ("deadline") says which timeout ended the read.
	client := &http.Client{Timeout: 5 * time.Second}
	for i, failure := range []struct{ mode, reason string }{{"500", "HTTP 500"}, {"close", "EOF"}, {"hang", "deadline"}} {
		o.Mode.Store(failure.mode)
		resp, err := client.Get(tile)
		if err != nil {
			t.Fatalf("%s: %v", failure.mode, err)
		}
		var body struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body.Error, "unavailable") {
			t.Errorf("%s: tile answered %d, Retry-After %q, %q; want 503, Retry-After and a JSON error", failure.mode, resp.StatusCode, resp.Header.Get("Retry-After"), body.Error)
		}
		// One failed read per outage, counted.
		if n := metricValue(t, base, "territoires_storage_errors_total"); n != float64(i+1) {
			t.Errorf("%s: territoires_storage_errors_total %v after the first tile, want %d", failure.mode, n, i+1)
		}
		// Later requests fail fast while the origin is down: a 503 without
		// trying the storage (no further failed read counted).
		if code, _, _ := get(tile); code != 503 {
			t.Errorf("%s: second tile answered %d, want 503", failure.mode, code)
		}
		if n := metricValue(t, base, "territoires_storage_errors_total"); n != float64(i+1) {
			t.Errorf("%s: the second tile tried the storage (territoires_storage_errors_total %v, want %d): not a quick 503", failure.mode, n, i+1)
		}
		r := getReadyz(t, base)
		if r.code != 503 || r.Status != "unavailable" || r.Storage.Status != "unavailable" || !strings.Contains(r.Error, failure.reason) {
			t.Errorf("%s: /readyz %+v, want 503 saying %q", failure.mode, r, failure.reason)
		}
		if metricValue(t, base, "territoires_storage_up") != 0 {
			t.Errorf("%s: territoires_storage_up is not 0", failure.mode)
		}

		// The origin comes back: readiness recovers with no tile request.
		o.Mode.Store("ok")
		deadline := time.Now().Add(10 * time.Second)
		for r = getReadyz(t, base); r.code != 200 && time.Now().Before(deadline); r = getReadyz(t, base) {
			time.Sleep(50 * time.Millisecond)
		}
		if r.code != 200 || r.Storage.Status != "ok" {
			t.Fatalf("%s: /readyz did not recover: %+v", failure.mode, r)
		}
		if code, got, _ := get(tile); code != 200 || !bytes.Equal(got, want) {
			t.Errorf("%s: tile after recovery: %d, %d bytes", failure.mode, code, len(got))
		}
	}
	if n := metricValue(t, base, "territoires_storage_errors_total"); n != 3 {
		t.Errorf("territoires_storage_errors_total %v, want 3 (one per outage: then requests fail fast)", n)
	}
	_, metrics, _ := get(base + "/metrics")
	if strings.Contains(string(metrics), `code="500"`) {
		t.Error("some request answered 500")
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
