package api

import (
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// OGC API – Features, Part 1 (Core) with the GeoJSON and OpenAPI 3.0
// conformance classes: one collection per dataset layer.
//
// Where the standard differs from our JSON API we follow the standard: a
// limit above the maximum is capped, not refused; datetime is accepted
// (the standard requires it) and, since no feature has a temporal
// geometry, every feature matches it (/req/core/fc-time-response C).
const (
	DefaultOGCLimit = 100
	MaxOGCLimit     = 1000
	// maxOGCOffset bounds offset; no layer comes near it.
	maxOGCOffset = 10_000_000

	crs84        = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	crs84h       = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
	mediaJSON    = "application/json"
	mediaHTML    = "text/html"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"

	paramBBox     = "bbox"
	paramBBoxCRS  = "bbox-crs"
	paramDatetime = "datetime"
	paramOffset   = "offset"
	paramF        = "f"
)

// Conformance lists the OGC conformance classes we implement.
func Conformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		confSchemas,
		confCoreRolesFeatures,
	}
}

// itemsReserved are the parameters of /items that are not property
// filters; a layer property with one of these names cannot be filtered.
var itemsReserved = []string{paramBBox, paramBBoxCRS, paramDatetime, paramLimit, paramOffset, paramF}

// defaultTitle names the service until the catalog (and its manifest) is
// loaded.
const defaultTitle = "Territoires d'industrie"

const landingDescription = "Territoires d'industrie, communes membres, Action cœur de ville, sites industriels clés en main et lieux de formation : " +
	"tuiles vectorielles, API JSON et OGC API – Features (GeoJSON, CRS84)."

// Link is an OGC / RFC 8288 link.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// jsonOnly refuses an f other than json (or the extra formats given).
func jsonOnly(v query, also ...string) error {
	f := v.Get(paramF)
	if f == "" || f == "json" || slices.Contains(also, f) {
		return nil
	}
	return badRequest("f=%q is not served here; use f=json%s", f, orFormats(also))
}

func orFormats(also []string) string {
	var b strings.Builder
	for _, f := range also {
		b.WriteString(" or f=" + f)
	}
	return b.String()
}

// ---- landing page ----

// GET / : the OGC landing page, JSON for programs; browsers (an Accept
// preferring HTML) get the map page. f=json forces the JSON, f=html the
// landing page's small HTML form (its OGC "alternate" link).
//
// A browser gets the map page whatever else the query holds: the page
// reads its own state there (/?lang=en, the same parameters as its #
// fragment) and ignores the rest, as a link from a newsletter carries
// utm_ tags. Programs keep the strict landing page, where an unknown
// parameter is an error.
func (a *API) handleLanding(c *fiber.Ctx) error {
	if len(c.Context().QueryArgs().Peek(paramF)) == 0 && PrefersHTML(c.Get(fiber.HeaderAccept)) {
		c.Append(fiber.HeaderVary, "Accept")
		return a.cfg.MapPage(c)
	}
	v, err := queryValues(c, paramF)
	if err != nil {
		return err
	}
	var asHTML bool
	switch v.Get(paramF) {
	case "json":
	case "html":
		asHTML = true
	case "":
	default:
		return badRequest("f=%q must be json or html", v.Get(paramF))
	}
	base := a.cfg.Links.Base(c)
	title := defaultTitle
	attribution := ""
	if cat := a.catalog.Load(); cat != nil {
		if cat.Manifest.Title != "" {
			title = cat.Manifest.Title
		}
		attribution = cat.Manifest.Attribution
	}
	a.cfg.Links.SetDocumentHeaders(c)
	c.Append(fiber.HeaderVary, "Accept")
	if asHTML {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return landingHTML.Execute(c.Response().BodyWriter(), map[string]any{
			"Title": title, "Description": landingDescription, "Attribution": attribution, "Base": base,
		})
	}
	body := fiber.Map{
		"title":       title,
		"description": landingDescription,
		"links": []Link{
			{Href: base + "/?f=json", Rel: "self", Type: mediaJSON, Title: "this document"},
			{Href: base + "/?f=html", Rel: "alternate", Type: mediaHTML, Title: "this document as HTML"},
			{Href: base + "/openapi.json", Rel: "service-desc", Type: mediaOpenAPI, Title: "the API definition (OpenAPI 3.0)"},
			{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "OGC API conformance classes implemented by this server"},
			{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "the feature collections"},
		},
	}
	if attribution != "" {
		body["attribution"] = attribution
	}
	return c.JSON(body)
}

