package index_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/index"
)

func TestMeetsBox(t *testing.T) {
	tri := orb.Polygon{{{0, 0}, {10, 0}, {0, 10}, {0, 0}}}
	box := func(a, b, c, d float64) orb.Bound { return orb.Bound{Min: orb.Point{a, b}, Max: orb.Point{c, d}} }
	tests := []struct {
		name string
		g    orb.Geometry
		b    orb.Bound
		want bool
	}{
		{"box inside", tri, box(1, 1, 2, 2), true},
		{"box around", tri, box(-1, -1, 11, 11), true},
		{"box across an edge", tri, box(4, 4, 6, 6), true},
		{"box beyond the hypotenuse", tri, box(6, 6, 9, 9), false},
		{"box touching a vertex", tri, box(10, 0, 11, 1), true},
		{"box touching the hypotenuse at a point", tri, box(5, 5, 6, 6), true},
		{"degenerate box inside", tri, box(1, 1, 1, 1), true},
		{"degenerate box outside", tri, box(9, 9, 9, 9), false},
		{"far away", tri, box(20, 20, 30, 30), false},
		{"point on the edge", orb.Point{1, 1}, box(1, 1, 2, 2), true},
		{"point outside", orb.Point{3, 1}, box(1, 1, 2, 2), false},
		{"multipoint", orb.MultiPoint{{5, 5}, {1.5, 1.5}}, box(1, 1, 2, 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := index.MeetsBox(tt.g, tt.b); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
