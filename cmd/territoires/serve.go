package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "gocloud.dev/blob/s3blob" // s3:// archives, through go-pmtiles' buckets

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/server"
	"github.com/territoires-industrie/carte/tiles"
)

// envPrefix prefixes the environment variable of every serve flag:
// --public-url is TERRITOIRES_PUBLIC_URL.
const envPrefix = "TERRITOIRES_"

// serveOptions are the serve flags: the server's Config plus where the
// tiles come from.
type serveOptions struct {
	server          server.Config
	tiles           string // archive location; "" builds from data
	data            string // dataset folder for the API (and the build); "" is the embedded one
	cacheDir        string
	maxInMemory     int64
	shutdownTimeout time.Duration
	// API keys: given inline (flag or environment) and/or in a file,
	// which SIGHUP reads again.
	apiKeys, apiKeysFile string
}

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseServeFlags reads the environment, then the flags (which win), and
// validates the result.
func parseServeFlags(args []string, lookupEnv func(string) (string, bool), stdout io.Writer) (serveOptions, error) {
	o := serveOptions{server: server.DefaultConfig(), maxInMemory: 1 << 30, shutdownTimeout: 15 * time.Second}
	if dir, err := os.UserCacheDir(); err == nil {
		o.cacheDir = filepath.Join(dir, "territoires")
	}
	cors := strings.Join(o.server.CORSOrigins, ",")
	frameAncestors := strings.Join(o.server.FrameAncestors, ",")
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stdout)
	fl.StringVar(&o.server.Addr, "addr", o.server.Addr, "listen `address` host:port (use 0.0.0.0:8080 to listen on every interface)")
	fl.StringVar(&o.tiles, "tiles", "", "PMTiles archive: a path, file://, http(s):// or s3:// URL (default: build one from the dataset at start-up)")
	fl.StringVar(&o.data, "data", "", "dataset `folder` searched by the API, and built into tiles when --tiles is not set (default: the embedded data)")
	fl.StringVar(&o.cacheDir, "cache-dir", o.cacheDir, "`folder` where built archives are kept and reused while the data is unchanged")
	fl.StringVar(&o.server.PublicURL, "public-url", "", "absolute base `URL` clients use (behind a proxy/CDN); default: from Forwarded / X-Forwarded-* headers, else the request")
	fl.StringVar(&cors, "cors-origins", cors, "comma-separated allowed `origins`, or *")
	fl.StringVar(&frameAncestors, "frame-ancestors", frameAncestors, "comma-separated `sites` allowed to frame /embed (CSP frame-ancestors): *, 'self', 'none' or origins such as https://www.region.fr")
	fl.DurationVar(&o.server.TileMaxAge, "tile-max-age", o.server.TileMaxAge, "Cache-Control max-age of tiles requested without the data version (versioned URLs: 1 year, immutable)")
	fl.DurationVar(&o.server.ReadTimeout, "read-timeout", o.server.ReadTimeout, "time to read a request")
	fl.DurationVar(&o.server.WriteTimeout, "write-timeout", o.server.WriteTimeout, "time to write a response")
	fl.DurationVar(&o.server.IdleTimeout, "idle-timeout", o.server.IdleTimeout, "keep-alive idle time")
	fl.DurationVar(&o.server.StorageTimeout, "storage-timeout", o.server.StorageTimeout, "time a tile read from a remote archive (http(s)://, s3://) may take before the tile answers 503")
	fl.DurationVar(&o.shutdownTimeout, "shutdown-timeout", o.shutdownTimeout, "time given to requests in flight at SIGTERM/SIGINT")
	fl.Int64Var(&o.maxInMemory, "max-in-memory", o.maxInMemory, "local archives up to this many `bytes` are held in memory")
	fl.BoolVar(&o.server.AccessLog, "access-log", o.server.AccessLog, "log every request")
	// Abuse resistance.
	lim := &o.server.Limits
	var trustedProxies, mapOrigins string
	fl.DurationVar(&lim.Window, "rate-limit-window", lim.Window, "the period rate limits count requests over")
	fl.IntVar(&lim.API, "rate-limit-api", lim.API, "requests per window per client address to the JSON and OGC API without an API key (0: no limit)")
	fl.IntVar(&lim.APIKey, "rate-limit-api-key", lim.APIKey, "requests per window per API key (0: no limit)")
	fl.IntVar(&lim.Tiles, "rate-limit-tiles", lim.Tiles, "tile requests per window per client address (0: no limit)")
	fl.StringVar(&trustedProxies, "trusted-proxies", "", "comma-separated `addresses` or CIDR ranges of the proxies whose X-Forwarded-For gives the client address (default: none, the TCP peer is the client)")
	fl.StringVar(&o.apiKeys, "api-keys", "", "comma-separated API `keys`, each optionally followed by a space and a label; prefer "+envName("api-keys")+" or --api-keys-file (flags show in process lists)")
	fl.StringVar(&o.apiKeysFile, "api-keys-file", "", "`file` of API keys, one per line: the key, then optionally a label; # starts a comment; read again at SIGHUP")
	fl.IntVar(&lim.MaxQueryLength, "max-query-length", lim.MaxQueryLength, "longest query string in `bytes` (414 beyond)")
	fl.IntVar(&lim.MaxHeaderBytes, "max-header-bytes", lim.MaxHeaderBytes, "largest request line and headers together in `bytes` (431 beyond)")
	fl.IntVar(&lim.MaxConnections, "max-connections", lim.MaxConnections, "most simultaneous client connections")
	fl.StringVar(&mapOrigins, "map-origins", "", "comma-separated `origins` the pages may also load map resources from (a tile CDN on another host), added to their Content-Security-Policy (--basemap adds its own)")
	var basemap, basemapAttribution string
	fl.StringVar(&basemap, "basemap", "", "external base map drawn under our layers: a raster tile `template` with {z}, {x} and {y} (https://…/{z}/{x}/{y}.png), or the URL of a MapLibre style, fetched once at start (default: none, the map needs only this server)")
	fl.StringVar(&basemapAttribution, "basemap-attribution", "", "attribution `HTML` of a raster --basemap (a style's sources carry their own; when set, it replaces theirs)")
	fl.Usage = func() {
		fmt.Fprintln(stdout, "usage: territoires serve [flags]   (each flag also reads "+envPrefix+"<FLAG_NAME>, e.g. "+envName("public-url")+")")
		fl.PrintDefaults()
	}
	var errs []error
	fl.VisitAll(func(f *flag.Flag) {
		if v, ok := lookupEnv(envName(f.Name)); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", envName(f.Name), v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return o, err
	}
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("serve: unexpected argument %q", fl.Arg(0))
	}
	o.server.CORSOrigins = nil
	for _, c := range strings.Split(cors, ",") {
		if c = strings.TrimSpace(c); c != "" {
			o.server.CORSOrigins = append(o.server.CORSOrigins, c)
		}
	}
	o.server.FrameAncestors = nil
	for _, a := range strings.Split(frameAncestors, ",") {
		if a = strings.TrimSpace(a); a != "" {
			o.server.FrameAncestors = append(o.server.FrameAncestors, a)
		}
	}
	lim.TrustedProxies = splitList(trustedProxies)
	lim.MapOrigins = splitList(mapOrigins)
	bm, err := server.ParseBasemap(basemap, basemapAttribution)
	if err != nil {
		errs = append(errs, err)
	}
	o.server.Basemap = bm
	keys, err := loadAPIKeys(o)
	if err != nil {
		errs = append(errs, err)
	}
	lim.APIKeys = keys
	errs = append(errs, o.server.Validate())
	if o.tiles == "" && o.cacheDir == "" {
		errs = append(errs, errors.New("cache-dir: no user cache folder on this system, set --cache-dir"))
	}
	if o.shutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown-timeout: must be positive, got %s", o.shutdownTimeout))
	}
	if o.maxInMemory < 0 {
		errs = append(errs, fmt.Errorf("max-in-memory: must not be negative"))
	}
	return o, errors.Join(errs...)
}

