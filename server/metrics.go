package server

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus series, in a registry of its own.
// Labels are bounded: a fixed set of routes, methods and status codes.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	tileBytes prometheus.Counter
	reloads   *prometheus.CounterVec
	// Series already looked up: WithLabelValues hashes and locks on every
	// call, a measurable share of a tile request.
	counters  sync.Map // counterKey → prometheus.Counter
	observers sync.Map // route → prometheus.Observer
}

type counterKey struct {
	route, method string
	code          int
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "territoires_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "territoires_http_request_duration_seconds", Help: "Time to answer, by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route"}),
		tileBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "territoires_tile_bytes_total", Help: "Tile body bytes sent.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "territoires_reloads_total", Help: "Archive reloads by result.",
		}, []string{"result"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.tileBytes, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeLabel maps a path to one of our routes, so that a scan of random
// URLs cannot create new series.
func routeLabel(path string) string {
	switch {
	case strings.HasPrefix(path, "/tiles/"):
		return "tiles"
	case fixedRoutes[path] != "":
		// A constant, never a slice of path: Fiber's path aliases a
		// request buffer that later requests overwrite, which would
		// corrupt the label (/metrics then answers 500).
		return fixedRoutes[path]
	case path == "/":
		return "landing"
	case strings.HasPrefix(path, "/static/"):
		return "static"
	case strings.HasPrefix(path, "/api/features/"):
		return "api_features"
	case path == "/api/nearby", path == "/api/within", path == "/api/search", path == "/api/reverse":
		return "api_" + strings.TrimPrefix(path, "/api/")
	case strings.HasPrefix(path, "/collections/"):
		if strings.Contains(path[len("/collections/"):], "/items") {
			return "collection_items"
		}
		return "collection"
	}
	return "other"
}

// fixedRoutes are the routes without parameters, by path.
var fixedRoutes = map[string]string{
	"/tiles.json": "tiles.json", "/style.json": "style.json", "/healthz": "healthz", "/readyz": "readyz",
	"/metrics": "metrics", "/openapi.json": "openapi.json", "/conformance": "conformance",
	"/collections": "collections", "/embed": "embed", "/widget.js": "widget.js",
}

func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return m
	}
	return "other"
}

// observe counts a request; route and method are labels already (see
// routeLabel, methodLabel).
func (m *metrics) observe(route, method string, code int, elapsed time.Duration) {
	key := counterKey{route, method, code}
	c, ok := m.counters.Load(key)
	if !ok {
		c, _ = m.counters.LoadOrStore(key, m.requests.WithLabelValues(route, method, strconv.Itoa(code)))
	}
	c.(prometheus.Counter).Inc()
	o, ok := m.observers.Load(route)
	if !ok {
		o, _ = m.observers.LoadOrStore(route, m.latency.WithLabelValues(route))
	}
	o.(prometheus.Observer).Observe(elapsed.Seconds())
}
