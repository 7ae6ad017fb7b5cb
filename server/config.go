// Package server is the HTTP plumbing of the service (Fiber): the route
// table, middleware, rate limits and API keys, security headers, metrics,
// vector tiles from a PMTiles archive with TileJSON and the style, the
// front end's pages and files, health and readiness. The data API is the
// api package's; tiles and geometry belong to the tiles and index
// packages.
package server

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/layers"
)

// Config is every setting of the server, built once in cmd and validated
// there with Validate.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string
	// PublicURL, when set, is the absolute base URL clients reach us at
	// (behind a proxy or CDN); else it comes from forwarded headers.
	PublicURL string
	// CORSOrigins lists allowed origins ("*" for any).
	CORSOrigins []string
	// TileMaxAge is the Cache-Control max-age of tiles requested without
	// the data version; versioned tile URLs are cached for a year.
	TileMaxAge                             time.Duration
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// StorageTimeout bounds each read of a remote archive (a tile, or a
	// probe of an origin that failed).
	StorageTimeout time.Duration
	// AccessLog logs one line per request.
	AccessLog bool
	// FrameAncestors are the sources allowed to put /embed in a frame
	// (Content-Security-Policy frame-ancestors): "*", "'self'", "'none'"
	// or origins such as https://www.example.org or https://*.example.org.
	FrameAncestors []string

	// Abuse resistance (limits.go, apikeys.go, security.go).
	Limits Limits

	// Registry describes the layers: the style draws them, the API
	// filters and searches them.
	Registry layers.Registry

	// Basemap is an external base map drawn under our layers (none when
	// zero): ParseBasemap reads it, Load fetches a style's document.
	Basemap Basemap
}

// Limits protect the public service from abusive clients. A rate of 0
// turns that limit off.
type Limits struct {
	// Window is the period the request rates below are counted over.
	Window time.Duration
	// API is the number of requests per Window a client IP may make to
	// the JSON API and the OGC API without a key; APIKey the number per
	// valid X-Api-Key; Tiles the number of tile requests per client IP.
	API, APIKey, Tiles int
	// TrustedProxies are the addresses or CIDR ranges of the proxies (load
	// balancer, CDN) whose X-Forwarded-For is believed; from any other
	// peer the header is ignored, so a client cannot pick its own key.
	TrustedProxies []string
	// APIKeys are the valid keys (loaded with ParseAPIKeys); none means
	// the API is anonymous only.
	APIKeys []APIKey
	// MaxQueryLength caps the query string (bytes): longer ones get 414.
	MaxQueryLength int
	// MaxHeaderBytes caps the request line and headers together (bytes):
	// larger ones get 431.
	MaxHeaderBytes int
	// MaxConnections caps simultaneous connections (keep-alive included).
	MaxConnections int
	// MapOrigins are other origins the pages may load map resources from
	// (an external basemap's style, tiles, glyphs and sprites, or a CDN
	// serving the tiles), added to their Content-Security-Policy.
	MapOrigins []string
}

// DefaultConfig holds the documented defaults.
func DefaultConfig() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		CORSOrigins:  []string{"*"},
		TileMaxAge:   time.Hour,
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  120 * time.Second,
		AccessLog:    true,

		FrameAncestors: []string{"*"},
		Limits: Limits{
			Window: time.Minute,
			// 20 API requests and 200 tiles a second per address: a map
			// session needs a small fraction of either, and many users may
			// share one address (offices, mobile carriers' NAT).
			API:            1200,
			APIKey:         12000,
			Tiles:          12000,
			MaxQueryLength: 2048,
			MaxHeaderBytes: 8192,
			MaxConnections: 10000,
		},
		StorageTimeout: 5 * time.Second,
		Registry:       layers.Default(),
	}
}

// Validate checks every field and names the ones that are wrong.
func (c Config) Validate() error {
	var errs []error
	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port (e.g. 127.0.0.1:8080)", c.Addr))
	} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		errs = append(errs, fmt.Errorf("addr %q: host must be an IP address or localhost", c.Addr))
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: bad port", c.Addr))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("public-url %q: want an absolute http(s) URL without query, e.g. https://carte.example.org", c.PublicURL))
		}
	}
	if len(c.CORSOrigins) == 0 {
		errs = append(errs, errors.New("cors-origins: empty (use * to allow any origin)"))
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("cors-origins: %q is not an origin like https://www.example.org", o))
		}
	}
	if len(c.FrameAncestors) == 0 {
		errs = append(errs, errors.New("frame-ancestors: empty (use * to let any site embed the map, 'none' to forbid it)"))
	}
	for _, a := range c.FrameAncestors {
		if !validFrameAncestor(a) {
			errs = append(errs, fmt.Errorf("frame-ancestors: %q is not *, 'self', 'none' or an origin like https://www.example.org or https://*.example.org", a))
		}
	}
	for name, d := range map[string]time.Duration{"read-timeout": c.ReadTimeout, "write-timeout": c.WriteTimeout, "idle-timeout": c.IdleTimeout, "storage-timeout": c.StorageTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", name, d))
		}
	}
	if c.TileMaxAge < 0 {
		errs = append(errs, fmt.Errorf("tile-max-age: must not be negative, got %s", c.TileMaxAge))
	}
	errs = append(errs, c.Limits.validate()...)
	if err := c.Registry.Check(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// links builds the absolute URLs of the documents.
func (c Config) links() api.Links { return api.Links{PublicURL: c.PublicURL} }

// validFrameAncestor accepts the CSP source expressions that make sense
// for frame-ancestors: *, 'self', 'none', or a scheme and host (with an
// optional leading *. wildcard and port), nothing that could break the
// header.
func validFrameAncestor(a string) bool {
	switch a {
	case "*", "'self'", "'none'":
		return true
	}
	if strings.ContainsAny(a, " ;,'\"\t\r\n") {
		return false
	}
	u, err := url.Parse(strings.Replace(a, "://*.", "://wildcard.", 1))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}
