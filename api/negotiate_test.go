package api

import "testing"

// browserAccept is what a browser sends when it opens a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

func TestPrefersHTML(t *testing.T) {
	tests := map[string]bool{
		"":                             false,
		"*/*":                          false,
		"application/json":             false,
		"text/html":                    true,
		browserAccept:                  true,
		"text/html;q=0.5, */*":         false,
		"text/html, application/*;q=1": false,
		"text/html;q=0":                false,
		"TEXT/HTML; Q=0.9, */*;q=0.1":  true,
		"application/json;q=0.2, text/html;q=0.3": true,
	}
	for accept, want := range tests {
		if got := PrefersHTML(accept); got != want {
			t.Errorf("PrefersHTML(%q) = %v, want %v", accept, got, want)
		}
	}
}

// One reading of Accept-Encoding for tiles (gzip) and pages (br, gzip).
func TestAcceptsCoding(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip":                  true,
		"x-gzip":                true,
		"GZIP;q=0.5":            true,
		"deflate, br":           false,
		"*":                     true,
		"gzip;q=0":              false,
		"gzip;q=0, *":           false, // refused by name: * does not apply
		"br;q=0, *;q=0.1":       true,
		"identity, *;q=0":       false,
		"":                      false,
		"gzip;q=oops":           true, // an unreadable q counts as 1
		" gzip ; q=0.001 , br ": true,
	} {
		if got := AcceptsCoding(header, "gzip", "x-gzip"); got != want {
			t.Errorf("AcceptsCoding(%q, gzip) = %v, want %v", header, got, want)
		}
	}
	if AcceptsCoding("gzip, br;q=0", "br") || !AcceptsCoding("gzip, br", "br") {
		t.Error("br: q=0 must refuse it, a plain entry accept it")
	}
}

func TestPrefersCSV(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                   false,
		"*/*":                                false,
		browserAccept:                        false,
		"text/csv":                           true,
		"Text/CSV; charset=utf-8":            true,
		"text/csv;q=0":                       false,
		"text/csv;q=0.5, application/json":   false,
		"text/csv, application/geo+json":     false, // a tie: JSON
		"application/json;q=0.5, text/csv":   true,
		"text/csv;q=0.9, */*;q=0.1":          true,
		"text/html, text/csv;q=0.9, */*;q=1": false,
	} {
		if got := PrefersCSV(accept); got != want {
			t.Errorf("PrefersCSV(%q) = %v, want %v", accept, got, want)
		}
	}
}
