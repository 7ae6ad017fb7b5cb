package api

import (
	"maps"
	"math"
	"net/url"
	"slices"

	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/profile"
)

// Result is one hit in the plain JSON format: a representative point
// rather than the full geometry (ask format=geojson for geometry).
type Result struct {
	ID         string         `json:"id"`
	Layer      string         `json:"layer"`
	Name       string         `json:"name"`
	DistanceM  *float64       `json:"distance_m,omitempty"`
	Lon        float64        `json:"lon"`
	Lat        float64        `json:"lat"`
	Properties map[string]any `json:"properties"`
}

// Provenance is what responses say of a layer's origin: one definition,
// the profiles'.
type Provenance = profile.Provenance

// selectProperties keeps the requested fields (all when keep is nil). The
// result may be the feature's own map: callers only read it.
func selectProperties(f *dataset.Feature, keep []string) map[string]any {
	if keep == nil {
		return f.Properties
	}
	out := make(map[string]any, len(f.Properties))
	for k, v := range f.Properties {
		if keep == nil || slices.Contains(keep, k) {
			out[k] = v
		}
	}
	return out
}

func distancePtr(h index.Hit) *float64 {
	d, ok := roundedDistance(h)
	if !ok {
		return nil
	}
	return &d
}

// roundedDistance is the hit's distance as answers give it, in metres to
// the decimetre (more is noise); ok is false when it was not measured.
func roundedDistance(h index.Hit) (d float64, ok bool) {
	if math.IsNaN(h.DistanceM) {
		return 0, false
	}
	return math.Round(h.DistanceM*10) / 10, true
}

func toAPIFeature(h index.Hit, keep []string) Result {
	p := index.RepresentativePoint(h.Feature)
	return Result{
		ID: h.Feature.ID, Layer: h.Layer, Name: h.Feature.String("name"),
		DistanceM: distancePtr(h), Lon: p[0], Lat: p[1],
		Properties: selectProperties(h.Feature, keep),
	}
}

// toGeoJSON is the hit as an RFC 7946 Feature; layer and distance_m join
// the properties.
func toGeoJSON(h index.Hit, keep []string) *geojson.Feature {
	gf := geojson.NewFeature(h.Feature.Geometry)
	gf.ID = h.Feature.ID
	gf.Properties = maps.Clone(selectProperties(h.Feature, keep)) // gets layer and distance
	gf.Properties["layer"] = h.Layer
	if _, ok := gf.Properties["name"]; !ok {
		gf.Properties["name"] = h.Feature.String("name")
	}
	if d := distancePtr(h); d != nil {
		gf.Properties["distance_m"] = *d
	}
	return gf
}

// ProvenanceRef is what list answers say of a layer's origin by default:
// its title, and where its full provenance is (/api/provenance/{layer}:
// the Provenance a list answer carried before, byte for byte). The
// sources are the same for every answer, and were a third of a nearby
// answer's bytes.
type ProvenanceRef struct {
	Title string `json:"title"`
	Href  string `json:"href"`
}

// provenancePath is the path of the provenance of one layer, or of every
// layer when layer is "".
const provenancePath = "/api/provenance"

// provenanceRef refers to layer l's provenance in the data of that
// version: the URL carries the version, so that it can be cached for good.
func provenanceRef(l dataset.LayerInfo, version string) ProvenanceRef {
	return ProvenanceRef{Title: l.Title, Href: provenancePath + "/" + url.PathEscape(l.ID) + "?" + paramVersion + "=" + url.QueryEscape(version)}
}

// provenanceRefsOf refers to the origin of every layer present in hits.
func provenanceRefsOf(cat *Catalog, hits []index.Hit) map[string]ProvenanceRef {
	return perLayerOf(cat, hits, func(l dataset.LayerInfo) ProvenanceRef { return provenanceRef(l, cat.Version) })
}

// provenanceOf lists the origin of every layer present in hits.
func provenanceOf(cat *Catalog, hits []index.Hit) map[string]Provenance {
	return perLayerOf(cat, hits, func(l dataset.LayerInfo) Provenance { return Provenance{Title: l.Title, Sources: l.Sources} })
}

// perLayerOf maps each layer present in hits that the manifest describes
// to what of reads from it.
func perLayerOf[T any](cat *Catalog, hits []index.Hit, of func(dataset.LayerInfo) T) map[string]T {
	out := map[string]T{}
	for _, h := range hits {
		if _, done := out[h.Layer]; done {
			continue
		}
		if l, ok := cat.Manifest.Layer(h.Layer); ok {
			out[h.Layer] = of(l)
		}
	}
	return out
}

// results is the body of every list answer, in one of two shapes, with
// the provenance by reference unless fullProvenance.
func results(cat *Catalog, hits []index.Hit, keep []string, asGeoJSON, fullProvenance bool, extra map[string]any) map[string]any {
	body := map[string]any{
		"attribution":  cat.Manifest.Attribution,
		"count":        len(hits),
		"data_version": cat.Version,
	}
	if fullProvenance {
		body["provenance"] = provenanceOf(cat, hits)
	} else {
		body["provenance"] = provenanceRefsOf(cat, hits)
	}
	for k, v := range extra {
		body[k] = v
	}
	if asGeoJSON {
		features := make([]*geojson.Feature, len(hits))
		for i, h := range hits {
			features[i] = toGeoJSON(h, keep)
		}
		body["type"] = "FeatureCollection"
		body["features"] = features
		return body
	}
	list := make([]Result, len(hits))
	for i, h := range hits {
		list[i] = toAPIFeature(h, keep)
	}
	body["results"] = list
	return body
}
