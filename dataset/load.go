package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Layer is a layer file, read and validated.
type Layer struct {
	Info     LayerInfo
	Features []Feature
}

// Dataset is every layer of a manifest, in the manifest's order.
type Dataset struct {
	Manifest Manifest
	Layers   []Layer
	// Version identifies the exact bytes read (manifest and layer files):
	// two datasets with the same Version are the same data.
	Version string
}

// Layer returns the layer with the given id.
func (d *Dataset) Layer(id string) (Layer, bool) {
	for _, l := range d.Layers {
		if l.Info.ID == id {
			return l, true
		}
	}
	return Layer{}, false
}

// Load reads and validates the manifest and every layer file of fsys. Ids
// must be unique across layers, so that an id alone finds a feature.
func Load(fsys fs.FS) (*Dataset, error) {
	hash := sha256.New()
	mb, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	hash.Write(mb)
	m, err := ReadManifest(bytes.NewReader(mb))
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Manifest: m}
	owner := map[string]string{} // feature id → layer id
	for _, info := range m.Layers {
		raw, err := fs.ReadFile(fsys, info.File)
		if err != nil {
			return nil, &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: %v", ErrMissingLayerFile, err)}
		}
		hash.Write(raw)
		features, err := decodeLayerBytes(raw, info)
		if err != nil {
			return nil, err
		}
		if len(features) != info.Count {
			return nil, &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: manifest says %d, file has %d", ErrCountMismatch, info.Count, len(features))}
		}
		for _, g := range info.Groups {
			if n := countGroup(g, features); n != g.Count {
				return nil, &ValidationError{File: info.File, Index: -1, Field: g.Field, Err: fmt.Errorf("%w: manifest says %d features of group %q, file has %d", ErrCountMismatch, g.Count, g.Value, n)}
			}
		}
		for i, f := range features {
			if other, dup := owner[f.ID]; dup {
				return nil, &ValidationError{File: info.File, Index: i, ID: f.ID, Field: "id", Err: fmt.Errorf("%w: also in layer %q", ErrID, other)}
			}
			owner[f.ID] = info.ID
		}
		ds.Layers = append(ds.Layers, Layer{Info: info, Features: features})
	}
	ds.Version = hex.EncodeToString(hash.Sum(nil))[:12]
	return ds, nil
}

func decodeLayerBytes(raw []byte, info LayerInfo) ([]Feature, error) {
	var r io.Reader = bytes.NewReader(raw)
	if strings.HasSuffix(info.File, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &ValidationError{File: info.File, Index: -1, Err: fmt.Errorf("%w: not gzip: %v", ErrSyntax, err)}
		}
		defer zr.Close()
		r = zr
	}
	return DecodeLayer(r, info.File, info)
}

// WriteDir writes the manifest and one gzipped file per layer into dir.
// Counts in the manifest are set from the features. Output is deterministic.
func WriteDir(dir string, m Manifest, layers map[string][]Feature) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, info := range m.Layers {
		features := layers[info.ID]
		m.Layers[i].Count = len(features)
		m.Layers[i].Groups = slices.Clone(info.Groups)
		for j, g := range info.Groups {
			m.Layers[i].Groups[j].Count = countGroup(g, features)
		}
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		if err := EncodeLayer(zw, features); err != nil {
			return fmt.Errorf("layer %q: %w", info.ID, err)
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(dir, info.File), buf.Bytes()); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := WriteManifest(&buf, m); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ManifestFile), buf.Bytes())
}

// WriteFileAtomic writes b to path through a temporary file in the same
// folder renamed over it: readers see the old file or the new one, never
// a half-written one.
func WriteFileAtomic(path string, b []byte) error {
	return WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteAtomic is WriteFileAtomic for content written as it is made: write
// streams it (buffered) into the temporary file, which is synced, then
// renamed over path unless write failed.
func WriteAtomic(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	out := bufio.NewWriterSize(tmp, 1<<20)
	err = write(out)
	if err == nil {
		err = out.Flush()
	}
	if err == nil {
		err = tmp.Sync() // on disk before the rename makes it the file
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
