package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"strings"

	"github.com/territoires-industrie/carte/internal/spill"
)

// Stream is a dataset read one feature at a time, for a program that needs
// each feature once and must not hold them all (the tile build): its
// memory does not grow with the layers. To check that ids are unique it
// sorts their hashes on disk.
type Stream struct {
	fsys     fs.FS
	raw      []byte // the manifest file, for the version
	manifest Manifest
	// TempDir holds Scan's temporary file ("": the system's).
	TempDir string
}

// OpenStream reads and validates the manifest of fsys; Scan reads the
// layers.
func OpenStream(fsys fs.FS) (*Stream, error) {
	mb, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	m, err := ReadManifest(bytes.NewReader(mb))
	if err != nil {
		return nil, err
	}
	return &Stream{fsys: fsys, raw: mb, manifest: m}, nil
}

// Manifest is the dataset's manifest, read and validated by OpenStream.
func (s *Stream) Manifest() Manifest { return s.manifest }

// Scan reads every layer in the manifest's order and hands each feature to
// fn, with its layer's position in the manifest and its index in the file.
// It checks what Load checks (each feature, the counts and group counts,
// ids unique across the dataset), ids only once every layer has been read:
// the caller must discard what fn did when Scan fails. Data with one fault
// fails as Load fails; with several, the one reported may differ (a
// repeated id is reported after every other fault). It returns the
// data version, the same as Load's for the same files.
func (s *Stream) Scan(fn func(layer, index int, f Feature) error) (version string, err error) {
	sum := sha256.New()
	sum.Write(s.raw)
	ids, err := spill.New(s.TempDir, 8)
	if err != nil {
		return "", err
	}
	defer ids.Close()
	hashes := ids.Writer(idBufferBytes)
	key := make([]byte, 8) // Add copies it
	for li, info := range s.manifest.Layers {
		n, groups := 0, make([]int, len(info.Groups))
		err := s.scanFile(info, sum, func(index int, f Feature) error {
			n++
			for gi, g := range info.Groups {
				if g.has(&f) {
					groups[gi]++
				}
			}
			binary.BigEndian.PutUint64(key, hashID(f.ID))
			if err := hashes.Add(key, nil); err != nil {
				return err
			}
			return fn(li, index, f)
		})
		if err != nil {
			return "", err
		}
		if n != info.Count {
			return "", &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: manifest says %d, file has %d", ErrCountMismatch, info.Count, n)}
		}
		for gi, g := range info.Groups {
			if groups[gi] != g.Count {
				return "", &ValidationError{File: info.File, Index: -1, Field: g.Field, Err: fmt.Errorf("%w: manifest says %d features of group %q, file has %d", ErrCountMismatch, g.Count, g.Value, groups[gi])}
			}
		}
	}
	if err := hashes.Finish(); err != nil {
		return "", err
	}
	repeated, err := repeatedHashes(ids)
	if err != nil {
		return "", err
	}
	if len(repeated) > 0 {
		if err := s.findDuplicate(repeated); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(sum.Sum(nil))[:12], nil
}

// scanFile streams one layer file, every byte of it through sum.
func (s *Stream) scanFile(info LayerInfo, sum io.Writer, fn func(index int, f Feature) error) error {
	f, err := s.fsys.Open(info.File)
	if err != nil {
		return &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: %v", ErrMissingLayerFile, err)}
	}
	defer f.Close()
	raw := io.TeeReader(f, sum)
	var r io.Reader = raw
	if strings.HasSuffix(info.File, ".gz") {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: not gzip: %v", ErrSyntax, err)}
		}
		defer zr.Close()
		r = zr
	}
	if err := ScanLayer(r, info.File, info, fn); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, raw) // the version covers the whole file, as Load's
	return err
}

// findDuplicate reads the dataset again for the ids whose hash came back
// more than once, and reports the first id used twice as Load does; a
// hash shared by two different ids is no error.
func (s *Stream) findDuplicate(repeated map[uint64]bool) error {
	type place struct{ layer, index int }
	seen := map[string]place{}
	for li, info := range s.manifest.Layers {
		err := s.scanFile(info, io.Discard, func(index int, f Feature) error {
			if !repeated[hashID(f.ID)] {
				return nil
			}
			first, dup := seen[f.ID]
			if !dup {
				seen[f.ID] = place{li, index}
				return nil
			}
			err := fmt.Errorf("%w: also in layer %q", ErrID, s.manifest.Layers[first.layer].ID)
			if first.layer == li {
				err = fmt.Errorf("%w: also used by feature %d", ErrID, first.index)
			}
			return &ValidationError{File: info.File, Index: index, ID: f.ID, Field: "id", Err: err}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// idBufferBytes is the memory the id hashes may take before they are
// sorted to disk.
const idBufferBytes = 4 << 20

func hashID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// repeatedHashes reads the sorted hashes back and returns those seen more
// than once (the first thousand: enough to find a duplicate id).
func repeatedHashes(ids *spill.Spill) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	var last []byte
	err := ids.Merge(func(key, _ []byte) error {
		if bytes.Equal(key, last) && len(out) < 1000 {
			out[binary.BigEndian.Uint64(key)] = true
		}
		last = append(last[:0], key...)
		return nil
	})
	return out, err
}
