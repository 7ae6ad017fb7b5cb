package server

import "testing"

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
