package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/protomaps/go-pmtiles/pmtiles"
	"golang.org/x/sync/errgroup"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/internal/spill"
	"github.com/territoires-industrie/carte/layers"
)

// Memory the build may use for its sorted runs, whatever the data: pieces
// waiting to be written, and cluster cells counted before they are
// written. The rest of its memory is the features in flight and the tiles
// being encoded, a few per worker. Variables, for the tests that make the
// build spill at every turn.
var (
	pieceBufferBytes = 32 << 20 // shared by the workers
	cellBufferCells  = 16 << 10 // per worker, counted in a table
	cellBufferBytes  = 8 << 20  // per worker, cell records waiting to be written
)

const featureBatch = 64 // features handed to a worker at once

// builder holds one build's settings and its temporary files.
type builder struct {
	opts             Options
	layers           []dataset.LayerInfo
	tilings          []LayerTiling
	minZoom, maxZoom int
	workers          int
	pieces           *spill.Spill // tile pieces, by tile
	cells            *spill.Spill // cluster cells, by layer, zoom and cell
	names            interner
	placers          []*placer
}

func newBuilder(m dataset.Manifest, opts Options) (*builder, error) {
	minZoom, maxZoom, err := opts.zoomRange(m.Layers)
	if err != nil {
		return nil, err
	}
	b := &builder{opts: opts, layers: m.Layers, minZoom: minZoom, maxZoom: maxZoom, workers: opts.workers()}
	// The records hold a layer in 16 bits, a feature and a cell column in
	// 32: refuse what would not fit rather than wrap.
	if len(m.Layers) > math.MaxUint16 {
		return nil, fmt.Errorf("tiles: %d layers, at most %d", len(m.Layers), math.MaxUint16)
	}
	for _, l := range m.Layers {
		lt := opts.Layers[l.ID]
		if l.Count >= math.MaxUint32 {
			return nil, fmt.Errorf("tiles: layer %q has %d features, at most %d", l.ID, l.Count, math.MaxUint32-1)
		}
		if lt.ClusterBelow > 0 && (opts.ClusterCell < 1 || (Extent<<min(lt.ClusterBelow, 30))/opts.ClusterCell > math.MaxUint32) {
			return nil, fmt.Errorf("tiles: layer %q: cluster cell of %d units too small for zoom %d", l.ID, opts.ClusterCell, lt.ClusterBelow-1)
		}
		b.tilings = append(b.tilings, lt)
	}
	if b.pieces, err = spill.New(opts.TempDir, pieceKeyLen); err != nil {
		return nil, err
	}
	if b.cells, err = spill.New(opts.TempDir, cellKeyLen); err != nil {
		b.pieces.Close()
		return nil, err
	}
	return b, nil
}

func (b *builder) close() {
	b.pieces.Close()
	b.cells.Close()
}

// placer is one worker's part of the first pass: the pieces of the
// features it was given, its cluster cells and its counts.
type placer struct {
	b       *builder
	pieces  *spill.Writer
	cells   *cellTable
	shown   [][]int // [layer][zoom] features drawn
	labeled [][]int // [layer][zoom] label points drawn
	squares []int   // [layer]
	bound   orb.Bound
	bounded bool
	key     []byte
	value   []byte
}

type scanned struct {
	layer, index int
	f            dataset.Feature
}

