package data

import (
	"cmp"
	"compress/gzip"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// Counts from the sources (see the shared data's SOURCES.md): what the
// default dataset must hold, so that a re-import that loses records fails.
const (
	ti2023Count              = 183
	ti2018Count              = 149
	ti2023CommuneRows        = 18726 // rows of the ANCT 2023-2027 commune list
	formationRows            = 9667  // rows of formation_points_DERIVED.csv
	sitesFrance2030          = 49    // ANCT "id_site" values
	cnamRows                 = 43    // rows of the Cnam's "Au cœur des territoires" table
	acvProgrammes            = 232
	regionsWithOverseas      = 18
	departementsWithOverseas = 101
	communesCOG2026          = 34969         // rows of communes_cog2026_centroides_population_derived.csv
	communesWithoutCentroid  = 101           // of which without coordinates (94 COM, 7 re-created)
	capitals                 = 18 + 101 - 18 // region capitals are also département capitals
	biggestTownsAtFranceView = 10
)

// loadOnce reads the default dataset once for every test (it is read
// only): it takes seconds.
var loadOnce = sync.OnceValues(func() (*dataset.Dataset, error) { return dataset.Load(FS) })

func load(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	ds, err := loadOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

func layer(tb testing.TB, ds *dataset.Dataset, id string) dataset.Layer {
	tb.Helper()
	l, ok := ds.Layer(id)
	if !ok {
		tb.Fatalf("no layer %q", id)
	}
	return l
}

func skipped(l dataset.Layer) int {
	n := 0
	for _, s := range l.Info.Skipped {
		n += s.Count
	}
	return n
}

func TestDefaultDatasetCountsMatchTheSources(t *testing.T) {
	ds := load(t)
	periods := map[string]int{}
	for _, f := range layer(t, ds, layers.Territoires).Features {
		periods[f.String("period")]++
		if !strings.HasPrefix(f.ID, f.String("period")[:4]+"/ti-") {
			t.Errorf("territory id %q does not carry its period %q", f.ID, f.String("period"))
		}
	}
	if periods["2023-2027"] != ti2023Count || periods["2018-2023"] != ti2018Count || len(periods) != 2 {
		t.Errorf("territories per period: %v", periods)
	}

	// Every row of the ANCT 2023-2027 list is in a commune (merged communes
	// carry several codes) or counted as skipped.
	communes := layer(t, ds, layers.Communes)
	rows := 0
	in2023 := 0
	for _, f := range communes.Features {
		if codes := f.String("codes_anct_2023"); codes != "" {
			rows += len(strings.Split(codes, ";"))
		}
		if f.Properties["in_ti_2023"] == true {
			in2023++
			if f.String("territoire") == "" {
				t.Errorf("commune %s in a 2023 territory has no territoire", f.ID)
			}
		}
	}
	if rows+skipped(communes) != ti2023CommuneRows {
		t.Errorf("ANCT commune rows: %d kept + %d skipped, want %d", rows, skipped(communes), ti2023CommuneRows)
	}
	if in2023 < 18000 {
		t.Errorf("only %d communes in a 2023-2027 territory", in2023)
	}

	formations := layer(t, ds, "formations")
	if n := len(formations.Features) + skipped(formations); n != formationRows {
		t.Errorf("formations: %d kept + %d skipped, want %d", len(formations.Features), skipped(formations), formationRows)
	}
	france2030 := 0
	anctID := regexp.MustCompile(`^site-\d\d$`)
	for _, f := range layer(t, ds, "sites").Features {
		if anctID.MatchString(f.ID) {
			france2030++
			if !slices.Contains(strings.Fields(f.String("waves")), "2024-04") {
				t.Errorf("site %s of the ANCT's France 2030 list has waves %q", f.ID, f.String("waves"))
			}
		}
		if f.String("precision") != "commune" {
			t.Errorf("site %s: precision %q, but sites are placed at the commune centroid", f.ID, f.String("precision"))
		}
	}
	if france2030 != sitesFrance2030 {
		t.Errorf("%d France 2030 sites, want %d", france2030, sitesFrance2030)
	}
	if cnam := layer(t, ds, "cnam"); len(cnam.Features)+skipped(cnam) != cnamRows {
		t.Errorf("cnam: %d kept + %d skipped, want %d rows", len(cnam.Features), skipped(cnam), cnamRows)
	}
	for id, want := range map[string]int{
		"acv":               acvProgrammes,
		layers.Regions:      regionsWithOverseas,
		layers.Departements: departementsWithOverseas,
	} {
		if got := len(layer(t, ds, id).Features); got != want {
			t.Errorf("%s: %d features, want %d", id, got, want)
		}
	}
}

// The places are every commune of the COG 2026 table with a centroid,
// the others counted; the contours every commune with an IGN polygon, the
// same communes (the ones without a 2018 polygon have no centroid either).
// Ranks are 1..n, the capitals first, then by population, and the zooms
// name the ten largest towns at the France view.
func TestPlacesAndContoursCountTheCommunes(t *testing.T) {
	ds := load(t)
	places := layer(t, ds, "places")
	if n, s := len(places.Features), skipped(places); n+s != communesCOG2026 || s != communesWithoutCentroid {
		t.Errorf("places: %d placed + %d skipped, want %d of which %d skipped", n, s, communesCOG2026, communesWithoutCentroid)
	}
	contours := layer(t, ds, "contours_communes")
	if n, s := len(contours.Features), skipped(contours); n+s != communesCOG2026 {
		t.Errorf("contours: %d + %d skipped, want %d", n, s, communesCOG2026)
	}
	byRank := make([]dataset.Feature, len(places.Features)+1)
	seats := 0
	for _, f := range places.Features {
		r, _ := f.Properties["rank"].(int64)
		if r < 1 || int(r) >= len(byRank) || byRank[r].ID != "" {
			t.Fatalf("place %s: rank %d missing, out of range or taken", f.ID, r)
		}
		byRank[r] = f
		if f.String("chef_lieu") != "" {
			seats++
		}
		if f.String("precision") != "commune" {
			t.Errorf("place %s: precision %q, want commune (a derived centroid)", f.ID, f.String("precision"))
		}
	}
	if seats != capitals {
		t.Errorf("%d places are capitals, want %d", seats, capitals)
	}
	var towns []dataset.Feature // by rank, capitals aside
	for _, f := range byRank[1:] {
		if f.String("chef_lieu") == "" {
			towns = append(towns, f)
		}
	}
	for i := 1; i < len(towns); i++ {
		if a, b := towns[i-1].Properties["population"], towns[i].Properties["population"]; a != nil && b != nil && a.(int64) < b.(int64) {
			t.Fatalf("%s (%v people) ranks before %s (%v)", towns[i-1].ID, a, towns[i].ID, b)
		}
	}
	// The ten most populous communes are named from z5.
	biggest := slices.Clone(places.Features)
	slices.SortFunc(biggest, func(a, b dataset.Feature) int {
		pa, _ := a.Properties["population"].(int64)
		pb, _ := b.Properties["population"].(int64)
		return cmp.Compare(pb, pa)
	})
	for _, f := range biggest[:biggestTownsAtFranceView] {
		if f.Properties["minzoom"] != int64(5) {
			t.Errorf("%s (%v people) is named from z%v, want z5", f.String("name"), f.Properties["population"], f.Properties["minzoom"])
		}
	}
}

func TestDefaultDatasetCarriesProvenance(t *testing.T) {
	ds := load(t)
	if ds.Manifest.Attribution == "" {
		t.Error("no attribution")
	}
	for _, l := range ds.Layers {
		for _, s := range l.Info.Sources {
			if s.Name == "" || s.Licence == "" || s.Vintage == "" {
				t.Errorf("layer %s: incomplete source %+v", l.Info.ID, s)
			}
		}
		if l.Info.Geometry == dataset.GeometryPoint {
			if _, ok := l.Info.Field("precision"); !ok {
				t.Errorf("point layer %s does not say how precise its points are", l.Info.ID)
			}
		}
	}
}

// Every point lies in France: inside the polygon of the département it
// claims, overseas included (a coastal centroid may sit just off the
// simplified coastline, hence the 2 km allowance).
func TestDefaultDatasetPointsLieInTheirDepartement(t *testing.T) {
	ds := load(t)
	deps := map[string]orb.MultiPolygon{}
	for _, f := range layer(t, ds, layers.Departements).Features {
		deps[f.String("code")] = dataset.Polygons(f.Geometry)
	}
	const allowance = 0.02 // degrees, about 2 km
	for _, id := range []string{"sites", "formations", "acv"} {
		for _, f := range layer(t, ds, id).Features {
			dep := f.String("departement")
			if dep == "" {
				continue // multi-commune ACV spanning départements
			}
			poly, ok := deps[dep]
			if !ok {
				t.Errorf("%s %s: unknown département %q", id, f.ID, dep)
				continue
			}
			var pts []orb.Point
			switch g := f.Geometry.(type) {
			case orb.Point:
				pts = []orb.Point{g}
			case orb.MultiPoint:
				pts = g
			}
			for _, p := range pts {
				if !planar.MultiPolygonContains(poly, p) && !poly.Bound().Pad(allowance).Contains(p) {
					t.Errorf("%s %s at %v is outside département %s", id, f.ID, p, dep)
				}
			}
		}
	}
}

func TestDefaultDatasetCommunesHaveRealPolygons(t *testing.T) {
	ds := load(t)
	for _, f := range layer(t, ds, layers.Communes).Features {
		if planar.Area(f.Geometry) <= 0 {
			t.Errorf("commune %s has no area", f.ID)
		}
		lon, okLon := f.Properties["centroid_lon"].(float64)
		lat, okLat := f.Properties["centroid_lat"].(float64)
		if okLon && okLat && !f.Geometry.Bound().Pad(0.01).Contains(orb.Point{lon, lat}) {
			t.Errorf("commune %s: centroid %v,%v outside its polygon's bound", f.ID, lon, lat)
		}
	}
}

// Every polygon of every layer file has the winding of RFC 7946 §3.1.6:
// exterior rings counterclockwise, holes clockwise. The files are read as
// plain GeoJSON, not through dataset.DecodeLayer (which winds what it
// reads), so that the committed bytes themselves are checked.
func TestDefaultDatasetFilesHaveRFC7946Winding(t *testing.T) {
	for _, info := range load(t).Manifest.Layers {
		t.Run(info.ID, func(t *testing.T) {
			f, err := FS.Open(info.File)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(b)
			if err != nil {
				t.Fatal(err)
			}
			wrong, rings := 0, 0
			for _, feature := range fc.Features {
				for i, p := range dataset.Polygons(feature.Geometry) {
					for j, r := range p {
						rings++
						want := orb.CCW
						if j > 0 {
							want = orb.CW
						}
						if got := r.Orientation(); got != want {
							if wrong++; wrong <= 5 {
								t.Errorf("%s %v: polygon %d ring %d turns %v, want %v", info.File, feature.ID, i, j, got, want)
							}
						}
					}
				}
			}
			if wrong > 0 {
				t.Errorf("%s: %d of %d rings wound against RFC 7946", info.File, wrong, rings)
			}
		})
	}
}
