package server

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// Security headers and request checks that apply to every route.
//
// Fiber's helmet middleware is not used: it always sends X-Frame-Options
// (SAMEORIGIN unless told otherwise), which would contradict the
// frame-ancestors allow-list of /embed in older browsers, and its
// defaults (Cross-Origin-Resource-Policy: same-origin, COEP require-corp)
// would stop other sites from loading our tiles and API.

// pagePolicy is the Content-Security-Policy of the HTML pages, without
// frame-ancestors (each page sets its own, see handle_static.go): scripts
// and styles from this server only, no inline script; MapLibre needs
// blob: for its worker and data:/blob: images. No inline style either:
// the pages set styles only through the CSSOM (element.style), which a
// policy does not block. extra are other origins the map may load data
// from (the public URL, --map-origins).
func pagePolicy(extra []string) string {
	more := ""
	if len(extra) > 0 {
		more = " " + strings.Join(extra, " ")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob:" + more,
		"font-src 'self'",
		"connect-src 'self'" + more,
		"worker-src 'self' blob:",
		"child-src 'self' blob:",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
	}, "; ")
}

// pageOrigins are the origins other than the page's own that the pages
// may fetch from: the configured public URL (tile URLs in tiles.json use
// it), the base map's (its style or template, and a style's sources,
// sprite, glyphs and fonts) and the operator's extra map origins.
func pageOrigins(cfg Config) []string {
	var out []string
	if cfg.PublicURL != "" {
		if u, err := url.Parse(cfg.PublicURL); err == nil {
			out = append(out, u.Scheme+"://"+u.Host)
		}
	}
	for _, o := range append(cfg.Basemap.Origins(), cfg.Limits.MapOrigins...) {
		o = strings.TrimRight(o, "/")
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

var htmlType = []byte("text/html")

// The headers every response carries, as canonical bytes: Set would copy
// and normalise each name on every answer.
var (
	headerXContentTypeOptions       = []byte(fiber.HeaderXContentTypeOptions)
	headerReferrerPolicy            = []byte(fiber.HeaderReferrerPolicy)
	headerCrossOriginResourcePolicy = []byte(fiber.HeaderCrossOriginResourcePolicy)
	noSniff                         = []byte("nosniff")
	referrerPolicy                  = []byte("strict-origin-when-cross-origin")
	crossOrigin                     = []byte("cross-origin")
)

// securityHeaders sets the headers every response carries, and the
// Content-Security-Policy of HTML answers, merged with the frame-ancestors
// directive the page handler chose (a page without one may only be
// framed by this site).
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.SetCanonical(headerXContentTypeOptions, noSniff)
	h.SetCanonical(headerReferrerPolicy, referrerPolicy)
	// Tiles and the API are meant to be used by other sites' maps.
	h.SetCanonical(headerCrossOriginResourcePolicy, crossOrigin)
	err := c.Next()
	if bytes.HasPrefix(h.ContentType(), htmlType) {
		frame := string(h.Peek(fiber.HeaderContentSecurityPolicy))
		if !strings.Contains(frame, "frame-ancestors") {
			frame = "frame-ancestors 'self'"
		}
		h.Set(fiber.HeaderContentSecurityPolicy, s.pageCSP+"; "+frame)
	}
	return err
}

// checkRequest refuses what no route can use: an overlong query string
// (414) and a path or query that is not valid UTF-8 once decoded (400).
func (s *Server) checkRequest(c *fiber.Ctx) error {
	uri := c.Request().URI()
	if n := len(uri.QueryString()); n > s.cfg.Limits.MaxQueryLength {
		s.guard.rejected.WithLabelValues(rejectQuery).Inc()
		return fiber.NewError(fiber.StatusRequestURITooLong,
			fmt.Sprintf("the query string has %d bytes, more than the %d allowed", n, s.cfg.Limits.MaxQueryLength))
	}
	if !utf8.Valid(uri.Path()) {
		s.guard.rejected.WithLabelValues(rejectEncoding).Inc()
		return fiber.NewError(fiber.StatusBadRequest, "the path is not valid UTF-8 once percent-decoded")
	}
	bad := false
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		bad = bad || !utf8.Valid(k) || !utf8.Valid(v)
	})
	if bad {
		s.guard.rejected.WithLabelValues(rejectEncoding).Inc()
		return fiber.NewError(fiber.StatusBadRequest, "the query string is not valid UTF-8 once percent-decoded")
	}
	return c.Next()
}

// validOrigin accepts scheme://host[:port], nothing that could break a
// header.
func validOrigin(o string) bool {
	if strings.ContainsAny(o, " ;,'\"\t\r\n*") {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}
