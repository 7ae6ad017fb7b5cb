package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
)

// The plain-JSON list answer (no format=geojson, no fields=) is the API's
// hot path: Business France's scripts and the map's "near here" ask it
// all day. encoding/json spends most of such an answer reflecting over
// the same property maps again and again, so each feature's object is
// encoded once, when the catalog is built, and an answer is assembled
// from those bytes. The bytes are exactly what results() + encoding/json
// would produce (a test compares the two on many real queries).

// featureJSON is a feature's plain-JSON object cut around distance_m:
// head is `{"id":…,"layer":…,"name":…,` and tail `"lon":…,…}`.
type featureJSON struct{ head, tail []byte }

// layerJSON is a layer's features and their encoded objects, in the same
// order.
type layerJSON struct {
	features []dataset.Feature
	encoded  []featureJSON
}

// encodedOf finds f's encoded object by its place in the layer's slice of
// features: a hit points into that slice. A map keyed by feature pointer
// did the same, but over a hundred thousand features each lookup missed
// the cache (2 µs of a 10-result answer). The place is computed from the
// addresses and then checked by comparing pointers, so a feature from
// elsewhere is never mistaken for one of the layer's.
func (l layerJSON) encodedOf(f *dataset.Feature) (featureJSON, bool) {
	if len(l.features) == 0 {
		return featureJSON{}, false
	}
	offset := uintptr(unsafe.Pointer(f)) - uintptr(unsafe.Pointer(&l.features[0]))
	i := offset / unsafe.Sizeof(dataset.Feature{})
	if i >= uintptr(len(l.features)) || &l.features[i] != f {
		return featureJSON{}, false
	}
	return l.encoded[i], true
}

// plainJSON holds what answers are made of, for one catalog; it is only
// read once built.
type plainJSON struct {
	layers map[string]layerJSON
	// provenance is each layer's full provenance (title and sources),
	// provenanceRef its reference (title and href), which list answers
	// carry unless asked for the full one.
	provenance    map[string][]byte
	provenanceRef map[string][]byte
	attribution   []byte
	version       []byte
}

func newPlainJSON(ds *dataset.Dataset) (*plainJSON, error) {
	pj := &plainJSON{provenance: map[string][]byte{}, provenanceRef: map[string][]byte{}, layers: map[string]layerJSON{}}
	pj.attribution, _ = json.Marshal(ds.Manifest.Attribution)
	pj.version, _ = json.Marshal(ds.Version)
	for _, l := range ds.Manifest.Layers {
		pj.provenance[l.ID], _ = json.Marshal(Provenance{Title: l.Title, Sources: l.Sources})
		pj.provenanceRef[l.ID], _ = json.Marshal(provenanceRef(l, ds.Version))
	}
	for _, l := range ds.Layers {
		lj := layerJSON{features: l.Features, encoded: make([]featureJSON, len(l.Features))}
		for i := range l.Features {
			fj, err := encodeFeature(l.Info.ID, &l.Features[i])
			if err != nil {
				return nil, err
			}
			lj.encoded[i] = fj
		}
		pj.layers[l.Info.ID] = lj
	}
	return pj, nil
}

func encodeFeature(layer string, f *dataset.Feature) (featureJSON, error) {
	b, err := json.Marshal(toAPIFeature(index.Hit{Layer: layer, Feature: f, DistanceM: math.NaN()}, nil))
	if err != nil {
		return featureJSON{}, fmt.Errorf("feature %s of layer %s cannot be encoded: %w", f.ID, layer, err)
	}
	// `,"lon":` can only be structural here: a quote inside a JSON string
	// is always escaped.
	cut := bytes.Index(b, []byte(`,"lon":`)) + 1
	return featureJSON{head: b[:cut], tail: b[cut:]}, nil
}

// appendResults writes the plain list answer: the same members as
// results(), in encoding/json's order (sorted keys), extra included; the
// provenance by reference unless full.
func (pj *plainJSON) appendResults(buf []byte, hits []index.Hit, full bool, extra map[string]any) ([]byte, error) {
	// The members results() always has, in key order, with the extras
	// slotted in between: each is written straight into buf.
	fixed := [...]string{"attribution", "count", "data_version", "provenance", "results"}
	var keys [8]string
	extraKeys := appendSortedKeys(keys[:0], extra)
	buf = append(buf, '{')
	i, j := 0, 0
	for i < len(fixed) || j < len(extraKeys) {
		if i+j > 0 {
			buf = append(buf, ',')
		}
		var k string
		fromExtra := true
		switch {
		case j < len(extraKeys) && (i == len(fixed) || extraKeys[j] < fixed[i]):
			k = extraKeys[j]
			j++
		case j < len(extraKeys) && extraKeys[j] == fixed[i]:
			k = fixed[i] // an extra of a fixed member's name: encoding/json keeps the extra's
			i++
			j++
		default:
			fromExtra = false
		}
		if fromExtra {
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			var err error
			if buf, err = appendJSONValue(buf, extra[k]); err != nil {
				return nil, err
			}
			continue
		}
		k = fixed[i]
		i++
		buf = append(buf, '"')
		buf = append(buf, k...)
		buf = append(buf, '"', ':')
		switch k {
		case "attribution":
			buf = append(buf, pj.attribution...)
		case "count":
			buf = strconv.AppendInt(buf, int64(len(hits)), 10)
		case "data_version":
			buf = append(buf, pj.version...)
		case "provenance":
			buf = pj.appendProvenance(buf, hits, full)
		case "results":
			buf = pj.appendFeatures(buf, hits)
		}
	}
	return append(buf, '}'), nil
}

