package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/pages"
)

// Server serves one tileset at a time; Swap replaces it atomically while
// requests keep flowing (readers never lock).
type Server struct {
	cfg     Config
	logger  *slog.Logger
	app     *fiber.App
	api     *api.API
	pages   *pages.Pages
	table   routeTable
	tileset atomic.Pointer[Tileset]
	statics sync.Map // embedded file name → *staticFile, read once
	metrics *metrics
	guard   *guard // rate limits and API keys (limits.go)
	pageCSP string // Content-Security-Policy of the pages (security.go)
	// tileCacheControl is the Cache-Control of unversioned tile URLs.
	tileCacheControl []byte
	// retire closes a replaced tileset once requests that may still hold
	// it are done (they cannot outlive the write timeout).
	retireAfter time.Duration
	probe       probeSettings // of the storage, once a read failed
	loads       loadStatus
}

// New builds the server and its routes. It is not ready (503 on /readyz,
// tiles and API) until Swap gives it a tileset and SwapCatalog a catalog.
func New(cfg Config, logger *slog.Logger) *Server {
	s := &Server{cfg: cfg, logger: logger, metrics: newMetrics(), retireAfter: 2 * cfg.WriteTimeout,
		probe: defaultProbeSettings(cfg.StorageTimeout)}
	s.app = fiber.New(fiber.Config{
		AppName:               "territoires",
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          s.handleError,
		BodyLimit:             bodyLimit,
		ReadBufferSize:        cfg.Limits.MaxHeaderBytes,
		// An answer bigger than the write buffer leaves in one writev, its
		// body straight from where it is (the archive in memory); a smaller
		// one is copied into the buffer and written once. So the buffer is
		// small: it holds the headers, and the copy is kept for bodies too
		// small for it to matter (most tiles of a map session are bigger:
		// their median is 13 KB). Each connection that answered keeps one.
		WriteBufferSize: 4 << 10,
		Concurrency:     cfg.Limits.MaxConnections,
		// Routing is exact, as the route table's lookup is: /Tiles/… is
		// not /tiles/… (it would escape the tiles' rate limit).
		CaseSensitive: true,
		StrictRouting: true,
	})
	s.api = api.New(api.Config{
		Links:      cfg.links(),
		Registry:   cfg.Registry,
		MapPage:    s.handleMapPage,
		Routes:     func() []api.Route { return s.table },
		RateLimits: api.RateLimits{API: cfg.Limits.API > 0 || cfg.Limits.APIKey > 0, Tiles: cfg.Limits.Tiles > 0, KeyHeader: HeaderAPIKey},
	})
	s.pages = pages.New(pages.Config{
		Registry: cfg.Registry,
		Links:    cfg.links(),
		Assets:   assetsPrefix,
		Profiles: func() pages.Profiles {
			if cat := s.api.Catalog(); cat != nil && cat.Profiles != nil {
				return cat.Profiles
			}
			return nil
		},
	})
	s.table = s.routes()
	s.guard = s.newGuard()
	s.pageCSP = pagePolicy(pageOrigins(cfg))
	s.tileCacheControl = tileCacheControl(cfg.TileMaxAge)
	s.app.Use(s.observe)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.logger.Error("panic in handler", "path", c.Path(), "panic", e)
	}}))
	s.app.Use(s.securityHeaders)
	s.app.Use(allowReadOnly)
	s.app.Use(cors.New(cors.Config{
		AllowOrigins:  strings.Join(cfg.CORSOrigins, ","),
		AllowMethods:  "GET,HEAD,OPTIONS",
		ExposeHeaders: "ETag,Content-Encoding,Content-Length,Content-Disposition,Link,Retry-After,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset",
		MaxAge:        86400,
	}))
	s.app.Use(s.guard.handler)
	s.app.Use(s.checkRequest)
	// JSON answers are compressed (Brotli or gzip, at the fastest level)
	// for clients that accept it: a 9 KB nearby answer travels as about
	// 1.5 KB, the 24 KB style as 4 KB (and a merged external base style,
	// often hundreds of KB). Tiles and pages carry their own compressed
	// bytes.
	s.app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed, Next: func(c *fiber.Ctx) bool {
		r := routeOf(c)
		return r == nil || r.Budget != api.BudgetAPI && !r.Compress
	}}))
	s.table.register(s.app)
	return s
}

