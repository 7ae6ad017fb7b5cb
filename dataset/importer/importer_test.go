package importer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/territoires-industrie/carte/dataset"
)

const fixture = "testdata/src"

func runInto(t *testing.T, src string) (string, Report) {
	t.Helper()
	out := t.TempDir()
	rep, err := Run(context.Background(), Options{Src: src, Out: out})
	if err != nil {
		t.Fatalf("Run(%s): %v", src, err)
	}
	return out, rep
}

func findFeature(t *testing.T, ds *dataset.Dataset, layer, id string) dataset.Feature {
	t.Helper()
	l, ok := ds.Layer(layer)
	if !ok {
		t.Fatalf("no layer %q", layer)
	}
	for _, f := range l.Features {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("layer %q: no feature %q", layer, id)
	return dataset.Feature{}
}

func TestRunFixture(t *testing.T) {
	out, rep := runInto(t, fixture)
	ds, err := dataset.Load(os.DirFS(out))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	var order []string
	for _, l := range ds.Manifest.Layers {
		order = append(order, l.ID)
	}
	wantOrder := []string{"regions", "departements", "contours_communes", "territoires", "communes", "acv", "formations", "cnam", "sites", "places"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("layer order = %v, want %v", order, wantOrder)
	}
	if ds.Manifest.Title != "Territoires d'industrie" || !strings.Contains(ds.Manifest.Attribution, "Licence Ouverte 2.0") {
		t.Errorf("manifest title/attribution = %q / %q", ds.Manifest.Title, ds.Manifest.Attribution)
	}

	counts := map[string]int{"regions": 3, "departements": 2, "contours_communes": 5, "territoires": 3, "communes": 4, "acv": 2, "formations": 2, "cnam": 3, "sites": 4, "places": 5}
	// skips: layer → reason substring → count
	skips := map[string]map[string]int{
		"communes":          {"02003": 1},
		"contours_communes": {"no 2018 polygon": 1},
		"places":            {"no centroid": 1},
		"formations":        {"sans coordonnées": 1},
		// Rows, not sites: "Pôle sans commune" is a row of two tables.
		"sites": {"introuvable": 1, "comptage": 1, "aucune source ne place": 2, "sans nom": 1, "vague non indiquée": 1},
		"cnam":  {"introuvable": 1},
	}
	for _, l := range ds.Manifest.Layers {
		if l.Count != counts[l.ID] {
			t.Errorf("layer %s: count %d, want %d", l.ID, l.Count, counts[l.ID])
		}
		if len(l.Skipped) != len(skips[l.ID]) {
			t.Errorf("layer %s: skipped %+v, want %d reasons", l.ID, l.Skipped, len(skips[l.ID]))
		}
		for sub, n := range skips[l.ID] {
			found := false
			for _, s := range l.Skipped {
				if strings.Contains(s.Reason, sub) {
					found = true
					if s.Count != n {
						t.Errorf("layer %s: skip %q count %d, want %d", l.ID, s.Reason, s.Count, n)
					}
				}
			}
			if !found {
				t.Errorf("layer %s: no skip reason containing %q in %+v", l.ID, sub, l.Skipped)
			}
		}
		if r, ok := rep.Layer(l.ID); !ok || r.Count != l.Count {
			t.Errorf("report for %s = %+v, manifest count %d", l.ID, r, l.Count)
		}
	}
	// Each wave and each call is counted against the number announced.
	wantGroups := map[string][]dataset.GroupCount{
		"sites": {{Field: "waves", Value: "2020-01", Count: 1, Official: 12}, {Field: "waves", Value: "2020-07", Count: 1, Official: 66},
			{Field: "waves", Value: "2021-09", Count: 1, Official: 49}, {Field: "waves", Value: "2024-04", Count: 2, Official: 55}},
		"cnam": {{Field: "ami", Value: "1-2019", Count: 1, Official: 55}, {Field: "ami", Value: "2-2020", Count: 1, Official: 20},
			{Field: "ami", Value: "unknown", Count: 1}},
	}
	for _, l := range ds.Manifest.Layers {
		if !slices.Equal(l.Groups, wantGroups[l.ID]) {
			t.Errorf("layer %s: groups %+v, want %+v", l.ID, l.Groups, wantGroups[l.ID])
		}
	}
	if rep.Dissolved != 1 || !slices.Equal(rep.CommunesWithoutPolygon, []string{"02003"}) || len(rep.FormationDuplicateKeys) != 0 {
		t.Errorf("report = %+v", rep)
	}

	tests := []struct {
		layer, id string
		want      map[string]any
		absent    []string
	}{
		{"regions", "region-84", map[string]any{"name": "Auvergne-Rhône-Alpes", "code": "84", "region": "84"}, nil},
		{"regions", "region-94", map[string]any{"name": "Corse", "code": "94"}, nil},
		{"departements", "departement-01", map[string]any{"name": "Ain", "code": "01", "departement": "01", "region": "84", "region_name": "Auvergne-Rhône-Alpes"}, nil},
		{"territoires", "2023/ti-8401", map[string]any{
			"name": "Ain Industrie", "ti_id": "ti-8401", "period": "2023-2027", "region": "84", "region_name": "Auvergne-Rhône-Alpes",
			"n_communes": int64(3), "population": int64(400), "n_groupements": int64(1), "membership": "anct_list",
			"groupements": "CC Test Un (200000001)",
		}, nil},
		{"territoires", "2023/ti-3201", map[string]any{"n_communes": int64(2), "population": int64(120), "n_groupements": int64(2)}, nil},
		{"territoires", "2018/ti-8401", map[string]any{
			"name": "Vague un Ain", "period": "2018-2023", "n_communes": int64(2), "population": int64(300), "membership": "derived_spatial",
		}, []string{"n_groupements", "groupements"}},
		{"communes", "01003", map[string]any{
			"name": "Gamma-Nouvelle", "code_insee": "01003", "population": int64(300), "departement": "01", "region": "84",
			"epci": "200000001", "epci_name": "CC Test Un", "territoire": "ti-8401", "territoire_name": "Ain Industrie",
			"in_ti_2023": true, "in_ti_2018": false, "acv": false, "codes_anct_2023": "01003;01004", "codes_cog2018": "01003;01004",
			"centroid_lon": 5.01079, "centroid_lat": 46.015,
		}, []string{"territoire_2018", "territoire_2018_name", "acv_id"}},
		{"communes", "01002", map[string]any{
			"name": "Beta", "in_ti_2023": false, "in_ti_2018": true, "territoire_2018": "ti-8401", "territoire_2018_name": "Vague un Ain",
		}, []string{"territoire", "territoire_name", "codes_anct_2023"}},
		{"communes", "01001", map[string]any{"acv": true, "acv_id": "acv-001", "in_ti_2023": true, "in_ti_2018": true, "codes_anct_2023": "01001"}, nil},
		{"communes", "02001", map[string]any{"name": "Delta", "territoire": "ti-3201", "acv_id": "acv-002"}, nil},
		{"acv", "acv-001", map[string]any{
			"name": "Alpha", "acv_id": "acv-001", "communes": "Alpha (01001)", "n_communes": int64(1), "code_insee": "01001",
			"departement": "01", "region": "84", "epci": "200000001", "territoire": "ti-8401", "territoire_name": "Ain Industrie", "precision": "commune",
		}, nil},
		{"acv", "acv-002", map[string]any{"n_communes": int64(2), "departement": "02", "region": "32", "epci": "200000002", "epci_name": "CC Test Deux"},
			[]string{"code_insee", "territoire", "territoire_name", "date_signature"}},
		// The ANCT site, named by three pages, labelled again in 2021: one
		// site with both waves; the surfaces disagree, both are noted.
		{"sites", "site-01", map[string]any{
			"name": "Parc Alpha", "waves": "2021-09 2024-04", "named_in_source": true,
			"names_sources": "Parc Alpha ; Zone Alpha, extension ; Parc d'activités Alpha ; Alpha",
			"source_urls":   "urn:test:page-a urn:test:page-c urn:test:page-e urn:test:page-f",
			"surface_ha":    12.5, "disponible_2024": true, "name_match": "commune_exact", "inferred": "departement",
			"note":    "second source ; names the ANCT site ; labelled again in 2024 ; surface : 12.5 ha selon une source, 14 ha selon une autre / sources disagree on the surface",
			"commune": "Gamma-Nouvelle", "code_insee": "01003", "departement": "01", "region": "84", "epci": "200000001",
			"territoire": "ti-8401", "territoire_name": "Ain Industrie", "precision": "commune",
		}, []string{"communes", "surface_stated", "programme", "vague"}},
		{"sites", "site-02", map[string]any{"name": "Site clé en main — Delta", "named_in_source": false, "commune": "Delta", "precision": "commune", "waves": "2024-04"},
			[]string{"names_sources", "surface_ha", "source_urls", "disponible_2024"}},
		// The 2020 table's site, named again by a page of the same wave.
		{"sites", "site-2020-hdf-02", map[string]any{
			"name": "Parc Delta", "names_sources": "Parc Delta ; Parc du Delta", "waves": "2020-07", "territoire": "ti-3201",
			"territoire_name": "Aisne Test", "code_insee": "02001", "precision": "commune", "source_urls": "urn:test:page-d urn:test:page-g",
		}, nil},
		// A site over two communes takes the first and lists both; a
		// surface that is not a number is kept as written.
		{"sites", "site-02002-parc-epsilon", map[string]any{
			"name": "Parc Epsilon", "waves": "2020-01", "code_insee": "02002", "commune": "Epsilon",
			"communes": "Epsilon (02002) ; Delta (02001)", "surface_stated": ">50", "inferred": "commune", "precision": "commune",
		}, []string{"surface_ha", "territoire"}},
		{"cnam", "cnam-01001", map[string]any{
			"name": "Alpha", "ami": "1-2019", "commune": "Alpha", "code_insee": "01001", "opened": "2019-09-13",
			"source_urls": "urn:test:cnam-a", "inferred": "departement", "territoire": "ti-8401", "precision": "commune",
		}, nil},
		{"cnam", "cnam-02001", map[string]any{
			"name": "Agglo Delta", "ami": "2-2020", "source_urls": "urn:test:cnam-b urn:test:cnam-c",
			"inferred": "commune (agglomeration seat) ; departement",
		}, []string{"opened", "note"}},
		{"cnam", "cnam-01002", map[string]any{"ami": "unknown", "opened": "c. 2022"}, []string{"territoire"}},
		{"formations", "formation-siret-12345678900011", map[string]any{
			"name": "CFA Industrie Alpha", "category": "cfa_uimm", "uai": "0010001A", "siret": "12345678900011",
			"precision": "commune", "coord_quality": "commune_centroid_derived", "territoire": "ti-8401", "acv_id": "acv-001",
			"code_insee": "01001", "commune": "Alpha", "departement": "01", "region": "84",
		}, nil},
		{"formations", "formation-uai-0020002B", map[string]any{"precision": "exact", "code_insee": "02001", "territoire_name": "Aisne Test"}, []string{"siret"}},
	}
	for _, tt := range tests {
		t.Run(tt.layer+"/"+tt.id, func(t *testing.T) {
			f := findFeature(t, ds, tt.layer, tt.id)
			for k, v := range tt.want {
				if got, ok := f.Properties[k]; !ok || got != v {
					t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, v)
				}
			}
			for _, k := range tt.absent {
				if v, ok := f.Properties[k]; ok {
					t.Errorf("%s = %#v, want absent", k, v)
				}
			}
		})
	}

	// Geometries: source precision kept for points, TI perimeters rounded
	// to 6 decimals, the 2018 polygons of a merged commune dissolved.
	if g := findFeature(t, ds, "acv", "acv-002").Geometry; g.(orb.MultiPoint)[0] != (orb.Point{3.005123456789, 50.005}) {
		t.Errorf("acv-002 geometry = %v", g)
	}
	if g := findFeature(t, ds, "formations", "formation-uai-0020002B").Geometry; g != (orb.Point{3.004321, 50.004321}) {
		t.Errorf("formation point = %v", g)
	}
	if g := findFeature(t, ds, "territoires", "2023/ti-8401").Geometry; g.(orb.MultiPolygon)[0][0][0] != (orb.Point{5, 46}) {
		t.Errorf("TI geometry not rounded: %v", g)
	}
	if _, ok := findFeature(t, ds, "communes", "02001").Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("02001 should keep its MultiPolygon")
	}
	merged := findFeature(t, ds, "communes", "01003").Geometry
	poly, ok := merged.(orb.Polygon)
	if !ok || len(poly) != 1 {
		t.Fatalf("01003 geometry = %T %v, want one Polygon without holes", merged, merged)
	}
	if poly[0].Orientation() != orb.CCW {
		t.Errorf("dissolved exterior ring is not counterclockwise")
	}
	parts := readFixtureParts(t, "01003", "01004")
	sum := planar.Area(parts[0]) + planar.Area(parts[1])
	if got := planar.Area(poly); math.Abs(got-sum) > 1e-9*sum {
		t.Errorf("dissolved area %.12g, sum of parts %.12g", got, sum)
	}
	// The shared edge is gone: no vertex of the dissolved ring lies strictly
	// inside the union, i.e. on x=5.01 between the two outer corners.
	for _, p := range poly[0] {
		if p[0] == 5.01 && p[1] > 46.01 && p[1] < 46.02 {
			t.Errorf("vertex %v of the shared edge is still in the ring %v", p, poly[0])
		}
	}
}

