package api

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// Catalog is the searchable dataset and everything the answers are made
// of, built once: the index, the manifest that says where each layer comes
// from, each feature's pre-encoded JSON, the layers' extents and the map
// page's description of the layers. Like a tileset it is immutable and
// swapped whole on reload.
type Catalog struct {
	Index    *index.Index
	Manifest dataset.Manifest
	Version  string
	Registry layers.Registry
	// Map is what the map page learns of the layers, places and counts.
	Map layers.MapDocument
	// Profiles answers the profiles of sites, points and territories.
	Profiles *profile.Profiler
	plain    *plainJSON
	// provenance are the documents /api/provenance serves.
	provenance provenanceDocs
	extents    map[string]orb.Bound
	// geometryTypes is each layer's one GeoJSON geometry type: Multi… as
	// soon as one feature is, so that a GIS client sees one type per layer.
	geometryTypes map[string]string
	// groupParams are the registry's group parameters (wave, ami), read
	// by every list query.
	groupParams []string
	// nearby are the layers nearby and within search when the query names
	// none: the registry's "near here" layers that the data holds.
	nearby []string
}

// NewCatalog indexes ds; reg says how each layer is filtered and shown.
func NewCatalog(ds *dataset.Dataset, reg layers.Registry) (*Catalog, error) {
	ix := index.New(ds, reg)
	plain, err := newPlainJSON(ds)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	cat := &Catalog{Index: ix, Manifest: ds.Manifest, Version: ds.Version, Registry: reg,
		Map: layers.NewMapDocument(reg, ds), Profiles: profile.New(ix, ds.Manifest, reg), plain: plain, extents: map[string]orb.Bound{}, geometryTypes: map[string]string{},
		groupParams: reg.GroupParams(), provenance: newProvenanceDocs(plain)}
	for _, id := range reg.NearbyIDs() {
		if ix.HasLayer(id) {
			cat.nearby = append(cat.nearby, id)
		}
	}
	// Every list request's filter holds this slice: no room to append to.
	cat.nearby = slices.Clip(cat.nearby)
	for _, id := range ix.Layers() {
		if b, ok := ix.Extent(id); ok {
			cat.extents[id] = b
		}
	}
	for _, l := range ds.Layers {
		cat.geometryTypes[l.Info.ID] = layerGeometryType(l.Features)
	}
	return cat, nil
}

// layerGeometryType is the GeoJSON type every feature of a layer can be
// given: the multi type as soon as one feature has it.
func layerGeometryType(features []dataset.Feature) string {
	t := ""
	for i := range features {
		switch g := features[i].Geometry.GeoJSONType(); {
		case t == "":
			t = g
		case g != t && (g == "MultiPolygon" || g == "MultiPoint"):
			t = g
		}
	}
	return t
}

// geometry is the feature's geometry as the layer's one type, for the OGC
// API (GIS clients such as GDAL and QGIS fix one geometry type per layer):
// a Polygon of a layer holding MultiPolygons is sent as a one-part
// MultiPolygon (the same shape), a Point as a one-point MultiPoint. The
// JSON API keeps each feature's own type, which simple clients expect.
func (cat *Catalog) geometry(h index.Hit) orb.Geometry {
	switch g := h.Feature.Geometry.(type) {
	case orb.Polygon:
		if cat.geometryTypes[h.Layer] == "MultiPolygon" {
			return orb.MultiPolygon{g}
		}
	case orb.Point:
		if cat.geometryTypes[h.Layer] == "MultiPoint" {
			return orb.MultiPoint{g}
		}
	}
	return h.Feature.Geometry
}

// layerInfo describes a layer of the index: its manifest entry, or only
// its id when the manifest lacks it.
func (cat *Catalog) layerInfo(id string) (dataset.LayerInfo, bool) {
	if !cat.Index.HasLayer(id) {
		return dataset.LayerInfo{}, false
	}
	if l, ok := cat.Manifest.Layer(id); ok {
		return l, true
	}
	return dataset.LayerInfo{ID: id, Title: id}, true
}

// extent is the bound of the layer's features, nil when it has none.
func (cat *Catalog) extent(id string) *orb.Bound {
	if b, ok := cat.extents[id]; ok {
		return &b
	}
	return nil
}
