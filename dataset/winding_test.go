package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// A 4°×4° square with a 2°×2° hole, and a triangle beside them, written
// the RFC 7946 way: exterior counterclockwise, hole clockwise.
var (
	squareCCW   = orb.Ring{{2, 46}, {6, 46}, {6, 50}, {2, 50}, {2, 46}}
	holeCW      = orb.Ring{{3, 47}, {3, 49}, {5, 49}, {5, 47}, {3, 47}}
	triangleCCW = orb.Ring{{7, 46}, {8, 46}, {8, 47}, {7, 46}}
)

func reversed(r orb.Ring) orb.Ring {
	c := r.Clone()
	c.Reverse()
	return c
}

var windingCases = []struct {
	name     string
	in, want orb.Geometry
}{
	{"clockwise polygon, counterclockwise hole",
		orb.Polygon{reversed(squareCCW), reversed(holeCW)},
		orb.Polygon{squareCCW, holeCW}},
	{"clockwise polygon, clockwise hole",
		orb.Polygon{reversed(squareCCW), holeCW},
		orb.Polygon{squareCCW, holeCW}},
	{"polygon already RFC 7946",
		orb.Polygon{squareCCW, holeCW},
		orb.Polygon{squareCCW, holeCW}},
	{"multipolygon, one part wrong",
		orb.MultiPolygon{{triangleCCW}, {reversed(squareCCW), reversed(holeCW)}},
		orb.MultiPolygon{{triangleCCW}, {squareCCW, holeCW}}},
	{"multipolygon, every part wrong",
		orb.MultiPolygon{{reversed(squareCCW), reversed(holeCW)}, {reversed(triangleCCW)}},
		orb.MultiPolygon{{squareCCW, holeCW}, {triangleCCW}}},
}

// checkRFC7946 fails unless every exterior ring of g is counterclockwise
// and every hole clockwise, by orb's own Ring.Orientation.
func checkRFC7946(tb testing.TB, g orb.Geometry) {
	tb.Helper()
	for i, p := range Polygons(g) {
		for j, r := range p {
			want := orb.CCW
			if j > 0 {
				want = orb.CW
			}
			if got := r.Orientation(); got != want {
				tb.Errorf("polygon %d ring %d: orientation %v, want %v", i, j, got, want)
			}
		}
	}
}

func featureCollection(tb testing.TB, g orb.Geometry) []byte {
	tb.Helper()
	gb, err := json.Marshal(geojson.NewGeometry(g))
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Appendf(nil, `{"type":"FeatureCollection","features":[{"type":"Feature","id":"w","geometry":%s,"properties":{"name":"W"}}]}`, gb)
}

func TestDecodeLayerGivesRFC7946Winding(t *testing.T) {
	zones, _ := fixtureManifest(t).Layer("zones")
	for _, tt := range windingCases {
		t.Run(tt.name, func(t *testing.T) {
			features, err := DecodeLayer(bytes.NewReader(featureCollection(t, tt.in)), "winding.geojson", zones)
			if err != nil {
				t.Fatal(err)
			}
			got := features[0].Geometry
			checkRFC7946(t, got)
			if !orb.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (the same positions, wound the RFC 7946 way)", got, tt.want)
			}
		})
	}
}

func TestEncodeLayerWritesRFC7946Winding(t *testing.T) {
	for _, tt := range windingCases {
		t.Run(tt.name, func(t *testing.T) {
			in := orb.Clone(tt.in)
			var buf bytes.Buffer
			if err := EncodeLayer(&buf, []Feature{{ID: "w", Geometry: in, Properties: map[string]any{"name": "W"}}}); err != nil {
				t.Fatal(err)
			}
			// Read the bytes as plain GeoJSON, not through DecodeLayer,
			// which would fix the winding itself.
			fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got := fc.Features[0].Geometry
			checkRFC7946(t, got)
			if !orb.Equal(got, tt.want) {
				t.Errorf("wrote %v, want %v", got, tt.want)
			}
			if !orb.Equal(in, tt.in) {
				t.Errorf("EncodeLayer changed the caller's geometry to %v", in)
			}
		})
	}
}
