package api

import (
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
)

// Parameter names, in the habits of geo.api.gouv.fr where they exist.
const (
	paramLat         = "lat"
	paramLon         = "lon"
	paramLayers      = "layers"
	paramRegion      = "codeRegion"
	paramDepartement = "codeDepartement"
	paramTerritoire  = "territoire"
	paramEPCI        = "epci"
	paramPeriod      = "period"
	paramCategory    = "category"
	paramMinSurface  = "min_surface_ha"
	paramFields      = "fields"
	paramFormat      = "format"
	paramProvenance  = "provenance"
	paramVersion     = "v"
)

// Values of provenance=: a reference to each layer's provenance (the
// default), or the provenance itself.
const (
	provenanceRefs = "ref"
	provenanceFull = "full"
)

// filterParams are accepted by every search route.
var filterParams = []string{paramLayers, paramRegion, paramDepartement, paramTerritoire, paramEPCI, paramPeriod, paramCategory, paramMinSurface, paramFields, paramFormat, paramProvenance}

// query is a request's parameters once checked: each name one the route
// accepts, at most once, in the order given. A handful of pairs in a slice
// costs less to build on every request than url.Values, a map of slices.
type query []queryParam

type queryParam struct{ name, value string }

// lookup is the value of name, and whether it was given (perhaps empty).
func (q query) lookup(name string) (string, bool) {
	for _, p := range q {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// Get is the value of name, or "" when it was not given.
func (q query) Get(name string) string {
	v, _ := q.lookup(name)
	return v
}

// Has says whether name was given (perhaps empty).
func (q query) Has(name string) bool {
	_, ok := q.lookup(name)
	return ok
}

// with is q with name set to value, in place of any value it had.
func (q query) with(name, value string) query {
	out := make(query, 0, len(q)+1)
	for _, p := range q {
		if p.name != name {
			out = append(out, p)
		}
	}
	return append(out, queryParam{name, value})
}

// values is q as url.Values, to build links from.
func (q query) values() url.Values {
	v := make(url.Values, len(q))
	for _, p := range q {
		v.Set(p.name, p.value)
	}
	return v
}

// queryValues reads the query string, refusing parameters the route does
// not know (a typo must not silently widen a search) and repeated ones.
func queryValues(c *fiber.Ctx, allowed ...string) (query, error) {
	return queryValuesIn(c, allowed)
}

// queryValuesIn is queryValues with the allowed parameters in several
// lists (a route's own, the filters, the groups), not joined on every
// request.
func queryValuesIn(c *fiber.Ctx, allowed ...[]string) (query, error) {
	args := c.Context().QueryArgs()
	q := make(query, 0, args.Len())
	var unknown, repeated []string
	args.VisitAll(func(k, v []byte) {
		name, known := allowedName(k, allowed)
		switch {
		case !known:
			if !slices.Contains(unknown, string(k)) {
				unknown = append(unknown, string(k))
			}
		case q.Has(name):
			if !slices.Contains(repeated, name) {
				repeated = append(repeated, name)
			}
		default:
			q = append(q, queryParam{name, string(v)})
		}
	})
	sort.Strings(unknown)
	sort.Strings(repeated)
	switch {
	case len(unknown) > 0:
		known := slices.Concat(allowed...) // a copy: the lists are the callers'
		sort.Strings(known)
		return nil, badRequest("unknown parameter(s) %s; this route accepts %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	case len(repeated) > 0:
		return nil, badRequest("parameter(s) %s given more than once", strings.Join(repeated, ", "))
	}
	return q, nil
}

// allowedName is the allowed name equal to k, as the lists spell it (so
// the name is not copied from the request).
func allowedName(k []byte, allowed [][]string) (string, bool) {
	for _, list := range allowed {
		for _, name := range list {
			if name == string(k) {
				return name, true
			}
		}
	}
	return "", false
}

// point reads lat and lon (WGS84 degrees). ok is false when both are
// absent and required is false.
func point(v query, required bool) (p orb.Point, ok bool, err error) {
	latS, lonS := v.Get(paramLat), v.Get(paramLon)
	if latS == "" && lonS == "" && !required {
		return p, false, nil
	}
	if latS == "" || lonS == "" {
		return p, false, badRequest("lat and lon are both required (WGS84 decimal degrees, e.g. lat=45.76&lon=4.84)")
	}
	lat, err := finite(latS, paramLat)
	if err != nil {
		return p, false, err
	}
	lon, err := finite(lonS, paramLon)
	if err != nil {
		return p, false, err
	}
	if lat < -90 || lat > 90 {
		return p, false, badRequest("lat=%s is outside -90..90", latS)
	}
	if lon < -180 || lon > 180 {
		return p, false, badRequest("lon=%s is outside -180..180", lonS)
	}
	return orb.Point{lon, lat}, true, nil
}

func finite(s, name string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, badRequest("%s=%q is not a finite decimal number", name, s)
	}
	return f, nil
}

// intParam reads a positive integer bounded by max: above max it is an
// error that says the maximum (our JSON API), unless capAtMax (OGC API,
// whose standard says to cap).
func intParam(v query, name string, def, max int, capAtMax bool) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil && capAtMax && strings.Trim(s, "0123456789") == "" {
		return max, nil // all digits, too big even for an int: above max
	}
	if err != nil || n < 1 {
		return 0, badRequest("%s=%q must be an integer from 1 to %d", name, s, max)
	}
	if n > max {
		if capAtMax {
			return max, nil
		}
		return 0, badRequest("%s=%d is above the maximum %d", name, n, max)
	}
	return n, nil
}

// offsetParam reads a non-negative offset.
func offsetParam(v query, max int) (int, error) {
	s := v.Get("offset")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, badRequest("offset=%q must be an integer from 0 to %d", s, max)
	}
	return n, nil
}

