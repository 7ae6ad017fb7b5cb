package importer

import (
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/index"
)

// The turnkey sites come from four tables that overlap: the ANCT's list of
// the France 2030 sites (ids and communes), the names public pages give
// them, the Hauts-de-France sites of July 2020, and the sites of every
// wave that public pages name. Each row becomes a siteRecord; records that
// are the same site are merged (see sameSite), and each merged site is
// placed at its commune's centroid when a source names its commune, and
// counted as left out with the reason otherwise.

// siteRecord is one site as one row of a source describes it.
type siteRecord struct {
	file string
	line int
	// id is the id the site keeps when this record leads its group: the
	// ANCT id, or the 2020 table's; "" for the pages' table (the id is
	// then made from the commune and the name).
	id    string
	anct  bool
	names []string // as written; none when the row gives no name
	waves []string
	codes []string // COG 2026 communes, the site's own first
	// surface is the surface as written; surfaceHa its value when it is
	// a number.
	surface                         string
	surfaceHa                       float64
	available                       bool
	territoire                      string // from the ANCT table
	urls, notes, matches, inferreds []string
	// skip is why the row cannot place a site by itself ("" when it can
	// with a commune, or when merged with a record that has one).
	skip string
}

// Why a site is left out, in the manifest's words.
const (
	skipSiteNoCommune = "site qu'aucune source ne place dans une commune : ne peut pas être placé (lignes des tables sources) / no source names the site's commune, not placed (source rows)"
	skipSiteNoName    = "site sans nom dans les sources (« (site à …) ») et qu'aucune autre ligne ne nomme : non placé (lignes) / site without a name in any source, not placed (rows)"
	skipSiteCountOnly = "ligne de comptage sans nom ni commune (« N sites, noms non relevés ») : aucun site à placer (lignes) / a count-only row, no site to place (rows)"
	skipSiteNoWave    = "vague non indiquée par la source (« 2020 ou 2021 ») : non placé (lignes) / wave not stated, not placed (rows)"
	skipSiteCommune   = "commune nommée par la source mais introuvable parmi les communes COG 2026 du département : non placé (lignes) / named commune not found in COG 2026, not placed (rows)"
	skipSiteNoPoint   = "site sans centroïde de commune (lignes) / no commune centroid (rows)"
)

// siteWaves are the waves a site may carry (layers' sites groups).
var siteWaves = []string{"2020-01", "2020-07", "2021-09", "2024-04"}

func buildSites(fsys fs.FS, r *refs) (*layer, error) {
	l := newLayer("sites")
	anct, err := readANCTSites(fsys, r)
	if err != nil {
		return nil, err
	}
	hdf, err := readSites2020(fsys)
	if err != nil {
		return nil, err
	}
	pages, err := readSiteWaves(fsys, r)
	if err != nil {
		return nil, err
	}
	recs := slices.Concat(anct, hdf, pages)
	groups, err := mergeSites(recs)
	if err != nil {
		return nil, err
	}
	skipped := map[string]int{}
	for _, g := range groups {
		id, p, pt, why := placeSite(g, r)
		if why != "" {
			for _, rec := range g {
				reason := rec.skip
				if reason == "" {
					reason = why
				}
				skipped[reason]++
			}
			continue
		}
		l.add(id, pt, p)
	}
	for _, reason := range []string{skipSiteNoCommune, skipSiteNoName, skipSiteCountOnly, skipSiteNoWave, skipSiteCommune, skipSiteNoPoint} {
		l.skip(reason, skipped[reason])
	}
	return l, l.sortByID()
}

