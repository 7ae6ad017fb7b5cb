package pages

import (
	"slices"

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

// codes names the coded values of a layer's fields, from the registry.
type codes struct {
	reg layers.Registry
}

// label names a coded value of the layer: the category field's name for
// it, else the name any coded field of the layer gives it, else the value
// as it is.
func (c codes) label(layer, value string) layers.Text {
	l, ok := c.reg.Layer(layer)
	if !ok {
		return layers.Text{FR: value, EN: value}
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
