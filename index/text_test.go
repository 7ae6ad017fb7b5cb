package index_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"Chalon-sur-Saône":          "chalon sur saone",
		"Saint-Étienne":             "saint etienne",
		"St Etienne":                "saint etienne",
		"Ste-Foy-lès-Lyon":          "sainte foy les lyon",
		"L'Haÿ-les-Roses":           "l hay les roses",
		"Œuilly":                    "oeuilly",
		"  BOURG-EN-BRESSE  ":       "bourg en bresse",
		"Plastics Vallée – Oyonnax": "plastics vallee oyonnax",
		"":                          "",
	}
	for in, want := range tests {
		if got := strings.Join(index.Normalize(in), " "); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchRealNames(t *testing.T) {
	_, ix := real(t)
	tests := []struct {
		q      string
		layers []string
		first  string // expected first hit's name
	}{
		{"chalon sur saone", []string{layers.Communes}, "Chalon-sur-Saône"},
		{"st etienne", []string{layers.Communes}, "Saint-Étienne"},
		{"oyonnax", []string{layers.Communes}, "Oyonnax"},
		{"oyo", []string{layers.Communes}, "Oyonnax"},
		{"plastics", []string{layers.Territoires}, "Plastics Vallée – Oyonnax"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			hits := ix.Search(tt.q, index.Filter{Layers: tt.layers}, 10, nil)
			if len(hits) == 0 {
				t.Fatal("no hit")
			}
			if got := hits[0].Feature.String("name"); got != tt.first {
				names := []string{}
				for _, h := range hits {
					names = append(names, h.Feature.String("name"))
				}
				t.Errorf("first hit %q, want %q (all: %v)", got, tt.first, names)
			}
		})
	}
}

func TestSearchRanksExactThenLargerPlaces(t *testing.T) {
	ds := &dataset.Dataset{Layers: []dataset.Layer{{
		Info: dataset.LayerInfo{ID: "communes", Geometry: dataset.GeometryPoint},
		Features: []dataset.Feature{
			{ID: "a", Geometry: orb.Point{1, 45}, Properties: map[string]any{"name": "Saint-Martin-de-Ré", "population": int64(2500)}},
			{ID: "b", Geometry: orb.Point{2, 45}, Properties: map[string]any{"name": "Saint-Martin", "population": int64(300)}},
			{ID: "c", Geometry: orb.Point{3, 45}, Properties: map[string]any{"name": "Saint-Martin-d'Hères", "population": int64(38000)}},
			{ID: "d", Geometry: orb.Point{4, 45}, Properties: map[string]any{"name": "Martin-Église", "population": int64(1500)}},
			{ID: "e", Geometry: orb.Point{5, 45}, Properties: map[string]any{"name": "Le Martinet", "population": int64(900)}},
		},
	}}}
	ix := index.New(ds, layers.Default())
	ids := func(hits []index.Hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Feature.ID)
		}
		return out
	}
	// Exact name first, then names starting with the query by population,
	// then names merely containing the words.
	if got := ids(ix.Search("st martin", index.Filter{}, 10, nil)); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Errorf("st martin: %v", got)
	}
	if got := ids(ix.Search("martin", index.Filter{}, 10, nil)); !slices.Equal(got, []string{"d", "c", "a", "e", "b"}) {
		t.Errorf("martin: %v", got)
	}
	// A location bias reorders within a rank.
	bias := orb.Point{1, 45}
	if got := ids(ix.Search("saint martin", index.Filter{}, 10, &bias)); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("biased: %v", got)
	}
	if got := ix.Search("  -- ", index.Filter{}, 10, nil); got != nil {
		t.Errorf("empty query matched %v", ids(got))
	}
}
