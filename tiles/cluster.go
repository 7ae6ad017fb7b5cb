package tiles

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/internal/spill"
)

// Clustering groups a point layer by grid cell at each zoom below its
// ClusterBelow, never across départements: a cell with one feature shows
// it unchanged; a cell with several shows one point at their mean
// position carrying point_count and the département and region they
// share, so that maps filtered by place keep or hide whole clusters.
//
// A cell is a sum (count, coordinates, first member), so cells add up in
// any order: each worker counts its features in a table of bounded size,
// written out as records when full; the records of a cell are added up
// when the runs are merged. Memory stays flat however many points a layer
// has; the members of a cluster are never held together.

// cellKeyLen: layer, zoom, département, cell column and row.
const cellKeyLen = 2 + 1 + 4 + 4 + 4

type cellKey struct {
	layer, zoom int
	departement uint32 // interned
	cx, cy      uint32
}

func (k cellKey) append(buf []byte) []byte {
	buf = binary.BigEndian.AppendUint16(buf[:0], uint16(k.layer))
	buf = append(buf, byte(k.zoom))
	buf = binary.BigEndian.AppendUint32(buf, k.departement)
	buf = binary.BigEndian.AppendUint32(buf, k.cx)
	return binary.BigEndian.AppendUint32(buf, k.cy)
}

func readCellKey(b []byte) cellKey {
	return cellKey{int(binary.BigEndian.Uint16(b)), int(b[2]), binary.BigEndian.Uint32(b[3:]),
		binary.BigEndian.Uint32(b[7:]), binary.BigEndian.Uint32(b[11:])}
}

// clusterCell is what a cell's members add up to. Coordinates are integers (world
// units, rounded), so their sums are exact in any order.
type clusterCell struct {
	count, sumX, sumY int64
	first             int         // the member that comes first in the layer
	firstPoints       []orb.Point // its points in world units: drawn as they are when alone
	firstProps        []byte
	region            uint32 // interned region of the members, if they share one
	mixed             bool   // the members' regions differ
}

func (c *clusterCell) add(o *clusterCell) {
	c.count += o.count
	c.sumX += o.sumX
	c.sumY += o.sumY
	c.mixed = c.mixed || o.mixed || c.region != o.region
	if o.first < c.first {
		c.first, c.firstPoints, c.firstProps = o.first, o.firstPoints, o.firstProps
	}
}

func (c *clusterCell) append(buf []byte) []byte {
	buf = binary.AppendUvarint(buf[:0], uint64(c.count))
	buf = binary.AppendVarint(buf, c.sumX)
	buf = binary.AppendVarint(buf, c.sumY)
	buf = binary.AppendUvarint(buf, uint64(c.first))
	buf = binary.AppendUvarint(buf, uint64(c.region))
	mixed := byte(0)
	if c.mixed {
		mixed = 1
	}
	buf = append(buf, mixed)
	buf = binary.AppendUvarint(buf, uint64(len(c.firstPoints)))
	buf = appendPoints(buf, c.firstPoints, false)
	return append(buf, c.firstProps...)
}

func readCell(value []byte) (clusterCell, error) {
	r := recordReader{b: value}
	c := clusterCell{count: int64(r.uvarint()), sumX: r.varint(), sumY: r.varint(), first: int(r.uvarint()), region: uint32(r.uvarint())}
	c.mixed = r.byte() == 1
	c.firstPoints = r.points(r.count(2), false)
	if r.err != nil {
		return clusterCell{}, fmt.Errorf("tiles: corrupt cluster cell in the build's temporary file: %w", r.err)
	}
	c.firstProps = bytes.Clone(r.b)
	return c, nil
}

// cellTable is one worker's cells, written out when it holds too many.
type cellTable struct {
	b     *builder
	cells map[cellKey]*clusterCell
	out   *spill.Writer
	key   []byte
	value []byte
}

func newCellTable(b *builder, out *spill.Writer) *cellTable {
	return &cellTable{b: b, cells: map[cellKey]*clusterCell{}, out: out}
}

// places is a clustered feature's département and region, interned once
// for all its zooms.
type places struct{ departement, region uint32 }

func (t *cellTable) places(f *dataset.Feature) places {
	return places{t.b.names.id(f.String("departement")), t.b.names.id(f.String("region"))}
}

