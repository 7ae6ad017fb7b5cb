package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// ErrNotArchive is returned when the bytes read are not a PMTiles v3
// archive of gzipped or uncompressed vector tiles.
var ErrNotArchive = errors.New("tiles: not a PMTiles v3 vector tile archive")

// ErrUnavailable wraps failures to read the archive's storage: network
// errors, timeouts, HTTP errors from the origin, a file changed since it
// was opened. Unlike a corrupt archive they may pass: retry later.
var ErrUnavailable = errors.New("tiles: archive storage unavailable")

// Reader reads tiles from a PMTiles archive in any go-pmtiles bucket: a
// local file, http(s):// with range requests, or a cloud bucket. Directories
// are read once and kept: they are small and every tile needs them.
type Reader struct {
	bucket   pmtiles.Bucket // nil when the archive is in memory
	data     []byte         // the whole archive, when in memory
	key      string
	etag     string // of the archive when opened, if the storage gives one
	raw      []byte // the header as stored, to check that it did not change
	Header   pmtiles.HeaderV3
	Metadata []byte // the JSON metadata, decompressed
	root     []pmtiles.EntryV3
	leaves   sync.Map // leaf offset → []pmtiles.EntryV3
}

// OpenArchive opens a local path or a bucket URL (file://, http(s)://,
// s3://…; see go-pmtiles) and checks the header.
func OpenArchive(ctx context.Context, location string) (*Reader, error) {
	bucketURL, key, err := splitLocation(location)
	if err != nil {
		return nil, fmt.Errorf("tiles: %s: %w", location, err)
	}
	var bucket pmtiles.Bucket
	if strings.HasPrefix(bucketURL, "http://") || strings.HasPrefix(bucketURL, "https://") {
		bucket = newHTTPBucket(bucketURL)
	} else if bucket, err = pmtiles.OpenBucket(ctx, bucketURL, ""); err != nil {
		return nil, fmt.Errorf("tiles: %s: %w", location, err)
	}
	r, err := NewReader(ctx, bucket, key)
	if err != nil {
		bucket.Close()
		return nil, fmt.Errorf("%s: %w", location, err)
	}
	return r, nil
}

// splitLocation splits an archive location into a bucket URL and a key.
// go-pmtiles does it for paths and http(s)://; it would take file:// and
// s3://bucket/key URLs for relative paths, so those are split here: for
// cloud URLs, the bucket and the query (region, endpoint…) make the bucket
// URL, the path is the key.
func splitLocation(location string) (bucketURL, key string, err error) {
	if path, ok := localPath(location); ok {
		return pmtiles.NormalizeBucketKey("", "", path)
	}
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		return pmtiles.NormalizeBucketKey("", "", location)
	}
	u, err := url.Parse(location)
	if err != nil {
		return "", "", err
	}
	key = strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || key == "" {
		return "", "", fmt.Errorf("want %s://bucket/path/to/archive.pmtiles", u.Scheme)
	}
	bucket := url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: u.RawQuery}
	return bucket.String(), key, nil
}

// NewReader reads the header, root directory and metadata of key in bucket.
func NewReader(ctx context.Context, bucket pmtiles.Bucket, key string) (*Reader, error) {
	return newReader(ctx, &Reader{bucket: bucket, key: key})
}

func newReader(ctx context.Context, r *Reader) (*Reader, error) {
	head, err := r.read(ctx, 0, 16384)
	if err != nil {
		return nil, err
	}
	if len(head) < 7 || string(head[:7]) != "PMTiles" {
		return nil, fmt.Errorf("%w: it does not start with \"PMTiles\"", ErrNotArchive)
	}
	if len(head) < pmtiles.HeaderV3LenBytes {
		return nil, fmt.Errorf("%w: truncated: %d bytes, less than a header", ErrNotArchive, len(head))
	}
	h, err := pmtiles.DeserializeHeader(head[:pmtiles.HeaderV3LenBytes])
	if err != nil || h.SpecVersion != 3 {
		return nil, fmt.Errorf("%w: bad header", ErrNotArchive)
	}
	if h.TileType != pmtiles.Mvt || (h.TileCompression != pmtiles.Gzip && h.TileCompression != pmtiles.NoCompression) {
		return nil, fmt.Errorf("%w: tile type %d, compression %d", ErrNotArchive, h.TileType, h.TileCompression)
	}
	if h.InternalCompression != pmtiles.Gzip && h.InternalCompression != pmtiles.NoCompression {
		return nil, fmt.Errorf("%w: directory compression %d", ErrNotArchive, h.InternalCompression)
	}
	r.Header = h
	r.raw = bytes.Clone(head[:pmtiles.HeaderV3LenBytes])
	if err := r.checkLength(ctx); err != nil {
		return nil, err
	}
	rootBytes, err := r.readSection(ctx, "root directory", h.RootOffset, h.RootLength)
	if err != nil {
		return nil, err
	}
	r.root, err = deserializeEntries(rootBytes, h.InternalCompression)
	if err != nil {
		return nil, err
	}
	metaBytes, err := r.readSection(ctx, "metadata", h.MetadataOffset, h.MetadataLength)
	if err != nil {
		return nil, err
	}
	r.Metadata, err = decompress(metaBytes, h.InternalCompression, maxDirectoryBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrNotArchive, err)
	}
	return r, nil
}

