package server

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/territoires-industrie/carte/api"
)

// Per-client rate limits (fixed windows, in memory: each replica counts
// its own clients; ratelimit.go). Each route of the route table draws on
// one budget (api.Budget): the JSON and OGC API per client IP without a
// key, or per valid X-Api-Key (usually higher); tiles per client IP, much
// higher (a map view loads dozens); the rest (pages, files, TileJSON, the
// style, health, metrics) is not limited.

// bodyLimit caps request bodies: every route is read-only (GET, HEAD,
// OPTIONS), so a body is never needed.
const bodyLimit = 16 << 10

// Reasons a request is refused by the guard, the label of
// territoires_rejected_requests_total.
const (
	rejectAPI      = "rate_limit_api"
	rejectAPIKey   = "rate_limit_api_key"
	rejectTiles    = "rate_limit_tiles"
	rejectKey      = "unknown_api_key"
	rejectQuery    = "query_too_long"
	rejectEncoding = "invalid_utf8"
)

// localAPIKey is the Fiber local of a request made with a valid API key:
// its label, for the access log.
const localAPIKey = "territoires.apiKeyLabel"

// guard holds the abuse protections: client addresses, keys, limiters
// and their counters.
type guard struct {
	trusted  []netip.Prefix
	keys     keyring
	rejected *prometheus.CounterVec
	keyUses  *prometheus.CounterVec
	// The three limiters; nil when that limit is off. Clients are counted
	// by address prefix (clientPrefix), keys by their id.
	api, tiles *windowLimiter[netip.Prefix]
	apiKey     *windowLimiter[apiKeyID]
}

// apiKeyID names an API key in the limiter: the first bytes of its hash.
type apiKeyID [8]byte

func (s *Server) newGuard() *guard {
	l := s.cfg.Limits
	g := &guard{
		trusted: parsePrefixes(l.TrustedProxies),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "territoires_rejected_requests_total",
			Help: "Requests refused by the abuse protections, by reason (rate limit reached, unknown API key, query too long, invalid UTF-8).",
		}, []string{"reason"}),
		keyUses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "territoires_api_key_requests_total",
			Help: "API requests made with a valid X-Api-Key, by key label.",
		}, []string{"label"}),
	}
	for _, r := range []string{rejectAPI, rejectAPIKey, rejectTiles, rejectKey, rejectQuery, rejectEncoding} {
		g.rejected.WithLabelValues(r) // present at 0 from the start
	}
	s.metrics.registry.MustRegister(g.rejected, g.keyUses)
	g.keys.set(l.APIKeys)

	g.api = newLimiter[netip.Prefix](g, l.API, l.Window, rejectAPI, "the API allows %d requests per %s per client address without an API key")
	g.apiKey = newLimiter[apiKeyID](g, l.APIKey, l.Window, rejectAPIKey, "the API allows %d requests per %s per API key")
	g.tiles = newLimiter[netip.Prefix](g, l.Tiles, l.Window, rejectTiles, "tiles are limited to %d requests per %s per client address")
	return g
}

// newLimiter is a fixed-window limiter of perWindow requests per window,
// or nil when perWindow is 0. Its 429 goes through the server's error
// handler (JSON like every error), with Retry-After in seconds.
func newLimiter[K comparable](g *guard, perWindow int, window time.Duration, reason, format string) *windowLimiter[K] {
	if perWindow <= 0 {
		return nil
	}
	msg := "rate limit reached: " + fmt.Sprintf(format, perWindow, shortDuration(window)) + "; retry after the number of seconds in Retry-After"
	counter := g.rejected.WithLabelValues(reason)
	return newWindowLimiter[K](perWindow, window, func(c *fiber.Ctx, retryAfter int64) error {
		counter.Inc()
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(retryAfter, 10))
		return fiber.NewError(fiber.StatusTooManyRequests, msg)
	})
}