// splitList reads a comma-separated list, ignoring blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// loadAPIKeys reads the inline keys and the keys file. Errors name the
// source and the entry, never the key.
func loadAPIKeys(o serveOptions) ([]server.APIKey, error) {
	keys, err := server.ParseAPIKeys(o.apiKeys, ",", "api-keys")
	if err != nil || o.apiKeysFile == "" {
		return keys, err
	}
	text, err := os.ReadFile(o.apiKeysFile)
	if err != nil {
		return nil, fmt.Errorf("api-keys-file: %w", err)
	}
	fromFile, err := server.ParseAPIKeys(string(text), "\n", "api-keys-file "+o.apiKeysFile)
	return append(keys, fromFile...), err
}

// reloadAPIKeysOnHUP reads the API keys again at every SIGHUP (alongside
// the archive reload); a bad file keeps the current keys. Either way the
// server counts it (territoires_api_key_reloads_total).
func reloadAPIKeysOnHUP(ctx context.Context, srv *server.Server, o serveOptions) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			keys, err := loadAPIKeys(o)
			if err == nil {
				err = srv.SetAPIKeys(keys)
			}
			if err != nil {
				srv.APIKeysReloadFailed(err)
			}
		}
	}
}

func runServe(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	o, err := parseServeFlags(args, os.LookupEnv, stdout)
	if err != nil {
		return err
	}
	return serve(ctx, o, logger, nil)
}

