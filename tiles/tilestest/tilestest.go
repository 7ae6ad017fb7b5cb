// Package tilestest holds test helpers shared by the packages that read
// PMTiles archives: a remote origin that can be made to fail, and damaged
// copies of a good archive that opening must refuse.
package tilestest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// Origin serves an archive over HTTP with Range support and a strong ETag
// (as object storage or a CDN would), or fails as Mode says: "ok", "500",
// "close" (drops connections), "hang" (answers nothing), "slow" (serves
// after a second).
type Origin struct {
	*httptest.Server
	Data     atomic.Pointer[[]byte]
	Mode     atomic.Value
	Requests atomic.Int64
}

// NewOrigin starts an origin serving data in mode "ok", closed at the end
// of the test.
func NewOrigin(tb testing.TB, data []byte) *Origin {
	tb.Helper()
	o := &Origin{}
	o.Data.Store(&data)
	o.Mode.Store("ok")
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.Requests.Add(1)
		switch o.Mode.Load() {
		case "500":
			http.Error(w, "storage exploded", http.StatusInternalServerError)
			return
		case "close":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		case "hang":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		case "slow":
			time.Sleep(time.Second)
		}
		d := *o.Data.Load()
		w.Header().Set("ETag", `"`+ContentTag(d)+`"`)
		http.ServeContent(w, r, "a.pmtiles", time.Time{}, bytes.NewReader(d))
	}))
	tb.Cleanup(o.Close)
	return o
}

// ContentTag is a strong ETag of an archive's bytes.
func ContentTag(d []byte) string {
	sum := sha256.Sum256(d)
	return hex.EncodeToString(sum[:8])
}

// Corruption is a damaged archive and a word its error must hold, to tell
// the operator what is wrong.
type Corruption struct {
	Data []byte
	Want string
}

// Corruptions are damaged copies of the good archive: empty, truncated,
// and single bytes flipped in the header, the root directory and the
// metadata.
func Corruptions(tb testing.TB, good []byte) map[string]Corruption {
	tb.Helper()
	h, err := pmtiles.DeserializeHeader(good[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		tb.Fatal(err)
	}
	flip := func(at uint64) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0xff
		return b
	}
	return map[string]Corruption{
		"empty":               {nil, "PMTiles"},
		"truncated header":    {good[:100], "truncated"},
		"truncated to half":   {good[:len(good)/2], "truncated"},
		"truncated":           {good[:len(good)*2/3], "truncated"},
		"truncated tile data": {good[:len(good)-100], "truncated"},
		"flipped magic":       {flip(2), `does not start with "PMTiles"`},
		"flipped header":      {flip(3), "PMTiles"},
		"flipped version":     {flip(7), "bad header"},
		"flipped tile type":   {flip(99), "tile type"},
		"flipped root offset": {flip(8 + 5), "truncated"},
		"flipped directory":   {flip(h.RootOffset + h.RootLength/2), "directory"},
		"flipped metadata":    {flip(h.MetadataOffset + h.MetadataLength/2), "metadata"},
	}
}
