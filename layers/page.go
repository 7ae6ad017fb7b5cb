package layers

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// A layer's page address (Layer.Page): the pages package mounts its path,
// the pages and the map fill it in for one feature.

// PageIDField is the placeholder of a page address that stands for the
// feature's id.
const PageIDField = "id"

// PagePath is the path of the layer's page address, its last segment the
// placeholder ("/sites/{id}"), and the placeholder's field; "" when the
// layer has no page.
func (l Layer) PagePath() (path, field string) {
	path, _, _ = strings.Cut(l.Page, "?")
	i := strings.LastIndex(path, "/")
	if l.Page == "" || i < 0 {
		return "", ""
	}
	return path, strings.Trim(path[i+1:], "{}")
}

// PageURL fills the layer's page address with a feature's values (value
// returns "" for a field the feature lacks; PageIDField asks its id). It
// is "" when the layer has no page or a value is missing. Values are
// escaped: the path segment as a path, the query as a query.
func (l Layer) PageURL(value func(field string) string) string {
	if l.Page == "" {
		return ""
	}
	path, query, _ := strings.Cut(l.Page, "?")
	missing := false
	fill := func(s string, escape func(string) string) string {
		var b strings.Builder
		for {
			open := strings.IndexByte(s, '{')
			if open < 0 {
				b.WriteString(s)
				return b.String()
			}
			end := strings.IndexByte(s[open:], '}')
			if end < 0 {
				b.WriteString(s)
				return b.String()
			}
			v := value(s[open+1 : open+end])
			missing = missing || v == ""
			b.WriteString(s[:open])
			b.WriteString(escape(v))
			s = s[open+end+1:]
		}
	}
	out := fill(path, url.PathEscape)
	if query != "" {
		out += "?" + fill(query, url.QueryEscape)
	}
	if missing {
		return ""
	}
	return out
}

// checkPage: an absolute path, one placeholder, the whole last segment;
// the query's placeholders name declared fields.
func (l Layer) checkPage() error {
	path, query, _ := strings.Cut(l.Page, "?")
	i := strings.LastIndex(path, "/")
	last := path[i+1:]
	if !strings.HasPrefix(path, "/") || i < 1 || strings.ContainsAny(path[:i], "{}") ||
		!strings.HasPrefix(last, "{") || !strings.HasSuffix(last, "}") || strings.Count(last, "{") != 1 {
		return errors.New("want /<path>/{field}, optionally followed by ?name={field}&…")
	}
	fields := []string{strings.Trim(last, "{}")}
	for _, pair := range strings.Split(query, "&") {
		if pair == "" {
			continue
		}
		_, v, ok := strings.Cut(pair, "=")
		if !ok || !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
			return fmt.Errorf("query part %q: want name={field}", pair)
		}
		fields = append(fields, strings.Trim(v, "{}"))
	}
	for _, f := range fields {
		if _, ok := l.Field(f); !ok && f != PageIDField {
			return fmt.Errorf("field %q is not declared", f)
		}
	}
	return nil
}
