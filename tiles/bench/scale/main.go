// Command scale makes the datasets of tiles/bench/scale.sh and builds
// them: the real data plus a layer of N synthetic points, to show how the
// tile build's time and memory grow with the data.
//
//	scale gen -n 1000000 -seed 1 -data data -out /tmp/plus1M
//	scale build -data /tmp/plus1M -o /tmp/plus1M.pmtiles
//
// The synthetic points are spread over France the way the training
// centres are: each one is a training centre of the real data (drawn at
// random, seeded) moved by a normal offset of a few kilometres, with that
// centre's département and region. Their layer is clustered at every zoom,
// like the training centres below z9: a layer this dense drawn point by
// point would make tiles far over the 500 KiB limit.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

// The synthetic layer and its tiling.
const layerID = "synthetic"

var tiling = tiles.LayerTiling{MinZoom: 4, MaxZoom: 12, ClusterBelow: 13, Fields: []string{"name", "departement", "region"}}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scale gen|build [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "build":
		err = build(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// gen copies the dataset folder and adds the synthetic layer.
func gen(args []string) error {
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fl.Int("n", 1000000, "synthetic points")
	seed := fl.Uint64("seed", 1, "random seed")
	dataDir := fl.String("data", "data", "dataset folder")
	out := fl.String("out", "", "output folder")
	if err := fl.Parse(args); err != nil {
		return err
	}
	ds, err := dataset.Load(os.DirFS(*dataDir))
	if err != nil {
		return err
	}
	formations, ok := ds.Layer("formations")
	if !ok {
		return fmt.Errorf("no training centres in %s", *dataDir)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	m := ds.Manifest
	for _, l := range m.Layers {
		if err := copyFile(filepath.Join(*dataDir, l.File), filepath.Join(*out, l.File)); err != nil {
			return err
		}
	}
	m.Layers = append(m.Layers, dataset.LayerInfo{
		ID: layerID, File: layerID + ".geojson.gz", Title: "Points synthétiques", Geometry: dataset.GeometryPoint,
		Description: fmt.Sprintf("%d points synthétiques (graine %d) autour des centres de formation, pour mesurer le passage à l'échelle", *n, *seed),
		Sources:     []dataset.Source{{Name: "tiles/bench/scale", Licence: "Licence Ouverte 2.0", Vintage: "synthetic"}},
		Fields: []dataset.Field{
			{Name: "name", Type: dataset.TypeString, Required: true, Description: "nom"},
			{Name: "departement", Type: dataset.TypeString, Description: "département du centre d'origine"},
			{Name: "region", Type: dataset.TypeString, Description: "région du centre d'origine"},
		},
		Count: *n,
	})
	if err := writePoints(filepath.Join(*out, layerID+".geojson.gz"), *n, *seed, formations.Features); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(*out, dataset.ManifestFile))
	if err != nil {
		return err
	}
	defer f.Close()
	return dataset.WriteManifest(f, m)
}

// writePoints streams n points into a gzipped FeatureCollection.
func writePoints(path string, n int, seed uint64, centres []dataset.Feature) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	w := bufio.NewWriterSize(zw, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	const km = 1 / 111.0 // degrees of latitude
	io.WriteString(w, "{\"type\":\"FeatureCollection\",\"features\":[\n")
	for i := range n {
		c := centres[rng.IntN(len(centres))]
		p := c.Geometry.Bound().Center()
		spread := 3 * km
		lat := math.Max(-85, math.Min(85, p[1]+rng.NormFloat64()*spread))
		lon := math.Max(-180, math.Min(180, p[0]+rng.NormFloat64()*spread/math.Cos(p[1]*math.Pi/180)))
		props := map[string]any{"name": fmt.Sprintf("Point %d", i+1)}
		for _, k := range []string{"departement", "region"} {
			if v := c.String(k); v != "" {
				props[k] = v
			}
		}
		pb, _ := json.Marshal(props)
		if i > 0 {
			io.WriteString(w, ",\n")
		}
		fmt.Fprintf(w, `{"type":"Feature","id":"synthetic-%d","geometry":{"type":"Point","coordinates":[%.6f,%.6f]},"properties":%s}`, i+1, lon, lat, pb)
	}
	io.WriteString(w, "\n]}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// build builds a folder made by gen (or the real data), as territoires
// build does, with the synthetic layer's tiling added.
func build(args []string) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	dataDir := fl.String("data", "data", "dataset folder")
	out := fl.String("o", "scale.pmtiles", "output archive")
	if err := fl.Parse(args); err != nil {
		return err
	}
	src, err := dataset.OpenStream(os.DirFS(*dataDir))
	if err != nil {
		return err
	}
	src.TempDir = filepath.Dir(*out)
	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(layers.Default())
	opts.Layers[layerID] = tiling
	opts.TempDir = filepath.Dir(*out)
	stats, err := tiles.BuildFile(context.Background(), src, opts, *out)
	if err != nil {
		return err
	}
	features := 0
	for _, l := range src.Manifest().Layers {
		features += l.Count
	}
	fmt.Printf("RESULT features=%d bytes=%d tiles=%d distinct=%d largest=%d temp_bytes=%d runs=%d\n",
		features, stats.Bytes, stats.Tiles, stats.UniqueTiles, stats.LargestTile.Bytes, stats.TempBytes, stats.TempRuns)
	return nil
}
