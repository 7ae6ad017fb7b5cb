package server

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Benchmarks of tile requests through Fiber's whole handler chain (every
// middleware), without sockets: the server's own CPU per tile request,
// which is what the load benchmark (server/bench/load.sh) cannot separate
// from the kernel's and wrk's.

// tileTargets mixes answers like the load benchmark's session list:
// about 62 % tiles (200), 35 % empty tiles (204), 3 % above the archive's
// maxzoom (404), at random places, fixed seed.
func tileTargets() []string {
	r := rand.New(rand.NewPCG(7, 7))
	out := make([]string, 1024)
	for i := range out {
		switch p := r.IntN(100); {
		case p < 62: // near Lyon, where the fixture has data
			out[i] = tilePath(orb.Point{lyon[0] + r.Float64()*0.2, lyon[1] + r.Float64()*0.2}, maptile.Zoom(r.IntN(11)))
		case p < 97: // the Pacific: nothing there
			out[i] = tilePath(orb.Point{-150 + r.Float64()*10, -40 + r.Float64()*10}, maptile.Zoom(4+r.IntN(7)))
		default:
			out[i] = tilePath(lyon, maptile.Zoom(11+r.IntN(3)))
		}
	}
	return out
}

func benchTiles(b *testing.B, s *Server, header map[string]string) {
	serveEach(b, s, tileTargets(), header, func(code int) bool { return code == 200 || code == 204 || code == 404 })
}

// BenchmarkHTTPTile is the load benchmark's setting: gzip accepted, the
// rate limits off.
func BenchmarkHTTPTile(b *testing.B) {
	s, _ := newTestServer(b, func(c *Config) { c.Limits.Tiles, c.Limits.API = 0, 0 })
	benchTiles(b, s, map[string]string{"Accept-Encoding": "gzip"})
}

// BenchmarkHTTPTileLimited has the tiles' rate limit on (too high to be
// reached), as in production.
func BenchmarkHTTPTileLimited(b *testing.B) {
	s, _ := newTestServer(b, func(c *Config) { c.Limits.Tiles = 1 << 30 })
	benchTiles(b, s, map[string]string{"Accept-Encoding": "gzip"})
}

// BenchmarkHTTPTileCORS: a map on another site (Origin), limits on.
func BenchmarkHTTPTileCORS(b *testing.B) {
	s, _ := newTestServer(b, func(c *Config) { c.Limits.Tiles = 1 << 30 })
	benchTiles(b, s, map[string]string{"Accept-Encoding": "gzip", "Origin": "https://region.example.org"})
}
