package tiles

import (
	"bytes"
	"crypto/sha256"
	"sort"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// rootDirectoryLimit keeps header + root directory within the first 16 KiB,
// which PMTiles readers fetch in one request.
const rootDirectoryLimit = 16384 - pmtiles.HeaderV3LenBytes

type archiveCounts struct{ addressed, entries, contents int }

// writeArchive lays out a PMTiles v3 archive: header, root directory,
// metadata, leaf directories, tile data. Tiles are stored in tile-id order
// (clustered); identical contents are stored once, and runs of identical
// consecutive tiles (sea, the inside of a region) share one entry.
func writeArchive(tiles []encodedTile, header pmtiles.HeaderV3, meta map[string]any) ([]byte, archiveCounts, error) {
	sort.Slice(tiles, func(i, j int) bool { return tiles[i].id < tiles[j].id })
	var data bytes.Buffer
	offsets := map[[32]byte]uint64{}
	entries := make([]pmtiles.EntryV3, 0, len(tiles))
	var counts archiveCounts
	for _, t := range tiles {
		sum := sha256.Sum256(t.data)
		offset, seen := offsets[sum]
		if !seen {
			offset = uint64(data.Len())
			offsets[sum] = offset
			data.Write(t.data)
			counts.contents++
		}
		counts.addressed++
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == offset && last.TileID+uint64(last.RunLength) == t.id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, pmtiles.EntryV3{TileID: t.id, Offset: offset, Length: uint32(len(t.data)), RunLength: 1})
	}
	counts.entries = len(entries)

	root, leaves, _ := pmtiles.BuildDirectories(entries, rootDirectoryLimit, pmtiles.Gzip)
	metaBytes, err := pmtiles.SerializeMetadata(meta, pmtiles.Gzip)
	if err != nil {
		return nil, counts, err
	}
	header.SpecVersion = 3
	header.RootOffset = pmtiles.HeaderV3LenBytes
	header.RootLength = uint64(len(root))
	header.MetadataOffset = header.RootOffset + header.RootLength
	header.MetadataLength = uint64(len(metaBytes))
	header.LeafDirectoryOffset = header.MetadataOffset + header.MetadataLength
	header.LeafDirectoryLength = uint64(len(leaves))
	header.TileDataOffset = header.LeafDirectoryOffset + header.LeafDirectoryLength
	header.TileDataLength = uint64(data.Len())
	header.AddressedTilesCount = uint64(counts.addressed)
	header.TileEntriesCount = uint64(counts.entries)
	header.TileContentsCount = uint64(counts.contents)
	header.Clustered = true
	header.InternalCompression = pmtiles.Gzip
	header.TileCompression = pmtiles.Gzip
	header.TileType = pmtiles.Mvt

	var out bytes.Buffer
	out.Grow(int(header.TileDataOffset + header.TileDataLength))
	out.Write(pmtiles.SerializeHeader(header))
	out.Write(root)
	out.Write(metaBytes)
	out.Write(leaves)
	out.Write(data.Bytes())
	return out.Bytes(), counts, nil
}
