package index

import (
	"slices"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Filter narrows a query. Zero values do not filter.
type Filter struct {
	Layers      []string // layer ids; empty means every layer
	Region      string   // INSEE region code, e.g. "84"
	Departement string   // e.g. "01", "2A", "974"
	// Territoire is a TI id like "ti-8413". Ids are reused across periods:
	// with Period layers.Period2018 it is matched against first-period
	// membership, else against any period the layer records.
	Territoire string
	EPCI       string // SIREN of the EPCI
	// Period is layers.Period2023 or layers.Period2018: territories of
	// that period, communes member of a territory of that period.
	Period string
	// Category: the value of the field each layer's registry entry names
	// for categories (formations' category, sites' programme). Layers
	// without one do not match a category.
	Category string
	// Groups keeps, for each group parameter (wave, ami), the features of
	// the layers taking it that belong to one of the groups listed (see
	// layers.Groups). Layers without the parameter do not match.
	Groups map[string][]string
	// MinSurfaceHa keeps features whose surface (the field the registry
	// names) is known and at least this. Features of unknown surface are
	// left out: nothing says they qualify.
	MinSurfaceHa float64
}

// match says whether feat, of the layer whose registry filters are rules,
// passes f.
func (f Filter) match(layer string, rules layers.Filters, feat *dataset.Feature) bool {
	if len(f.Layers) > 0 && !slices.Contains(f.Layers, layer) {
		return false
	}
	p := feat.Properties
	eq := func(want, key string) bool {
		if want == "" {
			return true
		}
		got, _ := p[key].(string)
		return key != "" && got == want
	}
	if !eq(f.Region, layers.FieldRegion) || !eq(f.Departement, layers.FieldDepartement) || !eq(f.EPCI, layers.FieldEPCI) {
		return false
	}
	if !f.matchTerritory(rules, eq, p) {
		return false
	}
	if f.Category != "" && !eq(f.Category, rules.Category) {
		return false
	}
	for param, values := range f.Groups {
		g := rules.Groups
		if g == nil || g.Param != param || !g.HasAny(feat.String(g.Field), values) {
			return false
		}
	}
	if f.MinSurfaceHa > 0 {
		s, ok := p[rules.Surface].(float64)
		if rules.Surface == "" || !ok || s < f.MinSurfaceHa {
			return false
		}
	}
	return true
}

// matchTerritory applies the period and territory filters: with a period,
// the feature must be of that period (its period field, or its membership
// flag) and, with a territory too, in that territory of that period;
// without a period, in that territory of any period the layer records.
func (f Filter) matchTerritory(rules layers.Filters, eq func(want, key string) bool, p map[string]any) bool {
	if f.Period != "" {
		if rules.Period != "" && !eq(f.Period, rules.Period) {
			return false
		}
		m, ok := rules.Territory[f.Period]
		if ok && m.Member != "" && p[m.Member] != true {
			return false
		}
		return f.Territoire == "" || (ok && eq(f.Territoire, m.Territory))
	}
	if f.Territoire == "" {
		return true
	}
	for _, m := range rules.Territory {
		if eq(f.Territoire, m.Territory) {
			return true
		}
	}
	return false
}
