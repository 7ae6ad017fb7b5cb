package server

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseTilePath(t *testing.T) {
	tests := []struct {
		in      string
		z, x, y int
		ok      bool
	}{
		{"0/0/0.mvt", 0, 0, 0, true},
		{"12/2047/1400.pbf", 12, 2047, 1400, true},
		{"30/1073741823/1073741823.mvt", 30, 1<<30 - 1, 1<<30 - 1, true},
		{"007/1/2.mvt", 7, 1, 2, true},
		{"30/1073741824/0.mvt", 0, 0, 0, false},
		{"1/2/0.mvt", 0, 0, 0, false},
		{"-1/0/0.mvt", 0, 0, 0, false},
		{"1/0/0.MVT", 0, 0, 0, false},
		{"1/0/.mvt", 0, 0, 0, false},
		{"1//0.mvt", 0, 0, 0, false},
		{"1 /0/0.mvt", 0, 0, 0, false},
		{"1/0/0.mvt/", 0, 0, 0, false},
		{"99999999999/0/0.mvt", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			z, x, y, err := parseTilePath(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (z != tt.z || x != tt.x || y != tt.y) {
				t.Errorf("got %d/%d/%d, want %d/%d/%d", z, x, y, tt.z, tt.x, tt.y)
			}
			if !tt.ok && !errors.Is(err, errTilePath) {
				t.Errorf("error %v does not wrap errTilePath", err)
			}
		})
	}
}

func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"0/0/0.mvt", "12/2047/1400.pbf", "31/0/0.mvt", "1/2/3", "a/b/c.mvt", "-1/-1/-1.mvt", "3/1/1/1.mvt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		z, x, y, err := parseTilePath(s)
		if err != nil {
			if !errors.Is(err, errTilePath) {
				t.Fatalf("error %v does not wrap errTilePath", err)
			}
			return
		}
		if z < 0 || z > maxZoom || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
			t.Fatalf("%q accepted as %d/%d/%d, outside the grid", s, z, x, y)
		}
		// Accepted paths are the canonical ones, up to leading zeros.
		canon := fmt.Sprintf("%d/%d/%d", z, x, y)
		trimmed := strings.TrimSuffix(strings.TrimSuffix(s, ".mvt"), ".pbf")
		var a, b, c int
		if n, _ := fmt.Sscanf(trimmed, "%d/%d/%d", &a, &b, &c); n != 3 || fmt.Sprintf("%d/%d/%d", a, b, c) != canon {
			t.Fatalf("%q accepted as %s", s, canon)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"defaults", func(*Config) {}, ""},
		{"every interface", func(c *Config) { c.Addr = "0.0.0.0:8080" }, ""},
		{"no port", func(c *Config) { c.Addr = "127.0.0.1" }, "addr"},
		{"host name", func(c *Config) { c.Addr = "example.org:80" }, "IP address"},
		{"relative public URL", func(c *Config) { c.PublicURL = "/carte" }, "public-url"},
		{"public URL with query", func(c *Config) { c.PublicURL = "https://a.example?x=1" }, "public-url"},
		{"bad origin", func(c *Config) { c.CORSOrigins = []string{"www.example.org"} }, "cors-origins"},
		{"no origin", func(c *Config) { c.CORSOrigins = nil }, "cors-origins"},
		{"zero timeout", func(c *Config) { c.WriteTimeout = 0 }, "write-timeout"},
		{"negative max age", func(c *Config) { c.TileMaxAge = -1 }, "tile-max-age"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
