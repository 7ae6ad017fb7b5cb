package tiles

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/paulmach/orb/maptile"
)

// memBucket is an in-memory go-pmtiles bucket holding one archive.
type memBucket struct{ data []byte }

func (b memBucket) Close() error { return nil }

func (b memBucket) NewRangeReader(_ context.Context, _ string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || length < 0 {
		return nil, errors.New("negative range")
	}
	// Like go-pmtiles' file bucket: past the end reads as empty.
	offset = min(offset, int64(len(b.data)))
	end := min(offset+length, int64(len(b.data)))
	return io.NopCloser(bytes.NewReader(b.data[offset:end])), nil
}

func (b memBucket) NewRangeReaderEtag(ctx context.Context, key string, offset, length int64, _ string) (io.ReadCloser, string, int, error) {
	r, err := b.NewRangeReader(ctx, key, offset, length)
	return r, "", 206, err
}

func fixtureArchive(tb testing.TB) []byte {
	tb.Helper()
	archive, _, err := Build(context.Background(), fixtureDataset(), fixtureOptions())
	if err != nil {
		tb.Fatal(err)
	}
	return archive
}

func TestNewReaderRejectsWhatIsNotAnArchive(t *testing.T) {
	good := fixtureArchive(t)
	tests := map[string][]byte{
		"empty":            nil,
		"text":             []byte("hello, this is not an archive"),
		"truncated header": good[:60],
		"wrong version":    append(append(append([]byte{}, good[:7]...), 2), good[8:]...),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewReader(context.Background(), memBucket{data}, "x"); !errors.Is(err, ErrNotArchive) {
				t.Fatalf("error = %v, want ErrNotArchive", err)
			}
			if _, err := OpenBytes(data); !errors.Is(err, ErrNotArchive) {
				t.Fatalf("OpenBytes error = %v, want ErrNotArchive", err)
			}
		})
	}
}

func TestReaderServesTilesFromAnyBucket(t *testing.T) {
	archive := fixtureArchive(t)
	viaBucket, err := NewReader(context.Background(), memBucket{archive}, "x")
	if err != nil {
		t.Fatal(err)
	}
	inMemory, err := OpenBytes(archive)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Reader{"bucket": viaBucket, "bytes": inMemory} {
		t.Run(name, func(t *testing.T) { checkReader(t, r) })
	}
	a, _ := viaBucket.Tile(context.Background(), 8, 132, 90)
	b, _ := inMemory.Tile(context.Background(), 8, 132, 90)
	if !bytes.Equal(a, b) {
		t.Error("the two readers disagree on tile 8/132/90")
	}
}

func checkReader(t *testing.T, r *Reader) {
	tile := maptile.At(lyon, 8)
	b, err := r.Tile(context.Background(), int(tile.Z), int(tile.X), int(tile.Y))
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("tile: %v, %d bytes (want gzip)", err, len(b))
	}
	for _, zxy := range [][3]int{{-1, 0, 0}, {3, 8, 0}, {3, 0, -1}, {31, 0, 0}} {
		if b, err := r.Tile(context.Background(), zxy[0], zxy[1], zxy[2]); b != nil || err != nil {
			t.Errorf("tile %v: %d bytes, %v; want none", zxy, len(b), err)
		}
	}
}

// FuzzReader: any bytes, as an archive, give an error or tiles, never a
// panic (a corrupt or hostile archive on a bucket must not crash a server).
func FuzzReader(f *testing.F) {
	good := fixtureArchive(f)
	f.Add(good, uint8(8), uint32(132), uint32(90))
	f.Add(good[:200], uint8(0), uint32(0), uint32(0))
	f.Fuzz(func(t *testing.T, data []byte, z uint8, x, y uint32) {
		if r, err := NewReader(context.Background(), memBucket{data}, "x"); err == nil {
			_, _ = r.Tile(context.Background(), int(z%32), int(x), int(y))
		}
		if r, err := OpenBytes(data); err == nil {
			_, _ = r.Tile(context.Background(), int(z%32), int(x), int(y))
		}
	})
}
