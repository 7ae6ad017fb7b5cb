package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

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
	Version string
	// semver is TileJSON's version of the same (see tileJSONVersion).
	semver   string
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
	h := sha256.New()
	h.Write(pmtiles.SerializeHeader(r.Header))
	h.Write(r.Metadata)
	sum := h.Sum(nil)
	version, _ := meta["version"].(string)
	if version == "" {
		version = hex.EncodeToString(sum)[:12]
	}
	return &Tileset{reader: r, Version: version, semver: tileJSONVersion(sum, version), metadata: meta, gzipped: r.Header.TileCompression == pmtiles.Gzip}, nil
}

// tileJSONVersion is TileJSON's "version", a semver as its schema asks:
// TileJSON wants the minor to change whenever tiles change (clients may
// then clear their caches), so the minor comes from the archive's hash
// (its header and metadata change with any tile); the build metadata
// carries the data version that tile URLs carry, its characters limited to
// those semver allows there.
func tileJSONVersion(archiveHash []byte, version string) string {
	minor := binary.BigEndian.Uint32(archiveHash) >> 4 // 28 bits: a plain decimal
	parts := strings.Split(version, ".")
	for i, part := range parts {
		parts[i] = strings.Map(func(r rune) rune {
			if r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				return r
			}
			return '-'
		}, part)
		if parts[i] == "" {
			parts[i] = "-" // semver identifiers are never empty
		}
	}
	build := strings.Join(parts, ".")
	return fmt.Sprintf("1.%d.0+%s", minor, build)
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
		"version":  t.semver,
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
