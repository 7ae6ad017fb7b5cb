// Package layers is the layer registry: every layer of the map described
// once — its schema, where it appears in the tiles, which filters and
// searches it takes part in, how it is drawn, the words that name it in
// French and English, and where its data comes from.
//
// Everything else derives from the registry: the manifest the importer
// writes and the check of a dataset at load, the tile build options, the
// index's filters, the API's layer lists and its OpenAPI enums, the OGC
// collections, /style.json, and the front end's legend, popups, list and
// "near here", which receive the registry in the style's metadata. Adding
// a layer is its data, one entry in Default, and its words in two
// languages.
package layers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/territoires-industrie/carte/dataset"
)

// Layer ids that the service names on purpose: the reverse lookup answers
// with a commune and a territory, and the map's filter lists the regions
// and départements. Every other layer is known only through the registry.
const (
	Regions      = "regions"
	Departements = "departements"
	Territoires  = "territoires"
	Communes     = "communes"
)

// The two periods of the programme. Territory ids are reused across
// periods, so a territory filter says which period it means.
const (
	Period2023 = "2023-2027"
	Period2018 = "2018-2023"
)

// Periods lists the periods, the current one first.
func Periods() []string { return []string{Period2023, Period2018} }

// Join fields: the properties every layer uses for the places it belongs
// to (the data contract), read by the region, département and EPCI filters.
const (
	FieldName        = "name"
	FieldRegion      = "region"
	FieldDepartement = "departement"
	FieldEPCI        = "epci"
)

// Text is a word or a sentence in the two languages of the service.
type Text struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// Layer describes one layer. The zero value of an optional part means the
// layer does not take part (no legend, no clustering, no category filter…).
type Layer struct {
	// ID is the tile layer name and the API collection id.
	ID string
	// Geometry is dataset.GeometryPoint or dataset.GeometryPolygon.
	Geometry string
	// Title and Description go into the manifest and the OGC collection.
	Title, Description string
	// Fields are the properties of the features, in manifest order.
	Fields []Field
	// Sources are the keys of the layer's provenance (see Source).
	Sources []string

	// MinZoom and MaxZoom bound the zooms where the layer is in the tiles.
	MinZoom, MaxZoom int
	// ClusterBelow: below this zoom the tiles group a point layer's
	// features by grid cell (0: never).
	ClusterBelow int
	// ZoomField, for a point layer, names an integer field: a feature is in
	// the tiles from that zoom on (the places: the big towns from z5, every
	// commune from z11), so that each zoom carries what it can show.
	ZoomField string
	// Labels, for a polygon layer, adds to the tiles one label point per
	// feature, inside its largest part (see LabelLayer), between these
	// zooms, with the feature's tile fields: names drawn inside the shape,
	// once, where a centroid could fall outside it.
	Labels *ZoomRange

	// Filters says which fields the API's filters read.
	Filters Filters
	// Nearby: searched by /api/nearby and /api/within when the query
	// names no layer ("what is near here").
	Nearby bool
	// Search says how the name search lists the layer's features
	// (SearchAll by default).
	Search string

	// Kind names one feature ("Site clé en main"), in popups and search
	// results; Name names the layer in the legend.
	Kind, Name Text
	// FocusZoom is the zoom the map flies to for one of its features.
	FocusZoom float64
	// Page, when set, is the address of a feature's HTML page (the pages
	// package serves it; the map's popups and lists link to it): a path
	// whose last segment is one {field}, then optionally a query of
	// {field} values, as "/sites/{id}" or
	// "/territoires/{ti_id}?period={period}". {id} is the feature's id.
	Page string
	// Legend, when set, puts the layer in the map's legend.
	Legend *Legend
	// Style are the MapLibre layers that draw it.
	Style []StyleLayer
}

// How a layer takes part in the name search (/api/search).
const (
	// SearchAll lists every feature by its name.
	SearchAll = ""
	// SearchNone lists none: a base layer, drawn but not a destination.
	SearchNone = "none"
	// SearchUnlisted lists only the features that no SearchAll layer
	// already lists under the same name and INSEE code (code_insee): the
	// places find the towns outside the territories, whose communes find
	// the others, and no town is listed twice.
	SearchUnlisted = "unlisted"
)

// ZoomRange is a span of zooms, both ends included.
type ZoomRange struct{ MinZoom, MaxZoom int }

// LabelLayer is the tile layer holding a polygon layer's label points.
func LabelLayer(id string) string { return id + "_labels" }

