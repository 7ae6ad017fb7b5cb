package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// square returns a closed square ring of half-size d degrees around c.
func square(c orb.Point, d float64) orb.Polygon {
	return orb.Polygon{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}
}

var (
	lyon        = orb.Point{4.8357, 45.7640}
	grenoble    = orb.Point{5.7245, 45.1885}
	fortDeFranc = orb.Point{-61.0588, 14.6161} // Martinique: overseas must be tiled too
)

func nameField() dataset.Field {
	return dataset.Field{Name: "name", Type: dataset.TypeString, Required: true, Description: "name"}
}

func layer(id, geometry string, features ...dataset.Feature) dataset.Layer {
	return dataset.Layer{
		Info: dataset.LayerInfo{
			ID: id, File: id + ".geojson.gz", Title: id, Geometry: geometry, Count: len(features),
			Sources: []dataset.Source{{Name: "fixture " + id, Licence: "Licence Ouverte 2.0", Vintage: "2026"}},
			Fields:  []dataset.Field{nameField(), {Name: "code_insee", Type: dataset.TypeString, Description: "code"}, {Name: "population", Type: dataset.TypeInteger, Description: "pop"}},
		},
		Features: features,
	}
}

// fixtureDataset: a big region, a commune 30 m across (smaller than a
// tile unit at z6), a cluster of 5 training centres around Lyon plus
// one in Grenoble, and an overseas site.
func fixtureDataset() *dataset.Dataset {
	regions := layer(layers.Regions, dataset.GeometryPolygon,
		dataset.Feature{ID: "region-84", Geometry: square(orb.Point{5, 45.5}, 1.5), Properties: map[string]any{"name": "Auvergne-Rhône-Alpes", "population": int64(8000000)}})
	communes := layer(layers.Communes, dataset.GeometryPolygon,
		dataset.Feature{ID: "69123", Geometry: square(lyon, 0.05), Properties: map[string]any{"name": "Lyon", "code_insee": "69123", "population": int64(522250)}},
		dataset.Feature{ID: "38999", Geometry: square(grenoble, 0.0002), Properties: map[string]any{"name": "Tiny", "code_insee": "38999"}})
	var centres []dataset.Feature
	for i, dx := range []float64{0, 0.001, 0.002, 0.003, 0.004} {
		centres = append(centres, dataset.Feature{ID: "formation-" + string(rune('a'+i)), Geometry: orb.Point{lyon[0] + dx, lyon[1]}, Properties: map[string]any{"name": "Centre"}})
	}
	centres = append(centres, dataset.Feature{ID: "formation-grenoble", Geometry: grenoble, Properties: map[string]any{"name": "CFA Grenoble"}})
	formations := layer("formations", dataset.GeometryPoint, centres...)
	sites := layer("sites", dataset.GeometryPoint,
		dataset.Feature{ID: "site-97", Geometry: fortDeFranc, Properties: map[string]any{"name": "Site Martinique"}})
	return &dataset.Dataset{
		Manifest: dataset.Manifest{Title: "fixture", Attribution: "fixture attribution"},
		Layers:   []dataset.Layer{regions, communes, formations, sites},
		Version:  "fixture",
	}
}

func fixtureOptions() Options {
	o := DefaultOptions()
	o.Layers = map[string]LayerTiling{
		layers.Regions:  {MinZoom: 0, MaxZoom: 10, Fields: []string{"name"}},
		layers.Communes: {MinZoom: 6, MaxZoom: 10},
		"formations":    {MinZoom: 4, MaxZoom: 10, ClusterBelow: 9},
		"sites":         {MinZoom: 0, MaxZoom: 10},
	}
	return o
}

// buildFixture builds the fixture archive into a file and opens it.
func buildFixture(tb testing.TB) (*Reader, Stats, string) {
	tb.Helper()
	archive, stats, err := Build(context.Background(), fixtureDataset(), fixtureOptions())
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "fixture.pmtiles")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		tb.Fatal(err)
	}
	r, err := OpenArchive(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r, stats, path
}

