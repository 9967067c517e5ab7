package browsertest

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Console records what a tab writes to its console: calls of the console API (console.log, console.error,
// …), uncaught exceptions and unhandled promise rejections, and the browser's own log for the page (for
// example a failed request). It is safe for concurrent use.
type Console struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	done     chan struct{} // closed when the reader goroutine has returned
}

// watchConsole subscribes to the console of the tab of ctx, opening the tab, and records it until ctx
// ends.
func watchConsole(ctx context.Context) *Console {
	c := &Console{done: make(chan struct{})}
	messages := chromedp.Console(ctx) // subscribes now, before the caller navigates
	go func() {
		defer close(c.done)
		for m, err := range messages {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.messages = append(c.messages, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// wait waits for the reader goroutine, which returns when the tab's context ends.
func (c *Console) wait() { <-c.done }

// Messages returns every message recorded so far, oldest first.
func (c *Console) Messages() []chromedp.ConsoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.messages)
}

// Exceptions returns the uncaught exceptions and unhandled promise rejections recorded so far.
func (c *Console) Exceptions() []chromedp.ConsoleMessage {
	return c.filter(func(m chromedp.ConsoleMessage) bool { return m.IsException() })
}

// Errors returns the exceptions, the console.error calls and the browser's error log entries recorded so
// far.
func (c *Console) Errors() []chromedp.ConsoleMessage {
	return c.filter(func(m chromedp.ConsoleMessage) bool {
		return m.IsException() || m.Type == chromedp.ConsoleError
	})
}

func (c *Console) filter(keep func(chromedp.ConsoleMessage) bool) []chromedp.ConsoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []chromedp.ConsoleMessage
	for _, m := range c.messages {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// Log writes every message recorded so far to the test's log.
func (c *Console) Log(t testing.TB) {
	t.Helper()
	for _, m := range c.Messages() {
		t.Logf("console: %s", Describe(m))
	}
}

// Describe formats a message with where it came from, for a test's log.
func Describe(m chromedp.ConsoleMessage) string {
	s := m.String()
	if m.Source != "" {
		s += " [" + m.Source + "]"
	}
	if m.URL != "" {
		s += " (" + m.URL + ":" + strconv.FormatInt(m.Line+1, 10) + ")"
	}
	return s
}
