package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/territoires-industrie/carte/dataset/importer"
)

// runImport turns the source folder (see its SOURCES.md) into a dataset
// folder and prints per-layer counts and skips.
func runImport(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	src := fs.String("src", "../shared/data", "source folder (the layout documented by its SOURCES.md)")
	out := fs.String("out", "data", "output dataset folder (manifest.json and <layer>.geojson.gz)")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "usage: territoires import [--src dir] [--out dir]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("import: unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	rep, err := importer.Run(ctx, importer.Options{Src: *src, Out: *out, Logger: logger})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dataset written to %s\n", *out)
	for _, l := range rep.Layers {
		fmt.Fprintf(stdout, "%-13s %6d features  %s\n", l.ID, l.Count, l.File)
		for _, s := range l.Skipped {
			fmt.Fprintf(stdout, "%-13s %6d skipped: %s\n", "", s.Count, s.Reason)
		}
	}
	fmt.Fprintf(stdout, "communes dissolved from several 2018 polygons: %d (largest relative area difference %.2g)\n", rep.Dissolved, rep.DissolveMaxAreaDiff)
	if len(rep.CommunesWithoutPolygon) > 0 {
		fmt.Fprintf(stdout, "communes without any 2018 polygon (not in the layer): %s\n", strings.Join(rep.CommunesWithoutPolygon, ", "))
	}
	if len(rep.FormationDuplicateKeys) > 0 {
		fmt.Fprintf(stdout, "formation ids made unique with a suffix: %s\n", strings.Join(rep.FormationDuplicateKeys, ", "))
	}
	return nil
}
