package api

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// The query string as the handlers see it: each accepted name once, the
// rest refused with every offending name listed once, sorted.
func TestQueryValuesIn(t *testing.T) {
	app := fiber.New()
	app.Get("/q", func(c *fiber.Ctx) error {
		q, err := queryValuesIn(c, []string{paramLat, paramLon}, []string{paramFields, paramFormat})
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, p := range q {
			b.WriteString(p.name + "=" + p.value + ";")
		}
		return c.SendString(b.String())
	})
	tests := []struct {
		query string
		code  int
		body  string
	}{
		{"", 200, ""},
		{"lat=45.5&lon=4", 200, "lat=45.5;lon=4;"},
		{"format=&lat=1", 200, "format=;lat=1;"},
		{"fields=a%2Cb&lon=%2B4", 200, "fields=a,b;lon=+4;"},
		{"lat=1&zoom=3&colour=red&zoom=4", 400, "unknown parameter(s) colour, zoom; this route accepts fields, format, lat, lon"},
		{"lat=1&lat=2&lat=3&lon=1&lon=1", 400, "parameter(s) lat, lon given more than once"},
		{"zoom=1&zoom=2&lat=1&lat=2", 400, "unknown parameter(s) zoom;"},
	}
	for _, tt := range tests {
		resp, err := app.Test(httptest.NewRequest("GET", "/q?"+tt.query, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tt.code || !strings.HasPrefix(string(body), tt.body) {
			t.Errorf("?%s: %d %q, want %d %q", tt.query, resp.StatusCode, body, tt.code, tt.body)
		}
	}
}

func TestQueryAccessors(t *testing.T) {
	q := query{{paramLat, "45"}, {paramFormat, ""}}
	if q.Get(paramLat) != "45" || q.Get(paramLon) != "" || !q.Has(paramFormat) || q.Has(paramLon) {
		t.Errorf("Get/Has of %v", q)
	}
	csv := q.with(paramFormat, formatCSV)
	if csv.Get(paramFormat) != formatCSV || len(csv) != 2 || q.Get(paramFormat) != "" {
		t.Errorf("with: %v (from %v, which must not change)", csv, q)
	}
	if got := csv.values().Encode(); got != "format=csv&lat=45" {
		t.Errorf("values().Encode() = %q", got)
	}
}
