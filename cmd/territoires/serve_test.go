package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/server"
)

// startServe runs the real serve logic on 127.0.0.1:0 and returns its base
// URL and a function that stops it and returns serve's error.
func startServe(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	o, err := parseServeFlags(append([]string{"--addr", "127.0.0.1:0", "--access-log=false"}, args...), func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o, quietLogger(), func(a net.Addr) { addr <- a }) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen")
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			return fmt.Errorf("serve did not stop")
		}
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func waitReady(t *testing.T, base string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			var body struct{ Version string }
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return body.Version
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("not ready after 60s")
	return ""
}

func buildArchive(t *testing.T, dir, name string) string {
	t.Helper()
	data := filepath.Join(dir, "data-"+name)
	writeRegions(t, data)
	out := filepath.Join(dir, name+".pmtiles")
	if _, err := runCLI("build", "--data", data, "-o", out); err != nil {
		t.Fatal(err)
	}
	return out
}

func get(url string) (int, []byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestServeReloadsOnSIGHUPWithoutFailingRequests: while clients fetch
// tiles without pause, the archive file is replaced and SIGHUP sent several
// times; every request must succeed, and a broken archive must be refused
// while the old one keeps serving.
func TestServeReloadsOnSIGHUPWithoutFailingRequests(t *testing.T) {
	dir := t.TempDir()
	archive := buildArchive(t, dir, "a")
	// No tile rate limit: the clients below hammer on purpose.
	base, stop := startServe(t, "--tiles", archive, "--data", filepath.Join(dir, "data-a"), "--rate-limit-tiles=0")
	version := waitReady(t, base)

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := client.Get(base + "/tiles/5/16/11.mvt")
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprint(err, resp))
					continue
				}
				ok.Add(1)
			}
		}()
	}
	// served waits until the clients have had n more tiles: requests flow
	// before, between and after the reloads, however slow the machine.
	served := func(n int64) {
		t.Helper()
		want := ok.Load() + n
		for deadline := time.Now().Add(20 * time.Second); ok.Load() < want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the clients got %d tiles, want %d (%d failed, first: %v)", ok.Load(), want, failed.Load(), firstFailure.Load())
			}
		}
	}
	for i := 0; i < 3; i++ {
		served(25)
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// One reload at a time: signals sent during a reload coalesce.
		waitMetric(t, base, `territoires_reloads_total{result="ok"}`, float64(2+i))
	}
	served(25)

	// A broken archive in place of the good one: the reload fails, the
	// old archive keeps serving.
	if err := os.WriteFile(archive, []byte("this is not a PMTiles archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitMetric(t, base, `territoires_reloads_total{result="failed"}`, 1)
	served(25)
	cancel()
	wg.Wait()

	if failed.Load() != 0 || ok.Load() < 100 {
		t.Fatalf("%d requests ok, %d failed (first: %v)", ok.Load(), failed.Load(), firstFailure.Load())
	}
	if v := waitReady(t, base); v != version {
		t.Errorf("version %q after the failed reload, want %q", v, version)
	}
	_, metrics, _ := get(base + "/metrics")
	for _, want := range []string{`territoires_reloads_total{result="ok"} 4`, `territoires_reloads_total{result="failed"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	if _, _, err := get(base + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}
}

// TestServeBuildsFromDataAndReusesTheCache: without --tiles, serve builds
// the archive from the dataset into the cache folder, answering /healthz
// (and 503 on /readyz) meanwhile; a second start reuses the archive.
func TestServeBuildsFromDataAndReusesTheCache(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeRegions(t, data)
	cache := filepath.Join(dir, "cache")
	for run := 0; run < 2; run++ {
		base, stop := startServe(t, "--data", data, "--cache-dir", cache)
		if code, _, err := get(base + "/healthz"); err != nil || code != 200 {
			t.Fatalf("healthz: %d %v", code, err)
		}
		waitReady(t, base)
		code, body, err := get(base + "/tiles/0/0/0.mvt")
		if err != nil || code != 200 || len(body) == 0 {
			t.Fatalf("tile: %d %v", code, err)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".pmtiles") {
		t.Errorf("cache holds %v, want one archive reused by the second start", entries)
	}
}

func TestServeRefusesABadArchiveAtStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pmtiles")
	os.WriteFile(bad, []byte("nope"), 0o644)
	// A small dataset: the embedded one takes half a minute to load under
	// the race detector, and the archive is what is refused.
	writeRegions(t, filepath.Join(dir, "data"))
	o, err := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--tiles", bad, "--data", filepath.Join(dir, "data")}, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	err = serve(context.Background(), o, quietLogger(), nil)
	if err == nil || !strings.Contains(err.Error(), "bad.pmtiles") {
		t.Fatalf("error %v, want one naming the archive", err)
	}
}

func TestServeFlagsFromEnvironmentAndValidation(t *testing.T) {
	env := map[string]string{
		"TERRITOIRES_ADDR":         "0.0.0.0:9000",
		"TERRITOIRES_PUBLIC_URL":   "https://carte.example.org",
		"TERRITOIRES_CORS_ORIGINS": "https://a.example.org, https://b.example.org",
		"TERRITOIRES_TILE_MAX_AGE": "10m",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	o, err := parseServeFlags([]string{"--tile-max-age", "5m", "--tiles", "x.pmtiles"}, lookup, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := server.DefaultConfig()
	want.Addr, want.PublicURL, want.TileMaxAge = "0.0.0.0:9000", "https://carte.example.org", 5*time.Minute
	want.CORSOrigins = []string{"https://a.example.org", "https://b.example.org"}
	if fmt.Sprint(o.server) != fmt.Sprint(want) {
		t.Errorf("config %+v, want %+v (flags win over the environment)", o.server, want)
	}

	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"TERRITOIRES_TILE_MAX_AGE": "soon"}, nil, "TERRITOIRES_TILE_MAX_AGE"},
		{nil, []string{"--addr", "nowhere"}, "addr"},
		{nil, []string{"--public-url", "carte.example.org"}, "public-url"},
		{nil, []string{"--read-timeout", "0s"}, "read-timeout"},
		{nil, []string{"surprise"}, "unexpected argument"},
	}
	for _, tt := range tests {
		_, err := parseServeFlags(tt.args, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("env %v args %v: error %v, want one mentioning %q", tt.env, tt.args, err, tt.want)
		}
	}
}

// Tiles and API must describe the same data: an archive built from other
// data than the --data folder's is refused at start, naming both versions.
func TestServeRefusesTilesOfOtherData(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeRegions(t, a)
	writeRegions(t, b)
	// The same layer with another name: another data version.
	manifest := filepath.Join(b, dataset.ManifestFile)
	text, _ := os.ReadFile(manifest)
	os.WriteFile(manifest, bytes.Replace(text, []byte(`"title": "t"`), []byte(`"title": "t2"`), 1), 0o644)
	archive := filepath.Join(dir, "a.pmtiles")
	if _, err := runCLI("build", "--data", a, "-o", archive); err != nil {
		t.Fatal(err)
	}
	dsA, errA := loadDataset(a, layers.Default())
	dsB, errB := loadDataset(b, layers.Default())
	if errA != nil || errB != nil || dsA.Version == dsB.Version {
		t.Fatalf("fixtures: %v %v, versions %s %s", errA, errB, dsA.Version, dsB.Version)
	}
	o, err := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--tiles", archive, "--data", b}, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	err = serve(context.Background(), o, quietLogger(), nil)
	if err == nil || !strings.Contains(err.Error(), dsA.Version) || !strings.Contains(err.Error(), dsB.Version) {
		t.Fatalf("error %v, want one naming both data versions", err)
	}
	// The archive of the same data is served.
	o.data = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o, quietLogger(), func(net.Addr) { cancel() }) }()
	if err := <-done; err != nil {
		t.Fatalf("the archive of the same data: %v", err)
	}
}
