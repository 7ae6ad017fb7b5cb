// Package profile answers Business France's question in one call: what is
// around a place. For a turnkey site, a point (an investor's own plot) or a
// Territoire d'industrie it assembles, from the index, the commune and its
// intercommunality, the territory of each period, the training centres
// within 10, 30 and 50 km counted by category with the nearest of each,
// the Cnam antennas, the Action cœur de ville towns and the other sites
// within 50 km, and says where every number comes from.
//
// A profile is plain data: the api package encodes it as JSON or GeoJSON,
// the pages render it as HTML.
package profile

import "github.com/territoires-industrie/carte/dataset"

// Radii are the distances, in kilometres, at which training centres are
// counted; the last one is also the reach of the lists of Cnam antennas,
// ACV towns and other sites.
var Radii = []float64{10, 30, 50}

// NearestPerCategory is how many training centres of each category a point
// profile lists.
const NearestPerCategory = 5

// Point is the profile of a site or of any point.
type Point struct {
	// Site is the site profiled; nil for a point asked by lat/lon.
	Site *Feature `json:"site"`
	// Origin is where the distances are measured from.
	Origin Origin `json:"origin"`
	// Commune contains the origin; nil at sea or abroad.
	Commune *Commune `json:"commune"`
	// Territoires holds the territory containing the origin for each
	// period (layers.Period2023, layers.Period2018): nil where none.
	Territoires map[string]*Territory `json:"territoires"`
	// Formations counts the training centres around the origin.
	Formations Formations `json:"formations"`
	// Cnam, ACV and Sites list the Cnam antennas, ACV towns and other
	// sites within the last radius, nearest first (ties by id). Sites
	// leaves out the site profiled.
	Cnam  []Feature `json:"cnam"`
	ACV   []Feature `json:"acv"`
	Sites []Feature `json:"sites"`
	// Provenance is each layer's origin, by layer id, for every layer the
	// profile read.
	Provenance map[string]Provenance `json:"provenance"`
}

// Origin is the point distances are measured from.
type Origin struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
	// Precision is "exact" for a point asked by lat/lon, else the site's
	// own precision ("commune": the site sits at its commune's centroid).
	Precision string `json:"precision"`
	// Note says in words, French then English, what Precision means for
	// the distances ("distances mesurées depuis le centroïde de …").
	Note string `json:"note"`
}

// Commune is the commune containing a point, with what is known of it.
type Commune struct {
	Code       string `json:"code_insee"`
	Name       string `json:"name"`
	Population *int64 `json:"population"` // nil when the source has none
	EPCI       string `json:"epci,omitempty"`
	EPCIName   string `json:"epci_name,omitempty"`
	// ACV is the id of the Action cœur de ville programme the commune
	// belongs to ("" when none); ACVName its name.
	ACV     string `json:"acv_id,omitempty"`
	ACVName string `json:"acv_name,omitempty"`
	IsACV   bool   `json:"is_acv"`
}

// Territory is a Territoire d'industrie as a profile names it.
type Territory struct {
	ID         string `json:"id"`    // the feature id, "2023/ti-8413"
	TIID       string `json:"ti_id"` // ti-8413: not stable across periods
	Period     string `json:"period"`
	Name       string `json:"name"`
	Population *int64 `json:"population"`
	NCommunes  int64  `json:"n_communes"`
}

// Feature is one feature a profile lists.
type Feature struct {
	ID    string `json:"id"`
	Layer string `json:"layer"`
	Name  string `json:"name"`
	// Category is the formations' category, the Cnam antennas' AMI or the
	// sites' waves (space separated); "" for other layers.
	Category  string   `json:"category,omitempty"`
	Commune   string   `json:"commune,omitempty"`
	CodeInsee string   `json:"code_insee,omitempty"`
	Lon       float64  `json:"lon"`
	Lat       float64  `json:"lat"`
	DistanceM *float64 `json:"distance_m,omitempty"` // nil in territory profiles
	// Precision of the feature's own point ("exact" or "commune").
	Precision string `json:"precision"`
}

// Formations counts training centres around a point.
type Formations struct {
	// Counts holds one entry per radius of Radii, in that order.
	Counts []RadiusCount `json:"counts"`
	// Nearest holds, per category, the NearestPerCategory nearest training
	// centres, nearest first (ties by id), whatever their distance.
	Nearest map[string][]Feature `json:"nearest"`
}

// RadiusCount is how many training centres lie within a radius.
type RadiusCount struct {
	RadiusKm   float64        `json:"radius_km"`
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"by_category"` // categories with none are left out
}

// Provenance is where a layer comes from, as the other answers say it.
type Provenance struct {
	Title   string           `json:"title"`
	Sources []dataset.Source `json:"sources"`
}

// TerritoryProfile is the profile of a Territoire d'industrie.
type TerritoryProfile struct {
	Territory Territory `json:"territory"`
	Region    string    `json:"region,omitempty"`
	// RegionName is the region's name (COG 2026).
	RegionName string `json:"region_name,omitempty"`
	// Communes counts the member communes in the dataset (COG 2026) and
	// sums their population.
	Communes CommuneCount `json:"communes"`
	// EPCIs are the intercommunalities of the member communes, by SIREN,
	// with how many member communes each has.
	EPCIs []EPCI `json:"epcis"`
	// Sites lie in the territory (their commune is a member), with their
	// count per wave.
	Sites       []Feature      `json:"sites"`
	SitesByWave map[string]int `json:"sites_by_wave"`
	// Formations counts the training centres of the member communes.
	Formations Count `json:"formations"`
	// Cnam and ACV list the antennas and the ACV towns of the territory.
	Cnam []Feature `json:"cnam"`
	ACV  []Feature `json:"acv"`
	// Neighbours are the territories of the same period whose outline comes
	// within NeighbourDistanceM of this one's, by id.
	Neighbours []Territory           `json:"neighbours"`
	Provenance map[string]Provenance `json:"provenance"`
}

// NeighbourDistanceM is how close two territories' outlines come for them
// to be neighbours: the outlines are simplified, so shared borders do not
// touch exactly.
const NeighbourDistanceM = 1000

// CommuneCount is a number of communes and their total population.
type CommuneCount struct {
	Count      int   `json:"count"`
	Population int64 `json:"population"`
	// WithoutPopulation counts the communes the source gives no population.
	WithoutPopulation int `json:"without_population"`
}

// EPCI is an intercommunality and how many member communes it has.
type EPCI struct {
	SIREN     string `json:"siren"`
	Name      string `json:"name"`
	NCommunes int    `json:"n_communes"`
}

// Count is a total and its split by category.
type Count struct {
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"by_category"`
}
