package server

import (
	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/dataset"
)

// What the tests decode the API's answers into, and the media types and
// limits they expect: the api package's answers seen from outside.

const (
	mediaJSON       = "application/json"
	mediaGeoJSON    = "application/geo+json"
	mediaOpenAPI    = "application/vnd.oai.openapi+json;version=3.0"
	crs84           = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	maxOGCLimit     = api.MaxOGCLimit
	defaultOGCLimit = api.DefaultOGCLimit
)

// The API's answer types, as the tests decode them.
type (
	Result        = api.Result
	Provenance    = api.Provenance
	ProvenanceRef = api.ProvenanceRef
	Link          = api.Link
)

// listProvenance is a layer's provenance in a list answer: title and
// href by default, title and sources with provenance=full.
type listProvenance struct {
	Title   string           `json:"title"`
	Href    string           `json:"href"`
	Sources []dataset.Source `json:"sources"`
}
