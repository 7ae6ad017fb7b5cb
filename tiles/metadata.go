package tiles

import (
	"slices"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// metadata is the archive's JSON metadata: TileJSON-style vector_layers
// (id, fields, zoom range) plus each layer's provenance, so that whoever
// holds the archive knows where every layer comes from and its licence.
func metadata(ds *dataset.Dataset, opts Options) (map[string]any, error) {
	var vectorLayers []any
	provenance := map[string]any{}
	for _, l := range ds.Layers {
		lz := opts.Layers[l.Info.ID]
		fields := map[string]any{PropID: "String"}
		for _, f := range l.Info.Fields {
			if lz.Fields == nil || slices.Contains(lz.Fields, f.Name) {
				fields[f.Name] = mvtFieldType(f.Type)
			}
		}
		if l.Info.Geometry == dataset.GeometryPoint && lz.ClusterBelow > 0 {
			fields[PropCluster] = "Boolean"
			fields[PropPointCount] = "Number"
			fields["departement"] = "String" // clusters carry the place their members share
			fields["region"] = "String"
		}
		vectorLayers = append(vectorLayers, map[string]any{
			"id":          l.Info.ID,
			"description": l.Info.Title,
			"minzoom":     lz.MinZoom,
			"maxzoom":     lz.MaxZoom,
			"fields":      fields,
		})
		if lz.Labels != nil && l.Info.Geometry == dataset.GeometryPolygon {
			vectorLayers = append(vectorLayers, map[string]any{
				"id":          layers.LabelLayer(l.Info.ID),
				"description": l.Info.Title + " : points d'étiquette (un par entité, dans sa plus grande partie) / label points",
				"minzoom":     lz.Labels.MinZoom,
				"maxzoom":     lz.Labels.MaxZoom,
				"fields":      fields,
			})
		}
		sources := make([]any, 0, len(l.Info.Sources))
		for _, s := range l.Info.Sources {
			sources = append(sources, s)
		}
		provenance[l.Info.ID] = map[string]any{
			"title":   l.Info.Title,
			"count":   l.Info.Count,
			"sources": sources,
			"skipped": l.Info.Skipped,
		}
	}
	return map[string]any{
		"name":          ds.Manifest.Title,
		"description":   "Territoires d'industrie, communes industrielles, sites clés en main, centres de formation, Action cœur de ville",
		"attribution":   ds.Manifest.Attribution,
		"type":          "overlay",
		"format":        "pbf",
		"version":       ds.Version,
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
