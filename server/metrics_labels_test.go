package server

import (
	"testing"
	"unsafe"
)

// Route labels must not point into Fiber's request buffers: after other
// requests reuse them, /metrics must still show the route names, and
// scrape without "collected before" errors.
func TestMetricsRouteLabelsSurviveBufferReuse(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, target := range []string{"/openapi.json", "/conformance", "/collections", "/tiles.json", "/healthz"} {
		do(t, s, "GET", target, nil)
		do(t, s, "GET", "/api/zzzzzzzzzzzzzzzzzzzzzzzzzzz", nil) // overwrite the buffer
	}
	for _, series := range []string{
		`territoires_http_requests_total{code="200",method="GET",route="openapi.json"}`,
		`territoires_http_requests_total{code="200",method="GET",route="conformance"}`,
		`territoires_http_requests_total{code="200",method="GET",route="collections"}`,
		`territoires_http_requests_total{code="200",method="GET",route="tiles.json"}`,
		`territoires_http_requests_total{code="404",method="GET",route="other"}`,
	} {
		want := 1.0
		if series[len(series)-8:] == `"other"}` {
			want = 5
		}
		if got := metric(t, s, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

// Fiber hands out paths that alias a request buffer reused by the next
// request: a label must not share those bytes, or the series it names
// changes under Prometheus (a duplicate series, /metrics answers 500).
func TestRouteLabelDoesNotAliasThePath(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/tiles.json", "/style.json", "/openapi.json",
		"/conformance", "/collections", "/embed", "/widget.js"} {
		buf := []byte(p)
		label := s.table.label(unsafe.String(&buf[0], len(buf)))
		want := p[1:]
		for i := range buf {
			buf[i] = 'x'
		}
		if label != want {
			t.Errorf("label of %q became %q once the request buffer was reused", p, label)
		}
	}
}

// The method label is kept by Prometheus and in the series cache's keys:
// it must not share the bytes Fiber's method string points into, which the
// next request's first line overwrites (the race detector saw /metrics
// read them while a request was parsed into them).
func TestMethodLabelDoesNotAliasTheRequest(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
		buf := []byte(m)
		label := methodLabel(unsafe.String(&buf[0], len(buf)))
		copy(buf, "PUTXXXX")
		if label != m {
			t.Errorf("methodLabel(%q) became %q once the request buffer was reused", m, label)
		}
	}
}
