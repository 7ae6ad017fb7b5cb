package server

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/index"
)

// The OpenAPI 3.0.3 document of every route, built in Go so that limits
// and parameter names come from the constants the handlers use. The parts
// that depend on the data (collection ids, filterable properties) come
// from the catalog being served, when there is one.

type obj = map[string]any

// GET /openapi.json
func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	v, err := queryValues(c, paramF)
	if err != nil {
		return err
	}
	if err := jsonOnly(v); err != nil {
		return err
	}
	doc := openAPIDocument(s.baseURL(c), s.catalog.Load())
	documentLimits(doc, s.cfg.Limits)
	s.setMetaHeaders(c)
	return c.JSON(doc, mediaOpenAPI)
}

// ---- builders ----

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func queryParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema, "style": "form", "explode": false}
}

func requiredParam(p obj) obj { p["required"] = true; return p }

func pathParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

func str() obj { return obj{"type": "string"} }

func number(min, max float64) obj { return obj{"type": "number", "minimum": min, "maximum": max} }

// limitSchema: an integer from 1 to max, def when absent.
func limitSchema(def, max int) obj {
	return obj{"type": "integer", "minimum": 1, "maximum": max, "default": def}
}

func content(schemas ...any) obj {
	out := obj{}
	for i := 0; i < len(schemas); i += 2 {
		out[schemas[i].(string)] = obj{"schema": schemas[i+1]}
	}
	return out
}

var statusText = map[int]string{
	400: "Invalid or unknown parameter; the message names it.",
	404: "No such resource; the message says what exists.",
	503: "The data is being loaded; retry after the Retry-After delay.",
}

// responses is a 200 with the given content plus error statuses, all
// answered as {"error": "..."}.
func responses(desc string, ok obj, errs ...int) obj {
	out := obj{"200": obj{"description": desc, "content": ok}}
	for _, code := range errs {
		r := obj{"description": statusText[code], "content": content(mediaJSON, ref("Error"))}
		if code == 503 {
			r["headers"] = obj{"Retry-After": obj{"description": "seconds to wait", "schema": obj{"type": "integer"}}}
		}
		out[fmt.Sprint(code)] = r
	}
	return out
}

