// Command territoires builds and serves the Territoires d'industrie map:
// `serve` (the default) serves vector tiles over HTTP, `build` turns a
// dataset into a PMTiles archive, `import` turns the official open data
// into the dataset in data/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error
}

func commands() []command {
	return []command{
		{"serve", "serve the tiles over HTTP (the default)", runServe},
		{"build", "build a PMTiles archive from a dataset", runBuild},
		{"import", "import the official open data into a dataset folder", runImport},
		{"healthcheck", "exit 0 if the running server answers /healthz (for containers)", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Stdout, logger); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "territoires:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(ctx, nil, stdout, logger)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		return runServe(ctx, args, stdout, logger) // serve is the default
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, logger)
		}
	}
	usage(stdout)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: territoires <subcommand> [flags]  (territoires <subcommand> -h for its flags)")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
