package server

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The pages of a site and of a territory, as the server sends them: HTML
// under the pages' Content-Security-Policy, their stylesheet versioned,
// and their links to the JSON profile and to the other pages answered.
// What they show is tested in the pages package.
func TestPagesOfSitesAndTerritories(t *testing.T) {
	s := realServer(t)
	site := getList(t, s, "/api/nearby?lat=45.76&lon=4.84&k=1&layers=sites").Results[0].ID
	href := regexp.MustCompile(`href="([^"]+)"`)
	for _, target := range []string{"/sites/" + url.PathEscape(site), "/territoires/ti-2704", "/territoires/ti-2704?period=2018-2023&lang=en"} {
		t.Run(target, func(t *testing.T) {
			resp, body := do(t, s, "GET", target, map[string]string{"Accept": browserAccept})
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, pagePolicy(nil)) || !strings.HasSuffix(csp, "frame-ancestors 'self'") {
				t.Errorf("CSP %q", csp)
			}
			page := string(body)
			if !strings.Contains(page, assetsPrefix+"/pages.css") || !strings.Contains(page, assetsPrefix+"/vendor/dsfr/dsfr.min.css") {
				t.Error("the stylesheets are not the versioned ones")
			}
			followed := 0
			for _, m := range href.FindAllStringSubmatch(page, -1) {
				u := strings.ReplaceAll(m[1], "&amp;", "&")
				u = strings.TrimPrefix(u, ogcTestBase)
				if !strings.HasPrefix(u, "/api/") && !strings.HasPrefix(u, "/sites/") && !strings.HasPrefix(u, "/territoires/") && !strings.HasPrefix(u, "/static/") {
					continue
				}
				r, b := do(t, s, "GET", u, nil)
				if r.StatusCode != 200 {
					t.Errorf("link %s: %d %s", u, r.StatusCode, b)
				}
				if strings.HasPrefix(u, "/api/") {
					var v map[string]any
					if err := json.Unmarshal(b, &v); err != nil {
						t.Errorf("link %s: not JSON", u)
					}
				}
				followed++
			}
			if followed < 3 {
				t.Errorf("only %d links followed", followed)
			}
		})
	}
	// An unknown id: a page, 404, for browsers; JSON for programs that ask.
	resp, body := do(t, s, "GET", "/territoires/ti-0000", map[string]string{"Accept": browserAccept})
	if resp.StatusCode != 404 || !strings.Contains(string(body), "ti-0000") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown territory: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = do(t, s, "GET", "/sites/nope", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"error"`) {
		t.Errorf("unknown site for a program: %d %s", resp.StatusCode, body)
	}
}
