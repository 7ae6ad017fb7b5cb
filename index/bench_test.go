package index_test

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// Benchmarks run on the full default dataset with a fixed seed. Each
// query has a brute-force baseline beside it: the same answer, computed by
// scanning every feature.

func benchPoints(n int) []orb.Point {
	r := rand.New(rand.NewPCG(42, 42))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = randomPoint(r)
	}
	return pts
}

var pointLayers = []string{"sites", "formations", "acv"}

func benchNearby(b *testing.B, k int) {
	_, ix := real(b)
	pts := benchPoints(1024)
	f := index.Filter{Layers: pointLayers}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(ix.Nearby(pts[i%len(pts)], k, 0, f)) != k {
			b.Fatal("short answer")
		}
	}
}

func bruteNearby(b *testing.B, k int) {
	ds, _ := real(b)
	pts := benchPoints(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(brute(ds, pts[i%len(pts)], pointLayers, nil)[:k]) != k {
			b.Fatal("short answer")
		}
	}
}

func BenchmarkNearbyK10(b *testing.B)       { benchNearby(b, 10) }
func BenchmarkNearbyK10Brute(b *testing.B)  { bruteNearby(b, 10) }
func BenchmarkNearbyK100(b *testing.B)      { benchNearby(b, 100) }
func BenchmarkNearbyK100Brute(b *testing.B) { bruteNearby(b, 100) }

func BenchmarkWithin50km(b *testing.B) {
	_, ix := real(b)
	pts := benchPoints(1024)
	f := index.Filter{Layers: pointLayers}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Within(pts[i%len(pts)], 50000, 1000, f)
	}
}

func BenchmarkWithin50kmBrute(b *testing.B) {
	ds, _ := real(b)
	pts := benchPoints(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, h := range brute(ds, pts[i%len(pts)], pointLayers, nil) {
			if h.d > 50000 {
				break
			}
			n++
		}
		runtime.KeepAlive(n)
	}
}

var prefixes = []string{"sai", "lyo", "mar", "bou", "cha", "vil", "mon", "oyo", "tou", "str", "bre", "gre"}

func BenchmarkSearchPrefix3(b *testing.B) {
	_, ix := real(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Search(prefixes[i%len(prefixes)], index.Filter{}, 10, nil)
	}
}

// The baseline normalizes names once (as the index does) and scans them.
func BenchmarkSearchPrefix3Brute(b *testing.B) {
	ds, _ := real(b)
	var names [][]string
	for _, l := range ds.Layers {
		for _, f := range l.Features {
			names = append(names, index.Normalize(f.String("name")))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := prefixes[i%len(prefixes)]
		n := 0
		for _, words := range names {
			for _, w := range words {
				if strings.HasPrefix(w, q) {
					n++
					break
				}
			}
		}
		runtime.KeepAlive(n)
	}
}

func BenchmarkReverse(b *testing.B) {
	_, ix := real(b)
	pts := benchPoints(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Reverse(pts[i%len(pts)])
	}
}

func BenchmarkReverseBrute(b *testing.B) {
	ds, _ := real(b)
	pts := benchPoints(1024)
	communes, _ := ds.Layer(layers.Communes)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		for j := range communes.Features {
			g := communes.Features[j].Geometry
			if g.Bound().Contains(p) {
				var in bool
				switch g := g.(type) {
				case orb.Polygon:
					in = planar.PolygonContains(g, p)
				case orb.MultiPolygon:
					in = planar.MultiPolygonContains(g, p)
				}
				if in {
					break
				}
			}
		}
	}
}

// BenchmarkBuildIndex also reports the memory an index keeps (heap in use
// after a collection, beyond the dataset it points into).
func BenchmarkBuildIndex(b *testing.B) {
	ds, _ := real(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := index.New(ds, layers.Default())
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		index.New(ds, layers.Default())
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-kept")
}
