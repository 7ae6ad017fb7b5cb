package api

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/layers"
)

// The OpenAPI 3.0.3 document of every route, built from the route table:
// each route carries its own operation, written in Go next to the
// constants its handler uses. The parts that depend on the data
// (collection ids, filterable properties) come from the catalog being
// served, when there is one.

// Obj is a JSON object of the OpenAPI document.
type Obj = map[string]any

// DocContext is what a route's documentation may depend on.
type DocContext struct {
	Base     string
	Catalog  *Catalog // nil until the data is indexed
	Registry layers.Registry
}

// layerIDs are the catalog's layers, nil before it is loaded.
func (d DocContext) layerIDs() []string {
	if d.Catalog == nil {
		return nil
	}
	return d.Catalog.Index.Layers()
}

// RateLimits says which budgets are limited, so that the document lists
// the 401 and 429 answers where they can happen.
type RateLimits struct {
	API, Tiles bool
	// KeyHeader is the request header of the optional API key.
	KeyHeader string
}

// GET /openapi.json
func (a *API) handleOpenAPI(c *fiber.Ctx) error {
	if err := onlyJSONFormat(c); err != nil {
		return err
	}
	doc := Document(a.cfg.Routes(), DocContext{Base: a.cfg.Links.Base(c), Catalog: a.catalog.Load(), Registry: a.cfg.Registry}, a.cfg.RateLimits)
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(doc, mediaOpenAPI)
}

// Document is the OpenAPI document of routes.
func Document(routes []Route, ctx DocContext, limits RateLimits) Obj {
	title, attribution := defaultTitle, ""
	if cat := ctx.Catalog; cat != nil {
		if cat.Manifest.Title != "" {
			title = cat.Manifest.Title
		}
		attribution = cat.Manifest.Attribution
	}
	infoDesc := landingDescription + "\n\nErrors are JSON {\"error\": \"...\"}; unknown or repeated query parameters are refused (400). " +
		"On the OGC API – Features routes a limit above the maximum is capped to the maximum, as the standard asks; on /api routes it is an error."
	if attribution != "" {
		infoDesc += "\n\nData: " + attribution
	}
	paths := Obj{}
	for _, r := range routes {
		if r.Doc == "" || r.Operation == nil {
			continue
		}
		op := r.Operation(ctx)
		documentLimits(op, r.Budget, limits)
		paths[r.Doc] = Obj{"get": op}
	}
	components := Obj{"schemas": schemas()}
	components["securitySchemes"] = Obj{"ApiKey": Obj{
		"type": "apiKey", "in": "header", "name": limits.KeyHeader,
		"description": "Optional: a key given by the operator raises the API rate limit; without it the anonymous limits apply.",
	}}
	return Obj{
		"openapi": "3.0.3",
		"info": Obj{
			"title":       title,
			"description": infoDesc,
			"version":     "1.0.0",
		},
		"servers": []Obj{{"url": ctx.Base}},
		"tags": []Obj{
			{"name": TagOGC, "description": "OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) and Part 5 (Schemas), usable by QGIS and GDAL."},
			{"name": TagAPI, "description": "Search API, parameters after geo.api.gouv.fr."},
			{"name": TagTiles, "description": "Vector tiles and map style."},
			{"name": TagMap, "description": "The interactive map, its embeddable page and widget script."},
			{"name": TagService, "description": "Health, readiness, metrics, this document."},
		},
		"paths":      paths,
		"components": components,
	}
}

// Tags of the operations.
const (
	TagOGC     = "OGC API – Features"
	TagAPI     = "API JSON"
	TagTiles   = "Tuiles"
	TagMap     = "Carte"
	TagService = "Service"
)

