package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/territoires-industrie/carte/tiles/tilestest"
)

// TestScaleOutReplicasAnswerAlike: two replicas (the real serve logic, each
// with its own listener) read the same archive over http:// from one
// origin, as N replicas behind a load balancer would from object storage.
// A client must not be able to tell them apart: same tile bytes and ETags
// (so caches and If-None-Match work across replicas), same TileJSON and
// style apart from the host, same API answers.
func TestScaleOutReplicasAnswerAlike(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(buildArchive(t, dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	o := tilestest.NewOrigin(t, good)
	var replicas []string
	for i := 0; i < 2; i++ {
		base, _ := startServe(t, "--tiles", o.URL+"/a.pmtiles", "--data", filepath.Join(dir, "data-a"))
		if v := waitReady(t, base); v == "" {
			t.Fatal("no version")
		}
		replicas = append(replicas, base)
	}
	if replicas[0] == replicas[1] {
		t.Fatal("the replicas share an address")
	}

	// Tiles over the data (the region spans 4-6°E, 45-46°N) at every zoom,
	// and one outside it.
	var paths []string
	for z := 0; z <= 12; z++ {
		tile := maptile.At(orb.Point{5, 45.5}, maptile.Zoom(z))
		paths = append(paths, fmt.Sprintf("/tiles/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y))
	}
	outside := maptile.At(orb.Point{-3, 48}, 8)
	paths = append(paths, fmt.Sprintf("/tiles/%d/%d/%d.mvt", outside.Z, outside.X, outside.Y))

	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	fetch := func(base, path, acceptEncoding string) (code int, body []byte, etag, encoding string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err = io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		// Absolute URLs name the replica: the rest must be equal.
		body = bytes.ReplaceAll(body, []byte(base), []byte("http://replica"))
		return resp.StatusCode, body, resp.Header.Get("ETag"), resp.Header.Get("Content-Encoding")
	}

	tiles := 0
	for _, path := range paths {
		for _, enc := range []string{"gzip", ""} {
			c0, b0, e0, ce0 := fetch(replicas[0], path, enc)
			c1, b1, e1, ce1 := fetch(replicas[1], path, enc)
			if c0 != c1 || !bytes.Equal(b0, b1) || e0 != e1 || ce0 != ce1 {
				t.Errorf("%s (Accept-Encoding %q): replica 0 gave %d, %d bytes, ETag %s, %q; replica 1 %d, %d bytes, ETag %s, %q",
					path, enc, c0, len(b0), e0, ce0, c1, len(b1), e1, ce1)
			}
			if c0 == 200 {
				tiles++
				if e0 == "" || len(b0) == 0 {
					t.Errorf("%s: tile without ETag or body", path)
				}
			}
		}
	}
	if tiles < 20 {
		t.Errorf("only %d non-empty tiles compared", tiles)
	}

	for _, path := range []string{"/tiles.json", "/style.json", "/api/search?q=ARA", "/api/reverse?lat=45.5&lon=5",
		"/api/features/region-84", "/collections/regions/items?limit=5", "/openapi.json"} {
		c0, b0, _, _ := fetch(replicas[0], path, "")
		c1, b1, _, _ := fetch(replicas[1], path, "")
		if c0 != 200 || c1 != 200 || !bytes.Equal(b0, b1) {
			t.Errorf("%s: replica 0 gave %d %.200s; replica 1 %d %.200s", path, c0, b0, c1, b1)
		}
		if strings.Contains(path, "tiles.json") && !bytes.Contains(b0, []byte("http://replica/tiles/{z}/{x}/{y}.mvt?v=")) {
			t.Errorf("tiles.json holds no versioned tile URL: %.300s", b0)
		}
	}
}
