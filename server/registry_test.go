package server

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

// A layer added to the registry, with its data, reaches the tiles, the
// API, the OGC collections, the OpenAPI document, TileJSON and the style
// (and the map page's description of the layers), with no other edit:
// the whole cost of a new layer is its data and its registry entry.
func TestARegistryEntryIsAllANewLayerNeeds(t *testing.T) {
	factories := layers.Layer{
		ID: "usines", Geometry: dataset.GeometryPoint, Title: "Usines",
		Description: "Usines de démonstration / demonstration factories",
		Sources:     []string{"decoupage"},
		Fields: []layers.Field{
			{Name: "name", Type: dataset.TypeString, Required: true, Tiles: true},
			{Name: "secteur", Type: dataset.TypeString, Tiles: true,
				Popup: &layers.Popup{Label: layers.Text{FR: "Secteur", EN: "Sector"}, Format: layers.FormatText}},
		},
		MinZoom: 3, MaxZoom: 10, Nearby: true,
		Filters: layers.Filters{Category: "secteur"},
		Kind:    layers.Text{FR: "Usine", EN: "Factory"}, Name: layers.Text{FR: "Usines", EN: "Factories"}, FocusZoom: 12,
		Legend: &layers.Legend{Shape: layers.ShapeDot, Color: "#b34000", Visible: true},
		Style: []layers.StyleLayer{{ID: "usines-circle", Type: "circle", Z: 120, Click: true,
			Paint: map[string]any{"circle-color": "#b34000", "circle-radius": 5}}},
	}
	reg := append(layers.Default(), factories)
	if err := reg.Check(); err != nil {
		t.Fatal(err)
	}

	// Its data: one factory near the fixture's site in Lyon.
	factory := orb.Point{4.85, 45.77}
	ds := fixtureDataset()
	info := factories.Info()
	info.Count = 1
	ds.Layers = append(ds.Layers, dataset.Layer{Info: info, Features: []dataset.Feature{
		{ID: "usine-1", Geometry: factory, Properties: map[string]any{"name": "Usine Lumière", "secteur": "optique"}},
	}})
	for _, l := range ds.Layers {
		ds.Manifest.Layers = append(ds.Manifest.Layers, l.Info)
	}
	if err := reg.CheckDataset(ds.Manifest); err != nil {
		t.Fatal(err)
	}

	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(reg)
	archive, _, err := tiles.Build(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.AccessLog, cfg.Registry = false, reg
	s := New(cfg, quietLogger())
	s.Swap(fixtureTileset(t, archive))
	cat, err := api.NewCatalog(ds, reg)
	if err != nil {
		t.Fatal(err)
	}
	s.SwapCatalog(cat)

	get := func(target string, into any) {
		t.Helper()
		resp, body := do(t, s, "GET", target, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
		}
		if into != nil {
			if err := json.Unmarshal(body, into); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
		}
	}

	t.Run("tiles", func(t *testing.T) {
		resp, body := do(t, s, "GET", tilePath(factory, 8), map[string]string{"Accept-Encoding": "gzip"})
		if resp.StatusCode != 200 {
			t.Fatalf("tile: %d", resp.StatusCode)
		}
		found := false
		for _, l := range decodeMVT(t, body, true) {
			for _, f := range l.Features {
				found = found || l.Name == "usines" && f.Properties["id"] == "usine-1" && f.Properties["secteur"] == "optique"
			}
		}
		if !found {
			t.Error("the factory is not in its tile with its tile fields")
		}
		var tj struct {
			VectorLayers []struct {
				ID      string `json:"id"`
				MinZoom int    `json:"minzoom"`
			} `json:"vector_layers"`
		}
		get("/tiles.json", &tj)
		if !slices.ContainsFunc(tj.VectorLayers, func(v struct {
			ID      string `json:"id"`
			MinZoom int    `json:"minzoom"`
		}) bool {
			return v.ID == "usines" && v.MinZoom == 3
		}) {
			t.Errorf("tiles.json vector_layers lack usines at z3: %+v", tj.VectorLayers)
		}
	})

	t.Run("API", func(t *testing.T) {
		// Nearby's default layers are the registry's "near here" layers.
		near := getList(t, s, "/api/nearby?lat=45.77&lon=4.85&k=1")
		if near.Count != 1 || near.Results[0].ID != "usine-1" || near.Provenance["usines"].Title != "Usines" {
			t.Errorf("nearby: %+v", near)
		}
		if l := getList(t, s, "/api/search?q=lumiere"); l.Count != 1 || l.Results[0].Layer != "usines" {
			t.Errorf("search: %+v", l)
		}
		// Its category filter is the field its entry names.
		if l := getList(t, s, "/api/within?lat=45.77&lon=4.85&radius_km=10&layers=usines&category=optique"); l.Count != 1 {
			t.Errorf("category filter: %+v", l)
		}
		if l := getList(t, s, "/api/within?lat=45.77&lon=4.85&radius_km=10&layers=usines&category=chimie"); l.Count != 0 {
			t.Errorf("category filter kept another sector: %+v", l)
		}
	})

	t.Run("OGC collections", func(t *testing.T) {
		var colls struct {
			Collections []struct {
				ID, Title string
			} `json:"collections"`
		}
		get("/collections", &colls)
		if !slices.ContainsFunc(colls.Collections, func(c struct{ ID, Title string }) bool { return c.ID == "usines" && c.Title == "Usines" }) {
			t.Errorf("collections: %+v", colls)
		}
		var fc ogcFC
		get("/collections/usines/items?secteur=optique", &fc)
		if ids := fc.ids(); !slices.Equal(ids, []string{"usine-1"}) {
			t.Errorf("items: %v", ids)
		}
	})

	t.Run("OpenAPI", func(t *testing.T) {
		doc := fetchOpenAPI(t, s)
		enum := toStrings(paramsOf(t, doc, "/collections/{collectionId}")["collectionId"]["schema"].(map[string]any)["enum"])
		if !slices.Contains(enum, "usines") {
			t.Errorf("collectionId enum %v", enum)
		}
		if d := paramsOf(t, doc, "/api/nearby")["layers"]["description"].(string); !strings.Contains(d, "usines") {
			t.Errorf("nearby layers parameter: %s", d)
		}
	})

	t.Run("style and map document", func(t *testing.T) {
		var style struct {
			Layers []struct {
				ID          string `json:"id"`
				SourceLayer string `json:"source-layer"`
			} `json:"layers"`
			Metadata struct {
				Map layers.MapDocument `json:"territoires:map"`
			} `json:"metadata"`
		}
		get("/style.json", &style)
		last := style.Layers[len(style.Layers)-1]
		if last.ID != "usines-circle" || last.SourceLayer != "usines" {
			t.Errorf("the style's top layer is %+v, want usines-circle (drawn last, Z 120)", last)
		}
		i := slices.IndexFunc(style.Metadata.Map.Layers, func(l layers.MapLayer) bool { return l.ID == "usines" })
		if i < 0 {
			t.Fatal("the map document does not describe usines")
		}
		ml := style.Metadata.Map.Layers[i]
		if ml.Name.EN != "Factories" || ml.Kind.FR != "Usine" || ml.Legend == nil || ml.Legend.Color != "#b34000" || !ml.Nearby ||
			len(ml.Popup) != 1 || ml.Popup[0].Label.EN != "Sector" || ml.Count[""][""] != 1 {
			t.Errorf("map document entry %+v", ml)
		}
	})
}
