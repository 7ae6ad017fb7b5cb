package server

import (
	"testing"
	"unsafe"
)

// Fiber hands out paths that alias a request buffer reused by the next
// request: a label must not share those bytes, or the series it names
// changes under Prometheus (a duplicate series, /metrics answers 500).
func TestRouteLabelDoesNotAliasThePath(t *testing.T) {
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/tiles.json", "/style.json", "/openapi.json",
		"/conformance", "/collections", "/embed", "/widget.js"} {
		buf := []byte(p)
		label := routeLabel(unsafe.String(&buf[0], len(buf)))
		want := p[1:]
		for i := range buf {
			buf[i] = 'x'
		}
		if label != want {
			t.Errorf("routeLabel(%q) became %q once the request buffer was reused", p, label)
		}
	}
}
