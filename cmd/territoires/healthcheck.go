package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// version is the release, set at build time:
// go build -ldflags "-X main.version=v1.2.3" ./cmd/territoires
var version = "dev"

func runVersion(_ context.Context, args []string, stdout io.Writer, _ *slog.Logger) error {
	if len(args) > 0 {
		return fmt.Errorf("version: unexpected argument %q", args[0])
	}
	fmt.Fprintln(stdout, "territoires", version)
	return nil
}

// runHealthcheck asks the running server's /healthz and fails unless it
// answers 200. It is the container's HEALTHCHECK: the runtime image has no
// shell, curl or wget. It reads the same --addr / TERRITOIRES_ADDR as serve.
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer, _ *slog.Logger) error {
	addr := "127.0.0.1:8080"
	if v, ok := os.LookupEnv(envName("addr")); ok {
		addr = v
	}
	fl := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fl.SetOutput(stdout)
	fl.StringVar(&addr, "addr", addr, "`address` the server listens on (as serve's --addr; 0.0.0.0 or :port means this machine)")
	path := fl.String("path", "/healthz", "`path` to ask (/readyz also waits for the data)")
	timeout := fl.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("healthcheck: unexpected argument %q", fl.Arg(0))
	}
	url, err := healthURL(addr, *path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s: %s", url, resp.Status, body)
	}
	fmt.Fprintf(stdout, "%s: %s\n", url, body)
	return nil
}

// healthURL turns a listen address into a URL to reach it from this
// machine: a wildcard host (0.0.0.0, ::, or none) becomes loopback.
func healthURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("healthcheck: addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	if len(path) == 0 || path[0] != '/' {
		return "", fmt.Errorf("healthcheck: path %q must start with /", path)
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}
