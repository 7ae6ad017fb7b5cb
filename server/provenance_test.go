package server

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// List answers carry each layer's provenance by reference (title, href):
// the href must give, byte for byte, the object answers carried before
// (title and sources of the manifest, as encoding/json writes them), for
// every layer, in every list route and format; provenance=full must give
// that object inline and change nothing else in the answer.
func TestListProvenanceByReference(t *testing.T) {
	s := realServer(t)
	// What an answer said of a layer before: Provenance{title, sources}.
	old := func(layer string) []byte {
		t.Helper()
		l, ok := realCatalog.Manifest.Layer(layer)
		if !ok {
			t.Fatalf("layer %s not in the manifest", layer)
		}
		b, err := json.Marshal(Provenance{Title: l.Title, Sources: l.Sources})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	seen := map[string]bool{}
	for _, target := range []string{
		"/api/nearby?lat=45.764&lon=4.8357&k=30",
		"/api/nearby?lat=48.39&lon=-4.49&k=5&layers=sites,acv&format=geojson",
		"/api/nearby?lat=46.2&lon=5.2&k=3&fields=name",
		"/api/within?lat=45.764&lon=4.8357&radius_km=30&limit=200",
		"/api/within?lat=47.5&lon=2.0&radius_km=100&limit=50&format=geojson&layers=territoires,communes",
		"/api/search?q=chalon&limit=50",
		"/api/search?q=saint&limit=50&format=geojson",
		"/api/search?q=bretagne&limit=50&layers=regions,places",
		"/api/nearby?lat=45.764&lon=4.8357&k=3&layers=departements,contours_communes",
	} {
		t.Run(target, func(t *testing.T) {
			resp, refBody := do(t, s, "GET", target, nil)
			_, fullBody := do(t, s, "GET", target+"&provenance=full", nil)
			_, refBody2 := do(t, s, "GET", target+"&provenance=ref", nil)
			if resp.StatusCode != 200 || !bytes.Equal(refBody, refBody2) {
				t.Fatalf("%d; provenance=ref differs from the default:\n%s\n%s", resp.StatusCode, snippetOf(refBody), snippetOf(refBody2))
			}
			var ref, full map[string]json.RawMessage
			if err := json.Unmarshal(refBody, &ref); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(fullBody, &full); err != nil {
				t.Fatalf("%v: %s", err, snippetOf(fullBody))
			}
			var refs map[string]ProvenanceRef
			var fulls map[string]json.RawMessage
			if err := json.Unmarshal(ref["provenance"], &refs); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(full["provenance"], &fulls); err != nil {
				t.Fatal(err)
			}
			if len(refs) == 0 || !slices.Equal(slices.Sorted(maps.Keys(refs)), slices.Sorted(maps.Keys(fulls))) {
				t.Fatalf("layers by reference %v, in full %v", slices.Sorted(maps.Keys(refs)), slices.Sorted(maps.Keys(fulls)))
			}
			for layer, r := range refs {
				seen[layer] = true
				want := old(layer)
				if !bytes.Equal(fulls[layer], want) {
					t.Errorf("%s: provenance=full gives\n%s\nwant\n%s", layer, fulls[layer], want)
				}
				var prov Provenance
				_ = json.Unmarshal(want, &prov)
				if r.Title != prov.Title || !strings.HasPrefix(r.Href, "/api/provenance/"+url.PathEscape(layer)+"?v=") {
					t.Errorf("%s: reference %+v", layer, r)
				}
				resp, got := do(t, s, "GET", r.Href, nil)
				if resp.StatusCode != 200 || !bytes.Equal(got, want) {
					t.Errorf("%s: %s gives %d\n%s\nwant\n%s", layer, r.Href, resp.StatusCode, got, want)
				}
				if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
					t.Errorf("%s: Cache-Control %q", r.Href, cc)
				}
			}
			// Nothing else changes.
			delete(ref, "provenance")
			delete(full, "provenance")
			if len(ref) < 4 || !maps.EqualFunc(ref, full, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
				t.Errorf("the answers differ besides provenance:\n%s\n%s", snippetOf(refBody), snippetOf(fullBody))
			}
		})
	}
	// Every layer of the manifest was met through some answer.
	for _, l := range realCatalog.Manifest.Layers {
		if !seen[l.ID] {
			t.Errorf("no answer referred to the provenance of %s", l.ID)
		}
	}
}