// checkLength reads the last byte the header says the archive has: a
// truncated file (an interrupted copy or upload) fails here, at open, and
// not later on the tiles that were cut off.
func (r *Reader) checkLength(ctx context.Context) error {
	h := r.Header
	end := uint64(0)
	for _, s := range [][2]uint64{{h.RootOffset, h.RootLength}, {h.MetadataOffset, h.MetadataLength},
		{h.LeafDirectoryOffset, h.LeafDirectoryLength}, {h.TileDataOffset, h.TileDataLength}} {
		if s[0]+s[1] < s[0] {
			return fmt.Errorf("%w: corrupt header: a section ends past 2^64", ErrNotArchive)
		}
		end = max(end, s[0]+s[1])
	}
	if end <= pmtiles.HeaderV3LenBytes {
		return fmt.Errorf("%w: corrupt header: no section after it", ErrNotArchive)
	}
	last, err := r.read(ctx, end-1, 1)
	if err != nil {
		return err
	}
	if len(last) != 1 {
		return fmt.Errorf("%w: truncated: the header says the archive holds %d bytes, it is shorter", ErrNotArchive, end)
	}
	return nil
}

// readSection reads a part of the archive the header or a directory points
// to: all of it must be there.
func (r *Reader) readSection(ctx context.Context, what string, offset, length uint64) ([]byte, error) {
	b, err := r.read(ctx, offset, length)
	if err != nil {
		return nil, err
	}
	if uint64(len(b)) != length {
		return nil, fmt.Errorf("%w: the %s (bytes %d to %d) lies past the end of the archive: truncated or corrupt", ErrNotArchive, what, offset, offset+length)
	}
	return b, nil
}

// maxDirectoryBytes bounds a decompressed directory: real ones are a few
// hundred KiB; a corrupt or hostile archive must not make us allocate more.
const maxDirectoryBytes = 64 << 20

// deserializeEntries decodes a directory after checking that its entry
// count fits its size (go-pmtiles trusts the count and would allocate
// whatever a corrupt archive claims).
func deserializeEntries(b []byte, c pmtiles.Compression) ([]pmtiles.EntryV3, error) {
	raw, err := decompress(b, c, maxDirectoryBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: directory: %v", ErrNotArchive, err)
	}
	n, k := binary.Uvarint(raw)
	// Each entry takes at least 4 bytes: tile id, run length, length, offset.
	if k <= 0 || n > uint64(len(raw)-k)/4 {
		return nil, fmt.Errorf("%w: corrupt directory", ErrNotArchive)
	}
	return pmtiles.DeserializeEntries(bytes.NewBuffer(raw), pmtiles.NoCompression), nil
}

// decompress inflates b (gzip or none) up to limit bytes.
func decompress(b []byte, c pmtiles.Compression, limit int64) ([]byte, error) {
	if c == pmtiles.NoCompression {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("more than %d bytes once decompressed", limit)
	}
	return raw, nil
}

// OpenBytes reads an archive held in memory: tiles are then slices of
// data, with no copy and no system call.
func OpenBytes(data []byte) (*Reader, error) {
	return newReader(context.Background(), &Reader{data: data})
}

