package tiles

import (
	"slices"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// metadata is the archive's JSON metadata: TileJSON-style vector_layers
// (id, fields, zoom range) plus each layer's provenance, so that whoever
// holds the archive knows where every layer comes from and its licence.
func metadata(m dataset.Manifest, version string, opts Options) (map[string]any, error) {
	var vectorLayers []any
	provenance := map[string]any{}
	for _, info := range m.Layers {
		lz := opts.Layers[info.ID]
		fields := map[string]any{PropID: "String"}
		for _, f := range info.Fields {
			if lz.Fields == nil || slices.Contains(lz.Fields, f.Name) {
				fields[f.Name] = mvtFieldType(f.Type)
			}
		}
		if info.Geometry == dataset.GeometryPoint && lz.ClusterBelow > 0 {
			fields[PropCluster] = "Boolean"
			fields[PropPointCount] = "Number"
			fields["departement"] = "String" // clusters carry the place their members share
			fields["region"] = "String"
		}
		vectorLayers = append(vectorLayers, map[string]any{
			"id":          info.ID,
			"description": info.Title,
			"minzoom":     lz.MinZoom,
			"maxzoom":     lz.MaxZoom,
			"fields":      fields,
		})
		if lz.Labels != nil && info.Geometry == dataset.GeometryPolygon {
			vectorLayers = append(vectorLayers, map[string]any{
				"id":          layers.LabelLayer(info.ID),
				"description": info.Title + " : points d'étiquette (un par entité, dans sa plus grande partie) / label points",
				"minzoom":     lz.Labels.MinZoom,
				"maxzoom":     lz.Labels.MaxZoom,
				"fields":      fields,
			})
		}
		sources := make([]any, 0, len(info.Sources))
		for _, s := range info.Sources {
			sources = append(sources, s)
		}
		provenance[info.ID] = map[string]any{
			"title":   info.Title,
			"count":   info.Count,
			"sources": sources,
			"skipped": info.Skipped,
		}
	}
	return map[string]any{
		"name":          m.Title,
		"description":   "Territoires d'industrie, communes industrielles, sites clés en main, centres de formation, Action cœur de ville",
		"attribution":   m.Attribution,
		"type":          "overlay",
		"format":        "pbf",
		"version":       version,
		"generator":     Generator,
		"vector_layers": vectorLayers,
		"provenance":    provenance,
	}, nil
}

func mvtFieldType(t dataset.FieldType) string {
	switch t {
	case dataset.TypeNumber, dataset.TypeInteger:
		return "Number"
	case dataset.TypeBoolean:
		return "Boolean"
	}
	return "String"
}

// Generator names the builder in an archive's metadata; with it, the
// metadata "version" is the data version the archive was built from.
const Generator = "territoires build"
