package server

import (
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
)

// Catalog is the searchable dataset: the index and the manifest that says
// where each layer comes from. Like a Tileset it is immutable and swapped
// whole on reload.
type Catalog struct {
	Index    *index.Index
	Manifest dataset.Manifest
	Version  string
	plain    *plainJSON // the hot path's pre-encoded answers
}

// NewCatalog indexes ds.
func NewCatalog(ds *dataset.Dataset) *Catalog {
	return &Catalog{Index: index.New(ds), Manifest: ds.Manifest, Version: ds.Version, plain: newPlainJSON(ds.Manifest, ds.Version)}
}

// SwapCatalog installs c for the API routes.
func (s *Server) SwapCatalog(c *Catalog) {
	s.catalog.Store(c)
	s.logger.Info("catalog ready", "data_version", c.Version, "layers", len(c.Manifest.Layers))
}