func get(id, tag, summary, desc string, params []obj, resp obj) obj {
	op := obj{"operationId": id, "tags": []string{tag}, "summary": summary, "responses": resp}
	if desc != "" {
		op["description"] = desc
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return obj{"get": op}
}

// ---- parameters of the JSON API ----

func latParam(required bool) obj {
	p := queryParam(paramLat, "Latitude, WGS84 decimal degrees (e.g. 45.76).", number(-90, 90))
	if required {
		return requiredParam(p)
	}
	return p
}

func lonParam(required bool) obj {
	p := queryParam(paramLon, "Longitude, WGS84 decimal degrees (e.g. 4.84).", number(-180, 180))
	if required {
		return requiredParam(p)
	}
	return p
}

// filterParamDoc documents each of filterParams.
func filterParamDoc(name, layersDefault string, layers []string) obj {
	switch name {
	case paramLayers:
		s := obj{"type": "string"}
		desc := "Comma-separated layer ids to search (" + layersDefault + ")."
		if len(layers) > 0 {
			desc += " Layers: " + strings.Join(layers, ", ") + "."
		}
		return queryParam(name, desc, s)
	case paramRegion:
		return queryParam(name, "INSEE region code (2 digits, e.g. 84).", obj{"type": "string", "pattern": "^[0-9AB]{2}$"})
	case paramDepartement:
		return queryParam(name, "Département code (e.g. 01, 2A, 974).", obj{"type": "string", "pattern": "^[0-9AB]{2,3}$"})
	case paramTerritoire:
		return queryParam(name, "Territoire d'industrie id (e.g. ti-8413); matched against 2018-2023 membership with period=2018-2023, else 2023-2027.", str())
	case paramEPCI:
		return queryParam(name, "SIREN of the EPCI (9 digits).", obj{"type": "string", "pattern": "^[0-9]{9}$"})
	case paramPeriod:
		return queryParam(name, "Programme period: territories of that period, communes member of a territory of that period.", obj{"type": "string", "enum": []string{index.Period2023, index.Period2018}})
	case paramCategory:
		return queryParam(name, "Category of formations (e.g. cnam, cfa_uimm) or programme of sites (e.g. france-2030-2024, pack-rebond-2020); other layers never match a category.", str())
	case paramMinSurface:
		return queryParam(name, "Keep sites of known surface at least this many hectares.", obj{"type": "number", "minimum": 0})
	case paramFields:
		return queryParam(name, "Comma-separated properties to return (default: all).", str())
	case paramFormat:
		return queryParam(name, "Response format: json (a list with a representative point) or geojson (a FeatureCollection with full geometries, application/geo+json).", obj{"type": "string", "enum": []string{"json", "geojson"}, "default": "json"})
	}
	return queryParam(name, "", str())
}

func filterParamDocs(layersDefault string, layers []string) []obj {
	out := make([]obj, 0, len(filterParams))
	for _, name := range filterParams {
		out = append(out, filterParamDoc(name, layersDefault, layers))
	}
	return out
}

// ---- the document ----

// openAPIDocument describes every route; cat may be nil (not loaded yet).
func openAPIDocument(base string, cat *Catalog) obj {
	var layers []string
	title, attribution := defaultTitle, ""
	if cat != nil {
		layers = cat.Index.Layers()
		if cat.Manifest.Title != "" {
			title = cat.Manifest.Title
		}
		attribution = cat.Manifest.Attribution
	}
	pointLayersText := "default: " + strings.Join(pointLayers, ",")
	allLayersText := "default: every layer"

	collectionID := pathParam("collectionId", "Collection id: a layer of the dataset.", str())
	if len(layers) > 0 {
		collectionID["schema"] = obj{"type": "string", "enum": layers}
	}
	featureID := pathParam("featureId", "Feature id, unique across collections. Ids may contain a slash (2023/ti-8413), sent raw or percent-encoded (2023%2Fti-8413).", str())
	fJSON := queryParam(paramF, "Response format.", obj{"type": "string", "enum": []string{"json"}, "default": "json"})
	fGeoJSON := queryParam(paramF, "Response format (GeoJSON either way).", obj{"type": "string", "enum": []string{"json", "geojson"}, "default": "json"})

	infoDesc := landingDescription + "\n\nErrors are JSON {\"error\": \"...\"}; unknown or repeated query parameters are refused (400). " +
		"On the OGC API – Features routes a limit above the maximum is capped to the maximum, as the standard asks; on /api routes it is an error."
	if attribution != "" {
		infoDesc += "\n\nData: " + attribution
	}

	paths := obj{
		// OGC API – Features
		"/": get("getLandingPage", "OGC API – Features", "Landing page",
			"JSON for programs; browsers (Accept preferring text/html) get the interactive map page; f=html gives the landing page as a small HTML page.",
			[]obj{queryParam(paramF, "Response format; default from the Accept header (JSON unless text/html is preferred).", obj{"type": "string", "enum": []string{"json", "html"}})},
			responses("The landing page.", content(mediaJSON, ref("LandingPage"), mediaHTML, str()), 400)),
		"/conformance": get("getConformanceDeclaration", "OGC API – Features", "Conformance classes implemented", "",
			[]obj{fJSON}, responses("The conformance declaration.", content(mediaJSON, ref("Conformance")), 400)),
		"/collections": get("getCollections", "OGC API – Features", "The feature collections, one per layer", "",
			[]obj{fJSON}, responses("The collections.", content(mediaJSON, ref("Collections")), 400, 503)),
		"/collections/{collectionId}": get("describeCollection", "OGC API – Features", "One collection", "",
			[]obj{collectionID, fJSON}, responses("The collection.", content(mediaJSON, ref("Collection")), 400, 404, 503)),
		"/collections/{collectionId}/items": get("getFeatures", "OGC API – Features", "Features of a collection",
			"Features in file order, paged with limit and offset (follow the next link). numberMatched counts every feature passing the filters.",
			[]obj{
				collectionID,
				queryParam(paramBBox, "Only features whose geometry intersects the box minlon,minlat,maxlon,maxlat (CRS84; six numbers are accepted, heights ignored). "+
					"Boxes across the antimeridian are not supported.", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}),
				queryParam(paramBBoxCRS, "CRS of bbox: CRS84 (CRS84h for six numbers); no other CRS is supported.", obj{"type": "string", "format": "uri", "enum": []string{crs84, crs84h}, "default": crs84}),
				queryParam(paramLimit, fmt.Sprintf("Page size, 1 to %d (default %d); a larger value is capped to %d.", maxOGCLimit, defaultOGCLimit, maxOGCLimit),
					limitSchema(defaultOGCLimit, maxOGCLimit)),
				queryParam(paramOffset, "Number of matching features to skip.", obj{"type": "integer", "minimum": 0, "maximum": maxOGCOffset, "default": 0}),
				queryParam(paramDatetime, "RFC 3339 date-time or interval (start/end, .. for an open end). Accepted and checked, but it selects nothing: "+
					"the collections have no temporal extent, and features without a temporal geometry match any datetime.", str()),
				fGeoJSON,
				propertyFiltersParam(cat),
			},
			responses("A page of features.", content(mediaGeoJSON, ref("FeatureCollection")), 400, 404, 503)),
		"/collections/{collectionId}/items/{featureId}": get("getFeature", "OGC API – Features", "One feature", "",
			[]obj{collectionID, featureID, fGeoJSON},
			responses("The feature.", content(mediaGeoJSON, ref("Feature")), 400, 404, 503)),
		"/openapi.json": get("getAPIDefinition", "Service", "This document", "",
			[]obj{fJSON}, responses("The OpenAPI 3.0 definition.", content(mediaOpenAPI, obj{"type": "object"}), 400)),

		// JSON API
		"/api/nearby": get("nearby", "API JSON", "Nearest features to a point",
			"The k features nearest to lat,lon by great-circle distance, nearest first (ties by id), with their distance.",
			append([]obj{
				latParam(true), lonParam(true),
				queryParam(paramK, fmt.Sprintf("Number of features, 1 to %d (default %d); above the maximum is an error.", maxK, defaultK), limitSchema(defaultK, maxK)),
				queryParam(paramRadiusKm, fmt.Sprintf("Search no farther than this, kilometres (above 0, at most %d; default: no limit).", maxRadiusKm), obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": maxRadiusKm}),
			}, filterParamDocs(pointLayersText, layers)...),
			responses("The features found.", apiResultsContent(), 400, 503)),
		"/api/within": get("within", "API JSON", "Features within a radius",
			"Every feature within radius_km of lat,lon, nearest first, at most limit of them; more says whether there were others.",
			append([]obj{
				latParam(true), lonParam(true),
				requiredParam(queryParam(paramRadiusKm, fmt.Sprintf("Radius in kilometres, above 0 and at most %d.", maxRadiusKm), obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": maxRadiusKm})),
				queryParam(paramLimit, fmt.Sprintf("At most this many features, 1 to %d (default %d); above the maximum is an error.", maxWithin, defaultWithin), limitSchema(defaultWithin, maxWithin)),
			}, filterParamDocs(pointLayersText, layers)...),
			responses("The features found.", apiResultsContent(), 400, 503)),
		"/api/search": get("search", "API JSON", "Search names by prefix (autocomplete)",
			"Accent- and case-insensitive prefix search on names; lat,lon biases the order towards a point.",
			append([]obj{
				requiredParam(queryParam(paramQ, fmt.Sprintf("The beginning of a name (1 to %d characters).", maxQueryRunes), obj{"type": "string", "minLength": 1, "maxLength": maxQueryRunes})),
				queryParam(paramLimit, fmt.Sprintf("At most this many results, 1 to %d (default %d); above the maximum is an error.", maxSearch, defaultSearch), limitSchema(defaultSearch, maxSearch)),
				latParam(false), lonParam(false),
			}, filterParamDocs(allLayersText, layers)...),
			responses("The features found.", apiResultsContent(), 400, 503)),
		"/api/reverse": get("reverse", "API JSON", "Commune and territories containing a point", "",
			[]obj{latParam(true), lonParam(true), filterParamDoc(paramFields, "", nil)},
			responses("The commune (null outside the Territoires d'industrie) and the territory of each period (null where none).", content(mediaJSON, ref("Reverse")), 400, 503)),
		"/api/features/{id}": get("feature", "API JSON", "One feature with its full geometry", "",
			[]obj{pathParam("id", "Feature id; may contain a slash (2023/ti-8413).", str()), filterParamDoc(paramFields, "", nil)},
			responses("The feature, with its provenance.", content(mediaGeoJSON, ref("APIFeature")), 400, 404, 503)),

		// Tiles and map
		"/tiles/{z}/{x}/{y}.{format}": get("tile", "Tuiles", "A vector tile",
			"Mapbox Vector Tile of every layer. gzip-encoded when the client accepts it; strong ETag (If-None-Match → 304); "+
				"cached for a year when v is the current data version.",
			[]obj{
				pathParam("z", fmt.Sprintf("Zoom, 0 to %d (404 outside the archive's range).", maxZoom), obj{"type": "integer", "minimum": 0, "maximum": maxZoom}),
				pathParam("x", "Column, below 2^z.", obj{"type": "integer", "minimum": 0}),
				pathParam("y", "Row, below 2^z.", obj{"type": "integer", "minimum": 0}),
				pathParam("format", "Extension.", obj{"type": "string", "enum": []string{"mvt", "pbf"}}),
				queryParam("v", "Data version (from tiles.json); makes the response immutable.", str()),
			},
			func() obj {
				r := responses("The tile.", content(MediaTypeMVT, obj{"type": "string", "format": "binary"}), 400, 404, 503)
				r["204"] = obj{"description": "Empty tile inside the zoom range."}
				r["304"] = obj{"description": "Not modified (If-None-Match)."}
				r["502"] = obj{"description": "The archive is corrupt.", "content": content(mediaJSON, ref("Error"))}
				r["503"].(obj)["description"] = "The tiles are being prepared, or the archive's storage does not answer; retry after the Retry-After delay."
				return r
			}()),
		"/tiles.json": get("tileJSON", "Tuiles", "TileJSON 3.0.0 of the vector tiles", "",
			nil, responses("TileJSON with absolute URLs and vector_layers.", content(mediaJSON, obj{"type": "object"}), 503)),
		"/style.json": get("style", "Tuiles", "Default MapLibre style", "",
			nil, responses("MapLibre style drawing every layer.", content(mediaJSON, obj{"type": "object"}), 503)),

		// Map front end
		"/embed": get("embed", "Carte", "Embeddable map page (for an iframe)",
			"Sent with Content-Security-Policy: frame-ancestors from the server's allow-list.",
			[]obj{
				queryParam("region", "Region code (INSEE, e.g. 27): shows and frames only this region.", str()),
				queryParam("departement", "Département code (e.g. 71).", str()),
				queryParam("territoire", "Territoire d'industrie id (e.g. 2023/ti-8413).", str()),
				queryParam("layers", "Comma-separated layers shown: territoires, communes, sites, formations, acv.", str()),
				queryParam("period", "Territories of 2023-2027 (default) or 2018-2023.", obj{"type": "string", "enum": []string{"2023-2027", "2018-2023"}}),
				queryParam("lang", "Interface language.", obj{"type": "string", "enum": []string{"fr", "en"}, "default": "fr"}),
				queryParam("center", "Map centre lon,lat.", str()),
				queryParam("zoom", "Zoom level.", obj{"type": "number", "minimum": 0, "maximum": 22}),
				queryParam("controls", "Show the zoom buttons and layer legend (1, default) or not (0).", obj{"type": "string", "enum": []string{"0", "1"}}),
				queryParam("search", "Show the search box (1) or not (0, default).", obj{"type": "string", "enum": []string{"0", "1"}}),
			},
			responses("The page (HTML).", content(mediaHTML, str()))),
		"/embed/docs": get("embedDocs", "Carte", "How to embed the map (HTML page)",
			"Copy-paste snippets (widget.js, <div data-…>, iframe) with this server's address, every /embed parameter, the frame-ancestors allow-list, and a live preview.",
			[]obj{queryParam("lang", "Page language.", obj{"type": "string", "enum": []string{"fr", "en"}, "default": "fr"})},
			responses("The page (HTML).", content(mediaHTML, str()))),
		"/widget.js": get("widget", "Carte", "One-line embed script",
			"<script src=\".../widget.js\" data-region=\"27\" async></script> inserts a responsive, lazy-loaded iframe of /embed; data-* attributes are the /embed parameters.",
			nil, responses("JavaScript.", content("text/javascript", str()))),
		"/static/{path}": get("asset", "Carte", "Files of the map pages (JavaScript modules, CSS, fonts, icons)",
			"Under /static/<version>/ the files are cached a year (immutable).",
			[]obj{pathParam("path", "File path, optionally after the assets version.", str())},
			responses("The file.", content("application/octet-stream", obj{"type": "string", "format": "binary"}), 404)),

		// Service
		"/healthz": get("healthz", "Service", "Liveness", "",
			nil, responses("The process is alive.", content(mediaJSON, ref("Status")))),
		"/readyz": get("readyz", "Service", "Readiness", "200 once the tiles are open and the data indexed, 503 before and while the archive's storage does not answer. "+
			"A failed reload leaves it ready (the old data is served) and shows in last_reload_error.",
			nil, func() obj {
				r := responses("Ready.", content(mediaJSON, ref("Status")))
				r["503"] = obj{"description": "Starting, or the archive's storage does not answer (see error and storage).", "content": content(mediaJSON, ref("Status"))}
				return r
			}()),
		"/metrics": get("metrics", "Service", "Prometheus metrics", "",
			nil, responses("Metrics in the Prometheus text format.", content("text/plain", str()))),
	}

	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       title,
			"description": infoDesc,
			"version":     "1.0.0",
		},
		"servers": []obj{{"url": base}},
		"tags": []obj{
			{"name": "OGC API – Features", "description": "OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0), usable by QGIS and GDAL."},
			{"name": "API JSON", "description": "Search API, parameters after geo.api.gouv.fr."},
			{"name": "Tuiles", "description": "Vector tiles and map style."},
			{"name": "Carte", "description": "The interactive map, its embeddable page and widget script."},
			{"name": "Service", "description": "Health, readiness, metrics, this document."},
		},
		"paths":      paths,
		"components": obj{"schemas": schemas()},
	}
}

// propertyFiltersParam documents name=value filters: their names depend
// on the collection, so they are one free-form object parameter.
func propertyFiltersParam(cat *Catalog) obj {
	var b strings.Builder
	b.WriteString("Property filters name=value, exact match (all must hold): any property declared in the collection's schema; " +
		"integer and number values compare numerically, booleans are true or false. A parameter not listed here is refused (400).")
	if cat != nil {
		b.WriteString(" Properties by collection:")
		for _, id := range cat.Index.Layers() {
			l, _ := layerInfo(cat, id)
			var fields []string
			for _, f := range l.Fields {
				fields = append(fields, f.Name+" ("+string(f.Type)+")")
			}
			sort.Strings(fields)
			fmt.Fprintf(&b, "\n- %s: %s", l.ID, strings.Join(fields, ", "))
		}
	}
	return obj{
		"name": "properties", "in": "query", "required": false, "description": b.String(),
		"style": "form", "explode": true,
		"schema": obj{"type": "object", "additionalProperties": obj{"type": "string"}},
	}
}

func apiResultsContent() obj {
	return content(mediaJSON, ref("APIResults"), mediaGeoJSON, ref("APIFeatureCollection"))
}

func schemas() obj {
	linkSchema := obj{"type": "object", "required": []string{"href", "rel"}, "properties": obj{
		"href": str(), "rel": str(), "type": str(), "title": str(),
	}}
	links := obj{"type": "array", "items": ref("Link")}
	geometry := obj{"type": "object", "required": []string{"type", "coordinates"}, "properties": obj{
		"type":        obj{"type": "string", "enum": []string{"Point", "MultiPoint", "Polygon", "MultiPolygon"}},
		"coordinates": obj{"type": "array", "items": obj{}},
	}}
	feature := func(extra obj) obj {
		props := obj{
			"type":       obj{"type": "string", "enum": []string{"Feature"}},
			"id":         str(),
			"geometry":   ref("Geometry"),
			"properties": obj{"type": "object", "description": "The layer's properties, plus layer (the layer id) and name."},
		}
		for k, v := range extra {
			props[k] = v
		}
		return obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": props}
	}
	source := obj{"type": "object", "properties": obj{"name": str(), "url": str(), "licence": str(), "vintage": str(), "note": str()}}
	provenance := obj{"type": "object", "description": "Origin of each layer present, by layer id.",
		"additionalProperties": obj{"type": "object", "properties": obj{"title": str(), "sources": obj{"type": "array", "items": ref("Source")}}}}
	apiFeature := obj{"type": "object", "properties": obj{
		"id": str(), "layer": str(), "name": str(),
		"distance_m": obj{"type": "number", "description": "Great-circle distance in metres, when the query has a point."},
		"lon":        obj{"type": "number"}, "lat": obj{"type": "number"},
		"properties": obj{"type": "object"},
	}}
	common := obj{
		"attribution": str(), "provenance": ref("Provenance"), "count": obj{"type": "integer"},
		"data_version": str(), "query": obj{"type": "object"}, "more": obj{"type": "boolean", "description": "within only: whether more features were in the radius."},
	}
	withCommon := func(extra obj) obj {
		p := obj{}
		for k, v := range common {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		return obj{"type": "object", "properties": p}
	}
	return obj{
		"Error":    obj{"type": "object", "required": []string{"error"}, "properties": obj{"error": str()}},
		"Link":     linkSchema,
		"Geometry": geometry,
		"Source":   source,
		"LandingPage": obj{"type": "object", "required": []string{"links"}, "properties": obj{
			"title": str(), "description": str(), "attribution": str(), "links": links,
		}},
		"Conformance": obj{"type": "object", "required": []string{"conformsTo"}, "properties": obj{
			"conformsTo": obj{"type": "array", "items": str()},
		}},
		"Collection": obj{"type": "object", "required": []string{"id", "links"}, "properties": obj{
			"id": str(), "title": str(), "description": str(),
			"extent": obj{"type": "object", "properties": obj{"spatial": obj{"type": "object", "properties": obj{
				"bbox": obj{"type": "array", "items": obj{"type": "array", "minItems": 4, "maxItems": 4, "items": obj{"type": "number"}}},
				"crs":  obj{"type": "string", "enum": []string{crs84}},
			}}}},
			"itemType": obj{"type": "string", "enum": []string{"feature"}},
			"crs":      obj{"type": "array", "items": str()},
			"sources":  obj{"type": "array", "items": ref("Source")},
			"links":    links,
		}},
		"Collections": obj{"type": "object", "required": []string{"links", "collections"}, "properties": obj{
			"links": links, "collections": obj{"type": "array", "items": ref("Collection")},
		}},
		"Feature": feature(obj{"links": links}),
		"FeatureCollection": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
			"type":           obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features":       obj{"type": "array", "items": ref("Feature")},
			"numberMatched":  obj{"type": "integer", "minimum": 0},
			"numberReturned": obj{"type": "integer", "minimum": 0},
			"timeStamp":      obj{"type": "string", "format": "date-time"},
			"links":          links,
		}},
		"Provenance": provenance,
		"APIFeature": feature(obj{"provenance": ref("Provenance"), "attribution": str()}),
		"APIResults": withCommon(obj{"results": obj{"type": "array", "items": apiFeature}}),
		"APIFeatureCollection": withCommon(obj{
			"type":     obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features": obj{"type": "array", "items": feature(nil)},
		}),
		"Reverse": obj{"type": "object", "properties": obj{
			"query":        obj{"type": "object"},
			"commune":      obj{"nullable": true, "allOf": []obj{{"type": "object"}}, "description": "The commune, as an API result, or null."},
			"territoires":  obj{"type": "object", "description": "By period (" + index.Period2023 + ", " + index.Period2018 + "): the territory, or null."},
			"note":         str(),
			"attribution":  str(),
			"provenance":   ref("Provenance"),
			"data_version": str(),
		}},
		"Status": obj{"type": "object", "properties": obj{
			"status": str(), "error": str(), "version": str(), "data_version": str(),
			"loaded_at": obj{"type": "string", "format": "date-time"},
			"last_reload_error": obj{"type": "object", "properties": obj{
				"error": str(), "at": obj{"type": "string", "format": "date-time"},
			}},
			"storage": obj{"type": "object", "properties": obj{
				"status": obj{"type": "string", "enum": []string{"ok", "unavailable"}}, "error": str(),
				"since": obj{"type": "string", "format": "date-time"},
			}},
		}},
	}
}
