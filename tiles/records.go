package tiles

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The build's temporary records. A piece is one feature's part in one
// tile, already in tile units; its key sorts the pieces the way the tile
// lists them: by tile id (the archive's order), then layer, features
// before label points, then feature order.
const pieceKeyLen = 8 + 2 + 1 + 4

func pieceKey(buf []byte, tileID uint64, layer int, label bool, order int) []byte {
	buf = binary.BigEndian.AppendUint64(buf[:0], tileID)
	buf = binary.BigEndian.AppendUint16(buf, uint16(layer))
	l := byte(0)
	if label {
		l = 1
	}
	buf = append(buf, l)
	return binary.BigEndian.AppendUint32(buf, uint32(order))
}

func pieceTile(key []byte) uint64 { return binary.BigEndian.Uint64(key) }

func pieceLayer(key []byte) (layer int, label bool) {
	return int(binary.BigEndian.Uint16(key[8:])), key[10] == 1
}

// pieceValue is a piece's feature index (−1 for a cluster, which has no
// id in the tiles), geometry and properties, the last already encoded by
// appendProperties.
func pieceValue(buf []byte, index int, g orb.Geometry, props []byte) []byte {
	buf = binary.AppendUvarint(buf[:0], uint64(index+1))
	buf = appendGeometry(buf, g)
	return append(buf, props...)
}

func readPiece(value []byte) (index int, g orb.Geometry, props geojson.Properties, err error) {
	r := recordReader{b: value}
	index = int(r.uvarint()) - 1
	g = r.geometry()
	props = r.properties()
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes left over", len(r.b))
	}
	if r.err != nil {
		return 0, nil, nil, fmt.Errorf("tiles: corrupt piece in the build's temporary file: %w", r.err)
	}
	return index, g, props, nil
}

// Geometry kinds of a record.
const (
	recPoint byte = iota + 1
	recMultiPoint
	recPolygon
	recMultiPolygon
)

// appendGeometry writes g, whose coordinates are integers (tile or world
// units, every one rounded by the build), as zigzag varints, each ring's
// points as deltas.
func appendGeometry(buf []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		return appendPoints(append(buf, recPoint), []orb.Point{g}, false)
	case orb.MultiPoint:
		return appendPoints(binary.AppendUvarint(append(buf, recMultiPoint), uint64(len(g))), g, false)
	case orb.Polygon:
		return appendPolygon(append(buf, recPolygon), g)
	case orb.MultiPolygon:
		buf = binary.AppendUvarint(append(buf, recMultiPolygon), uint64(len(g)))
		for _, p := range g {
			buf = appendPolygon(buf, p)
		}
		return buf
	}
	panic(fmt.Sprintf("tiles: no record for geometry %T", g))
}

func appendPolygon(buf []byte, p orb.Polygon) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(p)))
	for _, r := range p {
		buf = binary.AppendUvarint(buf, uint64(len(r)))
		buf = appendPoints(buf, r, true)
	}
	return buf
}

func appendPoints(buf []byte, pts []orb.Point, delta bool) []byte {
	var px, py int64
	for _, p := range pts {
		x, y := int64(p[0]), int64(p[1])
		if float64(x) != p[0] || float64(y) != p[1] {
			panic(fmt.Sprintf("tiles: coordinate %v is not rounded", p))
		}
		buf = binary.AppendVarint(buf, x-px)
		buf = binary.AppendVarint(buf, y-py)
		if delta {
			px, py = x, y
		}
	}
	return buf
}

// Value kinds of an encoded property.
const (
	recString byte = iota + 1
	recInt
	recFloat
	recBool
)

// appendProperties writes a feature's tile properties: the dataset's
// value types (string, int64, float64, bool), keys in sorted order.
func appendProperties(buf []byte, props geojson.Properties) ([]byte, error) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		buf = appendString(buf, k)
		switch v := props[k].(type) {
		case string:
			buf = appendString(append(buf, recString), v)
		case int64:
			buf = binary.AppendVarint(append(buf, recInt), v)
		case float64:
			buf = binary.LittleEndian.AppendUint64(append(buf, recFloat), math.Float64bits(v))
		case bool:
			b := byte(0)
			if v {
				b = 1
			}
			buf = append(buf, recBool, b)
		default:
			return nil, fmt.Errorf("tiles: property %q is a %T, not one of the dataset's types (string, int64, float64, bool)", k, v)
		}
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// recordReader reads what the append functions wrote; the first problem
// sticks in err and every later read returns zero values.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated %s", what)
	}
	r.b = nil
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) byte() byte {
	if len(r.b) == 0 {
		r.fail("byte")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count reads a length and checks that at least min bytes per item
// remain, so that a corrupt length cannot ask for a huge allocation.
func (r *recordReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail("list")
		return 0
	}
	return int(n)
}

func (r *recordReader) string() string {
	n := r.count(1)
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *recordReader) points(n int, delta bool) []orb.Point {
	pts := make([]orb.Point, n)
	var px, py int64
	for i := range pts {
		x, y := r.varint()+px, r.varint()+py
		pts[i] = orb.Point{float64(x), float64(y)}
		if delta {
			px, py = x, y
		}
	}
	return pts
}

func (r *recordReader) polygon() orb.Polygon {
	p := make(orb.Polygon, r.count(1))
	for i := range p {
		p[i] = orb.Ring(r.points(r.count(2), true))
	}
	return p
}

func (r *recordReader) geometry() orb.Geometry {
	switch r.byte() {
	case recPoint:
		return r.points(1, false)[0]
	case recMultiPoint:
		return orb.MultiPoint(r.points(r.count(2), false))
	case recPolygon:
		return r.polygon()
	case recMultiPolygon:
		mp := make(orb.MultiPolygon, r.count(1))
		for i := range mp {
			mp[i] = r.polygon()
		}
		return mp
	}
	r.fail("geometry")
	return orb.Point{}
}

func (r *recordReader) properties() geojson.Properties {
	n := r.count(3)
	props := make(geojson.Properties, n)
	for range n {
		k := r.string()
		switch r.byte() {
		case recString:
			props[k] = r.string()
		case recInt:
			props[k] = r.varint()
		case recFloat:
			if len(r.b) < 8 {
				r.fail("number")
				return props
			}
			props[k] = math.Float64frombits(binary.LittleEndian.Uint64(r.b))
			r.b = r.b[8:]
		case recBool:
			props[k] = r.byte() == 1
		default:
			r.fail("property")
		}
	}
	return props
}
