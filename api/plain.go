package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

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

// plainJSON holds what answers are made of, for one catalog; it is only
// read once built.
type plainJSON struct {
	features map[*dataset.Feature]featureJSON
	// provenance is each layer's full provenance (title and sources),
	// provenanceRef its reference (title and href), which list answers
	// carry unless asked for the full one.
	provenance    map[string][]byte
	provenanceRef map[string][]byte
	attribution   []byte
	version       []byte
}

func newPlainJSON(ds *dataset.Dataset) (*plainJSON, error) {
	pj := &plainJSON{provenance: map[string][]byte{}, provenanceRef: map[string][]byte{}, features: map[*dataset.Feature]featureJSON{}}
	pj.attribution, _ = json.Marshal(ds.Manifest.Attribution)
	pj.version, _ = json.Marshal(ds.Version)
	for _, l := range ds.Manifest.Layers {
		pj.provenance[l.ID], _ = json.Marshal(Provenance{Title: l.Title, Sources: l.Sources})
		pj.provenanceRef[l.ID], _ = json.Marshal(provenanceRef(l, ds.Version))
	}
	for _, l := range ds.Layers {
		for i := range l.Features {
			f := &l.Features[i]
			fj, err := encodeFeature(l.Info.ID, f)
			if err != nil {
				return nil, err
			}
			pj.features[f] = fj
		}
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
	type member struct {
		key   string
		write func([]byte) []byte
	}
	members := []member{
		{"attribution", func(b []byte) []byte { return append(b, pj.attribution...) }},
		{"count", func(b []byte) []byte { return strconv.AppendInt(b, int64(len(hits)), 10) }},
		{"data_version", func(b []byte) []byte { return append(b, pj.version...) }},
		{"provenance", func(b []byte) []byte { return pj.appendProvenance(b, hits, full) }},
		{"results", func(b []byte) []byte { return pj.appendFeatures(b, hits) }},
	}
	for k, v := range extra {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		members = append(members, member{k, func(b []byte) []byte { return append(b, raw...) }})
	}
	slices.SortFunc(members, func(a, b member) int {
		return bytes.Compare([]byte(a.key), []byte(b.key))
	})
	buf = append(buf, '{')
	for i, m := range members {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendQuote(buf, m.key) // keys are plain ASCII names
		buf = append(buf, ':')
		buf = m.write(buf)
	}
	return append(buf, '}'), nil
}

func (pj *plainJSON) appendFeatures(buf []byte, hits []index.Hit) []byte {
	buf = append(buf, '[')
	for i, h := range hits {
		if i > 0 {
			buf = append(buf, ',')
		}
		fj, ok := pj.features[h.Feature]
		if !ok { // a feature of another catalog: never, but stay correct
			fj, _ = encodeFeature(h.Layer, h.Feature)
		}
		buf = append(buf, fj.head...)
		if d := distancePtr(h); d != nil {
			buf = append(buf, `"distance_m":`...)
			buf = appendJSONFloat(buf, *d)
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
