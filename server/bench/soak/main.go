// Command soak sends mixed traffic to a running territoires server at a
// fixed rate for a fixed time, and reports throughput, latency per kind of
// request, errors and the server's memory (from /metrics) at the start and
// the end. soak.sh builds and starts the server and runs it:
//
//	go run ./server/bench/soak -base http://127.0.0.1:8080 -paths paths.txt -rate 200 -duration 300s
//
// The traffic: tiles replayed from the map-session list that `extract`
// writes, /api/nearby and /api/reverse at random points of metropolitan
// France, /api/search with prefixes of commune names read from the server
// (as someone typing), and OGC /collections/{id}/items over random boxes.
// Requests leave on a fixed schedule (open loop): a slow server does not
// slow the sender down, and a request that cannot leave on time because
// -conns are all busy is counted as dropped, which fails the run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kind is one kind of request of the mix.
type kind struct {
	name   string
	weight int
	next   func(rng *rand.Rand, i int) string // the path (and query) of the i-th request
	// ok says whether an answer is right for the path: tiles may be 204
	// (empty) or 404 (above the archive's zooms); the API answers JSON.
	ok func(path string, status int, body []byte) bool
}

// result of one request.
type result struct {
	kind    int
	status  int
	latency time.Duration
	bad     string // why the answer is wrong, "" if right
}

func main() {
	base := flag.String("base", "", "server base URL, on 127.0.0.1 (or ::1, localhost)")
	pathsFile := flag.String("paths", "", "tile request list (z/x/y per line), as server/bench/extract -paths writes it")
	rate := flag.Float64("rate", 200, "requests per second, sustained")
	duration := flag.Duration("duration", 300*time.Second, "measured run time")
	warmup := flag.Duration("warmup", 15*time.Second, "traffic at the same rate before the measure (memory at start is taken after it)")
	conns := flag.Int("conns", 64, "maximum requests in flight (and connections)")
	sample := flag.Duration("sample", 30*time.Second, "memory sampling interval")
	mix := flag.String("mix", "tiles=60,nearby=10,search=10,reverse=10,items=10", "weights of the kinds of requests")
	seed := flag.Uint64("seed", 1, "random seed")
	maxGrowth := flag.Float64("max-rss-growth", 1.25, "fail if the RSS at the end exceeds this many times the RSS at the start")
	flag.Parse()

	if err := checkFlags(*base, *pathsFile, *rate, *duration, *warmup, *conns); err != nil {
		log.Fatalf("soak: %v", err)
	}
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns,
			IdleConnTimeout: 30 * time.Second,
		},
	}
	g := &generator{base: strings.TrimRight(*base, "/"), client: client}
	kinds, err := g.kinds(*pathsFile, *mix)
	if err != nil {
		log.Fatalf("soak: %v", err)
	}
	fmt.Printf("SOAK_SETUP tiles=%d names=%d collections=%d maxzoom=%d rate=%g duration=%s warmup=%s conns=%d mix=%s\n",
		len(g.tilePaths), len(g.names), len(g.collections), g.maxZoom, *rate, *duration, *warmup, *conns, *mix)

	idle, err := g.memory()
	if err != nil {
		log.Fatalf("soak: %v", err)
	}
	fmt.Printf("SOAK_MEMORY at=idle %s\n", idle)
	if *warmup > 0 {
		w := g.run(kinds, *rate, *warmup, *conns, *seed+1000, 0)
		fmt.Printf("SOAK_WARMUP requests=%d errors=%d dropped=%d\n", len(w.results), w.errors(), w.dropped)
	}
	start, err := g.memory()
	if err != nil {
		log.Fatalf("soak: %v", err)
	}
	fmt.Printf("SOAK_MEMORY at=start %s\n", start)
	r := g.run(kinds, *rate, *duration, *conns, *seed, *sample)
	end, err := g.memory()
	if err != nil {
		log.Fatalf("soak: %v", err)
	}
	fmt.Printf("SOAK_MEMORY at=end %s\n", end)

	failed := r.report(kinds)
	growth := float64(end.rss) / float64(start.rss)
	fmt.Printf("SOAK_RESULT rss_start_mb=%.1f rss_end_mb=%.1f rss_max_mb=%.1f rss_growth=%.3f heap_start_mb=%.1f heap_end_mb=%.1f heap_max_mb=%.1f goroutines_start=%d goroutines_end=%d\n",
		mb(start.rss), mb(end.rss), mb(max(end.rss, r.maxRSS)), growth, mb(start.heap), mb(end.heap), mb(max(end.heap, r.maxHeap)), start.goroutines, end.goroutines)
	if growth > *maxGrowth {
		fmt.Printf("FAILED: the RSS grew %.2fx (limit %.2fx)\n", growth, *maxGrowth)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

func checkFlags(base, paths string, rate float64, duration, warmup time.Duration, conns int) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-base must be an http:// URL, got %q", base)
	}
	if h := u.Hostname(); h != "localhost" && !net.ParseIP(h).IsLoopback() {
		return fmt.Errorf("-base must be on the loopback interface, got %q", h)
	}
	switch {
	case paths == "":
		return errors.New("-paths is required")
	case rate < 1 || rate > 5000:
		return fmt.Errorf("-rate from 1 to 5000 requests per second, got %g", rate)
	case duration < time.Second || duration > 2*time.Hour:
		return fmt.Errorf("-duration from 1s to 2h, got %s", duration)
	case warmup < 0 || warmup > 10*time.Minute:
		return fmt.Errorf("-warmup from 0 to 10m, got %s", warmup)
	case conns < 1 || conns > 1024:
		return fmt.Errorf("-conns from 1 to 1024, got %d", conns)
	}
	return nil
}

