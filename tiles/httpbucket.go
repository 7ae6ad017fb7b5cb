package tiles

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// Remote reads are bounded: a silent origin must fail a tile request in
// seconds, not hold it (and its connection) forever. Callers usually give a
// shorter deadline through the context.
const (
	remoteDialTimeout   = 5 * time.Second
	remoteHeaderTimeout = 10 * time.Second
	remoteReadTimeout   = 30 * time.Second
)

// httpBucket reads an archive over http(s):// with Range requests. It
// replaces go-pmtiles' HTTP bucket, which uses a client without timeouts
// and passes on a whole body when the origin ignores Range. Each bucket
// has its own client (one connection pool), closed with it.
type httpBucket struct {
	baseURL string
	client  *http.Client
}

var _ pmtiles.Bucket = httpBucket{}

func newHTTPBucket(baseURL string) httpBucket {
	return httpBucket{baseURL: baseURL, client: &http.Client{
		Timeout: remoteReadTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: remoteDialTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   remoteDialTimeout,
			ResponseHeaderTimeout: remoteHeaderTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   64,
			ForceAttemptHTTP2:     true,
		},
	}}
}

// Close lets the bucket's idle connections go.
func (b httpBucket) Close() error {
	b.client.CloseIdleConnections()
	return nil
}

func (b httpBucket) NewRangeReader(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	body, _, _, err := b.NewRangeReaderEtag(ctx, key, offset, length, "")
	return body, err
}

// NewRangeReaderEtag reads length bytes at offset. With an etag, the read
// fails with a *pmtiles.RefreshRequiredError if the file changed since.
// A range past the end of the file reads as empty (the caller then sees a
// short read).
func (b httpBucket) NewRangeReaderEtag(ctx context.Context, key string, offset, length int64, etag string) (io.ReadCloser, string, int, error) {
	url := b.baseURL + "/" + key
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", 0, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, "", 0, err
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent, resp.StatusCode == http.StatusOK && offset == 0:
		// 200 at offset 0: the origin sent the whole file; the first
		// length bytes are the ones asked for.
		return limitedBody{io.LimitReader(resp.Body, length), resp.Body}, resp.Header.Get("ETag"), resp.StatusCode, nil
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		resp.Body.Close()
		return io.NopCloser(http.NoBody), resp.Header.Get("ETag"), resp.StatusCode, nil
	case resp.StatusCode == http.StatusPreconditionFailed:
		resp.Body.Close()
		return nil, "", resp.StatusCode, &pmtiles.RefreshRequiredError{StatusCode: resp.StatusCode}
	case resp.StatusCode == http.StatusOK:
		resp.Body.Close()
		return nil, "", resp.StatusCode, fmt.Errorf("GET %s: the origin ignores Range requests (status 200): serve the archive from a server that supports them", url)
	}
	resp.Body.Close()
	return nil, "", resp.StatusCode, fmt.Errorf("GET %s: HTTP %s", url, resp.Status)
}

// limitedBody reads at most the bytes asked for and closes the response.
type limitedBody struct {
	io.Reader
	io.Closer
}
