package api

import (
	"fmt"
	"strings"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// The OpenAPI side of the profiles: their operations' parameters and the
// schemas of their answers, which follow the profile package's types.

func formatParam() Obj {
	return QueryParam(paramFormat, "Response format: json (default: the profile) or geojson (a FeatureCollection: the origin or the territory's outline, "+
		"then every feature listed with its role; the counts and the rest of the profile as foreign members).",
		Obj{"type": "string", "enum": []string{"json", "geojson"}, "default": "json"})
}

func profileContent() Obj {
	return Content(mediaJSON, Ref("PointProfile"), mediaGeoJSON, Ref("ProfileFeatureCollection"))
}

func radiiText() string {
	var rs []string
	for _, r := range profile.Radii {
		rs = append(rs, fmt.Sprint(r))
	}
	return strings.Join(rs, ", ")
}

// pointProfileText describes what a point profile holds.
func pointProfileText() string {
	reach := profile.Radii[len(profile.Radii)-1]
	return fmt.Sprintf("The commune containing the point (every commune of France: name, INSEE code, population, EPCI, Action cœur de ville), "+
		"the Territoire d'industrie of each period, the training centres within %s km counted by category and the %d nearest of each category (whatever their distance), "+
		"and the Cnam antennas, Action cœur de ville towns and turnkey sites within %v km, nearest first (ties by id), with great-circle distances in metres. "+
		"origin says where distances are measured from and how precisely (precision exact, or commune: the commune's centroid).",
		radiiText(), profile.NearestPerCategory, reach)
}

func profileSchemas() Obj {
	str := Str()
	integer := Obj{"type": "integer"}
	nullableInt := Obj{"type": "integer", "nullable": true}
	counts := Obj{"type": "object", "additionalProperties": integer}
	feature := Obj{"type": "object", "required": []string{"id", "layer", "name", "lon", "lat", "precision"}, "properties": Obj{
		"id": str, "layer": str, "name": str,
		"category":   Obj{"type": "string", "description": "Training centres: their category; Cnam antennas: their AMI (1-2019, 2-2020, unknown); sites: their waves, space separated."},
		"commune":    str,
		"code_insee": str,
		"lon":        Obj{"type": "number"}, "lat": Obj{"type": "number"},
		"distance_m": Obj{"type": "number", "description": "Great-circle distance from the origin, metres (to the decimetre); absent in territory profiles."},
		"precision":  Obj{"type": "string", "description": "exact, or commune: the feature is placed at its commune's centroid."},
	}}
	nullableObject := func(o Obj, desc string) Obj {
		return Obj{"type": "object", "nullable": true, "description": desc, "properties": o["properties"], "required": o["required"]}
	}
	territory := Obj{"type": "object", "required": []string{"id", "ti_id", "period", "name", "n_communes"}, "properties": Obj{
		"id": Obj{"type": "string", "description": "Feature id, e.g. 2023/ti-8413."}, "ti_id": Obj{"type": "string", "description": "ti-RRNN: not stable across periods."},
		"period": Obj{"type": "string", "enum": layers.Periods()}, "name": str, "population": nullableInt, "n_communes": integer,
	}}
	periods := Obj{}
	for _, p := range layers.Periods() {
		periods[p] = nullableObject(territory, "The territory of "+p+" containing the origin, or null.")
	}
	commune := Obj{"type": "object", "required": []string{"code_insee", "name", "is_acv"}, "properties": Obj{
		"code_insee": str, "name": str, "population": nullableInt, "epci": Obj{"type": "string", "description": "SIREN of the EPCI."}, "epci_name": str,
		"acv_id": str, "acv_name": str, "is_acv": Obj{"type": "boolean"},
	}}
	origin := Obj{"type": "object", "required": []string{"lon", "lat", "precision", "note"}, "properties": Obj{
		"lon": Obj{"type": "number"}, "lat": Obj{"type": "number"},
		"precision": Obj{"type": "string", "description": "exact for a point asked by lat/lon; a site's own precision (commune: the site is placed at its commune's centroid, and so are the distances)."},
		"note":      Obj{"type": "string", "description": "What precision means for the distances, French then English."},
	}}
	radiusCount := Obj{"type": "object", "required": []string{"radius_km", "total", "by_category"}, "properties": Obj{
		"radius_km": Obj{"type": "number"}, "total": integer, "by_category": counts,
	}}
	features := Obj{"type": "array", "items": Ref("ProfileFeature")}
	pointProps := Obj{
		"site":        nullableObject(feature, "The site profiled; null for a point asked by lat/lon."),
		"origin":      Ref("ProfileOrigin"),
		"commune":     nullableObject(commune, "The commune containing the origin; null at sea or abroad."),
		"territoires": Obj{"type": "object", "description": "By period: the territory containing the origin, or null.", "properties": periods, "required": layers.Periods()},
		"cnam":        features, "acv": features, "sites": features,
		"provenance": Ref("Provenance"), "attribution": str, "data_version": str,
	}
	point := Obj{"type": "object", "required": []string{"site", "origin", "commune", "territoires", "formations", "cnam", "acv", "sites", "provenance"}, "properties": Obj{}}
	for k, v := range pointProps {
		point["properties"].(Obj)[k] = v
	}
	point["properties"].(Obj)["formations"] = Obj{"type": "object", "required": []string{"counts", "nearest"}, "properties": Obj{
		"counts":  Obj{"type": "array", "items": Ref("ProfileRadiusCount"), "description": "One per radius (" + radiiText() + " km): how many training centres, by category (categories with none left out)."},
		"nearest": Obj{"type": "object", "additionalProperties": features, "description": fmt.Sprintf("By category: the %d nearest training centres, nearest first.", profile.NearestPerCategory)},
	}}
	territoryProfile := Obj{"type": "object", "required": []string{"territory", "communes", "epcis", "sites", "sites_by_wave", "formations", "cnam", "acv", "neighbours", "provenance"}, "properties": Obj{
		"territory": Ref("ProfileTerritory"), "region": str, "region_name": str,
		"communes": Ref("ProfileCommuneCount"),
		"epcis": Obj{"type": "array", "description": "The member communes' EPCIs, by SIREN.", "items": Obj{"type": "object", "required": []string{"siren", "name", "n_communes"}, "properties": Obj{
			"siren": str, "name": str, "n_communes": integer,
		}}},
		"sites":         features,
		"sites_by_wave": Obj{"type": "object", "additionalProperties": integer, "description": "Sites by wave (2020-01, 2020-07, 2021-09, 2024-04); a site of several waves counts in each."},
		"formations":    Ref("ProfileCount"),
		"cnam":          features, "acv": features,
		"neighbours":   Obj{"type": "array", "items": Ref("ProfileTerritory"), "description": fmt.Sprintf("Territories of the same period whose outline comes within %d m, by id.", profile.NeighbourDistanceM)},
		"provenance":   Ref("Provenance"),
		"attribution":  str,
		"data_version": str,
	}}
	geoProps := Obj{"type": "object", "required": []string{"role"}, "properties": Obj{
		"role": Obj{"type": "string", "enum": []string{roleOrigin, roleTerritory, roleFormation, roleCnam, roleACV, roleSite}},
	}, "description": "role, then: for the origin its precision and note (and the site's fields); for a listed feature the fields of ProfileFeature; for the territory those of ProfileTerritory."}
	for k, v := range feature["properties"].(Obj) {
		geoProps["properties"].(Obj)[k] = v
	}
	geoProps["properties"].(Obj)["note"] = str
	geoProps["properties"].(Obj)["ti_id"] = str
	geoProps["properties"].(Obj)["period"] = str
	geoProps["properties"].(Obj)["population"] = nullableInt
	geoProps["properties"].(Obj)["n_communes"] = integer
	collection := Obj{"type": "object", "required": []string{"type", "features"},
		"description": "The profile as GeoJSON. Point and site profiles: the origin, then the nearest training centres of each category, the Cnam antennas, ACV towns and other sites; " +
			"foreign members site, origin, commune, territoires, formations (counts only: the nearest are features), counts (how many cnam, acv, sites). " +
			"Territory profiles: the territory's outline, then its sites, Cnam antennas and ACV towns; foreign members territory, region, region_name, communes, epcis, sites_by_wave, formations, counts, neighbours. " +
			"Both: provenance, attribution, data_version.",
		"properties": Obj{
			"type": Obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features": Obj{"type": "array", "items": Obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": Obj{
				"type": Obj{"type": "string", "enum": []string{"Feature"}}, "id": str, "geometry": Ref("Geometry"), "properties": geoProps,
			}}},
			"site": nullableObject(feature, "Point and site profiles: the site, or null."), "origin": Ref("ProfileOrigin"),
			"commune": nullableObject(commune, "Point and site profiles: the commune, or null."), "territoires": pointProps["territoires"],
			"formations": Obj{"type": "object", "description": "Point profiles: counts per radius; territory profiles: total and by_category.", "properties": Obj{
				"counts": Obj{"type": "array", "items": Ref("ProfileRadiusCount")}, "total": integer, "by_category": counts,
			}},
			"counts":    Obj{"type": "object", "properties": Obj{"cnam": integer, "acv": integer, "sites": integer}},
			"territory": Ref("ProfileTerritory"), "region": str, "region_name": str, "communes": Ref("ProfileCommuneCount"),
			"epcis": territoryProfile["properties"].(Obj)["epcis"], "sites_by_wave": territoryProfile["properties"].(Obj)["sites_by_wave"],
			"neighbours": territoryProfile["properties"].(Obj)["neighbours"],
			"provenance": Ref("Provenance"), "attribution": str, "data_version": str,
		}}
	return Obj{
		"ProfileFeature":           feature,
		"ProfileTerritory":         territory,
		"ProfileOrigin":            origin,
		"ProfileRadiusCount":       radiusCount,
		"ProfileCount":             Obj{"type": "object", "required": []string{"total", "by_category"}, "properties": Obj{"total": integer, "by_category": counts}},
		"ProfileCommuneCount":      Obj{"type": "object", "required": []string{"count", "population", "without_population"}, "properties": Obj{"count": integer, "population": integer, "without_population": integer}},
		"PointProfile":             point,
		"TerritoryProfile":         territoryProfile,
		"ProfileFeatureCollection": collection,
	}
}
