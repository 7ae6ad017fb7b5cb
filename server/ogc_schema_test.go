package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestCollectionSchemasDescribeEveryFeature reads the collections' schemas
// (OGC API – Features Part 5) as a client would, through their links, and
// checks them with a JSON Schema 2020-12 validator (santhosh-tekuri's,
// which also checks each schema against the draft's meta-schema): every
// feature of every collection of the real data, read page by page,
// validates against its collection's GeoJSON profile, and its flat form
// (id, geometry and properties side by side) against the Part 5 schema.
func TestCollectionSchemasDescribeEveryFeature(t *testing.T) {
	if testing.Short() {
		t.Skip("every feature of every layer, one request after another: a minute under the race detector, with no concurrency to check (the plain run has it)")
	}
	s := realServer(t)
	get := func(target string, into any) string {
		t.Helper()
		resp, body := do(t, s, "GET", target, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		return resp.Header.Get("Content-Type")
	}
	var conformance struct{ ConformsTo []string }
	get(ogcTestBase+"/conformance", &conformance)
	for _, class := range []string{"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas", "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features"} {
		if !slices.Contains(conformance.ConformsTo, class) {
			t.Errorf("the conformance declaration does not list %s", class)
		}
	}

	var collections struct {
		Collections []struct {
			ID    string
			Links []struct{ Href, Rel, Type string }
		}
	}
	get(ogcTestBase+"/collections", &collections)
	if len(collections.Collections) == 0 {
		t.Fatal("no collections")
	}
	for _, col := range collections.Collections {
		t.Run(col.ID, func(t *testing.T) {
			compiler := jsonschema.NewCompiler()
			schemaAt := func(rel string) *jsonschema.Schema {
				t.Helper()
				i := slices.IndexFunc(col.Links, func(l struct{ Href, Rel, Type string }) bool { return l.Rel == rel })
				if i < 0 {
					t.Fatalf("no %s link in %+v", rel, col.Links)
				}
				link := col.Links[i]
				if link.Type != "application/schema+json" {
					t.Errorf("%s link typed %q", rel, link.Type)
				}
				var doc any
				if ct := get(link.Href, &doc); ct != "application/schema+json" {
					t.Errorf("%s: Content-Type %q", link.Href, ct)
				}
				if id, _ := doc.(map[string]any)["$id"].(string); id != link.Href {
					t.Errorf("%s: $id %q", link.Href, id)
				}
				if draft, _ := doc.(map[string]any)["$schema"].(string); draft != "https://json-schema.org/draft/2020-12/schema" {
					t.Errorf("%s: $schema %q, want draft 2020-12", link.Href, draft)
				}
				if err := compiler.AddResource(link.Href, doc); err != nil {
					t.Fatal(err)
				}
				sch, err := compiler.Compile(link.Href)
				if err != nil {
					t.Fatalf("%s is not a valid JSON Schema: %v", link.Href, err)
				}
				return sch
			}
			logical := schemaAt("http://www.opengis.net/def/rel/ogc/1.0/schema")
			geoJSON := schemaAt("describedBy")

			seen, invalid := 0, 0
			for offset := 0; ; offset += 1000 {
				var page struct {
					NumberMatched int
					Features      []json.RawMessage
				}
				get(fmt.Sprintf("%s/collections/%s/items?limit=1000&offset=%d", ogcTestBase, col.ID, offset), &page)
				for _, raw := range page.Features {
					seen++
					feature, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
					if err != nil {
						t.Fatal(err)
					}
					f := feature.(map[string]any)
					flat := map[string]any{"id": f["id"], "geometry": f["geometry"]}
					for k, v := range f["properties"].(map[string]any) {
						flat[k] = v
					}
					for _, check := range []struct {
						name     string
						schema   *jsonschema.Schema
						instance any
					}{{"GeoJSON profile", geoJSON, feature}, {"Part 5 schema", logical, flat}} {
						if err := check.schema.Validate(check.instance); err != nil {
							if invalid++; invalid <= 3 {
								t.Errorf("feature %v does not match the %s: %v", f["id"], check.name, err)
							}
						}
					}
				}
				if len(page.Features) == 0 || seen >= page.NumberMatched {
					if seen != page.NumberMatched {
						t.Errorf("read %d features, the collection has %d", seen, page.NumberMatched)
					}
					break
				}
			}
			if invalid > 0 {
				t.Errorf("%d of %d checks failed", invalid, 2*seen)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		for target, want := range map[string]string{
			"/collections/sites/schema?profile=gml": "profile",
			"/collections/sites/schema?f=html":      "f=",
			"/collections/nope/schema":              "no collection",
			"/collections/sites/schema?zz=1":        "zz",
		} {
			resp, body := do(t, s, "GET", ogcTestBase+target, nil)
			if resp.StatusCode/100 != 4 || !strings.Contains(string(body), want) {
				t.Errorf("%s: %d %s, want a 4xx naming %q", target, resp.StatusCode, body, want)
			}
		}
	})
}
