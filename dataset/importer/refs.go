package importer

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"golang.org/x/sync/errgroup"

	"github.com/territoires-industrie/carte/index"
)

// Input files, relative to the source folder (see its SOURCES.md).
const (
	fileRegionsGeo      = "geo/france/regions-avec-outre-mer.geojson"
	fileDepartementsGeo = "geo/france/departements-avec-outre-mer.geojson"
	dirCommunesGeo      = "geo/communes_par_departement"
	fileCentroids2018   = "geo/communes_centroides_cog2018_derived.csv"
	fileCentroids2026   = "geo/communes_cog2026_centroides_population_derived.csv"
	fileCommunes        = "decoupage_administratif/communes.json"
	fileRegions         = "decoupage_administratif/regions.json"
	fileDepartements    = "decoupage_administratif/departements.json"
	fileCommuneEPCI     = "decoupage_administratif/commune_epci_cog2026.csv"
	fileTI2023Geo       = "territoires_industrie/ti_2023_2027_groupements_anct_2024-09.geojson"
	fileTI2018Geo       = "territoires_industrie/ti_2018_2023_vague1_anct_2023-10.geojson"
	fileTI2023Communes  = "territoires_industrie/ti_2023_2027_communes_anct_2023-11.csv"
	fileTI2018Communes  = "territoires_industrie/ti_2018_2023_vague1_communes_DERIVED_spatial.csv"
	fileACVGeo          = "action_coeur_de_ville/acv_anct_superposeur_2024-09.geojson"
	fileACVCommunes     = "action_coeur_de_ville/acv_communes_anct_superposeur_2024-09.csv"
	fileSites           = "sites_cles_en_main/sites_cles_en_main_communes_anct_ngeo_cog2023.csv"
	fileSiteNames       = "sites_cles_en_main/sites_cles_en_main_2024_noms_sources_web_DERIVED.csv"
	fileSites2020       = "sites_cles_en_main/sites_cles_en_main_2020_hauts_de_france_sources_web_DERIVED.csv"
	fileSiteWaves       = "sites_cles_en_main/sites_cles_en_main_vagues_2020_2024_pages_publiques_DERIVED.csv"
	fileFormations      = "formation/formation_points_DERIVED.csv"
	fileCnam            = "formation/cnam_au_coeur_des_territoires_pages_publiques_DERIVED.csv"
)

var (
	reTIID      = regexp.MustCompile(`^ti-(\d\d)\d\d$`)
	reInsee     = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
	reSIREN     = regexp.MustCompile(`\((\d{9})\)`)
	reListeGeo  = regexp.MustCompile(`^(.+?) \(([0-9][0-9AB][0-9]{3})\)$`)
	reCommuneGJ = regexp.MustCompile(`^communes-.+\.geojson$`)
)

// commune is a COG 2026 commune-actuelle of @etalab/decoupage-administratif.
type commune struct {
	Code        string `json:"code"`
	Nom         string `json:"nom"`
	Type        string `json:"type"`
	Departement string `json:"departement"`
	Region      string `json:"region"`
	Population  *int64 `json:"population"`
}

type departement struct {
	Code     string `json:"code"`
	Nom      string `json:"nom"`
	Region   string `json:"region"`
	ChefLieu string `json:"chefLieu"` // INSEE code of its capital
}

type epciOf struct{ siren, name string }

// territory is a TI as read from its perimeter file.
type territory struct {
	id, name, liste string
	index           int // feature index in its file
	geometry        orb.Geometry
}

// membership is the communes of one TI list, by COG 2026 code.
type membership struct {
	byCommune map[string]string   // COG 2026 code → TI id
	rows      map[string]int      // TI id → number of rows (source communes)
	members   map[string][]string // TI id → distinct COG 2026 codes, sorted
	srcCodes  map[string][]string // COG 2026 code → codes of the source communes
}

// refs holds the reference tables shared by the layers.
type refs struct {
	communes     map[string]commune // commune-actuelle only
	regions      map[string]string  // code → name
	regionSeats  map[string]string  // region code → INSEE code of its capital
	departements map[string]departement
	epci         map[string]epciOf    // commune code → EPCI
	centroids    map[string]orb.Point // COG 2026 code → derived centroid
	to2026       map[string]string    // COG 2018 code → COG 2026 code
	from2026     map[string][]string  // COG 2026 code → COG 2018 codes, sorted
	ti2023       []territory
	ti2018       []territory
	ti2023Name   map[string]string
	ti2018Name   map[string]string
	mem2023      membership
	mem2018      membership
	acvOf        map[string]string // commune code → acv id
	// byName finds a commune by département and folded name (see
	// communeNamed): the pages name communes, not codes.
	byName map[string][]string
}

