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

// boxLowerBound is never more than the great-circle distance from p to any
// point of the lon/lat box [min, max], so a best-first R-tree search that
// uses it returns features in exact distance order. (rtree.BoxDist is
// planar in degrees: a degree of longitude is 30 % shorter than a degree of
// latitude in France, so it orders wrong.)
func boxLowerBound(p orb.Point, min, max [2]float64) float64 {
	// Latitude gap: no path between two latitudes is shorter than the
	// meridian arc between them.
	var dlat float64
	switch {
	case p[1] < min[1]:
		dlat = min[1] - p[1]
	case p[1] > max[1]:
		dlat = p[1] - max[1]
	}
	latBound := dlat * rad * EarthRadius
	if p[0] >= min[0] && p[0] <= max[0] {
		return latBound
	}
	// Longitude gap: distance to the nearest edge meridian's great circle
	// (cross-track distance), a lower bound for any point of the box.
	dlon := math.Min(math.Abs(p[0]-min[0]), math.Abs(p[0]-max[0]))
	dlon = math.Min(dlon, 360-dlon)
	if dlon >= 90 {
		return math.Max(latBound, math.Abs(math.Cos(p[1]*rad))*EarthRadius) // far side: crude but valid
	}
	cross := math.Asin(math.Sin(dlon*rad)*math.Cos(p[1]*rad)) * EarthRadius
	return math.Max(latBound, math.Abs(cross))
}

// boxChord2 is boxLowerBound as a squared chord of the unit sphere, with
// the trigonometry folded away (cosLat is cos of p's latitude): the R-tree
// calls it for every child of every node it opens.
func boxChord2(p orb.Point, cosLat float64, min, max [2]float64) float64 {
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
	// Cross-track angle θ to the meridian: sin θ = sin Δλ · cos φ;
	// chord² = (2 sin(θ/2))² = 2 (1 − cos θ).
	x := math.Sin(math.Min(dlon, 90)*rad) * cosLat
	cross := 2 * (1 - math.Sqrt(1-x*x))
	return math.Max(latChord2, cross)
}

// Distance from p to a feature's geometry, in metres: to the nearest point
// of a (Multi)Point; 0 inside a (Multi)Polygon, else to the nearest point
// of its boundary. The boundary is measured in a local equirectangular
// projection centred on p (error well under 1 % within a few hundred km),
// then the nearest boundary point found there is measured by haversine.
func Distance(p orb.Point, g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Point:
		return Haversine(p, g)
	case orb.MultiPoint:
		d := math.Inf(1)
		for _, q := range g {
			d = math.Min(d, Haversine(p, q))
		}
		return d
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
