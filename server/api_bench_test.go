package server

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/territoires-industrie/carte/index"
)

// Benchmarks of whole requests through Fiber's handler, without sockets:
// what one API request costs in CPU. /healthz, beside them, is the floor
// (routing, middleware, metrics), so the ratio shows the API's own cost.

func benchRequests(b *testing.B, targets []string) {
	realServer(b) // loads realCatalog
	// Rate limits off, as in server/bench/api.sh: one client hammering on
	// purpose (with them, b.N stops at the budget, about 1,200 requests).
	s, _ := newTestServer(b, func(cfg *Config) { cfg.Limits.API, cfg.Limits.Tiles = 0, 0 })
	s.SwapCatalog(realCatalog)
	serveEach(b, s, targets, nil, func(code int) bool { return code == 200 })
}

// serveEach runs b.N requests through s's Fiber handler without sockets,
// the targets in turn with header set, each answer's status checked by ok.
func serveEach(b *testing.B, s *Server, targets []string, header map[string]string, ok func(code int) bool) {
	h := s.App().Handler()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI(targets[i%len(targets)])
		for k, v := range header {
			ctx.Request.Header.Set(k, v)
		}
		h(&ctx)
		if code := ctx.Response.StatusCode(); !ok(code) {
			b.Fatalf("%s: %d %s", targets[i%len(targets)], code, ctx.Response.Body())
		}
	}
}

// nearbyTargets are the questions of server/bench/api_nearby.lua: random
// points of metropolitan France's bound, k=10, the point layers.
func nearbyTargets(extra string) []string {
	r := rand.New(rand.NewPCG(42, 42))
	out := make([]string, 1024)
	for i := range out {
		out[i] = fmt.Sprintf("/api/nearby?lat=%.5f&lon=%.5f&k=10%s", 42.5+r.Float64()*8.5, -4.5+r.Float64()*12.5, extra)
	}
	return out
}

func BenchmarkHTTPHealthz(b *testing.B)       { benchRequests(b, []string{"/healthz"}) }
func BenchmarkHTTPNearby(b *testing.B)        { benchRequests(b, nearbyTargets("")) }
func BenchmarkHTTPNearbyGeoJSON(b *testing.B) { benchRequests(b, nearbyTargets("&format=geojson")) }
func BenchmarkHTTPReverse(b *testing.B) {
	r := rand.New(rand.NewPCG(42, 42))
	targets := make([]string, 1024)
	for i := range targets {
		targets[i] = fmt.Sprintf("/api/reverse?lat=%.5f&lon=%.5f", 42.5+r.Float64()*8.5, -4.5+r.Float64()*12.5)
	}
	benchRequests(b, targets)
}

// BenchmarkHTTPSiteProfile: every site's profile in turn, as
// server/bench/api_profile.lua asks them.
func BenchmarkHTTPSiteProfile(b *testing.B) {
	realServer(b) // loads realCatalog
	hits, _ := realCatalog.Index.Features("sites", index.Filter{}, 0, 1000)
	targets := make([]string, len(hits))
	for i, h := range hits {
		targets[i] = "/api/sites/" + h.Feature.ID + "/profile"
	}
	benchRequests(b, targets)
}
