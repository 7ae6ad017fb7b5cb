package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/index"
)

// The pre-encoded answers must be byte for byte what encoding/json makes
// of results(): on nearby, within and search queries over the real data,
// with every layer and the extras the routes add.
func TestPlainAnswersEqualEncodingJSON(t *testing.T) {
	realServer(t)
	cat := realCatalog
	r := rand.New(rand.NewPCG(11, 11))
	check := func(what string, hits []index.Hit, extra map[string]any) {
		t.Helper()
		want, err := json.Marshal(results(cat, hits, nil, false, extra))
		if err != nil {
			t.Fatal(err)
		}
		got, err := cat.plain.appendResults(nil, hits, extra)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Fatalf("%s: answers differ at byte %d:\nfast:     …%s\nexpected: …%s", what, i, snippet(got, i), snippet(want, i))
		}
	}
	layers := cat.Index.Layers()
	for i := range 300 {
		p := randomFrance(r)
		f := index.Filter{}
		if i%3 == 0 {
			f.Layers = []string{layers[r.IntN(len(layers))]}
		}
		k := 1 + r.IntN(100)
		hits := cat.Index.Nearby(p, k, 0, f)
		check(fmt.Sprintf("nearby %v k=%d %v", p, k, f.Layers), hits,
			map[string]any{"query": map[string]any{"lat": p[1], "lon": p[0], "k": k, "radius_km": 0.0, "layers": f.Layers}})
		within, more := cat.Index.Within(p, 20000, 50, f)
		check(fmt.Sprintf("within %v", p), within, map[string]any{"more": more, "query": map[string]any{"lat": p[1]}})
	}
	for _, q := range []string{"chalon", "st etienne", "lyon", "a", "zzzz", "<&>"} {
		hits := cat.Index.Search(q, index.Filter{}, 50, nil)
		check("search "+q, hits, map[string]any{"query": map[string]any{"q": q}})
	}
	// Hand-made distances at the edges of encoding/json's float formats.
	hits := cat.Index.Nearby(randomFrance(r), 6, 0, index.Filter{})
	for i, d := range []float64{0, 1e-7, 0.1, 123456789.5, 1e21, math.NaN()} {
		hits[i].DistanceM = d
	}
	check("odd distances", hits, nil)
}

func snippet(b []byte, i int) string {
	return string(b[max(0, i-40):min(len(b), i+60)])
}

// randomFrance is a point of metropolitan France's bound (sea included).
func randomFrance(r *rand.Rand) orb.Point {
	return orb.Point{-5 + r.Float64()*14.5, 41.3 + r.Float64()*9.8}
}

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
	// Tiles keep their own encoding logic: no second compression.
	tile, _ := do(t, s, "GET", "/tiles/0/0/0.mvt", map[string]string{"Accept-Encoding": "gzip, br"})
	if tile.Header.Get("Content-Encoding") == "br" {
		t.Fatal("tiles were recompressed with Brotli")
	}
}