// place reads every feature of src and cuts it into the tiles of every
// zoom where it shows, in parallel; features of clustered zooms go to
// their cluster cells instead.
func (b *builder) place(ctx context.Context, src Source) (version string, err error) {
	batches := make(chan []scanned, 2*b.workers)
	g, gctx := errgroup.WithContext(ctx)
	for range b.workers {
		p := &placer{
			b:       b,
			pieces:  b.pieces.Writer(pieceBufferBytes / b.workers),
			cells:   newCellTable(b, b.cells.Writer(cellBufferBytes)),
			squares: make([]int, len(b.layers)),
		}
		for range b.layers {
			p.shown = append(p.shown, make([]int, b.maxZoom+1))
			p.labeled = append(p.labeled, make([]int, b.maxZoom+1))
		}
		b.placers = append(b.placers, p)
		g.Go(func() error {
			for batch := range batches {
				for i := range batch {
					if err := p.place(batch[i].layer, batch[i].index, &batch[i].f); err != nil {
						return err
					}
				}
			}
			if err := p.cells.finish(); err != nil {
				return err
			}
			return p.pieces.Finish()
		})
	}
	var batch []scanned
	send := func() error {
		select {
		case batches <- batch:
			batch = nil
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	}
	version, scanErr := src.Scan(func(layer, index int, f dataset.Feature) error {
		batch = append(batch, scanned{layer, index, f})
		if len(batch) < featureBatch {
			return nil
		}
		return send()
	})
	if scanErr == nil && len(batch) > 0 {
		scanErr = send()
	}
	close(batches)
	if err := g.Wait(); err != nil {
		return "", err
	}
	if scanErr != nil {
		return "", scanErr
	}
	return version, nil
}

// place cuts one feature into its tiles at every zoom of its layer.
func (p *placer) place(li, fi int, f *dataset.Feature) error {
	b := p.b
	lt, info := b.tilings[li], b.layers[li]
	props, err := appendProperties(nil, tileProperties(f, lt.Fields))
	if err != nil {
		return fmt.Errorf("%s: feature %q: %w", info.ID, f.ID, err)
	}
	p.extend(f.Geometry.Bound())
	polygon := info.Geometry == dataset.GeometryPolygon
	var label orb.Point
	if polygon && lt.Labels != nil {
		label = labelPoint(f.Geometry)
	}
	var at places
	if !polygon && lt.ClusterBelow > lt.MinZoom {
		at = p.cells.places(f)
	}
	buffer := float64(b.opts.Buffer)
	for z := lt.MinZoom; z <= lt.MaxZoom; z++ {
		var err error
		drawn := false
		emitter := func(isLabel bool) func(x, y int, g orb.Geometry) {
			return func(x, y int, g orb.Geometry) {
				if err == nil {
					err = p.emit(z, x, y, li, fi, isLabel, g, props)
				}
				drawn = true
			}
		}
		emitFeature := emitter(false)
		if polygon && lt.Labels != nil && z >= lt.Labels.MinZoom && z <= lt.Labels.MaxZoom {
			placePoints(projectPoints(label, z), z, buffer, emitter(true))
			if drawn {
				p.labeled[li][z]++
			}
			drawn = false
		}
		switch {
		case !polygon && lt.ClusterBelow > 0 && z < lt.ClusterBelow:
			err = p.cells.add(li, z, fi, f, at, props)
			drawn = true // in a cluster, or alone in its cell
		case shownFrom(f, lt) > z:
		case polygon:
			mp, square := simplifyPolygons(projectPolygons(f.Geometry, z), b.opts.toleranceAt(z, b.maxZoom))
			if square {
				p.squares[li]++
			}
			cutPolygons(mp, z, buffer, func(x, y int, g orb.MultiPolygon) { emitFeature(x, y, singlePolygon(g)) })
		default:
			placePoints(projectPoints(f.Geometry, z), z, buffer, emitFeature)
		}
		if err != nil {
			return err
		}
		if drawn {
			p.shown[li][z]++
		}
	}
	return nil
}

// emit writes one piece: feature fi of layer li (−1: a cluster) in tile
// z/x/y, sorted by order.
func (p *placer) emit(z, x, y, li, fi int, label bool, g orb.Geometry, props []byte) error {
	return p.emitOrdered(z, x, y, li, fi, fi, label, g, props)
}

func (p *placer) emitOrdered(z, x, y, li, fi, order int, label bool, g orb.Geometry, props []byte) error {
	id := pmtiles.ZxyToID(uint8(z), uint32(x), uint32(y))
	p.key = pieceKey(p.key, id, li, label, order)
	p.value = pieceValue(p.value, fi, g, props)
	return p.pieces.Add(p.key, p.value)
}

func (p *placer) extend(b orb.Bound) {
	if !p.bounded {
		p.bound, p.bounded = b, true
		return
	}
	p.bound = p.bound.Union(b)
}

// tileProperties are the feature's tile fields plus its id.
func tileProperties(f *dataset.Feature, keep []string) geojson.Properties {
	p := make(geojson.Properties, len(f.Properties)+1)
	for k, v := range f.Properties {
		if keep == nil || slices.Contains(keep, k) {
			p[k] = v
		}
	}
	p[PropID] = f.ID
	return p
}

// bound is the WGS84 bound of every feature, clamped to Mercator.
func (b *builder) bound() orb.Bound {
	var out orb.Bound
	first := true
	for _, p := range b.placers {
		if !p.bounded {
			continue
		}
		if first {
			out, first = p.bound, false
		} else {
			out = out.Union(p.bound)
		}
	}
	out.Min[1] = math.Max(out.Min[1], -maxMercatorLat)
	out.Max[1] = math.Min(out.Max[1], maxMercatorLat)
	return out
}

// stats adds up the workers' counts.
func (b *builder) stats() Stats {
	s := Stats{MinZoom: b.minZoom, MaxZoom: b.maxZoom, Shown: map[string]map[int]int{}, Squares: map[string]int{}}
	for li, info := range b.layers {
		lt := b.tilings[li]
		s.Shown[info.ID] = map[int]int{}
		if info.Geometry == dataset.GeometryPolygon && lt.Labels != nil {
			s.Shown[layers.LabelLayer(info.ID)] = map[int]int{}
		}
		for _, p := range b.placers {
			for z := lt.MinZoom; z <= lt.MaxZoom; z++ {
				if n := p.shown[li][z]; n > 0 {
					s.Shown[info.ID][z] += n
				}
				if n := p.labeled[li][z]; n > 0 {
					s.Shown[layers.LabelLayer(info.ID)][z] += n
				}
			}
			if p.squares[li] > 0 {
				s.Squares[info.ID] += p.squares[li]
			}
		}
	}
	return s
}
