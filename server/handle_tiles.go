package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/tiles"
)

// MediaTypeMVT is the media type of a vector tile.
const MediaTypeMVT = "application/vnd.mapbox-vector-tile"

// handleTile serves GET|HEAD /tiles/{z}/{x}/{y}.mvt (or .pbf).
//
// 400 for a malformed path, 404 for a zoom outside the archive, 204 for a
// tile the archive does not hold inside its zoom range (nothing there).
// Tiles stored gzipped are sent as they are to clients that accept gzip,
// and inflated for the others.
func (s *Server) handleTile(c *fiber.Ctx) error {
	ts, err := s.tilesetOr503(c)
	if err != nil {
		return err
	}
	z, x, y, err := parseTilePath(c.Params("*"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	if z < ts.minZoom() || z > ts.maxZoom() {
		return fiber.NewError(fiber.StatusNotFound, "zoom "+strconv.Itoa(z)+" is outside the archive's range "+strconv.Itoa(ts.minZoom())+"-"+strconv.Itoa(ts.maxZoom()))
	}
	if up, _, _, retry := ts.storage.state(); !up {
		return storageUnavailable(c, retry)
	}
	data, err := s.readTile(c.UserContext(), ts, z, x, y)
	if errors.Is(err, tiles.ErrUnavailable) {
		s.metrics.storageErrors.Inc()
		ts.storage.failed(err)
		_, _, _, retry := ts.storage.state()
		return storageUnavailable(c, retry)
	}
	if err != nil {
		s.logger.Error("tile read failed", "z", z, "x", x, "y", y, "err", err)
		return fiber.NewError(fiber.StatusBadGateway, "the tile archive is corrupt")
	}

	// Header names and constant values are set as canonical bytes: Set
	// would copy and normalise each name on every tile.
	h := &c.Response().Header
	if c.Query("v") == ts.Version {
		h.SetCanonical(headerCacheControl, cacheImmutable)
	} else {
		h.SetCanonical(headerCacheControl, s.tileCacheControl)
	}
	h.SetCanonical(headerVary, varyAcceptEncoding)
	if data == nil {
		return c.SendStatus(fiber.StatusNoContent)
	}

	gzipOK := ts.gzipped && acceptsGzip(c.Request().Header.Peek(fiber.HeaderAcceptEncoding))
	var buf [64]byte // the tag, on the stack unless the version is long
	etag := appendTileETag(buf[:0], ts.Version, z, x, y, gzipOK)
	h.SetCanonical(headerETag, etag)
	h.SetContentTypeBytes(mediaTypeMVT)
	if etagMatches(c.Request().Header.Peek(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if ts.gzipped && !gzipOK {
		if data, err = gunzip(data); err != nil {
			s.logger.Error("stored tile is not valid gzip", "z", z, "x", x, "y", y, "err", err)
			return fiber.NewError(fiber.StatusBadGateway, "tile storage returned a corrupt tile")
		}
	} else if ts.gzipped {
		h.SetCanonical(headerContentEncoding, codingGzip)
	}
	s.metrics.tileBytes.Add(float64(len(data)))
	return c.Send(data)
}

// Canonical header names and values of tile answers.
var (
	headerCacheControl    = []byte(fiber.HeaderCacheControl)
	headerVary            = []byte(fiber.HeaderVary)
	headerETag            = []byte(fiber.HeaderETag)
	headerContentEncoding = []byte(fiber.HeaderContentEncoding)
	cacheImmutable        = []byte("public, max-age=31536000, immutable")
	varyAcceptEncoding    = []byte("Accept-Encoding")
	mediaTypeMVT          = []byte(MediaTypeMVT)
	codingGzip            = []byte("gzip")
)

// tileCacheControl is the Cache-Control of a tile asked without the
// current data version.
func tileCacheControl(maxAge time.Duration) []byte {
	return []byte("public, max-age=" + strconv.Itoa(int(maxAge.Seconds())))
}

// readTile reads a tile, within the storage timeout when the archive is
// read from storage. An archive in memory needs no deadline, and making
// one (a timer) cost more than the lookup itself.
func (s *Server) readTile(ctx context.Context, ts *Tileset, z, x, y int) ([]byte, error) {
	if ts.reader.InMemory() {
		return ts.reader.Tile(ctx, z, x, y)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StorageTimeout)
	defer cancel()
	return ts.reader.Tile(ctx, z, x, y)
}

// acceptsGzip says whether an Accept-Encoding header accepts gzip, as
// api.AcceptsCoding does. Without parameters (no ";q=") every coding
// named is accepted, so a token scan answers without allocating; the
// rest goes to the full parser.
func acceptsGzip(header []byte) bool {
	if bytes.IndexByte(header, ';') >= 0 {
		return api.AcceptsCoding(string(header), "gzip", "x-gzip")
	}
	for len(header) > 0 {
		var token []byte
		token, header, _ = bytes.Cut(header, comma)
		token = bytes.TrimSpace(token)
		if bytes.EqualFold(token, codingGzip) || bytes.EqualFold(token, codingXGzip) || bytes.Equal(token, star) {
			return true
		}
	}
	return false
}

var (
	comma       = []byte(",")
	star        = []byte("*")
	codingXGzip = []byte("x-gzip")
)

// storageUnavailable answers 503: the archive's storage does not answer
// (the reason is logged and in /readyz, not told to every client).
func storageUnavailable(c *fiber.Ctx, retryAfter int) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfter))
	return fiber.NewError(fiber.StatusServiceUnavailable, "the tile storage is unavailable, retry in "+strconv.Itoa(retryAfter)+" s")
}

// appendTileETag appends the tile's tag to b. It is strong: the data
// version names the content, and the gzip and plain bodies of a tile get
// different tags.
func appendTileETag(b []byte, version string, z, x, y int, gzipped bool) []byte {
	b = append(b, '"')
	b = append(b, version...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(z), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(x), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(y), 10)
	if gzipped {
		b = append(b, "-gz"...)
	}
	return append(b, '"')
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag []byte) bool {
	for len(header) > 0 {
		var candidate []byte
		candidate, header, _ = bytes.Cut(header, comma)
		candidate = bytes.TrimSpace(candidate)
		if bytes.Equal(candidate, star) || bytes.Equal(bytes.TrimPrefix(candidate, weakPrefix), etag) {
			return true
		}
	}
	return false
}

var weakPrefix = []byte("W/")

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 64<<20))
}
