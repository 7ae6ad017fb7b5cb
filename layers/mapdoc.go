package layers

import (
	"math"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/territoires-industrie/carte/dataset"
)

// MapDocument is what the map page learns from the server, in the style's
// metadata: the layers as the registry describes them, the periods, the
// regions and départements of its filter, and how many features each
// layer has per period and region. The pages keep no per-layer table of
// their own.
type MapDocument struct {
	Periods      []string   `json:"periods"`
	Regions      []Place    `json:"regions"`      // by name
	Departements []Place    `json:"departements"` // by code
	Layers       []MapLayer `json:"layers"`       // registry order
}

// Place is a region or a département of the map's filter.
type Place struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Region string     `json:"region,omitempty"` // of a département
	BBox   [4]float64 `json:"bbox"`             // minlon, minlat, maxlon, maxlat
}

// MapLayer is a registry layer as the map page uses it.
type MapLayer struct {
	ID        string     `json:"id"`
	Geometry  string     `json:"geometry"`
	Kind      Text       `json:"kind"`
	Name      Text       `json:"name"`
	Legend    *MapLegend `json:"legend,omitempty"`
	MinZoom   int        `json:"minzoom"`
	FocusZoom float64    `json:"focus_zoom"`
	Nearby    bool       `json:"nearby"`
	// Page is the address of a feature's page (Layer.Page), "" for none.
	Page    string         `json:"page,omitempty"`
	Style   []MapStyle     `json:"style"`
	Filters MapFilters     `json:"filters"`
	Popup   []MapPopupItem `json:"popup"`
	// Count[period][region] is the number of features; the key "" stands
	// for every period (layers without one) and every region.
	Count map[string]map[string]int `json:"count"`
	// Groups are the layer's announced groups (the sites' waves), which
	// the legend filters on, each with how many the data holds.
	Groups []GroupSummary `json:"groups,omitempty"`
}

// MapLegend is Legend in the map document.
type MapLegend struct {
	Shape   string `json:"shape"`
	Color   string `json:"color"`
	Visible bool   `json:"visible"`
	InList  bool   `json:"in_list"`
}

// MapStyle names a style layer of the layer and its role.
type MapStyle struct {
	ID    string `json:"id"`
	Role  string `json:"role,omitempty"`
	Click bool   `json:"click,omitempty"`
}

// MapFilters are the fields the map filters the layer's features on.
type MapFilters struct {
	Period    string                `json:"period,omitempty"`
	Territory map[string]Membership `json:"territory,omitempty"`
	// Place lists the join fields carried in the tiles, most precise
	// first (département, region): the map filters on the first one for
	// which the visitor chose a place.
	Place []string `json:"place,omitempty"`
}

// MapPopupItem is one row of the layer's popups.
type MapPopupItem struct {
	Field  string          `json:"field"`
	Label  Text            `json:"label"`
	Format string          `json:"format"`
	Values map[string]Text `json:"values,omitempty"`
}

// NewMapDocument describes the registry's layers and the dataset's places
// and counts for the map page.
func NewMapDocument(r Registry, ds *dataset.Dataset) MapDocument {
	doc := MapDocument{Periods: Periods(), Regions: []Place{}, Departements: []Place{}}
	if l, ok := ds.Layer(Regions); ok {
		for _, f := range l.Features {
			doc.Regions = append(doc.Regions, Place{Code: f.String("code"), Name: f.String(FieldName), BBox: roundedBound(f)})
		}
		byName := collate.New(language.French)
		slices.SortFunc(doc.Regions, func(a, b Place) int { return byName.CompareString(a.Name, b.Name) })
	}
	if l, ok := ds.Layer(Departements); ok {
		for _, f := range l.Features {
			doc.Departements = append(doc.Departements, Place{Code: f.String("code"), Name: f.String(FieldName), Region: f.String(FieldRegion), BBox: roundedBound(f)})
		}
		slices.SortFunc(doc.Departements, func(a, b Place) int { return strings.Compare(a.Code, b.Code) })
	}
	for _, l := range r {
		ml := MapLayer{ID: l.ID, Geometry: l.Geometry, Kind: l.Kind, Name: l.Name, MinZoom: l.MinZoom, FocusZoom: l.FocusZoom,
			Nearby: l.Nearby, Page: l.Page, Style: []MapStyle{}, Popup: []MapPopupItem{}, Count: map[string]map[string]int{}}
		if l.Legend != nil {
			ml.Legend = &MapLegend{Shape: l.Legend.Shape, Color: l.Legend.Color, Visible: l.Legend.Visible, InList: l.Legend.InList}
		}
		for _, s := range l.Style {
			ml.Style = append(ml.Style, MapStyle{ID: s.ID, Role: s.Role, Click: s.Click})
		}
		ml.Filters = MapFilters{Period: l.Filters.Period, Territory: l.Filters.Territory}
		for _, name := range []string{FieldDepartement, FieldRegion} {
			if f, ok := l.Field(name); ok && f.Tiles {
				ml.Filters.Place = append(ml.Filters.Place, name)
			}
		}
		for _, f := range l.Fields {
			if f.Popup == nil {
				continue
			}
			item := MapPopupItem{Field: f.Name, Label: f.Popup.Label, Format: f.Popup.Format, Values: f.Popup.Values}
			if g := l.Filters.Groups; f.Popup.Format == FormatGroups && g != nil {
				item.Values = map[string]Text{}
				for _, v := range g.Values {
					item.Values[v.Value] = v.Name
				}
			}
			ml.Popup = append(ml.Popup, item)
		}
		if dl, ok := ds.Layer(l.ID); ok {
			ml.Count = countByPeriodAndRegion(l, dl.Features)
			ml.Groups = l.GroupSummaries(dl.Info.Groups)
		}
		doc.Layers = append(doc.Layers, ml)
	}
	return doc
}

// countByPeriodAndRegion counts features per period (for layers whose
// features have one) and per region; a feature over several regions
// ("84,27") counts in each.
func countByPeriodAndRegion(l Layer, features []dataset.Feature) map[string]map[string]int {
	out := map[string]map[string]int{}
	for i := range features {
		period := ""
		if l.Filters.Period != "" {
			period = features[i].String(l.Filters.Period)
		}
		c := out[period]
		if c == nil {
			c = map[string]int{}
			out[period] = c
		}
		c[""]++
		for _, r := range strings.FieldsFunc(features[i].String(FieldRegion), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			c[r]++
		}
	}
	return out
}

// roundedBound is the feature's bounding box to the hundredth of a degree
// (about a kilometre): enough to frame it on a map.
func roundedBound(f dataset.Feature) [4]float64 {
	b := f.Geometry.Bound()
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	return [4]float64{round(b.Min[0]), round(b.Min[1]), round(b.Max[0]), round(b.Max[1])}
}