// /api/provenance: every layer's provenance in one document, each as its
// own URL gives it, with the attribution and data version of the answers;
// cached for good with the data version, revalidated by ETag.
func TestProvenanceDocuments(t *testing.T) {
	s := realServer(t)
	resp, body := do(t, s, "GET", "/api/provenance", nil)
	var doc struct {
		Attribution string                     `json:"attribution"`
		DataVersion string                     `json:"data_version"`
		Provenance  map[string]json.RawMessage `json:"provenance"`
	}
	if err := json.Unmarshal(body, &doc); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%d %v %s", resp.StatusCode, err, snippetOf(body))
	}
	if doc.Attribution != realCatalog.Manifest.Attribution || doc.DataVersion != realCatalog.Version || len(doc.Provenance) != len(realCatalog.Manifest.Layers) {
		t.Fatalf("attribution %q version %q, %d layers", doc.Attribution, doc.DataVersion, len(doc.Provenance))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("without v: Cache-Control %q", cc)
	}
	for _, l := range realCatalog.Manifest.Layers {
		want, _ := json.Marshal(Provenance{Title: l.Title, Sources: l.Sources})
		if !bytes.Equal(doc.Provenance[l.ID], want) {
			t.Errorf("%s: %s, want %s", l.ID, doc.Provenance[l.ID], want)
		}
		resp, got := do(t, s, "GET", "/api/provenance/"+l.ID, nil)
		if resp.StatusCode != 200 || !bytes.Equal(got, want) || resp.Header.Get("Content-Type") != mediaJSON {
			t.Errorf("/api/provenance/%s: %d %s %s", l.ID, resp.StatusCode, resp.Header.Get("Content-Type"), snippetOf(got))
		}
	}

	// Revalidation: a weak ETag, 304 when it matches, the body otherwise.
	resp, body = do(t, s, "GET", "/api/provenance/sites?v="+realCatalog.Version, nil)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || len(body) == 0 {
		t.Fatalf("ETag %q, body %s", etag, snippetOf(body))
	}
	for _, tt := range []struct {
		header string
		status int
	}{
		{etag, 304}, {strings.TrimPrefix(etag, "W/"), 304}, {`"x", ` + etag, 304}, {"*", 304}, {`W/"x"`, 200},
	} {
		resp, got := do(t, s, "GET", "/api/provenance/sites", map[string]string{"If-None-Match": tt.header})
		if resp.StatusCode != tt.status || (tt.status == 304) != (len(got) == 0) || resp.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d, %d bytes, ETag %q", tt.header, resp.StatusCode, len(got), resp.Header.Get("ETag"))
		}
	}
	// Another data version (a link from before a reload): the current
	// document, not cached for good.
	resp, got := do(t, s, "GET", "/api/provenance/sites?v=000000000000", nil)
	if resp.StatusCode != 200 || !bytes.Equal(got, body) || resp.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("old version: %d %q %s", resp.StatusCode, resp.Header.Get("Cache-Control"), snippetOf(got))
	}

	// Errors, JSON as everywhere.
	for _, tt := range []struct{ target, want string }{
		{"/api/provenance/nope", `{"error":"no layer \"nope\"; layers: `},
		{"/api/provenance?layers=sites", `{"error":"unknown parameter(s) layers; this route accepts v"}`},
		{"/api/provenance/sites?v=1&v=2", `{"error":"parameter(s) v given more than once"}`},
		{"/api/nearby?lat=45&lon=4&provenance=all", `{"error":"provenance=\"all\" must be ref or full"}`},
	} {
		resp, got := do(t, s, "GET", tt.target, nil)
		if resp.StatusCode/100 != 4 || !strings.HasPrefix(string(got), tt.want) {
			t.Errorf("%s: %d %s, want %s", tt.target, resp.StatusCode, got, tt.want)
		}
	}
}

// CSV exports carry no provenance: provenance= changes nothing there.
func TestCSVIgnoresProvenance(t *testing.T) {
	s := realServer(t)
	for _, target := range []string{"/api/nearby?lat=48.39&lon=-4.49&k=5&format=csv", "/api/search?q=chalon&format=csv"} {
		_, plain := do(t, s, "GET", target, nil)
		_, full := do(t, s, "GET", target+"&provenance=full", nil)
		if len(plain) == 0 || !bytes.Equal(plain, full) || !strings.HasPrefix(string(plain), "\uFEFFid,layer,name") {
			t.Errorf("%s: %s\nwith provenance=full: %s", target, snippetOf(plain), snippetOf(full))
		}
	}
}
