// Command profile runs the tile server as `territoires serve --tiles` does
// (same server.New, Tileset and Serve), with a CPU profile, so that a wrk
// run of the load benchmark shows where the server's time goes (the API
// routes serve the embedded dataset):
//
//	go run ./server/bench/profile -tiles ARCHIVE -addr 127.0.0.1:PORT -seconds 12 -o cpu.pprof &
//	wrk -t2 -c64 -d10s -s server/bench/paths.lua http://127.0.0.1:PORT -- list=LIST prefix=/tiles/
//	go tool pprof -top cpu.pprof
//
// The server stops by itself after -seconds (or at SIGINT/SIGTERM) and
// writes the profile.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/data"
	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/server"
	"github.com/territoires-industrie/carte/tiles"
)

func main() {
	archive := flag.String("tiles", "", "PMTiles archive")
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	seconds := flag.Int("seconds", 12, "serve this long, then stop and write the profile")
	out := flag.String("o", "cpu.pprof", "CPU profile file")
	flag.Parse()
	if err := run(*archive, *addr, time.Duration(*seconds)*time.Second, *out); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}

func run(archive, addr string, d time.Duration, out string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	r, err := tiles.Open(ctx, archive, 1<<30)
	if err != nil {
		return err
	}
	ts, err := server.NewTileset(r)
	if err != nil {
		return err
	}
	cfg := server.DefaultConfig()
	cfg.Addr = addr
	cfg.AccessLog = false
	// Rate limits on, as load.sh runs them: every request counted, never
	// refused (one client hammers on purpose).
	cfg.Limits.API, cfg.Limits.Tiles = 1_000_000_000, 1_000_000_000
	srv := server.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Swap(ts)
	ds, err := dataset.Load(data.FS) // for the API routes
	if err != nil {
		return err
	}
	cat, err := api.NewCatalog(ds, layers.Default())
	if err != nil {
		log.Fatal(err)
	}
	srv.SwapCatalog(cat)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	fmt.Fprintln(os.Stderr, "profile: serving on", ln.Addr(), "for", d)
	return srv.Serve(ctx, ln, 5*time.Second)
}
