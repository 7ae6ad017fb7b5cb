package importer

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// layer is a built layer: its manifest entry and its features.
type layer struct {
	info     dataset.LayerInfo
	features []dataset.Feature
}

// newLayer starts the layer the registry describes as id: its manifest
// entry (title, schema, sources) comes from there.
func newLayer(id string) *layer {
	spec, ok := layers.Default().Layer(id)
	if !ok {
		panic("importer: layer " + id + " is not in the registry")
	}
	return &layer{info: spec.Info()}
}

func (l *layer) add(id string, g orb.Geometry, p props) {
	l.features = append(l.features, dataset.Feature{ID: id, Geometry: g, Properties: map[string]any(p)})
}

func (l *layer) skip(reason string, n int) {
	if n > 0 {
		l.info.Skipped = append(l.info.Skipped, dataset.Skip{Reason: reason, Count: n})
	}
}

// sortByID orders the features by id (the output order) and checks that ids
// are unique within the layer.
func (l *layer) sortByID() error {
	slices.SortFunc(l.features, func(a, b dataset.Feature) int { return strings.Compare(a.ID, b.ID) })
	for i := 1; i < len(l.features); i++ {
		if l.features[i].ID == l.features[i-1].ID {
			return fmt.Errorf("importer: layer %q: %w: feature id %q", l.info.ID, ErrDuplicate, l.features[i].ID)
		}
	}
	return nil
}

func buildRegions(fsys fs.FS, r *refs) (*layer, error) {
	l := newLayer(layers.Regions)
	features, err := readGeoJSON(fsys, fileRegionsGeo, "polygon")
	if err != nil {
		return nil, err
	}
	for i, f := range features {
		code, err := needProp(fileRegionsGeo, i, f, "code")
		if err != nil {
			return nil, err
		}
		name := r.regions[code]
		if name == "" {
			if name, err = needProp(fileRegionsGeo, i, f, "nom"); err != nil {
				return nil, err
			}
		}
		p := props{"name": name, "code": code, "region": code}
		l.add("region-"+code, f.Geometry, p)
	}
	return l, l.sortByID()
}

func buildDepartements(fsys fs.FS, r *refs) (*layer, error) {
	l := newLayer(layers.Departements)
	features, err := readGeoJSON(fsys, fileDepartementsGeo, "polygon")
	if err != nil {
		return nil, err
	}
	for i, f := range features {
		code, err := needProp(fileDepartementsGeo, i, f, "code")
		if err != nil {
			return nil, err
		}
		d := r.departements[code]
		name := d.Nom
		if name == "" {
			if name, err = needProp(fileDepartementsGeo, i, f, "nom"); err != nil {
				return nil, err
			}
		}
		p := props{"name": name, "code": code, "departement": code}
		p.str("region", d.Region)
		p.str("region_name", r.regions[d.Region])
		l.add("departement-"+code, f.Geometry, p)
	}
	return l, l.sortByID()
}

// population sums the COG 2026 populations of communes; ok is false when a
// commune has none (the sum would be wrong, so it is not given).
func (r *refs) population(codes []string) (sum int64, ok bool) {
	if len(codes) == 0 {
		return 0, false
	}
	for _, c := range codes {
		p := r.communes[c].Population
		if p == nil {
			return 0, false
		}
		sum += *p
	}
	return sum, true
}

func buildTerritoires(r *refs) (*layer, error) {
	l := newLayer(layers.Territoires)
	add := func(t territory, period, how string, m membership) {
		p := props{"name": t.name, "ti_id": t.id, "period": period, "membership": how}
		reg := reTIID.FindStringSubmatch(t.id)[1]
		p.str("region", reg)
		p.str("region_name", r.regions[reg])
		if n := m.rows[t.id]; n > 0 {
			p["n_communes"] = int64(n)
		}
		if pop, ok := r.population(m.members[t.id]); ok {
			p["population"] = pop
		}
		if t.liste != "" {
			p["n_groupements"] = int64(len(reSIREN.FindAllString(t.liste, -1)))
			p["groupements"] = t.liste
		}
		l.add(period[:4]+"/"+t.id, t.geometry, p)
	}
	for _, t := range r.ti2023 {
		add(t, "2023-2027", "anct_list", r.mem2023)
	}
	for _, t := range r.ti2018 {
		add(t, "2018-2023", "derived_spatial", r.mem2018)
	}
	return l, l.sortByID()
}

// communesResult is what the communes layer reports besides its features.
type communesResult struct {
	dissolved      int
	missing        []string
	maxAreaRelDiff float64
}

