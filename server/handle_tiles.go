package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

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
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.StorageTimeout)
	data, err := ts.reader.Tile(ctx, z, x, y)
	cancel()
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

	h := &c.Response().Header
	if c.Query("v") == ts.Version {
		h.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		h.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(s.cfg.TileMaxAge.Seconds())))
	}
	h.Set(fiber.HeaderVary, "Accept-Encoding")
	if data == nil {
		return c.SendStatus(fiber.StatusNoContent)
	}

	gzipOK := ts.gzipped && api.AcceptsCoding(string(c.Request().Header.Peek(fiber.HeaderAcceptEncoding)), "gzip", "x-gzip")
	etag := tileETag(ts.Version, z, x, y, gzipOK)
	h.Set(fiber.HeaderETag, etag)
	h.Set(fiber.HeaderContentType, MediaTypeMVT)
	if etagMatches(string(c.Request().Header.Peek(fiber.HeaderIfNoneMatch)), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if ts.gzipped && !gzipOK {
		if data, err = gunzip(data); err != nil {
			s.logger.Error("stored tile is not valid gzip", "z", z, "x", x, "y", y, "err", err)
			return fiber.NewError(fiber.StatusBadGateway, "tile storage returned a corrupt tile")
		}
	} else if ts.gzipped {
		h.Set(fiber.HeaderContentEncoding, "gzip")
	}
	s.metrics.tileBytes.Add(float64(len(data)))
	return c.Send(data)
}

// storageUnavailable answers 503: the archive's storage does not answer
// (the reason is logged and in /readyz, not told to every client).
func storageUnavailable(c *fiber.Ctx, retryAfter int) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfter))
	return fiber.NewError(fiber.StatusServiceUnavailable, "the tile storage is unavailable, retry in "+strconv.Itoa(retryAfter)+" s")
}

// tileETag is strong: the data version names the content, and the gzip
// and plain bodies of a tile get different tags.
func tileETag(version string, z, x, y int, gzipped bool) string {
	b := make([]byte, 0, 48)
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
	return string(append(b, '"'))
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 64<<20))
}