// appendJSONValue writes v as encoding/json does, without reflection for
// what the routes' extras hold (the query: maps of numbers, strings and
// string lists); anything else goes through encoding/json.
func appendJSONValue(buf []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	case int:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			break // encoding/json's error
		}
		return appendJSONFloat(buf, v), nil
	case string:
		return appendJSONString(buf, v), nil
	case []string:
		if v == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '[')
		for i, s := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, s)
		}
		return append(buf, ']'), nil
	case map[string]any:
		if v == nil {
			return append(buf, "null"...), nil
		}
		var keys [16]string
		sorted := appendSortedKeys(keys[:0], v)
		buf = append(buf, '{')
		for i, k := range sorted {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			var err error
			if buf, err = appendJSONValue(buf, v[k]); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, raw...), nil
}

// appendSortedKeys appends m's keys to dst in encoding/json's order
// (sorted): callers pass a stack array's slice, so a small map costs no
// allocation.
func appendSortedKeys(dst []string, m map[string]any) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

// appendJSONString writes s quoted as encoding/json does: plain ASCII as
// it is, anything to escape (quotes, controls, <>&, non-ASCII) through
// encoding/json itself.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s)
			return append(buf, raw...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

func (pj *plainJSON) appendFeatures(buf []byte, hits []index.Hit) []byte {
	buf = append(buf, '[')
	for i, h := range hits {
		if i > 0 {
			buf = append(buf, ',')
		}
		fj, ok := pj.layers[h.Layer].encodedOf(h.Feature)
		if !ok { // a feature of another catalog: never, but stay correct
			fj, _ = encodeFeature(h.Layer, h.Feature)
		}
		buf = append(buf, fj.head...)
		if d, ok := roundedDistance(h); ok {
			buf = append(buf, `"distance_m":`...)
			buf = appendJSONFloat(buf, d)
			buf = append(buf, ',')
		}
		buf = append(buf, fj.tail...)
	}
	return append(buf, ']')
}

// appendProvenance writes the provenance object of the layers in hits,
// keys sorted as encoding/json sorts a map's: each layer's reference, or
// its full provenance when full.
func (pj *plainJSON) appendProvenance(buf []byte, hits []index.Hit, full bool) []byte {
	var layers []string
	for _, h := range hits {
		if _, known := pj.provenance[h.Layer]; known && !slices.Contains(layers, h.Layer) {
			layers = append(layers, h.Layer)
		}
	}
	slices.Sort(layers)
	of := pj.provenanceRef
	if full {
		of = pj.provenance
	}
	buf = append(buf, '{')
	for i, l := range layers {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendQuote(buf, l)
		buf = append(buf, ':')
		buf = append(buf, of[l]...)
	}
	return append(buf, '}')
}

// provenanceJSON is the provenance object of a profile, from the bytes
// encoded once (most of a profile's answer: the sources of seven layers),
// keys sorted as encoding/json sorts a map's; a layer the manifest does
// not describe is encoded on the spot.
func (pj *plainJSON) provenanceJSON(prov map[string]Provenance) json.RawMessage {
	layers := make([]string, 0, len(prov))
	for l := range prov {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	buf := append(make([]byte, 0, 16<<10), '{')
	for i, l := range layers {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(l)
		buf = append(append(buf, k...), ':')
		if b, ok := pj.provenance[l]; ok {
			buf = append(buf, b...)
		} else {
			b, _ := json.Marshal(prov[l])
			buf = append(buf, b...)
		}
	}
	return append(buf, '}')
}

// appendJSONFloat writes f as encoding/json does: plain decimal notation,
// exponent only for very large or very small magnitudes.
func appendJSONFloat(buf []byte, f float64) []byte {
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(buf, f, 'f', -1, 64)
	}
	b, _ := json.Marshal(f)
	return append(buf, b...)
}
