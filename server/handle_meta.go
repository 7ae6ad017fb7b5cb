package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/static"
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
	links := s.cfg.links()
	links.SetDocumentHeaders(c)
	return c.JSON(ts.tileJSON(links.Base(c)))
}

// labelFonts are the files, among the pages' assets, of the labels' fonts:
// the DSFR's Marianne, which the pages already use.
var labelFonts = map[string]string{
	layers.FontRegular: "vendor/dsfr/fonts/Marianne-Regular.woff2",
	layers.FontBold:    "vendor/dsfr/fonts/Marianne-Bold.woff2",
}

// handleStyle serves the default MapLibre style: every layer of the
// registry, and in its metadata what the map page needs to know of them;
// over the external base map when there is one (basemap.go).
func (s *Server) handleStyle(c *fiber.Ctx) error {
	ts, err := s.tilesetOr503(c)
	if err != nil {
		return err
	}
	cat := s.api.Catalog()
	if cat == nil {
		c.Set(fiber.HeaderRetryAfter, "5")
		return fiber.NewError(fiber.StatusServiceUnavailable, "the data is being indexed, retry shortly")
	}
	links := s.cfg.links()
	links.SetDocumentHeaders(c)
	attribution, _ := ts.metadata["attribution"].(string)
	h := ts.reader.Header
	fonts := map[string]string{}
	for name, file := range labelFonts {
		fonts[name] = links.Base(c) + "/static/" + static.Version + "/" + file
	}
	style := layers.Style(s.cfg.Registry, layers.StyleInput{
		FontFaces:   fonts,
		TileJSONURL: links.Base(c) + "/tiles.json",
		Attribution: attribution,
		Center:      [2]float64{e7(h.CenterLonE7), e7(h.CenterLatE7)},
		Zoom:        float64(h.CenterZoom),
		DataVersion: ts.Version,
		Map:         cat.Map,
	})
	s.cfg.Basemap.drawUnder(style, s.cfg.Registry)
	return c.JSON(style)
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
	ts, cat := s.tileset.Load(), s.api.Catalog()
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
