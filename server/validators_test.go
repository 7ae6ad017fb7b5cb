package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Other people's validators, run on what the server publishes: Redocly
// CLI's lint on the OpenAPI document, MapLibre's style-spec validator on
// the style, geojsonhint on GeoJSON answers (RFC 7946, winding included). They come with the front end's npm packages
// (make assets); without them the test is skipped, except where
// TERRITOIRES_REQUIRE_BROWSER=1 (CI) says the tools must be there.
func TestThirdPartyValidatorsAcceptWhatWePublish(t *testing.T) {
	bin := filepath.Join("..", "static", "node_modules", ".bin")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(bin, "redocly")); err != nil || statErr != nil {
		if os.Getenv("TERRITOIRES_REQUIRE_BROWSER") == "1" {
			t.Fatalf("node or the npm validators are missing (run make assets): %v %v", err, statErr)
		}
		t.Skip("node or the npm validators are missing: run make assets")
	}
	s := realServer(t)
	dir := t.TempDir()
	save := func(name, target string) string {
		t.Helper()
		resp, body := do(t, s, "GET", ogcTestBase+target, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(node, args...)
		cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}

	t.Run("Redocly lint of /openapi.json", func(t *testing.T) {
		doc := save("openapi.json", "/openapi.json")
		out, err := run(filepath.Join(bin, "redocly"), "lint", "--config", filepath.Join("..", "static", "test", "redocly.yaml"), "--format", "json", doc)
		var report struct {
			Problems []struct {
				RuleID, Severity, Message string
				Location                  []struct{ Pointer string }
			}
		}
		// The report is the first JSON value of the output (notices around it).
		if jsonErr := json.NewDecoder(strings.NewReader(out[max(0, strings.Index(out, "{")):])).Decode(&report); jsonErr != nil {
			t.Fatalf("redocly: %v %v\n%s", err, jsonErr, out)
		}
		for _, p := range report.Problems {
			where := ""
			if len(p.Location) > 0 {
				where = p.Location[0].Pointer
			}
			t.Errorf("%s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
		}
		if err != nil && len(report.Problems) == 0 {
			t.Errorf("redocly failed without a problem: %v\n%s", err, out)
		}
	})

	t.Run("MapLibre style-spec validation of /style.json", func(t *testing.T) {
		style := save("style.json", "/style.json")
		out, err := run(filepath.Join(bin, "gl-style-validate"), style)
		if err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("gl-style-validate: %v\n%s", err, out)
		}
	})

	t.Run("geojsonhint of GeoJSON answers", func(t *testing.T) {
		for i, target := range []string{
			"/collections/regions/items?limit=20",
			"/collections/departements/items?limit=200",
			"/collections/territoires/items?limit=400",
			"/collections/communes/items?limit=300&bbox=5.5,46.1,5.8,46.4",
			"/collections/communes/items/01283",
			"/api/features/01283",
			"/api/search?q=saint&layers=communes,regions,departements,territoires&format=geojson&limit=50",
			"/api/nearby?lat=46.25&lon=5.65&k=20&format=geojson",
			"/api/sites/site-01/profile?format=geojson",
			"/api/profile?lat=46.25&lon=5.65&format=geojson",
			"/api/territoires/ti-8413/profile?format=geojson",
		} {
			file := save(fmt.Sprintf("answer-%d.geojson", i), target)
			out, err := run(filepath.Join(bin, "geojsonhint"), "--format", "json", file)
			var hints []struct{ Message string }
			if jsonErr := json.Unmarshal([]byte(strings.TrimSpace(out)), &hints); (jsonErr != nil && strings.TrimSpace(out) != "") || (err != nil && len(hints) == 0) {
				t.Errorf("%s: geojsonhint: %v %v\n%s", target, err, jsonErr, out)
				continue
			}
			seen := map[string]int{}
			for _, h := range hints {
				seen[h.Message]++
			}
			for msg, n := range seen {
				t.Errorf("%s: %d× %s", target, n, msg)
			}
		}
	})
}
