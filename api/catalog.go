package api

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
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
	Map     layers.MapDocument
	plain   *plainJSON
	extents map[string]orb.Bound
}

// NewCatalog indexes ds; reg says how each layer is filtered and shown.
func NewCatalog(ds *dataset.Dataset, reg layers.Registry) (*Catalog, error) {
	ix := index.New(ds, reg)
	plain, err := newPlainJSON(ds)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	cat := &Catalog{Index: ix, Manifest: ds.Manifest, Version: ds.Version, Registry: reg,
		Map: layers.NewMapDocument(reg, ds), plain: plain, extents: map[string]orb.Bound{}}
	for _, id := range ix.Layers() {
		if b, ok := ix.Extent(id); ok {
			cat.extents[id] = b
		}
	}
	return cat, nil
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

// nearbyLayers are searched by nearby and within when the query names
// none: the registry's "near here" layers that the data holds.
func (cat *Catalog) nearbyLayers() []string {
	var out []string
	for _, id := range cat.Registry.NearbyIDs() {
		if cat.Index.HasLayer(id) {
			out = append(out, id)
		}
	}
	return out
}

// extent is the bound of the layer's features, nil when it has none.
func (cat *Catalog) extent(id string) *orb.Bound {
	if b, ok := cat.extents[id]; ok {
		return &b
	}
	return nil
}