type generator struct {
	base        string
	client      *http.Client
	tilePaths   []string
	maxZoom     int
	names       []string // commune names, searched by prefix
	collections []string
}

// kinds reads what the mix needs (the tile list, and from the server the
// archive's zoom range, commune names and collections) and returns the
// kinds of requests with their weights.
func (g *generator) kinds(pathsFile, mix string) ([]kind, error) {
	raw, err := os.ReadFile(pathsFile)
	if err != nil {
		return nil, err
	}
	g.tilePaths = strings.Fields(string(raw))
	if len(g.tilePaths) == 0 {
		return nil, fmt.Errorf("%s: no tile path", pathsFile)
	}
	var tj struct {
		MaxZoom int `json:"maxzoom"`
	}
	if err := g.getJSON("/tiles.json", &tj); err != nil {
		return nil, err
	}
	g.maxZoom = tj.MaxZoom
	var communes struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	for offset := 0; offset < 20000; offset += 2500 { // names from all over the list
		if err := g.getJSON("/collections/communes/items?limit=50&offset="+strconv.Itoa(offset), &communes); err != nil {
			return nil, err
		}
		for _, f := range communes.Features {
			g.names = append(g.names, f.Properties.Name)
		}
	}
	var cols struct {
		Collections []struct {
			ID string `json:"id"`
		} `json:"collections"`
	}
	if err := g.getJSON("/collections", &cols); err != nil {
		return nil, err
	}
	for _, c := range cols.Collections {
		g.collections = append(g.collections, c.ID)
	}
	if len(g.names) == 0 || len(g.collections) == 0 {
		return nil, errors.New("the server lists no commune or no collection")
	}

	jsonOK := func(_ string, status int, body []byte) bool { return status == 200 && json.Valid(body) }
	all := []kind{
		{name: "tiles", next: func(_ *rand.Rand, i int) string { return "/tiles/" + g.tilePaths[i%len(g.tilePaths)] + ".mvt" },
			ok: func(path string, status int, body []byte) bool {
				switch status {
				case 200:
					return len(body) > 0
				case 204:
					return len(body) == 0
				case 404:
					z, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(path, "/tiles/"), "/")[0])
					return z > g.maxZoom
				}
				return false
			}},
		{name: "nearby", ok: jsonOK, next: func(rng *rand.Rand, _ int) string {
			lat, lon := francePoint(rng)
			return fmt.Sprintf("/api/nearby?lat=%.5f&lon=%.5f&k=%d", lat, lon, []int{5, 10, 20}[rng.IntN(3)])
		}},
		{name: "search", ok: jsonOK, next: func(rng *rand.Rand, _ int) string {
			name := []rune(g.names[rng.IntN(len(g.names))])
			n := min(len(name), 2+rng.IntN(8)) // as typed: the first 2 to 9 letters
			return "/api/search?q=" + url.QueryEscape(string(name[:n]))
		}},
		{name: "reverse", ok: jsonOK, next: func(rng *rand.Rand, _ int) string {
			lat, lon := francePoint(rng)
			return fmt.Sprintf("/api/reverse?lat=%.5f&lon=%.5f", lat, lon)
		}},
		{name: "items", ok: jsonOK, next: func(rng *rand.Rand, _ int) string {
			lat, lon := francePoint(rng)
			d := 0.1 + rng.Float64()*0.9 // a box 0.1° to 1° wide
			return fmt.Sprintf("/collections/%s/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=%d", g.collections[rng.IntN(len(g.collections))],
				lon, lat, lon+d, lat+d*0.7, []int{10, 50, 100}[rng.IntN(3)])
		}},
	}
	weights := map[string]int{}
	for _, part := range strings.Split(mix, ",") {
		name, w, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("-mix: %q is not name=weight", part)
		}
		weights[name] = n
	}
	var kinds []kind
	for _, k := range all {
		if w, ok := weights[k.name]; ok {
			k.weight = w
			kinds = append(kinds, k)
			delete(weights, k.name)
		}
	}
	for name := range weights {
		return nil, fmt.Errorf("-mix: unknown kind %q (tiles, nearby, search, reverse, items)", name)
	}
	return kinds, nil
}

