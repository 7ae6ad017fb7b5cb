package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"status":"` + r.URL.Path[1:] + `"}`))
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	out, err := runCLI("healthcheck", "--addr", addr)
	if err != nil || !strings.Contains(out, `{"status":"healthz"}`) {
		t.Errorf("healthy server: %v, output %q", err, out)
	}
	// The container sets --addr 0.0.0.0:8080 for serve: healthcheck reads
	// the same setting and must reach the server over loopback.
	t.Setenv("TERRITOIRES_ADDR", "0.0.0.0:"+port)
	if out, err := runCLI("healthcheck", "--path", "/readyz"); err != nil || !strings.Contains(out, `"readyz"`) {
		t.Errorf("wildcard address from the environment: %v, output %q", err, out)
	}
	status = http.StatusServiceUnavailable
	if _, err := runCLI("healthcheck"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("server answering 503: want an error naming the status, got %v", err)
	}
	if _, err := runCLI("healthcheck", "--path", "/nothing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown path: want a 404 error, got %v", err)
	}
	srv.Close()
	if _, err := runCLI("healthcheck"); err == nil {
		t.Error("no server listening: want an error")
	}
	for _, args := range [][]string{{"--addr", "nohostport"}, {"--path", "healthz"}, {"extra"}} {
		if _, err := runCLI(append([]string{"healthcheck"}, args...)...); err == nil {
			t.Errorf("healthcheck %q: want an error", args)
		}
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":8080":          "http://127.0.0.1:8080/healthz",
		"[::]:8080":      "http://127.0.0.1:8080/healthz",
		"127.0.0.1:9000": "http://127.0.0.1:9000/healthz",
		"[::1]:9000":     "http://[::1]:9000/healthz",
		"example.org:80": "http://example.org:80/healthz",
	} {
		if got, err := healthURL(addr, "/healthz"); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}

func TestVersion(t *testing.T) {
	old := version
	version = "v9.9.9-test"
	defer func() { version = old }()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if out, err := runCLI(args...); err != nil || out != "territoires v9.9.9-test\n" {
			t.Errorf("%q: %q, %v", args, out, err)
		}
	}
	if _, err := runCLI("version", "x"); err == nil {
		t.Error("version with an argument: want an error")
	}
}
