package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Feature is one record of a layer. Properties hold only the types of the
// layer's schema: string, int64, float64 or bool; a missing value is absent
// from the map, never a zero value.
type Feature struct {
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
}

// String returns a string property, or "" when it is absent.
func (f Feature) String(name string) string {
	s, _ := f.Properties[name].(string)
	return s
}

// Sentinel errors, wrapped by a *ValidationError.
var (
	ErrSyntax           = errors.New("dataset: invalid JSON")
	ErrNotCollection    = errors.New("dataset: not a GeoJSON FeatureCollection")
	ErrGeometryType     = errors.New("dataset: unsupported geometry type")
	ErrCoordinate       = errors.New("dataset: coordinate out of range")
	ErrRing             = errors.New("dataset: invalid ring")
	ErrID               = errors.New("dataset: missing or duplicate id")
	ErrMissingProperty  = errors.New("dataset: missing required property")
	ErrPropertyType     = errors.New("dataset: property of the wrong type")
	ErrUnknownProperty  = errors.New("dataset: property not declared in the manifest")
	ErrCountMismatch    = errors.New("dataset: feature count differs from the manifest")
	ErrMissingLayerFile = errors.New("dataset: layer file missing")
)

// ValidationError locates a problem in a layer file: the file, the feature
// (index in the file, and id when known) and the field.
type ValidationError struct {
	File  string
	Index int // feature index in the file, -1 for the file as a whole
	ID    string
	Field string
	Err   error
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Index >= 0 {
		fmt.Fprintf(&b, ": feature %d", e.Index)
		if e.ID != "" {
			fmt.Fprintf(&b, " (id %q)", e.ID)
		}
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ValidationError) Unwrap() error { return e.Err }

type rawFeature struct {
	Type       string                     `json:"type"`
	ID         json.RawMessage            `json:"id"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// DecodeLayer reads an uncompressed GeoJSON FeatureCollection and validates
// every feature against the layer's schema. file names the input in errors.
//
// Polygons come back with the winding of RFC 7946 §3.1.6, whatever the file
// had: exterior rings counterclockwise, holes clockwise (planar, in
// longitude/latitude). Every consumer (API and OGC answers, tiles, index)
// can then write or use the geometries as they are.
func DecodeLayer(r io.Reader, file string, info LayerInfo) ([]Feature, error) {
	var features []Feature
	ids := map[string]int{}
	err := ScanLayer(r, file, info, func(index int, f Feature) error {
		if first, dup := ids[f.ID]; dup {
			return &ValidationError{File: file, Index: index, ID: f.ID, Field: "id", Err: fmt.Errorf("%w: also used by feature %d", ErrID, first)}
		}
		ids[f.ID] = index
		features = append(features, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return features, nil
}

// ScanLayer reads an uncompressed GeoJSON FeatureCollection one feature at
// a time, validates each against the layer's schema (as DecodeLayer, but
// for unique ids, which need every id at hand) and hands it to fn in file
// order. An error from fn stops the scan and is returned as it is.
func ScanLayer(r io.Reader, file string, info LayerInfo, fn func(index int, f Feature) error) error {
	fail := func(index int, id, field string, err error) error {
		return &ValidationError{File: file, Index: index, ID: id, Field: field, Err: err}
	}
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return fail(-1, "", "", err)
	}
	index := 0
	sawType, sawFeatures := false, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(-1, "", "", fmt.Errorf("%w: %v", ErrSyntax, err))
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var t string
			if err := dec.Decode(&t); err != nil || t != "FeatureCollection" {
				return fail(-1, "", "type", ErrNotCollection)
			}
			sawType = true
		case "features":
			if err := expectDelim(dec, '['); err != nil {
				return fail(-1, "", "features", err)
			}
			for dec.More() {
				var raw rawFeature
				if err := dec.Decode(&raw); err != nil {
					return fail(index, "", "", fmt.Errorf("%w: %v", ErrSyntax, err))
				}
				f, field, err := parseFeature(raw, info)
				if err != nil {
					return fail(index, f.ID, field, err)
				}
				if err := fn(index, f); err != nil {
					return err
				}
				index++
			}
			if err := expectDelim(dec, ']'); err != nil {
				return fail(-1, "", "features", err)
			}
			sawFeatures = true
		default:
			// Foreign members (RFC 7946 §6.1) such as "name" or "bbox".
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(-1, "", key, fmt.Errorf("%w: %v", ErrSyntax, err))
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(-1, "", "", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(-1, "", "", fmt.Errorf("%w: data after the FeatureCollection", ErrSyntax))
	}
	if !sawType || !sawFeatures {
		return fail(-1, "", "", ErrNotCollection)
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%w: expected %q, found %v", ErrSyntax, string(want), tok)
	}
	return nil
}

// parseFeature returns the feature and, on error, the field at fault.
func parseFeature(raw rawFeature, info LayerInfo) (Feature, string, error) {
	var f Feature
	if raw.Type != "Feature" {
		return f, "type", fmt.Errorf("%w: type %q is not \"Feature\"", ErrSyntax, raw.Type)
	}
	if err := json.Unmarshal(raw.ID, &f.ID); err != nil || f.ID == "" {
		return f, "id", fmt.Errorf("%w: id must be a non-empty string", ErrID)
	}
	g, err := parseGeometry(raw.Geometry, info.Geometry)
	if err != nil {
		return f, "geometry", err
	}
	f.Geometry = g
	props, field, err := parseProperties(raw.Properties, info)
	if err != nil {
		return f, field, err
	}
	f.Properties = props
	return f, "", nil
}

func parseGeometry(data json.RawMessage, kind string) (orb.Geometry, error) {
	var head struct {
		Type string `json:"type"`
	}
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, fmt.Errorf("%w: geometry is missing", ErrGeometryType)
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	allowed := map[string][]string{
		GeometryPoint:   {"Point", "MultiPoint"},
		GeometryPolygon: {"Polygon", "MultiPolygon"},
	}[kind]
	ok := false
	for _, t := range allowed {
		ok = ok || head.Type == t
	}
	if !ok {
		return nil, fmt.Errorf("%w: %q in a %s layer (want %s)", ErrGeometryType, head.Type, kind, strings.Join(allowed, " or "))
	}
	g, err := geojson.UnmarshalGeometry(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	geom := g.Geometry()
	if err := checkGeometry(geom); err != nil {
		return nil, err
	}
	return geom, nil
}

// checkGeometry rejects what would draw wrong: positions outside WGS84,
// empty parts, and rings that are unclosed or have no area. It also gives
// polygons the RFC 7946 winding, in place (g is freshly decoded, nobody
// else holds it).
func checkGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Point:
		return checkPoint(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty MultiPoint", ErrGeometryType)
		}
		for _, p := range g {
			if err := checkPoint(p); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty MultiPolygon", ErrGeometryType)
		}
		for i, p := range g {
			if err := checkPolygon(p); err != nil {
				return fmt.Errorf("polygon %d: %w", i, err)
			}
		}
	default:
		return fmt.Errorf("%w: %T", ErrGeometryType, g)
	}
	return nil
}

func checkPoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return fmt.Errorf("%w: [%v, %v] is not a WGS84 longitude, latitude", ErrCoordinate, lon, lat)
	}
	return nil
}

// checkPolygon checks every ring and reverses, in place, those whose
// winding is not RFC 7946's. The area that refuses a degenerate ring is the
// one that gives the winding, so every ring that passes has one: no
// zero-area ring is left for the orientation to guess about.
func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: polygon without rings", ErrRing)
	}
	for i, r := range p {
		for _, pt := range r {
			if err := checkPoint(pt); err != nil {
				return fmt.Errorf("ring %d: %w", i, err)
			}
		}
		switch {
		case len(r) < 4:
			return fmt.Errorf("%w: ring %d has %d positions (at least 4 needed)", ErrRing, i, len(r))
		case !r.Closed():
			return fmt.Errorf("%w: ring %d is not closed (first and last positions differ)", ErrRing, i)
		}
		a := signedArea(r)
		if a == 0 {
			return fmt.Errorf("%w: ring %d is degenerate (zero area)", ErrRing, i)
		}
		if (a > 0) != (i == 0) {
			r.Reverse()
		}
	}
	return nil
}

// signedArea is twice the planar area of a closed ring in longitude and
// latitude: positive when the ring turns counterclockwise, negative when it
// turns clockwise, zero when it encloses nothing. It is the sum orb's
// Ring.Orientation and planar.Area compute (shoelace, relative to the first
// position to keep the rounding small), taken once for both questions.
func signedArea(r orb.Ring) float64 {
	var s float64
	x0, y0 := r[0][0], r[0][1]
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s
}

// Polygons are the parts of a polygon geometry: a Polygon as a one-part
// MultiPolygon, a MultiPolygon as it is, nil for any other geometry.
func Polygons(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// withRFC7946Winding returns g with the winding of RFC 7946: g itself when every ring
// already has it (the case of anything DecodeLayer returned), otherwise a
// copy with the wrong rings reversed; g is never modified. Rings without
// area are left as they are: they have no winding, and DecodeLayer refuses
// them.
func withRFC7946Winding(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		if wound(g) {
			return g
		}
		return windPolygon(g)
	case orb.MultiPolygon:
		for i, p := range g {
			if wound(p) {
				continue
			}
			out := slices.Clone(g) // polygons already right are shared
			for j := i; j < len(out); j++ {
				if !wound(out[j]) {
					out[j] = windPolygon(out[j])
				}
			}
			return out
		}
	}
	return g
}

// wound says whether every ring of p has the RFC 7946 winding.
func wound(p orb.Polygon) bool {
	for i, r := range p {
		if misWound(r, i) {
			return false
		}
	}
	return true
}

// windPolygon returns a copy of p with RFC 7946 winding; rings already
// right are shared.
func windPolygon(p orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = r
		if misWound(r, i) {
			out[i] = r.Clone()
			out[i].Reverse()
		}
	}
	return out
}

// misWound says whether ring i of a polygon (0 is the exterior) turns the
// other way than RFC 7946 asks. A ring without area turns no way.
func misWound(r orb.Ring, i int) bool {
	if len(r) == 0 {
		return false
	}
	a := signedArea(r)
	return a != 0 && (a > 0) != (i == 0)
}

func parseProperties(raw map[string]json.RawMessage, info LayerInfo) (map[string]any, string, error) {
	props := make(map[string]any, len(raw))
	for name, value := range raw {
		field, ok := info.Field(name)
		if !ok {
			return nil, name, ErrUnknownProperty
		}
		if bytes.Equal(value, []byte("null")) {
			continue // absent: a missing value stays missing
		}
		v, err := decodeValue(value, field.Type)
		if err != nil {
			return nil, name, err
		}
		props[name] = v
	}
	for _, field := range info.Fields {
		if _, ok := props[field.Name]; field.Required && !ok {
			return nil, field.Name, ErrMissingProperty
		}
	}
	return props, "", nil
}

func decodeValue(value json.RawMessage, t FieldType) (any, error) {
	wrong := func() error {
		return fmt.Errorf("%w: %s is not a JSON %s", ErrPropertyType, truncate(value, 40), t)
	}
	switch t {
	case TypeString:
		var s string
		if json.Unmarshal(value, &s) != nil {
			return nil, wrong()
		}
		return s, nil
	case TypeBoolean:
		var b bool
		if json.Unmarshal(value, &b) != nil {
			return nil, wrong()
		}
		return b, nil
	case TypeNumber, TypeInteger:
		var n json.Number
		if json.Unmarshal(value, &n) != nil {
			return nil, wrong()
		}
		if t == TypeInteger {
			i, err := n.Int64()
			if err != nil {
				return nil, wrong()
			}
			return i, nil
		}
		x, err := n.Float64()
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, wrong()
		}
		return x, nil
	}
	return nil, wrong()
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// EncodeLayer writes features as an RFC 7946 FeatureCollection, one feature
// per line, in the given order. The output is deterministic. Polygons are
// written with RFC 7946 winding (exterior rings counterclockwise, holes
// clockwise); the features themselves are left as they are.
func EncodeLayer(w io.Writer, features []Feature) error {
	if _, err := io.WriteString(w, "{\"type\":\"FeatureCollection\",\"features\":[\n"); err != nil {
		return err
	}
	for i, f := range features {
		gf := geojson.NewFeature(withRFC7946Winding(f.Geometry))
		gf.ID = f.ID
		gf.Properties = geojson.Properties(f.Properties)
		if gf.Properties == nil {
			gf.Properties = geojson.Properties{}
		}
		b, err := json.Marshal(gf)
		if err != nil {
			return fmt.Errorf("feature %d (id %q): %w", i, f.ID, err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, ",\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]}\n")
	return err
}
