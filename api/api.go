// Package api is the service's data API over the index and the layer
// registry: the JSON API (/api/nearby, within, search, reverse, features),
// OGC API – Features (/conformance, /collections…), and the OpenAPI
// document of every route.
//
// Handlers read the query, ask the index and write the answer: they
// compute no geometry. The HTTP plumbing (limits, metrics, security
// headers, the route table) belongs to the server package, which mounts
// the routes this package describes.
package api

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/layers"
)

// Config is what the API needs from the server's configuration.
type Config struct {
	// Links builds the absolute URLs of the documents.
	Links Links
	// Registry describes the layers (the default layers of nearby).
	Registry layers.Registry
	// MapPage answers browsers at / (an Accept preferring HTML).
	MapPage fiber.Handler
	// Routes is the server's whole route table, for the OpenAPI document.
	Routes func() []Route
	// RateLimits says which budgets are limited, for the same document.
	RateLimits RateLimits
}

// API serves one catalog at a time; Swap replaces it while requests keep
// flowing (readers never lock).
type API struct {
	cfg     Config
	catalog atomic.Pointer[Catalog]
	buffers sync.Pool // *[]byte: plain answers while they are assembled
}

// New returns an API with no catalog: its data routes answer 503 until
// Swap gives it one.
func New(cfg Config) *API {
	a := &API{cfg: cfg}
	a.buffers.New = func() any { b := make([]byte, 0, 16<<10); return &b }
	return a
}

// Swap installs c for every route.
func (a *API) Swap(c *Catalog) { a.catalog.Store(c) }

// Catalog is the catalog being served, or nil before the first Swap.
func (a *API) Catalog() *Catalog { return a.catalog.Load() }

// catalogOr503 returns the catalog, or the error that says to come back.
func (a *API) catalogOr503(c *fiber.Ctx) (*Catalog, error) {
	cat := a.catalog.Load()
	if cat == nil {
		c.Set(fiber.HeaderRetryAfter, "5")
		return nil, fiber.NewError(fiber.StatusServiceUnavailable, "the data is being indexed, retry shortly")
	}
	return cat, nil
}

// badRequest is a 400 with a message for the client.
func badRequest(format string, args ...any) error {
	return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(format, args...))
}

// Links builds the absolute URLs of the documents that link to others
// (TileJSON, the style, OGC pages, the OpenAPI document).
type Links struct {
	// PublicURL, when set, is the absolute base URL clients reach us at;
	// else it comes from the request's forwarded headers.
	PublicURL string
}

// Base is where clients reach us: the configured public URL, else what a
// proxy says (Forwarded, then X-Forwarded-*), else the request itself.
func (l Links) Base(c *fiber.Ctx) string {
	if l.PublicURL != "" {
		return strings.TrimRight(l.PublicURL, "/")
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

// SetDocumentHeaders: short caching, and the answer depends on the headers
// that decide the absolute URLs inside it.
func (l Links) SetDocumentHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	if l.PublicURL == "" {
		c.Set(fiber.HeaderVary, "Forwarded, X-Forwarded-Proto, X-Forwarded-Host, Host")
	}
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
