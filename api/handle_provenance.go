package api

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Provenance by reference: list answers name each layer's provenance by
// its URL (ProvenanceRef), served here once, the same for every answer of
// a data version. Each document is encoded when the catalog is built; its
// URL in the answers carries the data version, which makes it cacheable
// for good, and a weak ETag (the answer may be compressed) revalidates it.

// provenanceDocs are the provenance documents of one catalog.
type provenanceDocs struct {
	all     cachedDoc            // /api/provenance: every layer
	byLayer map[string]cachedDoc // /api/provenance/{layer}
	layers  []string             // the layers described, sorted
}

type cachedDoc struct {
	body []byte
	etag string
}

func newCachedDoc(body []byte) cachedDoc {
	sum := sha256.Sum256(body)
	return cachedDoc{body: body, etag: `W/"` + hex.EncodeToString(sum[:8]) + `"`}
}

// newProvenanceDocs builds the documents from the bytes of pj: a layer's
// document is byte for byte its full provenance in a list answer.
func newProvenanceDocs(pj *plainJSON) provenanceDocs {
	docs := provenanceDocs{byLayer: map[string]cachedDoc{}}
	for l := range pj.provenance {
		docs.layers = append(docs.layers, l)
	}
	slices.Sort(docs.layers)
	all := append([]byte(`{"attribution":`), pj.attribution...)
	all = append(append(all, `,"data_version":`...), pj.version...)
	all = append(all, `,"provenance":{`...)
	for i, l := range docs.layers {
		docs.byLayer[l] = newCachedDoc(pj.provenance[l])
		if i > 0 {
			all = append(all, ',')
		}
		all = append(strconv.AppendQuote(all, l), ':')
		all = append(all, pj.provenance[l]...)
	}
	docs.all = newCachedDoc(append(all, "}}"...))
	return docs
}

// GET /api/provenance?v=: every layer's provenance, with the attribution
// and the data version.
func (a *API) handleProvenance(c *fiber.Ctx) error {
	return a.sendProvenance(c, "")
}

// GET /api/provenance/{layer}?v=: one layer's provenance ({title,
// sources}), what a list answer's provenance.{layer}.href points to.
func (a *API) handleLayerProvenance(c *fiber.Ctx) error {
	return a.sendProvenance(c, c.Params("layer"))
}

func (a *API) sendProvenance(c *fiber.Ctx, layer string) error {
	cat, err := a.catalogOr503(c)
	if err != nil {
		return err
	}
	v, err := queryValues(c, paramVersion)
	if err != nil {
		return err
	}
	doc := cat.provenance.all
	if layer != "" {
		var ok bool
		if doc, ok = cat.provenance.byLayer[layer]; !ok {
			return fiber.NewError(fiber.StatusNotFound, "no layer "+strconv.Quote(layer)+"; layers: "+strings.Join(cat.provenance.layers, ", "))
		}
	}
	// The URL of the answers names this data version: it never changes.
	// Without it, or with an older one, the current document for a while.
	if v.Get(paramVersion) == cat.Version {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	c.Set(fiber.HeaderETag, doc.etag)
	if etagMatch(string(c.Request().Header.Peek(fiber.HeaderIfNoneMatch)), doc.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Response().SetBody(doc.body) // a copy: the catalog's bytes stay as they are
	return nil
}

// etagMatch applies If-None-Match's weak comparison (RFC 9110 §13.1.2):
// any listed tag equal to etag once W/ is set aside, or *.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