// documentLimits adds to an operation what the server's protections may
// answer on every route (400 for a path or query that is not UTF-8, 414
// for an overlong query), its security (the optional API key of the API
// routes and their 401, none elsewhere) and the 429 of every
// rate-limited route.
func documentLimits(op Obj, b Budget, l RateLimits) {
	tooMany := Obj{
		"description": "Rate limit reached; the message names it. Retry after the Retry-After delay.",
		"headers":     Obj{"Retry-After": Obj{"description": "seconds until the client's window ends", "schema": Obj{"type": "integer"}}},
		"content":     Content(mediaJSON, Ref("Error")),
	}
	resps := op["responses"].(Obj)
	// Every route refuses what no route can use, before its own checks.
	if _, ok := resps["400"]; !ok {
		resps["400"] = Obj{"description": "The path or the query string is not valid UTF-8 once percent-decoded.", "content": Content(mediaJSON, Ref("Error"))}
	}
	resps["414"] = Obj{"description": "The query string is longer than the server accepts.", "content": Content(mediaJSON, Ref("Error"))}
	switch b {
	case BudgetAPI:
		// Either no key (anonymous) or a valid key.
		op["security"] = []Obj{{}, {"ApiKey": []string{}}}
		resps["401"] = Obj{
			"description": "Unknown " + l.KeyHeader + " (send no key to use the anonymous limits).",
			"content":     Content(mediaJSON, Ref("Error")),
		}
		if l.API {
			resps["429"] = tooMany
		}
	case BudgetTiles:
		op["security"] = []Obj{} // public: an API key changes nothing
		if l.Tiles {
			resps["429"] = tooMany
		}
	default:
		op["security"] = []Obj{}
	}
}

// ---- builders ----

// Ref points to a schema of the document's components.
func Ref(name string) Obj { return Obj{"$ref": "#/components/schemas/" + name} }

// QueryParam documents an optional query parameter.
func QueryParam(name, desc string, schema Obj) Obj {
	return Obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema, "style": "form", "explode": false}
}

// RequiredParam marks a parameter required.
func RequiredParam(p Obj) Obj { p["required"] = true; return p }