// Fonts of the map's labels, drawn by MapLibre in the browser: no glyph
// server. The style's font-faces name the files of FontRegular and
// FontBold (the DSFR's Marianne), for any MapLibre viewer; a page that
// already loads Marianne (the map page, with the DSFR) drops them, and
// MapLibre then draws with the page's own font through FontFamily, next in
// each text-font list (the weight read from the first name).
const (
	FontRegular = "Marianne Regular"
	FontBold    = "Marianne Bold"
	FontFamily  = "Marianne"
)

// Field is one property of a layer's features.
type Field struct {
	Name        string
	Type        dataset.FieldType
	Required    bool
	Description string
	// Tiles: the property is carried in the vector tiles (to style, label
	// or filter the map); the API always serves every property.
	Tiles bool
	// Popup, when set, shows the property in the map's popups.
	Popup *Popup
}

// Formats of a popup value.
const (
	FormatText        = "text"
	FormatNumber      = "number"      // grouped digits
	FormatHectares    = "hectares"    // a number and "ha"
	FormatDepartement = "departement" // "Saône-et-Loire (71)"
	FormatRegion      = "region"      // the region's name
	FormatGroups      = "groups"      // the layer's groups, each named
)

// Popup says how a property is shown in a popup.
type Popup struct {
	Label  Text
	Format string
	// Values names coded values ("cnam" → "Cnam"); a value without a
	// name is shown as it is.
	Values map[string]Text
}

// Filters names the fields the API's filters read on this layer. The
// region, département and EPCI filters read the join fields of every layer.
type Filters struct {
	// Period is the field holding each feature's programme period, for
	// layers whose features belong to one period.
	Period string
	// Territory says, for each period, how a feature belongs to a
	// Territoire d'industrie of that period. A layer absent for a period
	// never matches a territory of that period.
	Territory map[string]Membership
	// Category is the field read by category= ("": the layer never
	// matches a category).
	Category string
	// Surface is the field, in hectares, read by min_surface_ha=.
	Surface string
	// Groups, when set, sorts the features into the programme's announced
	// groups (the sites' waves, the Cnam's calls): read by the group's
	// parameter (wave=), filtered in the legend, and counted against the
	// announced numbers in the manifest.
	Groups *Groups
}

// Groups are the announced groups of a programme that a layer's features
// belong to: the waves of the turnkey sites, the calls for interest of the
// Cnam. The sources name part of each group only, so every answer that
// counts them says how many are held against how many were announced.
type Groups struct {
	// Field holds each feature's groups, space separated: a site labelled
	// in two waves belongs to both.
	Field string
	// Param is the API's filter parameter (wave=, ami=): a feature matches
	// when the value is one of its groups. Layers without one never match.
	Param string
	// Label names the groups in the legend and the popups ("Vague").
	Label Text
	// Values are the groups, in legend order.
	Values []Group
	// Held says how many of a group the data holds, with {held},
	// {official} and {group} replaced ("19 des 66 sites de juillet 2020…");
	// HeldUncounted is for a group without an announced count.
	Held, HeldUncounted Text
}

// Group is one announced group.
type Group struct {
	Value string
	Name  Text
	// Official is the number announced; 0 when none was (an "unknown"
	// group holds what no source places in a group).
	Official int
}

// GroupParams lists the registry's group parameters (wave, ami), each once, in
// registry order.
func (r Registry) GroupParams() []string {
	var out []string
	for _, l := range r {
		if g := l.Filters.Groups; g != nil && !slices.Contains(out, g.Param) {
			out = append(out, g.Param)
		}
	}
	return out
}

// GroupValues lists the values a group parameter takes over the registry.
func (r Registry) GroupValues(param string) []string {
	var out []string
	for _, l := range r {
		if g := l.Filters.Groups; g != nil && g.Param == param {
			for _, v := range g.Values {
				if !slices.Contains(out, v.Value) {
					out = append(out, v.Value)
				}
			}
		}
	}
	return out
}

// Group returns the group whose value is v.
func (g *Groups) Group(v string) (Group, bool) {
	i := slices.IndexFunc(g.Values, func(x Group) bool { return x.Value == v })
	if i < 0 {
		return Group{}, false
	}
	return g.Values[i], true
}

// HasAny says whether a value of the groups field lists one of groups.
func (g *Groups) HasAny(value string, groups []string) bool {
	return slices.ContainsFunc(strings.Fields(value), func(v string) bool { return slices.Contains(groups, v) })
}

// Membership names the fields that tie a feature to a territory of one
// period.
type Membership struct {
	// Member is a boolean field, true when the feature is in a territory
	// of the period ("": every feature takes part).
	Member string `json:"member,omitempty"`
	// Territory is the field holding the territory id (ti-RRNN).
	Territory string `json:"territory"`
}

