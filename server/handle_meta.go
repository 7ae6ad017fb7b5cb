package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// tilesetOr503 returns the tileset, or the error that says to come back.
func (s *Server) tilesetOr503(c *fiber.Ctx) (*Tileset, error) {
	ts := s.tileset.Load()
	if ts == nil {
		c.Set(fiber.HeaderRetryAfter, "5")
		return nil, fiber.NewError(fiber.StatusServiceUnavailable, "tiles are being prepared, retry shortly")
	}
	return ts, nil
}

// handleTileJSON serves TileJSON 3.0.0 with absolute URLs.
func (s *Server) handleTileJSON(c *fiber.Ctx) error {
	ts, err := s.tilesetOr503(c)
	if err != nil {
		return err
	}
	s.setMetaHeaders(c)
	return c.JSON(ts.tileJSON(s.baseURL(c)))
}

// handleStyle serves the default MapLibre style.
func (s *Server) handleStyle(c *fiber.Ctx) error {
	ts, err := s.tilesetOr503(c)
	if err != nil {
		return err
	}
	s.setMetaHeaders(c)
	return c.JSON(defaultStyle(s.baseURL(c), ts))
}

// setMetaHeaders: short caching, and the response depends on the headers
// that decide the absolute URLs inside it.
func (s *Server) setMetaHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	if s.cfg.PublicURL == "" {
		c.Set(fiber.HeaderVary, "Forwarded, X-Forwarded-Proto, X-Forwarded-Host, Host")
	}
}

// baseURL is where clients reach us: the configured public URL, else what
// a proxy says (Forwarded, then X-Forwarded-*), else the request itself.
func (s *Server) baseURL(c *fiber.Ctx) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.publicBase()
	}
	proto, host := forwarded(c.Get(fiber.HeaderForwarded))
	if proto == "" {
		proto = firstValue(c.Get(fiber.HeaderXForwardedProto))
	}
	if host == "" {
		host = firstValue(c.Get(fiber.HeaderXForwardedHost))
	}
	if proto != "http" && proto != "https" {
		proto = "http"
		if c.Context().IsTLS() {
			proto = "https"
		}
	}
	if host == "" || strings.ContainsAny(host, "/ \"<>\\@") {
		host = string(c.Request().Host())
	}
	return proto + "://" + host
}

// forwarded reads proto= and host= of the first element of an RFC 7239
// Forwarded header (the proxy closest to the client).
func forwarded(header string) (proto, host string) {
	first, _, _ := strings.Cut(header, ",")
	for _, pair := range strings.Split(first, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch strings.ToLower(k) {
		case "proto":
			proto = strings.ToLower(v)
		case "host":
			host = v
		}
	}
	return proto, host
}

func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(v)
}

// handleHealthz: the process is alive.
func (s *Server) handleHealthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok"})
}

// handleReadyz: 200 once the archive is open and the data indexed, 503
// before, and 503 while the archive's storage does not answer. A failed
// reload leaves it ready (the old data is served) and is reported in the
// details.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ts, cat := s.tileset.Load(), s.catalog.Load()
	switch {
	case ts == nil:
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "starting", "error": "the tile archive is not open yet"})
	case cat == nil:
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "starting", "error": "the data is not indexed yet"})
	}
	body := s.readyDetails(ts, cat)
	if up, reason, _, retry := ts.storage.state(); !up {
		body["status"], body["error"] = "unavailable", "the tile storage does not answer: "+reason
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
		return c.Status(fiber.StatusServiceUnavailable).JSON(body)
	}
	body["status"] = "ready"
	return c.JSON(body)
}

func (s *Server) handleMetrics() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
}
