package tiles

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// rootDirectoryLimit keeps header + root directory within the first 16 KiB,
// which PMTiles readers fetch in one request.
const rootDirectoryLimit = 16384 - pmtiles.HeaderV3LenBytes

type archiveCounts struct{ addressed, entries, contents int }

// archiveWriter lays out a PMTiles v3 archive: header, root directory,
// metadata, leaf directories, tile data. Tiles arrive in tile-id order
// (clustered) and their data goes to a temporary file as they come, so
// that only the directory entries stay in memory; identical contents are
// stored once, and runs of identical consecutive tiles (sea, the inside of
// a region) share one entry.
type archiveWriter struct {
	data    *os.File
	buf     *bufio.Writer
	size    uint64
	offsets map[[32]byte]uint64
	entries []pmtiles.EntryV3
	lastID  uint64
	counts  archiveCounts
	largest TileSize
}

func newArchiveWriter(dir string) (*archiveWriter, error) {
	f, err := os.CreateTemp(dir, "territoires-build-*.tiles")
	if err != nil {
		return nil, fmt.Errorf("tiles: temporary file for the build: %w", err)
	}
	os.Remove(f.Name()) // the open file stays usable; nothing is left behind
	return &archiveWriter{data: f, buf: bufio.NewWriterSize(f, 1<<20), offsets: map[[32]byte]uint64{}}, nil
}

func (a *archiveWriter) Close() error { return a.data.Close() }

// add stores one tile; ids must increase.
func (a *archiveWriter) add(id uint64, data []byte) error {
	if a.counts.addressed > 0 && id <= a.lastID {
		return fmt.Errorf("tiles: tile %d after tile %d", id, a.lastID)
	}
	a.lastID = id
	if len(data) > a.largest.Bytes {
		z, x, y := pmtiles.IDToZxy(id)
		a.largest = TileSize{Z: int(z), X: int(x), Y: int(y), Bytes: len(data)}
	}
	if len(data) > MaxTileBytes {
		lt := a.largest
		return fmt.Errorf("tiles: tile %d/%d/%d is %d bytes, over the %d-byte limit", lt.Z, lt.X, lt.Y, lt.Bytes, MaxTileBytes)
	}
	sum := sha256.Sum256(data)
	offset, seen := a.offsets[sum]
	if !seen {
		offset = a.size
		a.offsets[sum] = offset
		if _, err := a.buf.Write(data); err != nil {
			return fmt.Errorf("tiles: writing the build's temporary file: %w", err)
		}
		a.size += uint64(len(data))
		a.counts.contents++
	}
	a.counts.addressed++
	if n := len(a.entries); n > 0 {
		last := &a.entries[n-1]
		if last.Offset == offset && last.TileID+uint64(last.RunLength) == id {
			last.RunLength++
			return nil
		}
	}
	a.entries = append(a.entries, pmtiles.EntryV3{TileID: id, Offset: offset, Length: uint32(len(data)), RunLength: 1})
	return nil
}

// finish writes the archive to w and returns its size.
func (a *archiveWriter) finish(w io.Writer, header pmtiles.HeaderV3, meta map[string]any) (int64, error) {
	if err := a.buf.Flush(); err != nil {
		return 0, fmt.Errorf("tiles: writing the build's temporary file: %w", err)
	}
	a.counts.entries = len(a.entries)
	root, leaves, _ := pmtiles.BuildDirectories(a.entries, rootDirectoryLimit, pmtiles.Gzip)
	metaBytes, err := pmtiles.SerializeMetadata(meta, pmtiles.Gzip)
	if err != nil {
		return 0, err
	}
	header.SpecVersion = 3
	header.RootOffset = pmtiles.HeaderV3LenBytes
	header.RootLength = uint64(len(root))
	header.MetadataOffset = header.RootOffset + header.RootLength
	header.MetadataLength = uint64(len(metaBytes))
	header.LeafDirectoryOffset = header.MetadataOffset + header.MetadataLength
	header.LeafDirectoryLength = uint64(len(leaves))
	header.TileDataOffset = header.LeafDirectoryOffset + header.LeafDirectoryLength
	header.TileDataLength = a.size
	header.AddressedTilesCount = uint64(a.counts.addressed)
	header.TileEntriesCount = uint64(a.counts.entries)
	header.TileContentsCount = uint64(a.counts.contents)
	header.Clustered = true
	header.InternalCompression = pmtiles.Gzip
	header.TileCompression = pmtiles.Gzip
	header.TileType = pmtiles.Mvt

	for _, part := range [][]byte{pmtiles.SerializeHeader(header), root, metaBytes, leaves} {
		if _, err := w.Write(part); err != nil {
			return 0, err
		}
	}
	if _, err := io.Copy(w, io.NewSectionReader(a.data, 0, int64(a.size))); err != nil {
		return 0, err
	}
	return int64(header.TileDataOffset + header.TileDataLength), nil
}
