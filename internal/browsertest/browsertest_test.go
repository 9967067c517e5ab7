package browsertest

import (
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const testPage = `<!doctype html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title><link rel="icon" href="data:,"></head>
<body style="margin:0">
<button id="go" onclick="document.body.dataset.clicked = 'yes'">Go</button>
<div style="height:2000px;background:linear-gradient(#fff,#036)"></div>
<script>
console.error('an error', 42);
console.warn('a warning');
setTimeout(() => { throw new Error('thrown late'); }, 0);
</script>
</body></html>`

func servePage(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(testPage))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDesktop(t *testing.T) {
	url := servePage(t)
	b := Start(t, Options{})
	ctx, console := b.NewTab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}

	t.Run("viewport", func(t *testing.T) {
		got := Eval[[2]int](t, ctx, 5*time.Second, `[innerWidth, innerHeight]`)
		if got != [2]int{DesktopWidth, DesktopHeight} {
			t.Errorf("viewport %v, want %dx%d", got, DesktopWidth, DesktopHeight)
		}
	})
	t.Run("click", func(t *testing.T) {
		Click(t, ctx, 5*time.Second, "#go")
		WaitFor(t, ctx, 5*time.Second, "the click", `document.body.dataset.clicked === 'yes'`)
	})
	t.Run("console", func(t *testing.T) {
		WaitFor(t, ctx, 5*time.Second, "the page to run", `document.readyState === 'complete'`)
		deadline := time.Now().Add(5 * time.Second)
		for len(console.Exceptions()) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond) // the reader goroutine records asynchronously
		}
		var text []string
		for _, m := range console.Messages() {
			text = append(text, Describe(m))
		}
		all := strings.Join(text, "\n")
		if ex := console.Exceptions(); len(ex) != 1 || !strings.Contains(ex[0].Text, "thrown late") {
			t.Errorf("exceptions %v; all messages:\n%s", ex, all)
		}
		if errs := console.Errors(); len(errs) != 2 || errs[0].Text != "an error 42" {
			t.Errorf("errors %v; all messages:\n%s", errs, all)
		}
	})
	t.Run("camera", func(t *testing.T) {
		got := Eval[map[string]any](t, ctx, 10*time.Second, `navigator.mediaDevices.getUserMedia({video: true, audio: true})
			.then((s) => { const v = s.getVideoTracks()[0].getSettings(); const n = s.getAudioTracks().length;
				s.getTracks().forEach((tr) => tr.stop()); return {width: v.width, height: v.height, audio: n}; })`)
		if got["width"] != 320.0 || got["height"] != 240.0 || got["audio"] != 1.0 {
			t.Errorf("camera and microphone %v, want 320x240 video and one audio track", got)
		}
	})
	t.Run("screenshot", func(t *testing.T) {
		path := Screenshot(t, ctx, t.TempDir(), "page")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		// The whole page, not only the viewport.
		if size := img.Bounds().Size(); size.X != DesktopWidth || size.Y < 2000 {
			t.Errorf("screenshot %v, want %d wide and at least 2000 high", size, DesktopWidth)
		}
	})
	t.Run("isolated tab", func(t *testing.T) {
		other, _ := b.NewIsolatedTab(t)
		if err := chromedp.Do(other, chromedp.Navigate(url)); err != nil {
			t.Fatal(err)
		}
		WaitFor(t, other, 5*time.Second, "the page", `document.getElementById('go') !== null`)
	})
}

func TestPhone(t *testing.T) {
	url := servePage(t)
	b := Start(t, Options{Width: PhoneWidth, Height: PhoneHeight, Mobile: true})
	ctx, _ := b.NewTab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	got := Eval[map[string]any](t, ctx, 5*time.Second, `({w: innerWidth, h: innerHeight, touch: navigator.maxTouchPoints > 0})`)
	if got["w"] != float64(PhoneWidth) || got["h"] != float64(PhoneHeight) || got["touch"] != true {
		t.Errorf("phone viewport %v, want %dx%d with touch", got, PhoneWidth, PhoneHeight)
	}
}

func TestScreenshotDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv("BROWSERTEST_SHOTS", root)
	dir := ScreenshotDir(t, "BROWSERTEST_SHOTS")
	if want := root + "/TestScreenshotDir"; dir != want {
		t.Errorf("ScreenshotDir = %s, want %s", dir, want)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("ScreenshotDir did not make %s: %v", dir, err)
	}
}
