// Package pages renders the HTML page of one place: a turnkey site's
// (/sites/{id}) and a Territoire d'industrie's (/territoires/{id}, of the
// 2023-2027 period unless ?period=2018-2023), from their profiles (the
// profile package). The pages are made on the server with html/template
// in the French state's design (DSFR), in French or in English (?lang=en),
// with a small map (an iframe of /embed framed on the place), the
// profile's numbers, a chart of the training centres by category with
// the same numbers in a table, the provenance and precision of the data,
// and a print stylesheet that fits one A4 sheet. They need no script.
//
// The layers' words (names, kinds, categories, waves) are the registry's;
// the address of each layer's page is the registry's too (layers.Layer's
// Page), so that the routes here and the map's links agree.
package pages

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/api"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Profiles answers the profiles the pages show (profile.Profiler).
type Profiles interface {
	Site(id string) (profile.Point, bool)
	Territory(period, tiID string) (profile.TerritoryProfile, bool)
}

// Config is what the pages need from the server.
type Config struct {
	// Registry names the layers and gives their pages' addresses.
	Registry layers.Registry
	// Links builds the absolute addresses (the JSON profile's).
	Links api.Links
	// Assets is the path prefix of the versioned static files
	// (/static/<version>).
	Assets string
	// Profiles returns the profiles of the catalog being served, nil
	// before one is loaded.
	Profiles func() Profiles
}

// Pages serves the pages of the sites and territories.
type Pages struct {
	cfg   Config
	codes codes
	tmpl  map[string]*template.Template // by language
	// vocab are the pages' words in each language, built once: every
	// page reads them.
	vocab map[string]vocabulary
}

// New parses the templates, once per language (they are embedded: an
// error is a bug, which the tests catch, hence the panic).
func New(cfg Config) *Pages {
	p := &Pages{cfg: cfg, codes: codes{reg: cfg.Registry}, tmpl: map[string]*template.Template{}, vocab: map[string]vocabulary{}}
	for _, lang := range []string{langFR, langEN} {
		v := newVocabulary(lang)
		p.vocab[lang] = v
		p.tmpl[lang] = template.Must(template.New("pages").Funcs(template.FuncMap{"t": v.t}).ParseFS(templateFiles, "templates/*.html"))
	}
	return p
}

// kinds are the pages this package renders, by the layer they show.
func (p *Pages) kinds() map[string]fiber.Handler {
	return map[string]fiber.Handler{sitesLayer: p.handleSite, layers.Territoires: p.handleTerritory}
}

// Routes are the pages' routes, one per layer with a page address in the
// registry and a kind of page here.
func (p *Pages) Routes() []api.Route {
	html := api.Content("text/html", api.Str())
	var out []api.Route
	for _, l := range p.cfg.Registry {
		handler, ok := p.kinds()[l.ID]
		path, field := l.PagePath()
		if !ok || path == "" {
			continue
		}
		prefix := strings.TrimSuffix(path, "{"+field+"}")
		out = append(out, api.Route{Path: prefix + ":id", Handler: handler, Label: "page_" + l.ID, Doc: prefix + "{id}",
			Operation: func(api.DocContext) api.Obj {
				params := []api.Obj{
					api.PathParam("id", fmt.Sprintf("Id of the feature (%s field of the %s collection).", pageField(field), l.ID), api.Str()),
					api.QueryParam("lang", "Page language.", api.Obj{"type": "string", "enum": []string{langFR, langEN}, "default": langFR}),
				}
				summary := "HTML page of a turnkey site: its commune and territories, the training centres, Cnam antennas, ACV towns and sites around it"
				if l.ID == layers.Territoires {
					params = append(params, api.QueryParam("period", "Programme period of the territory (ids are not stable across periods).",
						api.Obj{"type": "string", "enum": layers.Periods(), "default": layers.Periods()[0]}))
					summary = "HTML page of a Territoire d'industrie: its communes, population, EPCIs, sites, training centres, ACV towns, Cnam antennas and neighbours"
				}
				errs := func(desc string) api.Obj {
					return api.Obj{"description": desc, "content": api.Content("text/html", api.Str(), "application/json", api.Ref("Error"))}
				}
				resp := api.Obj{"200": api.Obj{"description": "The page, in the DSFR design, printable on one A4 sheet.", "content": html}}
				if l.ID == layers.Territoires {
					resp["400"] = errs("Unknown period: an HTML page saying so (JSON for a client that asks for it in Accept).")
				}
				resp["404"] = errs("No such id: an HTML page naming it (JSON for a client that asks for it in Accept).")
				resp["503"] = errs("The data is being loaded; retry after the Retry-After delay.")
				return api.Op("page"+strings.ToUpper(l.ID[:1])+l.ID[1:], api.TagMap, summary,
					"Rendered on the server (no script needed), French by default or English (lang=en); a small map (the /embed page) framed on the place, "+
						"a chart of the training centres by category with the same numbers in a table, the provenance and precision of the data, "+
						"a link to the map page and to the profile as JSON.", params, resp)
			}})
	}
	return out
}

