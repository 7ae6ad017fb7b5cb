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

// apiFeature is one result of a plain list answer.
type apiFeature struct {
	ID         string         `json:"id"`
	Layer      string         `json:"layer"`
	Name       string         `json:"name"`
	DistanceM  *float64       `json:"distance_m,omitempty"`
	Lon        float64        `json:"lon"`
	Lat        float64        `json:"lat"`
	Properties map[string]any `json:"properties"`
}

// layerProvenance is what answers say of a layer's origin.
type layerProvenance struct {
	Title   string           `json:"title"`
	Sources []dataset.Source `json:"sources"`
}

// link is an OGC link.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}
