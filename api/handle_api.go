package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// Limits of the JSON API: no query can make the server do unbounded work.
const (
	defaultK      = 10
	maxK          = 100
	defaultWithin = 100
	maxWithin     = 1000
	maxRadiusKm   = 500
	defaultSearch = 10
	maxSearch     = 50
	maxQueryRunes = 100
	mediaGeoJSON  = "application/geo+json"
	paramK        = "k"
	paramRadiusKm = "radius_km"
	paramLimit    = "limit"
	paramQ        = "q"
)

// listRequest is what every list route reads once: the catalog, the query
// (the route's own parameters plus the filters), the filter, the output
// format and the properties to keep.
type listRequest struct {
	cat    *Catalog
	v      query
	filter index.Filter
	format string // formatJSON, formatGeoJSON or formatCSV
	fields []string
	// fullProvenance: provenance=full, each layer's sources in the answer
	// rather than a reference to them.
	fullProvenance bool
	buffers        *sync.Pool // of *[]byte, for plain answers being assembled
}

// parseList checks the query of a list route. When the query names no
// layer, nearby routes search the registry's "near here" layers, others
// every layer; own are the route's parameters besides filters.
func (a *API) parseList(c *fiber.Ctx, nearby bool, own ...string) (listRequest, error) {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return listRequest{}, err
	}
	var defaultLayers []string
	if nearby {
		defaultLayers = cat.nearby
	}
	v, err := queryValuesIn(c, own, filterParams, cat.groupParams)
	if err != nil {
		return listRequest{}, err
	}
	f, err := filter(v, cat, defaultLayers)
	if err != nil {
		return listRequest{}, err
	}
	format, err := listFormat(v)
	if err != nil {
		return listRequest{}, err
	}
	full, err := fullProvenance(v)
	if err != nil {
		return listRequest{}, err
	}
	return listRequest{cat: cat, v: v, filter: f, format: format, fields: fields(v), fullProvenance: full, buffers: &a.buffers}, nil
}

// send writes a list answer in the asked format.
func (r listRequest) send(c *fiber.Ctx, hits []index.Hit, extra map[string]any) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if groups := r.groups(); len(groups) > 0 {
		extra["groups"] = groups
	}
	switch {
	case r.format == formatCSV:
		return r.sendCSV(c, hits)
	case r.format == formatJSON && r.fields == nil:
		buf := r.buffers.Get().(*[]byte)
		defer r.buffers.Put(buf)
		body, err := r.cat.plain.appendResults((*buf)[:0], hits, r.fullProvenance, extra)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		// The answer becomes the response's body without a copy, and the
		// body buffer it replaces goes to the pool in its place.
		*buf = c.Response().SwapBody(body)[:0]
		return nil
	case r.format == formatGeoJSON:
		return c.JSON(results(r.cat, hits, r.fields, true, r.fullProvenance, extra), mediaGeoJSON)
	}
	return c.JSON(results(r.cat, hits, r.fields, false, r.fullProvenance, extra))
}

// groups are the announced groups the query filters on (wave=2020-07),
// with how many the data holds: the answer says the sources are partial.
func (r listRequest) groups() []layers.GroupSummary {
	if len(r.filter.Groups) == 0 {
		return nil // most queries: nothing to build
	}
	var out []layers.GroupSummary
	for _, l := range r.cat.Registry {
		info, ok := r.cat.layerInfo(l.ID)
		if !ok {
			continue
		}
		for _, g := range l.GroupSummaries(info.Groups) {
			if slices.Contains(r.filter.Groups[g.Param], g.Value) {
				out = append(out, g)
			}
		}
	}
	return out
}

// GET /api/nearby?lat=&lon=&k=&radius_km=&layers=&<filters>
func (a *API) handleNearby(c *fiber.Ctx) error {
	r, err := a.parseList(c, true, paramLat, paramLon, paramK, paramRadiusKm)
	if err != nil {
		return err
	}
	p, _, err := point(r.v, true)
	if err != nil {
		return err
	}
	k, err := intParam(r.v, paramK, defaultK, maxK, false)
	if err != nil {
		return err
	}
	radius, err := radiusKm(r.v, false)
	if err != nil {
		return err
	}
	hits := r.cat.Index.Nearby(p, k, radius*1000, r.filter)
	return r.send(c, hits, map[string]any{"query": map[string]any{"lat": p[1], "lon": p[0], "k": k, "radius_km": radius, "layers": r.filter.Layers}})
}

