package server

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/api"
)

// The route table: every route of the service, each declared once with
// its handler, its rate-limit budget, its metrics label and its OpenAPI
// operation. Registration, the limiter, the metrics, the compression of
// API answers and the OpenAPI document all read it.

// otherLabel is the metrics label of a path no route serves.
const otherLabel = "other"

// routes is the table, in registration order: the busiest route first, a
// more specific pattern before one that would also match.
func (s *Server) routes() []api.Route {
	out := []api.Route{
		{Path: "/tiles/*", Handler: s.handleTile, Budget: api.BudgetTiles, Label: "tiles", Doc: "/tiles/{z}/{x}/{y}.{format}",
			Operation: func(api.DocContext) api.Obj {
				r := api.Responses("The tile.", api.Content(MediaTypeMVT, api.Obj{"type": "string", "format": "binary"}), 400, 404, 503)
				r["204"] = api.Obj{"description": "Empty tile inside the zoom range."}
				r["304"] = api.Obj{"description": "Not modified (If-None-Match)."}
				r["502"] = api.Obj{"description": "The archive is corrupt.", "content": api.Content("application/json", api.Ref("Error"))}
				r["503"].(api.Obj)["description"] = "The tiles are being prepared, or the archive's storage does not answer; retry after the Retry-After delay."
				return api.Op("tile", api.TagTiles, "A vector tile",
					"Mapbox Vector Tile of every layer. gzip-encoded when the client accepts it; strong ETag (If-None-Match → 304); "+
						"cached for a year when v is the current data version.",
					[]api.Obj{
						api.PathParam("z", fmt.Sprintf("Zoom, 0 to %d (404 outside the archive's range).", maxZoom), api.Obj{"type": "integer", "minimum": 0, "maximum": maxZoom}),
						api.PathParam("x", "Column, below 2^z.", api.Obj{"type": "integer", "minimum": 0}),
						api.PathParam("y", "Row, below 2^z.", api.Obj{"type": "integer", "minimum": 0}),
						api.PathParam("format", "Extension.", api.Obj{"type": "string", "enum": []string{"mvt", "pbf"}}),
						api.QueryParam("v", "Data version (from tiles.json); makes the response immutable.", api.Str()),
					}, r)
			}},
		{Path: "/tiles.json", Handler: s.handleTileJSON, Label: "tiles.json", Doc: "/tiles.json", Compress: true,
			Operation: func(api.DocContext) api.Obj {
				return api.Op("tileJSON", api.TagTiles, "TileJSON 3.0.0 of the vector tiles", "",
					nil, api.Responses("TileJSON with absolute URLs and vector_layers.", api.Content("application/json", api.Obj{"type": "object"}), 503))
			}},
		{Path: "/style.json", Handler: s.handleStyle, Label: "style.json", Doc: "/style.json", Compress: true,
			Operation: func(api.DocContext) api.Obj {
				return api.Op("style", api.TagTiles, "Default MapLibre style",
					"Its metadata (territoires:map) describes every layer for the map page: legend, popups, filters, and the regions and départements with their counts.",
					nil, api.Responses("MapLibre style drawing every layer.", api.Content("application/json", api.Obj{"type": "object"}), 503))
			}},
		{Path: "/healthz", Handler: s.handleHealthz, Label: "healthz", Doc: "/healthz",
			Operation: func(api.DocContext) api.Obj {
				return api.Op("healthz", api.TagService, "Liveness", "",
					nil, api.Responses("The process is alive.", api.Content("application/json", api.Ref("Status"))))
			}},
		{Path: "/readyz", Handler: s.handleReadyz, Label: "readyz", Doc: "/readyz",
			Operation: func(api.DocContext) api.Obj {
				r := api.Responses("Ready.", api.Content("application/json", api.Ref("Status")))
				r["503"] = api.Obj{"description": "Starting, or the archive's storage does not answer (see error and storage).", "content": api.Content("application/json", api.Ref("Status"))}
				return api.Op("readyz", api.TagService, "Readiness", "200 once the tiles are open and the data indexed, 503 before and while the archive's storage does not answer. "+
					"A failed reload leaves it ready (the old data is served) and shows in last_reload_error.", nil, r)
			}},
		{Path: "/metrics", Handler: s.handleMetrics(), Label: "metrics", Doc: "/metrics",
			Operation: func(api.DocContext) api.Obj {
				return api.Op("metrics", api.TagService, "Prometheus metrics", "",
					nil, api.Responses("Metrics in the Prometheus text format.", api.Content("text/plain", api.Str())))
			}},
	}
	out = append(out, s.api.Routes()...)
	out = append(out, s.api.LandingRoute())
	out = append(out, s.pages.Routes()...)
	return append(out, s.staticRoutes()...)
}

