package server

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// storageHealth follows whether a tileset's storage (a remote origin or
// bucket) answers. A failed read marks it down: tile requests then get 503
// at once instead of piling up on a dead origin, /readyz says not ready so
// that load balancers take the replica out, and a background probe,
// backing off, marks it up again as soon as the origin answers — no tile
// request is needed for that.
type storageHealth struct {
	down atomic.Bool // read on every tile request, without the lock

	mu       sync.Mutex
	reason   string
	since    time.Time
	delay    time.Duration // until the next probe
	probing  bool
	stopped  bool
	stop     chan struct{}
	probe    func(context.Context) error
	settings probeSettings
	notify   func(up bool, reason string) // logs and metrics; may be nil
	// after starts the wait before a probe: time.After, or a fake clock
	// that lets a test count the probes of a backoff without waiting.
	after func(time.Duration) <-chan time.Time
}

// probeSettings: how long a probe may take, and the backoff between probes.
type probeSettings struct {
	timeout, minDelay, maxDelay time.Duration
}

func defaultProbeSettings(timeout time.Duration) probeSettings {
	return probeSettings{timeout: timeout, minDelay: 250 * time.Millisecond, maxDelay: 15 * time.Second}
}

func newStorageHealth(probe func(context.Context) error, settings probeSettings) *storageHealth {
	return &storageHealth{probe: probe, settings: settings, stop: make(chan struct{}), after: time.After}
}

// state says whether the storage is up; when down, why, since when, and
// how many seconds until the next probe (for Retry-After).
func (h *storageHealth) state() (up bool, reason string, since time.Time, retryAfter int) {
	if !h.down.Load() {
		return true, "", time.Time{}, 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return false, h.reason, h.since, max(1, int(math.Ceil(h.delay.Seconds())))
}

// failed records a failed read and starts probing.
func (h *storageHealth) failed(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	h.reason = err.Error()
	if !h.down.Load() {
		h.since = time.Now()
		h.delay = h.settings.minDelay
		if h.notify != nil {
			h.notify(false, h.reason)
		}
		h.down.Store(true)
	}
	if !h.probing {
		h.probing = true
		go h.probeUntilUp()
	}
}

// probeUntilUp probes with exponential backoff until the storage answers
// or the tileset is closed.
func (h *storageHealth) probeUntilUp() {
	for {
		h.mu.Lock()
		delay := h.delay
		h.mu.Unlock()
		select {
		case <-h.stop:
			return
		case <-h.after(delay):
		}
		ctx, cancel := context.WithTimeout(context.Background(), h.settings.timeout)
		err := h.probe(ctx)
		cancel()
		h.mu.Lock()
		if err == nil {
			// Told before the flip: whoever sees the storage up sees the
			// metrics say so too.
			if h.notify != nil {
				h.notify(true, "back after "+strconv.FormatFloat(time.Since(h.since).Seconds(), 'f', 1, 64)+"s")
			}
			h.down.Store(false)
			h.probing = false
			h.mu.Unlock()
			return
		}
		h.reason = err.Error()
		h.delay = min(2*h.delay, h.settings.maxDelay)
		h.mu.Unlock()
	}
}

// close stops probing: the tileset is retired.
func (h *storageHealth) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.stopped {
		h.stopped = true
		close(h.stop)
	}
}
