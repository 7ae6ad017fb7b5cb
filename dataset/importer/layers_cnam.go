package importer

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/territoires-industrie/carte/layers"
)

// Why a Cnam row is left out, in the manifest's words.
const (
	skipCnamCommune = "commune de l'antenne introuvable parmi les communes COG 2026 du département : non placée / commune not found in COG 2026, not placed"
	skipCnamNoPoint = "commune sans centroïde / no commune centroid"
)

// buildCnam reads the towns public pages name as chosen by the Cnam's
// "Au cœur des territoires" calls. Each row is one antenna at its commune's
// centroid; a second row for one commune is an error (the pages' table
// names each town once).
func buildCnam(fsys fs.FS, r *refs) (*layer, error) {
	l := newLayer("cnam")
	spec, _ := layers.Default().Layer("cnam")
	t, err := readCSV(fsys, fileCnam, "ami", "name", "commune", "departement", "opened", "source_urls", "inferred", "notes")
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	skipped := map[string]int{}
	for i := range t.len() {
		ami, err := t.need(i, "ami")
		if err != nil {
			return nil, err
		}
		if _, ok := spec.Filters.Groups.Group(ami); !ok {
			return nil, t.errAt(i, "ami", fmt.Errorf("%w: %q is not a call of the registry", ErrBadValue, ami))
		}
		name, err := t.need(i, "name")
		if err != nil {
			return nil, err
		}
		commune, err := t.need(i, "commune")
		if err != nil {
			return nil, err
		}
		dep, err := t.need(i, "departement")
		if err != nil {
			return nil, err
		}
		code, ok := r.communeNamed(dep, commune)
		if !ok {
			skipped[skipCnamCommune]++
			continue
		}
		pt, ok := r.centroids[code]
		if !ok {
			skipped[skipCnamNoPoint]++
			continue
		}
		if line, dup := seen[code]; dup {
			return nil, t.errAt(i, "commune", fmt.Errorf("%w: %s (%s) is already the antenna of line %d", ErrDuplicate, commune, code, line))
		}
		seen[code] = t.lines[i]
		p := props{"name": name, "ami": ami, "commune": r.communes[code].Nom, "precision": "commune"}
		r.place(p, code)
		if ti := r.mem2023.byCommune[code]; ti != "" {
			p["territoire"] = ti
			p["territoire_name"] = r.ti2023Name[ti]
		}
		p.str("opened", t.str(i, "opened"))
		var urls, inferred []string
		for _, u := range strings.Split(t.str(i, "source_urls"), "|") {
			urls = appendNew(urls, clean(u))
		}
		if len(urls) == 0 {
			return nil, t.errAt(i, "source_urls", ErrMissingValue)
		}
		p["source_urls"] = strings.Join(urls, " ")
		for _, x := range strings.Split(t.str(i, "inferred"), ";") {
			inferred = appendNew(inferred, clean(x))
		}
		p.str("inferred", strings.Join(inferred, " ; "))
		p.str("note", t.str(i, "notes"))
		l.add("cnam-"+code, pt, p)
	}
	l.skip(skipCnamCommune, skipped[skipCnamCommune])
	l.skip(skipCnamNoPoint, skipped[skipCnamNoPoint])
	return l, l.sortByID()
}
