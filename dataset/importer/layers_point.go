package importer

import (
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// common returns the value shared by every commune of codes, or "" when
// they differ or one of them has none.
func common(codes []string, value func(code string) string) string {
	v := ""
	for i, c := range codes {
		x := value(c)
		if x == "" || (i > 0 && x != v) {
			return ""
		}
		v = x
	}
	return v
}

func buildACV(fsys fs.FS, r *refs, logger *slog.Logger) (*layer, error) {
	l := newLayer("acv")
	features, err := readGeoJSON(fsys, fileACVGeo, "point")
	if err != nil {
		return nil, err
	}
	for i, f := range features {
		id, err := needProp(fileACVGeo, i, f, "id_territoire")
		if err != nil {
			return nil, err
		}
		name, err := needProp(fileACVGeo, i, f, "lib_territoire")
		if err != nil {
			return nil, err
		}
		liste, err := needProp(fileACVGeo, i, f, "liste_geo")
		if err != nil {
			return nil, err
		}
		if d, err := propString(fileACVGeo, i, f, "date_signature"); err != nil || d != "" {
			logger.Warn("ACV date_signature is not imported", "file", fileACVGeo, "record", i, "value", d)
		}
		_, codes, err := parseListeGeo(fileACVGeo, i, id, liste)
		if err != nil {
			return nil, err
		}
		for _, c := range codes {
			if _, ok := r.communes[c]; !ok {
				return nil, &SourceError{File: fileACVGeo, Record: i, ID: id, Field: "liste_geo", Err: fmt.Errorf("%w: %s is not a COG 2026 commune", ErrUnknownKey, c)}
			}
		}
		p := props{"name": name, "acv_id": id, "communes": liste, "n_communes": int64(len(codes)), "precision": "commune"}
		if len(codes) == 1 {
			r.place(p, codes[0])
		} else {
			p.str("departement", common(codes, func(c string) string { return r.communes[c].Departement }))
			p.str("region", common(codes, func(c string) string { return r.communes[c].Region }))
			p.str("epci", common(codes, func(c string) string { return r.epci[c].siren }))
			if p["epci"] != nil {
				p.str("epci_name", r.epci[codes[0]].name)
			}
		}
		ti := common(codes, func(c string) string { return r.mem2023.byCommune[c] })
		p.str("territoire", ti)
		p.str("territoire_name", r.ti2023Name[ti])
		l.add(id, f.Geometry, p)
	}
	return l, l.sortByID()
}

// setTerritoire copies a 2023-2027 TI id from a table and adds its name.
func (r *refs) setTerritoire(p props, t *table, i int, col string) error {
	ti := t.str(i, col)
	if ti == "" {
		return nil
	}
	name, ok := r.ti2023Name[ti]
	if !ok {
		return t.errAt(i, col, fmt.Errorf("%w: %s is not a 2023-2027 TI", ErrUnknownKey, ti))
	}
	p["territoire"] = ti
	p["territoire_name"] = name
	return nil
}

func appendNew(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// formationsResult reports the formation keys that had to be made unique.
type formationsResult struct {
	duplicateKeys []string
}

// precisionOf maps coord_quality values of formation_points_DERIVED.csv.
func precisionOf(q string) (string, bool) {
	switch {
	case q == "commune_centroid_derived":
		return "commune", true
	case strings.HasPrefix(q, "exact_"):
		return "exact", true
	}
	return "", false
}

func buildFormations(fsys fs.FS, r *refs) (*layer, formationsResult, error) {
	var res formationsResult
	l := newLayer("formations")
	t, err := readCSV(fsys, fileFormations, "source", "categorie", "uai", "siret", "nom", "insee_com_cog2026",
		"lib_com", "lon", "lat", "coord_quality", "id_ti_2023_2027", "id_acv")
	if err != nil {
		return nil, res, err
	}
	seen := map[string]int{}
	noPoint := 0
	for i := range t.len() {
		uai, siret := t.str(i, "uai"), t.str(i, "siret")
		var key string
		switch {
		case siret != "":
			key = "formation-siret-" + siret
		case uai != "":
			key = "formation-uai-" + uai
		default:
			return nil, res, t.errAt(i, "siret", fmt.Errorf("%w: neither siret nor uai", ErrMissingValue))
		}
		// A repeated key gets a suffix in file order; every such key is
		// reported. (The source has none: SIRET unique, lycée UAI unique.)
		seen[key]++
		id := key
		if n := seen[key]; n > 1 {
			id = fmt.Sprintf("%s-%d", key, n)
			res.duplicateKeys = append(res.duplicateKeys, id)
		}
		name, err := t.need(i, "nom")
		if err != nil {
			return nil, res, err
		}
		lon, lat, ok, err := t.point(i, "lon", "lat")
		if err != nil {
			return nil, res, err
		}
		if !ok {
			noPoint++
			continue
		}
		q, err := t.need(i, "coord_quality")
		if err != nil {
			return nil, res, err
		}
		prec, ok := precisionOf(q)
		if !ok {
			return nil, res, t.errAt(i, "coord_quality", fmt.Errorf("%w: unknown value %q for a located row", ErrBadValue, q))
		}
		category, err := t.need(i, "categorie")
		if err != nil {
			return nil, res, err
		}
		source, err := t.need(i, "source")
		if err != nil {
			return nil, res, err
		}
		p := props{"name": name, "category": category, "source": source, "precision": prec, "coord_quality": q}
		p.str("uai", uai)
		p.str("siret", siret)
		if code := t.str(i, "insee_com_cog2026"); !r.place(p, code) {
			p.str("code_insee", code)
		}
		p.str("commune", t.str(i, "lib_com"))
		if err := r.setTerritoire(p, t, i, "id_ti_2023_2027"); err != nil {
			return nil, res, err
		}
		p.str("acv_id", t.str(i, "id_acv"))
		l.add(id, orb.Point{lon, lat}, p)
	}
	l.skip("ligne sans coordonnées dans la source (coord_quality « none » : commune non trouvée ou sans centroïde) / no coordinates in the source", noPoint)
	return l, res, l.sortByID()
}
