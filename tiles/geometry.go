package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
	"github.com/territoires-industrie/carte/dataset"
)

// maxMercatorLat is where Web Mercator stops (the square world).
const maxMercatorLat = 85.05112878

// worldPoint projects a WGS84 position to Web Mercator "world" units at
// zoom z: the world is Extent·2^z units wide, origin top-left, y down.
func worldPoint(p orb.Point, z int) orb.Point {
	scale := float64(Extent) * math.Exp2(float64(z))
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	x := (p[0] + 180) / 360 * scale
	sin := math.Sin(lat * math.Pi / 180)
	y := (0.5 - math.Log((1+sin)/(1-sin))/(4*math.Pi)) * scale
	return orb.Point{x, y}
}

// projectPolygons returns the polygons of g in world units at zoom z, as a
// fresh MultiPolygon (simplification works in place, the source must not
// change).
func projectPolygons(g orb.Geometry, z int) orb.MultiPolygon {
	polys := dataset.Polygons(g)
	out := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		np := make(orb.Polygon, 0, len(p))
		for _, r := range p {
			nr := make(orb.Ring, len(r))
			for i, pt := range r {
				nr[i] = worldPoint(pt, z)
			}
			np = append(np, nr)
		}
		out = append(out, np)
	}
	return out
}

// projectPoints returns the points of g in world units at zoom z, rounded.
func projectPoints(g orb.Geometry, z int) []orb.Point {
	var pts []orb.Point
	switch g := g.(type) {
	case orb.Point:
		pts = []orb.Point{g}
	case orb.MultiPoint:
		pts = g
	}
	out := make([]orb.Point, len(pts))
	for i, p := range pts {
		w := worldPoint(p, z)
		out[i] = orb.Point{math.Round(w[0]), math.Round(w[1])}
	}
	return out
}

// simplifyPolygons simplifies in world units and snaps to the integer grid.
// If the shape collapses (a commune smaller than a unit or two), it falls
// back to the unsimplified shape, then to the smallest square of the grid
// that covers it, so that no feature vanishes at a zoom where its layer is
// shown. fallback reports that the square was used.
func simplifyPolygons(mp orb.MultiPolygon, tolerance float64) (out orb.MultiPolygon, fallback bool) {
	original := mp.Clone()
	if tolerance > 0 {
		if s, ok := simplify.DouglasPeucker(tolerance).Simplify(mp.Clone()).(orb.MultiPolygon); ok {
			if out = snapPolygons(s, 0, 0); len(out) > 0 {
				return out, false
			}
		}
	}
	if out = snapPolygons(original, 0, 0); len(out) > 0 {
		return out, false
	}
	b := original.Bound()
	minX, minY := math.Floor(b.Min[0]), math.Floor(b.Min[1])
	maxX, maxY := math.Max(math.Ceil(b.Max[0]), minX+1), math.Max(math.Ceil(b.Max[1]), minY+1)
	square := orb.Ring{{minX, minY}, {maxX, minY}, {maxX, maxY}, {minX, maxY}, {minX, minY}}
	return orb.MultiPolygon{{square}}, true
}

// snapPolygons translates by (-dx, -dy), rounds to integers, removes
// repeated positions and drops rings that no longer enclose any area. An
// outer ring that collapses takes its holes with it. Rings are oriented as
// MVT v2 wants: exterior rings positive area in y-down coordinates.
func snapPolygons(mp orb.MultiPolygon, dx, dy float64) orb.MultiPolygon {
	out := mp[:0:0]
	for _, p := range mp {
		var np orb.Polygon
		for i, r := range p {
			sr := snapRing(r, dx, dy)
			if sr == nil {
				if i == 0 {
					break
				}
				continue
			}
			area := signedArea(sr)
			if (i == 0) != (area > 0) {
				sr.Reverse()
			}
			np = append(np, sr)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out
}

func snapRing(r orb.Ring, dx, dy float64) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		q := orb.Point{math.Round(p[0] - dx), math.Round(p[1] - dy)}
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if len(out) < 4 || signedArea(out) == 0 {
		return nil
	}
	return out
}

// signedArea is twice the shoelace area: positive for rings that turn
// clockwise on screen (y down).
func signedArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

// tileBound is the buffered square of tiles x0..x1, y0..y1 in world units.
func tileBound(x0, y0, x1, y1 int, buffer float64) orb.Bound {
	return orb.Bound{
		Min: orb.Point{float64(x0*Extent) - buffer, float64(y0*Extent) - buffer},
		Max: orb.Point{float64((x1+1)*Extent) + buffer, float64((y1+1)*Extent) + buffer},
	}
}

// tileRange is the range of tiles at zoom z whose buffered square meets b.
func tileRange(b orb.Bound, z int, buffer float64) (x0, y0, x1, y1 int) {
	n := 1 << z
	clamp := func(v int) int { return max(0, min(n-1, v)) }
	x0 = clamp(int(math.Floor((b.Min[0] - buffer) / Extent)))
	y0 = clamp(int(math.Floor((b.Min[1] - buffer) / Extent)))
	x1 = clamp(int(math.Floor((b.Max[0] + buffer) / Extent)))
	y1 = clamp(int(math.Floor((b.Max[1] + buffer) / Extent)))
	return
}

// cutPolygons splits mp (world units at zoom z) into tiles, calling emit
// with tile-local geometry for each tile it reaches. It halves the tile
// range along its longer side and clips to each half, so every clip only
// sees what is left of the geometry.
func cutPolygons(mp orb.MultiPolygon, z int, buffer float64, emit func(x, y int, g orb.MultiPolygon)) {
	x0, y0, x1, y1 := tileRange(mp.Bound(), z, buffer)
	cutRange(mp, x0, y0, x1, y1, buffer, emit)
}

func cutRange(mp orb.MultiPolygon, x0, y0, x1, y1 int, buffer float64, emit func(x, y int, g orb.MultiPolygon)) {
	if len(mp) == 0 {
		return
	}
	if x0 == x1 && y0 == y1 {
		if local := snapPolygons(clipTo(mp, tileBound(x0, y0, x1, y1, buffer)), float64(x0*Extent), float64(y0*Extent)); len(local) > 0 {
			emit(x0, y0, local)
		}
		return
	}
	if x1-x0 >= y1-y0 {
		mid := (x0 + x1) / 2
		cutRange(clipTo(mp, tileBound(x0, y0, mid, y1, buffer)), x0, y0, mid, y1, buffer, emit)
		cutRange(clipTo(mp, tileBound(mid+1, y0, x1, y1, buffer)), mid+1, y0, x1, y1, buffer, emit)
		return
	}
	mid := (y0 + y1) / 2
	cutRange(clipTo(mp, tileBound(x0, y0, x1, mid, buffer)), x0, y0, x1, mid, buffer, emit)
	cutRange(clipTo(mp, tileBound(x0, mid+1, x1, y1, buffer)), x0, mid+1, x1, y1, buffer, emit)
}

// clipTo clips to b, skipping the work when mp already lies inside.
func clipTo(mp orb.MultiPolygon, b orb.Bound) orb.MultiPolygon {
	mb := mp.Bound()
	if !mb.Intersects(b) {
		return nil
	}
	if b.Contains(mb.Min) && b.Contains(mb.Max) {
		return mp
	}
	out := clip.MultiPolygon(b, mp.Clone())
	// Sutherland-Hodgman can leave rings with no area along the clip edge.
	kept := out[:0]
	for _, p := range out {
		if len(p) > 0 && len(p[0]) >= 4 {
			kept = append(kept, p)
		}
	}
	return kept
}