// Legend is how the layer shows in the map's legend.
type Legend struct {
	Shape string // ShapeArea or ShapeDot: the swatch
	Color string
	// Visible: shown when the map opens.
	Visible bool
	// InList: listed by the map's "features in view".
	InList bool
}

// Legend swatch shapes.
const (
	ShapeArea = "area"
	ShapeDot  = "dot"
)

// Field returns the layer's field named name.
func (l Layer) Field(name string) (Field, bool) {
	for _, f := range l.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// TileFields lists the properties carried in the tiles.
func (l Layer) TileFields() []string {
	var out []string
	for _, f := range l.Fields {
		if f.Tiles {
			out = append(out, f.Name)
		}
	}
	return out
}

// Info is the layer's manifest entry, without counts: what the importer
// writes and what a dataset is checked against.
func (l Layer) Info() dataset.LayerInfo {
	info := dataset.LayerInfo{ID: l.ID, File: l.ID + ".geojson.gz", Title: l.Title, Description: l.Description, Geometry: l.Geometry}
	for _, key := range l.Sources {
		s, _ := Source(key) // Check says every key is known
		info.Sources = append(info.Sources, s)
	}
	for _, f := range l.Fields {
		info.Fields = append(info.Fields, dataset.Field{Name: f.Name, Type: f.Type, Required: f.Required, Description: f.Description})
	}
	if g := l.Filters.Groups; g != nil {
		for _, v := range g.Values {
			info.Groups = append(info.Groups, dataset.GroupCount{Field: g.Field, Value: v.Value, Official: v.Official})
		}
	}
	return info
}

// Registry is every layer, in drawing order (bottom first), which is also
// the order of the manifest and of the tiles' layers.
type Registry []Layer

// Default is the registry of the service.
func Default() Registry { return defaultLayers() }

// Layer returns the layer with the given id.
func (r Registry) Layer(id string) (Layer, bool) {
	i := slices.IndexFunc(r, func(l Layer) bool { return l.ID == id })
	if i < 0 {
		return Layer{}, false
	}
	return r[i], true
}

// String names the layers, for logs and messages.
func (r Registry) String() string { return fmt.Sprintf("registry of %d layers %v", len(r), r.IDs()) }

// IDs lists the layer ids in registry order.
func (r Registry) IDs() []string {
	out := make([]string, len(r))
	for i, l := range r {
		out[i] = l.ID
	}
	return out
}

// NearbyIDs lists the layers that nearby and within search by default.
func (r Registry) NearbyIDs() []string {
	var out []string
	for _, l := range r {
		if l.Nearby {
			out = append(out, l.ID)
		}
	}
	return out
}

// Check says whether the registry is usable: its manifest valid (ids
// unique, geometries and field types known, provenance given, a required
// name; see dataset.Manifest.Validate), provenance keys known, zooms in
// order, filter fields declared, style layer ids unique.
func (r Registry) Check() error {
	m := dataset.Manifest{}
	for _, l := range r {
		for _, key := range l.Sources {
			if _, ok := Source(key); !ok {
				return fmt.Errorf("layers: layer %q: unknown source %q", l.ID, key)
			}
		}
		m.Layers = append(m.Layers, l.Info())
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("layers: %w", err)
	}
	styleIDs := map[string]bool{}
	for _, l := range r {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("layers: layer %q: %s", l.ID, fmt.Sprintf(format, args...))
		}
		switch {
		case l.MinZoom < 0 || l.MaxZoom > 22 || l.MinZoom > l.MaxZoom:
			return fail("invalid zoom range %d-%d", l.MinZoom, l.MaxZoom)
		case l.ClusterBelow > 0 && l.Geometry != dataset.GeometryPoint:
			return fail("only point layers cluster")
		case l.ZoomField != "" && l.Geometry != dataset.GeometryPoint:
			return fail("only point layers take a zoom field")
		case l.Search != SearchAll && l.Search != SearchNone && l.Search != SearchUnlisted:
			return fail("unknown search mode %q", l.Search)
		case l.Labels != nil && l.Geometry != dataset.GeometryPolygon:
			return fail("only polygon layers have label points")
		case l.Labels != nil && (l.Labels.MinZoom < l.MinZoom || l.Labels.MaxZoom > l.MaxZoom || l.Labels.MinZoom > l.Labels.MaxZoom):
			return fail("label zooms %d-%d outside the layer's %d-%d", l.Labels.MinZoom, l.Labels.MaxZoom, l.MinZoom, l.MaxZoom)
		}
		if l.Page != "" {
			if err := l.checkPage(); err != nil {
				return fail("page %q: %v", l.Page, err)
			}
		}
		if l.ZoomField != "" {
			if f, ok := l.Field(l.ZoomField); !ok || f.Type != dataset.TypeInteger || !f.Required || !f.Tiles {
				return fail("zoom field %q must be a required integer field carried in the tiles", l.ZoomField)
			}
		}
		if g := l.Filters.Groups; g != nil {
			f, ok := l.Field(g.Field)
			switch {
			case !ok || f.Type != dataset.TypeString || !f.Required:
				return fail("groups field %q must be a required string field", g.Field)
			case g.Param == "" || len(g.Values) == 0:
				return fail("groups need an API parameter and values")
			case f.Popup == nil || f.Popup.Format != FormatGroups:
				return fail("groups field %q must be shown as groups", g.Field)
			}
		}
		for _, name := range l.filterFields() {
			if _, ok := l.Field(name); !ok {
				return fail("filter field %q is not declared", name)
			}
		}
		for _, s := range l.Style {
			if styleIDs[s.ID] {
				return fail("duplicate style layer %q", s.ID)
			}
			styleIDs[s.ID] = true
			if s.Labels && l.Labels == nil {
				return fail("style layer %q draws label points the layer does not have", s.ID)
			}
		}
	}
	return nil
}

