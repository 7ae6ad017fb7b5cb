package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// windowLimiter counts each client's requests in fixed windows, as Fiber's
// limiter middleware did here before: a client's window opens at its
// first request and lasts the window; every answer carries
// X-RateLimit-Limit, -Remaining and -Reset (seconds left in the window),
// and a refusal Retry-After.
//
// It is written here rather than taken from Fiber because of its cost on
// the tile path, which counts every request: Fiber's limiter builds a
// string key per request ("tiles:" and the address as text), keeps each
// count through its generic storage and formats its headers as strings,
// 2.2 µs of a tile request of about 25 (CPU profile under load.sh). Here
// the key is a comparable value (the client's address prefix, an API key's
// id), the counts live in one map under one lock (two cores: no contention
// worth sharding), and nothing is allocated once a client is known.
type windowLimiter[K comparable] struct {
	max    int
	window int64 // seconds, at least 1
	// now is the clock, in Unix seconds; tests set their own.
	now     func() int64
	refused func(c *fiber.Ctx, retryAfter int64) error
	limit   []byte // max, as the header's text

	mu      sync.Mutex
	clients map[K]*clientWindow
	sweepAt int64 // when the windows that have ended are next dropped
}

// clientWindow is one client's current window: the requests counted in
// it and when it ends.
type clientWindow struct {
	hits int
	ends int64
}

// newWindowLimiter allows each client perWindow requests per window
// (whole seconds, rounded up); refused answers the others.
func newWindowLimiter[K comparable](perWindow int, window time.Duration, refused func(c *fiber.Ctx, retryAfter int64) error) *windowLimiter[K] {
	seconds := int64((window + time.Second - 1) / time.Second)
	return &windowLimiter[K]{
		max: perWindow, window: max(seconds, 1), refused: refused,
		now:     func() int64 { return time.Now().Unix() },
		limit:   strconv.AppendInt(nil, int64(perWindow), 10),
		clients: map[K]*clientWindow{},
	}
}

// take counts a request of client: how many remain in its window (below
// 0: refused) and the seconds until the window ends.
func (l *windowLimiter[K]) take(client K) (remaining int, reset int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now() // under the lock: windows open in the order requests count
	if now >= l.sweepAt {
		// Clients seen once and never again would otherwise stay for good.
		for k, w := range l.clients {
			if now >= w.ends {
				delete(l.clients, k)
			}
		}
		l.sweepAt = now + l.window
	}
	w := l.clients[client]
	switch {
	case w == nil:
		w = &clientWindow{ends: now + l.window}
		l.clients[client] = w
	case now >= w.ends:
		*w = clientWindow{ends: now + l.window}
	}
	w.hits++
	return l.max - w.hits, w.ends - now
}

// handle counts the request of client and answers its headers, or
// refuses it.
func (l *windowLimiter[K]) handle(c *fiber.Ctx, client K) error {
	remaining, reset := l.take(client)
	if remaining < 0 {
		return l.refused(c, reset)
	}
	err := c.Next()
	var num [20]byte
	h := &c.Response().Header
	h.SetCanonical(xRateLimitLimit, l.limit)
	h.SetCanonical(xRateLimitRemaining, strconv.AppendInt(num[:0], int64(remaining), 10))
	h.SetCanonical(xRateLimitReset, strconv.AppendInt(num[:0], reset, 10))
	return err
}

// The rate-limit headers of every limited answer, named as fasthttp
// normalises them (so that Peek finds them): SetBytesV would normalise
// each name on every answer.
var (
	xRateLimitLimit     = []byte("X-Ratelimit-Limit")
	xRateLimitRemaining = []byte("X-Ratelimit-Remaining")
	xRateLimitReset     = []byte("X-Ratelimit-Reset")
)
