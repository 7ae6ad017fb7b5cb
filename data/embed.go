// Package data embeds the default dataset: a manifest and one gzipped
// GeoJSON file per layer, produced by `territoires import` from official
// open data. See the manifest for each layer's sources and licence.
package data

import "embed"

// FS holds manifest.json and the layer files.
//
//go:embed manifest.json *.geojson.gz
var FS embed.FS