// read returns up to length bytes at offset: fewer past the end of the
// archive. Storage failures wrap ErrUnavailable.
func (r *Reader) read(ctx context.Context, offset, length uint64) ([]byte, error) {
	if r.bucket == nil {
		if offset > uint64(len(r.data)) {
			return nil, nil
		}
		end := offset + min(length, uint64(len(r.data))-offset)
		return r.data[offset:end:end], nil
	}
	if offset > math.MaxInt64 || length > math.MaxInt64-offset {
		return nil, fmt.Errorf("%w: offset %d past any archive", ErrNotArchive, offset)
	}
	rc, etag, _, err := r.bucket.NewRangeReaderEtag(ctx, r.key, int64(offset), int64(length), r.etag)
	if err != nil {
		var changed *pmtiles.RefreshRequiredError
		if errors.As(err, &changed) {
			return nil, fmt.Errorf("%w: the archive changed since it was opened (reload to serve the new one)", ErrUnavailable)
		}
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if r.raw == nil && !strings.HasPrefix(etag, "W/") {
		// The header's read, while opening: later reads ask for the same
		// file (If-Match takes strong tags only).
		r.etag = etag
	}
	return b, nil
}

// Probe checks that the storage answers and still holds the archive that
// was opened: it rereads the header.
func (r *Reader) Probe(ctx context.Context) error {
	if r.bucket == nil {
		return nil
	}
	head, err := r.read(ctx, 0, pmtiles.HeaderV3LenBytes)
	if err != nil {
		return err
	}
	if !bytes.Equal(head, r.raw) {
		return fmt.Errorf("%w: the archive changed since it was opened (reload to serve the new one)", ErrUnavailable)
	}
	return nil
}

// InMemory says whether the whole archive is in memory: its reads never
// wait for storage, so they need no deadline.
func (r *Reader) InMemory() bool { return r.bucket == nil }

// Close releases the bucket.
func (r *Reader) Close() error {
	if r.bucket == nil {
		return nil
	}
	return r.bucket.Close()
}

// Tile returns the stored bytes of tile z/x/y (compressed as the header's
// TileCompression says), or nil when the archive has no such tile.
func (r *Reader) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	if z < int(r.Header.MinZoom) || z > int(r.Header.MaxZoom) || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return nil, nil
	}
	id := pmtiles.ZxyToID(uint8(z), uint32(x), uint32(y))
	dir := r.root
	for depth := 0; depth < 4; depth++ {
		entry, ok := pmtiles.FindTile(dir, id)
		if !ok {
			return nil, nil
		}
		if entry.RunLength > 0 {
			return r.readSection(ctx, "tile", r.Header.TileDataOffset+entry.Offset, uint64(entry.Length))
		}
		leaf, err := r.leaf(ctx, entry)
		if err != nil {
			return nil, err
		}
		dir = leaf
	}
	return nil, fmt.Errorf("%w: directories nested too deep", ErrNotArchive)
}

func (r *Reader) leaf(ctx context.Context, e pmtiles.EntryV3) ([]pmtiles.EntryV3, error) {
	if v, ok := r.leaves.Load(e.Offset); ok {
		return v.([]pmtiles.EntryV3), nil
	}
	b, err := r.readSection(ctx, "leaf directory", r.Header.LeafDirectoryOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, err
	}
	entries, err := deserializeEntries(b, r.Header.InternalCompression)
	if err != nil {
		return nil, err
	}
	r.leaves.Store(e.Offset, entries)
	return entries, nil
}

// Open opens an archive for serving. A local file (a path or file://) no
// bigger than maxInMemory bytes is read into memory, so tiles cost no
// system call; anything else is read through its bucket (local file,
// http(s):// range requests, s3://…).
func Open(ctx context.Context, location string, maxInMemory int64) (*Reader, error) {
	path, local := localPath(location)
	if local {
		st, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("tiles: archive %s: no such file", path)
		}
		if err != nil {
			return nil, fmt.Errorf("tiles: %w", err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("tiles: %s is a folder, not an archive", path)
		}
		if st.Size() <= maxInMemory {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("tiles: %w", err)
			}
			r, err := OpenBytes(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return r, nil
		}
	}
	return OpenArchive(ctx, location)
}

// localPath says whether location names a local file, and its path.
func localPath(location string) (string, bool) {
	if p, ok := strings.CutPrefix(location, "file://"); ok {
		return p, true
	}
	if strings.Contains(location, "://") {
		return "", false
	}
	return location, true
}