// handler applies the budget of the request's route. On API routes an
// X-Api-Key header must name a valid key (401 otherwise: a typo in a key
// must not silently fall back to the anonymous limits); without the
// header the client is anonymous.
func (g *guard) handler(c *fiber.Ctx) error {
	switch budgetOf(c) {
	case api.BudgetTiles:
		if g.tiles != nil {
			return g.tiles.handle(c, g.clientPrefix(c))
		}
	case api.BudgetAPI:
		if presented := c.Request().Header.Peek(HeaderAPIKey); len(presented) > 0 {
			k, ok := g.keys.lookup(string(presented))
			if !ok {
				g.rejected.WithLabelValues(rejectKey).Inc()
				c.Set(fiber.HeaderWWWAuthenticate, `ApiKey header="`+HeaderAPIKey+`"`)
				return fiber.NewError(fiber.StatusUnauthorized, "unknown API key in "+HeaderAPIKey+": check it, or send no key to use the anonymous limits")
			}
			g.keyUses.WithLabelValues(k.Label).Inc()
			c.Locals(localAPIKey, k.Label)
			if g.apiKey != nil {
				return g.apiKey.handle(c, apiKeyID(k.hash[:8])) // a hash prefix, never the key
			}
			return c.Next()
		}
		if g.api != nil {
			return g.api.handle(c, g.clientPrefix(c))
		}
	}
	return c.Next()
}

// clientIP is the address of the client: the TCP peer, unless the peer is
// a trusted proxy; then X-Forwarded-For is read from the right (the entry
// the nearest proxy appended) skipping our own proxies, and the first
// address that is not one of them is the client. Entries further left were
// written by the client and could be anything, which is why Fiber's
// ProxyHeader (which takes the leftmost entry) is not used.
func (g *guard) clientIP(c *fiber.Ctx) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if !g.isTrusted(peer) {
		return peer
	}
	client := peer
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage from a proxy we trust: keep the last good hop
		}
		client = a.Unmap()
		if !g.isTrusted(client) {
			break
		}
	}
	return client
}

// clientPrefix is the rate-limit key of the client: its IPv4 address, or
// its IPv6 /64 (one subscriber usually has a whole /64 to pick addresses
// from).
func (g *guard) clientPrefix(c *fiber.Ctx) netip.Prefix {
	a := g.clientIP(c)
	bits := a.BitLen()
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

func (g *guard) isTrusted(a netip.Addr) bool {
	for _, p := range g.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePrefix reads an address ("10.0.0.1") or a CIDR range
// ("10.0.0.0/8") as a prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parsePrefixes reads prefixes already checked by Validate.
func parsePrefixes(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// validate checks the limits; Config.Validate joins the errors.
func (l Limits) validate() []error {
	var errs []error
	if l.Window < time.Second {
		errs = append(errs, fmt.Errorf("rate-limit-window: must be at least 1s, got %s", l.Window))
	}
	for name, n := range map[string]int{"rate-limit-api": l.API, "rate-limit-api-key": l.APIKey, "rate-limit-tiles": l.Tiles} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s: must be 0 (no limit) or a positive number of requests, got %d", name, n))
		}
	}
	for _, s := range l.TrustedProxies {
		if _, err := parsePrefix(s); err != nil {
			errs = append(errs, fmt.Errorf("trusted-proxies: %q is not an IP address or CIDR range such as 10.0.0.0/8", s))
		}
	}
	if err := validateAPIKeys(l.APIKeys); err != nil {
		errs = append(errs, err)
	}
	if l.MaxQueryLength < 256 {
		errs = append(errs, fmt.Errorf("max-query-length: must be at least 256 bytes, got %d", l.MaxQueryLength))
	}
	if l.MaxHeaderBytes < 4096 {
		errs = append(errs, fmt.Errorf("max-header-bytes: must be at least 4096, got %d", l.MaxHeaderBytes))
	}
	if l.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("max-connections: must be positive, got %d", l.MaxConnections))
	}
	for _, o := range l.MapOrigins {
		if !validOrigin(o) {
			errs = append(errs, fmt.Errorf("map-origins: %q is not an origin like https://tiles.example.org", o))
		}
	}
	return errs
}

// shortDuration writes 1m rather than 1m0s.
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
