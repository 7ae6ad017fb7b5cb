package api

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// Profiles: what is around a site, a point or in a territory, computed by
// the catalog's profile.Profiler; the handlers read the query and encode
// the answer, as JSON (the profile with attribution and data_version) or
// as a GeoJSON FeatureCollection (the origin or the territory, then the
// features listed, each with its role; the counts as foreign members).

// Roles of the features of a profile's GeoJSON answer.
const (
	roleOrigin    = "origin"
	roleTerritory = "territory"
	roleFormation = "formation" // one of the nearest of its category
	roleCnam      = "cnam"
	roleACV       = "acv"
	roleSite      = "site"
)

// pointAnswer is a point or site profile as JSON. Its Provenance, encoded
// once per catalog, stands for the profile's own (a field of the outer
// struct wins over the embedded one's of the same name).
type pointAnswer struct {
	profile.Point
	Provenance  json.RawMessage `json:"provenance"`
	Attribution string          `json:"attribution"`
	DataVersion string          `json:"data_version"`
}

// territoryAnswer is a territory profile as JSON.
type territoryAnswer struct {
	profile.TerritoryProfile
	Provenance  json.RawMessage `json:"provenance"`
	Attribution string          `json:"attribution"`
	DataVersion string          `json:"data_version"`
}

// profileFeature is one feature of a profile's GeoJSON answer.
type profileFeature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id,omitempty"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
}

// listedProps are the properties of a listed feature: its role and what
// the profile says of it (distance_m included).
type listedProps struct {
	Role string `json:"role"`
	profile.Feature
}

// originProps are the properties of the origin: the site profiled, if
// any, and the precision of the distances with its note.
type originProps struct {
	Role string `json:"role"`
	*profile.Feature
	Precision string `json:"precision"`
	Note      string `json:"note"`
}

// territoryProps are the properties of the territory's polygon.
type territoryProps struct {
	Role string `json:"role"`
	profile.Territory
}

func pointFeature(lon, lat float64, id string, props any) profileFeature {
	return profileFeature{Type: "Feature", ID: id, Geometry: geojson.NewGeometry(orb.Point{lon, lat}), Properties: props}
}

func listed(role string, fs []profile.Feature) []profileFeature {
	out := make([]profileFeature, len(fs))
	for i, f := range fs {
		out[i] = pointFeature(f.Lon, f.Lat, f.ID, listedProps{Role: role, Feature: f})
	}
	return out
}

// pointCollection is a point profile as GeoJSON: the origin, then the
// nearest training centres (category by category), the Cnam antennas,
// the ACV towns and the other sites.
func pointCollection(cat *Catalog, p profile.Point) fiber.Map {
	id := ""
	if p.Site != nil {
		id = p.Site.ID
	}
	features := []profileFeature{pointFeature(p.Origin.Lon, p.Origin.Lat, id,
		originProps{Role: roleOrigin, Feature: p.Site, Precision: p.Origin.Precision, Note: p.Origin.Note})}
	categories := make([]string, 0, len(p.Formations.Nearest))
	for c := range p.Formations.Nearest {
		categories = append(categories, c)
	}
	slices.Sort(categories)
	for _, c := range categories {
		features = append(features, listed(roleFormation, p.Formations.Nearest[c])...)
	}
	features = append(features, listed(roleCnam, p.Cnam)...)
	features = append(features, listed(roleACV, p.ACV)...)
	features = append(features, listed(roleSite, p.Sites)...)
	return fiber.Map{
		"type": "FeatureCollection", "features": features,
		"site": p.Site, "origin": p.Origin, "commune": p.Commune, "territoires": p.Territoires,
		"formations":   fiber.Map{"counts": p.Formations.Counts},
		"counts":       fiber.Map{"cnam": len(p.Cnam), "acv": len(p.ACV), "sites": len(p.Sites)},
		"provenance":   cat.plain.provenanceJSON(p.Provenance),
		"attribution":  cat.Manifest.Attribution,
		"data_version": cat.Version,
	}
}

