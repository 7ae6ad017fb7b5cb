package tiles

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"github.com/territoires-industrie/carte/tiles/tilestest"
)

func TestOpeningRefusesCorruptArchives(t *testing.T) {
	good := fixtureArchive(t)
	for name, c := range tilestest.Corruptions(t, good) {
		t.Run(name, func(t *testing.T) {
			for via, open := range map[string]func() (*Reader, error){
				"bytes":  func() (*Reader, error) { return OpenBytes(c.Data) },
				"bucket": func() (*Reader, error) { return NewReader(context.Background(), memBucket{c.Data}, "x") },
			} {
				_, err := open()
				if !errors.Is(err, ErrNotArchive) || !strings.Contains(err.Error(), c.Want) {
					t.Errorf("%s: error %v, want ErrNotArchive saying %q", via, err, c.Want)
				}
			}
		})
	}
}

func TestRemoteArchiveFailuresAreUnavailableAndPass(t *testing.T) {
	good := fixtureArchive(t)
	o := tilestest.NewOrigin(t, good)
	ctx := context.Background()
	r, err := Open(ctx, o.URL+"/a.pmtiles", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(lyon, 8)
	z, x, y := int(tile.Z), int(tile.X), int(tile.Y)
	want, err := r.Tile(ctx, z, x, y)
	if err != nil || len(want) == 0 {
		t.Fatalf("tile over HTTP: %d bytes, %v", len(want), err)
	}
	if mem, _ := OpenBytes(good); !bytes.Equal(want, must(mem.Tile(ctx, z, x, y))) {
		t.Fatal("the remote tile differs from the local one")
	}
	for _, mode := range []string{"500", "close", "hang"} {
		o.Mode.Store(mode)
		rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		_, err := r.Tile(rctx, z, x, y)
		cancel()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: error %v, want ErrUnavailable", mode, err)
		}
		// A hanging origin is left when the caller's deadline passes.
		if mode == "hang" && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("hang: error %v, want the caller's deadline", err)
		}
		pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		if err := r.Probe(pctx); !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: probe says %v", mode, err)
		}
		cancel()
	}
	o.Mode.Store("500")
	if _, err := Open(ctx, o.URL+"/a.pmtiles", 1<<30); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("opening from a failing origin: %v, want ErrUnavailable saying HTTP 500", err)
	}
	o.Mode.Store("ok")
	if err := r.Probe(ctx); err != nil {
		t.Fatalf("probe after recovery: %v", err)
	}
	if got, err := r.Tile(ctx, z, x, y); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after recovery: %d bytes, %v", len(got), err)
	}

	// A new archive at the same URL: the reader must not mix its offsets
	// with the new file; it reports the change until reopened.
	changed := bytes.Clone(good)
	changed = append(changed, make([]byte, 1000)...)
	o.Data.Store(&changed)
	if err := r.Probe(ctx); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "changed") {
		t.Errorf("probe after the archive changed: %v", err)
	}
	if _, err := r.Tile(ctx, z, x, y); !errors.Is(err, ErrUnavailable) {
		t.Errorf("tile after the archive changed: %v", err)
	}
}

func TestRemoteArchiveCorruptionsAreRefusedAtOpen(t *testing.T) {
	good := fixtureArchive(t)
	o := tilestest.NewOrigin(t, good)
	for name, c := range tilestest.Corruptions(t, good) {
		o.Data.Store(&c.Data)
		_, err := Open(context.Background(), o.URL+"/a.pmtiles", 0)
		if !errors.Is(err, ErrNotArchive) || !strings.Contains(err.Error(), c.Want) || !strings.Contains(err.Error(), o.URL+"/a.pmtiles") {
			t.Errorf("%s: error %v, want ErrNotArchive naming the URL and saying %q", name, err, c.Want)
		}
	}
}

func TestRemoteArchiveMustSupportRange(t *testing.T) {
	good := fixtureArchive(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(good) }))
	defer srv.Close()
	_, err := Open(context.Background(), srv.URL+"/a.pmtiles", 0)
	if err == nil || !strings.Contains(err.Error(), "Range") {
		t.Fatalf("error %v, want one saying the origin ignores Range", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestSplitLocation(t *testing.T) {
	for _, tt := range []struct{ location, bucket, key string }{
		{"s3://maps/territoires/v3.pmtiles?region=eu-west-3", "s3://maps?region=eu-west-3", "territoires/v3.pmtiles"},
		{"s3://maps/a.pmtiles?endpoint=https://s3.example.org&region=fr-par&use_path_style=true",
			"s3://maps?endpoint=https://s3.example.org&region=fr-par&use_path_style=true", "a.pmtiles"},
		{"https://cdn.example.org/tiles/a.pmtiles", "https://cdn.example.org/tiles", "a.pmtiles"},
		{"file:///srv/tiles/a.pmtiles", "file:///srv/tiles", "a.pmtiles"},
	} {
		bucket, key, err := splitLocation(tt.location)
		if err != nil || bucket != tt.bucket || key != tt.key {
			t.Errorf("%s: bucket %q key %q (%v), want %q %q", tt.location, bucket, key, err, tt.bucket, tt.key)
		}
	}
	if _, _, err := splitLocation("s3://maps"); err == nil {
		t.Error("s3://maps without a key: no error")
	}
}

// TestOpenLocalFileFromDisk: archives bigger than maxInMemory are read from
// the file, given as a path or a file:// URL.
func TestOpenLocalFileFromDisk(t *testing.T) {
	good := fixtureArchive(t)
	path := filepath.Join(t.TempDir(), "a.pmtiles")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	mem, _ := OpenBytes(good)
	tile := maptile.At(lyon, 8)
	want := must(mem.Tile(context.Background(), int(tile.Z), int(tile.X), int(tile.Y)))
	for _, location := range []string{path, "file://" + path} {
		r, err := Open(context.Background(), location, 0)
		if err != nil {
			t.Fatalf("%s: %v", location, err)
		}
		if got, err := r.Tile(context.Background(), int(tile.Z), int(tile.X), int(tile.Y)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v", location, len(got), err)
		}
		r.Close()
	}
}
