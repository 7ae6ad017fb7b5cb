package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/territoires-industrie/carte/static"
)

// TestAnswersMatchTheOpenAPIDocument sends real requests to every route,
// successes and errors (null members included), and validates each answer
// with kin-openapi against the document the server publishes: the status
// must be documented, and JSON bodies must match their schemas. What a
// client generated from /openapi.json would trip on fails here.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	s := realServer(t)
	_, body := do(t, s, "GET", ogcTestBase+"/openapi.json", nil)
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Bodies that are not JSON are checked for their status and media
	// type, read as opaque text.
	opaque := func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	}
	openapi3filter.RegisterBodyDecoder("application/schema+json", openapi3filter.JSONBodyDecoder)
	defer openapi3filter.UnregisterBodyDecoder("application/schema+json")
	for _, mt := range []string{"text/html", "text/javascript", MediaTypeMVT} {
		openapi3filter.RegisterBodyDecoder(mt, opaque)
		defer openapi3filter.UnregisterBodyDecoder(mt)
	}
	site := getList(t, s, "/api/nearby?lat=45.76&lon=4.84&k=1&layers=sites").Results[0].ID
	requests := []struct {
		target string
		header map[string]string
	}{
		{"/", nil}, {"/?f=html", nil}, {"/?f=xml", nil}, {"/?zz=1", nil},
		{"/conformance", nil}, {"/conformance?f=xml", nil},
		{"/collections", nil}, {"/collections/sites", nil}, {"/collections/nope", nil},
		{"/collections/sites/schema", nil}, {"/collections/sites/schema?profile=geojson", nil}, {"/collections/sites/schema?profile=x", nil},
		{"/collections/sites/items?limit=2", nil}, {"/collections/communes/items?limit=1&bbox=5.6,46.2,5.7,46.3", nil},
		{"/collections/sites/items?bbox=1,2", nil}, {"/collections/sites/items/" + url.PathEscape(site), nil},
		{"/collections/sites/items/nope", nil},
		{"/openapi.json", nil}, {"/openapi.json?f=yaml", nil},
		{"/api/nearby?lat=45.76&lon=4.84&k=3", nil}, {"/api/nearby?lat=45.76&lon=4.84&k=3&format=geojson", nil},
		{"/api/nearby?lat=north&lon=4.84", nil},
		{"/api/within?lat=45.76&lon=4.84&radius_km=20&limit=5", nil}, {"/api/within?lat=45.76&lon=4.84", nil},
		{"/api/search?q=chalon", nil}, {"/api/search?q=oyonnax&format=geojson&fields=name", nil}, {"/api/search", nil},
		{"/api/nearby?lat=45.76&lon=4.84&k=3&provenance=full", nil}, {"/api/search?q=oyonnax&format=geojson&provenance=full", nil},
		{"/api/nearby?lat=45.76&lon=4.84&provenance=all", nil},
		{"/api/provenance", nil}, {"/api/provenance?v=" + realCatalog.Version, nil}, {"/api/provenance?v=1&v=2", nil},
		{"/api/provenance/sites?v=" + realCatalog.Version, nil}, {"/api/provenance/nope", nil},
		{"/api/provenance/sites", map[string]string{"If-None-Match": "*"}},
		// CSV exports, read by kin-openapi's own text/csv decoder, and their errors.
		{"/api/nearby?lat=48.39&lon=-4.49&k=5&format=csv", nil}, {"/api/within?lat=45.76&lon=4.84&radius_km=20&limit=5&format=csv&fields=name,commune", nil},
		{"/api/search?q=chalon&format=csv", nil}, {"/api/nearby?lat=45.76&lon=4.84&k=101&format=csv", nil},
		{"/collections/sites/items?limit=2&offset=2&f=csv", nil}, {"/collections/communes/items?limit=2", map[string]string{"Accept": "text/csv"}},
		{"/collections/sites/items?f=csv&bbox=1,2", nil},
		// Central Lyon is in no territory: commune and territories null.
		{"/api/reverse?lat=45.7640&lon=4.8357", nil}, {"/api/reverse?lat=46.2570&lon=5.6556", nil}, {"/api/reverse?lat=91&lon=0", nil},
		{"/api/features/" + url.PathEscape(site), nil}, {"/api/features/01283", nil}, {"/api/features/nope", nil},
		{"/api/sites/" + url.PathEscape(site) + "/profile", nil}, {"/api/sites/" + url.PathEscape(site) + "/profile?format=geojson", nil},
		{"/api/sites/nope/profile", nil}, {"/api/sites/" + url.PathEscape(site) + "/profile?k=1", nil},
		// At sea: commune, site and territories null.
		{"/api/profile?lat=45.76&lon=4.84", nil}, {"/api/profile?lat=47.5&lon=-6.5&format=geojson", nil}, {"/api/profile?lat=95&lon=4.84", nil},
		{"/api/territoires/ti-8413/profile", nil}, {"/api/territoires/ti-8408/profile?period=2018-2023&format=geojson", nil},
		{"/api/territoires/ti-9999/profile", nil}, {"/api/territoires/ti-8413/profile?period=2030", nil},
		{"/tiles/0/0/0.mvt", map[string]string{"Accept-Encoding": "gzip"}}, {"/tiles/99/0/0.mvt", nil}, {"/tiles/11/0/0.mvt", nil},
		{"/tiles.json", nil}, {"/style.json", nil},
		{"/healthz", nil}, {"/readyz", nil}, {"/metrics", nil},
		{"/embed?region=27", nil}, {"/embed/docs", nil}, {"/widget.js", nil},
		{"/sites/" + url.PathEscape(site), nil}, {"/sites/nope", nil}, {"/sites/nope", map[string]string{"Accept": "application/json"}},
		{"/territoires/ti-2704", nil}, {"/territoires/ti-2704?period=2019", nil}, {"/territoires/ti-0000?lang=en", nil},
		{"/static/" + static.Version + "/app.js", nil}, {"/static/nope.js", nil},
	}
	checked := map[string]bool{}
	for _, r := range requests {
		req := newRequest("GET", ogcTestBase+r.target, nil)
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		resp, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		// kin-openapi's router matches one template per path segment; the
		// tiles' {y}.{format} and the files' paths are found through the
		// route table, whose routes say where they are documented.
		route, params, err := router.FindRoute(req)
		if err != nil {
			tr := s.table.lookup(req.URL.Path)
			var item *openapi3.PathItem
			if tr != nil {
				item = doc.Paths.Value(tr.Doc)
			}
			if item == nil {
				t.Errorf("%s: no documented route: %v", r.target, err)
				continue
			}
			route = &routers.Route{Spec: doc, Path: tr.Doc, PathItem: item, Method: "GET", Operation: item.Get}
		}
		checked[route.Path] = true
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 resp.StatusCode,
			Header:                 resp.Header,
			Body:                   io.NopCloser(bytes.NewReader(answer)),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s: answer %d does not match the document: %v\n%s", r.target, resp.StatusCode, err, snippetOf(answer))
		}
	}
	for p := range doc.Paths.Map() {
		if !checked[p] {
			t.Errorf("no answer of %s was checked", p)
		}
	}
}