// parallel runs fn(0..n-1) on at most GOMAXPROCS goroutines and returns
// the error of the lowest index that failed, so errors are deterministic.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error {
			if errs[i] = ctx.Err(); errs[i] == nil {
				errs[i] = fn(i)
			}
			return nil // kept in errs: the lowest index wins, not the first to fail
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func loadRefs(ctx context.Context, fsys fs.FS) (*refs, error) {
	r := &refs{}
	tasks := []func() error{
		func() error { return r.loadCommunes(fsys) },
		func() error { return r.loadRegionsDepartements(fsys) },
		func() error { return r.loadEPCI(fsys) },
		func() error { return r.loadCentroids(fsys) },
		func() (err error) {
			r.ti2023, r.ti2023Name, err = loadTerritories(fsys, fileTI2023Geo, "id_territoire", "lib_territoire", "liste_geo")
			return err
		},
		func() (err error) {
			r.ti2018, r.ti2018Name, err = loadTerritories(fsys, fileTI2018Geo, "id_ti", "lib_ti", "")
			return err
		},
		func() error { return r.loadACVCommunes(fsys) },
	}
	if err := parallel(ctx, len(tasks), func(i int) error { return tasks[i]() }); err != nil {
		return nil, err
	}
	// The memberships check their keys against the tables above.
	var err error
	if r.mem2023, err = r.loadMembership(fsys, fileTI2023Communes, "insee_com", r.ti2023Name); err != nil {
		return nil, err
	}
	if r.mem2018, err = r.loadMembership(fsys, fileTI2018Communes, "insee_com_cog2018", r.ti2018Name); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *refs) loadCommunes(fsys fs.FS) error {
	var all []commune
	if err := readJSON(fsys, fileCommunes, &all); err != nil {
		return err
	}
	r.communes = make(map[string]commune, len(all))
	for i, c := range all {
		if c.Code == "" {
			return &SourceError{File: fileCommunes, Record: i, Field: "code", Err: ErrMissingValue}
		}
		if c.Type != "commune-actuelle" {
			continue
		}
		if c.Nom == "" {
			return &SourceError{File: fileCommunes, Record: i, ID: c.Code, Field: "nom", Err: ErrMissingValue}
		}
		if _, dup := r.communes[c.Code]; dup {
			return &SourceError{File: fileCommunes, Record: i, ID: c.Code, Field: "code", Err: ErrDuplicate}
		}
		r.communes[c.Code] = c
	}
	r.byName = map[string][]string{}
	for code, c := range r.communes {
		k := nameKey(c.Departement, c.Nom)
		r.byName[k] = append(r.byName[k], code)
	}
	return nil
}

func nameKey(dep, name string) string { return dep + " " + strings.Join(index.Normalize(name), " ") }

// communeNamed is the COG 2026 commune of a département with that name
// (accents, case and hyphens aside); false when none or several have it.
func (r *refs) communeNamed(dep, name string) (string, bool) {
	codes := r.byName[nameKey(dep, name)]
	if len(codes) != 1 {
		return "", false
	}
	return codes[0], true
}

func (r *refs) loadRegionsDepartements(fsys fs.FS) error {
	var regions []struct {
		Code, Nom string
		ChefLieu  string `json:"chefLieu"`
	}
	if err := readJSON(fsys, fileRegions, &regions); err != nil {
		return err
	}
	r.regions, r.regionSeats = map[string]string{}, map[string]string{}
	for i, x := range regions {
		if x.Code == "" || x.Nom == "" {
			return &SourceError{File: fileRegions, Record: i, Field: "code", Err: ErrMissingValue}
		}
		r.regions[x.Code] = x.Nom
		if x.ChefLieu != "" {
			r.regionSeats[x.Code] = x.ChefLieu
		}
	}
	var deps []departement
	if err := readJSON(fsys, fileDepartements, &deps); err != nil {
		return err
	}
	r.departements = map[string]departement{}
	for i, d := range deps {
		if d.Code == "" || d.Nom == "" {
			return &SourceError{File: fileDepartements, Record: i, Field: "code", Err: ErrMissingValue}
		}
		r.departements[d.Code] = d
	}
	return nil
}

