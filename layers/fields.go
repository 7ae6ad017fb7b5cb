package layers

import "github.com/territoires-industrie/carte/dataset"

// Field constructors, and the marks that put a field in the tiles or in
// the popups, so that an entry of the registry reads as a table.

func name(desc string) Field {
	return Field{Name: FieldName, Type: dataset.TypeString, Required: true, Description: desc, Tiles: true}
}
func str(name, desc string) Field {
	return Field{Name: name, Type: dataset.TypeString, Description: desc}
}
func reqStr(name, desc string) Field {
	return Field{Name: name, Type: dataset.TypeString, Required: true, Description: desc}
}
func integer(name, desc string) Field {
	return Field{Name: name, Type: dataset.TypeInteger, Description: desc}
}
func number(name, desc string) Field {
	return Field{Name: name, Type: dataset.TypeNumber, Description: desc}
}
func boolean(name, desc string, required bool) Field {
	return Field{Name: name, Type: dataset.TypeBoolean, Required: required, Description: desc}
}

// required marks the field as present in every feature.
func (f Field) required() Field { f.Required = true; return f }

// untiled keeps the field out of the vector tiles.
func (f Field) untiled() Field { f.Tiles = false; return f }

// tiles marks the field as carried in the vector tiles.
func (f Field) tiles() Field { f.Tiles = true; return f }

// shown puts the field in the popups under label, formatted.
func (f Field) shown(label Text, format string) Field {
	f.Popup = &Popup{Label: label, Format: format}
	return f
}

// coded puts the field in the popups, its values named.
func (f Field) coded(label Text, values map[string]Text) Field {
	f.Popup = &Popup{Label: label, Format: FormatText, Values: values}
	return f
}

// groups makes the field the layer's groups field (see Groups), shown in
// the popups with each group named.
func (f Field) groups(label Text) Field {
	f.Popup = &Popup{Label: label, Format: FormatGroups}
	return f
}