// filter reads the filter parameters, checking layer names against the
// catalog and values against their formats.
func filter(v query, cat *Catalog, defaultLayers []string) (index.Filter, error) {
	f := index.Filter{
		Region:      v.Get(paramRegion),
		Departement: v.Get(paramDepartement),
		Territoire:  v.Get(paramTerritoire),
		EPCI:        v.Get(paramEPCI),
		Period:      v.Get(paramPeriod),
		Category:    v.Get(paramCategory),
	}
	if s := v.Get(paramLayers); s != "" {
		var unknown []string
		for _, l := range strings.Split(s, ",") {
			l = strings.TrimSpace(l)
			if !cat.Index.HasLayer(l) {
				unknown = append(unknown, strconv.Quote(l))
				continue
			}
			if !slices.Contains(f.Layers, l) {
				f.Layers = append(f.Layers, l)
			}
		}
		if len(unknown) > 0 {
			return f, badRequest("unknown layer(s) %s; layers are %s", strings.Join(unknown, ", "), strings.Join(cat.Index.Layers(), ", "))
		}
	} else {
		f.Layers = defaultLayers
	}
	groups, err := groupFilters(v, cat.Registry, cat.groupParams)
	if err != nil {
		return f, err
	}
	f.Groups = groups
	if f.Period != "" && f.Period != layers.Period2023 && f.Period != layers.Period2018 {
		return f, badRequest("period=%q must be %s or %s", f.Period, layers.Period2023, layers.Period2018)
	}
	if f.Region != "" && !isCode(f.Region, 2, 2) {
		return f, badRequest("codeRegion=%q is not an INSEE region code (2 digits, e.g. 84)", f.Region)
	}
	if f.Departement != "" && !isCode(f.Departement, 2, 3) {
		return f, badRequest("codeDepartement=%q is not a département code (e.g. 01, 2A, 974)", f.Departement)
	}
	if f.EPCI != "" && (len(f.EPCI) != 9 || strings.Trim(f.EPCI, "0123456789") != "") {
		return f, badRequest("epci=%q is not a SIREN (9 digits)", f.EPCI)
	}
	if s := v.Get(paramMinSurface); s != "" {
		x, err := finite(s, paramMinSurface)
		if err != nil || x < 0 {
			return f, badRequest("min_surface_ha=%q must be a non-negative number of hectares", s)
		}
		f.MinSurfaceHa = x
	}
	return f, nil
}

// groupFilters reads the group parameters params (wave=2020-07,2021-09:
// any of the groups listed), each value checked against the registry.
func groupFilters(v query, reg layers.Registry, params []string) (map[string][]string, error) {
	var out map[string][]string
	for _, param := range params {
		s := v.Get(param)
		if s == "" {
			continue
		}
		known := reg.GroupValues(param)
		var chosen []string
		for _, g := range strings.Split(s, ",") {
			g = strings.TrimSpace(g)
			if !slices.Contains(known, g) {
				return nil, badRequest("%s=%q: %q is not one of %s", param, s, g, strings.Join(known, ", "))
			}
			if !slices.Contains(chosen, g) {
				chosen = append(chosen, g)
			}
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[param] = chosen
	}
	return out, nil
}

func isCode(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == 'A' || c == 'B') {
			return false
		}
	}
	return true
}

// Answer formats of the list routes (format=) and of OGC items (f=).
const (
	formatJSON    = "json"
	formatGeoJSON = "geojson"
	formatCSV     = "csv"
)

// listFormat reads format: json (default), geojson or csv.
func listFormat(v query) (string, error) {
	switch f := v.Get(paramFormat); f {
	case "", formatJSON:
		return formatJSON, nil
	case formatGeoJSON, formatCSV:
		return f, nil
	}
	return "", badRequest("format=%q must be json, geojson or csv", v.Get(paramFormat))
}

// fullProvenance reads provenance=: whether a list answer carries each
// layer's sources (full) or a reference to them (ref, the default).
func fullProvenance(v query) (bool, error) {
	switch v.Get(paramProvenance) {
	case "", provenanceRefs:
		return false, nil
	case provenanceFull:
		return true, nil
	}
	return false, badRequest("provenance=%q must be ref or full", v.Get(paramProvenance))
}

// wantGeoJSON reads format where an answer is json (default) or geojson
// only (the profiles: one place, not a list to export).
func wantGeoJSON(v query) (bool, error) {
	switch v.Get(paramFormat) {
	case "", formatJSON:
		return false, nil
	case formatGeoJSON:
		return true, nil
	}
	return false, badRequest("format=%q must be json or geojson", v.Get(paramFormat))
}

// fields reads the list of properties to return (nil: all).
func fields(v query) []string {
	s := v.Get(paramFields)
	if s == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
