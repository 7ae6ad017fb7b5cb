package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostile is one request an attacker, a scanner or a broken client could
// send, and the clean refusal it must get.
type hostile struct {
	name, method, target string
	header               map[string]string
	body                 string
	code                 int
	// jsonErr is a part of the JSON error message; "" when the answer is
	// not the server's JSON error (see the unknown-method case).
	jsonErr string
	// wire sends the request over a real loopback connection: limits that
	// the HTTP parser enforces (header and body sizes) end the connection,
	// which app.Test reports as an error instead of the response.
	wire bool
	// noHost sends an HTTP/1.1 request without Host, which RFC 9112
	// (§3.2) tells servers to refuse.
	noHost bool
}

func hostileRequests() []hostile {
	rep := strings.Repeat
	return []hostile{
		// Path traversal.
		{name: "static: encoded ..", target: "/static/..%2f..%2fgo.mod", code: 404, jsonErr: "no such file"},
		{name: "static: double-encoded ..", target: "/static/%252e%252e%252fgo.mod", code: 404, jsonErr: "no such file"},
		{name: "static: backslashes", target: "/static/..%5c..%5cgo.mod", code: 404, jsonErr: "no such file"},
		{name: "static: absolute path", target: "/static/%2fetc%2fpasswd", code: 404, jsonErr: "no such file"},
		{name: "tiles: traversal", target: "/tiles/..%2f..%2fgo.mod", code: 400, jsonErr: "malformed tile path"},
		{name: "feature id: traversal", target: "/api/features/..%2f..%2fgo.mod", code: 404, jsonErr: "no feature"},
		{name: "collection: traversal", target: "/collections/..%2f..%2fetc/items", code: 404, jsonErr: ""},

		// Huge query strings.
		{name: "huge q", target: "/api/search?q=" + rep("a", 5000), code: 414, jsonErr: "more than the 2048 allowed"},
		{name: "huge bbox", target: "/collections/sites/items?bbox=" + rep("1,", 1500) + "1", code: 414, jsonErr: "query string"},
		{name: "many parameters", target: "/api/nearby?lat=45&lon=4" + rep("&a=1", 600), code: 414, jsonErr: "query string"},

		// Invalid UTF-8.
		{name: "q not UTF-8", target: "/api/search?q=%ff%fe", code: 400, jsonErr: "not valid UTF-8"},
		{name: "overlong UTF-8", target: "/api/search?q=%c0%af", code: 400, jsonErr: "not valid UTF-8"},
		{name: "truncated UTF-8 in layers", target: "/api/nearby?lat=45&lon=4&layers=sites%e2%82", code: 400, jsonErr: "not valid UTF-8"},
		{name: "UTF-8 surrogate in a parameter name", target: "/api/nearby?lat=45&lon=4&%ed%a0%80=1", code: 400, jsonErr: "not valid UTF-8"},
		{name: "path not UTF-8", target: "/api/features/%c3%28", code: 400, jsonErr: "path is not valid UTF-8"},

		// NaN, infinities, huge numbers as coordinates.
		{name: "lat NaN", target: "/api/nearby?lat=NaN&lon=4.8", code: 400, jsonErr: "lat"},
		{name: "lon Inf", target: "/api/nearby?lat=45&lon=Inf", code: 400, jsonErr: "lon"},
		{name: "lat -Infinity", target: "/api/within?lat=-Infinity&lon=4&radius_km=5", code: 400, jsonErr: "lat"},
		{name: "lat 1e308", target: "/api/nearby?lat=1e308&lon=4", code: 400, jsonErr: "outside -90..90"},
		{name: "lon -1e308", target: "/api/reverse?lat=45&lon=-1e308", code: 400, jsonErr: "outside -180..180"},
		{name: "lat 1e309 (overflow)", target: "/api/reverse?lat=1e309&lon=4", code: 400, jsonErr: "lat"},
		{name: "radius 1e308", target: "/api/within?lat=45&lon=4&radius_km=1e308", code: 400, jsonErr: "radius_km"},
		{name: "radius NaN", target: "/api/within?lat=45&lon=4&radius_km=NaN", code: 400, jsonErr: "radius_km"},
		{name: "search bias NaN", target: "/api/search?q=lyon&lat=NaN&lon=4", code: 400, jsonErr: "lat"},
		{name: "bbox NaN", target: "/collections/sites/items?bbox=NaN,0,1,1", code: 400, jsonErr: "bbox"},
		{name: "bbox 1e308", target: "/collections/sites/items?bbox=-1e308,-1e308,1e308,1e308", code: 400, jsonErr: "bbox"},
		{name: "min_surface_ha NaN", target: "/api/nearby?lat=45&lon=4&layers=sites&min_surface_ha=NaN", code: 400, jsonErr: "min_surface_ha"},

		// Limits: huge, negative, non-numeric.
		{name: "limit=1e12 (within)", target: "/api/within?lat=45&lon=4&radius_km=5&limit=1e12", code: 400, jsonErr: "limit"},
		{name: "limit=1e12 (search)", target: "/api/search?q=lyon&limit=1e12", code: 400, jsonErr: "limit"},
		{name: "limit=1e12 (OGC items)", target: "/collections/sites/items?limit=1e12", code: 400, jsonErr: "limit"},
		{name: "k=1e12", target: "/api/nearby?lat=45&lon=4&k=1e12", code: 400, jsonErr: "k="},
		{name: "k above max", target: "/api/nearby?lat=45&lon=4&k=1000000000000", code: 400, jsonErr: "maximum"},
		{name: "negative limit", target: "/api/within?lat=45&lon=4&radius_km=5&limit=-1", code: 400, jsonErr: "limit"},
		{name: "zero limit", target: "/api/search?q=lyon&limit=0", code: 400, jsonErr: "limit"},
		{name: "non-numeric limit", target: "/collections/sites/items?limit=abc", code: 400, jsonErr: "limit"},
		{name: "fractional k", target: "/api/nearby?lat=45&lon=4&k=1.5", code: 400, jsonErr: "k="},
		{name: "negative offset", target: "/collections/sites/items?offset=-1", code: 400, jsonErr: "offset"},
		{name: "offset=1e12", target: "/collections/sites/items?offset=1e12", code: 400, jsonErr: "offset"},

		// Repeated, nested, oversized parameters.
		{name: "repeated lat", target: "/api/nearby?lat=45&lon=4&lat=46", code: 400, jsonErr: "more than once"},
		{name: "repeated layers", target: "/api/search?q=lyon&layers=sites&layers=acv", code: 400, jsonErr: "more than once"},
		{name: "deeply nested parameter", target: "/api/nearby?lat=45&lon=4&" + rep("a[b]", 60) + "=1", code: 400, jsonErr: "unknown parameter"},
		{name: "nested OGC parameter", target: "/collections/sites/items?filter[name][$ne]=x", code: 400, jsonErr: "unknown parameter"},
		{name: "JSON in a parameter", target: "/api/search?q=lyon&layers=%7B%22%24gt%22%3A%22%22%7D", code: 400, jsonErr: "unknown layer"},
		{name: "oversized q", target: "/api/search?q=" + rep("lyon", 30), code: 400, jsonErr: "q"},
		{name: "oversized layer list", target: "/api/nearby?lat=45&lon=4&layers=" + rep("sites,", 200) + "x", code: 400, jsonErr: "unknown layer"},
		{name: "oversized code", target: "/api/nearby?lat=45&lon=4&codeRegion=" + rep("8", 500), code: 400, jsonErr: "codeRegion"},

		// Huge headers, oversized bodies (enforced by the HTTP parser).
		{name: "one huge header", target: "/api/search?q=lyon", header: map[string]string{"X-Filler": rep("a", 9000)}, code: 431, jsonErr: "Request Header Fields Too Large", wire: true},
		{name: "many headers", target: "/tiles/0/0/0.mvt", header: manyHeaders(300), code: 431, jsonErr: "Request Header Fields Too Large", wire: true},
		{name: "huge cookie", target: "/", header: map[string]string{"Cookie": "s=" + rep("x", 10000)}, code: 431, jsonErr: "Request Header Fields Too Large", wire: true},
		{name: "oversized POST body", method: "POST", target: "/api/search?q=lyon", body: rep("x", 100_000), code: 413, jsonErr: "Request Entity Too Large", wire: true},
		{name: "oversized GET body", target: "/api/nearby?lat=45&lon=4", body: rep("x", 20_000), code: 413, jsonErr: "Request Entity Too Large", wire: true},

		// Methods: the service is read-only.
		{name: "DELETE", method: "DELETE", target: "/api/features/site-01", code: 405, jsonErr: "read-only"},
		{name: "PUT a tile", method: "PUT", target: "/tiles/0/0/0.mvt", body: "x", code: 405, jsonErr: "read-only"},
		{name: "TRACE", method: "TRACE", target: "/", code: 405, jsonErr: "read-only"},
		{name: "PATCH", method: "PATCH", target: "/collections", code: 405, jsonErr: "read-only"},
		// Fiber refuses methods it does not know before any middleware runs,
		// with a plain-text 400.
		{name: "unknown method", method: "PROPFIND", target: "/api/search?q=lyon", code: 400},

		{name: "HTTP/1.1 without Host", target: "/api/nearby?lat=45&lon=4", noHost: true, wire: true, code: 400, jsonErr: "missing required host header"},

		// Malformed tile paths.
		{name: "tile: four parts", target: "/tiles/1/2/3/4.mvt", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: letters", target: "/tiles/a/b/c.mvt", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: negative zoom", target: "/tiles/-1/0/0.mvt", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: 11-digit zoom", target: "/tiles/99999999999/0/0.mvt", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: zoom 31", target: "/tiles/31/0/0.mvt", code: 400, jsonErr: "above 30"},
		{name: "tile: x outside the grid", target: "/tiles/2/4/0.mvt", code: 400, jsonErr: "below 2^z"},
		{name: "tile: wrong extension", target: "/tiles/1/0/0.png", code: 400, jsonErr: "must end in .mvt"},
		{name: "tile: no extension", target: "/tiles/1/0/0", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: NUL byte", target: "/tiles/%00/0/0.mvt", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: empty", target: "/tiles/", code: 400, jsonErr: "malformed tile path"},
		{name: "tile: zoom outside the archive", target: "/tiles/29/0/0.mvt", code: 404, jsonErr: "outside the archive"},
	}
}

