package server

import (
	"testing"

	"github.com/territoires-industrie/carte/api"
)

// acceptsGzip answers as api.AcceptsCoding, its reference, without
// allocating for the usual headers.
func TestAcceptsGzipAgreesWithTheNegotiationParser(t *testing.T) {
	for _, h := range []string{"", "gzip", "GZIP", " gzip ", "x-gzip", "gzip, deflate, br", "br, deflate", "*", "br,*",
		"gzip;q=0", "gzip;q=0, *", "*;q=0", "br;q=1.0, gzip;q=0.8", "gzip;q=0, identity", ",,", "gzipx", "deflate, gzip ,br"} {
		if got, want := acceptsGzip([]byte(h)), api.AcceptsCoding(h, "gzip", "x-gzip"); got != want {
			t.Errorf("acceptsGzip(%q) = %v, api.AcceptsCoding says %v", h, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { acceptsGzip([]byte("gzip, deflate, br")) }); n != 0 {
		t.Errorf("%v allocations for a plain Accept-Encoding", n)
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, h := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "gzip;q=0, *"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got, want := acceptsGzip([]byte(h)), api.AcceptsCoding(h, "gzip", "x-gzip"); got != want {
			t.Errorf("acceptsGzip(%q) = %v, api.AcceptsCoding says %v", h, got, want)
		}
	})
}

func TestETagMatches(t *testing.T) {
	etag := []byte(`"v1-3-4-2-gz"`)
	for header, want := range map[string]bool{
		``: false, `"v1-3-4-2-gz"`: true, `W/"v1-3-4-2-gz"`: true, `"a", "v1-3-4-2-gz"`: true, ` "a" ,W/"v1-3-4-2-gz" `: true,
		`*`: true, `"v1-3-4-2"`: false, `"v1-3-4-2-gz`: false, `, ,`: false,
	} {
		if got := etagMatches([]byte(header), etag); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}
