// Package dataset is the data model of the service: layers of features with
// orb geometries, typed properties and provenance, read from and written to
// gzipped RFC 7946 GeoJSON files described by a manifest.
//
// Every reader validates what it reads and names the file, the feature
// (index and id) and the field of the first problem it finds, so that a bad
// input never turns into a silently wrong map.
package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// ManifestFile is the name of the manifest inside a dataset folder.
const ManifestFile = "manifest.json"

// FieldType is the JSON type a property must have.
type FieldType string

// Field types. Integer is a JSON number without a fractional part.
const (
	TypeString  FieldType = "string"
	TypeNumber  FieldType = "number"
	TypeInteger FieldType = "integer"
	TypeBoolean FieldType = "boolean"
)

// Field describes one property of a layer's features.
type Field struct {
	Name        string    `json:"name"`
	Type        FieldType `json:"type"`
	Required    bool      `json:"required,omitempty"`
	Description string    `json:"description"`
}

// Source is one piece of provenance: where the data comes from, under which
// licence, and how old it is.
type Source struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Licence string `json:"licence"`
	Vintage string `json:"vintage"`
	Note    string `json:"note,omitempty"`
}

// Skip counts input records that an import left out on purpose, with why.
type Skip struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// LayerInfo describes a layer file: its schema, provenance and counts.
type LayerInfo struct {
	ID          string `json:"id"`
	File        string `json:"file"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Geometry is "point" or "polygon": the kind every feature must have
	// (Point/MultiPoint or Polygon/MultiPolygon).
	Geometry string   `json:"geometry"`
	Sources  []Source `json:"sources"`
	Fields   []Field  `json:"fields"`
	// Count is the number of features the file holds; the loader checks it.
	Count   int    `json:"count"`
	Skipped []Skip `json:"skipped,omitempty"`
	// Groups counts the features of each announced group (the sites'
	// waves, the Cnam's calls) beside the number announced; the loader
	// checks the counts.
	Groups []GroupCount `json:"groups,omitempty"`
}

// GroupCount is how many features list Value in their Field (values
// separated by spaces), against the Official number announced (0: none).
type GroupCount struct {
	Field    string `json:"field"`
	Value    string `json:"value"`
	Count    int    `json:"count"`
	Official int    `json:"official,omitempty"`
}

// countGroup counts the features that list g's value in g's field.
func countGroup(g GroupCount, features []Feature) int {
	n := 0
	for i := range features {
		if g.has(&features[i]) {
			n++
		}
	}
	return n
}

// has says whether f lists g's value in g's field.
func (g GroupCount) has(f *Feature) bool {
	return slices.Contains(strings.Fields(f.String(g.Field)), g.Value)
}

// Geometry kinds of a layer.
const (
	GeometryPoint   = "point"
	GeometryPolygon = "polygon"
)

// Field returns the field named name, if the layer declares it.
func (l LayerInfo) Field(name string) (Field, bool) {
	for _, f := range l.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Manifest lists the layers of a dataset in drawing order (bottom first).
type Manifest struct {
	Title       string      `json:"title"`
	Attribution string      `json:"attribution"`
	Layers      []LayerInfo `json:"layers"`
}

// Layer returns the layer with the given id.
func (m Manifest) Layer(id string) (LayerInfo, bool) {
	for _, l := range m.Layers {
		if l.ID == id {
			return l, true
		}
	}
	return LayerInfo{}, false
}

// ReadManifest decodes and checks a manifest.
func ReadManifest(r io.Reader) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return m, nil
}

// ReservedFields are names a layer's field may not take: the answers use
// them for the feature's id, geometry, layer and distance.
var ReservedFields = []string{"id", "geometry", "layer", "distance_m"}

// Validate checks the manifest's layers: ids unique, geometry known,
// provenance given, field types known and unique, no reserved field name,
// a required string name.
func (m Manifest) Validate() error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("no layers")
	}
	seen := map[string]bool{}
	for i, l := range m.Layers {
		switch {
		case l.ID == "":
			return fmt.Errorf("layer %d: empty id", i)
		case seen[l.ID]:
			return fmt.Errorf("layer %d: duplicate id %q", i, l.ID)
		case l.File == "":
			return fmt.Errorf("layer %q: empty file", l.ID)
		case l.Geometry != GeometryPoint && l.Geometry != GeometryPolygon:
			return fmt.Errorf("layer %q: geometry %q is neither %q nor %q", l.ID, l.Geometry, GeometryPoint, GeometryPolygon)
		case len(l.Sources) == 0:
			return fmt.Errorf("layer %q: no source (provenance is required)", l.ID)
		}
		seen[l.ID] = true
		names := map[string]bool{}
		for _, f := range l.Fields {
			switch f.Type {
			case TypeString, TypeNumber, TypeInteger, TypeBoolean:
			default:
				return fmt.Errorf("layer %q: field %q: unknown type %q", l.ID, f.Name, f.Type)
			}
			if names[f.Name] {
				return fmt.Errorf("layer %q: duplicate field %q", l.ID, f.Name)
			}
			if slices.Contains(ReservedFields, f.Name) {
				return fmt.Errorf("layer %q: field %q: the name is reserved (%s)", l.ID, f.Name, strings.Join(ReservedFields, ", "))
			}
			names[f.Name] = true
		}
		if f, ok := l.Field("name"); !ok || !f.Required || f.Type != TypeString {
			return fmt.Errorf("layer %q: a required string field \"name\" must be declared", l.ID)
		}
	}
	return nil
}

// WriteManifest encodes a manifest, indented, with a final newline.
func WriteManifest(w io.Writer, m Manifest) error {
	if err := m.Validate(); err != nil {
		return err
	}
	for i := range m.Layers {
		sort.SliceStable(m.Layers[i].Skipped, func(a, b int) bool {
			return m.Layers[i].Skipped[a].Reason < m.Layers[i].Skipped[b].Reason
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}
