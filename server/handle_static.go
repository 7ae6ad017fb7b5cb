package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/static"
)

// The front end: the map page (GET / for browsers, see handleLanding),
// the embeddable page, the one-line widget script and the files they load,
// all from the embedded static package.

// assetsPrefix is where the pages load their files from: the path carries
// the hash of the embedded files, so those URLs are cached for a year.
var assetsPrefix = "/static/" + static.Version

// staticFile is an embedded file ready to send, with its gzip form when
// compressing is worth it, and its Brotli form when `make assets` made one
// (<name>.br, for the big vendor files).
type staticFile struct {
	body, gz, br []byte
	contentType  string
}

var contentTypes = map[string]string{
	".html":  fiber.MIMETextHTMLCharsetUTF8,
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".md":    "text/markdown; charset=utf-8",
	".png":   "image/png",
	".ico":   "image/x-icon",
}

// loadStatic reads an embedded file once per server (the cache holds only
// embedded names: a missing file is not cached); the pages get their
// asset prefix substituted.
func (s *Server) loadStatic(name string) (*staticFile, error) {
	if f, ok := s.statics.Load(name); ok {
		return f.(*staticFile), nil
	}
	body, err := fs.ReadFile(static.FS(), name)
	if err != nil {
		return nil, err
	}
	ext := path.Ext(name)
	if ext == ".html" || name == "widget.js" {
		body = bytes.ReplaceAll(body, []byte("{{ASSETS}}"), []byte(assetsPrefix))
	}
	f := &staticFile{body: body, contentType: contentTypes[ext]}
	if br, err := fs.ReadFile(static.FS(), name+".br"); err == nil && len(br) < len(body) {
		f.br = br
	}
	if f.contentType == "" {
		f.contentType = "application/octet-stream"
	}
	if ext != ".woff2" && ext != ".woff" && ext != ".png" && len(body) > 512 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if b.Len() < len(body) {
			f.gz = b.Bytes()
		}
	}
	actual, _ := s.statics.LoadOrStore(name, f)
	return actual.(*staticFile), nil
}

// sendStatic writes an embedded file, gzipped for clients that accept it.
func (s *Server) sendStatic(c *fiber.Ctx, name, cacheControl string) error {
	f, err := s.loadStatic(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fiber.NewError(fiber.StatusNotFound, "no such file: "+name)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderCacheControl, cacheControl)
	c.Set("X-Content-Type-Options", "nosniff")
	body := f.body
	if f.gz != nil || f.br != nil {
		c.Append(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		accept := c.Get(fiber.HeaderAcceptEncoding)
		switch {
		case f.br != nil && api.AcceptsCoding(accept, "br"):
			c.Set(fiber.HeaderContentEncoding, "br")
			body = f.br
		case f.gz != nil && api.AcceptsCoding(accept, "gzip", "x-gzip"):
			c.Set(fiber.HeaderContentEncoding, "gzip")
			body = f.gz
		}
	}
	return c.Send(body)
}

// pageOr503 answers 503 with a plain explanation when the binary was built
// without the front-end dependencies, and says so (answered = true).
func pageOr503(c *fiber.Ctx) (answered bool, err error) {
	missing := static.VendorMissing()
	if missing == "" {
		return false, nil
	}
	c.Status(fiber.StatusServiceUnavailable)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return true, c.SendString(`<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Front-end assets missing</title>` +
		`<h1>Front-end assets missing</h1><p>This binary was built without the map's JavaScript and CSS (` +
		html.EscapeString(missing) + ` is not embedded). Run <code>make assets</code> (or <code>make run</code>), then rebuild. ` +
		`The tiles and the JSON API work: see <a href="/openapi.json">/openapi.json</a>.</p></html>`)
}

// sendPage answers an HTML page of the front end. frameAncestors says who
// may show it in a frame (the embed's allow-list, else only this site).
func (s *Server) sendPage(c *fiber.Ctx, file, frameAncestors string) error {
	c.Set(fiber.HeaderContentSecurityPolicy, "frame-ancestors "+frameAncestors)
	if answered, err := pageOr503(c); answered {
		return err
	}
	return s.sendStatic(c, file, "no-cache")
}

// handleMapPage serves the full-page map (GET / for browsers).
func (s *Server) handleMapPage(c *fiber.Ctx) error {
	return s.sendPage(c, "index.html", "'self'")
}

// GET /embed : the page regional sites put in an iframe; who may frame it
// is the frame-ancestors allow-list.
func (s *Server) handleEmbed(c *fiber.Ctx) error {
	return s.sendPage(c, "embed.html", strings.Join(s.cfg.FrameAncestors, " "))
}

// GET /embed/docs : how to embed the map (snippets, parameters, preview).
func (s *Server) handleEmbedDocs(c *fiber.Ctx) error {
	return s.sendPage(c, "docs.html", "'self'")
}

// GET /widget.js : its URL is the one pasted into other sites, so it is
// cached briefly; it loads /embed, whose assets are versioned.
func (s *Server) handleWidget(c *fiber.Ctx) error {
	return s.sendStatic(c, "widget.js", "public, max-age=300")
}

// GET /static/<version>/<file> (cached a year, immutable) or
// /static/<file> (revalidated).
func (s *Server) handleAsset(c *fiber.Ctx) error {
	// Fiber's strings point into reused buffers; p becomes a cache key.
	p, err := url.PathUnescape(strings.Clone(c.Params("*")))
	if err != nil || p == "" || strings.Contains(p, "..") || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return fiber.NewError(fiber.StatusNotFound, "no such file")
	}
	cache := "no-cache"
	if rest, ok := strings.CutPrefix(p, static.Version+"/"); ok {
		p, cache = rest, "public, max-age=31536000, immutable"
	} else if first, rest, ok := strings.Cut(p, "/"); ok && len(first) == len(static.Version) && isHex(first) {
		// An older version's URL: serve the current file, not cached.
		p = rest
	}
	if path.Ext(p) == ".html" || p == "widget.js" || path.Ext(p) == ".br" {
		return fiber.NewError(fiber.StatusNotFound, fmt.Sprintf("no such file: %s (the pages are at /, /embed and /embed/docs)", p))
	}
	if strings.HasPrefix(p, "vendor/") && static.VendorMissing() != "" {
		return fiber.NewError(fiber.StatusNotFound, "front-end dependencies are not embedded in this binary: run make assets and rebuild")
	}
	return s.sendStatic(c, p, cache)
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}
