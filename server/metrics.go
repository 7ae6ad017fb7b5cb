package server

import (
	"strconv"
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
	// Re-reads of the API keys file (SIGHUP), by result.
	keyReloads *prometheus.CounterVec
	// The last load: when one succeeded, whether the last attempt did.
	lastLoadSuccess prometheus.Gauge
	lastReloadOK    prometheus.Gauge
	// The archive's storage: up or not, and failed reads.
	storageUp     prometheus.Gauge
	storageErrors prometheus.Counter
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
	m.keyReloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "territoires_api_key_reloads_total", Help: "Re-reads of the API keys file at SIGHUP, by result (failed: the current keys are kept).",
	}, []string{"result"})
	for _, result := range []string{"ok", "failed"} {
		m.keyReloads.WithLabelValues(result) // both series from the start, at 0
	}
	m.lastLoadSuccess = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "territoires_last_reload_success_timestamp_seconds", Help: "Unix time of the last successful load of the archive and data.",
	})
	m.lastReloadOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "territoires_last_reload_ok", Help: "1 if the last load or reload succeeded, 0 if it failed (the previous data is still served).",
	})
	m.storageUp = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "territoires_storage_up", Help: "1 while the archive's storage answers, 0 while tiles get 503 because it does not.",
	})
	m.storageErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "territoires_storage_errors_total", Help: "Failed reads of the archive's storage (remote origin or bucket).",
	})
	m.registry.MustRegister(m.lastLoadSuccess, m.lastReloadOK, m.storageUp, m.storageErrors)
	m.registry.MustRegister(m.requests, m.latency, m.tileBytes, m.reloads, m.keyReloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// methodLabel returns a constant, never m: Fiber's method string points
// into the request buffer that the next request on the worker overwrites.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodOptions:
		return fiber.MethodOptions
	}
	return "other"
}

// observe counts a request; route and method are labels already (see
// routeTable.label, methodLabel).
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
