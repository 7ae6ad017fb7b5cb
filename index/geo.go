package index

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// EarthRadius is the mean Earth radius in metres (IUGG), the sphere on
// which distances are computed.
const EarthRadius = 6371008.8

const rad = math.Pi / 180

// Haversine is the great-circle distance in metres between two WGS84
// positions, on the mean sphere (within 0.5 % of the ellipsoid).
func Haversine(a, b orb.Point) float64 {
	lat1, lat2 := a[1]*rad, b[1]*rad
	dlat := lat2 - lat1
	dlon := (b[0] - a[0]) * rad
	h := sin2(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*sin2(dlon/2)
	return 2 * EarthRadius * math.Asin(math.Sqrt(math.Min(1, h)))
}

func sin2(x float64) float64 { s := math.Sin(x); return s * s }

// pointMetres is the great-circle distance in metres between the points
// of unit vectors q and u: the same as Haversine's but for the last bits
// (well under a nanometre).
func pointMetres(q, u [3]float64) float64 { return chordMetres(chordTo(q, u)) }

// boxChord2 is never more than the squared chord (on the unit sphere)
// between p and any point of the lon/lat box [min, max], so a best-first
// R-tree search that uses it returns features in exact distance order.
// (rtree.BoxDist is planar in degrees: a degree of longitude is 30 %
// shorter than a degree of latitude in France, so it orders wrong.) The
// R-tree calls it for every child of every node it opens, hence chords
// rather than metres: no inverse trigonometry. cosLat is cos of p's
// latitude.
func boxChord2(p orb.Point, cosLat float64, min, max [2]float64) float64 {
	// Latitude gap: no path between two latitudes is shorter than the
	// meridian arc between them.
	var dlat float64
	switch {
	case p[1] < min[1]:
		dlat = min[1] - p[1]
	case p[1] > max[1]:
		dlat = p[1] - max[1]
	}
	latChord2 := 2 * (1 - math.Cos(dlat*rad)) // (2 sin(Δφ/2))²
	if p[0] >= min[0] && p[0] <= max[0] {
		return latChord2
	}
	dlon := math.Min(math.Abs(p[0]-min[0]), math.Abs(p[0]-max[0]))
	dlon = math.Min(dlon, 360-dlon)
	// Longitude gap: the cross-track angle θ to the nearest edge meridian
	// bounds every point beyond it: sin θ = sin Δλ · cos φ (past 90°, the
	// nearest point of the half meridian is a pole: θ = 90° − |φ|);
	// chord² = (2 sin(θ/2))² = 2 (1 − cos θ).
	x := math.Sin(math.Min(dlon, 90)*rad) * cosLat
	cross := 2 * (1 - math.Sqrt(1-x*x))
	return math.Max(latChord2, cross)
}

// Distance from p to a feature's geometry, in metres: to the nearest point
// of a (Multi)Point; 0 inside a (Multi)Polygon, else to the nearest point
// of its boundary. A point is measured through the chord between unit
// vectors (pointMetres), the very numbers the index ranks points by, so
// that it can give the distance of a hit without measuring it again. The
// boundary is measured in a local equirectangular projection centred on p
// (error well under 1 % within a few hundred km), then the nearest
// boundary point found there is measured by haversine.
func Distance(p orb.Point, g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Point:
		return pointMetres(unitVector(p), unitVector(g))
	case orb.MultiPoint:
		q, c2 := unitVector(p), math.Inf(1)
		for _, m := range g {
			c2 = math.Min(c2, chordTo(q, unitVector(m)))
		}
		return chordMetres(c2)
	case orb.Polygon:
		if planar.PolygonContains(g, p) {
			return 0
		}
		return boundaryDistance(p, []orb.Polygon{g})
	case orb.MultiPolygon:
		if planar.MultiPolygonContains(g, p) {
			return 0
		}
		return boundaryDistance(p, g)
	}
	return math.Inf(1)
}

// distance is Distance for feature fi, with its prepared shape when it
// has one.
func (l *layerIndex) distance(p orb.Point, fi int32) float64 {
	s := l.shapes[fi]
	if s == nil {
		return Distance(p, l.features[fi].Geometry)
	}
	if s.contains(p) {
		return 0
	}
	return boundaryDistance(p, polygonsOf(l.features[fi].Geometry))
}

func boundaryDistance(p orb.Point, polys []orb.Polygon) float64 {
	kx := math.Cos(p[1] * rad) // metres per degree of longitude, relative to latitude
	best, bestD2 := orb.Point{}, math.Inf(1)
	for _, poly := range polys {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				a, b := ring[i], ring[i+1]
				ax, ay := (a[0]-p[0])*kx, a[1]-p[1]
				bx, by := (b[0]-p[0])*kx, b[1]-p[1]
				dx, dy := bx-ax, by-ay
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
				}
				cx, cy := ax+t*dx, ay+t*dy
				if d2 := cx*cx + cy*cy; d2 < bestD2 {
					bestD2 = d2
					best = orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
				}
			}
		}
	}
	return Haversine(p, best)
}
