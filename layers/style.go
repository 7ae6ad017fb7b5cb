package layers

import (
	"slices"
)

// StyleLayer is one MapLibre style layer drawing a registry layer.
type StyleLayer struct {
	ID   string // e.g. "sites-circle"
	Type string // fill, line, circle
	// Z orders the style layers of every registry layer, bottom first:
	// fills, then lines, then points, whatever the registry order.
	Z int
	// MinZoom and MaxZoom bound where it is drawn (0: no bound).
	MinZoom, MaxZoom float64
	// Filter is the style layer's own filter; the map adds the visitor's
	// choices (period, place, territory) to it.
	Filter []any
	Paint  map[string]any
	Layout map[string]any
	// Role says what the map does with it; RoleFeatures by default.
	Role string
	// Click: a click on it opens the feature's popup.
	Click bool
	// Labels: it draws the layer's label points (LabelLayer), not its
	// features.
	Labels bool
}

// Roles of a style layer in the map page.
const (
	// RoleFeatures draws the layer's features: the map filters them by the
	// visitor's period, place and territory, and hides them with the layer.
	RoleFeatures = ""
	// RoleClusters draws clusters of points: filtered by place only
	// (clusters carry the département and region their members share).
	RoleClusters = "clusters"
	// RoleLand fills the land: the map dims it outside the chosen region.
	RoleLand = "land"
	// RoleSelection outlines the chosen feature (a département): hidden
	// until one is chosen.
	RoleSelection = "selection"
	// RoleBase is drawn as it is, whatever the visitor chooses.
	RoleBase = "base"
)

// SourceID is the style's one vector source.
const SourceID = "territoires"

// StyleInput is what the style needs besides the registry.
type StyleInput struct {
	TileJSONURL string
	Attribution string
	Center      [2]float64 // lon, lat
	Zoom        float64
	// DataVersion names the data drawn (metadata "territoires:version").
	DataVersion string
	// Map is the front end's description of the layers and places
	// (metadata "territoires:map"), see MapDocument.
	Map any
	// FontFaces maps each font of the labels (FontRegular, FontBold) to the
	// URL of its file; MapLibre draws the labels with them.
	FontFaces map[string]string
}

// Style is the default MapLibre style (v8): every style layer of the
// registry over a plain background, with no external basemap, sprite or
// glyph server (the labels' fonts are font-faces, our own files). The map
// page reads the registry from its metadata.
func Style(r Registry, in StyleInput) map[string]any {
	type placed struct {
		StyleLayer
		source string
	}
	var all []placed
	for _, l := range r {
		for _, s := range l.Style {
			all = append(all, placed{s, l.ID})
		}
	}
	slices.SortStableFunc(all, func(a, b placed) int { return a.Z - b.Z })
	out := []any{map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#dfe9f5"}}}
	for _, p := range all {
		sourceLayer := p.source
		if p.Labels {
			sourceLayer = LabelLayer(p.source)
		}
		l := map[string]any{"id": p.ID, "type": p.Type, "source": SourceID, "source-layer": sourceLayer, "paint": p.Paint}
		if p.MinZoom > 0 {
			l["minzoom"] = p.MinZoom
		}
		if p.MaxZoom > 0 {
			l["maxzoom"] = p.MaxZoom
		}
		if p.Filter != nil {
			l["filter"] = p.Filter
		}
		if p.Layout != nil {
			l["layout"] = p.Layout
		}
		out = append(out, l)
	}
	metadata := map[string]any{"territoires:version": in.DataVersion}
	if in.Map != nil {
		metadata["territoires:map"] = in.Map
	}
	style := map[string]any{
		"version":  8,
		"name":     "Territoires d'industrie",
		"metadata": metadata,
		"center":   []float64{in.Center[0], in.Center[1]},
		"zoom":     in.Zoom,
		"sources": map[string]any{
			SourceID: map[string]any{"type": "vector", "url": in.TileJSONURL, "attribution": in.Attribution},
		},
		"layers": out,
	}
	if len(in.FontFaces) > 0 {
		style["font-faces"] = in.FontFaces
	}
	return style
}