// add counts feature fi of layer li in its cell at zoom z.
func (t *cellTable) add(li, z, fi int, f *dataset.Feature, at places, props []byte) error {
	pts := projectPoints(f.Geometry, z)
	p := pts[0] // a MultiPoint clusters by its first point
	size := float64(t.b.opts.ClusterCell)
	k := cellKey{li, z, at.departement, uint32(math.Floor(p[0] / size)), uint32(math.Floor(p[1] / size))}
	o := clusterCell{count: 1, sumX: int64(p[0]), sumY: int64(p[1]), first: fi, firstPoints: pts, firstProps: props, region: at.region}
	if c, ok := t.cells[k]; ok {
		c.add(&o)
		return nil
	}
	t.cells[k] = &o
	if len(t.cells) >= cellBufferCells {
		return t.flush()
	}
	return nil
}

// flush writes every cell of the table to the run buffer and empties it.
func (t *cellTable) flush() error {
	for k, c := range t.cells {
		t.key = k.append(t.key)
		t.value = c.append(t.value)
		if err := t.out.Add(t.key, t.value); err != nil {
			return err
		}
	}
	clear(t.cells)
	return nil
}

// finish writes every cell and lets the table's memory go.
func (t *cellTable) finish() error {
	err := t.flush()
	t.cells = nil
	if err == nil {
		err = t.out.Finish()
	}
	return err
}

// clusters adds up each cell's records from every worker and places the
// result, a cluster point or a lone feature, in its tiles.
func (b *builder) clusters(ctx context.Context) error {
	out := b.pieces.Writer(pieceBufferBytes)
	p := &placer{b: b, pieces: out}
	var (
		current cellKey
		sum     clusterCell
		have    bool
	)
	place := func() error {
		if !have {
			return nil
		}
		return b.placeCell(p, current, &sum)
	}
	n := 0
	err := b.cells.Merge(func(key, value []byte) error {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		k := readCellKey(key)
		c, err := readCell(value)
		if err != nil {
			return err
		}
		if have && k == current {
			sum.add(&c)
			return nil
		}
		if err := place(); err != nil {
			return err
		}
		current, sum, have = k, c, true
		return nil
	})
	if err == nil {
		err = place()
	}
	if err != nil {
		return err
	}
	return out.Finish()
}

// placeCell draws one cell: its lone feature as it is, or a cluster point
// at the members' mean position. Pieces sort by the cell's first member,
// which keeps the cells in the order of the layer.
func (b *builder) placeCell(p *placer, k cellKey, c *clusterCell) error {
	buffer := float64(b.opts.Buffer)
	var err error
	if k.layer >= len(b.layers) {
		return fmt.Errorf("tiles: corrupt cluster cell in the build's temporary file: layer %d", k.layer)
	}
	if c.count == 1 {
		placePoints(c.firstPoints, k.zoom, buffer, func(x, y int, g orb.Geometry) {
			if err == nil {
				err = p.emit(k.zoom, x, y, k.layer, c.first, false, g, c.firstProps)
			}
		})
		return err
	}
	n := float64(c.count)
	center := orb.Point{math.Round(float64(c.sumX) / n), math.Round(float64(c.sumY) / n)}
	props := geojson.Properties{PropCluster: true, PropPointCount: c.count}
	if d := b.names.name(k.departement); d != "" {
		props["departement"] = d
	}
	if r := b.names.name(c.region); r != "" && !c.mixed {
		props["region"] = r
	}
	encoded, err := appendProperties(nil, props)
	if err != nil {
		return err
	}
	placePoints([]orb.Point{center}, k.zoom, buffer, func(x, y int, g orb.Geometry) {
		if err == nil {
			err = p.emitOrdered(k.zoom, x, y, k.layer, -1, c.first, false, g, encoded)
		}
	})
	return err
}

// interner numbers the few strings cells are keyed by (départements,
// regions): a cell record then has a fixed-length key. Numbers depend on
// the order features arrive in, but only equality is read from them.
type interner struct {
	mu    sync.Mutex
	ids   map[string]uint32
	names []string
}

func (n *interner) id(s string) uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if id, ok := n.ids[s]; ok {
		return id
	}
	if n.ids == nil {
		n.ids = map[string]uint32{}
	}
	n.ids[s] = uint32(len(n.names))
	n.names = append(n.names, s)
	return uint32(len(n.names) - 1)
}

func (n *interner) name(id uint32) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if int(id) >= len(n.names) {
		return "" // a corrupt record: no name rather than a crash
	}
	return n.names[id]
}
