package index

import (
	"slices"

	"github.com/territoires-industrie/carte/dataset"
)

// Filter narrows a query. Zero values do not filter.
type Filter struct {
	Layers      []string // layer ids; empty means every layer
	Region      string   // INSEE region code, e.g. "84"
	Departement string   // e.g. "01", "2A", "974"
	// Territoire is a TI id like "ti-8413". Ids are reused across periods:
	// with Period "2018-2023" it is matched against first-period
	// membership, else against 2023-2027.
	Territoire string
	EPCI       string // SIREN of the EPCI
	// Period is "2023-2027" or "2018-2023": territories of that period,
	// communes member of a territory of that period.
	Period string
	// Category: formations' category (e.g. "cnam", "cfa_uimm") or sites'
	// programme ("france-2030-2024", "pack-rebond-2020"). Layers without
	// such a notion do not match a category.
	Category string
	// MinSurfaceHa keeps sites whose surface is known and at least this.
	// Sites of unknown surface are left out: nothing says they qualify.
	MinSurfaceHa float64
}

// Periods of the programme.
const (
	Period2023 = "2023-2027"
	Period2018 = "2018-2023"
)

func (f Filter) match(layer string, feat *dataset.Feature) bool {
	if len(f.Layers) > 0 && !slices.Contains(f.Layers, layer) {
		return false
	}
	p := feat.Properties
	eq := func(want, key string) bool {
		if want == "" {
			return true
		}
		got, _ := p[key].(string)
		return got == want
	}
	if !eq(f.Region, "region") || !eq(f.Departement, "departement") || !eq(f.EPCI, "epci") {
		return false
	}
	switch layer {
	case dataset.LayerTerritoires:
		if !eq(f.Period, "period") || !eq(f.Territoire, "ti_id") {
			return false
		}
	case dataset.LayerCommunes:
		switch f.Period {
		case Period2018:
			if p["in_ti_2018"] != true || !eq(f.Territoire, "territoire_2018") {
				return false
			}
		case Period2023:
			if p["in_ti_2023"] != true || !eq(f.Territoire, "territoire") {
				return false
			}
		default:
			if f.Territoire != "" && !eq(f.Territoire, "territoire") && !eq(f.Territoire, "territoire_2018") {
				return false
			}
		}
	default:
		// Point layers record the 2023-2027 territory only.
		if f.Period == Period2018 && f.Territoire != "" {
			return false
		}
		if !eq(f.Territoire, "territoire") {
			return false
		}
	}
	if f.Category != "" {
		switch layer {
		case dataset.LayerFormations:
			if !eq(f.Category, "category") {
				return false
			}
		case dataset.LayerSites:
			if !eq(f.Category, "programme") {
				return false
			}
		default:
			return false
		}
	}
	if f.MinSurfaceHa > 0 {
		s, ok := p["surface_ha"].(float64)
		if layer != dataset.LayerSites || !ok || s < f.MinSurfaceHa {
			return false
		}
	}
	return true
}