// francePoint is a random point of metropolitan France's bounding box
// (some fall at sea or abroad: the API answers those too).
func francePoint(rng *rand.Rand) (lat, lon float64) {
	return 42.4 + rng.Float64()*8.6, -4.7 + rng.Float64()*12.8
}

func (g *generator) getJSON(path string, v any) error {
	resp, err := g.client.Get(g.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// memory is the server's own account, from /metrics.
type memory struct {
	rss, heap  int64 // bytes: resident set, Go heap in use
	goroutines int64
}

func (m memory) String() string {
	return fmt.Sprintf("rss_mb=%.1f heap_inuse_mb=%.1f goroutines=%d", mb(m.rss), mb(m.heap), m.goroutines)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// memory reads the server's memory from /metrics, trying three times.
func (g *generator) memory() (m memory, err error) {
	for try := 0; try < 3; try++ {
		if m, err = g.memoryOnce(); err == nil {
			return m, nil
		}
		time.Sleep(time.Second)
	}
	return m, err
}

func (g *generator) memoryOnce() (memory, error) {
	req, _ := http.NewRequest(http.MethodGet, g.base+"/metrics", nil)
	req.Header.Set("Accept-Encoding", "identity") // plain text, whatever the handler would negotiate
	resp, err := g.client.Do(req)
	if err != nil {
		return memory{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return memory{}, err
	}
	if resp.StatusCode != 200 {
		return memory{}, fmt.Errorf("/metrics: %s: %.200q", resp.Status, body)
	}
	var m memory
	want := map[string]*int64{"process_resident_memory_bytes": &m.rss, "go_memstats_heap_inuse_bytes": &m.heap, "go_goroutines": &m.goroutines}
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if p := want[name]; ok && p != nil {
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return m, fmt.Errorf("/metrics: %s: %v", name, err)
			}
			*p = int64(f)
			delete(want, name)
		}
	}
	if len(want) > 0 {
		return m, fmt.Errorf("/metrics (%d bytes, %s) lacks %d of the memory series: %.120q", len(body), resp.Header.Get("Content-Encoding"), len(want), body)
	}
	return m, nil
}

// run is one timed run: results per request, and the memory samples taken
// every sample interval (0: none).
type run struct {
	results         []result
	dropped         int
	start           time.Time
	elapsed         time.Duration
	maxRSS, maxHeap int64
}

func (r *run) errors() int {
	n := 0
	for _, res := range r.results {
		if res.bad != "" && res.status != http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

func (g *generator) run(kinds []kind, rate float64, d time.Duration, conns int, seed uint64, sample time.Duration) *run {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	var (
		mu     sync.Mutex
		r      = &run{start: time.Now()}
		wg     sync.WaitGroup
		slots  = make(chan struct{}, conns)
		counts = make([]int, len(kinds))
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if sample > 0 {
		go func() {
			t := time.NewTicker(sample)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					m, err := g.memory()
					if err != nil {
						fmt.Printf("SOAK_MEMORY error=%q\n", err)
						continue
					}
					mu.Lock()
					r.maxRSS, r.maxHeap = max(r.maxRSS, m.rss), max(r.maxHeap, m.heap)
					n := len(r.results)
					mu.Unlock()
					fmt.Printf("SOAK_MEMORY at=%s requests=%d %s\n", time.Since(r.start).Round(time.Second), n, m)
				}
			}
		}()
	}
	start := r.start
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= d {
			break
		}
		time.Sleep(time.Until(at))
		pick := rng.IntN(total)
		ki := 0
		for pick >= kinds[ki].weight {
			pick -= kinds[ki].weight
			ki++
		}
		path := kinds[ki].next(rng, counts[ki])
		counts[ki]++
		select {
		case slots <- struct{}{}:
		default:
			r.dropped++ // every connection busy: the server is not keeping up
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			res := g.do(kinds, ki, path)
			mu.Lock()
			r.results = append(r.results, res)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

func (g *generator) do(kinds []kind, ki int, path string) result {
	req, _ := http.NewRequest(http.MethodGet, g.base+path, nil)
	if kinds[ki].name == "tiles" {
		req.Header.Set("Accept-Encoding", "gzip") // as browsers; the body stays compressed
	}
	t := time.Now()
	resp, err := g.client.Do(req)
	if err != nil {
		return result{kind: ki, latency: time.Since(t), bad: err.Error()}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := result{kind: ki, status: resp.StatusCode, latency: time.Since(t)}
	switch {
	case err != nil:
		res.bad = err.Error()
	case !kinds[ki].ok(path, resp.StatusCode, body):
		res.bad = fmt.Sprintf("%s: %d %.200s", path, resp.StatusCode, body)
	}
	return res
}

// report prints one line per kind and the totals, and whether the run
// failed (an error other than 429, or a dropped request).
func (r *run) report(kinds []kind) (failed bool) {
	type agg struct {
		lat            []time.Duration
		errors, s429   int
		statuses       map[int]int
		firstBadReason string
	}
	per := make([]agg, len(kinds))
	for i := range per {
		per[i].statuses = map[int]int{}
	}
	for _, res := range r.results {
		a := &per[res.kind]
		a.lat = append(a.lat, res.latency)
		a.statuses[res.status]++
		switch {
		case res.status == http.StatusTooManyRequests:
			a.s429++
		case res.bad != "":
			a.errors++
			if a.firstBadReason == "" {
				a.firstBadReason = res.bad
			}
		}
	}
	secs := r.elapsed.Seconds()
	var all []time.Duration
	errorsTotal, total429 := 0, 0
	for i, k := range kinds {
		a := per[i]
		all = append(all, a.lat...)
		errorsTotal += a.errors
		total429 += a.s429
		fmt.Printf("SOAK_KIND kind=%s requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d s429=%d statuses=%s\n",
			k.name, len(a.lat), float64(len(a.lat))/secs, ms(pct(a.lat, 50)), ms(pct(a.lat, 99)), ms(pct(a.lat, 100)), a.errors, a.s429, statuses(a.statuses))
		if a.firstBadReason != "" {
			fmt.Printf("  first error of %s: %s\n", k.name, a.firstBadReason)
		}
	}
	fmt.Printf("SOAK_TOTAL requests=%d seconds=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d s429=%d dropped=%d\n",
		len(r.results), secs, float64(len(r.results))/secs, ms(pct(all, 50)), ms(pct(all, 99)), errorsTotal, total429, r.dropped)
	return errorsTotal > 0 || r.dropped > 0
}

func statuses(m map[int]int) string {
	var parts []string
	for s, n := range m {
		parts = append(parts, fmt.Sprintf("%d:%d", s, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// pct is the p-th percentile (nearest rank) of the latencies.
func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
