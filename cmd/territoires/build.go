package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

func runBuild(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	out := fl.String("o", "territoires.pmtiles", "output archive `file`")
	dataDir := fl.String("data", "", "dataset `folder` (manifest.json + layer files); default: the embedded data")
	workers := fl.Int("workers", 0, "goroutines (0: all cores)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("build: unexpected argument %q", fl.Arg(0))
	}
	start := time.Now()
	reg := layers.Default()
	// The build reads the data one feature at a time: its memory does not
	// grow with the data (tiles.BuildTo).
	src, err := openDataset(*dataDir, reg)
	if err != nil {
		return err
	}
	src.TempDir = filepath.Dir(*out)
	for _, l := range src.Manifest().Layers {
		fmt.Fprintf(stdout, "layer %-13s %6d features", l.ID, l.Count)
		for _, s := range l.Skipped {
			fmt.Fprintf(stdout, "; %d skipped at import: %s", s.Count, s.Reason)
		}
		fmt.Fprintln(stdout)
	}
	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(reg)
	opts.Workers = *workers
	opts.TempDir = filepath.Dir(*out)
	stats, err := tiles.BuildFile(ctx, src, opts, *out)
	if err != nil {
		return err
	}
	layers := make([]string, 0, len(stats.Squares))
	for l := range stats.Squares {
		layers = append(layers, l)
	}
	sort.Strings(layers)
	for _, l := range layers {
		fmt.Fprintf(stdout, "layer %-13s %d (feature, zoom) pairs too small for their shape, drawn as a one-unit square\n", l, stats.Squares[l])
	}
	lt := stats.LargestTile
	fmt.Fprintf(stdout, "wrote %s: %d bytes, zoom %d-%d, %d tiles (%d distinct), largest tile %d/%d/%d %d bytes, data version %s, %d MB of temporary runs, %.1fs\n",
		*out, stats.Bytes, stats.MinZoom, stats.MaxZoom, stats.Tiles, stats.UniqueTiles, lt.Z, lt.X, lt.Y, lt.Bytes, stats.DataVersion, stats.TempBytes>>20, time.Since(start).Seconds())
	return nil
}

// openDataset opens dir, or the embedded default data when dir is "", to
// be read one feature at a time, and checks that its manifest is the one
// the registry describes.
func openDataset(dir string, reg layers.Registry) (*dataset.Stream, error) {
	src, err := dataset.OpenStream(datasetFS(dir))
	if err != nil {
		return nil, err
	}
	if err := reg.CheckDataset(src.Manifest()); err != nil {
		return nil, err
	}
	return src, nil
}

func datasetFS(dir string) fs.FS {
	if dir == "" {
		return data.FS
	}
	return os.DirFS(dir)
}

// loadDataset reads dir, or the embedded default data when dir is "", and
// checks that it is the data the registry describes.
func loadDataset(dir string, reg layers.Registry) (*dataset.Dataset, error) {
	ds, err := dataset.Load(datasetFS(dir))
	if err != nil {
		return nil, err
	}
	if err := reg.CheckDataset(ds.Manifest); err != nil {
		return nil, err
	}
	return ds, nil
}
