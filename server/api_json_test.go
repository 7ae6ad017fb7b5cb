package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// API answers are compressed for clients that accept it, and only for
// them; the inflated body is the plain one.
func TestAPIAnswersCompressed(t *testing.T) {
	s := realServer(t)
	target := "/api/nearby?lat=45.764&lon=4.8357&k=20"
	plain, plainBody := do(t, s, "GET", target, nil)
	if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("without Accept-Encoding: %d, Content-Encoding %q", plain.StatusCode, plain.Header.Get("Content-Encoding"))
	}
	gz, gzBody := do(t, s, "GET", target, map[string]string{"Accept-Encoding": "gzip"})
	if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("with gzip accepted: Content-Encoding %q, Vary %q", gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gzBody))
	if err != nil {
		t.Fatal(err)
	}
	inflated, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inflated, plainBody) {
		t.Fatalf("inflated answer differs from the plain one (%d vs %d bytes)", len(inflated), len(plainBody))
	}
	if len(gzBody)*4 > len(plainBody) {
		t.Errorf("gzip answer is %d bytes for %d plain: expected at least 4x smaller", len(gzBody), len(plainBody))
	}
	// The style and the TileJSON, JSON written per request too, travel
	// compressed: the embed's first load counts every kilobyte.
	for _, doc := range []string{"/style.json", "/tiles.json"} {
		plain, plainBody := do(t, s, "GET", doc, nil)
		br, brBody := do(t, s, "GET", doc, map[string]string{"Accept-Encoding": "br"})
		if plain.Header.Get("Content-Encoding") != "" || br.Header.Get("Content-Encoding") != "br" || len(brBody) >= len(plainBody) {
			t.Errorf("%s: %s %d bytes, then %s %d bytes with Brotli accepted", doc, plain.Header.Get("Content-Encoding"), len(plainBody), br.Header.Get("Content-Encoding"), len(brBody))
		}
	}
	// Tiles keep their own encoding logic: no second compression.
	tile, _ := do(t, s, "GET", "/tiles/0/0/0.mvt", map[string]string{"Accept-Encoding": "gzip, br"})
	if tile.Header.Get("Content-Encoding") == "br" {
		t.Fatal("tiles were recompressed with Brotli")
	}
}
