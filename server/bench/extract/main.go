// Command extract prepares the HTTP load benchmark (see ../README.md):
//
//	go run ./server/bench/extract -in ARCHIVE.pmtiles -out DIR [-paths FILE] [-seed N] [-sessions N]
//
// It writes every tile of the archive to DIR/z/x/y.mvt, exactly as stored
// (gzip bytes), for the static-file server, and a list of tile requests,
// "z/x/y" one per line, that wrk replays against every server.
//
// The request list simulates map users over France, deterministically
// (fixed seed): each session opens the default view (z5–6 on metropolitan
// France, sometimes a world view), zooms step by step into a destination
// (a big city chosen by popularity, an overseas département, or a random
// place for the long tail), pans around, sometimes overzooms past the
// archive's max zoom (a client that ignores maxzoom: 404), zooms back out
// and goes on to the next destination. Each viewport asks for the 256-px
// tiles covering a 1280×800 screen; a session does not ask twice for a tile
// it already has (the browser keeps it), but sessions share the default
// view and the city centres: those are the hot tiles, random places the
// cold tail.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/territoires-industrie/carte/tiles"
)

const (
	screenW, screenH = 1280, 800
	tilePx           = 256
	maxRequestZoom   = 14 // deepest zoom a (misbehaving) client asks for
)

type place struct {
	name     string
	lat, lon float64
	weight   float64
	// minTarget/maxTarget bound the zoom a session settles at.
	minTarget, maxTarget int
	// spread (degrees) moves the settled view around the centre, so that
	// not every visitor looks at the same street.
	spread float64
}

// Destinations, weighted by how often a session heads there. The random
// "elsewhere" destination (weight in randomWeight) is the long tail.
var places = []place{
	{"Paris", 48.8566, 2.3522, 30, 10, 12, 0.06},
	{"Lyon", 45.7640, 4.8357, 14, 10, 12, 0.05},
	{"Marseille", 43.2965, 5.3698, 12, 10, 12, 0.05},
	{"Toulouse", 43.6047, 1.4442, 9, 10, 12, 0.05},
	{"Lille", 50.6292, 3.0573, 8, 10, 12, 0.05},
	{"Nantes", 47.2184, -1.5536, 7, 10, 12, 0.05},
	{"Strasbourg", 48.5734, 7.7521, 6, 10, 12, 0.05},
	{"Bordeaux", 44.8378, -0.5792, 6, 10, 12, 0.05},
	{"La Réunion", -21.1151, 55.5364, 3, 9, 11, 0.15},
	{"Guadeloupe", 16.2650, -61.5510, 2, 9, 11, 0.12},
}

const randomWeight = 18.0

// Metropolitan France, for the default view and random places.
var (
	franceCentre             = [2]float64{46.6, 2.4} // lat, lon
	metroMinLat, metroMaxLat = 42.6, 50.9
	metroMinLon, metroMaxLon = -4.2, 7.9
)

type view struct {
	lat, lon float64
	z        int
}

type tile struct{ z, x, y int }

func (t tile) String() string { return fmt.Sprintf("%d/%d/%d", t.z, t.x, t.y) }

// worldPx is the Web Mercator pixel position of lat/lon at zoom z.
func worldPx(lat, lon float64, z int) (float64, float64) {
	size := float64(tilePx) * math.Exp2(float64(z))
	lat = math.Max(-85.0511, math.Min(85.0511, lat))
	s := math.Sin(lat * math.Pi / 180)
	x := (lon + 180) / 360 * size
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * size
	return x, y
}