// pageField names a page address's field in the documentation.
func pageField(field string) string {
	if field == layers.PageIDField {
		return "id"
	}
	return field
}

// request is what a handler reads of its request.
type request struct {
	lang, id string
	place    place
}

func (p *Pages) request(c *fiber.Ctx) (request, error) {
	// Fiber's strings point into buffers reused after the handler.
	raw := strings.Clone(c.Params("id"))
	id, err := url.PathUnescape(raw)
	if err != nil {
		id = raw
	}
	lang := pageLang(c.Query("lang"))
	return request{lang: lang, id: id, place: place{
		v: p.vocab[lang], codes: p.codes, base: p.cfg.Links.Base(c), assets: p.cfg.Assets,
		path: strings.Clone(c.Path()), query: url.Values{},
	}}, err
}

// GET /sites/{id}
func (p *Pages) handleSite(c *fiber.Ctx) error {
	r, _ := p.request(c)
	prof := p.profiles()
	if prof == nil {
		return p.loading(c, r)
	}
	pt, ok := prof.Site(r.id)
	if !ok {
		return p.fail(c, r, fiber.StatusNotFound, r.place.v.t("error.title"), r.place.v.f("error.site", "id", r.id))
	}
	return p.render(c, r.lang, r.place.siteView(pt, r.place.base+jsonPath(sitesLayer, r.id, "")))
}

// GET /territoires/{id}?period=
func (p *Pages) handleTerritory(c *fiber.Ctx) error {
	r, _ := p.request(c)
	v := r.place.v
	period := layers.Periods()[0]
	if q := c.Query("period"); q != "" {
		period = strings.Clone(q)
	}
	if !validPeriod(period) {
		return p.fail(c, r, fiber.StatusBadRequest, v.t("error.bad"),
			v.f("error.period", "period", period, "periods", strings.Join(layers.Periods(), ", ")))
	}
	if period != layers.Periods()[0] {
		r.place.query.Set("period", period)
	}
	prof := p.profiles()
	if prof == nil {
		return p.loading(c, r)
	}
	tp, ok := prof.Territory(period, r.id)
	if !ok {
		return p.fail(c, r, fiber.StatusNotFound, v.t("error.title"), v.f("error.territory", "id", r.id, "period", period))
	}
	return p.render(c, r.lang, r.place.territoryView(tp, r.place.base+jsonPath(layers.Territoires, r.id, period)))
}

func validPeriod(p string) bool {
	for _, q := range layers.Periods() {
		if p == q {
			return true
		}
	}
	return false
}

// profiles is the catalog's profiler, nil while none is loaded.
func (p *Pages) profiles() Profiles {
	if p.cfg.Profiles == nil {
		return nil
	}
	return p.cfg.Profiles()
}

// render writes the page; a template error is a 500 before anything is
// sent.
func (p *Pages) render(c *fiber.Ctx, lang string, vw view) error {
	var b bytes.Buffer
	if err := p.tmpl[lang].ExecuteTemplate(&b, "layout", vw); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if vw.Status != 0 {
		c.Status(vw.Status)
		c.Set(fiber.HeaderCacheControl, "no-store")
	} else {
		p.cfg.Links.SetDocumentHeaders(c)
	}
	return c.Send(b.Bytes())
}

// fail answers an error as a page (JSON, the house's errors, to a client
// whose Accept header asks for JSON rather than HTML).
func (p *Pages) fail(c *fiber.Ctx, r request, status int, title, message string) error {
	c.Append(fiber.HeaderVary, fiber.HeaderAccept)
	if wantsJSON(c.Get(fiber.HeaderAccept)) {
		return fiber.NewError(status, message)
	}
	vw := view{Status: status, H1: title, Message: message}
	r.place.common(&vw, title)
	vw.Canonical = ""
	return p.render(c, r.lang, vw)
}

// loading answers 503 while the data is being loaded.
func (p *Pages) loading(c *fiber.Ctx, r request) error {
	c.Set(fiber.HeaderRetryAfter, "5")
	v := r.place.v
	return p.fail(c, r, fiber.StatusServiceUnavailable, v.t("error.loading.title"), v.t("error.loading"))
}

// wantsJSON: the Accept header names JSON and does not prefer HTML.
func wantsJSON(accept string) bool {
	return strings.Contains(strings.ToLower(accept), "json") && !api.PrefersHTML(accept)
}

// jsonPath is the address of the profile as JSON (the api package's
// profile routes; server's tests follow the pages' links there).
func jsonPath(layer, id, period string) string {
	if layer == layers.Territoires {
		return "/api/territoires/" + url.PathEscape(id) + "/profile?period=" + url.QueryEscape(period)
	}
	return "/api/sites/" + url.PathEscape(id) + "/profile"
}
