// Package browsertest runs headless Chromium from tests, driven with chromedp.
//
// It is a test-support package, imported only from _test.go files. A test starts one browser with [Start],
// opens tabs with [Browser.NewTab] and drives them with chromedp or with the small helpers of this package
// ([WaitFor], [Eval], [Click], [Screenshot]). The browser has a fake camera and microphone: a test pattern
// and a 1 kHz tone made with ffmpeg at test time, so pages that call getUserMedia work without a device or a
// permission prompt. Everything the browser starts is stopped, and its profile deleted, when the test ends.
package browsertest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Window sizes, in CSS pixels.
const (
	DesktopWidth  = 1280
	DesktopHeight = 800
	PhoneWidth    = 390
	PhoneHeight   = 844
)

// Options says how to start the browser. The zero value asks for a desktop window of 1280×800 with the
// generated camera and microphone.
type Options struct {
	// Width and Height are the size of every tab's viewport (and of the window); zero means
	// DesktopWidth×DesktopHeight. Use PhoneWidth×PhoneHeight with Mobile for a phone.
	Width, Height int

	// Mobile makes every tab emulate a phone: a mobile viewport and touch events.
	Mobile bool

	// VideoFile is the fake camera (a .y4m or .mjpeg file, which Chromium plays in a loop) and AudioFile
	// the fake microphone (a .wav file). Empty means the files of [FakeMedia].
	VideoFile, AudioFile string

	// Flags are more command-line switches, by name without the leading dashes: true for a bare switch,
	// a string for a value. They are added to, and may override, the switches the package sets.
	Flags map[string]any
}

func (o Options) withDefaults() Options {
	o.Width = cmp.Or(o.Width, DesktopWidth)
	o.Height = cmp.Or(o.Height, DesktopHeight)
	return o
}

// Browser is one running headless Chromium with a fresh profile.
type Browser struct {
	opts    Options
	exe     string
	dataDir string // the --user-data-dir, under the test's temporary directory
	output  *lockedBuffer

	// root is the chromedp context that owns the browser process. It is kept here because chromedp hangs
	// the browser's lifetime on a context; every tab is a child of it.
	root        context.Context
	cancelRoot  context.CancelFunc
	cancelAlloc context.CancelFunc
}

// Time limits of the package's own steps.
const (
	startTimeout = 30 * time.Second
	closeTimeout = 10 * time.Second
	stepTimeout  = 10 * time.Second
	outputTail   = 8 << 10 // bytes of the browser's own output shown when a test fails
)

// chromiumPaths are the places Chromium is looked for, in order. Debian's /usr/bin/chromium is a shell
// script that adds flags of its own and then runs the binary, so the binary comes first.
var chromiumPaths = []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser"}

// Start starts headless Chromium for the test and stops it when the test ends. It fails the test at once
// when Chromium is not installed (`make test` installs it) or does not start.
func Start(t testing.TB, opts Options) *Browser {
	t.Helper()
	opts = opts.withDefaults()
	b := &Browser{opts: opts, exe: findChromium(t), dataDir: t.TempDir(), output: &lockedBuffer{}}
	if opts.VideoFile == "" || opts.AudioFile == "" {
		video, audio := FakeMedia(t)
		opts.VideoFile = cmp.Or(opts.VideoFile, video)
		opts.AudioFile = cmp.Or(opts.AudioFile, audio)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), b.allocatorOptions(opts)...)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	b.root, b.cancelRoot, b.cancelAlloc = root, cancelRoot, cancelAlloc
	t.Cleanup(func() { b.close(t) })

	// The first action starts the process, and chromedp ties the browser's life to the context of that
	// action, so it cannot carry a timeout of its own: a timer cancels a start that hangs instead.
	hung := time.AfterFunc(startTimeout, cancelAlloc)
	err := chromedp.Do(root)
	if !hung.Stop() {
		err = fmt.Errorf("no answer within %v: %w", startTimeout, err)
	}
	if err != nil {
		t.Fatalf("browsertest: starting %s: %v\n%s", b.exe, err, b.output.tail(outputTail))
	}
	return b
}