// localRoute is the Fiber local holding the request's *api.Route (nil
// when no route serves the path), set once by observe.
const localRoute = "territoires.route"

// routeOf is the request's route, nil when none serves its path.
func routeOf(c *fiber.Ctx) *api.Route {
	r, _ := c.Locals(localRoute).(*api.Route)
	return r
}

// budgetOf is the rate-limit budget of the request's route.
func budgetOf(c *fiber.Ctx) api.Budget {
	if r := routeOf(c); r != nil {
		return r.Budget
	}
	return api.BudgetFree
}

// SwapCatalog installs c for the API routes.
func (s *Server) SwapCatalog(c *api.Catalog) {
	s.api.Swap(c)
	s.logger.Info("catalog ready", "data_version", c.Version, "layers", len(c.Manifest.Layers))
}

// App is the Fiber application, for tests (app.Test) and Listener.
func (s *Server) App() *fiber.App { return s.app }

// Swap installs ts and retires the previous tileset, if any.
func (s *Server) Swap(ts *Tileset) {
	ts.storage = newStorageHealth(ts.reader.Probe, s.probe)
	ts.storage.notify = s.storageChanged
	old := s.tileset.Swap(ts)
	s.loaded(ts)
	s.logger.Info("tileset ready", "version", ts.Version, "minzoom", ts.minZoom(), "maxzoom", ts.maxZoom())
	if old != nil && old != ts {
		old.storage.close() // its state no longer matters
		time.AfterFunc(s.retireAfter, func() { old.Close() })
	}
}

// ReloadFailed records a reload that kept the old tileset: /readyz and
// the metrics report it.
func (s *Server) ReloadFailed(err error) {
	s.reloadFailed(err)
	s.logger.Error("reload failed, still serving the previous archive", "err", err)
}

// Serve answers on ln until ctx ends, then shuts down gracefully: requests
// in flight finish, new connections are refused.
func (s *Server) Serve(ctx context.Context, ln net.Listener, shutdownTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.app.ShutdownWithContext(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// A shutdown that comes before the listener goroutine has started
	// serving does not know the listener: closing it ends Listener.
	ln.Close()
	<-errc
	if ts := s.tileset.Load(); ts != nil {
		ts.Close()
	}
	return nil
}

// observe logs and measures every request, whatever its outcome.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	r := s.table.lookup(c.Path())
	c.Locals(localRoute, r)
	// Labels are constants of the route table; the path is cloned only for
	// the access log because Fiber's strings point into buffers reused
	// after the handler.
	route, method := otherLabel, methodLabel(c.Method())
	if r != nil {
		route = r.Label
	}
	var path string
	if s.cfg.AccessLog {
		path = strings.Clone(c.Path())
	}
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now, so that the status
		// we record is the one sent.
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	s.metrics.observe(route, method, status, elapsed)
	if s.cfg.AccessLog {
		attrs := []slog.Attr{slog.String("method", c.Method()), slog.String("path", path),
			slog.Int("status", status), slog.Int("bytes", len(c.Response().Body())),
			slog.Duration("duration", elapsed), slog.String("remote", s.guard.clientIP(c).String())}
		if label, ok := c.Locals(localAPIKey).(string); ok {
			attrs = append(attrs, slog.String("api_key", label)) // the label, never the key
		}
		s.logger.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs...)
	}
	return nil
}

// allowReadOnly answers 405 to anything but GET, HEAD and OPTIONS: the
// service has no write operation.
func allowReadOnly(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	c.Set(fiber.HeaderAllow, "GET, HEAD, OPTIONS")
	return fiber.NewError(fiber.StatusMethodNotAllowed, "method "+c.Method()+" is not allowed: this API is read-only (GET, HEAD)")
}
