package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/territoires-industrie/carte/layers"
)

// An external base map (--basemap) drawn under our layers. Without one the
// map is ours alone and needs nothing but this server.
//
// The value is one of two things, told apart by its placeholders:
//   - a raster tile template: it has a {…} placeholder (or ends in .png,
//     .jpg, .jpeg or .webp), and then must have all of {z}, {x} and {y},
//     e.g. https://tiles.example.org/{z}/{x}/{y}.png;
//   - anything else is the URL of a MapLibre style (version 8), fetched
//     once at start (Basemap.Load) and merged into /style.json.
//
// In /style.json the base map's layers come first (under ours), marked
// with the layer metadata "territoires:basemap": true; its sources are
// renamed basemap-<id> (a raster template's is "basemap"), so that they
// never meet ours. Our background and land fills (layers.RoleLand) stay
// in the style, hidden (layout visibility "none") and marked
// "territoires:without-basemap": true, for the pages to show again when
// they turn the base map off (?basemap=0). The style's metadata
// "territoires:basemap" says what to undo then: the base map's source ids,
// and the top-level members (glyphs, sprite, font-faces, …) as they are
// without it (null: absent).

// Basemap is the external base map of --basemap; the zero value is none.
// ParseBasemap reads the flags; a style base map is drawn once Load has
// fetched its style.
type Basemap struct {
	// URL is the --basemap value: a raster tile template or a style URL.
	URL string
	// Attribution (--basemap-attribution), HTML or text: the raster
	// source's attribution; for a style, when set, it replaces the
	// attribution of the style's sources.
	Attribution string
	raster      bool
	origins     []string   // every origin the pages fetch from for it
	style       *baseStyle // a style's merged parts, once loaded
}

// baseStyle is what a loaded base style adds to ours, renamed and with
// every URL absolute. Its layers and sources are encoded once: they are
// the same in every /style.json.
type baseStyle struct {
	sources   map[string]json.RawMessage // by prefixed id
	layers    []json.RawMessage
	sprite    any            // nil: none
	glyphs    string         // "": none
	fontFaces map[string]any // font name → URL or faces
	state     map[string]any // global-state defaults its expressions read
	light     any
}

// Basemap names and marks.
const (
	basemapPrefix      = "basemap"                     // source and layer ids
	metaBasemap        = "territoires:basemap"         // on its layers (true) and the style (what to undo)
	metaWithoutBasemap = "territoires:without-basemap" // on our layers hidden under it
)

// BasemapLoad bounds the fetch of a base style at start.
type BasemapLoad struct {
	// Client makes the request (default: a plain client).
	Client *http.Client
	// Timeout bounds the whole fetch (default 10 s).
	Timeout time.Duration
	// MaxBytes caps the style document (default 5 MiB).
	MaxBytes int64
}

// Defaults of BasemapLoad.
const (
	defaultBasemapTimeout  = 10 * time.Second
	defaultBasemapMaxBytes = 5 << 20
)