// viewportTiles lists the tiles a 1280×800 screen centred on v shows,
// centre first (the order map clients load them in).
func viewportTiles(v view) []tile {
	cx, cy := worldPx(v.lat, v.lon, v.z)
	n := 1 << v.z
	x0, x1 := int(math.Floor((cx-screenW/2)/tilePx)), int(math.Floor((cx+screenW/2-1)/tilePx))
	y0, y1 := int(math.Floor((cy-screenH/2)/tilePx)), int(math.Floor((cy+screenH/2-1)/tilePx))
	seen := map[tile]bool{}
	var out []tile
	for ty := max(y0, 0); ty <= min(y1, n-1); ty++ {
		for tx := x0; tx <= x1; tx++ {
			t := tile{v.z, ((tx % n) + n) % n, ty}
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	ctx, cty := cx/tilePx, cy/tilePx
	dist := func(t tile) float64 {
		dx, dy := float64(t.x)+0.5-ctx, float64(t.y)+0.5-cty
		return dx*dx + dy*dy
	}
	sort.SliceStable(out, func(i, j int) bool { return dist(out[i]) < dist(out[j]) })
	return out
}

type session struct {
	rng   *rand.Rand
	have  map[tile]bool
	out   *[]tile
	views *int
	cur   view
}

func (s *session) show(v view) {
	s.cur = v
	*s.views++
	for _, t := range viewportTiles(v) {
		if !s.have[t] {
			s.have[t] = true
			*s.out = append(*s.out, t)
		}
	}
}

// zoomTo zooms one level at a time from the current view to zoom z,
// gliding the centre towards lat/lon.
func (s *session) zoomTo(lat, lon float64, z int) {
	from := s.cur
	steps := z - from.z
	if steps < 0 {
		steps = -steps
	}
	for i := 1; i <= steps; i++ {
		f := float64(i) / float64(steps)
		zi := from.z + i
		if z < from.z {
			zi = from.z - i
		}
		s.show(view{from.lat + (lat-from.lat)*f, from.lon + (lon-from.lon)*f, zi})
	}
	if steps == 0 {
		s.show(view{lat, lon, z})
	}
}

// pan moves the view by a fraction of the screen in a random direction.
func (s *session) pan() {
	v := s.cur
	cx, cy := worldPx(v.lat, v.lon, v.z)
	a := s.rng.Float64() * 2 * math.Pi
	d := 0.3 + 0.5*s.rng.Float64()
	cx += math.Cos(a) * d * screenW
	cy += math.Sin(a) * d * screenH
	size := float64(tilePx) * math.Exp2(float64(v.z))
	lon := cx/size*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*cy/size))) * 180 / math.Pi
	s.show(view{lat, lon, v.z})
}

func pick(rng *rand.Rand) (place, bool) {
	total := float64(randomWeight)
	for _, p := range places {
		total += p.weight
	}
	r := rng.Float64() * total
	for _, p := range places {
		if r < p.weight {
			return p, true
		}
		r -= p.weight
	}
	return place{}, false
}

// simulate returns the request list of n sessions and the viewport count.
func simulate(seed uint64, sessions int) ([]tile, int) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []tile
	views := 0
	for i := 0; i < sessions; i++ {
		s := &session{rng: rng, have: map[tile]bool{}, out: &out, views: &views}
		// The default view; one session in ten starts wider (a link
		// without a view, a phone in portrait...).
		switch r := rng.Float64(); {
		case r < 0.1:
			s.show(view{franceCentre[0], franceCentre[1], rng.IntN(4)})
			s.zoomTo(franceCentre[0], franceCentre[1], 5)
		case r < 0.7:
			s.show(view{franceCentre[0], franceCentre[1], 5})
		default:
			s.show(view{franceCentre[0], franceCentre[1], 6})
		}
		for d, nd := 0, 1+rng.IntN(3); d < nd; d++ {
			p, ok := pick(rng)
			if !ok {
				p = place{"elsewhere",
					metroMinLat + rng.Float64()*(metroMaxLat-metroMinLat),
					metroMinLon + rng.Float64()*(metroMaxLon-metroMinLon),
					0, 8, 12, 0.2}
			}
			target := p.minTarget + rng.IntN(p.maxTarget-p.minTarget+1)
			lat := p.lat + (rng.Float64()*2-1)*p.spread
			lon := p.lon + (rng.Float64()*2-1)*p.spread*1.4
			if p.lat < 30 { // overseas: zoom out to see it, jump, zoom in
				s.zoomTo(s.cur.lat, s.cur.lon, min(s.cur.z, 4))
				s.zoomTo(s.cur.lat, s.cur.lon, 3)
				s.show(view{p.lat, p.lon, 5})
			} else if s.cur.z > 7 {
				s.zoomTo(s.cur.lat, s.cur.lon, 7)
			}
			s.zoomTo(lat, lon, target)
			for k, nk := 0, 1+rng.IntN(5); k < nk; k++ {
				s.pan()
			}
			// A client that ignores maxzoom keeps asking for tiles past it.
			if s.cur.z == 12 && rng.Float64() < 0.4 {
				s.zoomTo(s.cur.lat, s.cur.lon, 13+rng.IntN(maxRequestZoom-12))
				s.zoomTo(s.cur.lat, s.cur.lon, 12)
			}
			if rng.Float64() < 0.3 { // a look further out before moving on
				s.zoomTo(s.cur.lat, s.cur.lon, max(s.cur.z-2, 5))
				s.pan()
			}
		}
	}
	return out, views
}

