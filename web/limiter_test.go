package web

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute, 100)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w := l.blocked(t0, "a"); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		l.fail(t0.Add(time.Duration(i)*time.Second), "a", "b")
	}
	if w := l.blocked(t0.Add(10*time.Second), "x", "a"); w != 50*time.Second {
		t.Fatalf("wait %v, want the rest of the window from the first failure", w)
	}
	if w := l.blocked(t0.Add(time.Minute), "a"); w != 0 {
		t.Fatalf("still blocked when the window is over: %v", w)
	}
	l.reset("b")
	if w := l.blocked(t0, "b"); w != 0 {
		t.Fatalf("blocked after a reset: %v", w)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(1, time.Minute, 10)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 25 {
		l.fail(t0.Add(time.Duration(i)*time.Millisecond), strconv.Itoa(i))
		if len(l.keys) > 10 {
			t.Fatalf("%d keys held, more than 10", len(l.keys))
		}
	}
	if l.blocked(t0, "0") != 0 || l.blocked(t0, "24") == 0 {
		t.Fatal("the oldest key should go first, the newest stay")
	}
	// Once the window passes, expired keys make room before live ones are dropped.
	later := t0.Add(2 * time.Minute)
	l.fail(later, "new")
	if len(l.keys) != 1 {
		t.Fatalf("%d keys after the others expired", len(l.keys))
	}
}
