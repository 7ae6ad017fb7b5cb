package importer

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
)

// checkGeometry applies the rules of the dataset validator to a source
// geometry, so that a bad input is reported against its source file: the
// kind (point or polygon), WGS84 range, closed rings of at least 4 positions
// with a non-zero area.
func checkGeometry(g orb.Geometry, kind string) error {
	switch g := g.(type) {
	case orb.Point:
		if kind != "point" {
			break
		}
		return checkPoint(g)
	case orb.MultiPoint:
		if kind != "point" {
			break
		}
		if len(g) == 0 {
			return fmt.Errorf("%w: empty MultiPoint", ErrGeometry)
		}
		for _, p := range g {
			if err := checkPoint(p); err != nil {
				return err
			}
		}
		return nil
	case orb.Polygon:
		if kind != "polygon" {
			break
		}
		return checkPolygon(g)
	case orb.MultiPolygon:
		if kind != "polygon" {
			break
		}
		if len(g) == 0 {
			return fmt.Errorf("%w: empty MultiPolygon", ErrGeometry)
		}
		for i, p := range g {
			if err := checkPolygon(p); err != nil {
				return fmt.Errorf("polygon %d: %w", i, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s where a %s is expected", ErrGeometry, g.GeoJSONType(), kind)
}

func checkPoint(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("%w: [%v, %v] is not a WGS84 longitude, latitude", ErrGeometry, p[0], p[1])
	}
	return nil
}

func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: polygon without rings", ErrGeometry)
	}
	for i, r := range p {
		for _, pt := range r {
			if err := checkPoint(pt); err != nil {
				return fmt.Errorf("ring %d: %w", i, err)
			}
		}
		switch {
		case len(r) < 4:
			return fmt.Errorf("%w: ring %d has %d positions (at least 4 needed)", ErrGeometry, i, len(r))
		case !r.Closed():
			return fmt.Errorf("%w: ring %d is not closed", ErrGeometry, i)
		case planar.Area(r) == 0:
			return fmt.Errorf("%w: ring %d has zero area", ErrGeometry, i)
		}
	}
	return nil
}

// round6 rounds a coordinate to 6 decimals (about 0.1 m).
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// roundPolygonal rounds every position of a Polygon or MultiPolygon to 6
// decimals and drops the consecutive duplicates that rounding can create. It
// returns an error if a ring no longer passes checkPolygon.
func roundPolygonal(g orb.Geometry) (orb.Geometry, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return roundPolygon(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			rp, err := roundPolygon(p)
			if err != nil {
				return nil, fmt.Errorf("polygon %d: %w", i, err)
			}
			out[i] = rp
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %s is not polygonal", ErrGeometry, g.GeoJSONType())
}

func roundPolygon(p orb.Polygon) (orb.Polygon, error) {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		nr := make(orb.Ring, 0, len(r))
		for _, pt := range r {
			q := orb.Point{round6(pt[0]), round6(pt[1])}
			if len(nr) > 0 && nr[len(nr)-1] == q {
				continue
			}
			nr = append(nr, q)
		}
		out[i] = nr
	}
	return out, checkPolygon(out)
}

// dissolve unions the polygons of several 2018 communes into one Polygon or
// MultiPolygon with simplefeatures (an exact overlay that validates its
// output), rounds the result to 6 decimals and puts it in a canonical form
// (see canonical) so that the output does not depend on the library's
// internal ordering.
func dissolve(parts []orb.Geometry) (orb.Geometry, error) {
	var gs []geom.Geometry
	for _, part := range parts {
		switch g := part.(type) {
		case orb.Polygon:
			gs = append(gs, toSFPolygon(g).AsGeometry())
		case orb.MultiPolygon:
			for _, p := range g {
				gs = append(gs, toSFPolygon(p).AsGeometry())
			}
		default:
			return nil, fmt.Errorf("%w: cannot dissolve a %s", ErrGeometry, part.GeoJSONType())
		}
	}
	u, err := geom.UnionMany(gs)
	if err != nil {
		return nil, fmt.Errorf("%w: union: %v", ErrGeometry, err)
	}
	var mp orb.MultiPolygon
	switch u.Type() {
	case geom.TypePolygon:
		p, _ := u.AsPolygon()
		mp = orb.MultiPolygon{fromSFPolygon(p)}
	case geom.TypeMultiPolygon:
		m, _ := u.AsMultiPolygon()
		for i := 0; i < m.NumPolygons(); i++ {
			mp = append(mp, fromSFPolygon(m.PolygonN(i)))
		}
	default:
		return nil, fmt.Errorf("%w: union gave a %s", ErrGeometry, u.Type())
	}
	rounded, err := roundPolygonal(mp)
	if err != nil {
		return nil, err
	}
	return canonical(rounded.(orb.MultiPolygon)), nil
}

func toSFPolygon(p orb.Polygon) geom.Polygon {
	rings := make([]geom.LineString, len(p))
	for i, r := range p {
		coords := make([]float64, 0, 2*len(r))
		for _, pt := range r {
			coords = append(coords, pt[0], pt[1])
		}
		rings[i] = geom.NewLineString(geom.NewSequence(coords, geom.DimXY))
	}
	return geom.NewPolygon(rings)
}

func fromSFPolygon(p geom.Polygon) orb.Polygon {
	out := make(orb.Polygon, 0, p.NumRings())
	for _, seq := range p.Coordinates() {
		r := make(orb.Ring, seq.Length())
		for i := range r {
			xy := seq.GetXY(i)
			r[i] = orb.Point{xy.X, xy.Y}
		}
		out = append(out, r)
	}
	return out
}

// canonical orders a dissolved geometry: RFC 7946 winding (exterior rings
// counterclockwise, holes clockwise), every ring starting at its smallest
// position (by longitude, then latitude), holes and polygons sorted by that
// first position. A single polygon is returned as a Polygon.
func canonical(mp orb.MultiPolygon) orb.Geometry {
	for _, p := range mp {
		for i := range p {
			want := orb.CCW
			if i > 0 {
				want = orb.CW
			}
			if p[i].Orientation() != want {
				p[i].Reverse()
			}
			p[i] = rotateToMin(p[i])
		}
		holes := p[1:]
		slices.SortFunc(holes, func(a, b orb.Ring) int { return comparePoints(a[0], b[0]) })
	}
	slices.SortFunc(mp, func(a, b orb.Polygon) int { return comparePoints(a[0][0], b[0][0]) })
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

func comparePoints(a, b orb.Point) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// rotateToMin returns the closed ring r started at its smallest position.
func rotateToMin(r orb.Ring) orb.Ring {
	open := r[:len(r)-1]
	m := 0
	for i := range open {
		if comparePoints(open[i], open[m]) < 0 {
			m = i
		}
	}
	out := make(orb.Ring, 0, len(r))
	out = append(out, open[m:]...)
	out = append(out, open[:m]...)
	return append(out, out[0])
}

// area is the planar area (in square degrees) of a Polygon or MultiPolygon,
// holes removed.
func area(g orb.Geometry) float64 { return planar.Area(g) }
