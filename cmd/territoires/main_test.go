package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/tiles"
)

// writeRegions writes a one-layer dataset folder holding one region.
func writeRegions(tb testing.TB, dir string) {
	tb.Helper()
	m := dataset.Manifest{Title: "t", Attribution: "a", Layers: []dataset.LayerInfo{{
		ID: layers.Regions, File: "regions.geojson.gz", Title: "Régions", Geometry: dataset.GeometryPolygon,
		Sources: []dataset.Source{{Name: "test", Licence: "Licence Ouverte 2.0", Vintage: "2026"}},
		Fields:  []dataset.Field{{Name: "name", Type: dataset.TypeString, Required: true}, {Name: "code", Type: dataset.TypeString}},
	}}}
	square := orb.Polygon{{{4, 45}, {6, 45}, {6, 46}, {4, 46}, {4, 45}}}
	err := dataset.WriteDir(dir, m, map[string][]dataset.Feature{
		layers.Regions: {{ID: "region-84", Geometry: square, Properties: map[string]any{"name": "ARA", "code": "84"}}},
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func runCLI(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return out.String(), err
}

func TestBuildWritesAnArchive(t *testing.T) {
	dir := t.TempDir()
	writeRegions(t, dir)
	out := filepath.Join(dir, "out.pmtiles")
	stdout, err := runCLI("build", "--data", dir, "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "layer regions") || !strings.Contains(stdout, "wrote "+out) {
		t.Errorf("output does not report layers and archive:\n%s", stdout)
	}
	r, err := tiles.OpenArchive(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Header.MaxZoom != 12 || r.Header.AddressedTilesCount == 0 {
		t.Errorf("header %+v", r.Header)
	}
}

func TestBuildWithBadDataFailsAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeRegions(t, dir)
	// Replace the layer with one whose ring is not closed.
	bad := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"region-84","geometry":{"type":"Polygon","coordinates":[[[4,45],[6,45],[6,46],[4,46],[4,45.5]]]},"properties":{"name":"ARA"}}]}`
	if err := os.Remove(filepath.Join(dir, "regions.geojson.gz")); err != nil {
		t.Fatal(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	os.WriteFile(filepath.Join(dir, dataset.ManifestFile), bytes.Replace(manifest, []byte("regions.geojson.gz"), []byte("regions.geojson"), 1), 0o644)
	os.WriteFile(filepath.Join(dir, "regions.geojson"), []byte(bad), 0o644)

	out := filepath.Join(dir, "out.pmtiles")
	_, err := runCLI("build", "--data", dir, "-o", out)
	if err == nil {
		t.Fatal("build accepted a polygon with an unclosed ring")
	}
	for _, part := range []string{"regions.geojson", "feature 0", `"region-84"`, "not closed"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an archive was written despite the error (stat: %v)", err)
	}
}

func TestUnknownSubcommandIsAnError(t *testing.T) {
	stdout, err := runCLI("frobnicate")
	if err == nil || !strings.Contains(err.Error(), "frobnicate") || !strings.Contains(stdout, "build") {
		t.Errorf("err %v, usage %q", err, stdout)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