// GET /api/within?lat=&lon=&radius_km=&limit=&<filters>
func (a *API) handleWithin(c *fiber.Ctx) error {
	r, err := a.parseList(c, true, paramLat, paramLon, paramRadiusKm, paramLimit)
	if err != nil {
		return err
	}
	p, _, err := point(r.v, true)
	if err != nil {
		return err
	}
	radius, err := radiusKm(r.v, true)
	if err != nil {
		return err
	}
	limit, err := intParam(r.v, paramLimit, defaultWithin, maxWithin, false)
	if err != nil {
		return err
	}
	hits, more := r.cat.Index.Within(p, radius*1000, limit, r.filter)
	return r.send(c, hits, map[string]any{
		"more":  more,
		"query": map[string]any{"lat": p[1], "lon": p[0], "radius_km": radius, "limit": limit, "layers": r.filter.Layers},
	})
}

func radiusKm(v query, required bool) (float64, error) {
	s := v.Get(paramRadiusKm)
	if s == "" {
		if required {
			return 0, badRequest("radius_km is required (kilometres, up to %d)", maxRadiusKm)
		}
		return 0, nil
	}
	r, err := finite(s, paramRadiusKm)
	if err != nil {
		return 0, err
	}
	if r <= 0 || r > maxRadiusKm {
		return 0, badRequest("radius_km=%s must be above 0 and at most %d", s, maxRadiusKm)
	}
	return r, nil
}

// GET /api/search?q=&limit=&lat=&lon=&layers=&<filters>
func (a *API) handleSearch(c *fiber.Ctx) error {
	r, err := a.parseList(c, false, paramQ, paramLimit, paramLat, paramLon)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.v.Get(paramQ)) // UTF-8 already checked for every route (checkRequest)
	switch {
	case q == "":
		return badRequest("q is required: the beginning of a name, e.g. q=chalon")
	case utf8.RuneCountInString(q) > maxQueryRunes:
		return badRequest("q is longer than %d characters", maxQueryRunes)
	}
	limit, err := intParam(r.v, paramLimit, defaultSearch, maxSearch, false)
	if err != nil {
		return err
	}
	bias, hasBias, err := point(r.v, false)
	if err != nil {
		return err
	}
	var biasPtr *orb.Point
	if hasBias {
		biasPtr = &bias
	}
	hits := r.cat.Index.Search(q, r.filter, limit, biasPtr)
	return r.send(c, hits, map[string]any{"query": map[string]any{"q": q, "limit": limit, "layers": r.filter.Layers}})
}

// GET /api/reverse?lat=&lon=: the commune and territories containing a
// point; null where there is none.
func (a *API) handleReverse(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramLat, paramLon, paramFields)
	if err != nil {
		return err
	}
	p, _, err := point(v, true)
	if err != nil {
		return err
	}
	place := cat.Index.Reverse(p)
	keep := fields(v)
	render := func(layer string, f *dataset.Feature) any {
		if f == nil {
			return nil
		}
		return toAPIFeature(index.Hit{Layer: layer, Feature: f, DistanceM: 0}, keep)
	}
	var hits []index.Hit
	if place.Commune != nil {
		hits = append(hits, index.Hit{Layer: layers.Communes, Feature: place.Commune})
	}
	territoires := map[string]any{}
	for _, period := range layers.Periods() {
		f := place.Territoires[period]
		territoires[period] = render(layers.Territoires, f)
		if f != nil {
			hits = append(hits, index.Hit{Layer: layers.Territoires, Feature: f})
		}
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(fiber.Map{
		"query":        fiber.Map{"lat": p[1], "lon": p[0]},
		"commune":      render(layers.Communes, place.Commune),
		"territoires":  territoires,
		"note":         "communes are those of the Territoires d'industrie only; commune null outside them or at sea",
		"attribution":  cat.Manifest.Attribution,
		"provenance":   provenanceOf(cat, hits),
		"data_version": cat.Version,
	})
}

// GET /api/features/{id}: one feature with its full geometry, as GeoJSON.
// Ids may hold a slash (2023/ti-8413).
func (a *API) handleFeature(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramFields)
	if err != nil {
		return err
	}
	id, err := url.PathUnescape(c.Params("*"))
	if err != nil || id == "" {
		return badRequest("a feature id is required: /api/features/{id}")
	}
	h, ok := cat.Index.Feature(id)
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "no feature with id "+strconv.Quote(id))
	}
	gf := toGeoJSON(h, fields(v))
	body := fiber.Map{
		"type": "Feature", "id": gf.ID, "geometry": geojson.NewGeometry(h.Feature.Geometry), "properties": gf.Properties,
		"provenance": provenanceOf(cat, []index.Hit{h}), "attribution": cat.Manifest.Attribution,
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(body, mediaGeoJSON)
}