// readANCTSites reads the ANCT's France 2030 sites and the names public
// pages give them.
func readANCTSites(fsys fs.FS, r *refs) ([]siteRecord, error) {
	nt, err := readCSV(fsys, fileSiteNames, "id_site", "nom_site_source", "commune_source", "surface_ha_source",
		"disponible_2024_selon_batiweb", "match_method", "source_url", "note")
	if err != nil {
		return nil, err
	}
	t, err := readCSV(fsys, fileSites, "id_site", "lib_com", "insee_com_cog2026", "id_ti")
	if err != nil {
		return nil, err
	}
	var recs []siteRecord
	byID := map[string]int{}
	for i := range t.len() {
		id, err := t.need(i, "id_site")
		if err != nil {
			return nil, err
		}
		if _, dup := byID[id]; dup {
			return nil, t.errAt(i, "id_site", fmt.Errorf("%w: %s", ErrDuplicate, id))
		}
		code, err := t.need(i, "insee_com_cog2026")
		if err != nil {
			return nil, err
		}
		if _, ok := r.communes[code]; !ok {
			return nil, t.errAt(i, "insee_com_cog2026", fmt.Errorf("%w: %s is not a COG 2026 commune", ErrUnknownKey, code))
		}
		ti := t.str(i, "id_ti")
		if _, ok := r.ti2023Name[ti]; ti != "" && !ok {
			return nil, t.errAt(i, "id_ti", fmt.Errorf("%w: %s is not a 2023-2027 TI", ErrUnknownKey, ti))
		}
		byID[id] = len(recs)
		recs = append(recs, siteRecord{file: t.file, line: t.lines[i], id: id, anct: true, waves: []string{"2024-04"}, codes: []string{code}, territoire: ti})
	}
	for i := range nt.len() {
		id := nt.str(i, "id_site")
		if id == "" {
			continue // named by a page but not among the ANCT ids: the pages' table has it
		}
		k, ok := byID[id]
		if !ok {
			return nil, nt.errAt(i, "id_site", fmt.Errorf("%w: %s is not in %s", ErrUnknownKey, id, fileSites))
		}
		rec := &recs[k]
		rec.names = appendNew(rec.names, nt.str(i, "nom_site_source"))
		rec.urls = appendNew(rec.urls, nt.str(i, "source_url"))
		rec.matches = appendNew(rec.matches, nt.str(i, "match_method"))
		rec.notes = appendNew(rec.notes, nt.str(i, "note"))
		switch v := nt.str(i, "disponible_2024_selon_batiweb"); v {
		case "":
		case "oui":
			rec.available = true
		default:
			return nil, nt.errAt(i, "disponible_2024_selon_batiweb", fmt.Errorf("%w: %q (expected oui or empty)", ErrBadValue, v))
		}
		if err := rec.setSurface(nt, i, "surface_ha_source"); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// readSites2020 reads the Hauts-de-France sites of 2020.
func readSites2020(fsys fs.FS) ([]siteRecord, error) {
	t, err := readCSV(fsys, fileSites2020, "nom_site_source", "vague", "insee_com_cog2026", "match_method", "source_url")
	if err != nil {
		return nil, err
	}
	var recs []siteRecord
	for i := range t.len() {
		name, err := t.need(i, "nom_site_source")
		if err != nil {
			return nil, err
		}
		wave, err := t.need(i, "vague")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(siteWaves, wave) {
			return nil, t.errAt(i, "vague", fmt.Errorf("%w: %q is not a wave (%s)", ErrBadValue, wave, strings.Join(siteWaves, ", ")))
		}
		rec := siteRecord{file: t.file, line: t.lines[i], id: fmt.Sprintf("site-2020-hdf-%02d", i+1), names: []string{name}, waves: []string{wave}}
		if code := t.str(i, "insee_com_cog2026"); code != "" {
			rec.codes = []string{code}
		} else {
			rec.skip = skipSiteNoCommune
		}
		rec.matches = appendNew(nil, t.str(i, "match_method"))
		rec.urls = appendNew(nil, t.str(i, "source_url"))
		recs = append(recs, rec)
	}
	return recs, nil
}

// readSiteWaves reads the sites of every wave that public pages name.
func readSiteWaves(fsys fs.FS, r *refs) ([]siteRecord, error) {
	t, err := readCSV(fsys, fileSiteWaves, "wave", "name", "commune", "departement", "hectares", "source_urls", "inferred", "notes")
	if err != nil {
		return nil, err
	}
	var recs []siteRecord
	for i := range t.len() {
		rec := siteRecord{file: t.file, line: t.lines[i]}
		name := t.str(i, "name")
		if name == "" {
			return nil, t.errAt(i, "name", ErrMissingValue)
		}
		// "(site à Cahors)", "(7 sites … names not captured)": the page
		// gives no name.
		if !strings.HasPrefix(name, "(") {
			rec.names = []string{name}
		}
		for _, u := range strings.Split(t.str(i, "source_urls"), "|") {
			rec.urls = appendNew(rec.urls, clean(u))
		}
		for _, x := range strings.FieldsFunc(t.str(i, "inferred"), func(r rune) bool { return r == ';' }) {
			rec.inferreds = appendNew(rec.inferreds, clean(x))
		}
		rec.notes = appendNew(nil, t.str(i, "notes"))
		if err := rec.setSurface(t, i, "hectares"); err != nil {
			return nil, err
		}
		commune := t.str(i, "commune")
		if wave := t.str(i, "wave"); slices.Contains(siteWaves, wave) {
			rec.waves = []string{wave}
		}
		switch {
		case rec.waves == nil:
			rec.skip = skipSiteNoWave
		case commune == "" && rec.names == nil:
			rec.skip = skipSiteCountOnly
		case commune == "":
			rec.skip = skipSiteNoCommune
		}
		if commune != "" && rec.skip == "" {
			dep, err := t.need(i, "departement")
			if err != nil {
				return nil, err
			}
			for _, c := range strings.Split(commune, "/") {
				code, ok := r.communeNamed(dep, clean(c))
				if !ok {
					rec.skip, rec.codes = skipSiteCommune, nil
					break
				}
				rec.codes = append(rec.codes, code)
			}
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// setSurface reads a surface in hectares: a number, or a text such as
// ">50" kept as written. Two sources that disagree are both kept in the
// notes; the first number stays the site's.
func (rec *siteRecord) setSurface(t *table, i int, col string) error {
	s := t.str(i, col)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && strings.ContainsAny(s, "0123456789"):
		rec.surface = s // a bound such as ">50": not a number
	case err != nil:
		return t.errAt(i, col, fmt.Errorf("%w: %q is not a surface", ErrBadValue, s))
	case v <= 0:
		return t.errAt(i, col, fmt.Errorf("%w: %q is not a positive surface", ErrBadValue, s))
	default:
		rec.surface, rec.surfaceHa = s, v
	}
	return nil
}

// mergeSites groups the records that are one site (sameSite, and its
// consequences: a chain of same sites is one site). Two ANCT ids are two
// sites whatever the names say: such a group is an error.
func mergeSites(recs []siteRecord) ([][]siteRecord, error) {
	parent := make([]int, len(recs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			if sameSite(recs, i, j) {
				parent[find(j)] = find(i)
			}
		}
	}
	var groups [][]siteRecord
	at := map[int]int{}
	for i := range recs {
		root := find(i)
		k, ok := at[root]
		if !ok {
			k = len(groups)
			at[root] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], recs[i])
	}
	for _, g := range groups {
		var ids []string
		for _, rec := range g {
			if rec.anct {
				ids = append(ids, rec.id)
			}
		}
		if len(ids) > 1 {
			return nil, &SourceError{File: g[0].file, Line: g[0].line, Record: -1, Field: "name",
				Err: fmt.Errorf("%w: the rows of %q would merge the ANCT sites %s", ErrConflict, g[0].names, strings.Join(ids, ", "))}
		}
	}
	return groups, nil
}

// sameSite says whether records i and j describe one site: they share a
// commune (or neither has one) and either their names match, or one of
// them is the only record of the ANCT list or the 2020 table for that wave
// and commune, which the other then names (the pages call the Alloinay
// site "Base logistique d'Alloinay (ex-Intermarché)", the page of the
// ANCT names "ancienne base logistique d'Alloinay").
func sameSite(recs []siteRecord, i, j int) bool {
	a, b := &recs[i], &recs[j]
	if a.skip == skipSiteNoWave || b.skip == skipSiteNoWave || a.skip == skipSiteCountOnly || b.skip == skipSiteCountOnly {
		return false
	}
	if len(a.codes) == 0 || len(b.codes) == 0 {
		// Without a commune only the names can tell, in the same wave.
		return overlap(a.waves, b.waves) && namesMatch(a.names, b.names)
	}
	if !overlap(a.codes, b.codes) {
		return false
	}
	if namesMatch(a.names, b.names) {
		return true
	}
	for _, w := range a.waves {
		if !slices.Contains(b.waves, w) {
			continue
		}
		for _, lead := range []*siteRecord{a, b} {
			if lead.id != "" && onlyListed(recs, lead, w) {
				return true
			}
		}
	}
	return false
}

// onlyListed says whether lead is the only record of its table (ANCT list
// or 2020 table) for wave w in its commune.
func onlyListed(recs []siteRecord, lead *siteRecord, w string) bool {
	for k := range recs {
		o := &recs[k]
		if o != lead && o.file == lead.file && slices.Contains(o.waves, w) && len(o.codes) > 0 && o.codes[0] == lead.codes[0] {
			return false
		}
	}
	return true
}

// nameNoise are the words that name the kind of place rather than the
// place: "Parc d'activités Les Portes du Tarn" is "Les Portes du Tarn".
var nameNoise = map[string]bool{
	"le": true, "la": true, "les": true, "l": true, "de": true, "du": true, "des": true, "d": true, "et": true, "a": true,
	"parc": true, "activite": true, "activites": true, "zone": true, "site": true, "pole": true, "za": true, "zi": true,
	"zac": true, "pa": true, "industriel": true, "industrielle": true,
}

// nameWords are a name's distinctive words, folded.
func nameWords(name string) []string {
	var out []string
	for _, w := range index.Normalize(name) {
		if !nameNoise[w] {
			out = append(out, w)
		}
	}
	return out
}

// namesMatch says whether a name of one list and a name of the other have
// the same distinctive words, or those of one all appear in the other.
func namesMatch(a, b []string) bool {
	for _, x := range a {
		wx := nameWords(x)
		for _, y := range b {
			wy := nameWords(y)
			if len(wx) > 0 && len(wy) > 0 && (subset(wx, wy) || subset(wy, wx)) {
				return true
			}
		}
	}
	return false
}

// overlap says whether a and b have a value in common.
func overlap(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

func subset(a, b []string) bool {
	for _, w := range a {
		if !slices.Contains(b, w) {
			return false
		}
	}
	return true
}

// placeSite makes one feature of a group of records, or says why it
// cannot be placed.
func placeSite(g []siteRecord, r *refs) (id string, p props, pt orb.Point, why string) {
	var codes, names, waves, urls, notes, matches, inferreds []string
	var lead *siteRecord
	surface, surfaceHa := "", 0.0
	p = props{"precision": "commune"}
	for k := range g {
		rec := &g[k]
		if lead == nil && rec.id != "" || rec.anct {
			lead = rec
		}
		for _, m := range []struct {
			to   *[]string
			from []string
		}{
			{&codes, rec.codes}, {&names, rec.names}, {&waves, rec.waves}, {&urls, rec.urls},
			{&notes, rec.notes}, {&matches, rec.matches}, {&inferreds, rec.inferreds},
		} {
			for _, x := range m.from {
				*m.to = appendNew(*m.to, x)
			}
		}
		switch {
		case rec.surface == "":
		case surface == "":
			surface, surfaceHa = rec.surface, rec.surfaceHa
		case rec.surface != surface:
			notes = appendNew(notes, fmt.Sprintf("surface : %s ha selon une source, %s ha selon une autre / sources disagree on the surface", surface, rec.surface))
		}
		if rec.available {
			p["disponible_2024"] = true
		}
		if rec.territoire != "" {
			p["territoire"] = rec.territoire
		}
	}
	switch {
	case len(codes) == 0:
		return "", nil, pt, skipSiteNoCommune
	case len(names) == 0 && (lead == nil || !lead.anct):
		return "", nil, pt, skipSiteNoName
	}
	centroid, ok := r.centroids[codes[0]]
	if !ok {
		return "", nil, pt, skipSiteNoPoint
	}
	code := codes[0]
	r.place(p, code)
	commune := r.communes[code].Nom
	p["commune"] = commune
	if len(codes) > 1 {
		var list []string
		for _, c := range codes {
			list = append(list, fmt.Sprintf("%s (%s)", r.communes[c].Nom, c))
		}
		p["communes"] = strings.Join(list, " ; ")
	}
	if p["territoire"] == nil {
		p.str("territoire", r.mem2023.byCommune[code])
	}
	if ti, ok := p["territoire"].(string); ok {
		p["territoire_name"] = r.ti2023Name[ti]
	}
	slices.Sort(waves)
	p["waves"] = strings.Join(waves, " ")
	if len(names) > 0 {
		p["name"] = names[0]
		p["named_in_source"] = true
		p["names_sources"] = strings.Join(names, " ; ")
	} else {
		p["name"] = "Site clé en main — " + commune
		p["named_in_source"] = false
	}
	if surfaceHa > 0 {
		p["surface_ha"] = surfaceHa
	} else {
		p.str("surface_stated", surface)
	}
	p.str("source_urls", strings.Join(urls, " "))
	p.str("name_match", strings.Join(matches, " ; "))
	p.str("note", strings.Join(notes, " ; "))
	p.str("inferred", strings.Join(inferreds, " ; "))
	if lead != nil {
		id = lead.id
	} else {
		id = "site-" + code + "-" + slug(names[0])
	}
	return id, p, centroid, ""
}

// slug is a name folded into an id: lower case, words joined by dashes.
func slug(name string) string { return strings.Join(index.Normalize(name), "-") }
