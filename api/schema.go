package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/dataset"
)

// OGC API – Features, Part 5 (Schemas): each collection publishes the
// schema of its features, so that a client (GDAL, QGIS, a generated
// client) knows every property's type and the geometry type before it
// reads a feature, instead of guessing them from a first page.
//
// The same resource has two profiles:
//   - the logical schema of Part 5 (the default): one member per property,
//     the id and the geometry marked with x-ogc-role; linked from the
//     collection with Part 5's "schema" relation.
//   - profile=geojson: a JSON Schema that validates the GeoJSON features
//     that /items sends (type, id, geometry, properties). This is what the
//     collection's describedby link points at, and what GDAL up to 3.8 reads
//     (it expects the GeoJSON shape and compares the relation as written
//     "describedBy", which RFC 8288 makes the same relation).
const (
	mediaJSONSchema = "application/schema+json"
	relSchema       = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	relDescribedBy  = "describedBy"
	jsonSchema2020  = "https://json-schema.org/draft/2020-12/schema"
	paramProfile    = "profile"
	profileGeoJSON  = "geojson"
)

// Conformance classes of Part 5 that the schemas satisfy.
const (
	confSchemas           = "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas"
	confCoreRolesFeatures = "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features"
)

// schemaLinks are a collection's links to its two schema profiles.
func schemaLinks(self, title string) []Link {
	return []Link{
		{Href: self + "/schema", Rel: relSchema, Type: mediaJSONSchema, Title: "schema of " + title + " (OGC API – Features Part 5)"},
		{Href: self + "/schema?" + paramProfile + "=" + profileGeoJSON, Rel: relDescribedBy, Type: mediaJSONSchema, Title: "JSON Schema of the GeoJSON features of " + title},
	}
}

// GET /collections/{collectionId}/schema
func (a *API) handleSchema(c *fiber.Ctx) error {
	cat, l, err := a.collection(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramF, paramProfile)
	if err != nil {
		return err
	}
	if err := jsonOnly(v); err != nil {
		return err
	}
	self := collectionURL(a.cfg.Links.Base(c), l.ID) + "/schema"
	var doc Obj
	switch p := v.Get(paramProfile); p {
	case "":
		doc = logicalSchema(self, l, cat.geometryTypes[l.ID])
	case profileGeoJSON:
		doc = geoJSONFeatureSchema(self+"?"+paramProfile+"="+profileGeoJSON, l, cat.geometryTypes[l.ID])
	default:
		return badRequest("profile=%q is not served; leave it out for the OGC API – Features Part 5 schema, or use profile=%s", p, profileGeoJSON)
	}
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(doc, mediaJSONSchema)
}

// schemaProperties describes the members of an OGC feature's properties:
// those every answer carries (layer, name) and the layer's fields, with
// the list of those always present. A property without a value is left
// out of the answer, never sent as null, so each property has one type.
// x-ogc-propertySeq gives the manifest's order, which JSON objects lose
// (QGIS shows the fields in that order).
func schemaProperties(l dataset.LayerInfo) (props Obj, required []string) {
	props = Obj{"layer": Obj{"type": "string", "enum": []string{l.ID}, "description": "the collection (layer) of the feature", "x-ogc-propertySeq": 1}}
	required = []string{"layer"}
	for i, f := range l.Fields {
		p := Obj{"type": string(f.Type), "x-ogc-propertySeq": i + 2}
		if f.Description != "" {
			p["description"] = f.Description
		}
		props[f.Name] = p
		if f.Required {
			required = append(required, f.Name)
		}
	}
	slices.Sort(required)
	return props, required
}

// logicalSchema is the Part 5 schema of the layer's features: the
// properties, the id (role "id") and the geometry (role
// "primary-geometry", with its one type as OGC answers give it).
func logicalSchema(id string, l dataset.LayerInfo, geometryType string) Obj {
	props, required := schemaProperties(l)
	// Fields may not take these names (dataset.ReservedFields).
	props["id"] = Obj{"type": "string", "x-ogc-role": "id", "description": "feature id, unique across collections", "x-ogc-propertySeq": 0}
	props["geometry"] = Obj{"x-ogc-role": "primary-geometry", "format": geometryFormat(l, geometryType)}
	return Obj{
		"$schema":     jsonSchema2020,
		"$id":         id,
		"type":        "object",
		"title":       l.Title,
		"description": l.Description,
		"properties":  props,
		"required":    required,
	}
}

// geoJSONFeatureSchema validates the layer's GeoJSON features as the OGC
// items and item answers send them.
func geoJSONFeatureSchema(id string, l dataset.LayerInfo, geometryType string) Obj {
	props, required := schemaProperties(l)
	return Obj{
		"$schema":     jsonSchema2020,
		"$id":         id,
		"type":        "object",
		"title":       l.Title + " (GeoJSON feature)",
		"description": l.Description,
		"required":    []string{"type", "id", "geometry", "properties"},
		"properties": Obj{
			"type":     Obj{"type": "string", "enum": []string{"Feature"}},
			"id":       Obj{"type": "string"},
			"geometry": geoJSONGeometrySchema(l, geometryType),
			// Closed: the answers hold the layer's fields and nothing else.
			"properties": Obj{"type": "object", "properties": props, "required": required, "additionalProperties": false},
		},
	}
}

// geometryFormat is Part 5's format of the primary geometry:
// geometry-<type> for the layer's one type, or the pair it may hold when
// the layer has no feature to tell.
func geometryFormat(l dataset.LayerInfo, geometryType string) string {
	if geometryType != "" {
		return "geometry-" + strings.ToLower(geometryType)
	}
	if l.Geometry == dataset.GeometryPoint {
		return "geometry-point-or-multipoint"
	}
	return "geometry-polygon-or-multipolygon"
}

// geoJSONGeometrySchema validates a GeoJSON geometry of the layer's type
// (or of either of its two types when the layer is empty).
func geoJSONGeometrySchema(l dataset.LayerInfo, geometryType string) Obj {
	types := []string{geometryType}
	if geometryType == "" {
		types = []string{"Polygon", "MultiPolygon"}
		if l.Geometry == dataset.GeometryPoint {
			types = []string{"Point", "MultiPoint"}
		}
	}
	var alternatives []any
	for _, t := range types {
		alternatives = append(alternatives, Obj{
			"type":     "object",
			"required": []string{"type", "coordinates"},
			"properties": Obj{
				"type":        Obj{"type": "string", "enum": []string{t}},
				"coordinates": coordinatesSchema(t),
			},
		})
	}
	if len(alternatives) == 1 {
		return alternatives[0].(Obj)
	}
	return Obj{"oneOf": alternatives}
}

// coordinatesSchema validates the coordinates of a geometry type: a
// position (longitude, latitude, optional height) inside as many arrays as
// the type nests, a polygon's rings closing on at least four positions.
func coordinatesSchema(geometryType string) Obj {
	s := Obj{"type": "array", "minItems": 2, "maxItems": 3, "items": Obj{"type": "number"}}
	wrap := func(minItems int) { s = Obj{"type": "array", "minItems": minItems, "items": s} }
	switch geometryType {
	case "MultiPoint":
		wrap(1)
	case "Polygon":
		wrap(4)
		wrap(1)
	case "MultiPolygon":
		wrap(4)
		wrap(1)
		wrap(1)
	}
	return s
}