// PathParam documents a path parameter.
func PathParam(name, desc string, schema Obj) Obj {
	return Obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

// Str is the string schema.
func Str() Obj { return Obj{"type": "string"} }

// Number is a number schema from min to max.
func Number(min, max float64) Obj { return Obj{"type": "number", "minimum": min, "maximum": max} }

// LimitSchema is an integer from 1 to max, def when absent.
func LimitSchema(def, max int) Obj {
	return Obj{"type": "integer", "minimum": 1, "maximum": max, "default": def}
}

// Content maps media types to schemas: Content(type1, schema1, type2, …).
func Content(schemas ...any) Obj {
	out := Obj{}
	for i := 0; i < len(schemas); i += 2 {
		out[schemas[i].(string)] = Obj{"schema": schemas[i+1]}
	}
	return out
}

var statusText = map[int]string{
	400: "Invalid or unknown parameter; the message names it.",
	404: "No such resource; the message says what exists.",
	503: "The data is being loaded; retry after the Retry-After delay.",
}

// Responses is a 200 with the given content plus error statuses, all
// answered as {"error": "..."}.
func Responses(desc string, ok Obj, errs ...int) Obj {
	out := Obj{"200": Obj{"description": desc, "content": ok}}
	for _, code := range errs {
		r := Obj{"description": statusText[code], "content": Content(mediaJSON, Ref("Error"))}
		if code == 503 {
			r["headers"] = Obj{"Retry-After": Obj{"description": "seconds to wait", "schema": Obj{"type": "integer"}}}
		}
		out[fmt.Sprint(code)] = r
	}
	return out
}

// Op is a GET operation.
func Op(id, tag, summary, desc string, params []Obj, resp Obj) Obj {
	op := Obj{"operationId": id, "tags": []string{tag}, "summary": summary, "responses": resp}
	if desc != "" {
		op["description"] = desc
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return op
}

// versionParam is the v= of the provenance documents.
func versionParam() Obj {
	return QueryParam(paramVersion, "Data version, as the hrefs of list answers carry it: the answer is then cached for good (immutable); without it, or with another, 300 s.", Str())
}

// provenanceResponses are those of the provenance documents: cacheable,
// with a weak ETag (If-None-Match → 304).
func provenanceResponses(desc string, schema Obj, errs ...int) Obj {
	r := Responses(desc, Content(mediaJSON, schema), errs...)
	r["200"].(Obj)["headers"] = Obj{"ETag": Obj{"description": "Weak entity tag of the document.", "schema": Str()}}
	r["304"] = Obj{"description": "Not modified (If-None-Match)."}
	return r
}

// ---- parameters of the JSON API ----

func latParam(required bool) Obj {
	p := QueryParam(paramLat, "Latitude, WGS84 decimal degrees (e.g. 45.76).", Number(-90, 90))
	if required {
		return RequiredParam(p)
	}
	return p
}

func lonParam(required bool) Obj {
	p := QueryParam(paramLon, "Longitude, WGS84 decimal degrees (e.g. 4.84).", Number(-180, 180))
	if required {
		return RequiredParam(p)
	}
	return p
}

// filterParamDoc documents each of filterParams.
func filterParamDoc(name, layersDefault string, ids []string) Obj {
	switch name {
	case paramLayers:
		s := Obj{"type": "string"}
		desc := "Comma-separated layer ids to search (" + layersDefault + ")."
		if len(ids) > 0 {
			desc += " Layers: " + strings.Join(ids, ", ") + "."
		}
		return QueryParam(name, desc, s)
	case paramRegion:
		return QueryParam(name, "INSEE region code (2 digits, e.g. 84).", Obj{"type": "string", "pattern": "^[0-9AB]{2}$"})
	case paramDepartement:
		return QueryParam(name, "Département code (e.g. 01, 2A, 974).", Obj{"type": "string", "pattern": "^[0-9AB]{2,3}$"})
	case paramTerritoire:
		return QueryParam(name, "Territoire d'industrie id (e.g. ti-8413); matched against 2018-2023 membership with period=2018-2023, else 2023-2027.", Str())
	case paramEPCI:
		return QueryParam(name, "SIREN of the EPCI (9 digits).", Obj{"type": "string", "pattern": "^[0-9]{9}$"})
	case paramPeriod:
		return QueryParam(name, "Programme period: territories of that period, communes member of a territory of that period.", Obj{"type": "string", "enum": layers.Periods()})
	case paramCategory:
		return QueryParam(name, "Category of formations (e.g. cnam, cfa_uimm); other layers never match a category.", Str())
	case paramMinSurface:
		return QueryParam(name, "Keep sites of known surface at least this many hectares.", Obj{"type": "number", "minimum": 0})
	case paramFields:
		return QueryParam(name, "Comma-separated properties to return (default: all).", Str())
	case paramFormat:
		return QueryParam(name, "Response format: json (a list with a representative point), geojson (a FeatureCollection with full geometries, application/geo+json) "+
			"or csv (a file to download, text/csv: one row per feature, id, layer, name, distance_m when the query has a point, lon, lat, then the properties; "+
			"UTF-8 with a byte-order mark; text cells starting with = + - @ are prefixed with ').",
			Obj{"type": "string", "enum": []string{formatJSON, formatGeoJSON, formatCSV}, "default": formatJSON})
	case paramProvenance:
		return QueryParam(name, "What the answer's provenance holds for each layer present: ref (default), its title and href, the URL of its full provenance "+
			"(GET it, or "+provenancePath+" for every layer; the URL carries the data version and is cached for good); full, its title and sources, as answers had before "+
			"(one call, larger answer). CSV exports ignore it.",
			Obj{"type": "string", "enum": []string{provenanceRefs, provenanceFull}, "default": provenanceRefs})
	}
	return QueryParam(name, "", Str())
}

func filterParamDocs(layersDefault string, ids []string, reg layers.Registry) []Obj {
	out := make([]Obj, 0, len(filterParams))
	for _, name := range filterParams {
		out = append(out, filterParamDoc(name, layersDefault, ids))
	}
	return append(out, groupParamDocs(reg)...)
}

// groupParamDocs documents the registry's group parameters (wave, ami).
func groupParamDocs(reg layers.Registry) []Obj {
	var out []Obj
	for _, param := range reg.GroupParams() {
		var of []string
		for _, l := range reg {
			if g := l.Filters.Groups; g != nil && g.Param == param {
				of = append(of, fmt.Sprintf("%s (%s, field %s)", l.ID, g.Label.EN, g.Field))
			}
		}
		one := "(" + strings.Join(reg.GroupValues(param), "|") + ")"
		out = append(out, QueryParam(param, "Keep the features of these announced groups, comma-separated (any of them): "+strings.Join(of, ", ")+
			". A feature may belong to several (a site labelled in two waves); other layers never match.",
			Obj{"type": "string", "pattern": "^" + one + "(," + one + ")*$", "example": reg.GroupValues(param)[0]}))
	}
	return out
}

// propertyFiltersParam documents name=value filters: their names depend
// on the collection, so they are one free-form object parameter.
func propertyFiltersParam(cat *Catalog) Obj {
	var b strings.Builder
	b.WriteString("Property filters name=value, exact match (all must hold): any property declared in the collection's schema; " +
		"integer and number values compare numerically, booleans are true or false. A parameter not listed here is refused (400). " +
		"The group parameters (wave, ami) filter as on /api: wave=2020-07,2021-09 keeps the sites of any of those waves, " +
		"where the property filter waves=2020-07 keeps only the sites of that one wave.")
	if cat != nil {
		b.WriteString(" Properties by collection:")
		for _, id := range cat.Index.Layers() {
			l, _ := cat.layerInfo(id)
			var fields []string
			for _, f := range l.Fields {
				fields = append(fields, f.Name+" ("+string(f.Type)+")")
			}
			sort.Strings(fields)
			fmt.Fprintf(&b, "\n- %s: %s", l.ID, strings.Join(fields, ", "))
		}
	}
	return Obj{
		"name": "properties", "in": "query", "required": false, "description": b.String(),
		"style": "form", "explode": true,
		"schema": Obj{"type": "object", "additionalProperties": Obj{"type": "string"}},
	}
}

func apiResultsContent() Obj {
	return Content(mediaJSON, Ref("APIResults"), mediaGeoJSON, Ref("APIFeatureCollection"), mediaCSV, csvSchema())
}

// csvSchema is the body of a CSV answer, for the document: text.
func csvSchema() Obj {
	return Obj{"type": "string", "description": "RFC 4180 CSV, UTF-8 with a byte-order mark, a header row then one row per feature."}
}

// withCSVHeaders documents the headers of the CSV form of an answer: its
// file name and, for a paged answer, the links its body has no room for.
func withCSVHeaders(resp Obj, paged bool) Obj {
	headers := Obj{"Content-Disposition": Obj{
		"description": `CSV answers: attachment; filename="….csv".`, "schema": Str(),
	}}
	if paged {
		headers["Link"] = Obj{
			"description": `CSV answers: the links of the JSON answer (RFC 8288), e.g. <…&offset=100>; rel="next"; type="text/csv" when there is a next page.`,
			"schema":      Str(),
		}
	}
	resp["200"].(Obj)["headers"] = headers
	return resp
}

func schemas() Obj {
	linkSchema := Obj{"type": "object", "required": []string{"href", "rel"}, "properties": Obj{
		"href": Str(), "rel": Str(), "type": Str(), "title": Str(),
	}}
	links := Obj{"type": "array", "items": Ref("Link")}
	geometry := Obj{"type": "object", "required": []string{"type", "coordinates"}, "properties": Obj{
		"type":        Obj{"type": "string", "enum": []string{"Point", "MultiPoint", "Polygon", "MultiPolygon"}},
		"coordinates": Obj{"type": "array", "items": Obj{}},
	}}
	feature := func(extra Obj) Obj {
		props := Obj{
			"type":       Obj{"type": "string", "enum": []string{"Feature"}},
			"id":         Str(),
			"geometry":   Ref("Geometry"),
			"properties": Obj{"type": "object", "description": "The layer's properties, plus layer (the layer id) and name."},
		}
		for k, v := range extra {
			props[k] = v
		}
		return Obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": props}
	}
	source := Obj{"type": "object", "properties": Obj{"name": Str(), "url": Str(), "licence": Str(), "vintage": Str(), "note": Str()}}
	layerProvenance := Obj{"type": "object", "description": "A layer's origin: its title and sources.", "required": []string{"title", "sources"},
		"properties": Obj{"title": Str(), "sources": Obj{"type": "array", "items": Ref("Source")}}}
	provenance := Obj{"type": "object", "description": "Origin of each layer present, by layer id.", "additionalProperties": Ref("LayerProvenance")}
	listProvenance := Obj{"type": "object", "description": "Origin of each layer present, by layer id: by default its title and href, the URL of its provenance " +
		"(" + provenancePath + "/{layer}?v=<data version>, the object answers carried here before; every layer at " + provenancePath + "); " +
		"with provenance=full, its title and sources instead.",
		"additionalProperties": Obj{"type": "object", "required": []string{"title"}, "properties": Obj{
			"title":   Str(),
			"href":    Obj{"type": "string", "format": "uri-reference", "description": "The layer's provenance (LayerProvenance), a path on this server."},
			"sources": Obj{"type": "array", "items": Ref("Source"), "description": "With provenance=full."},
		}}}
	result := Obj{"type": "object", "properties": Obj{
		"id": Str(), "layer": Str(), "name": Str(),
		"distance_m": Obj{"type": "number", "description": "Great-circle distance in metres, when the query has a point."},
		"lon":        Obj{"type": "number"}, "lat": Obj{"type": "number"},
		"properties": Obj{"type": "object"},
	}}
	common := Obj{
		"attribution": Str(), "provenance": Ref("ListProvenance"), "count": Obj{"type": "integer"},
		"data_version": Str(), "query": Obj{"type": "object"}, "more": Obj{"type": "boolean", "description": "within only: whether more features were in the radius."},
		"groups": Obj{"type": "array", "items": Ref("Group"), "description": "With a group filter (wave=, ami=): the group, and how many of it the data holds against the number announced."},
	}
	// nullable is an object schema that also admits null (OpenAPI 3.0:
	// nullable only applies next to a type, never to a $ref or allOf).
	nullable := func(object Obj, desc string) Obj {
		return Obj{"type": "object", "nullable": true, "description": desc, "properties": object["properties"]}
	}
	periods := Obj{}
	for _, p := range layers.Periods() {
		periods[p] = nullable(result, "The territory of "+p+" containing the point, as an API result, or null.")
	}
	territories := Obj{"type": "object", "description": "By period: the territory containing the point, or null.",
		"properties": periods, "required": layers.Periods()}
	withCommon := func(extra Obj) Obj {
		p := Obj{}
		for k, v := range common {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		return Obj{"type": "object", "properties": p}
	}
	out := Obj{
		"Error":    Obj{"type": "object", "required": []string{"error"}, "properties": Obj{"error": Str()}},
		"Link":     linkSchema,
		"Geometry": geometry,
		"Source":   source,
		"LandingPage": Obj{"type": "object", "required": []string{"links"}, "properties": Obj{
			"title": Str(), "description": Str(), "attribution": Str(), "links": links,
		}},
		"Conformance": Obj{"type": "object", "required": []string{"conformsTo"}, "properties": Obj{
			"conformsTo": Obj{"type": "array", "items": Str()},
		}},
		"Collection": Obj{"type": "object", "required": []string{"id", "links"}, "properties": Obj{
			"id": Str(), "title": Str(), "description": Str(),
			"extent": Obj{"type": "object", "properties": Obj{"spatial": Obj{"type": "object", "properties": Obj{
				"bbox": Obj{"type": "array", "items": Obj{"type": "array", "minItems": 4, "maxItems": 4, "items": Obj{"type": "number"}}},
				"crs":  Obj{"type": "string", "enum": []string{crs84}},
			}}}},
			"itemType": Obj{"type": "string", "enum": []string{"feature"}},
			"crs":      Obj{"type": "array", "items": Str()},
			"sources":  Obj{"type": "array", "items": Ref("Source")},
			"groups":   Obj{"type": "array", "items": Ref("Group")},
			"links":    links,
		}},
		"Group": Obj{"type": "object", "description": "An announced group of a layer (a wave of the sites, a call of the Cnam) and how many features the data holds: the sources name part of each group.",
			"required": []string{"layer", "param", "field", "value", "label", "name", "count", "text"}, "properties": Obj{
				"layer": Str(), "param": Str(), "field": Str(), "value": Str(), "label": Ref("Text"), "name": Ref("Text"),
				"count": Obj{"type": "integer", "minimum": 0}, "official": Obj{"type": "integer", "minimum": 1, "description": "The number announced; absent when none was."},
				"text": Ref("Text"),
			}},
		"Text": Obj{"type": "object", "required": []string{"fr", "en"}, "properties": Obj{"fr": Str(), "en": Str()}},
		"Collections": Obj{"type": "object", "required": []string{"links", "collections"}, "properties": Obj{
			"links": links, "collections": Obj{"type": "array", "items": Ref("Collection")},
		}},
		"Feature": feature(Obj{"links": links}),
		"FeatureCollection": Obj{"type": "object", "required": []string{"type", "features"}, "properties": Obj{
			"type":           Obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features":       Obj{"type": "array", "items": Ref("Feature")},
			"numberMatched":  Obj{"type": "integer", "minimum": 0},
			"numberReturned": Obj{"type": "integer", "minimum": 0},
			"timeStamp":      Obj{"type": "string", "format": "date-time"},
			"links":          links,
		}},
		"Provenance":      provenance,
		"LayerProvenance": layerProvenance,
		"ListProvenance":  listProvenance,
		"ProvenanceDocument": Obj{"type": "object", "required": []string{"attribution", "data_version", "provenance"}, "properties": Obj{
			"attribution": Str(), "data_version": Str(), "provenance": Ref("Provenance"),
		}},
		"APIFeature": feature(Obj{"provenance": Ref("Provenance"), "attribution": Str()}),
		"APIResults": withCommon(Obj{"results": Obj{"type": "array", "items": result}}),
		"APIFeatureCollection": withCommon(Obj{
			"type":     Obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features": Obj{"type": "array", "items": feature(nil)},
		}),
		"Reverse": Obj{"type": "object", "properties": Obj{
			"query":        Obj{"type": "object"},
			"commune":      nullable(result, "The commune, as an API result, or null outside the communes of the Territoires d'industrie (or at sea)."),
			"territoires":  territories,
			"note":         Str(),
			"attribution":  Str(),
			"provenance":   Ref("Provenance"),
			"data_version": Str(),
		}},
		"Status": Obj{"type": "object", "properties": Obj{
			"status": Str(), "error": Str(), "version": Str(), "data_version": Str(),
			"loaded_at": Obj{"type": "string", "format": "date-time"},
			"last_reload_error": Obj{"type": "object", "properties": Obj{
				"error": Str(), "at": Obj{"type": "string", "format": "date-time"},
			}},
			"storage": Obj{"type": "object", "properties": Obj{
				"status": Obj{"type": "string", "enum": []string{"ok", "unavailable"}}, "error": Str(),
				"since": Obj{"type": "string", "format": "date-time"},
			}},
		}},
	}
	for k, v := range profileSchemas() {
		out[k] = v
	}
	return out
}
