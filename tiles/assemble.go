package tiles

import (
	"bytes"
	"context"
	"fmt"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/protomaps/go-pmtiles/pmtiles"
	"golang.org/x/sync/errgroup"

	"github.com/territoires-industrie/carte/layers"
)

// tileJob is one tile's pieces, in order, to encode.
type tileJob struct {
	id     uint64
	keys   [][]byte // layer and label of each piece (pieceLayer)
	values [][]byte
	data   []byte
	err    error
	done   chan struct{}
}

// assemble merges the sorted pieces into tiles, encodes them in parallel
// and hands them to the archive in tile-id order. At most a few tiles per
// worker are in memory at once.
func (b *builder) assemble(ctx context.Context, archive *archiveWriter) error {
	jobs := make(chan *tileJob, b.workers)
	ordered := make(chan *tileJob, 2*b.workers)
	g, gctx := errgroup.WithContext(ctx)
	for range b.workers {
		g.Go(func() error {
			for j := range jobs {
				j.data, j.err = b.encodeTile(j)
				close(j.done)
			}
			return nil
		})
	}
	g.Go(func() error { // the writer, in the order the tiles were merged
		for j := range ordered {
			<-j.done
			if j.err != nil {
				z, x, y := pmtiles.IDToZxy(j.id)
				return fmt.Errorf("tiles: tile %d/%d/%d: %w", z, x, y, j.err)
			}
			if err := archive.add(j.id, j.data); err != nil {
				return err
			}
		}
		return nil
	})

	var current *tileJob
	send := func() error {
		if current == nil {
			return nil
		}
		select {
		case ordered <- current:
		case <-gctx.Done():
			return gctx.Err()
		}
		jobs <- current // a worker is always free to take it: the writer waits for it
		current = nil
		return nil
	}
	err := b.pieces.Merge(func(key, value []byte) error {
		if id := pieceTile(key); current == nil || id != current.id {
			if err := send(); err != nil {
				return err
			}
			current = &tileJob{id: id, done: make(chan struct{})}
		}
		current.keys = append(current.keys, bytes.Clone(key))
		current.values = append(current.values, bytes.Clone(value))
		return nil
	})
	if err == nil {
		err = send()
	}
	close(jobs)
	close(ordered)
	if werr := g.Wait(); werr != nil {
		return werr
	}
	return err
}

// encodeTile turns one tile's pieces, sorted, into a gzipped MVT.
func (b *builder) encodeTile(j *tileJob) ([]byte, error) {
	var tileLayers mvt.Layers
	for i, key := range j.keys {
		li, label := pieceLayer(key)
		if li >= len(b.layers) {
			return nil, fmt.Errorf("corrupt piece in the build's temporary file: layer %d", li)
		}
		name := b.layers[li].ID
		if label {
			name = layers.LabelLayer(name)
		}
		if len(tileLayers) == 0 || tileLayers[len(tileLayers)-1].Name != name {
			tileLayers = append(tileLayers, &mvt.Layer{Name: name, Version: 2, Extent: Extent})
		}
		index, geom, props, err := readPiece(j.values[i])
		if err != nil {
			return nil, err
		}
		f := geojson.NewFeature(geom)
		f.Properties = props
		if index >= 0 {
			f.ID = uint64(index) + 1 // numeric id for MapLibre feature-state
		}
		l := tileLayers[len(tileLayers)-1]
		l.Features = append(l.Features, f)
	}
	raw, err := mvt.Marshal(tileLayers)
	if err != nil {
		return nil, err
	}
	return gzipBytes(raw)
}
