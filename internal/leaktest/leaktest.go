// Package leaktest checks that a test leaves no goroutine running.
package leaktest

import (
	"runtime"
	"testing"
	"time"
)

// Check records the number of goroutines now and, at the end of the test (after
// the cleanups registered later, which run first), checks that it came back down.
// Pion ends some goroutines shortly after Close returns, so the check polls for up
// to 10 s.
func Check(t testing.TB) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines, %d before the test:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
