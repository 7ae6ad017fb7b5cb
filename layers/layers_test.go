package layers_test

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

var loadEmbedded = sync.OnceValues(func() (*dataset.Dataset, error) { return dataset.Load(data.FS) })

func embedded(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	ds, err := loadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

func TestDefaultRegistryIsUsable(t *testing.T) {
	if err := layers.Default().Check(); err != nil {
		t.Fatal(err)
	}
}

// The embedded manifest is what the registry writes: titles, schemas and
// sources come from the registry (the importer copies them), so the two
// cannot drift apart unnoticed.
func TestTheEmbeddedManifestIsTheRegistrys(t *testing.T) {
	ds := embedded(t)
	reg := layers.Default()
	if !slices.Equal(reg.IDs(), func() []string {
		var ids []string
		for _, l := range ds.Manifest.Layers {
			ids = append(ids, l.ID)
		}
		return ids
	}()) {
		t.Fatalf("registry layers %v, manifest layers differ", reg.IDs())
	}
	for _, got := range ds.Manifest.Layers {
		l, _ := reg.Layer(got.ID)
		want := l.Info()
		want.Count, want.Skipped = got.Count, got.Skipped
		for i := range want.Groups {
			if i < len(got.Groups) {
				want.Groups[i].Count = got.Groups[i].Count
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("layer %s: the manifest entry differs from the registry's; re-import the data", got.ID)
		}
	}
	if err := reg.CheckDataset(ds.Manifest); err != nil {
		t.Error(err)
	}
}

func TestCheckRefusesWhatCannotBeServed(t *testing.T) {
	valid := func() layers.Layer {
		return layers.Layer{ID: "x", Geometry: dataset.GeometryPoint, Sources: []string{"decoupage"}, MaxZoom: 10,
			Fields: []layers.Field{{Name: "name", Type: dataset.TypeString, Required: true}, {Name: "kind", Type: dataset.TypeString}},
			Style:  []layers.StyleLayer{{ID: "x-circle", Type: "circle"}}}
	}
	if err := (layers.Registry{valid()}).Check(); err != nil {
		t.Fatalf("a valid layer is refused: %v", err)
	}
	tests := map[string]struct {
		mutate func(*layers.Layer)
		want   string
	}{
		"duplicate id":      {func(l *layers.Layer) {}, "duplicate id"},
		"unknown geometry":  {func(l *layers.Layer) { l.Geometry = "line" }, "geometry"},
		"no provenance":     {func(l *layers.Layer) { l.Sources = nil }, "no source"},
		"unknown source":    {func(l *layers.Layer) { l.Sources = []string{"nowhere"} }, `unknown source "nowhere"`},
		"no name":           {func(l *layers.Layer) { l.Fields = l.Fields[1:] }, `"name"`},
		"bad zooms":         {func(l *layers.Layer) { l.MinZoom = 11 }, "zoom range"},
		"polygons cluster":  {func(l *layers.Layer) { l.Geometry, l.ClusterBelow = dataset.GeometryPolygon, 8 }, "cluster"},
		"undeclared filter": {func(l *layers.Layer) { l.Filters.Category = "category" }, `filter field "category"`},
		"undeclared membership": {func(l *layers.Layer) {
			l.Filters.Territory = map[string]layers.Membership{layers.Period2023: {Territory: "ti"}}
		}, `filter field "ti"`},
		"unknown field type": {func(l *layers.Layer) { l.Fields[1].Type = "date" }, "unknown type"},
		"duplicate field":    {func(l *layers.Layer) { l.Fields[1].Name = "name" }, "duplicate field"},
		"zoom field of a polygon layer": {func(l *layers.Layer) {
			l.Geometry, l.ZoomField = dataset.GeometryPolygon, "kind"
		}, "zoom field"},
		"zoom field not an integer": {func(l *layers.Layer) { l.ZoomField = "kind" }, `zoom field "kind"`},
		"label points of a point layer": {func(l *layers.Layer) {
			l.Labels = &layers.ZoomRange{MinZoom: 2, MaxZoom: 4}
		}, "label points"},
		"label zooms outside the layer's": {func(l *layers.Layer) {
			l.Geometry, l.Labels = dataset.GeometryPolygon, &layers.ZoomRange{MinZoom: 2, MaxZoom: 14}
		}, "label zooms"},
		"labels drawn without label points": {func(l *layers.Layer) { l.Style[0].Labels = true }, "label points the layer does not have"},
		"page without placeholder":          {func(l *layers.Layer) { l.Page = "/x/list" }, "page"},
		"page placeholder not last":         {func(l *layers.Layer) { l.Page = "/x/{id}/more" }, "page"},
		"page of an undeclared field":       {func(l *layers.Layer) { l.Page = "/x/{code}" }, `field "code"`},
		"page query of an undeclared field": {func(l *layers.Layer) { l.Page = "/x/{id}?k={nope}" }, `field "nope"`},
		"page query without placeholder":    {func(l *layers.Layer) { l.Page = "/x/{id}?k=1" }, "page"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			l := valid()
			tt.mutate(&l)
			reg := layers.Registry{l}
			if name == "duplicate id" {
				reg = append(reg, valid())
			}
			if err := reg.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	twoStyles := layers.Registry{valid(), valid()}
	twoStyles[1].ID = "y"
	if err := twoStyles.Check(); err == nil || !strings.Contains(err.Error(), "duplicate style layer") {
		t.Errorf("two style layers with one id: %v", err)
	}
}

func TestCheckDatasetRefusesAnotherSchema(t *testing.T) {
	reg := layers.Default()
	sites, _ := reg.Layer("sites")
	tests := map[string]struct {
		info dataset.LayerInfo
		want string
	}{
		"unknown layer":    {dataset.LayerInfo{ID: "usines", Geometry: dataset.GeometryPoint}, "not in the registry"},
		"other geometry":   {dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPolygon}, "polygon geometries"},
		"other field type": {dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint, Fields: []dataset.Field{{Name: "surface_ha", Type: dataset.TypeString}}}, `field "surface_ha" is a string`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := reg.CheckDataset(dataset.Manifest{Layers: []dataset.LayerInfo{tt.info}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	// An extract with fewer fields, or more, is served.
	fewer := dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint, Fields: append(sites.Info().Fields[:2:2], dataset.Field{Name: "extra", Type: dataset.TypeInteger})}
	if err := reg.CheckDataset(dataset.Manifest{Layers: []dataset.LayerInfo{fewer}}); err != nil {
		t.Errorf("an extract is refused: %v", err)
	}
}

// The map page's document: places sorted for the filter's lists, and
// counts that add up to the dataset's, per period where layers have one.
func TestMapDocumentPlacesAndCounts(t *testing.T) {
	ds := embedded(t)
	doc := layers.NewMapDocument(layers.Default(), ds)
	if len(doc.Regions) != 18 || len(doc.Departements) != 101 {
		t.Fatalf("%d regions, %d départements", len(doc.Regions), len(doc.Departements))
	}
	byName := collate.New(language.French)
	if !slices.IsSortedFunc(doc.Regions, func(a, b layers.Place) int { return byName.CompareString(a.Name, b.Name) }) {
		t.Error("regions are not in French alphabetical order")
	}
	if !slices.IsSortedFunc(doc.Departements, func(a, b layers.Place) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("départements are not sorted by code")
	}
	for _, d := range doc.Departements {
		if d.Region == "" || d.BBox[0] >= d.BBox[2] || d.BBox[1] >= d.BBox[3] {
			t.Errorf("département %+v", d)
		}
	}
	for _, ml := range doc.Layers {
		l, _ := ds.Layer(ml.ID)
		total := 0
		for period, byRegion := range ml.Count {
			total += byRegion[""]
			sum := 0
			for r, n := range byRegion {
				if r != "" {
					sum += n
				}
			}
			// A feature over several regions counts in each: never fewer.
			if sum < byRegion[""] && ml.ID != "acv" && ml.ID != "territoires" {
				t.Errorf("%s %q: regions add up to %d of %d", ml.ID, period, sum, byRegion[""])
			}
		}
		if total != len(l.Features) {
			t.Errorf("%s: counts add up to %d, the layer has %d", ml.ID, total, len(l.Features))
		}
	}
	ti := doc.Layers[slices.IndexFunc(doc.Layers, func(l layers.MapLayer) bool { return l.ID == layers.Territoires })]
	if ti.Count[layers.Period2023][""] != 183 || ti.Count[layers.Period2018][""] != 149 {
		t.Errorf("territories by period %v", ti.Count)
	}
}

// The style draws every style layer of the registry once, in Z order,
// from the layer's own source layer.
func TestStyleDrawsTheRegistryInZOrder(t *testing.T) {
	reg := layers.Default()
	style := layers.Style(reg, layers.StyleInput{TileJSONURL: "https://carte.example.org/tiles.json"})
	drawn := style["layers"].([]any)
	z := map[string]int{}
	source := map[string]string{}
	for _, l := range reg {
		for _, s := range l.Style {
			z[s.ID], source[s.ID] = s.Z, l.ID
			if s.Labels {
				source[s.ID] = layers.LabelLayer(l.ID)
			}
		}
	}
	if len(drawn) != len(z)+1 {
		t.Fatalf("%d style layers, want %d and the background", len(drawn), len(z))
	}
	last := -1
	for _, x := range drawn[1:] {
		l := x.(map[string]any)
		id := l["id"].(string)
		if z[id] < last || l["source-layer"] != source[id] || l["source"] != layers.SourceID {
			t.Errorf("%s drawn out of order or from the wrong layer: %v", id, l)
		}
		last = z[id]
	}
}

// A page address is filled with a feature's values, escaped; a missing
// value means no page.
func TestPageURL(t *testing.T) {
	l := layers.Layer{Page: "/t/{code}?period={period}"}
	tests := []struct {
		values map[string]string
		want   string
	}{
		{map[string]string{"code": "ti-2704", "period": "2018-2023"}, "/t/ti-2704?period=2018-2023"},
		{map[string]string{"code": "a/b c", "period": "x&y"}, "/t/a%2Fb%20c?period=x%26y"},
		{map[string]string{"code": "ti-2704"}, ""},
	}
	for _, tt := range tests {
		if got := l.PageURL(func(f string) string { return tt.values[f] }); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.values, got, tt.want)
		}
	}
	if got := (layers.Layer{}).PageURL(func(string) string { return "x" }); got != "" {
		t.Errorf("no page: %q", got)
	}
	if path, field := l.PagePath(); path != "/t/{code}" || field != "code" {
		t.Errorf("PagePath %q %q", path, field)
	}
	reg := layers.Default()
	for _, id := range []string{"sites", layers.Territoires} {
		if l, _ := reg.Layer(id); l.Page == "" {
			t.Errorf("layer %s has no page", id)
		}
	}
}
