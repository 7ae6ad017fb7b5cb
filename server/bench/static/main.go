// Command static is the fallback static-file ceiling of the load benchmark,
// used by load.sh when nginx is not installed: it serves DIR/z/x/y.mvt
// (gzip bytes, as extracted) with Content-Encoding: gzip; a missing file is
// 204 up to -maxzoom and 404 above, like our server and the nginx
// configuration of load.sh.
//
//	go run ./server/bench/static -dir DIR -addr 127.0.0.1:PORT -maxzoom 12
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "", "folder of z/x/y.mvt files")
	addr := flag.String("addr", "127.0.0.1:8083", "listen address")
	maxZoom := flag.Int("maxzoom", 12, "deepest zoom of the tiles: a missing file is 204 up to it, 404 above")
	flag.Parse()
	if *dir == "" {
		log.Fatal("static: -dir is required")
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(*dir, filepath.FromSlash(path.Clean("/"+r.URL.Path))))
		var st os.FileInfo
		if err == nil {
			st, err = f.Stat()
			defer f.Close()
		}
		if err != nil || st.IsDir() {
			z, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			if n, err := strconv.Atoi(z); err == nil && n >= 0 && n <= *maxZoom {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		io.Copy(w, f) // sendfile(2), like nginx
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(h)))
}