var (
	// ErrBasemap wraps every refusal of a --basemap value.
	ErrBasemap = errors.New("server: bad base map")

	imageExt    = regexp.MustCompile(`(?i)\.(png|jpe?g|webp)$`)
	placeholder = regexp.MustCompile(`\{[^{}]*\}`)
	hasScheme   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

func basemapErr(value, format string, args ...any) error {
	return fmt.Errorf("basemap %q: %s: %w", value, fmt.Sprintf(format, args...), ErrBasemap)
}

// ParseBasemap reads --basemap and --basemap-attribution without any I/O:
// an http(s) URL, and for a raster template its {z}, {x} and {y}. An
// empty value is no base map (then the attribution must be empty too).
func ParseBasemap(value, attribution string) (Basemap, error) {
	value, attribution = strings.TrimSpace(value), strings.TrimSpace(attribution)
	if value == "" {
		if attribution != "" {
			return Basemap{}, fmt.Errorf("basemap-attribution %q: set without --basemap: %w", attribution, ErrBasemap)
		}
		return Basemap{}, nil
	}
	b := Basemap{URL: value, Attribution: attribution}
	if strings.ContainsAny(value, " \t\r\n\"'") {
		return Basemap{}, basemapErr(value, "a URL has no space or quote")
	}
	if _, rest, ok := strings.Cut(value, "://"); ok && strings.Contains(strings.SplitN(rest, "/", 2)[0], "{") {
		return Basemap{}, basemapErr(value, "placeholders in the host name ({s} subdomains) are not supported: give one host")
	}
	// Placeholders are not URL syntax: check the URL with them replaced.
	u, err := url.Parse(placeholder.ReplaceAllString(value, "0"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return Basemap{}, basemapErr(value, "want an http(s) URL: a MapLibre style URL, or a raster tile template such as https://tiles.example.org/{z}/{x}/{y}.png")
	}
	b.raster = strings.Contains(value, "{") || imageExt.MatchString(u.Path)
	if b.raster {
		var missing []string
		for _, p := range []string{"{z}", "{x}", "{y}"} {
			if !strings.Contains(value, p) {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return Basemap{}, basemapErr(value, "a raster tile template needs {z}, {x} and {y} (missing %s); a style URL has no placeholder", strings.Join(missing, ", "))
		}
	}
	origin := u.Scheme + "://" + u.Host
	if !validOrigin(origin) {
		return Basemap{}, basemapErr(value, "bad host %q", u.Host)
	}
	b.origins = []string{origin}
	return b, nil
}

// IsSet says whether a base map was given.
func (b Basemap) IsSet() bool { return b.URL != "" }

// Raster says whether it is a raster tile template (else a style URL).
func (b Basemap) Raster() bool { return b.raster }

// Origins are the origins the pages fetch the base map from: the style's
// or the template's, and a style's sources, sprite, glyphs and fonts.
func (b Basemap) Origins() []string { return slices.Clone(b.origins) }

// Load fetches a style base map's document once (bounded in time and
// size), checks that it is a MapLibre style (version 8, sources, layers)
// whose resources are all http(s), and returns the base map ready to
// draw. A raster template needs nothing: it is returned as it is.
func (b Basemap) Load(ctx context.Context, opts BasemapLoad) (Basemap, error) {
	if !b.IsSet() || b.raster || b.style != nil {
		return b, nil
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultBasemapTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultBasemapMaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL, nil)
	if err != nil {
		return b, basemapErr(b.URL, "%v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := opts.Client.Do(req)
	if err != nil {
		return b, fmt.Errorf("basemap %q: fetching the style: %w", b.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return b, basemapErr(b.URL, "the style URL answered HTTP %d, not a MapLibre style", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxBytes+1))
	if err != nil {
		return b, fmt.Errorf("basemap %q: reading the style: %w", b.URL, err)
	}
	if int64(len(body)) > opts.MaxBytes {
		return b, basemapErr(b.URL, "the style is larger than %d bytes", opts.MaxBytes)
	}
	// Relative URLs in the style are relative to where it was found
	// (after redirects); the pages get our /style.json, so they must be
	// made absolute here.
	style, origins, err := readBaseStyle(body, resp.Request.URL, b.Attribution)
	if err != nil {
		return b, basemapErr(b.URL, "not a MapLibre style: %v", err)
	}
	b.style = style
	b.origins = slices.Clone(b.origins)
	for _, o := range origins {
		if !slices.Contains(b.origins, o) {
			b.origins = append(b.origins, o)
		}
	}
	return b, nil
}

// readBaseStyle checks a style document and prepares its parts: sources
// and layers renamed, URLs absolute; it returns the origins they use.
func readBaseStyle(body []byte, base *url.URL, attribution string) (*baseStyle, []string, error) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("the answer is not JSON (%v)", err)
	}
	if v, _ := doc["version"].(float64); v != 8 {
		return nil, nil, fmt.Errorf("version %v, want 8", doc["version"])
	}
	sources, ok := doc["sources"].(map[string]any)
	if !ok {
		return nil, nil, errors.New("no sources object")
	}
	docLayers, ok := doc["layers"].([]any)
	if !ok || len(docLayers) == 0 {
		return nil, nil, errors.New("no layers array, or an empty one")
	}
	r := urlResolver{base: base}
	out := &baseStyle{sources: map[string]json.RawMessage{}}
	for _, id := range slices.Sorted(maps.Keys(sources)) {
		src, ok := sources[id].(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("source %q is not an object", id)
		}
		src = maps.Clone(src)
		where := fmt.Sprintf("source %q", id)
		switch t, _ := src["type"].(string); t {
		case "vector", "raster", "raster-dem":
			if u, ok := src["url"].(string); ok {
				src["url"] = r.resolve(where+" url", u)
			}
			if tiles, ok := src["tiles"].([]any); ok {
				resolved := make([]any, len(tiles))
				for i, tile := range tiles {
					s, _ := tile.(string)
					resolved[i] = r.resolve(where+" tiles", s)
				}
				src["tiles"] = resolved
			}
			if src["url"] == nil && src["tiles"] == nil {
				return nil, nil, fmt.Errorf("%s has neither url nor tiles", where)
			}
		case "geojson":
			if u, ok := src["data"].(string); ok {
				src["data"] = r.resolve(where+" data", u)
			}
		case "image":
			u, _ := src["url"].(string)
			src["url"] = r.resolve(where+" url", u)
		default:
			return nil, nil, fmt.Errorf("%s: type %q is not supported (vector, raster, raster-dem, geojson, image)", where, t)
		}
		if attribution != "" {
			src["attribution"] = attribution
		}
		raw, err := json.Marshal(src)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", where, err)
		}
		out.sources[basemapPrefix+"-"+id] = raw
	}
	seen := map[string]bool{}
	for i, l := range docLayers {
		layer, ok := l.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("layer %d is not an object", i)
		}
		id, _ := layer["id"].(string)
		if id == "" || seen[id] {
			return nil, nil, fmt.Errorf("layer %d: missing or repeated id %q", i, id)
		}
		seen[id] = true
		if _, ok := layer["type"].(string); !ok {
			return nil, nil, fmt.Errorf("layer %q has no type", id)
		}
		layer = maps.Clone(layer)
		layer["id"] = basemapPrefix + "-" + id
		if src, ok := layer["source"].(string); ok {
			if _, known := sources[src]; !known {
				return nil, nil, fmt.Errorf("layer %q draws source %q, which the style does not have", id, src)
			}
			layer["source"] = basemapPrefix + "-" + src
		}
		meta, _ := layer["metadata"].(map[string]any)
		meta = maps.Clone(meta)
		if meta == nil {
			meta = map[string]any{}
		}
		meta[metaBasemap] = true
		layer["metadata"] = meta
		raw, err := json.Marshal(layer)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %q: %v", id, err)
		}
		out.layers = append(out.layers, raw)
	}
	switch sprite := doc["sprite"].(type) {
	case nil:
	case string:
		out.sprite = r.resolve("sprite", sprite)
	case []any:
		list := make([]any, len(sprite))
		for i, s := range sprite {
			entry, ok := s.(map[string]any)
			u, _ := entry["url"].(string)
			if !ok || u == "" {
				return nil, nil, fmt.Errorf("sprite %d: want {id, url}", i)
			}
			entry = maps.Clone(entry)
			entry["url"] = r.resolve("sprite", u)
			list[i] = entry
		}
		out.sprite = list
	default:
		return nil, nil, errors.New("sprite: want a URL or a list of {id, url}")
	}
	if g, ok := doc["glyphs"]; ok {
		s, _ := g.(string)
		out.glyphs = r.resolve("glyphs", s)
	}
	if ff, ok := doc["font-faces"].(map[string]any); ok {
		out.fontFaces = map[string]any{}
		for name, faces := range ff {
			switch f := faces.(type) {
			case string:
				out.fontFaces[name] = r.resolve("font-faces "+name, f)
			case []any:
				list := make([]any, len(f))
				for i, face := range f {
					entry, _ := face.(map[string]any)
					u, _ := entry["url"].(string)
					entry = maps.Clone(entry)
					if entry == nil {
						entry = map[string]any{}
					}
					entry["url"] = r.resolve("font-faces "+name, u)
					list[i] = entry
				}
				out.fontFaces[name] = list
			}
		}
	}
	out.state, _ = doc["state"].(map[string]any)
	out.light = doc["light"]
	if r.err != nil {
		return nil, nil, r.err
	}
	return out, r.origins, nil
}

// urlResolver makes a style's URLs absolute against the style's own URL
// and collects their origins; the first bad URL is kept in err.
type urlResolver struct {
	base    *url.URL
	origins []string
	err     error
}

func (r *urlResolver) resolve(where, ref string) string {
	if r.err != nil {
		return ref
	}
	abs := ref
	if !hasScheme.MatchString(ref) {
		// Placeholders ({z}, {fontstack}) are not URL syntax: the
		// resolution escapes them, and they are put back after.
		u, err := url.Parse(ref)
		if err != nil || ref == "" {
			r.err = fmt.Errorf("%s: bad URL %q", where, ref)
			return ref
		}
		abs = strings.NewReplacer("%7B", "{", "%7D", "}").Replace(r.base.ResolveReference(u).String())
	}
	u, err := url.Parse(placeholder.ReplaceAllString(abs, "0"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.err = fmt.Errorf("%s: %q is not an http(s) URL (mapbox://, pmtiles:// and other schemes need code the pages do not have)", where, ref)
		return ref
	}
	origin := u.Scheme + "://" + u.Host
	if !validOrigin(origin) {
		r.err = fmt.Errorf("%s: bad host in %q", where, ref)
		return ref
	}
	if !slices.Contains(r.origins, origin) {
		r.origins = append(r.origins, origin)
	}
	return abs
}

// drawUnder puts the base map under style, the style layers.Style made
// for this request (its maps are this request's own, but the layouts it
// holds are the registry's: they are copied, never changed). A style base
// map that was not loaded draws nothing.
func (b Basemap) drawUnder(style map[string]any, reg layers.Registry) {
	if !b.IsSet() || (!b.raster && b.style == nil) {
		return
	}
	land := map[string]bool{}
	for _, l := range reg {
		for _, s := range l.Style {
			if s.Role == layers.RoleLand {
				land[s.ID] = true
			}
		}
	}
	ours, _ := style["layers"].([]any)
	for i, l := range ours {
		layer, ok := l.(map[string]any)
		if !ok {
			continue
		}
		if id, _ := layer["id"].(string); !land[id] && layer["type"] != "background" {
			continue
		}
		layer = maps.Clone(layer)
		layout := map[string]any{}
		if old, ok := layer["layout"].(map[string]any); ok {
			maps.Copy(layout, old)
		}
		layout["visibility"] = "none"
		layer["layout"] = layout
		meta := map[string]any{}
		if old, ok := layer["metadata"].(map[string]any); ok {
			maps.Copy(meta, old)
		}
		meta[metaWithoutBasemap] = true
		layer["metadata"] = meta
		ours[i] = layer
	}
	sources, _ := style["sources"].(map[string]any)
	if sources == nil {
		sources = map[string]any{}
		style["sources"] = sources
	}
	// What the style's top-level members are without the base map.
	without := map[string]any{}
	replace := func(key string, v any) {
		old, had := style[key]
		if had {
			without[key] = old
		} else {
			without[key] = nil
		}
		style[key] = v
	}
	var ids []string
	var under []any
	if b.raster {
		src := map[string]any{"type": "raster", "tiles": []string{b.URL}, "tileSize": 256}
		if b.Attribution != "" {
			src["attribution"] = b.Attribution
		}
		sources[basemapPrefix] = src
		ids = []string{basemapPrefix}
		under = []any{map[string]any{"id": basemapPrefix, "type": "raster", "source": basemapPrefix, "metadata": map[string]any{metaBasemap: true}}}
	} else {
		bs := b.style
		for id, raw := range bs.sources {
			sources[id] = raw
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, raw := range bs.layers {
			under = append(under, raw)
		}
		// Its labels need its glyphs; ours are drawn with font-faces first,
		// which MapLibre tries before the glyphs URL.
		if bs.glyphs != "" {
			replace("glyphs", bs.glyphs)
		}
		// Our layers draw no icon: the base map's sprite is the style's,
		// unless ours ever has its own.
		if _, ours := style["sprite"]; bs.sprite != nil && !ours {
			replace("sprite", bs.sprite)
		}
		if len(bs.fontFaces) > 0 {
			replace("font-faces", mergedObject(bs.fontFaces, style["font-faces"]))
		}
		if len(bs.state) > 0 {
			replace("state", mergedObject(bs.state, style["state"]))
		}
		if _, ours := style["light"]; bs.light != nil && !ours {
			replace("light", bs.light)
		}
	}
	style["layers"] = append(under, ours...)
	meta, _ := style["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		style["metadata"] = meta
	}
	meta[metaBasemap] = map[string]any{"sources": ids, "without": without}
}

// mergedObject is base's members and ours (whatever Go type holds them:
// they are read as JSON), ours winning on the same name.
func mergedObject(base map[string]any, ours any) map[string]any {
	out := maps.Clone(base)
	if ours == nil {
		return out
	}
	m, ok := ours.(map[string]any)
	if !ok {
		if raw, err := json.Marshal(ours); err == nil {
			json.Unmarshal(raw, &m)
		}
	}
	maps.Copy(out, m)
	return out
}
