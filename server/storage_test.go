package server

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestStorageHealthBacksOffAndRecovers: once a read failed, the probe runs
// with growing delays while the storage stays down, marks it up when it
// answers, and stops for good when the tileset is closed.
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

	if up, _, _, _ := h.state(); !up {
		t.Fatal("down before any failure")
	}
	h.failed(errors.New("read: connection refused"))
	h.failed(errors.New("read: connection refused")) // a second failure starts no second probe
	up, reason, since, retry := h.state()
	if up || reason != "read: connection refused" || since.IsZero() || retry != 1 {
		t.Fatalf("after a failure: up %v, %q, since %v, Retry-After %d", up, reason, since, retry)
	}
	time.Sleep(400 * time.Millisecond)
	// 10+20+40+80+80+80… ms: about 6 probes in 400 ms, not 40.
	if n := probes.Load(); n < 3 || n > 9 {
		t.Errorf("%d probes in 400 ms, want a backoff from 10 ms to 80 ms", n)
	}
	if _, reason, _, _ := h.state(); reason != "origin: HTTP 500" {
		t.Errorf("reason %q, want the probe's last error", reason)
	}

	healthy.Store(true)
	deadline := time.Now().Add(2 * time.Second)
	for up, _, _, _ = h.state(); !up && time.Now().Before(deadline); up, _, _, _ = h.state() {
		time.Sleep(5 * time.Millisecond)
	}
	if !up {
		t.Fatal("not up once the probe succeeds")
	}
	if len(changes) != 2 || changes[0] || !changes[1] {
		t.Errorf("notified %v, want [down up]", changes)
	}

	// Closed: failures no longer start probes.
	h.close()
	before := probes.Load()
	h.failed(errors.New("late failure of a retired tileset"))
	time.Sleep(100 * time.Millisecond)
	if probes.Load() != before {
		t.Error("a closed storage health still probes")
	}
}
