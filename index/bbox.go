package index

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/territoires-industrie/carte/dataset"
)

// MeetsBox says whether g and the closed box share a point, coordinates
// taken as planar longitude, latitude (what a bbox query means).
func MeetsBox(g orb.Geometry, box orb.Bound) bool {
	if !g.Bound().Intersects(box) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return box.Contains(g)
	case orb.MultiPoint:
		return slices.ContainsFunc(g, box.Contains)
	case orb.Polygon:
		return polygonMeetsBox(g, box)
	case orb.MultiPolygon:
		return slices.ContainsFunc(g, func(p orb.Polygon) bool { return polygonMeetsBox(p, box) })
	}
	return true // bounds meet; no other geometry kind in the data
}

// polygonMeetsBox: an edge of the polygon meets the box, or else the box
// lies wholly inside or wholly outside and its centre tells which.
func polygonMeetsBox(p orb.Polygon, box orb.Bound) bool {
	if len(p) == 0 || !p.Bound().Intersects(box) {
		return false
	}
	for _, ring := range p {
		for i := 1; i < len(ring); i++ {
			if segmentMeetsBox(ring[i-1], ring[i], box) {
				return true
			}
		}
	}
	return planar.PolygonContains(p, box.Center())
}

// segmentMeetsBox clips the segment ab to the box (Liang–Barsky).
func segmentMeetsBox(a, b orb.Point, box orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, pq := range [4][2]float64{
		{-dx, a[0] - box.Min[0]}, {dx, box.Max[0] - a[0]},
		{-dy, a[1] - box.Min[1]}, {dy, box.Max[1] - a[1]},
	} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return false
			}
			t0 = max(t0, r)
		} else {
			if r < t0 {
				return false
			}
			t1 = min(t1, r)
		}
	}
	return true
}

// RepresentativePoint is where a list answer places a feature: the point
// itself, the first of a MultiPoint, or for polygons the centroid the data
// gives (centroid_lon, centroid_lat), else the area centroid.
func RepresentativePoint(f *dataset.Feature) orb.Point {
	switch g := f.Geometry.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		return g[0]
	}
	lon, okLon := f.Properties["centroid_lon"].(float64)
	lat, okLat := f.Properties["centroid_lat"].(float64)
	if okLon && okLat {
		return orb.Point{lon, lat}
	}
	c, _ := planar.CentroidArea(f.Geometry)
	return c
}