func manyHeaders(n int) map[string]string {
	h := map[string]string{}
	for i := 0; i < n; i++ {
		h[fmt.Sprintf("X-Filler-%d", i)] = strings.Repeat("b", 30)
	}
	return h
}

// exchangeOnWire writes a request with write on a new loopback connection
// and reads the answer to req (whose method says how to read it). The
// server answers an oversized request before reading all of it and
// closes the connection, so writing the rest may fail with a broken pipe
// (http.Client then reports that error, not the response). Here the write
// runs on its own and its error is not the test's concern: the answer is.
func exchangeOnWire(addr string, req *http.Request, write func(io.Writer)) (*http.Response, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	go write(conn)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	// The body is read in full before the connection closes.
	body, err := io.ReadAll(resp.Body)
	conn.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

// TestHostileRequests: each request gets its clean 4xx (a JSON error
// naming the problem, never a 5xx or a panic), and afterwards the server
// still answers health checks and real queries correctly.
func TestHostileRequests(t *testing.T) {
	s := realServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App().Listener(ln)
	t.Cleanup(func() { s.App().ShutdownWithTimeout(5 * time.Second) })
	for _, tt := range hostileRequests() {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			var resp *http.Response
			if tt.wire {
				req, err := http.NewRequest(method, "http://"+ln.Addr().String()+tt.target, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.body == "" {
					req.Body = nil
				}
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				send := func(w io.Writer) { req.Write(w) }
				if tt.noHost { // Request.Write always writes a Host line
					send = func(w io.Writer) { io.WriteString(w, method+" "+tt.target+" HTTP/1.1\r\n\r\n") }
				}
				if resp, err = exchangeOnWire(ln.Addr().String(), req, send); err != nil {
					t.Fatal(err)
				}
			} else {
				var body io.Reader
				if tt.body != "" {
					body = strings.NewReader(tt.body)
				}
				req := newRequest(method, tt.target, body)
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				if resp, err = s.App().Test(req, -1); err != nil {
					t.Fatal(err)
				}
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d; body %.300s", resp.StatusCode, tt.code, body)
			}
			if tt.jsonErr == "" && tt.method == "PROPFIND" {
				if string(body) != "Invalid http method" {
					t.Errorf("body %q", body)
				}
				return
			}
			var e map[string]any
			if err := json.Unmarshal(body, &e); err != nil || len(e) != 1 {
				t.Fatalf("body is not a JSON error: %.300s", body)
			}
			msg, _ := e["error"].(string)
			if msg == "" || !strings.Contains(msg, tt.jsonErr) {
				t.Errorf("error %q, want it to mention %q", msg, tt.jsonErr)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			// Never internals: no Go error text, file paths or stack frames.
			for _, leak := range []string{"goroutine", ".go:", "runtime error", "panic"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q leaks %q", msg, leak)
				}
			}
		})
	}

	// The server is still healthy and still right.
	for _, check := range []func() (int, []byte){
		func() (int, []byte) { resp, body := do(t, s, "GET", "/healthz", nil); return resp.StatusCode, body },
		func() (int, []byte) {
			client := &http.Client{Timeout: 10 * time.Second}
			resp, err := client.Get("http://" + ln.Addr().String() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, body
		},
	} {
		if code, body := check(); code != 200 || !strings.Contains(string(body), `"status":"ok"`) {
			t.Fatalf("healthz after the hostile requests: %d %s", code, body)
		}
	}
	lb := getList(t, s, "/api/nearby?lat=45.764&lon=4.8357&layers=sites&k=3")
	if lb.Count != 3 || len(lb.Results) != 3 || lb.Results[0].DistanceM == nil || *lb.Results[0].DistanceM > *lb.Results[2].DistanceM {
		t.Fatalf("nearby after the hostile requests: %+v", lb)
	}
	_, metrics := do(t, s, "GET", "/metrics", nil)
	if strings.Contains(string(metrics), `code="5`) {
		t.Errorf("a hostile request got a 5xx:\n%s", metrics)
	}
}
