package index_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// exampleDataset: two sites and a training centre around Lyon, and a
// commune polygon around the first site.
func exampleDataset() *dataset.Dataset {
	point := func(id, name string, lon, lat float64, props map[string]any) dataset.Feature {
		p := map[string]any{"name": name}
		for k, v := range props {
			p[k] = v
		}
		return dataset.Feature{ID: id, Geometry: orb.Point{lon, lat}, Properties: p}
	}
	square := orb.Polygon{{{4.7, 45.7}, {4.9, 45.7}, {4.9, 45.8}, {4.7, 45.8}, {4.7, 45.7}}}
	return &dataset.Dataset{Layers: []dataset.Layer{
		{Info: dataset.LayerInfo{ID: layers.Communes, Geometry: dataset.GeometryPolygon}, Features: []dataset.Feature{
			{ID: "69123", Geometry: square, Properties: map[string]any{"name": "Lyon", "in_ti_2023": false, "in_ti_2018": false}},
		}},
		{Info: dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint}, Features: []dataset.Feature{
			point("site-1", "Site de Vénissieux", 4.88, 45.70, map[string]any{"surface_ha": 42.0}),
			point("site-2", "Site de Saint-Fons", 4.86, 45.71, map[string]any{"surface_ha": 12.0}),
		}},
		{Info: dataset.LayerInfo{ID: "formations", Geometry: dataset.GeometryPoint}, Features: []dataset.Feature{
			point("formation-1", "CFA de l'industrie", 4.84, 45.75, map[string]any{"category": "cfa_uimm"}),
		}},
	}}
}

// The k nearest features of some layers, nearest first, with their
// great-circle distance; the registry says which field each filter reads.
func ExampleIndex_Nearby() {
	ix := index.New(exampleDataset(), layers.Default())
	for _, h := range ix.Nearby(orb.Point{4.85, 45.76}, 2, 0, index.Filter{Layers: []string{"sites", "formations"}}) {
		fmt.Printf("%s %s %.0f m\n", h.Layer, h.Feature.ID, h.DistanceM)
	}
	// Sites of at least 20 ha within 10 km.
	big, _ := ix.Within(orb.Point{4.85, 45.76}, 10_000, 10, index.Filter{Layers: []string{"sites"}, MinSurfaceHa: 20})
	fmt.Println(len(big), big[0].Feature.String("name"))
	// Output:
	// formations formation-1 1356 m
	// sites site-2 5614 m
	// 1 Site de Vénissieux
}

// Autocomplete: accents, case and word order do not matter.
func ExampleIndex_Search() {
	ix := index.New(exampleDataset(), layers.Default())
	for _, h := range ix.Search("saint fon", index.Filter{}, 5, nil) {
		fmt.Println(h.Feature.ID, h.Feature.String("name"))
	}
	// Output:
	// site-2 Site de Saint-Fons
}

// The commune (and the territories) containing a point.
func ExampleIndex_Reverse() {
	ix := index.New(exampleDataset(), layers.Default())
	place := ix.Reverse(orb.Point{4.85, 45.76})
	fmt.Println(place.Commune.String("name"), len(place.Territoires))
	// Output:
	// Lyon 0
}
