package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// pollInterval is how often WaitFor evaluates its expression. A timer, not requestAnimationFrame, which
// a tab in the background barely runs.
const pollInterval = 50 * time.Millisecond

// WaitFor evaluates the JavaScript expression expr in the tab of ctx every 50 ms until it is truthy. It
// fails the test if that takes longer than timeout; what says what was awaited, for the message.
func WaitFor(t testing.TB, ctx context.Context, timeout time.Duration, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(pollInterval), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		t.Fatalf("browsertest: waiting %v for %s (%s): %v", timeout, what, expr, err)
	}
}

// Eval evaluates the JavaScript expression expr in the tab of ctx and returns its value, decoded from JSON
// into a T. A promise is awaited. It fails the test if the expression throws, its value does not decode,
// or it takes longer than timeout.
func Eval[T any](t testing.TB, ctx context.Context, timeout time.Duration, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: evaluating %s: %v", expr, err)
	}
	return v
}

// Click waits until the element the CSS selector sel matches first is visible and enabled, then clicks
// it with the mouse, as a user would. It fails the test if that takes longer than timeout.
func Click(t testing.TB, ctx context.Context, timeout time.Duration, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	css := chromedp.CSS(sel)
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(css),
		chromedp.WaitEnabled(css),
		chromedp.Click(css, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("browsertest: clicking %s: %v", sel, err)
	}
}

// ScreenshotDir returns the directory for a test's screenshots: a directory named after the test under
// $envVar when that is set (so they can be looked at after the run), else one under t.TempDir().
func ScreenshotDir(t testing.TB, envVar string) string {
	t.Helper()
	root := os.Getenv(envVar)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, unsafeChars.ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: screenshot directory: %v", err)
	}
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot writes a PNG of the whole page of the tab of ctx, not only the part in the viewport, to
// dir/name.png and returns its path. A failure is reported with t.Errorf, not fatally: a screenshot is
// evidence, not the test.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, fullPage)
	if err == nil {
		path := filepath.Join(dir, name+".png")
		if err = os.WriteFile(path, png, 0o644); err == nil {
			return path
		}
	}
	t.Errorf("browsertest: screenshot %s: %v", name, err)
	return ""
}

// fullPage captures the page's whole scrollable area as a PNG.
func fullPage(ctx context.Context, tgt *chromedp.Target) ([]byte, error) {
	m, err := cdp.Call(ctx, tgt, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: new(true)}
	if size := m.CSSContentSize; size != nil && size.Width > 0 && size.Height > 0 {
		params.Clip = &page.Viewport{Width: size.Width, Height: size.Height, Scale: 1}
	}
	r, err := cdp.Call(ctx, tgt, page.CaptureScreenshot, params)
	return r.Data, err
}