func main() {
	in := flag.String("in", "", "PMTiles archive to read")
	outDir := flag.String("out", "", "folder to write z/x/y.mvt files into (empty: write none)")
	pathsFile := flag.String("paths", "", "file to write the request list into (empty: none)")
	seed := flag.Uint64("seed", 1, "random seed of the simulated sessions")
	sessions := flag.Int("sessions", 30, "number of simulated map sessions")
	flag.Parse()
	if *in == "" || (*outDir == "" && *pathsFile == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *outDir, *pathsFile, *seed, *sessions); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func run(in, outDir, pathsFile string, seed uint64, sessions int) error {
	ctx := context.Background()
	r, err := tiles.Open(ctx, in, 1<<30)
	if err != nil {
		return err
	}
	defer r.Close()
	h := r.Header
	minZ, maxZ := int(h.MinZoom), int(h.MaxZoom)

	if outDir != "" {
		n, bytes, err := extractAll(ctx, r, outDir)
		if err != nil {
			return err
		}
		fmt.Printf("extract: %d tiles, %d bytes written under the output folder (zooms %d-%d)\n", n, bytes, minZ, maxZ)
	}
	if pathsFile == "" {
		return nil
	}
	reqs, views := simulate(seed, sessions)
	f, err := os.Create(pathsFile)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	count := map[tile]int{}
	var found, empty, outside, zoomsLow, zoomsHigh int
	for _, t := range reqs {
		fmt.Fprintln(w, t)
		count[t]++
		switch {
		case t.z < minZ || t.z > maxZ:
			outside++
		default:
			b, err := r.Tile(ctx, t.z, t.x, t.y)
			if err != nil {
				return err
			}
			if b == nil {
				empty++
			} else {
				found++
			}
		}
		if t.z <= 4 {
			zoomsLow++
		}
		if t.z > maxZ {
			zoomsHigh++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// How concentrated the list is: share of requests going to the 10%
	// most requested tiles.
	freq := make([]int, 0, len(count))
	for _, c := range count {
		freq = append(freq, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(freq)))
	top := 0
	for _, c := range freq[:max(1, len(freq)/10)] {
		top += c
	}
	once := 0
	for _, c := range freq {
		if c == 1 {
			once++
		}
	}
	n := len(reqs)
	pct := func(k int) string { return strconv.FormatFloat(100*float64(k)/float64(n), 'f', 1, 64) + "%" }
	fmt.Printf("paths: %d requests from %d sessions, %d viewports (%.1f new tiles per viewport), %d distinct tiles\n",
		n, sessions, views, float64(n)/float64(views), len(count))
	fmt.Printf("paths: in archive %s, empty (204) %s, outside zooms %d-%d (404) %s; z0-4 %s, above z%d %s\n",
		pct(found), pct(empty), minZ, maxZ, pct(outside), pct(zoomsLow), maxZ, pct(zoomsHigh))
	fmt.Printf("paths: hottest 10%% of tiles take %s of requests; %d tiles (%s of requests) asked once\n",
		pct(top), once, pct(once))
	return nil
}

// extractAll writes every tile of the archive. The archive has no listing
// API, so every z/x/y inside the header's bounds (one tile of margin) is
// looked up.
func extractAll(ctx context.Context, r *tiles.Reader, outDir string) (int, int64, error) {
	h := r.Header
	n, total := 0, int64(0)
	for z := int(h.MinZoom); z <= int(h.MaxZoom); z++ {
		side := 1 << z
		tx := func(lon float64) int { x, _ := worldPx(0, lon, z); return int(x / tilePx) }
		ty := func(lat float64) int { _, y := worldPx(lat, 0, z); return int(y / tilePx) }
		x0, x1 := max(tx(float64(h.MinLonE7)/1e7)-1, 0), min(tx(float64(h.MaxLonE7)/1e7)+1, side-1)
		y0, y1 := max(ty(float64(h.MaxLatE7)/1e7)-1, 0), min(ty(float64(h.MinLatE7)/1e7)+1, side-1)
		for x := x0; x <= x1; x++ {
			dir := filepath.Join(outDir, strconv.Itoa(z), strconv.Itoa(x))
			made := false
			for y := y0; y <= y1; y++ {
				b, err := r.Tile(ctx, z, x, y)
				if err != nil {
					return n, total, err
				}
				if b == nil {
					continue
				}
				if !made {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						return n, total, err
					}
					made = true
				}
				if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(y)+".mvt"), b, 0o644); err != nil {
					return n, total, err
				}
				n++
				total += int64(len(b))
			}
		}
	}
	return n, total, nil
}