// findChromium returns the path of the Chromium binary, or fails the test.
func findChromium(t testing.TB) string {
	t.Helper()
	for _, name := range chromiumPaths {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("browsertest: Chromium not found (looked for %s); install it with "+
		"`apt-get install -y --no-install-recommends chromium` (make test does this)",
		strings.Join(chromiumPaths, ", "))
	return ""
}

// allocatorOptions are the command line of the browser.
func (b *Browser) allocatorOptions(opts Options) []chromedp.ExecAllocatorOption {
	out := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(b.exe),
		chromedp.UserDataDir(b.dataDir),
		chromedp.CombinedOutput(b.output),
		chromedp.Headless, // also hides scrollbars (steadier screenshots) and mutes audio output
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(opts.Width, opts.Height),
	}
	for _, name := range []string{
		"disable-quic", "disable-background-networking", "disable-component-update", "disable-sync",
		"disable-dev-shm-usage", "disable-breakpad",
		// A fake camera and microphone, allowed without asking.
		"use-fake-ui-for-media-stream", "use-fake-device-for-media-stream",
		// Without it Chromium gathers no loopback ICE candidates, and a server on 127.0.0.1 is unreachable.
		"allow-loopback-in-peer-connection",
	} {
		out = append(out, chromedp.Flag(name, true))
	}
	out = append(out,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("use-file-for-fake-video-capture", opts.VideoFile),
		chromedp.Flag("use-file-for-fake-audio-capture", opts.AudioFile),
	)
	for name, value := range opts.Flags {
		out = append(out, chromedp.Flag(name, value))
	}
	return out
}

// NewTab opens a tab in the browser's default profile and returns its chromedp context, for chromedp.Run
// and the helpers of this package, and the record of its console. Tabs of one browser share cookies and
// storage; see [Browser.NewIsolatedTab]. The tab is closed when the test ends.
func (b *Browser) NewTab(t testing.TB) (context.Context, *Console) {
	t.Helper()
	return b.newTab(t)
}

// NewIsolatedTab is like NewTab, but the tab gets a browser context of its own, like a private window:
// no cookies, storage or cache shared with other tabs.
func (b *Browser) NewIsolatedTab(t testing.TB) (context.Context, *Console) {
	t.Helper()
	return b.newTab(t, chromedp.WithNewBrowserContext())
}

func (b *Browser) newTab(t testing.TB, opts ...chromedp.ContextOption) (context.Context, *Console) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, opts...)
	// Subscribing to the console opens the tab, so nothing the page writes later is missed.
	console := watchConsole(ctx)
	t.Cleanup(func() {
		cancel()
		console.wait()
	})
	// The window's size includes room for a toolbar even in headless mode, so the viewport is set exactly.
	var emulate []chromedp.EmulateViewportOption
	if b.opts.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	setup, done := context.WithTimeout(ctx, stepTimeout)
	defer done()
	if err := chromedp.Do(setup, chromedp.EmulateViewport(int64(b.opts.Width), int64(b.opts.Height), emulate...)); err != nil {
		t.Fatalf("browsertest: setting the viewport: %v", err)
	}
	return ctx, console
}

// close stops the browser: gracefully first, so that it shuts its helper processes down itself, then by
// force. Processes still running with the test's profile afterwards are killed and reported.
func (b *Browser) close(t testing.TB) {
	ctx, cancel := context.WithTimeout(b.root, closeTimeout)
	err := chromedp.Cancel(ctx)
	cancel()
	b.cancelRoot()
	b.cancelAlloc() // waits for the process to end
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("browsertest: closing the browser: %v", err)
	}
	if pids := killLeftovers(b.dataDir); len(pids) > 0 {
		t.Errorf("browsertest: browser processes %v outlived the browser; killed them", pids)
	}
	if t.Failed() {
		t.Logf("browsertest: the browser's output (last %d bytes):\n%s", outputTail, b.output.tail(outputTail))
	}
}

// killLeftovers kills the processes that run with the user data directory dir, which only the browser of
// this test and its children do, and returns their ids.
func killLeftovers(dir string) []int {
	want := []byte("--user-data-dir=" + dir)
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for arg := range bytes.SplitSeq(cmdline, []byte{0}) {
			if bytes.Equal(arg, want) {
				if syscall.Kill(pid, syscall.SIGKILL) == nil {
					pids = append(pids, pid)
				}
				break
			}
		}
	}
	return pids
}

// lockedBuffer collects the browser's output, written from chromedp's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// tail returns the last n bytes written, without the lines about D-Bus: a container has no D-Bus, and
// Chromium says so dozens of times.
func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var kept []byte
	for line := range bytes.Lines(l.buf.Bytes()) {
		if !bytes.Contains(line, []byte(":ERROR:dbus/")) {
			kept = append(kept, line...)
		}
	}
	if len(kept) > n {
		kept = kept[len(kept)-n:]
	}
	return string(kept)
}