func buildCommunes(r *refs, outlines communeOutlines, logger *slog.Logger) (*layer, communesResult, error) {
	var res communesResult
	l := newLayer(layers.Communes)

	codeSet := map[string]bool{}
	for c := range r.mem2023.byCommune {
		codeSet[c] = true
	}
	for c := range r.mem2018.byCommune {
		codeSet[c] = true
	}
	codes := make([]string, 0, len(codeSet))
	for c := range codeSet {
		codes = append(codes, c)
	}
	slices.Sort(codes)

	for _, c := range codes {
		g, ok := outlines.geometry[c]
		if !ok {
			res.missing = append(res.missing, c)
			continue
		}
		com := r.communes[c]
		p := props{"name": com.Nom}
		r.place(p, c)
		if com.Population != nil {
			p["population"] = *com.Population
		}
		ti23, in23 := r.mem2023.byCommune[c]
		p["in_ti_2023"] = in23
		if in23 {
			p.str("territoire", ti23)
			p.str("territoire_name", r.ti2023Name[ti23])
			p.str("codes_anct_2023", strings.Join(r.mem2023.srcCodes[c], ";"))
		}
		ti18, in18 := r.mem2018.byCommune[c]
		p["in_ti_2018"] = in18
		if in18 {
			p.str("territoire_2018", ti18)
			p.str("territoire_2018_name", r.ti2018Name[ti18])
		}
		acv, isACV := r.acvOf[c]
		p["acv"] = isACV
		p.str("acv_id", acv)
		parts := r.from2026[c]
		p["codes_cog2018"] = strings.Join(parts, ";")
		if pt, ok := r.centroids[c]; ok {
			p["centroid_lon"] = pt[0]
			p["centroid_lat"] = pt[1]
		}
		if len(parts) > 1 {
			res.dissolved++
			diff := outlines.areaDiff[c]
			if diff > res.maxAreaRelDiff {
				res.maxAreaRelDiff = diff
			}
			if diff > 1e-5 {
				logger.Warn("dissolved commune area differs from the sum of its parts", "code", c, "parts", parts, "relative_difference", diff)
			}
		}
		l.add(c, g, p)
	}
	if len(res.missing) > 0 {
		l.skip(fmt.Sprintf("%s: %s", noPolygonReason, strings.Join(res.missing, ", ")), len(res.missing))
	}
	return l, res, l.sortByID()
}

// communeOutlines is the contour of every COG 2026 commune that IGN 2018
// polygons map to: the polygon of its one 2018 commune, or the union of
// those of the 2018 communes merged into it, with the relative difference
// between the union's area and the sum of the parts' (a check of the
// dissolve). Read and dissolved once for both layers that draw communes.
type communeOutlines struct {
	geometry map[string]orb.Geometry
	areaDiff map[string]float64 // merged communes only
}

func loadCommuneOutlines(ctx context.Context, fsys fs.FS, r *refs) (communeOutlines, error) {
	var out communeOutlines
	codes := make([]string, 0, len(r.from2026))
	want := map[string]bool{}
	for c, parts := range r.from2026 {
		codes = append(codes, c)
		for _, p := range parts {
			want[p] = true
		}
	}
	slices.Sort(codes)
	polys, err := communePolygons(ctx, fsys, want)
	if err != nil {
		return out, err
	}
	for c18 := range want {
		if _, ok := polys[c18]; !ok {
			return out, fileError(dirCommunesGeo, fmt.Errorf("%w: no polygon for COG 2018 commune %s (listed in %s)", ErrMissingValue, c18, fileCentroids2018))
		}
	}
	geoms := make([]orb.Geometry, len(codes))
	diffs := make([]float64, len(codes))
	err = parallel(ctx, len(codes), func(i int) error {
		parts := r.from2026[codes[i]]
		if len(parts) == 1 {
			geoms[i] = polys[parts[0]]
			return nil
		}
		gs := make([]orb.Geometry, len(parts))
		sum := 0.0
		for k, p := range parts {
			gs[k] = polys[p]
			sum += area(gs[k])
		}
		g, err := dissolve(gs)
		if err != nil {
			return fmt.Errorf("importer: dissolving COG 2018 communes %s into %s: %w", strings.Join(parts, ", "), codes[i], err)
		}
		geoms[i] = g
		diffs[i] = math.Abs(area(g)-sum) / sum
		return nil
	})
	if err != nil {
		return out, err
	}
	out = communeOutlines{geometry: make(map[string]orb.Geometry, len(codes)), areaDiff: map[string]float64{}}
	for i, c := range codes {
		out.geometry[c] = geoms[i]
		if len(r.from2026[c]) > 1 {
			out.areaDiff[c] = diffs[i]
		}
	}
	return out, nil
}

// noPolygonReason is why a commune has no contour.
const noPolygonReason = "commune COG 2026 sans aucun polygone IGN 2018 (recréée après 2018 ; contour non inventé) / no 2018 polygon"

// buildContours is every commune's contour, the base layer of communes.
func buildContours(r *refs, outlines communeOutlines) (*layer, error) {
	l := newLayer("contours_communes")
	codes := make([]string, 0, len(r.communes))
	for c := range r.communes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	missing := 0
	for _, c := range codes {
		g, ok := outlines.geometry[c]
		if !ok {
			missing++
			continue
		}
		p := props{"name": r.communes[c].Nom, "code_insee": c, "codes_cog2018": strings.Join(r.from2026[c], ";")}
		p.str("departement", r.communes[c].Departement)
		p.str("region", r.communes[c].Region)
		l.add("contour-"+c, g, p)
	}
	l.skip(noPolygonReason, missing)
	return l, l.sortByID()
}
