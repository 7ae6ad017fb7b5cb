package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/static"
)

// TestBrowser drives the map page, the embed and the widget in Debian's
// Chromium (playwright-core, static/test/browser.mjs) against the real
// serve logic and the real data: layers render, toggles, period switch,
// search, popups, near here, URL state, region filter, embed, widget, no
// console errors; then, on a second run of the server with an external
// base map of its own (--basemap), the base map under our layers, basemap=0
// and a failing base map; it prints first-idle times and bytes transferred, and
// leaves screenshots in $TERRITOIRES_ARTIFACTS (default: a folder under
// the system temp dir). Without Chromium, Node or the front-end
// dependencies it is skipped, unless TERRITOIRES_REQUIRE_BROWSER=1 (set by
// make test when it runs as root, as in CI), where that is a failure.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	required := os.Getenv("TERRITOIRES_REQUIRE_BROWSER") == "1"
	missing := func(why string) {
		if required {
			t.Fatal("browser test required (TERRITOIRES_REQUIRE_BROWSER=1) but " + why)
		}
		t.Skip(why + " (make test installs what it can)")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium is not installed at " + chromium + " (apt-get install -y chromium)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	staticDir, err := filepath.Abs(filepath.Join("..", "..", "static"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(staticDir, "node_modules", "playwright-core")); err != nil {
		missing("static/node_modules/playwright-core is missing (make assets)")
	}
	if m := static.VendorMissing(); m != "" {
		missing("the front-end files are not embedded (" + m + "): run make assets")
	}

	shots := os.Getenv("TERRITOIRES_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "territoires-browser")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cacheDir := t.TempDir()
	base, stop := startServe(t, "--cache-dir", cacheDir)
	start := time.Now()
	// The build of the real tiles shares the CPU with the other packages'
	// tests: give it more time than waitReady does.
	for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready after 4 minutes")
		}
	}
	t.Logf("server ready in %s (real data, tiles built)", time.Since(start).Round(time.Millisecond))

	browse := func(t *testing.T, timeout time.Duration, base string, env ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, filepath.Join(staticDir, "test", "browser.mjs"), base, shots)
		cmd.Dir = staticDir
		cmd.Env = append(append(os.Environ(), "CHROMIUM="+chromium), env...)
		out, err := cmd.CombinedOutput()
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			t.Log(line)
		}
		t.Logf("screenshots in %s", shots)
		if err != nil {
			t.Errorf("browser checks failed: %v", err)
		}
	}
	browse(t, 5*time.Minute, base)
	stop()

	// An external base map (--basemap) on a loopback server of our own: a
	// second run of the server, on the tiles built above, and the
	// script's basemap steps only (static/test/basemap.mjs).
	t.Run("basemap", func(t *testing.T) {
		bm := newBasemapFixture(t)
		base, _ := startServe(t, "--cache-dir", cacheDir, "--basemap", bm.URL+"/style.json")
		waitReady(t, base)
		start := time.Now()
		browse(t, 2*time.Minute, base, "BROWSER_BASEMAP="+bm.URL, "BROWSER_STEPS=^basemap")
		t.Logf("base map checks in %s, %d base map tiles served", time.Since(start).Round(time.Millisecond), bm.tiles.Load())
	})
}

// The embed's frame-ancestors allow-list comes from a flag or the
// environment, comma-separated; a bad entry stops the start.
func TestFrameAncestorsFlag(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	o, err := parseServeFlags([]string{"--frame-ancestors", "'self', https://www.region.fr"}, noEnv, io.Discard)
	if err != nil || strings.Join(o.server.FrameAncestors, " ") != "'self' https://www.region.fr" {
		t.Errorf("flag: %v %q", err, o.server.FrameAncestors)
	}
	env := func(k string) (string, bool) { return "https://*.region.fr", k == "TERRITOIRES_FRAME_ANCESTORS" }
	if o, err = parseServeFlags(nil, env, io.Discard); err != nil || strings.Join(o.server.FrameAncestors, " ") != "https://*.region.fr" {
		t.Errorf("env: %v %q", err, o.server.FrameAncestors)
	}
	if o, _ = parseServeFlags(nil, noEnv, io.Discard); strings.Join(o.server.FrameAncestors, " ") != "*" {
		t.Errorf("default %q", o.server.FrameAncestors)
	}
	if _, err = parseServeFlags([]string{"--frame-ancestors", "region.fr"}, noEnv, io.Discard); err == nil || !strings.Contains(err.Error(), "frame-ancestors") {
		t.Errorf("bad value: %v", err)
	}
}