// serve runs the server until ctx ends. onListen, if set, is told the
// address once the socket is open (tests listen on 127.0.0.1:0). SIGHUP
// reopens (or rebuilds) the archive and swaps it in; a failed reload keeps
// the current one.
func serve(ctx context.Context, o serveOptions, logger *slog.Logger, onListen func(net.Addr)) error {
	// A base style is fetched before listening: a wrong --basemap stops
	// the start with a clear message. It is not fetched again (SIGHUP
	// reloads the data, not the settings).
	if o.server.Basemap.IsSet() {
		bm, err := o.server.Basemap.Load(ctx, server.BasemapLoad{})
		if err != nil {
			return err
		}
		o.server.Basemap = bm
		logger.Info("base map", "url", bm.URL, "raster", bm.Raster(), "origins", strings.Join(bm.Origins(), " "))
	}
	srv := server.New(o.server, logger)
	if o.apiKeysFile != "" {
		go reloadAPIKeysOnHUP(ctx, srv, o)
	}
	// load reads the dataset (for the API) and opens, or builds, the
	// archive. Nothing is swapped in unless both succeed.
	type loaded struct {
		catalog *api.Catalog
		tileset *server.Tileset
	}
	load := func(ctx context.Context) (loaded, error) {
		ds, err := loadDataset(o.data, o.server.Registry)
		if err != nil {
			return loaded{}, err
		}
		location := o.tiles
		if location == "" {
			if location, err = cachedBuild(ctx, ds, o.server.Registry, o.cacheDir, logger); err != nil {
				return loaded{}, err
			}
		}
		r, err := tiles.Open(ctx, location, o.maxInMemory)
		if err != nil {
			return loaded{}, err
		}
		ts, err := server.NewTileset(r)
		if err != nil {
			r.Close()
			return loaded{}, err
		}
		// Tiles and API must describe the same data: an archive that
		// names another data version is refused (the old pair is kept on
		// reload), rather than maps that disagree with the API.
		if v := ts.DataVersion(); v != "" && v != ds.Version {
			ts.Close()
			return loaded{}, fmt.Errorf("the tile archive %s was built from data version %s, the API's data is version %s: rebuild the archive (territoires build) or point --data at its dataset", location, v, ds.Version)
		}
		cat, err := api.NewCatalog(ds, o.server.Registry)
		if err != nil {
			ts.Close()
			return loaded{}, err
		}
		return loaded{catalog: cat, tileset: ts}, nil
	}
	swap := func(l loaded) {
		srv.SwapCatalog(l.catalog)
		srv.Swap(l.tileset)
	}
	// An archive given by the operator is opened before listening, so that
	// a wrong --tiles stops the start with a clear message.
	if o.tiles != "" {
		l, err := load(ctx)
		if err != nil {
			return err
		}
		swap(l)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	ln, err := net.Listen("tcp", o.server.Addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String())
	if onListen != nil {
		onListen(ln.Addr())
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if o.tiles == "" {
		// Building takes seconds: answer /healthz (and 503 on /readyz)
		// meanwhile.
		go func() {
			l, err := load(ctx)
			if err != nil {
				cancel(fmt.Errorf("building the tiles: %w", err))
				return
			}
			swap(l)
		}()
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading the archive")
				if l, err := load(ctx); err != nil {
					srv.ReloadFailed(err)
				} else {
					swap(l)
				}
			}
		}
	}()
	if err := srv.Serve(ctx, ln, o.shutdownTimeout); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}

// cachedBuild returns an archive of the dataset, built into cacheDir
// unless an archive of the same data and build options is already there.
func cachedBuild(ctx context.Context, ds *dataset.Dataset, reg layers.Registry, cacheDir string, logger *slog.Logger) (string, error) {
	opts := tiles.DefaultOptions()
	opts.Layers = tiles.LayerTilings(reg)
	path := filepath.Join(cacheDir, "territoires-"+opts.CacheKey(ds.Version)+".pmtiles")
	if _, err := os.Stat(path); err == nil {
		logger.Info("reusing the archive built earlier for this data", "path", path, "data_version", ds.Version)
		return path, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	logger.Info("building the tiles of the dataset", "data_version", ds.Version, "path", path)
	start := time.Now()
	opts.TempDir = cacheDir
	stats, err := tiles.BuildFile(ctx, tiles.FromDataset(ds), opts, path)
	if err != nil {
		return "", err
	}
	logger.Info("tiles built", "bytes", stats.Bytes, "tiles", stats.Tiles, "seconds", time.Since(start).Seconds())
	return path, nil
}