// decodeTile reads and decodes tile t; nil layers when there is no tile.
func decodeTile(tb testing.TB, r *Reader, t maptile.Tile) mvt.Layers {
	tb.Helper()
	b, err := r.Tile(context.Background(), int(t.Z), int(t.X), int(t.Y))
	if err != nil {
		tb.Fatal(err)
	}
	if b == nil {
		return nil
	}
	layers, err := mvt.UnmarshalGzipped(b)
	if err != nil {
		tb.Fatalf("tile %v: %v", t, err)
	}
	return layers
}

func findLayer(ls mvt.Layers, name string) *mvt.Layer {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return nil
}

func TestBuildPlacesFeaturesInTheTilesThatCoverThem(t *testing.T) {
	r, _, _ := buildFixture(t)
	for z := maptile.Zoom(0); z <= 12; z++ {
		tile := maptile.At(lyon, z)
		layers := decodeTile(t, r, tile)
		if z > 10 {
			if layers != nil {
				t.Errorf("z%d: a tile above the archive's max zoom", z)
			}
			continue
		}
		communes := findLayer(layers, "communes")
		if z < 6 {
			if communes != nil {
				t.Errorf("z%d: communes shown below their min zoom", z)
			}
			continue
		}
		if communes == nil {
			t.Fatalf("z%d: no communes layer in tile %v", z, tile)
		}
		if communes.Extent != Extent || communes.Version != 2 {
			t.Errorf("z%d: extent %d version %d", z, communes.Extent, communes.Version)
		}
		communes.ProjectToWGS84(tile)
		found := false
		for _, f := range communes.Features {
			if f.Properties["id"] != "69123" {
				continue
			}
			found = true
			if f.Properties["name"] != "Lyon" || f.Properties["code_insee"] != "69123" || f.Properties["population"] != float64(522250) { // MVT decoders give numbers as float64
				t.Errorf("z%d: properties %v", z, f.Properties)
			}
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok {
				t.Fatalf("z%d: geometry %T", z, f.Geometry)
			}
			if !planar.PolygonContains(poly, lyon) {
				t.Errorf("z%d: Lyon's polygon does not contain Lyon", z)
			}
			if area := planar.Area(poly); area < 0.009 || area > 0.011 {
				t.Errorf("z%d: area %.5f square degrees, want about 0.01", z, area)
			}
		}
		if !found {
			t.Errorf("z%d: Lyon missing from tile %v", z, tile)
		}
	}
	// Nowhere it should not be: a tile over the Atlantic has nothing.
	if layers := decodeTile(t, r, maptile.At(orb.Point{-30, 40}, 8)); layers != nil {
		t.Errorf("tile over the ocean holds %d layers", len(layers))
	}
}

func TestBuildKeepsTinyCommunesAtEveryZoom(t *testing.T) {
	r, stats, _ := buildFixture(t)
	for z := 6; z <= 10; z++ {
		if got := stats.Shown[layers.Communes][z]; got != 2 {
			t.Errorf("z%d: %d communes drawn, want 2", z, got)
		}
		tile := maptile.At(grenoble, maptile.Zoom(z))
		l := findLayer(decodeTile(t, r, tile), layers.Communes)
		found := false
		for _, f := range l.Features {
			found = found || f.Properties["id"] == "38999"
		}
		if !found {
			t.Errorf("z%d: the 30 m commune vanished", z)
		}
	}
	if stats.Squares[layers.Communes] == 0 {
		t.Error("the tiny commune should need the minimum square at z6")
	}
}

func TestBuildClustersPointsBelowTheClusterZoom(t *testing.T) {
	r, stats, _ := buildFixture(t)
	for z := 4; z <= 10; z++ {
		if got := stats.Shown["formations"][z]; got != 6 {
			t.Errorf("z%d: %d training centres drawn, want all 6", z, got)
		}
		l := findLayer(decodeTile(t, r, maptile.At(lyon, maptile.Zoom(z))), "formations")
		if l == nil {
			t.Fatalf("z%d: no formations layer", z)
		}
		var clusters, singles int
		var count int64
		for _, f := range l.Features {
			if f.Properties[PropCluster] == true {
				clusters++
				count += int64(f.Properties[PropPointCount].(float64))
			} else if f.Properties["name"] == "Centre" {
				singles++
			}
		}
		if z < 9 && (clusters != 1 || count != 5 || singles != 0) {
			t.Errorf("z%d: %d clusters of %d points and %d single centres, want one cluster of 5", z, clusters, count, singles)
		}
		if z >= 9 && (clusters != 0 || singles != 5) {
			t.Errorf("z%d: %d clusters and %d single centres, want the 5 centres", z, clusters, singles)
		}
	}
	if l := findLayer(decodeTile(t, r, maptile.At(lyon, 3)), "formations"); l != nil {
		t.Error("formations shown below their min zoom")
	}
}

