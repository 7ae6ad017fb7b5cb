package tiles_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/tiles"
)

func shoelace(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

// TestScratchOrientation: WINDING_DATA=dir (default embedded), WINDING_OUT=file.pmtiles
func TestScratchOrientation(t *testing.T) {
	out := os.Getenv("WINDING_OUT")
	if out == "" {
		t.Skip()
	}
	var ds *dataset.Dataset
	var err error
	if d := os.Getenv("WINDING_DATA"); d != "" {
		ds, err = dataset.Load(os.DirFS(d))
	} else {
		ds, err = dataset.Load(data.FS)
	}
	if err != nil {
		t.Fatal(err)
	}
	// source orientation (lon/lat) as the builder receives it
	for _, l := range ds.Layers {
		ccw, cw, hccw, hcw := 0, 0, 0, 0
		for _, f := range l.Features {
			var mp orb.MultiPolygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				mp = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				mp = g
			default:
				continue
			}
			for _, p := range mp {
				for i, r := range p {
					o := r.Orientation()
					switch {
					case i == 0 && o == orb.CCW:
						ccw++
					case i == 0:
						cw++
					case o == orb.CCW:
						hccw++
					default:
						hcw++
					}
				}
			}
		}
		if ccw+cw > 0 {
			fmt.Printf("input %-13s exteriors CCW %6d CW %6d | holes CCW %4d CW %4d\n", l.Info.ID, ccw, cw, hccw, hcw)
		}
	}
	archive, stats, err := tiles.Build(context.Background(), ds, tiles.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("data version %s, archive %d bytes, %d tiles\n", ds.Version, stats.Bytes, stats.Tiles)
	if err := os.WriteFile(out, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	header, err := pmtiles.DeserializeHeader(archive[:127])
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(off, n uint64) ([]byte, error) { return archive[off : off+n], nil }
	type counts struct{ tiles, feats, ring0pos, ring0neg, extpos, holeneg, holeOutside int }
	per := map[string]*counts{}
	var firstErr error
	err = pmtiles.IterateEntries(header, fetch, func(e pmtiles.EntryV3) {
		b := archive[header.TileDataOffset+e.Offset : header.TileDataOffset+e.Offset+uint64(e.Length)]
		layers, err := mvt.UnmarshalGzipped(b)
		if err != nil {
			firstErr = err
			return
		}
		for _, l := range layers {
			c := per[l.Name]
			if c == nil {
				c = &counts{}
				per[l.Name] = c
			}
			c.tiles++
			for _, f := range l.Features {
				var rings []orb.Ring
				switch g := f.Geometry.(type) {
				case orb.Polygon:
					rings = g
				case orb.MultiPolygon:
					for _, p := range g {
						rings = append(rings, p...)
					}
				default:
					continue
				}
				c.feats++
				var ext orb.Ring
				for i, r := range rings {
					a := shoelace(r) // tile coordinates, y down: > 0 is clockwise on screen
					if i == 0 {
						if a > 0 {
							c.ring0pos++
						} else {
							c.ring0neg++
						}
					}
					if a > 0 {
						c.extpos++
						ext = r
					} else {
						c.holeneg++
						if ext != nil && !ext.Bound().Pad(0).Contains(r.Bound().Min) {
							c.holeOutside++
						}
					}
				}
			}
		}
	})
	if err != nil || firstErr != nil {
		t.Fatal(err, firstErr)
	}
	names := make([]string, 0, len(per))
	for n := range per {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := per[n]
		if c.feats == 0 {
			continue
		}
		fmt.Printf("tiles %-13s %6d tiles %8d polygon features: first ring +%d/-%d; rings +%d (exterior) -%d (hole), holes outside the preceding exterior's bound %d\n", n, c.tiles, c.feats, c.ring0pos, c.ring0neg, c.extpos, c.holeneg, c.holeOutside)
	}
}