// territoryCollection is a territory profile as GeoJSON: the territory's
// outline, then its sites, Cnam antennas and ACV towns.
func territoryCollection(cat *Catalog, t profile.TerritoryProfile) fiber.Map {
	var g *geojson.Geometry
	if h, ok := cat.Index.Feature(t.Territory.ID); ok {
		g = geojson.NewGeometry(h.Feature.Geometry)
	}
	features := []profileFeature{{Type: "Feature", ID: t.Territory.ID, Geometry: g, Properties: territoryProps{Role: roleTerritory, Territory: t.Territory}}}
	features = append(features, listed(roleSite, t.Sites)...)
	features = append(features, listed(roleCnam, t.Cnam)...)
	features = append(features, listed(roleACV, t.ACV)...)
	return fiber.Map{
		"type": "FeatureCollection", "features": features,
		"territory": t.Territory, "region": t.Region, "region_name": t.RegionName,
		"communes": t.Communes, "epcis": t.EPCIs, "sites_by_wave": t.SitesByWave, "formations": t.Formations,
		"counts":       fiber.Map{"cnam": len(t.Cnam), "acv": len(t.ACV), "sites": len(t.Sites)},
		"neighbours":   t.Neighbours,
		"provenance":   cat.plain.provenanceJSON(t.Provenance),
		"attribution":  cat.Manifest.Attribution,
		"data_version": cat.Version,
	}
}

// sendProfile writes a profile answer: JSON, or GeoJSON when asked.
func sendProfile(c *fiber.Ctx, asGeoJSON bool, plain func() any, collection func() fiber.Map) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if asGeoJSON {
		return c.JSON(collection(), mediaGeoJSON)
	}
	return c.JSON(plain())
}

// GET /api/sites/{id}/profile?format=
func (a *API) handleSiteProfile(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramFormat)
	if err != nil {
		return err
	}
	asGeoJSON, err := wantGeoJSON(v)
	if err != nil {
		return err
	}
	id, err := url.PathUnescape(c.Params("id"))
	if err != nil || id == "" {
		return badRequest("a site id is required: /api/sites/{id}/profile")
	}
	p, ok := cat.Profiles.Site(id)
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "no site "+strconv.Quote(id))
	}
	return sendProfile(c, asGeoJSON, func() any {
		return pointAnswer{p, cat.plain.provenanceJSON(p.Provenance), cat.Manifest.Attribution, cat.Version}
	}, func() fiber.Map { return pointCollection(cat, p) })
}

// GET /api/profile?lat=&lon=&format=
func (a *API) handlePointProfile(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramLat, paramLon, paramFormat)
	if err != nil {
		return err
	}
	pt, _, err := point(v, true)
	if err != nil {
		return err
	}
	asGeoJSON, err := wantGeoJSON(v)
	if err != nil {
		return err
	}
	p := cat.Profiles.Point(pt)
	return sendProfile(c, asGeoJSON, func() any {
		return pointAnswer{p, cat.plain.provenanceJSON(p.Provenance), cat.Manifest.Attribution, cat.Version}
	}, func() fiber.Map { return pointCollection(cat, p) })
}

// GET /api/territoires/{id}/profile?period=&format=
func (a *API) handleTerritoryProfile(c *fiber.Ctx) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramPeriod, paramFormat)
	if err != nil {
		return err
	}
	period := v.Get(paramPeriod)
	if period == "" {
		period = layers.Period2023
	}
	if !slices.Contains(layers.Periods(), period) {
		return badRequest("period=%q must be %s or %s", period, layers.Period2023, layers.Period2018)
	}
	asGeoJSON, err := wantGeoJSON(v)
	if err != nil {
		return err
	}
	id, err := url.PathUnescape(c.Params("id"))
	if err != nil || id == "" {
		return badRequest("a territory id is required: /api/territoires/{id}/profile")
	}
	t, ok := cat.Profiles.Territory(period, id)
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "no territory "+strconv.Quote(id)+" in "+period+" (ids are ti-RRNN, not stable across periods)")
	}
	return sendProfile(c, asGeoJSON, func() any {
		return territoryAnswer{t, cat.plain.provenanceJSON(t.Provenance), cat.Manifest.Attribution, cat.Version}
	}, func() fiber.Map { return territoryCollection(cat, t) })
}
