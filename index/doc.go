// Package index will hold the in-memory spatial index (tidwall/rtree) and
// the text index behind the search API: nearby, radius, bbox, filters,
// autocomplete and reverse geocoding (point → commune and territory).
package index
