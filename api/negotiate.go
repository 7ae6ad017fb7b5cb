package api

import (
	"slices"
	"strconv"
	"strings"
)

// Content negotiation: Accept (which format) and Accept-Encoding (which
// compression) share one reader of weighted lists (RFC 9110 §12.4.2).

// weighted is one entry of an Accept-style header: a lowercased value
// and its quality, 1 when absent.
type weighted struct {
	value string
	q     float64
}

// weightedList reads "a;q=0.5, b" into its entries, in order. A quality
// that is not a number from 0 to 1 counts as 1, as if absent.
func weightedList(header string) []weighted {
	var out []weighted
	for _, part := range strings.Split(header, ",") {
		value, params, _ := strings.Cut(part, ";")
		w := weighted{value: strings.ToLower(strings.TrimSpace(value)), q: 1}
		if w.value == "" {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					w.q = f
				}
			}
		}
		out = append(out, w)
	}
	return out
}

// PrefersHTML says whether an Accept header asks for HTML rather than
// JSON (see prefers).
func PrefersHTML(accept string) bool { return prefers(accept, mediaHTML) }

// PrefersCSV says whether an Accept header asks for CSV rather than JSON
// (see prefers).
func PrefersCSV(accept string) bool { return prefers(accept, mediaCSV) }

// prefers says whether an Accept header asks for media rather than JSON:
// media must be named and weigh more than JSON does (through
// application/json, application/geo+json, application/* or */*). No
// Accept, */* or a tie means JSON, the format of the standard and of
// programs such as GDAL.
func prefers(accept, media string) bool {
	mediaQ, mediaSpec := -1.0, -1
	jsonQ, jsonSpec := 0.0, -1
	for _, w := range weightedList(accept) {
		// The most specific range decides (RFC 9110 §12.5.1).
		switch w.value {
		case media:
			mediaQ, mediaSpec = w.q, 2
		case "application/json", "application/geo+json":
			if jsonSpec < 2 || w.q > jsonQ {
				jsonQ, jsonSpec = w.q, 2
			}
		case "application/*":
			if jsonSpec < 1 {
				jsonQ, jsonSpec = w.q, 1
			}
		case "*/*":
			if jsonSpec < 0 {
				jsonQ, jsonSpec = w.q, 0
			}
		}
	}
	return mediaSpec == 2 && mediaQ > 0 && mediaQ > jsonQ
}

// AcceptsCoding says whether an Accept-Encoding header accepts one of the
// codings (aliases such as gzip and x-gzip) with a non-zero quality. An
// entry naming the coding wins over *, as RFC 9110 says.
func AcceptsCoding(header string, codings ...string) bool {
	named, star := false, false
	for _, w := range weightedList(header) {
		ok := w.q > 0
		switch {
		case w.value == "*":
			star = star || ok
		case slices.Contains(codings, w.value):
			if ok {
				return true
			}
			named = true // refused by name: * no longer applies
		}
	}
	return !named && star
}
