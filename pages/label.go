package pages

import (
	"slices"
	"strings"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// The words about layers come from the registry: a layer's name and kind,
// and the names of coded values (a training centre's category, a site's
// wave, a Cnam antenna's AMI), which the registry gives in the popup of the
// field that holds them (Field.coded).

// The layers of the profiles, as the profile package names them.
const (
	sitesLayer      = profile.LayerSites
	formationsLayer = profile.LayerFormations
	cnamLayer       = profile.LayerCnam
	acvLayer        = profile.LayerACV
)

// codes names the coded values of a layer's fields and groups, from the
// registry.
type codes struct {
	reg layers.Registry
}

// label names a coded value of the layer: its group's name (a site's
// wave, a Cnam antenna's AMI), else the category field's name for it,
// else the name any coded field of the layer gives it, else the value as
// it is.
func (c codes) label(layer, value string) layers.Text {
	l, ok := c.reg.Layer(layer)
	if !ok {
		return layers.Text{FR: value, EN: value}
	}
	if l.Filters.Groups != nil {
		if g, ok := l.Filters.Groups.Group(value); ok {
			return g.Name
		}
	}
	if f, ok := l.Field(l.Filters.Category); ok && f.Popup != nil {
		if t, ok := f.Popup.Values[value]; ok {
			return t
		}
	}
	for _, f := range l.Fields {
		if f.Popup == nil {
			continue
		}
		if t, ok := f.Popup.Values[value]; ok {
			return t
		}
	}
	return layers.Text{FR: value, EN: value}
}

// categories lists the coded values of the layer's category field (every
// category a count may hold), sorted; nil when the registry names none.
func (c codes) categories(layer string) []string {
	l, ok := c.reg.Layer(layer)
	if !ok {
		return nil
	}
	f, ok := l.Field(l.Filters.Category)
	if !ok || f.Popup == nil {
		return nil
	}
	var out []string
	for k := range f.Popup.Values {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// layerName is the layer's name in the legend ("Sites clés en main"), or
// its id.
func (c codes) layerName(id string) layers.Text {
	if l, ok := c.reg.Layer(id); ok && l.Name.FR != "" {
		return l.Name
	}
	return layers.Text{FR: id, EN: id}
}

// kind names one feature of the layer ("Site clé en main").
func (c codes) kind(id string) layers.Text {
	if l, ok := c.reg.Layer(id); ok && l.Kind.FR != "" {
		return l.Kind
	}
	return layers.Text{FR: id, EN: id}
}

// page is the address of a feature's page, "" when its layer has none.
func (c codes) page(layer string, value func(string) string) string {
	l, ok := c.reg.Layer(layer)
	if !ok {
		return ""
	}
	return l.PageURL(value)
}

// groupLabel names the layer's groups ("Vague"), or fallback.
func (c codes) groupLabel(layer string, fallback layers.Text) layers.Text {
	if l, ok := c.reg.Layer(layer); ok && l.Filters.Groups != nil && l.Filters.Groups.Label.FR != "" {
		return l.Filters.Groups.Label
	}
	return fallback
}

// groupOrder sorts a layer's group values as the registry lists them
// (the legend's order), values it does not list last, by value.
func (c codes) groupOrder(layer string, values []string) {
	var order []string
	if l, ok := c.reg.Layer(layer); ok && l.Filters.Groups != nil {
		for _, g := range l.Filters.Groups.Values {
			order = append(order, g.Value)
		}
	}
	rank := func(v string) int {
		if i := slices.Index(order, v); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(values, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
}
