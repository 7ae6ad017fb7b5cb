package server

import (
	"errors"
	"fmt"
	"strings"
)

// maxZoom is the deepest zoom a tile path may name: 2^30 tiles a side is
// where 32-bit tile coordinates stop.
const maxZoom = 30

var errTilePath = errors.New("malformed tile path")

// parseTilePath reads "z/x/y.mvt" (or .pbf): plain decimal numbers, no
// sign, x and y inside the 2^z grid.
func parseTilePath(p string) (z, x, y int, err error) {
	// Cut, not Split: no slice to allocate on every tile.
	zs, rest, ok1 := strings.Cut(p, "/")
	xs, ys, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || strings.Contains(ys, "/") {
		return 0, 0, 0, fmt.Errorf("%w: want /tiles/{z}/{x}/{y}.mvt", errTilePath)
	}
	last, ok := strings.CutSuffix(ys, ".mvt")
	if !ok {
		if last, ok = strings.CutSuffix(ys, ".pbf"); !ok {
			return 0, 0, 0, fmt.Errorf("%w: the tile must end in .mvt or .pbf", errTilePath)
		}
	}
	if z, err = decimal(zs, "z"); err != nil {
		return
	}
	if z > maxZoom {
		return 0, 0, 0, fmt.Errorf("%w: z=%d is above %d", errTilePath, z, maxZoom)
	}
	if x, err = decimal(xs, "x"); err != nil {
		return
	}
	if y, err = decimal(last, "y"); err != nil {
		return
	}
	if n := 1 << z; x >= n || y >= n {
		return 0, 0, 0, fmt.Errorf("%w: x and y must be below 2^z = %d at z=%d", errTilePath, n, z)
	}
	return z, x, y, nil
}

// decimal parses a non-negative decimal of at most 10 digits.
func decimal(s, name string) (int, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("%w: %s must be a number of 1 to 10 digits", errTilePath, name)
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %s=%q is not a non-negative integer", errTilePath, name, s)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