// staticRoutes are the front end's pages and files.
func (s *Server) staticRoutes() []api.Route {
	html := api.Content("text/html", api.Str())
	return []api.Route{
		{Path: "/embed", Handler: s.handleEmbed, Label: "embed", Doc: "/embed",
			Operation: func(d api.DocContext) api.Obj {
				layersDesc := "Comma-separated layers shown."
				if d.Catalog != nil {
					var ids []string
					for _, l := range d.Catalog.Registry {
						if l.Legend != nil {
							ids = append(ids, l.ID)
						}
					}
					layersDesc = "Comma-separated layers shown: " + strings.Join(ids, ", ") + "."
				}
				return api.Op("embed", api.TagMap, "Embeddable map page (for an iframe)",
					"Sent with Content-Security-Policy: frame-ancestors from the server's allow-list.",
					[]api.Obj{
						api.QueryParam("region", "Region code (INSEE, e.g. 27): shows and frames only this region.", api.Str()),
						api.QueryParam("departement", "Département code (e.g. 71).", api.Str()),
						api.QueryParam("territoire", "Territoire d'industrie id (e.g. 2023/ti-8413).", api.Str()),
						api.QueryParam("layers", layersDesc, api.Str()),
						api.QueryParam("period", "Territories of 2023-2027 (default) or 2018-2023.", api.Obj{"type": "string", "enum": []string{"2023-2027", "2018-2023"}}),
						api.QueryParam("lang", "Interface language.", api.Obj{"type": "string", "enum": []string{"fr", "en"}, "default": "fr"}),
						api.QueryParam("center", "Map centre lon,lat.", api.Str()),
						api.QueryParam("zoom", "Zoom level.", api.Obj{"type": "number", "minimum": 0, "maximum": 22}),
						api.QueryParam("controls", "Show the zoom buttons and layer legend (1, default) or not (0).", api.Obj{"type": "string", "enum": []string{"0", "1"}}),
						api.QueryParam("search", "Show the search box (1) or not (0, default).", api.Obj{"type": "string", "enum": []string{"0", "1"}}),
						api.QueryParam("basemap", "Draw the server's external base map under the layers (1, default) or not (0); without one (no --basemap) it changes nothing.", api.Obj{"type": "string", "enum": []string{"0", "1"}}),
					},
					api.Responses("The page (HTML).", html))
			}},
		{Path: "/embed/docs", Handler: s.handleEmbedDocs, Label: "embed", Doc: "/embed/docs",
			Operation: func(api.DocContext) api.Obj {
				return api.Op("embedDocs", api.TagMap, "How to embed the map (HTML page)",
					"Copy-paste snippets (widget.js, <div data-…>, iframe) with this server's address, every /embed parameter, the frame-ancestors allow-list, and a live preview.",
					[]api.Obj{api.QueryParam("lang", "Page language.", api.Obj{"type": "string", "enum": []string{"fr", "en"}, "default": "fr"})},
					api.Responses("The page (HTML).", html))
			}},
		{Path: "/widget.js", Handler: s.handleWidget, Label: "widget.js", Doc: "/widget.js",
			Operation: func(api.DocContext) api.Obj {
				return api.Op("widget", api.TagMap, "One-line embed script",
					"A script element loading /widget.js, with data-* attributes such as data-region=\"27\", inserts a responsive, lazy-loaded iframe of /embed; the data-* attributes are the /embed parameters (the /embed/docs page gives the snippet).",
					nil, api.Responses("JavaScript.", api.Content("text/javascript", api.Str())))
			}},
		{Path: "/static/*", Handler: s.handleAsset, Label: "static", Doc: "/static/{path}",
			Operation: func(api.DocContext) api.Obj {
				return api.Op("asset", api.TagMap, "Files of the map pages (JavaScript modules, CSS, fonts, icons)",
					"Under /static/<version>/ the files are cached a year (immutable).",
					[]api.Obj{api.PathParam("path", "File path, optionally after the assets version.", api.Str())},
					api.Responses("The file, with its own media type (JavaScript, CSS, fonts, images).", api.Content("*/*", api.Obj{"type": "string", "format": "binary"}), 404))
			}},
	}
}

// routeTable finds the route of a path as Fiber's router does (case- and
// slash-strict), so that the middleware know a request's budget and
// label before the router runs.
type routeTable []api.Route

// label is the metrics label of path: its route's, or otherLabel, so that
// a scan of random URLs cannot create new series.
func (t routeTable) label(path string) string {
	if r := t.lookup(path); r != nil {
		return r.Label
	}
	return otherLabel
}

// lookup is the first route whose pattern matches path, or nil.
func (t routeTable) lookup(path string) *api.Route {
	for i := range t {
		if matchPattern(t[i].Path, path) {
			return &t[i]
		}
	}
	return nil
}

// matchPattern matches a path against a Fiber pattern: literal segments,
// ":name" for one non-empty segment, and a final "*" for the rest (which
// may be empty, slash included: "/tiles/*" matches "/tiles" too).
func matchPattern(pattern, path string) bool {
	for {
		// Here pattern starts with "/": so must path.
		pattern = pattern[1:]
		pseg, prest, pmore := strings.Cut(pattern, "/")
		if pseg == "*" && !pmore {
			return path == "" || path[0] == '/'
		}
		if path == "" || path[0] != '/' {
			return false
		}
		path = path[1:]
		seg, _, more := strings.Cut(path, "/")
		switch {
		case strings.HasPrefix(pseg, ":"):
			if seg == "" {
				return false
			}
		case seg != pseg:
			return false
		}
		if !pmore {
			return !more
		}
		if !more {
			// The path ends: only a final "/*" may match nothing more.
			return prest == "*"
		}
		pattern, path = pattern[len(pseg):], path[len(seg):]
	}
}

// register mounts every route of the table on the app (GET, and HEAD).
func (t routeTable) register(app *fiber.App) {
	for _, r := range t {
		app.Get(r.Path, r.Handler)
	}
}