func (r *refs) loadEPCI(fsys fs.FS) error {
	t, err := readCSV(fsys, fileCommuneEPCI, "insee_com", "siren_epci", "nom_epci")
	if err != nil {
		return err
	}
	r.epci = make(map[string]epciOf, t.len())
	for i := range t.len() {
		code, err := t.need(i, "insee_com")
		if err != nil {
			return err
		}
		siren, err := t.need(i, "siren_epci")
		if err != nil {
			return err
		}
		if _, dup := r.epci[code]; dup {
			return t.errAt(i, "insee_com", fmt.Errorf("%w: commune %s in two EPCI", ErrDuplicate, code))
		}
		r.epci[code] = epciOf{siren: siren, name: t.str(i, "nom_epci")}
	}
	return nil
}

func (r *refs) loadCentroids(fsys fs.FS) error {
	t, err := readCSV(fsys, fileCentroids2026, "insee_com", "lon", "lat")
	if err != nil {
		return err
	}
	r.centroids = make(map[string]orb.Point, t.len())
	for i := range t.len() {
		code, err := t.need(i, "insee_com")
		if err != nil {
			return err
		}
		lon, lat, ok, err := t.point(i, "lon", "lat")
		if err != nil {
			return err
		}
		if ok {
			r.centroids[code] = orb.Point{lon, lat}
		}
	}
	t, err = readCSV(fsys, fileCentroids2018, "insee_com_cog2018", "insee_com_cog2026")
	if err != nil {
		return err
	}
	r.to2026 = make(map[string]string, t.len())
	r.from2026 = map[string][]string{}
	for i := range t.len() {
		c18, err := t.need(i, "insee_com_cog2018")
		if err != nil {
			return err
		}
		c26, err := t.need(i, "insee_com_cog2026")
		if err != nil {
			return err
		}
		if _, dup := r.to2026[c18]; dup {
			return t.errAt(i, "insee_com_cog2018", fmt.Errorf("%w: %s", ErrDuplicate, c18))
		}
		r.to2026[c18] = c26
		r.from2026[c26] = append(r.from2026[c26], c18)
	}
	for _, codes := range r.from2026 {
		slices.Sort(codes)
	}
	return nil
}

// loadTerritories reads a TI perimeter file. The 2023-2027 file carries the
// list of member groupements (listeKey), the 2018-2023 one does not.
func loadTerritories(fsys fs.FS, file, idKey, nameKey, listeKey string) ([]territory, map[string]string, error) {
	features, err := readGeoJSON(fsys, file, "polygon")
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var out []territory
	for i, f := range features {
		id, err := needProp(file, i, f, idKey)
		if err != nil {
			return nil, nil, err
		}
		if !reTIID.MatchString(id) {
			return nil, nil, &SourceError{File: file, Record: i, ID: id, Field: idKey, Err: fmt.Errorf("%w: %q is not ti-RRNN", ErrBadValue, id)}
		}
		if _, dup := names[id]; dup {
			return nil, nil, &SourceError{File: file, Record: i, ID: id, Field: idKey, Err: ErrDuplicate}
		}
		name, err := needProp(file, i, f, nameKey)
		if err != nil {
			return nil, nil, err
		}
		t := territory{id: id, name: name, index: i}
		if listeKey != "" {
			if t.liste, err = needProp(file, i, f, listeKey); err != nil {
				return nil, nil, err
			}
		}
		if t.geometry, err = roundPolygonal(f.Geometry); err != nil {
			return nil, nil, &SourceError{File: file, Record: i, ID: id, Field: "geometry", Err: err}
		}
		names[id] = name
		out = append(out, t)
	}
	return out, names, nil
}

