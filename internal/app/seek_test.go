package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/browsertest"
)

// TestTakeSeeksInChromium records a take and plays it in Chromium from the server:
// the duration is finite and right, and seeking to a quarter, half and three
// quarters lands there and shows a picture. mkvinfo sees the Cues.
func TestTakeSeeksInChromium(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	saved, spoke := recordTake(t, ctx, p, "record", q1, 8*time.Second)
	path := s.takePath(s.key(q1, 1))

	if _, err := exec.LookPath("mkvinfo"); err == nil {
		out, err := exec.Command("mkvinfo", "--all", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Cues") || strings.Count(string(out), "Cue point") < 2 {
			t.Errorf("mkvinfo finds no Cues (or one): %v\n%.2000s", err, out)
		}
	} else {
		t.Error("mkvinfo is not installed (make test installs mkvtoolnix)")
	}

	// Chromium opens the take's URL itself: its media document plays it from the server.
	b := browsertest.Start(t, browsertest.Options{})
	tab, console := b.NewTab(t)
	defer console.Log(t)
	browsertest.Eval[bool](t, tab, pageConnectTimeout, `(async () => { location.href = `+"`"+s.http.URL+saved.URL+"`"+`; return true })()`)
	browsertest.WaitFor(t, tab, pageMediaTimeout, "the take's metadata",
		`(() => { const v = document.querySelector('video'); if (v) { v.id = 'v'; v.muted = true; v.pause() } return v && v.readyState >= 1 })()`)
	d := browsertest.Eval[float64](t, tab, pageMediaTimeout, `document.querySelector('#v').duration`)
	if want := spoke.Seconds(); d <= 0 || d > want*1.05 || d < want*0.95 {
		t.Errorf("duration in Chromium %.3f s, want %.3f s ± 5%%", d, want)
	}
	for _, frac := range []float64{0.25, 0.5, 0.75} {
		target := d * frac
		got := browsertest.Eval[[]float64](t, tab, pageMediaTimeout, fmt.Sprintf(`(async () => {
			const v = document.querySelector('#v');
			const seeked = new Promise((ok, fail) => { v.addEventListener('seeked', ok, {once: true}); v.addEventListener('error', fail, {once: true}) });
			v.currentTime = %f;
			await seeked;
			return [v.currentTime, v.readyState, v.videoWidth];
		})()`, target))
		if len(got) != 3 || got[0] < target-0.05 || got[0] > target+0.05 || got[1] < 2 || got[2] != 320 {
			t.Errorf("seek to %.0f%% (%.2f s): currentTime, readyState, width = %v", frac*100, target, got)
			continue
		}
		// The picture shown is the file's picture at that time, not one a keyframe away.
		shown := canvasPixels(t, tab)
		right := meanDiff(shown, ffmpegFrame(t, path, target))
		wrong := meanDiff(shown, ffmpegFrame(t, path, target-1))
		t.Logf("seek to %.2f s: %.1f from ffmpeg's frame there, %.1f from the frame 1 s before", target, right, wrong)
		if right > 12 || right > wrong/2 {
			t.Errorf("seek to %.2f s shows another picture: difference %.1f (1 s before: %.1f)", target, right, wrong)
		}
	}
}

// canvasPixels returns the RGBA pixels of the video's current picture.
func canvasPixels(t *testing.T, tab context.Context) []byte {
	t.Helper()
	b64 := browsertest.Eval[string](t, tab, pageMediaTimeout, `(() => {
		const v = document.querySelector('#v');
		const c = document.createElement('canvas');
		c.width = v.videoWidth; c.height = v.videoHeight;
		const g = c.getContext('2d');
		g.drawImage(v, 0, 0);
		const d = g.getImageData(0, 0, c.width, c.height).data;
		let s = '';
		for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode.apply(null, d.subarray(i, i + 8192));
		return btoa(s);
	})()`)
	px, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return px
}

// ffmpegFrame decodes the picture shown at time at (seconds) as RGBA.
func ffmpegFrame(t *testing.T, path string, at float64) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-ss", fmt.Sprintf("%.3f", at),
		"-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg frame at %.3f: %v", at, err)
	}
	return out
}

// meanDiff is the mean absolute difference of the colour channels of two RGBA pictures.
func meanDiff(a, b []byte) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 255
	}
	var sum int
	for i := range a {
		if i%4 == 3 {
			continue
		}
		d := int(a[i]) - int(b[i])
		sum += max(d, -d)
	}
	return float64(sum) / float64(len(a)/4*3)
}
