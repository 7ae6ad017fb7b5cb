package server

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTimer is one wait the prober asked for: how long, and the channel
// the test fires to end it.
type fakeTimer struct {
	d    time.Duration
	fire chan time.Time
}

// TestStorageHealthBacksOffAndRecovers: once a read failed, the probe runs
// with growing delays while the storage stays down, marks it up when it
// answers, and stops for good when the tileset is closed. The prober's
// clock is fake: the test sees every delay it asks for and decides when it
// ends, so the probes are counted, not timed.
func TestStorageHealthBacksOffAndRecovers(t *testing.T) {
	var probes atomic.Int64
	var healthy atomic.Bool
	var changes []bool
	h := newStorageHealth(func(context.Context) error {
		probes.Add(1)
		if healthy.Load() {
			return nil
		}
		return errors.New("origin: HTTP 500")
	}, probeSettings{timeout: time.Second, minDelay: 10 * time.Millisecond, maxDelay: 80 * time.Millisecond})
	h.notify = func(up bool, _ string) { changes = append(changes, up) }
	timers := make(chan fakeTimer)
	h.after = func(d time.Duration) <-chan time.Time {
		c := make(chan time.Time, 1)
		timers <- fakeTimer{d, c}
		return c
	}
	// nextTimer is the prober's next wait; receiving it means the probe
	// before it has finished.
	nextTimer := func() fakeTimer {
		t.Helper()
		select {
		case tm := <-timers:
			return tm
		case <-time.After(10 * time.Second):
			t.Fatal("no probe scheduled")
			return fakeTimer{}
		}
	}

	if up, _, _, _ := h.state(); !up {
		t.Fatal("down before any failure")
	}
	h.failed(errors.New("read: connection refused"))
	h.failed(errors.New("read: connection refused")) // a second failure starts no second probe
	up, reason, since, retry := h.state()
	if up || reason != "read: connection refused" || since.IsZero() || retry != 1 {
		t.Fatalf("after a failure: up %v, %q, since %v, Retry-After %d", up, reason, since, retry)
	}
	// 400 ms of the fake clock, the storage still down: every wait it asked
	// for ends, until the next one would go past 400 ms.
	var waits []time.Duration
	var elapsed time.Duration
	next := nextTimer()
	for elapsed+next.d <= 400*time.Millisecond {
		elapsed += next.d
		waits = append(waits, next.d)
		next.fire <- time.Time{}
		next = nextTimer()
	}
	// 10+20+40+80+80+80+80 ms: 7 probes in 400 ms, not 40.
	backoff := []time.Duration{10, 20, 40, 80, 80, 80, 80}
	for i := range backoff {
		backoff[i] *= time.Millisecond
	}
	if n := probes.Load(); n != int64(len(waits)) || !slices.Equal(waits, backoff) {
		t.Errorf("%d probes in 400 ms after waits of %v, want a backoff from 10 ms to 80 ms: %v", n, waits, backoff)
	}
	if _, reason, _, _ := h.state(); reason != "origin: HTTP 500" {
		t.Errorf("reason %q, want the probe's last error", reason)
	}

	healthy.Store(true)
	next.fire <- time.Time{}
	deadline := time.Now().Add(10 * time.Second)
	for up, _, _, _ = h.state(); !up && time.Now().Before(deadline); up, _, _, _ = h.state() {
		time.Sleep(5 * time.Millisecond)
	}
	if !up {
		t.Fatal("not up once the probe succeeds")
	}
	if len(changes) != 2 || changes[0] || !changes[1] {
		t.Errorf("notified %v, want [down up]", changes)
	}

	// Closed: failures no longer start probes (failed starts the prober
	// before it returns, so there is nothing to wait for).
	h.close()
	before := probes.Load()
	h.failed(errors.New("late failure of a retired tileset"))
	h.mu.Lock()
	probing := h.probing
	h.mu.Unlock()
	if probing || probes.Load() != before {
		t.Error("a closed storage health still probes")
	}
}
