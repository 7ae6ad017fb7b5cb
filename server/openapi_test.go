package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"
)

func fetchOpenAPI(t *testing.T, s *Server) map[string]any {
	t.Helper()
	resp, body := do(t, s, "GET", ogcTestBase+"/openapi.json", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != mediaOpenAPI {
		t.Errorf("Content-Type %q, want %q", ct, mediaOpenAPI)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// routePattern matches the OpenAPI paths that document a Fiber route:
// :param is one {param}; * is one or more {params} joined by / or . (a
// tile path, a feature id that may hold a slash).
func routePattern(route string) *regexp.Regexp {
	param := `\{[A-Za-z0-9_]+\}`
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(route); {
		switch route[i] {
		case ':':
			j := i + 1
			for j < len(route) && route[j] != '/' && route[j] != '.' {
				j++
			}
			b.WriteString(param)
			i = j
		case '*':
			b.WriteString(param + `(?:[/.]` + param + `)*`)
			i++
		default:
			b.WriteString(regexp.QuoteMeta(route[i : i+1]))
			i++
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestOpenAPIDocumentsEveryRouteAndOnlyThem(t *testing.T) {
	s, _ := newTestServer(t, nil)
	doc := fetchOpenAPI(t, s)
	paths := doc["paths"].(map[string]any)

	var routes []string
	for _, r := range s.App().GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Path == "" {
			continue
		}
		if r.Method != fiber.MethodGet {
			t.Errorf("route %s %s: only GET routes are expected (the API is read-only)", r.Method, r.Path)
		}
		if !slices.Contains(routes, r.Path) {
			routes = append(routes, r.Path)
		}
	}
	if len(routes) < 18 {
		t.Fatalf("only %d routes registered: %v", len(routes), routes)
	}
	documented := map[string]bool{}
	for _, route := range routes {
		re := routePattern(route)
		found := false
		for p := range paths {
			if re.MatchString(p) {
				found, documented[p] = true, true
			}
		}
		if !found {
			t.Errorf("route %s is not documented in /openapi.json", route)
		}
	}
	for p, item := range paths {
		if !documented[p] {
			t.Errorf("documented path %s is not a registered route", p)
		}
		if _, ok := item.(map[string]any)["get"]; !ok {
			t.Errorf("path %s has no GET operation", p)
		}
	}
}

func TestOpenAPIIsConsistent(t *testing.T) {
	s, _ := newTestServer(t, nil)
	doc := fetchOpenAPI(t, s)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	info := doc["info"].(map[string]any)
	if info["title"] == "" || info["version"] == "" {
		t.Errorf("info %v", info)
	}
	if servers := doc["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != ogcTestBase {
		t.Errorf("servers %v", servers)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	if e := schemas["Error"].(map[string]any); !slices.Equal(toStrings(e["required"]), []string{"error"}) {
		t.Errorf("Error schema %v", e)
	}

	// Every $ref resolves.
	raw, _ := json.Marshal(doc)
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}

	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for p, item := range doc["paths"].(map[string]any) {
		op := item.(map[string]any)["get"].(map[string]any)
		if op["operationId"] == "" || op["summary"] == "" {
			t.Errorf("%s: operationId/summary missing", p)
		}
		// Path parameters: exactly those of the template.
		var inTemplate, declared []string
		for _, m := range pathParam.FindAllStringSubmatch(p, -1) {
			inTemplate = append(inTemplate, m[1])
		}
		params, _ := op["parameters"].([]any)
		seen := map[string]bool{}
		for _, x := range params {
			pm := x.(map[string]any)
			key := pm["in"].(string) + ":" + pm["name"].(string)
			if seen[key] {
				t.Errorf("%s: parameter %s declared twice", p, key)
			}
			seen[key] = true
			if pm["in"] == "path" {
				declared = append(declared, pm["name"].(string))
				if pm["required"] != true {
					t.Errorf("%s: path parameter %s not required", p, pm["name"])
				}
			}
			if pm["schema"] == nil || pm["description"] == "" {
				t.Errorf("%s: parameter %s lacks schema or description", p, pm["name"])
			}
		}
		sort.Strings(inTemplate)
		sort.Strings(declared)
		if !slices.Equal(inTemplate, declared) {
			t.Errorf("%s: path parameters declared %v, template has %v", p, declared, inTemplate)
		}
		// Responses: a 200 with content; errors as {"error": ...}.
		resps := op["responses"].(map[string]any)
		ok, _ := resps["200"].(map[string]any)
		if ok == nil || ok["content"] == nil {
			t.Errorf("%s: no 200 response with content", p)
		}
		for code, r := range resps {
			if code[0] != '4' && code != "503" && code != "502" || p == "/readyz" { // readyz: a status body
				continue
			}
			c, _ := r.(map[string]any)["content"].(map[string]any)
			if ref, _ := c[mediaJSON].(map[string]any)["schema"].(map[string]any)["$ref"].(string); ref != "#/components/schemas/Error" {
				t.Errorf("%s %s: error response is not the Error schema: %v", p, code, r)
			}
		}
	}
}

// paramsOf returns the documented parameters of a path, by name.
func paramsOf(t *testing.T, doc map[string]any, path string) map[string]map[string]any {
	t.Helper()
	item, ok := doc["paths"].(map[string]any)[path].(map[string]any)
	if !ok {
		t.Fatalf("path %s is not documented", path)
	}
	out := map[string]map[string]any{}
	params, _ := item["get"].(map[string]any)["parameters"].([]any)
	for _, x := range params {
		pm := x.(map[string]any)
		out[pm["name"].(string)] = pm
	}
	return out
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

// TestOpenAPIValidates loads the document with kin-openapi, a validator
// that generated clients and gateways rely on, and checks it against the
// OpenAPI 3.0 specification: schemas, parameters, references, examples.
func TestOpenAPIValidates(t *testing.T) {
	for name, s := range map[string]*Server{"data loaded": realServer(t), "before the data": New(DefaultConfig(), quietLogger())} {
		t.Run(name, func(t *testing.T) {
			_, body := do(t, s, "GET", ogcTestBase+"/openapi.json", nil)
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData(body)
			if err != nil {
				t.Fatalf("kin-openapi cannot load the document: %v", err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("the document is not valid OpenAPI 3.0: %v", err)
			}
		})
	}
}

// documentedInt reads a number of a parameter's schema in the document.
func documentedInt(t *testing.T, doc map[string]any, path, param, key string) int {
	t.Helper()
	p := paramsOf(t, doc, path)[param]
	if p == nil {
		t.Fatalf("%s: %s not documented", path, param)
	}
	v, ok := p["schema"].(map[string]any)[key].(float64)
	if !ok {
		t.Fatalf("%s %s: no %s in %v", path, param, key, p["schema"])
	}
	return int(v)
}

// TestOpenAPIDocumentedLimitsAreEnforced reads each documented limit and
// asks the server: the documented maximum is accepted, one more is
// refused (our API) or capped (OGC API, as the standard asks), and the
// documented default is what a query without the parameter gets.
func TestOpenAPIDocumentedLimitsAreEnforced(t *testing.T) {
	s := realServer(t)
	doc := fetchOpenAPI(t, s)
	status := func(target string) (int, []byte) {
		t.Helper()
		resp, body := do(t, s, "GET", target, nil)
		return resp.StatusCode, body
	}
	for _, tt := range []struct{ path, param, query string }{
		{"/api/nearby", "k", "/api/nearby?lat=45.76&lon=4.84&k=%d"},
		{"/api/within", "limit", "/api/within?lat=45.76&lon=4.84&radius_km=50&limit=%d"},
		{"/api/search", "limit", "/api/search?q=saint&limit=%d"},
	} {
		max, def := documentedInt(t, doc, tt.path, tt.param, "maximum"), documentedInt(t, doc, tt.path, tt.param, "default")
		if min := documentedInt(t, doc, tt.path, tt.param, "minimum"); min != 1 || def < 1 || def > max {
			t.Errorf("%s %s: documented minimum %d, default %d, maximum %d", tt.path, tt.param, min, def, max)
		}
		if code, body := status(fmt.Sprintf(tt.query, max)); code != 200 {
			t.Errorf("%s: the documented maximum %d is refused: %d %s", tt.path, max, code, body)
		} else if n := getList(t, s, fmt.Sprintf(tt.query, max)).Count; n > max {
			t.Errorf("%s: %d results for %s=%d", tt.path, n, tt.param, max)
		}
		if code, body := status(fmt.Sprintf(tt.query, max+1)); code != 400 || !strings.Contains(string(body), strconv.Itoa(max)) {
			t.Errorf("%s: %s=%d above the documented maximum: %d %s", tt.path, tt.param, max+1, code, body)
		}
		noParam := strings.Replace(fmt.Sprintf(tt.query, 1), "&"+tt.param+"=1", "", 1)
		if n := getList(t, s, noParam).Count; n != def {
			t.Errorf("%s: %d results without %s, documented default %d", tt.path, n, tt.param, def)
		}
	}
	maxRadius := documentedInt(t, doc, "/api/within", "radius_km", "maximum")
	if code, _ := status(fmt.Sprintf("/api/within?lat=45.76&lon=4.84&radius_km=%d&limit=1", maxRadius)); code != 200 {
		t.Errorf("radius_km=%d (the documented maximum) answered %d", maxRadius, code)
	}
	if code, _ := status(fmt.Sprintf("/api/within?lat=45.76&lon=4.84&radius_km=%d.5&limit=1", maxRadius)); code != 400 {
		t.Errorf("radius_km above the documented maximum answered %d", code)
	}
	maxQ := int(paramsOf(t, doc, "/api/search")["q"]["schema"].(map[string]any)["maxLength"].(float64))
	if code, _ := status("/api/search?q=" + strings.Repeat("a", maxQ)); code != 200 {
		t.Errorf("q of the documented %d characters answered %d", maxQ, code)
	}
	if code, _ := status("/api/search?q=" + strings.Repeat("a", maxQ+1)); code != 400 {
		t.Errorf("q of %d characters answered %d", maxQ+1, code)
	}
	bbox := paramsOf(t, doc, "/collections/{collectionId}/items")["bbox"]
	if bbox == nil || bbox["schema"].(map[string]any)["type"] != "array" || bbox["explode"] != false {
		t.Errorf("bbox %v", bbox)
	}
	// The collection ids of the data being served.
	if enum := toStrings(paramsOf(t, doc, "/collections/{collectionId}")["collectionId"]["schema"].(map[string]any)["enum"]); !slices.Equal(enum, s.api.Catalog().Index.Layers()) {
		t.Errorf("collectionId enum %v", enum)
	}

	// The OGC page size: the default when absent, capped at the maximum.
	ogc := newOGCServer(t)
	ogcDoc := fetchOpenAPI(t, ogc)
	items := "/collections/{collectionId}/items"
	max, def := documentedInt(t, ogcDoc, items, "limit", "maximum"), documentedInt(t, ogcDoc, items, "limit", "default")
	for limit, want := range map[string]int{"": def, "&limit=" + strconv.Itoa(max): max, "&limit=" + strconv.Itoa(max+1): max} {
		_, body := do(t, ogc, "GET", "/collections/"+ogcBigLayer+"/items?f=json"+limit, nil)
		var fc ogcFC
		if err := json.Unmarshal(body, &fc); err != nil || fc.NumberReturned == nil || *fc.NumberReturned != want {
			t.Errorf("items%s: %s, want %d features", limit, snippetOf(body), want)
		}
	}
}

func snippetOf(b []byte) string { return string(b[:min(len(b), 200)]) }

// TestOpenAPIParametersAreTheAcceptedOnes asks every route that refuses
// unknown parameters which ones it accepts (its 400 says so) and compares
// with the documented query parameters.
func TestOpenAPIParametersAreTheAcceptedOnes(t *testing.T) {
	s := newOGCServer(t)
	doc := fetchOpenAPI(t, s)
	sample := map[string]string{"collectionId": "sites", "featureId": "site-1", "id": "site-1", "z": "0", "x": "0", "y": "0", "format": "mvt"}
	fill := regexp.MustCompile(`\{([^}]+)\}`)
	checked := 0
	for p := range doc["paths"].(map[string]any) {
		target := fill.ReplaceAllStringFunc(p, func(m string) string { return url.PathEscape(sample[m[1:len(m)-1]]) })
		resp, body := do(t, s, "GET", target+"?zz_unknown=1", nil)
		var e errorBody
		json.Unmarshal(body, &e)
		_, list, ok := strings.Cut(e.Error, "this route accepts ")
		if resp.StatusCode != 400 || !ok {
			continue // a route that ignores the query string (tiles, health…)
		}
		checked++
		accepted := strings.Split(list, ", ")
		var documented, properties []string
		for name, pm := range paramsOf(t, doc, p) {
			if pm["in"] != "query" {
				continue
			}
			if name == "properties" { // the free-form property filters
				l, _ := s.api.Catalog().Manifest.Layer(sample["collectionId"])
				for _, f := range l.Fields {
					properties = append(properties, f.Name)
					if !strings.Contains(pm["description"].(string), f.Name+" ("+string(f.Type)+")") {
						t.Errorf("%s: property %s of %s not described", p, f.Name, l.ID)
					}
				}
				continue
			}
			documented = append(documented, name)
		}
		// A property named like a parameter (limit…) cannot be filtered.
		for _, name := range properties {
			if !slices.Contains(documented, name) {
				documented = append(documented, name)
			}
		}
		sort.Strings(accepted)
		sort.Strings(documented)
		if !slices.Equal(accepted, documented) {
			t.Errorf("%s: documented query parameters %v, the route accepts %v", p, documented, accepted)
		}
	}
	t.Logf("%d routes checked", checked)
	if checked < 11 {
		t.Errorf("only %d routes checked", checked)
	}
}
