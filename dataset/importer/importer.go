// Package importer builds the default dataset of the service from the
// source folder documented by its SOURCES.md (ANCT Territoires d'industrie
// and Action cœur de ville, INSEE COG 2026 via @etalab/decoupage-administratif,
// IGN Admin Express 2018 polygons, sites clés en main, training centres).
//
// Nothing is invented: a value missing from the sources is absent from the
// output, a point at a commune centroid says precision "commune", and every
// input record left out is counted in the layer's Skipped with the reason.
// Errors name the file, the record (CSV line or JSON record index) and the
// field. The output is deterministic: features are sorted by id and no
// timestamp is written, so two runs give byte-identical files.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/territoires-industrie/carte/dataset"
)

// Options says where to read the sources and where to write the dataset.
type Options struct {
	Src    string // source folder (shared/data layout)
	Out    string // output folder: manifest.json and <layer>.geojson.gz
	Logger *slog.Logger
}

// LayerReport is the outcome of one layer.
type LayerReport struct {
	ID      string
	File    string
	Count   int
	Skipped []dataset.Skip
}

// Report is the outcome of an import.
type Report struct {
	Layers []LayerReport
	// Dissolved is the number of COG 2026 communes whose polygon is the
	// union of several IGN 2018 commune polygons.
	Dissolved int
	// DissolveMaxAreaDiff is the largest relative difference between the
	// area of a dissolved polygon and the sum of the areas of its parts.
	DissolveMaxAreaDiff float64
	// CommunesWithoutPolygon are the COG 2026 codes of TI communes that no
	// 2018 polygon maps to; they are not in the communes layer.
	CommunesWithoutPolygon []string
	// FormationDuplicateKeys are formation ids that had to get a suffix
	// because their SIRET / UAI key repeats.
	FormationDuplicateKeys []string
}

// Layer returns the report of a layer.
func (r Report) Layer(id string) (LayerReport, bool) {
	for _, l := range r.Layers {
		if l.ID == id {
			return l, true
		}
	}
	return LayerReport{}, false
}

// Run imports the sources of opts.Src into opts.Out, then loads the result
// back with dataset.Load to check it.
func Run(ctx context.Context, opts Options) (Report, error) {
	var rep Report
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Src == "" || opts.Out == "" {
		return rep, errors.New("importer: source and output folders are required")
	}
	if st, err := os.Stat(opts.Src); err != nil {
		return rep, fmt.Errorf("importer: source folder: %w", err)
	} else if !st.IsDir() {
		return rep, fmt.Errorf("importer: source folder %s is not a directory", opts.Src)
	}
	start := time.Now()
	fsys := os.DirFS(opts.Src)

	r, err := loadRefs(ctx, fsys)
	if err != nil {
		return rep, err
	}
	logger.Info("reference tables read", "elapsed", time.Since(start).Round(time.Millisecond))

	regions, err := buildRegions(fsys, r)
	if err != nil {
		return rep, err
	}
	departements, err := buildDepartements(fsys, r)
	if err != nil {
		return rep, err
	}
	territoires, err := buildTerritoires(r)
	if err != nil {
		return rep, err
	}
	outlines, err := loadCommuneOutlines(ctx, fsys, r)
	if err != nil {
		return rep, err
	}
	communes, cres, err := buildCommunes(r, outlines, logger)
	if err != nil {
		return rep, err
	}
	logger.Info("communes built", "elapsed", time.Since(start).Round(time.Millisecond), "dissolved", cres.dissolved)
	contours, err := buildContours(r, outlines)
	if err != nil {
		return rep, err
	}
	places, err := buildPlaces(r)
	if err != nil {
		return rep, err
	}
	acv, err := buildACV(fsys, r, logger)
	if err != nil {
		return rep, err
	}
	formations, fres, err := buildFormations(fsys, r)
	if err != nil {
		return rep, err
	}
	sites, err := buildSites(fsys, r)
	if err != nil {
		return rep, err
	}
	cnam, err := buildCnam(fsys, r)
	if err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}

	// Manifest order is the drawing order, bottom first.
	layers := []*layer{regions, departements, contours, territoires, communes, acv, formations, cnam, sites, places}
	m := dataset.Manifest{Title: manifestTitle, Attribution: manifestAttribution}
	byID := map[string][]dataset.Feature{}
	for _, l := range layers {
		m.Layers = append(m.Layers, l.info)
		byID[l.info.ID] = l.features
	}
	if err := dataset.WriteDir(opts.Out, m, byID); err != nil {
		return rep, fmt.Errorf("importer: writing %s: %w", opts.Out, err)
	}
	ds, err := dataset.Load(os.DirFS(opts.Out))
	if err != nil {
		return rep, fmt.Errorf("importer: the written dataset does not load: %w", err)
	}
	for _, l := range ds.Manifest.Layers {
		rep.Layers = append(rep.Layers, LayerReport{ID: l.ID, File: l.File, Count: l.Count, Skipped: l.Skipped})
	}
	rep.Dissolved = cres.dissolved
	rep.DissolveMaxAreaDiff = cres.maxAreaRelDiff
	rep.CommunesWithoutPolygon = cres.missing
	rep.FormationDuplicateKeys = fres.duplicateKeys
	logger.Info("dataset written", "dir", opts.Out, "version", ds.Version, "elapsed", time.Since(start).Round(time.Millisecond))
	return rep, nil
}