func readFixtureParts(t *testing.T, codes ...string) []orb.Geometry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture, "geo/communes_par_departement/communes-01-ain.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []orb.Geometry
	for _, c := range codes {
		for _, f := range fc.Features {
			if f.Properties.MustString("code") == c {
				out = append(out, f.Geometry)
			}
		}
	}
	if len(out) != len(codes) {
		t.Fatalf("fixture parts %v not found", codes)
	}
	return out
}

// sameDir fails unless every file of a exists in b with the same bytes,
// and b holds no other dataset file.
func sameDir(t *testing.T, a, b string) {
	t.Helper()
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if n := e.Name(); n == dataset.ManifestFile || strings.HasSuffix(n, ".geojson.gz") {
				out = append(out, n)
			}
		}
		return out
	}
	na, nb := names(a), names(b)
	if !slices.Equal(na, nb) {
		t.Fatalf("files differ: %v vs %v", na, nb)
	}
	for _, n := range na {
		x, err := os.ReadFile(filepath.Join(a, n))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs (%d vs %d bytes)", n, len(x), len(y))
		}
	}
}

// The places are ranked capitals first (region, then département), then by
// population, and named from the zoom their rank and population earn; the
// contours are every commune with a polygon, merged ones dissolved.
func TestPlacesAndContours(t *testing.T) {
	out, _ := runInto(t, fixture)
	ds, err := dataset.Load(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		code          string
		rank, minzoom int64
		seat          any
	}{
		{"01003", 1, 5, "region"},      // the region's capital
		{"01002", 2, 6, "departement"}, // the département's capital
		{"01001", 3, 11, nil},          // 100 people
		{"02001", 4, 11, nil},          // 50 people
		{"02002", 5, 11, nil},          // population unknown: last
	} {
		f := findFeature(t, ds, "places", "place-"+want.code)
		p := f.Properties
		if p["rank"] != want.rank || p["minzoom"] != want.minzoom || p["chef_lieu"] != want.seat || p["precision"] != "commune" || p["code_insee"] != want.code {
			t.Errorf("place %s: %v, want rank %d, minzoom %d, chef_lieu %v", want.code, p, want.rank, want.minzoom, want.seat)
		}
	}
	if got := zoomByPopulation(200_000); got != 5 {
		t.Errorf("a town of 200,000 is named from z%d, want z5", got)
	}
	if got := zoomByPopulation(199_999); got != 6 {
		t.Errorf("a town of 199,999 is named from z%d, want z6", got)
	}
	if got := zoomByPopulation(1_999); got != placeAllZoom {
		t.Errorf("a village is named from z%d, want z%d", got, placeAllZoom)
	}
	merged := findFeature(t, ds, "contours_communes", "contour-01003")
	if merged.Properties["codes_cog2018"] != "01003;01004" {
		t.Errorf("contour of 01003 made of %v, want 01003;01004", merged.Properties["codes_cog2018"])
	}
	if _, ok := merged.Geometry.(orb.Polygon); !ok {
		t.Errorf("the two adjacent 2018 communes of 01003 dissolve into one polygon, got %T", merged.Geometry)
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := runInto(t, fixture)
	b, _ := runInto(t, fixture)
	sameDir(t, a, b)
}

// copyTree copies the fixture so that a test can break one file.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		old, new   string // replace old by new in file
		wantErr    error
		wantLine   int
		wantField  string
		wantInText []string
	}{
		{
			name: "missing column", file: "formation/formation_points_DERIVED.csv",
			old: ",coord_quality,", new: ",",
			wantErr: ErrMissingColumn, wantLine: 1, wantField: "coord_quality",
			wantInText: []string{"formation/formation_points_DERIVED.csv", "line 1", `"coord_quality"`},
		},
		{
			name: "bad number", file: "geo/communes_cog2026_centroides_population_derived.csv",
			old: "01002,Beta,01,84,metro,200000001,200,5.015,", new: "01002,Beta,01,84,metro,200000001,200,five,",
			wantErr: ErrBadValue, wantLine: 3, wantField: "lon",
			wantInText: []string{"geo/communes_cog2026_centroides_population_derived.csv", "line 3", `"lon"`},
		},
		{
			name: "unknown territory", file: "territoires_industrie/ti_2023_2027_communes_anct_2023-11.csv",
			old: "ti-3201,Aisne Test,32,02001", new: "ti-3299,Aisne Test,32,02001",
			wantErr: ErrUnknownKey, wantLine: 5, wantField: "id_ti",
		},
		{
			name: "unknown coord_quality", file: "formation/formation_points_DERIVED.csv",
			old: "commune_centroid_derived", new: "somewhere",
			wantErr: ErrBadValue, wantLine: 2, wantField: "coord_quality",
		},
		{
			name: "missing name", file: "sites_cles_en_main/sites_cles_en_main_2020_hauts_de_france_sources_web_DERIVED.csv",
			old: "Parc Delta,", new: ",",
			wantErr: ErrMissingValue, wantLine: 3, wantField: "nom_site_source",
		},
		{
			name: "unknown wave", file: "sites_cles_en_main/sites_cles_en_main_2020_hauts_de_france_sources_web_DERIVED.csv",
			old: "Parc Delta,Delta,2020-07", new: "Parc Delta,Delta,2020-08",
			wantErr: ErrBadValue, wantLine: 3, wantField: "vague",
		},
		{
			name: "surface not a number", file: "sites_cles_en_main/sites_cles_en_main_vagues_2020_2024_pages_publiques_DERIVED.csv",
			old: "Auvergne-Rhône-Alpes,14,", new: "Auvergne-Rhône-Alpes,quatorze,",
			wantErr: ErrBadValue, wantLine: 3, wantField: "hectares",
		},
		{
			name: "unknown Cnam call", file: "formation/cnam_au_coeur_des_territoires_pages_publiques_DERIVED.csv",
			old: "2-2020,Agglo Delta", new: "3-2022,Agglo Delta",
			wantErr: ErrBadValue, wantLine: 3, wantField: "ami",
		},
		{
			name: "two antennas in one commune", file: "formation/cnam_au_coeur_des_territoires_pages_publiques_DERIVED.csv",
			old: "unknown,Beta,Beta,01", new: "unknown,Beta,Alpha,01",
			wantErr: ErrDuplicate, wantLine: 4, wantField: "commune",
		},
		{
			name: "broken quoting", file: "territoires_industrie/ti_2018_2023_vague1_communes_DERIVED_spatial.csv",
			old: "ti-8401,Vague un Ain,01001", new: `ti-8401,"Vague un Ain,01001`,
			wantErr:    ErrBadValue,
			wantInText: []string{"ti_2018_2023_vague1_communes_DERIVED_spatial.csv", "line"},
		},
		{
			name: "bad liste_geo", file: "action_coeur_de_ville/acv_anct_superposeur_2024-09.geojson",
			old: "Alpha (01001)", new: "Alpha 01001",
			wantErr: ErrBadValue, wantField: "liste_geo",
			wantInText: []string{"acv_anct_superposeur_2024-09.geojson", "record 1", "acv-001"},
		},
		{
			name: "unclosed ring", file: "geo/communes_par_departement/communes-02-aisne.geojson",
			old: "[3.0, 50.02], [3.0, 50.01]]]}", new: "[3.0, 50.02], [3.0, 50.0105]]]}",
			wantErr: ErrGeometry, wantField: "geometry",
			wantInText: []string{"communes-02-aisne.geojson", "record 1", "not closed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := copyTree(t, fixture)
			path := filepath.Join(src, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(tt.old)) {
				t.Fatalf("%s does not contain %q", tt.file, tt.old)
			}
			if err := os.WriteFile(path, bytes.Replace(b, []byte(tt.old), []byte(tt.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Run(context.Background(), Options{Src: src, Out: t.TempDir()})
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("error %q is not a *SourceError", err)
			}
			if se.File != tt.file {
				t.Errorf("file = %q, want %q", se.File, tt.file)
			}
			if tt.wantLine != 0 && se.Line != tt.wantLine {
				t.Errorf("line = %d, want %d (%v)", se.Line, tt.wantLine, err)
			}
			if se.Field != tt.wantField {
				t.Errorf("field = %q, want %q (%v)", se.Field, tt.wantField, err)
			}
			for _, s := range tt.wantInText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestRealData imports the real source folder (shared/data beside the
// repository) and checks that the result is byte-identical to the committed
// dataset in data/: the committed data is reproducible.
func TestRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	src := filepath.Join("..", "..", "..", "shared", "data")
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		t.Skipf("real source folder %s absent", src)
	}
	out, rep := runInto(t, src)
	sameDir(t, out, filepath.Join("..", "..", "data"))

	want := map[string]int{"regions": 18, "departements": 101, "territoires": 183 + 149, "acv": 232, "formations": 9660}
	for id, n := range want {
		if l, _ := rep.Layer(id); l.Count != n {
			t.Errorf("%s: %d features, want %d", id, l.Count, n)
		}
	}
	// Communes: at least the distinct COG 2026 communes of the 18 726 rows
	// of the 2023-2027 list (18 696), minus none but the polygon-less ones.
	if l, _ := rep.Layer("communes"); l.Count < 18696 {
		t.Errorf("communes: %d features", l.Count)
	}
	if l, _ := rep.Layer("sites"); l.Count < 49 {
		t.Errorf("sites: %d features", l.Count)
	}
}