// loadMembership reads a TI → commune table (one row per source commune) and
// indexes it by COG 2026 commune. A COG 2026 commune may gather several
// source communes, but they must all be in the same TI.
func (r *refs) loadMembership(fsys fs.FS, file, codeCol string, tiNames map[string]string) (membership, error) {
	t, err := readCSV(fsys, file, "id_ti", codeCol, "insee_com_cog2026")
	if err != nil {
		return membership{}, err
	}
	m := membership{
		byCommune: map[string]string{},
		rows:      map[string]int{},
		members:   map[string][]string{},
		srcCodes:  map[string][]string{},
	}
	seen := map[string]bool{}
	for i := range t.len() {
		id, err := t.need(i, "id_ti")
		if err != nil {
			return m, err
		}
		if _, ok := tiNames[id]; !ok {
			return m, t.errAt(i, "id_ti", fmt.Errorf("%w: %s is not in the perimeter file", ErrUnknownKey, id))
		}
		src, err := t.need(i, codeCol)
		if err != nil {
			return m, err
		}
		if seen[src] {
			return m, t.errAt(i, codeCol, fmt.Errorf("%w: commune %s listed twice", ErrDuplicate, src))
		}
		seen[src] = true
		code, err := t.need(i, "insee_com_cog2026")
		if err != nil {
			return m, err
		}
		if _, ok := r.communes[code]; !ok {
			return m, t.errAt(i, "insee_com_cog2026", fmt.Errorf("%w: %s is not a COG 2026 commune", ErrUnknownKey, code))
		}
		if other, ok := m.byCommune[code]; ok && other != id {
			return m, t.errAt(i, "id_ti", fmt.Errorf("%w: COG 2026 commune %s is in %s and %s", ErrConflict, code, other, id))
		}
		if _, ok := m.byCommune[code]; !ok {
			m.members[id] = append(m.members[id], code)
		}
		m.byCommune[code] = id
		m.rows[id]++
		m.srcCodes[code] = append(m.srcCodes[code], src)
	}
	for _, v := range m.members {
		slices.Sort(v)
	}
	for _, v := range m.srcCodes {
		slices.Sort(v)
	}
	return m, nil
}

func (r *refs) loadACVCommunes(fsys fs.FS) error {
	t, err := readCSV(fsys, fileACVCommunes, "id_acv", "insee_com")
	if err != nil {
		return err
	}
	r.acvOf = map[string]string{}
	for i := range t.len() {
		id, err := t.need(i, "id_acv")
		if err != nil {
			return err
		}
		code, err := t.need(i, "insee_com")
		if err != nil {
			return err
		}
		if other, dup := r.acvOf[code]; dup {
			return t.errAt(i, "insee_com", fmt.Errorf("%w: commune %s in %s and %s", ErrConflict, code, other, id))
		}
		r.acvOf[code] = id
	}
	return nil
}

// communePolygons reads the per-department commune files (IGN Admin Express
// 2018), concurrently, and returns the polygon of each COG 2018 code wanted.
func communePolygons(ctx context.Context, fsys fs.FS, want map[string]bool) (map[string]orb.Geometry, error) {
	entries, err := fs.ReadDir(fsys, dirCommunesGeo)
	if err != nil {
		return nil, fileError(dirCommunesGeo, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && reCommuneGJ.MatchString(e.Name()) {
			files = append(files, dirCommunesGeo+"/"+e.Name())
		}
	}
	if len(files) == 0 {
		return nil, fileError(dirCommunesGeo, fmt.Errorf("%w: no communes-*.geojson file", ErrMissingValue))
	}
	type found struct {
		code  string
		index int
		g     orb.Geometry
	}
	results := make([][]found, len(files))
	err = parallel(ctx, len(files), func(k int) error {
		features, err := readGeoJSON(fsys, files[k], "polygon")
		if err != nil {
			return err
		}
		for i, f := range features {
			code, err := needProp(files[k], i, f, "code")
			if err != nil {
				return err
			}
			if want[code] {
				results[k] = append(results[k], found{code, i, f.Geometry})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]orb.Geometry{}
	where := map[string]string{}
	for k, list := range results {
		for _, f := range list {
			if other, dup := where[f.code]; dup {
				return nil, &SourceError{File: files[k], Record: f.index, ID: f.code, Field: "code", Err: fmt.Errorf("%w: also in %s", ErrDuplicate, other)}
			}
			where[f.code] = files[k]
			out[f.code] = f.g
		}
	}
	return out, nil
}

// parseListeGeo splits an ANCT liste_geo value "Nom (INSEE); Nom (INSEE)".
func parseListeGeo(file string, index int, id, liste string) (names, codes []string, err error) {
	for _, part := range strings.Split(liste, ";") {
		m := reListeGeo.FindStringSubmatch(clean(part))
		if m == nil {
			return nil, nil, &SourceError{File: file, Record: index, ID: id, Field: "liste_geo", Err: fmt.Errorf("%w: %q is not \"Nom (code INSEE)\"", ErrBadValue, clean(part))}
		}
		names = append(names, m[1])
		codes = append(codes, m[2])
	}
	return names, codes, nil
}
