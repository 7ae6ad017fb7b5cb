package tiles

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/territoires-industrie/carte/dataset"
)

// labelPoint is where a polygon's name is drawn: the pole of
// inaccessibility of its largest part, the inside point farthest from the
// outline (Garcia-Castellanos and Lombardo's grid search, as Mapbox's
// polylabel does it). A centroid can fall outside a crescent or a
// U-shaped territory; this point never does. Written here because no Go
// module of the registries we use provides it; the algorithm is short.
//
// The search runs in longitude and latitude with longitudes scaled by the
// cosine of the part's middle latitude, so that distances are roughly
// isotropic; precision is a thousandth of the part's larger side.
func labelPoint(g orb.Geometry) orb.Point {
	var part orb.Polygon
	best := -1.0
	for _, p := range dataset.Polygons(g) {
		if a := math.Abs(planar.Area(p)); a > best {
			part, best = p, a
		}
	}
	if len(part) == 0 || len(part[0]) == 0 {
		return orb.Point{}
	}
	b := part.Bound()
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	scaled := make(orb.Polygon, len(part))
	for i, r := range part {
		scaled[i] = make(orb.Ring, len(r))
		for j, p := range r {
			scaled[i][j] = orb.Point{p[0] * k, p[1]}
		}
	}
	p := poleOfInaccessibility(scaled, math.Max((b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1])/1000)
	return orb.Point{p[0] / k, p[1]}
}

// poleOfInaccessibility searches square cells, most promising first (a
// cell's promise is its centre's distance to the outline plus its half
// diagonal), splitting those that could still beat the best point found
// by more than precision.
func poleOfInaccessibility(poly orb.Polygon, precision float64) orb.Point {
	b := poly.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Min(w, h)
	if size == 0 || precision <= 0 {
		return b.Min
	}
	var cells cellQueue
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			heap.Push(&cells, newCell(orb.Point{x + size/2, y + size/2}, size/2, poly))
		}
	}
	// Start from the centroid (or the box's centre if that is better).
	c, _ := planar.CentroidArea(poly)
	best := newCell(c, 0, poly)
	if box := newCell(b.Center(), 0, poly); box.d > best.d {
		best = box
	}
	for cells.Len() > 0 {
		cell := heap.Pop(&cells).(cell)
		if cell.d > best.d {
			best = cell
		}
		if cell.max-best.d <= precision {
			continue
		}
		half := cell.half / 2
		for _, d := range [4][2]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
			heap.Push(&cells, newCell(orb.Point{cell.c[0] + d[0]*half, cell.c[1] + d[1]*half}, half, poly))
		}
	}
	return best.c
}

type cell struct {
	c    orb.Point
	half float64 // half the side
	d    float64 // signed distance from c to the outline, positive inside
	max  float64 // the largest distance a point of the cell can have
}

func newCell(c orb.Point, half float64, poly orb.Polygon) cell {
	d := signedDistance(c, poly)
	return cell{c: c, half: half, d: d, max: d + half*math.Sqrt2}
}

// signedDistance is the distance from p to the polygon's rings, positive
// inside the polygon (even-odd rule: holes are outside).
func signedDistance(p orb.Point, poly orb.Polygon) float64 {
	inside := false
	minSq := math.Inf(1)
	for _, r := range poly {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			minSq = math.Min(minSq, segmentDistanceSq(p, a, b))
		}
	}
	d := math.Sqrt(minSq)
	if inside {
		return d
	}
	return -d
}

func segmentDistanceSq(p, a, b orb.Point) float64 {
	x, y := a[0], a[1]
	dx, dy := b[0]-x, b[1]-y
	if dx != 0 || dy != 0 {
		t := ((p[0]-x)*dx + (p[1]-y)*dy) / (dx*dx + dy*dy)
		if t > 1 {
			x, y = b[0], b[1]
		} else if t > 0 {
			x, y = x+dx*t, y+dy*t
		}
	}
	dx, dy = p[0]-x, p[1]-y
	return dx*dx + dy*dy
}

// cellQueue is a max-heap of cells by promise.
type cellQueue []cell

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(cell)) }
func (q *cellQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
