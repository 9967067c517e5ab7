package web

import (
	"sync"
	"time"
)

// limiter counts failures (of sign-in) per key, such as a client address or an
// email, and blocks a key that failed max times within window of its first
// failure, until that window ends. It holds at most size keys: when full, it
// forgets expired keys first and then the oldest. It is safe for concurrent use.
type limiter struct {
	max    int
	window time.Duration
	size   int

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newLimiter(max int, window time.Duration, size int) *limiter {
	return &limiter{max: max, window: window, size: size, keys: make(map[string]*failures)}
}

// blocked returns how long the first blocked key among keys stays blocked at
// time now, or 0 when none is.
func (l *limiter) blocked(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		f := l.live(k, now)
		if f != nil && f.n >= l.max {
			wait = max(wait, f.first.Add(l.window).Sub(now))
		}
	}
	return wait
}

// fail counts one failure for each of keys at time now.
func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		f := l.live(k, now)
		if f == nil {
			l.makeRoom(now)
			f = &failures{first: now}
			l.keys[k] = f
		}
		f.n++
	}
}

// reset forgets the failures of key.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// live returns the failures of key, forgetting them if their window has passed.
func (l *limiter) live(key string, now time.Time) *failures {
	f := l.keys[key]
	if f != nil && !now.Before(f.first.Add(l.window)) {
		delete(l.keys, key)
		return nil
	}
	return f
}

// makeRoom makes room for one more key when the map is full.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.keys) < l.size {
		return
	}
	var oldest string
	for k, f := range l.keys {
		if !now.Before(f.first.Add(l.window)) {
			delete(l.keys, k)
		} else if oldest == "" || f.first.Before(l.keys[oldest].first) {
			oldest = k
		}
	}
	if len(l.keys) >= l.size {
		delete(l.keys, oldest)
	}
}