func TestBuildArchiveHeaderAndMetadata(t *testing.T) {
	r, _, path := buildFixture(t)
	h := r.Header
	if h.MinZoom != 0 || h.MaxZoom != 10 || !h.Clustered || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip {
		t.Errorf("header %+v", h)
	}
	// Bounds include Martinique and the region square.
	if h.MinLonE7 > -610588000 || h.MaxLonE7 < 65000000 || h.MinLatE7 > 146161000 || h.MaxLatE7 < 470000000 {
		t.Errorf("bounds %d,%d %d,%d miss the data", h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7)
	}
	var meta struct {
		Attribution  string `json:"attribution"`
		VectorLayers []struct {
			ID      string            `json:"id"`
			MinZoom int               `json:"minzoom"`
			MaxZoom int               `json:"maxzoom"`
			Fields  map[string]string `json:"fields"`
		} `json:"vector_layers"`
		Provenance map[string]struct {
			Sources []dataset.Source `json:"sources"`
		} `json:"provenance"`
	}
	if err := json.Unmarshal(r.Metadata, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Attribution != "fixture attribution" || len(meta.VectorLayers) != 4 {
		t.Fatalf("metadata %s", r.Metadata)
	}
	f := meta.VectorLayers[2]
	if f.ID != "formations" || f.MinZoom != 4 || f.MaxZoom != 10 || f.Fields["point_count"] != "Number" || f.Fields["population"] != "Number" || f.Fields["name"] != "String" {
		t.Errorf("formations vector layer %+v", f)
	}
	if src := meta.Provenance["sites"].Sources; len(src) != 1 || src[0].Licence != "Licence Ouverte 2.0" {
		t.Errorf("sites provenance %+v", src)
	}
	if err := pmtiles.Verify(log.New(io.Discard, "", 0), path); err != nil {
		t.Errorf("go-pmtiles verify: %v", err)
	}
}

func TestClustersNeverSpanDepartements(t *testing.T) {
	ds := fixtureDataset()
	fields := append(ds.Layers[2].Info.Fields, dataset.Field{Name: "departement", Type: dataset.TypeString}, dataset.Field{Name: "region", Type: dataset.TypeString})
	ds.Layers[2].Info.Fields = fields
	for i := range ds.Layers[2].Features {
		dep := "69"
		if i >= 3 && i < 5 {
			dep = "01" // two of Lyon's five centres belong elsewhere
		}
		ds.Layers[2].Features[i].Properties = map[string]any{"name": "Centre", "departement": dep, "region": "84"}
	}
	archive, _, err := Build(context.Background(), ds, fixtureOptions())
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenBytes(archive)
	if err != nil {
		t.Fatal(err)
	}
	l := findLayer(decodeTile(t, r, maptile.At(lyon, 6)), "formations")
	got := map[string]float64{}
	for _, f := range l.Features {
		if f.Properties[PropCluster] == true {
			got[f.Properties["departement"].(string)] = f.Properties[PropPointCount].(float64)
			if f.Properties["region"] != "84" {
				t.Errorf("cluster without its shared region: %v", f.Properties)
			}
		}
	}
	if got["69"] != 3 || got["01"] != 2 || len(got) != 2 {
		t.Errorf("clusters by département %v, want 69:3 and 01:2", got)
	}
}

func TestBuildKeepsOnlyTheTileFields(t *testing.T) {
	r, _, _ := buildFixture(t)
	l := findLayer(decodeTile(t, r, maptile.At(lyon, 5)), layers.Regions)
	if l == nil || len(l.Features) != 1 {
		t.Fatalf("regions layer %+v", l)
	}
	p := l.Features[0].Properties
	if p["name"] != "Auvergne-Rhône-Alpes" || p["id"] != "region-84" {
		t.Errorf("kept properties %v", p)
	}
	if _, ok := p["population"]; ok {
		t.Error("population is not a tile field of regions but is in the tile")
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	opts := fixtureOptions()
	a, _, err := Build(context.Background(), fixtureDataset(), opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Workers = 1 // a different schedule must not change a byte
	b, _, err := Build(context.Background(), fixtureDataset(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same data differ")
	}
}

func TestBuildRejectsLayerWithoutZoomRange(t *testing.T) {
	opts := fixtureOptions()
	delete(opts.Layers, "sites")
	if _, _, err := Build(context.Background(), fixtureDataset(), opts); err == nil {
		t.Fatal("a layer without zoom range must be an error, not silently left out")
	}
}

func TestSnapPolygonsOrientsRingsForMVT(t *testing.T) {
	// Counter-clockwise on screen outer ring with a clockwise hole: both
	// must be flipped.
	outer := orb.Ring{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}
	hole := orb.Ring{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	got := snapPolygons(orb.MultiPolygon{{outer.Clone(), hole.Clone()}}, 0, 0)
	if len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("got %v", got)
	}
	if signedArea(got[0][0]) <= 0 || signedArea(got[0][1]) >= 0 {
		t.Errorf("outer %v hole %v: wrong winding", got[0][0], got[0][1])
	}
	// A ring that rounds to a line disappears, and takes its holes along.
	thin := orb.Ring{{0, 0}, {10, 0.2}, {10, 0.3}, {0, 0.1}, {0, 0}}
	if got := snapPolygons(orb.MultiPolygon{{thin, hole.Clone()}}, 0, 0); len(got) != 0 {
		t.Errorf("degenerate polygon kept: %v", got)
	}
}

// TestBuildSimplifiesLessAtTheHighestZoom: a region whose east edge is a
// sawtooth 2 tile units deep at z10, the fixture's highest zoom. The finer
// tolerance there (1 unit) keeps the teeth for maps that overzoom; at z9
// the teeth are 1 unit deep, under the 4-unit tolerance, and go.
func TestBuildSimplifiesLessAtTheHighestZoom(t *testing.T) {
	const maxZoom = 10
	unit := 360 / float64(uint(1)<<maxZoom) / Extent // degrees of longitude per z10 tile unit
	west, south, north := 4.0, 45.0, 45.3
	east := 4.6
	ring := orb.Ring{{west, south}, {east, south}}
	teeth := 0
	for lat := south + 0.005; lat < north; lat += 0.005 {
		dx := 0.0
		if teeth%2 == 0 {
			dx = 2 * unit
		}
		ring = append(ring, orb.Point{east + dx, lat})
		teeth++
	}
	ring = append(ring, orb.Point{east, north}, orb.Point{west, north}, orb.Point{west, south})
	ds := fixtureDataset()
	ds.Layers[0].Features[0].Geometry = orb.Polygon{ring}
	opts := fixtureOptions()
	if opts.Tolerance != 4 || opts.MaxZoomTolerance != 1 {
		t.Fatalf("tolerances %g/%g: this test is written for the defaults 4/1", opts.Tolerance, opts.MaxZoomTolerance)
	}
	archive, _, err := Build(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(context.Background(), memBucket{archive}, "mem")
	if err != nil {
		t.Fatal(err)
	}
	vertices := func(z maptile.Zoom) int {
		l := findLayer(decodeTile(t, r, maptile.At(orb.Point{east, (south + north) / 2}, z)), layers.Regions)
		if l == nil || len(l.Features) != 1 {
			t.Fatalf("z%d: want the region in the tile", z)
		}
		n := 0
		for _, rg := range l.Features[0].Geometry.(orb.Polygon) {
			n += len(rg)
		}
		return n
	}
	if got := vertices(maxZoom); got < teeth/2 {
		t.Errorf("z%d: %d vertices, the %d teeth should be kept", maxZoom, got, teeth)
	}
	if got := vertices(maxZoom - 1); got > 10 {
		t.Errorf("z%d: %d vertices, the teeth (1 unit deep) should be simplified away", maxZoom-1, got)
	}
}
