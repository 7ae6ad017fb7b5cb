package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/territoires-industrie/carte/tiles"
)

// Tileset is an open archive and what the handlers derive from it once.
// A Tileset is never modified after NewTileset: a reload makes a new one
// and swaps the pointer.
type Tileset struct {
	reader *tiles.Reader
	// Version identifies the data: the archive's metadata "version" when it
	// has one, else a hash of its header and metadata. Tile URLs carry it.
	Version  string
	metadata map[string]any
	gzipped  bool
	// storage follows whether the archive's storage answers; the server
	// attaches it in Swap, before anyone can see the tileset.
	storage *storageHealth
}

// NewTileset wraps an open reader. The reader belongs to the tileset.
func NewTileset(r *tiles.Reader) (*Tileset, error) {
	var meta map[string]any
	if err := json.Unmarshal(r.Metadata, &meta); err != nil {
		return nil, fmt.Errorf("server: archive metadata is not a JSON object: %w", err)
	}
	version, _ := meta["version"].(string)
	if version == "" {
		h := sha256.New()
		h.Write(pmtiles.SerializeHeader(r.Header))
		h.Write(r.Metadata)
		version = hex.EncodeToString(h.Sum(nil))[:12]
	}
	return &Tileset{reader: r, Version: version, metadata: meta, gzipped: r.Header.TileCompression == pmtiles.Gzip}, nil
}

// Close releases the archive.
func (t *Tileset) Close() error {
	if t.storage != nil {
		t.storage.close()
	}
	return t.reader.Close()
}

func (t *Tileset) minZoom() int { return int(t.reader.Header.MinZoom) }
func (t *Tileset) maxZoom() int { return int(t.reader.Header.MaxZoom) }

// tileJSON is the TileJSON 3.0.0 document with absolute tile URLs under base.
func (t *Tileset) tileJSON(base string) map[string]any {
	h := t.reader.Header
	doc := map[string]any{
		"tilejson": "3.0.0",
		"tiles":    []string{base + "/tiles/{z}/{x}/{y}.mvt?v=" + t.Version},
		"minzoom":  h.MinZoom,
		"maxzoom":  h.MaxZoom,
		"bounds":   []float64{e7(h.MinLonE7), e7(h.MinLatE7), e7(h.MaxLonE7), e7(h.MaxLatE7)},
		"center":   []float64{e7(h.CenterLonE7), e7(h.CenterLatE7), float64(h.CenterZoom)},
		"scheme":   "xyz",
		"version":  t.Version,
	}
	for _, k := range []string{"name", "description", "attribution", "vector_layers"} {
		if v, ok := t.metadata[k]; ok {
			doc[k] = v
		}
	}
	if _, ok := doc["vector_layers"]; !ok {
		doc["vector_layers"] = []any{}
	}
	return doc
}

func e7(v int32) float64 { return float64(v) / 1e7 }

// DataVersion is the version of the dataset the archive was built from,
// when a territoires build made it ("" for other archives).
func (t *Tileset) DataVersion() string {
	if g, _ := t.metadata["generator"].(string); g != tiles.Generator {
		return ""
	}
	v, _ := t.metadata["version"].(string)
	return v
}