func (l Layer) filterFields() []string {
	var out []string
	for _, name := range []string{l.Filters.Period, l.Filters.Category, l.Filters.Surface} {
		if name != "" {
			out = append(out, name)
		}
	}
	for _, m := range l.Filters.Territory {
		for _, name := range []string{m.Member, m.Territory} {
			if name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// CheckDataset says whether a dataset is one the registry can serve:
// every layer of its manifest is in the registry with the same geometry,
// and every field both declare has the same type. A dataset may hold
// fewer fields (a smaller extract) or more (served by the API, not drawn);
// a field of another type would filter or draw wrong, so it is refused at
// load rather than served.
func (r Registry) CheckDataset(m dataset.Manifest) error {
	for _, info := range m.Layers {
		l, ok := r.Layer(info.ID)
		if !ok {
			return fmt.Errorf("layers: the dataset's layer %q is not in the registry (layers are %v)", info.ID, r.IDs())
		}
		if info.Geometry != l.Geometry {
			return fmt.Errorf("layers: layer %q: the dataset has %s geometries, the registry %s", info.ID, info.Geometry, l.Geometry)
		}
		for _, f := range info.Fields {
			if want, ok := l.Field(f.Name); ok && want.Type != f.Type {
				return fmt.Errorf("layers: layer %q: field %q is a %s in the dataset, a %s in the registry; re-import the data", info.ID, f.Name, f.Type, want.Type)
			}
		}
	}
	return nil
}

// GroupSummary is one announced group of a layer with how many features
// the data holds, and the sentence that says it in both languages.
type GroupSummary struct {
	Layer string `json:"layer"`
	Param string `json:"param"`
	Field string `json:"field"`
	Value string `json:"value"`
	// Label names the kind of group ("Vagues", "AMI"); Name this one.
	Label    Text `json:"label"`
	Name     Text `json:"name"`
	Count    int  `json:"count"`
	Official int  `json:"official,omitempty"` // 0: no number was announced
	Text     Text `json:"text"`
}

// GroupSummaries says, for each group of the layer, how many features
// counts (the manifest's) give it against the number announced.
func (l Layer) GroupSummaries(counts []dataset.GroupCount) []GroupSummary {
	g := l.Filters.Groups
	if g == nil {
		return nil
	}
	out := make([]GroupSummary, 0, len(g.Values))
	for _, v := range g.Values {
		n := 0
		for _, c := range counts {
			if c.Field == g.Field && c.Value == v.Value {
				n = c.Count
			}
		}
		sentence := g.Held
		if v.Official == 0 {
			sentence = g.HeldUncounted
		}
		fill := func(s, name string) string {
			return strings.NewReplacer("{group}", name, "{held}", fmt.Sprint(n), "{official}", fmt.Sprint(v.Official)).Replace(s)
		}
		out = append(out, GroupSummary{Layer: l.ID, Param: g.Param, Field: g.Field, Value: v.Value, Label: g.Label, Name: v.Name, Count: n, Official: v.Official,
			Text: Text{fill(sentence.FR, v.Name.FR), fill(sentence.EN, v.Name.EN)}})
	}
	return out
}