var landingHTML = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Description}}</p>
<nav aria-label="Ressources du service">
<ul>
<li><p><a href="{{.Base}}/collections">Collections (OGC API – Features, GeoJSON)</a></p></li>
<li><p><a href="{{.Base}}/openapi.json">Description de l’API (OpenAPI 3.0)</a></p></li>
<li><p><a href="{{.Base}}/conformance">Classes de conformité OGC</a></p></li>
<li><p><a href="{{.Base}}/tiles.json">Tuiles vectorielles (TileJSON)</a></p></li>
<li><p><a href="{{.Base}}/?f=json">Cette page en JSON</a></p></li>
</ul>
</nav>
{{if .Attribution}}<p><small>Sources : {{.Attribution}}</small></p>
{{end}}</main>
</body>
</html>
`))

// ---- conformance, collections ----

// onlyJSONFormat checks the query of a document served as JSON only: f,
// if given, must be json.
func onlyJSONFormat(c *fiber.Ctx) error {
	v, err := queryValues(c, paramF)
	if err != nil {
		return err
	}
	return jsonOnly(v)
}

// GET /conformance
func (a *API) handleConformance(c *fiber.Ctx) error {
	if err := onlyJSONFormat(c); err != nil {
		return err
	}
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(fiber.Map{"conformsTo": Conformance()})
}

// GET /collections
func (a *API) handleCollections(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	if err := onlyJSONFormat(c); err != nil {
		return err
	}
	base := a.cfg.Links.Base(c)
	ids := cat.Index.Layers()
	collections := make([]fiber.Map, 0, len(ids))
	for _, id := range ids {
		l, _ := cat.layerInfo(id)
		collections = append(collections, collectionDoc(base, l, cat.extent(id), cat.Registry))
	}
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(fiber.Map{
		"links": []Link{
			{Href: base + "/collections", Rel: "self", Type: mediaJSON, Title: "the feature collections"},
		},
		"collections": collections,
	})
}

// GET /collections/{collectionId}
func (a *API) handleCollection(c *fiber.Ctx) error {
	cat, l, err := a.collection(c)
	if err != nil {
		return err
	}
	if err := onlyJSONFormat(c); err != nil {
		return err
	}
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(collectionDoc(a.cfg.Links.Base(c), l, cat.extent(l.ID), cat.Registry))
}

// collection is the catalog and the layer the path's collectionId names.
func (a *API) collection(c *fiber.Ctx) (*Catalog, dataset.LayerInfo, error) {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return nil, dataset.LayerInfo{}, err
	}
	l, err := collectionOf(c, cat)
	return cat, l, err
}

// collectionOf is the layer named by the collectionId path parameter, or
// a 404 that lists the collections.
func collectionOf(c *fiber.Ctx, cat *Catalog) (dataset.LayerInfo, error) {
	id, err := url.PathUnescape(c.Params("collectionId"))
	if err != nil {
		id = c.Params("collectionId")
	}
	if l, ok := cat.layerInfo(id); ok {
		return l, nil
	}
	return dataset.LayerInfo{}, fiber.NewError(fiber.StatusNotFound,
		"no collection "+strconv.Quote(id)+"; collections are "+strings.Join(cat.Index.Layers(), ", "))
}

// collectionURL is the collection's URL; ids are path-safe, escaped all
// the same.
func collectionURL(base, id string) string { return base + "/collections/" + url.PathEscape(id) }

func collectionDoc(base string, l dataset.LayerInfo, ext *orb.Bound, reg layers.Registry) fiber.Map {
	self := collectionURL(base, l.ID)
	doc := fiber.Map{
		"id":          l.ID,
		"title":       l.Title,
		"description": l.Description,
		"itemType":    "feature",
		"crs":         []string{crs84},
		"links": append([]Link{
			{Href: self, Rel: "self", Type: mediaJSON, Title: "this collection"},
			{Href: self + "/items", Rel: "items", Type: mediaGeoJSON, Title: l.Title + " (GeoJSON)"},
		}, schemaLinks(self, l.Title)...),
	}
	if len(l.Sources) > 0 {
		doc["sources"] = l.Sources
	}
	// The announced groups (the sites' waves) and how many the data holds:
	// the sources name part of each.
	if spec, ok := reg.Layer(l.ID); ok {
		if groups := spec.GroupSummaries(l.Groups); len(groups) > 0 {
			doc["groups"] = groups
		}
	}
	if ext != nil {
		doc["extent"] = fiber.Map{"spatial": fiber.Map{
			"bbox": [][]float64{{ext.Min[0], ext.Min[1], ext.Max[0], ext.Max[1]}},
			"crs":  crs84,
		}}
	}
	return doc
}

// ---- items ----

// propFilter is one property=value equality test, the value parsed to
// the field's type.
type propFilter struct {
	name  string
	typ   dataset.FieldType
	str   string
	num   float64
	truth bool
}

func (p propFilter) match(f *dataset.Feature) bool {
	v, ok := f.Properties[p.name]
	if !ok {
		return false
	}
	switch p.typ {
	case dataset.TypeString:
		s, ok := v.(string)
		return ok && s == p.str
	case dataset.TypeBoolean:
		b, ok := v.(bool)
		return ok && b == p.truth
	case dataset.TypeInteger, dataset.TypeNumber:
		switch n := v.(type) {
		case int64:
			return float64(n) == p.num
		case int:
			return float64(n) == p.num
		case float64:
			return n == p.num
		}
	}
	return false
}

// propertyFilters reads name=value for every field of the layer's schema
// present in v.
func propertyFilters(v query, l dataset.LayerInfo) ([]propFilter, error) {
	var out []propFilter
	for _, f := range l.Fields {
		if slices.Contains(itemsReserved, f.Name) || !v.Has(f.Name) {
			continue
		}
		s := v.Get(f.Name)
		p := propFilter{name: f.Name, typ: f.Type, str: s}
		switch f.Type {
		case dataset.TypeBoolean:
			switch s {
			case "true":
				p.truth = true
			case "false":
			default:
				return nil, badRequest("%s=%q must be true or false", f.Name, s)
			}
		case dataset.TypeInteger:
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, badRequest("%s=%q must be an integer", f.Name, s)
			}
			p.num = float64(n)
		case dataset.TypeNumber:
			x, err := finite(s, f.Name)
			if err != nil {
				return nil, err
			}
			p.num = x
		}
		out = append(out, p)
	}
	return out, nil
}

// itemsParams are the parameters /collections/{id}/items accepts for l.
func itemsParams(l dataset.LayerInfo) []string {
	out := slices.Clone(itemsReserved)
	for _, f := range l.Fields {
		if !slices.Contains(out, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// bboxParam reads bbox=minlon,minlat,maxlon,maxlat (or six numbers, the
// heights being ignored: the data is 2D) in CRS84.
func bboxParam(v query) (b orb.Bound, ok bool, err error) {
	if crs := v.Get(paramBBoxCRS); crs != "" && crs != crs84 && crs != crs84h {
		return b, false, badRequest("bbox-crs=%q is not supported: bbox must be in %s (longitude, latitude)", crs, crs84)
	}
	s := v.Get(paramBBox)
	if s == "" {
		return b, false, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return b, false, badRequest("bbox=%q must be 4 numbers: minlon,minlat,maxlon,maxlat (CRS84)", s)
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		if nums[i], err = finite(p, paramBBox); err != nil {
			return b, false, badRequest("bbox=%q: %q is not a finite decimal number", s, p)
		}
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	minLon, minLat, maxLon, maxLat := nums[0], nums[1], nums[2], nums[3]
	switch {
	case minLon < -180 || maxLon > 180 || minLon > 180 || maxLon < -180:
		return b, false, badRequest("bbox=%q: longitudes must be within -180..180", s)
	case minLat < -90 || maxLat > 90 || minLat > 90 || maxLat < -90:
		return b, false, badRequest("bbox=%q: latitudes must be within -90..90", s)
	case minLat > maxLat:
		return b, false, badRequest("bbox=%q: minlat is above maxlat", s)
	case minLon > maxLon:
		return b, false, badRequest("bbox=%q: minlon is above maxlon (boxes across the antimeridian are not supported)", s)
	}
	return orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}, true, nil
}

// datetimeParam checks datetime: an RFC 3339 date-time (or full-date), or
// an interval of two, either end open ("" or ".."). It selects nothing:
// the features have no temporal geometry, and the standard says such
// features match every datetime.
func datetimeParam(v query) error {
	s := v.Get(paramDatetime)
	if !v.Has(paramDatetime) {
		return nil
	}
	bad := badRequest("datetime=%q must be an RFC 3339 date-time (2024-01-31T12:00:00Z) or an interval start/end, with .. for an open end", s)
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		if _, ok := parseInstant(s); !ok {
			return bad
		}
		return nil
	}
	open := func(x string) bool { return x == "" || x == ".." }
	if open(start) && open(end) {
		return bad
	}
	var ts, te time.Time
	var ok bool
	if !open(start) {
		if ts, ok = parseInstant(start); !ok {
			return bad
		}
	}
	if !open(end) {
		if te, ok = parseInstant(end); !ok {
			return bad
		}
	}
	if !open(start) && !open(end) && ts.After(te) {
		return badRequest("datetime=%q: the interval ends before it starts", s)
	}
	return nil
}

func parseInstant(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// GET /collections/{collectionId}/items?bbox=&limit=&offset=&datetime=&<property>=
func (a *API) handleItems(c *fiber.Ctx) error {
	cat, l, err := a.collection(c)
	if err != nil {
		return err
	}
	// The group parameters (wave=) filter as on the JSON API: a layer
	// without that parameter matches none.
	groupParams := cat.groupParams
	v, err := queryValues(c, append(itemsParams(l), groupParams...)...)
	if err != nil {
		return err
	}
	if err := jsonOnly(v, formatGeoJSON, formatCSV); err != nil {
		return err
	}
	asCSV := v.Get(paramF) == formatCSV || !v.Has(paramF) && PrefersCSV(c.Get(fiber.HeaderAccept))
	limit, err := intParam(v, paramLimit, DefaultOGCLimit, MaxOGCLimit, true)
	if err != nil {
		return err
	}
	offset, err := offsetParam(v, maxOGCOffset)
	if err != nil {
		return err
	}
	box, hasBox, err := bboxParam(v)
	if err != nil {
		return err
	}
	if err := datetimeParam(v); err != nil {
		return err
	}
	props, err := propertyFilters(v, l)
	if err != nil {
		return err
	}
	groups, err := groupFilters(v, cat.Registry, groupParams)
	if err != nil {
		return err
	}

	hits, matched := selectItems(cat.Index, l, box, hasBox, props, groups, offset, limit)

	base := a.cfg.Links.Base(c)
	coll := collectionURL(base, l.ID)
	items := coll + "/items"
	// pageIn is the page at off in format f (as asked when f is "").
	pageIn := func(off int, f string) string {
		q := v.values()
		if f != "" {
			q.Set(paramF, f)
		}
		q.Set(paramLimit, strconv.Itoa(limit))
		q.Set(paramOffset, strconv.Itoa(off))
		return items + "?" + q.Encode()
	}
	// The pages of a CSV answer stay CSV, even when Accept asked for it.
	pageType := mediaGeoJSON
	alternate := Link{Href: pageIn(offset, formatCSV), Rel: "alternate", Type: mediaCSV, Title: "this page as CSV"}
	if asCSV {
		pageType = mediaCSV
		alternate = Link{Href: pageIn(offset, formatGeoJSON), Rel: "alternate", Type: mediaGeoJSON, Title: "this page as GeoJSON"}
		v = v.with(paramF, formatCSV)
	}
	self := items
	if qs := string(c.Request().URI().QueryString()); qs != "" {
		self += "?" + qs
	}
	links := []Link{
		{Href: self, Rel: "self", Type: pageType, Title: "this page"},
		alternate,
		{Href: coll, Rel: "collection", Type: mediaJSON, Title: l.Title},
	}
	if offset+len(hits) < matched {
		links = append(links, Link{Href: pageIn(offset+len(hits), ""), Rel: "next", Type: pageType, Title: "next page"})
	}
	if offset > 0 {
		links = append(links, Link{Href: pageIn(max(0, min(offset, matched)-limit), ""), Rel: "prev", Type: pageType, Title: "previous page"})
	}
	a.cfg.Links.SetDocumentHeaders(c)
	c.Append(fiber.HeaderVary, fiber.HeaderAccept)
	if asCSV {
		// A CSV body has no room for links: they go in the Link header.
		for _, link := range links {
			c.Append(fiber.HeaderLink, "<"+link.Href+`>; rel="`+link.Rel+`"; type="`+link.Type+`"`)
		}
		return sendCSV(c, l.ID, csvColumns(cat, []string{l.ID}, nil, false), hits)
	}
	features := make([]*geojson.Feature, len(hits))
	for i, h := range hits {
		features[i] = ogcFeature(cat, h)
	}
	return c.JSON(fiber.Map{
		"type":           "FeatureCollection",
		"features":       features,
		"numberMatched":  matched,
		"numberReturned": len(hits),
		"timeStamp":      time.Now().UTC().Format(time.RFC3339),
		"links":          links,
	}, mediaGeoJSON)
}

// ogcFeature is the hit as GeoJSON with the layer's one geometry type. A
// property without a value is left out: the collection's schema
// (/collections/{id}/schema) tells clients every property and its type.
func ogcFeature(cat *Catalog, h index.Hit) *geojson.Feature {
	gf := toGeoJSON(h, nil)
	gf.Geometry = cat.geometry(h)
	return gf
}

// selectItems pages the features of layer l in the box (when given) that
// pass the property filters, in file order, and counts them all.
func selectItems(ix *index.Index, l dataset.LayerInfo, box orb.Bound, hasBox bool, props []propFilter, groups map[string][]string, offset, limit int) ([]index.Hit, int) {
	f := index.Filter{Layers: []string{l.ID}, Groups: groups}
	if len(props) == 0 {
		if hasBox {
			return ix.InBBox(box, f, offset, limit)
		}
		return ix.Features(l.ID, f, offset, limit)
	}
	var all []index.Hit
	if hasBox {
		all, _ = ix.InBBox(box, f, 0, math.MaxInt)
	} else {
		all, _ = ix.Features(l.ID, f, 0, math.MaxInt)
	}
	var hits []index.Hit
	matched := 0
	for _, h := range all {
		if !slices.ContainsFunc(props, func(p propFilter) bool { return !p.match(h.Feature) }) {
			if matched >= offset && len(hits) < limit {
				hits = append(hits, h)
			}
			matched++
		}
	}
	return hits, matched
}

// GET /collections/{collectionId}/items/{featureId}
func (a *API) handleItem(c *fiber.Ctx) error {
	cat, l, err := a.collection(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramF)
	if err != nil {
		return err
	}
	if err := jsonOnly(v, "geojson"); err != nil {
		return err
	}
	id, err := url.PathUnescape(c.Params("*"))
	if err != nil || id == "" {
		return badRequest("a feature id is required: /collections/%s/items/{featureId}", l.ID)
	}
	h, ok := cat.Index.Feature(id)
	if !ok || h.Layer != l.ID {
		return fiber.NewError(fiber.StatusNotFound, "no feature with id "+strconv.Quote(id)+" in collection "+strconv.Quote(l.ID))
	}
	coll := collectionURL(a.cfg.Links.Base(c), l.ID)
	gf := ogcFeature(cat, h)
	a.cfg.Links.SetDocumentHeaders(c)
	return c.JSON(fiber.Map{
		"type":       "Feature",
		"id":         gf.ID,
		"geometry":   geojson.NewGeometry(gf.Geometry),
		"properties": gf.Properties,
		"links": []Link{
			{Href: coll + "/items/" + url.PathEscape(id), Rel: "self", Type: mediaGeoJSON, Title: "this feature"},
			{Href: coll, Rel: "collection", Type: mediaJSON, Title: l.Title},
		},
	}, mediaGeoJSON)
}
