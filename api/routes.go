package api

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// Budget is the rate-limit budget a route draws on.
type Budget int

const (
	// BudgetFree: not limited (pages, assets, TileJSON, style, health,
	// metrics): cheap, cached, and a monitoring system behind one address
	// must never be refused.
	BudgetFree Budget = iota
	// BudgetAPI: the JSON API and the OGC API, per client address without
	// a key, per key with one.
	BudgetAPI
	// BudgetTiles: tiles, per client address, much higher (a map view
	// loads dozens).
	BudgetTiles
)

// Route is one entry of the server's route table: everything known of a
// route, in one place. Every route answers GET and HEAD.
type Route struct {
	// Path is the Fiber pattern: literal segments, :name for one segment,
	// and a final * for the rest of the path (slashes included).
	Path    string
	Handler fiber.Handler
	Budget  Budget
	// Label names the route in the metrics (a constant: labels must not
	// point into Fiber's reused buffers).
	Label string
	// Compress: the answer, JSON written for each request, is compressed
	// for clients that accept it (always so on BudgetAPI routes).
	Compress bool
	// Doc is the route's path in the OpenAPI document, and Operation its
	// GET operation there.
	Doc       string
	Operation func(DocContext) Obj
}

// Routes are the API's routes, in registration order (a more specific
// pattern before one that would also match).
func (a *API) Routes() []Route {
	fJSON := func() Obj {
		return QueryParam(paramF, "Response format.", Obj{"type": "string", "enum": []string{"json"}, "default": "json"})
	}
	fGeoJSON := func() Obj {
		return QueryParam(paramF, "Response format (GeoJSON either way).", Obj{"type": "string", "enum": []string{formatJSON, formatGeoJSON}, "default": formatJSON})
	}
	fItems := func() Obj {
		return QueryParam(paramF, "Response format: GeoJSON (json or geojson), or csv: a file to download (text/csv; also chosen by an Accept preferring text/csv), "+
			"one row per feature with id, layer, name, lon, lat and the collection's properties, its links in the Link header.",
			Obj{"type": "string", "enum": []string{formatJSON, formatGeoJSON, formatCSV}, "default": formatJSON})
	}
	collectionID := func(d DocContext) Obj {
		p := PathParam("collectionId", "Collection id: a layer of the dataset.", Str())
		if ids := d.layerIDs(); len(ids) > 0 {
			p["schema"] = Obj{"type": "string", "enum": ids}
		}
		return p
	}
	featureID := PathParam("featureId", "Feature id, unique across collections. Ids may contain a slash (2023/ti-8413), sent raw or percent-encoded (2023%2Fti-8413).", Str())
	const allLayersText = "default: every layer"
	nearbyText := func(d DocContext) string { return "default: " + strings.Join(a.nearbyDefault(d), ",") }
	radius := func(desc string) Obj {
		return QueryParam(paramRadiusKm, desc, Obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": maxRadiusKm})
	}

	return []Route{
		// OGC API – Features
		{Path: "/conformance", Handler: a.handleConformance, Budget: BudgetAPI, Label: "conformance", Doc: "/conformance",
			Operation: func(DocContext) Obj {
				return Op("getConformanceDeclaration", TagOGC, "Conformance classes implemented", "",
					[]Obj{fJSON()}, Responses("The conformance declaration.", Content(mediaJSON, Ref("Conformance")), 400))
			}},
		{Path: "/collections", Handler: a.handleCollections, Budget: BudgetAPI, Label: "collections", Doc: "/collections",
			Operation: func(DocContext) Obj {
				return Op("getCollections", TagOGC, "The feature collections, one per layer", "",
					[]Obj{fJSON()}, Responses("The collections.", Content(mediaJSON, Ref("Collections")), 400, 503))
			}},
		{Path: "/collections/:collectionId", Handler: a.handleCollection, Budget: BudgetAPI, Label: "collection", Doc: "/collections/{collectionId}",
			Operation: func(d DocContext) Obj {
				return Op("describeCollection", TagOGC, "One collection", "",
					[]Obj{collectionID(d), fJSON()}, Responses("The collection.", Content(mediaJSON, Ref("Collection")), 400, 404, 503))
			}},
		{Path: "/collections/:collectionId/schema", Handler: a.handleSchema, Budget: BudgetAPI, Label: "collection_schema", Doc: "/collections/{collectionId}/schema",
			Operation: func(d DocContext) Obj {
				return Op("getSchema", TagOGC, "Schema of a collection's features (OGC API – Features Part 5)",
					"Every property with its type, the id and the geometry (its type) marked with x-ogc-role. profile=geojson gives instead a JSON Schema "+
						"that validates the GeoJSON features of /items (the collection's describedBy link). A property without a value is left out of the features.",
					[]Obj{collectionID(d), fJSON(),
						QueryParam(paramProfile, "Which schema: the Part 5 logical schema (default), or geojson for the GeoJSON features.", Obj{"type": "string", "enum": []string{profileGeoJSON}})},
					Responses("The JSON Schema (draft 2020-12).", Content(mediaJSONSchema, Obj{"type": "object"}), 400, 404, 503))
			}},
		{Path: "/collections/:collectionId/items", Handler: a.handleItems, Budget: BudgetAPI, Label: "collection_items", Doc: "/collections/{collectionId}/items",
			Operation: func(d DocContext) Obj {
				return Op("getFeatures", TagOGC, "Features of a collection",
					"Features in file order, paged with limit and offset (follow the next link). numberMatched counts every feature passing the filters.",
					append([]Obj{
						collectionID(d),
						QueryParam(paramBBox, "Only features whose geometry intersects the box minlon,minlat,maxlon,maxlat (CRS84; six numbers are accepted, heights ignored). "+
							"Boxes across the antimeridian are not supported.", Obj{"type": "array", "minItems": 4, "maxItems": 6, "items": Obj{"type": "number"}}),
						QueryParam(paramBBoxCRS, "CRS of bbox: CRS84 (CRS84h for six numbers); no other CRS is supported.", Obj{"type": "string", "format": "uri", "enum": []string{crs84, crs84h}, "default": crs84}),
						QueryParam(paramLimit, fmt.Sprintf("Page size, 1 to %d (default %d); a larger value is capped to %d.", MaxOGCLimit, DefaultOGCLimit, MaxOGCLimit),
							LimitSchema(DefaultOGCLimit, MaxOGCLimit)),
						QueryParam(paramOffset, "Number of matching features to skip.", Obj{"type": "integer", "minimum": 0, "maximum": maxOGCOffset, "default": 0}),
						QueryParam(paramDatetime, "RFC 3339 date-time or interval (start/end, .. for an open end). Accepted and checked, but it selects nothing: "+
							"the collections have no temporal extent, and features without a temporal geometry match any datetime.", Str()),
						fItems(),
						propertyFiltersParam(d.Catalog),
					}, groupParamDocs(d.Registry)...),
					withCSVHeaders(Responses("A page of features.", Content(mediaGeoJSON, Ref("FeatureCollection"), mediaCSV, csvSchema()), 400, 404, 503), true))
			}},
		// Feature ids may hold a slash (2023/ti-8413): raw or as %2F.
		{Path: "/collections/:collectionId/items/*", Handler: a.handleItem, Budget: BudgetAPI, Label: "collection_items", Doc: "/collections/{collectionId}/items/{featureId}",
			Operation: func(d DocContext) Obj {
				return Op("getFeature", TagOGC, "One feature", "",
					[]Obj{collectionID(d), featureID, fGeoJSON()},
					Responses("The feature.", Content(mediaGeoJSON, Ref("Feature")), 400, 404, 503))
			}},
		{Path: "/openapi.json", Handler: a.handleOpenAPI, Budget: BudgetAPI, Label: "openapi.json", Doc: "/openapi.json",
			Operation: func(DocContext) Obj {
				return Op("getAPIDefinition", TagService, "This document", "",
					[]Obj{fJSON()}, Responses("The OpenAPI 3.0 definition.", Content(mediaOpenAPI, Obj{"type": "object"}), 400))
			}},

		// JSON API
		{Path: "/api/nearby", Handler: a.handleNearby, Budget: BudgetAPI, Label: "api_nearby", Doc: "/api/nearby",
			Operation: func(d DocContext) Obj {
				return listOp(d, "nearby", "Nearest features to a point",
					"The k features nearest to lat,lon by great-circle distance, nearest first (ties by id), with their distance.",
					nearbyText(d),
					latParam(true), lonParam(true),
					QueryParam(paramK, fmt.Sprintf("Number of features, 1 to %d (default %d); above the maximum is an error.", maxK, defaultK), LimitSchema(defaultK, maxK)),
					radius(fmt.Sprintf("Search no farther than this, kilometres (above 0, at most %d; default: no limit).", maxRadiusKm)))
			}},
		{Path: "/api/within", Handler: a.handleWithin, Budget: BudgetAPI, Label: "api_within", Doc: "/api/within",
			Operation: func(d DocContext) Obj {
				return listOp(d, "within", "Features within a radius",
					"Every feature within radius_km of lat,lon, nearest first, at most limit of them; more says whether there were others.",
					nearbyText(d),
					latParam(true), lonParam(true),
					RequiredParam(radius(fmt.Sprintf("Radius in kilometres, above 0 and at most %d.", maxRadiusKm))),
					QueryParam(paramLimit, fmt.Sprintf("At most this many features, 1 to %d (default %d); above the maximum is an error.", maxWithin, defaultWithin), LimitSchema(defaultWithin, maxWithin)))
			}},
		{Path: "/api/search", Handler: a.handleSearch, Budget: BudgetAPI, Label: "api_search", Doc: "/api/search",
			Operation: func(d DocContext) Obj {
				return listOp(d, "search", "Search names by prefix (autocomplete)",
					"Accent- and case-insensitive prefix search on names; lat,lon biases the order towards a point.",
					allLayersText,
					RequiredParam(QueryParam(paramQ, fmt.Sprintf("The beginning of a name (1 to %d characters).", maxQueryRunes), Obj{"type": "string", "minLength": 1, "maxLength": maxQueryRunes})),
					QueryParam(paramLimit, fmt.Sprintf("At most this many results, 1 to %d (default %d); above the maximum is an error.", maxSearch, defaultSearch), LimitSchema(defaultSearch, maxSearch)),
					latParam(false), lonParam(false))
			}},
		{Path: "/api/reverse", Handler: a.handleReverse, Budget: BudgetAPI, Label: "api_reverse", Doc: "/api/reverse",
			Operation: func(DocContext) Obj {
				return Op("reverse", TagAPI, "Commune and territories containing a point", "",
					[]Obj{latParam(true), lonParam(true), filterParamDoc(paramFields, "", nil)},
					Responses("The commune (null outside the Territoires d'industrie) and the territory of each period (null where none).", Content(mediaJSON, Ref("Reverse")), 400, 503))
			}},
		{Path: provenancePath, Handler: a.handleProvenance, Budget: BudgetAPI, Label: "api_provenance", Compress: true, Doc: provenancePath,
			Operation: func(DocContext) Obj {
				return Op("provenance", TagAPI, "Provenance of every layer",
					"Each layer's title and sources (name, url, licence, vintage, note), by layer id, with the attribution and the data version. "+
						"List answers name each layer's provenance by reference (provenance.{layer}.href); this is all of them in one document.",
					[]Obj{versionParam()},
					provenanceResponses("The provenance of every layer.", Ref("ProvenanceDocument"), 400, 503))
			}},
		{Path: provenancePath + "/:layer", Handler: a.handleLayerProvenance, Budget: BudgetAPI, Label: "api_layer_provenance", Compress: true, Doc: provenancePath + "/{layer}",
			Operation: func(d DocContext) Obj {
				layer := PathParam("layer", "Layer id.", Str())
				if d.Catalog != nil && len(d.Catalog.provenance.layers) > 0 {
					layer["schema"] = Obj{"type": "string", "enum": d.Catalog.provenance.layers}
				}
				return Op("layerProvenance", TagAPI, "Provenance of one layer",
					"What provenance.{layer}.href of a list answer points to: the layer's title and sources, the object list answers carried inline before "+
						"(and still carry with provenance=full).",
					[]Obj{layer, versionParam()},
					provenanceResponses("The layer's provenance.", Ref("LayerProvenance"), 400, 404, 503))
			}},
		// Profiles
		{Path: "/api/sites/:id/profile", Handler: a.handleSiteProfile, Budget: BudgetAPI, Label: "api_site_profile", Doc: "/api/sites/{id}/profile",
			Operation: func(DocContext) Obj {
				return Op("siteProfile", TagAPI, "Profile of a turnkey site: what is around it",
					pointProfileText()+" Sites are placed at their commune's centroid: distances are measured from there (origin.precision commune).",
					[]Obj{PathParam("id", "Site id (e.g. site-01); the id of a feature of another layer is a 404.", Str()), formatParam()},
					Responses("The site's profile.", profileContent(), 400, 404, 503))
			}},
		{Path: "/api/profile", Handler: a.handlePointProfile, Budget: BudgetAPI, Label: "api_profile", Doc: "/api/profile",
			Operation: func(DocContext) Obj {
				return Op("pointProfile", TagAPI, "Profile of any point: what is around it", pointProfileText(),
					[]Obj{latParam(true), lonParam(true), formatParam()},
					Responses("The point's profile (origin.precision exact).", profileContent(), 400, 503))
			}},
		{Path: "/api/territoires/:id/profile", Handler: a.handleTerritoryProfile, Budget: BudgetAPI, Label: "api_territory_profile", Doc: "/api/territoires/{id}/profile",
			Operation: func(DocContext) Obj {
				return Op("territoryProfile", TagAPI, "Profile of a Territoire d'industrie",
					"Its member communes (COG 2026; 2018-2023 membership is derived spatially) with their population and EPCIs, the turnkey sites of its communes by wave, "+
						"its training centres by category, its Cnam antennas and Action cœur de ville towns (a programme counts when one of its communes is a member), "+
						fmt.Sprintf("and its neighbours: the territories of the same period whose outline comes within %d m.", profile.NeighbourDistanceM),
					[]Obj{
						PathParam("id", "Territory id ti-RRNN (e.g. ti-8413); ids are not stable across periods.", Str()),
						QueryParam(paramPeriod, "Programme period of the id.", Obj{"type": "string", "enum": layers.Periods(), "default": layers.Period2023}),
						formatParam(),
					},
					Responses("The territory's profile.", Content(mediaJSON, Ref("TerritoryProfile"), mediaGeoJSON, Ref("ProfileFeatureCollection")), 400, 404, 503))
			}},
		// Ids may hold a slash (2023/ti-8413).
		{Path: "/api/features/*", Handler: a.handleFeature, Budget: BudgetAPI, Label: "api_features", Doc: "/api/features/{id}",
			Operation: func(DocContext) Obj {
				return Op("feature", TagAPI, "One feature with its full geometry", "",
					[]Obj{PathParam("id", "Feature id; may contain a slash (2023/ti-8413).", Str()), filterParamDoc(paramFields, "", nil)},
					Responses("The feature, with its provenance.", Content(mediaGeoJSON, Ref("APIFeature")), 400, 404, 503))
			}},
	}
}

// LandingRoute is GET /: the OGC landing page for programs, the map page
// (Config.MapPage) for browsers. It draws on no budget: browsers open it.
func (a *API) LandingRoute() Route {
	return Route{Path: "/", Handler: a.handleLanding, Budget: BudgetFree, Label: "landing", Doc: "/",
		Operation: func(DocContext) Obj {
			return Op("getLandingPage", TagOGC, "Landing page",
				"JSON for programs; browsers (Accept preferring text/html) get the interactive map page, whatever else the query holds: the page reads its own state there "+
					"(the parameters of its URL fragment: lang, map, layers, period, region…), as in the fragment. f=html gives the landing page as a small HTML page. For programs, a parameter other than f is an error.",
				[]Obj{QueryParam(paramF, "Response format; default from the Accept header (JSON unless text/html is preferred).", Obj{"type": "string", "enum": []string{"json", "html"}})},
				Responses("The landing page.", Content(mediaJSON, Ref("LandingPage"), mediaHTML, Str()), 400))
		}}
}

// listOp documents a list route: its own parameters, then the filters
// every list route takes (layersText says which layers it searches by
// default), answered as a list or as GeoJSON.
func listOp(d DocContext, id, summary, desc, layersText string, own ...Obj) Obj {
	return Op(id, TagAPI, summary, desc, append(own, filterParamDocs(layersText, d.layerIDs(), d.Registry)...),
		withCSVHeaders(Responses("The features found.", apiResultsContent(), 400, 503), false))
}

// nearbyDefault lists the layers nearby and within search when the query
// names none.
func (a *API) nearbyDefault(d DocContext) []string {
	if d.Catalog != nil {
		return d.Catalog.nearby
	}
	return a.cfg.Registry.NearbyIDs()
}
