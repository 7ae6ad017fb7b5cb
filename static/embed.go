// Package static holds the map front end: the map page, the embeddable
// page and its documentation page, the one-line widget script and their
// styles and modules, plus the vendor/ folder that `make assets` fills from
// node_modules (MapLibre GL JS, the DSFR stylesheet, fonts, icons and
// script, with Brotli copies of the big files). Everything is embedded in
// the binary; the server package serves it.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
)

//go:embed index.html embed.html docs.html widget.js app.js docs.js i18n.js map app.css pages.css vendor
var files embed.FS

// FS is the embedded front end, paths relative to this folder
// ("app.js", "vendor/maplibre-gl/maplibre-gl.mjs").
func FS() fs.FS { return files }

// Version is a short hash of every embedded file: the pages load their
// assets under /static/<Version>/, so such URLs can be cached for ever.
var Version = func() string {
	var paths []string
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, _ := files.ReadFile(p)
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// VendorMissing names the first vendor file the pages need that is not
// embedded ("" when all are there): the binary was built before
// `make assets` filled static/vendor.
func VendorMissing() string {
	for _, p := range []string{
		"vendor/maplibre-gl/maplibre-gl.mjs",
		"vendor/maplibre-gl/maplibre-gl-worker.mjs",
		"vendor/maplibre-gl/maplibre-gl.css",
		"vendor/dsfr/dsfr.min.css",
	} {
		if _, err := fs.Stat(files, p); err != nil {
			return p
		}
	}
	return ""
}
