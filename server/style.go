package server

// sourceID is the style's one vector source.
const sourceID = "territoires"

// defaultStyle is a MapLibre style (v8) that draws every layer of the
// archive with no external basemap, sprite or font: regions and
// départements are the base map, and there are no text labels (they would
// need a glyph server).
func defaultStyle(base string, ts *Tileset) map[string]any {
	attribution, _ := ts.metadata["attribution"].(string)
	period2023 := []any{"==", []any{"get", "period"}, "2023-2027"}
	notCluster := []any{"!", []any{"has", "point_count"}}
	isCluster := []any{"has", "point_count"}
	layer := func(id, typ, sourceLayer string, minzoom int, paint map[string]any, filter []any) map[string]any {
		l := map[string]any{"id": id, "type": typ, "source": sourceID, "source-layer": sourceLayer, "paint": paint}
		if minzoom > 0 {
			l["minzoom"] = minzoom
		}
		if filter != nil {
			l["filter"] = filter
		}
		return l
	}
	// From this zoom the land is drawn by départements, below by regions.
	const departementsFrom = 5
	maxZoom := func(l map[string]any, z int) map[string]any { l["maxzoom"] = z; return l }
	return map[string]any{
		"version": 8,
		"name":    "Territoires d'industrie",
		"metadata": map[string]any{
			"territoires:version": ts.Version,
		},
		"center": []float64{e7(ts.reader.Header.CenterLonE7), e7(ts.reader.Header.CenterLatE7)},
		"zoom":   ts.reader.Header.CenterZoom,
		"sources": map[string]any{
			sourceID: map[string]any{
				"type":        "vector",
				"url":         base + "/tiles.json",
				"attribution": attribution,
			},
		},
		// Borders are mostly fill outlines (one-pixel lines drawn from the
		// fill's own triangulation) rather than line layers: a line layer
		// extrudes every vertex again in the workers and is the most
		// expensive layer to draw in software WebGL, and the first view of
		// France draws some 40,000 border vertices. Line layers remain where
		// a border must be thicker than a pixel: regions, and territories
		// from z7 where communes are drawn inside them.
		"layers": []any{
			map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#dfe9f5"}},
			// No outline: regions-line draws these edges.
			maxZoom(layer("regions-fill", "fill", "regions", 0, map[string]any{"fill-color": "#f6f6f6", "fill-antialias": false}, nil), departementsFrom),
			// The land from z5: each département a fill outlined in grey.
			layer("departements-fill", "fill", "departements", departementsFrom, map[string]any{
				"fill-color": "#f6f6f6", "fill-outline-color": "#b4b4b4",
			}, nil),
			// The translucent colour is in fill-color, not fill-opacity, which
			// would also fade the outline.
			layer("territoires-fill", "fill", "territoires", 0, map[string]any{
				"fill-color": "rgba(106, 106, 244, 0.25)", "fill-outline-color": "#000091",
			}, period2023),
			layer("communes-fill", "fill", "communes", 7, map[string]any{
				"fill-color":   []any{"case", []any{"==", []any{"get", "in_ti_2023"}, true}, "#8585f6", "#cacafb"},
				"fill-opacity": 0.35,
			}, nil),
			layer("communes-line", "line", "communes", 9, map[string]any{"line-color": "#6a6af4", "line-width": 0.4}, nil),
			layer("territoires-line", "line", "territoires", 7, map[string]any{"line-color": "#000091", "line-width": 1.2}, period2023),
			layer("regions-line", "line", "regions", 0, map[string]any{"line-color": "#3a3a3a", "line-width": 1.2}, nil),
			layer("acv-circle", "circle", "acv", 4, map[string]any{
				"circle-color": "#fc5d00", "circle-radius": 4, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
			}, nil),
			layer("formations-cluster", "circle", "formations", 4, map[string]any{
				"circle-color":        "#009081",
				"circle-opacity":      0.8,
				"circle-radius":       []any{"step", []any{"get", "point_count"}, 6, 10, 9, 50, 13, 200, 18},
				"circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
			}, isCluster),
			layer("formations-circle", "circle", "formations", 4, map[string]any{
				"circle-color": "#009081", "circle-radius": 3.5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.8,
			}, notCluster),
			layer("sites-circle", "circle", "sites", 0, map[string]any{
				"circle-color": "#e1000f", "circle-radius": 6, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
			}, nil),
		},
	}
}
