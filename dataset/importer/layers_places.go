package importer

import (
	"cmp"
	"fmt"
	"slices"
)

// Zooms from which a place is named on the map: the capitals of regions
// and the towns of 200,000 people at the France view (beside the regions'
// names), then smaller towns
// zoom after zoom, every commune from z11. One threshold per zoom, by
// population (INSEE, via decoupage-administratif).
var placeZooms = []struct {
	zoom       int
	population int64
}{{5, 200_000}, {6, 50_000}, {7, 20_000}, {8, 10_000}, {9, 5_000}, {10, 2_000}}

const (
	placeAllZoom         = 11 // every commune
	placeRegionSeatZoom  = 5
	placeDepartementZoom = 6
	seatRegion           = "region"
	seatDepartement      = "departement"
)

// buildPlaces is one label point per COG 2026 commune, at its derived
// centroid, ranked for the map: capitals of regions, then of départements,
// then by population. A commune without a centroid (the overseas
// collectivities and a few communes re-created after 2018) is not placed
// and is counted.
func buildPlaces(r *refs) (*layer, error) {
	l := newLayer("places")
	seats := map[string]string{}
	for _, d := range r.departements {
		if d.ChefLieu != "" {
			seats[d.ChefLieu] = seatDepartement
		}
	}
	for _, c := range r.regionSeats {
		seats[c] = seatRegion
	}
	for code := range seats {
		if _, ok := r.communes[code]; !ok {
			return nil, fmt.Errorf("importer: capital %s (%s, %s) is not a COG 2026 commune", code, fileRegions, fileDepartements)
		}
	}
	type place struct {
		code string
		pop  int64
	}
	var list []place
	unplaced := 0
	for code, c := range r.communes {
		if _, ok := r.centroids[code]; !ok {
			unplaced++
			continue
		}
		var pop int64
		if c.Population != nil {
			pop = *c.Population
		}
		list = append(list, place{code, pop})
	}
	class := func(code string) int {
		switch seats[code] {
		case seatRegion:
			return 0
		case seatDepartement:
			return 1
		}
		return 2
	}
	slices.SortFunc(list, func(a, b place) int {
		return cmp.Or(cmp.Compare(class(a.code), class(b.code)), cmp.Compare(b.pop, a.pop), cmp.Compare(a.code, b.code))
	})
	for i, pl := range list {
		c := r.communes[pl.code]
		p := props{"name": c.Nom, "code_insee": pl.code, "rank": int64(i + 1), "minzoom": int64(placeZoom(seats[pl.code], pl.pop)), "precision": "commune"}
		p.str("departement", c.Departement)
		p.str("region", c.Region)
		if c.Population != nil {
			p["population"] = *c.Population
		}
		p.str("chef_lieu", seats[pl.code])
		if e, ok := r.epci[pl.code]; ok {
			p.str("epci", e.siren)
			p.str("epci_name", e.name)
		}
		l.add("place-"+pl.code, r.centroids[pl.code], p)
	}
	l.skip("commune COG 2026 sans centroïde dans "+fileCentroids2026+" (collectivités d'outre-mer, communes recréées après 2018) : point non inventé / no centroid", unplaced)
	return l, l.sortByID()
}

// placeZoom is the zoom from which a place is named.
func placeZoom(seat string, population int64) int {
	switch seat {
	case seatRegion:
		return placeRegionSeatZoom
	case seatDepartement:
		return min(placeDepartementZoom, zoomByPopulation(population))
	}
	return zoomByPopulation(population)
}

func zoomByPopulation(population int64) int {
	for _, z := range placeZooms {
		if population >= z.population {
			return z.zoom
		}
	}
	return placeAllZoom
}
