package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/internal/mediatest"
)

// Time limits of the browser test's steps.
const (
	pageConnectTimeout = 20 * time.Second // page load, camera, WebSocket, ICE and DTLS
	pageStartTimeout   = 15 * time.Second // Record clicked until the server records, retries included
	pageSaveTimeout    = 15 * time.Second // Stop clicked until the page shows the saved take
	pageUITimeout      = 5 * time.Second  // one click or one look at the page
	pageMediaTimeout   = 10 * time.Second // the player loads, seeks or plays
)

// TestBrowserRecordsAndPlaysBack is the candidate's whole round in real Chromium: the page sends its fake
// camera and microphone over WebRTC to a real server, which records takes that the page then plays back.
func TestBrowserRecordsAndPlaysBack(t *testing.T) {
	s := startServer(t)
	b := browsertest.Start(t, browsertest.Options{})
	tab, console := b.NewTab(t)
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	t.Logf("screenshots in %s", shots)
	shot := func(name string) { browsertest.Screenshot(t, tab, shots, name) }
	defer func() {
		console.Log(t)
		for _, m := range console.Errors() {
			t.Errorf("page console: %s", browsertest.Describe(m))
		}
	}()

	q1 := s.iv.Questions[0].ID
	openCandidatePage(t, tab, s.http.URL+"/i/"+s.inv.Token)
	shot("01-connected")
	clickQuestion(t, tab, q1)
	shot("02-selected")

	// Take 1.
	spoke := recordInPage(t, tab, q1, "#record-button", 3*time.Second, func() { shot("03-recording-take-1") })
	shot("04-saved-take-1")
	first := s.takePath(s.key(q1, 1))
	checkBrowserTake(t, first, spoke)
	checkPagePlayer(t, tab, fmt.Sprintf("%s/media/%s/%s/1", s.http.URL, s.inv.Token, q1), spoke)
	shot("05-played-take-1")

	// Take 2 replaces it.
	spoke = recordInPage(t, tab, q1, "#retake-button", 2*time.Second, func() { shot("06-recording-take-2") })
	shot("07-saved-take-2")
	if _, err := os.Stat(first); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("take 1's file is still on disk after the retake: %v", err)
	}
	checkBrowserTake(t, s.takePath(s.key(q1, 2)), spoke)
	checkPagePlayer(t, tab, fmt.Sprintf("%s/media/%s/%s/2", s.http.URL, s.inv.Token, q1), spoke)

	// Remove it: no player, no file.
	browsertest.Click(t, tab, pageUITimeout, "#remove-button")
	browsertest.WaitFor(t, tab, pageSaveTimeout, "the take to be removed",
		questionRow(q1)+`.dataset.state === 'none' && !document.querySelector('video#playback')`)
	shot("08-removed")
	if files := mediaFiles(t, s.data); len(files) != 0 {
		t.Errorf("media files after removing the take: %v", files)
	}
}

// The helpers below drive the candidate page in the chromedp tab tab.

// questionSelector is a CSS selector for the question's row in the page's list.
func questionSelector(question string) string {
	return fmt.Sprintf("li.question[data-question-id=%s]", strconv.Quote(question))
}

// questionRow is a JavaScript expression for the question's row.
func questionRow(question string) string {
	return fmt.Sprintf("document.querySelector(%s)", strconv.Quote(questionSelector(question)))
}

// open loads the page and waits until the camera's media flows to the server.
func openCandidatePage(t *testing.T, tab context.Context, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, pageConnectTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	browsertest.WaitFor(t, tab, pageConnectTimeout, "the page to connect",
		`document.querySelector('#connection').dataset.state === 'connected'`)
}

// clickQuestion clicks the question's row, as a candidate picks a question.
func clickQuestion(t *testing.T, tab context.Context, question string) {
	t.Helper()
	browsertest.Click(t, tab, pageUITimeout, questionSelector(question))
	browsertest.WaitFor(t, tab, pageUITimeout, "the question to be selected",
		questionRow(question)+`.classList.contains('selected') && `+questionRow(question)+`.querySelector('input').checked`)
}

// recordInPage clicks button (Record or Retake), lets the candidate speak for d once the server records,
// calls during() meanwhile, clicks Stop and waits for the saved take. It returns the time from the page
// showing "recording" to the Stop click.
func recordInPage(t *testing.T, tab context.Context, question, button string, d time.Duration, during func()) time.Duration {
	t.Helper()
	startInPage(t, tab, question, button)
	began := time.Now()
	during()
	select { // the candidate speaks
	case <-time.After(d - time.Since(began)):
	case <-t.Context().Done():
		t.Fatal(t.Context().Err())
	}
	browsertest.Click(t, tab, pageUITimeout, "#stop-button")
	spoke := time.Since(began)
	browsertest.WaitFor(t, tab, pageSaveTimeout, "the take to be saved", questionRow(question)+`.dataset.state === 'draft'`)
	t.Logf("%s: spoke %v, saved after %v", button, spoke.Round(time.Millisecond), (time.Since(began) - spoke).Round(time.Millisecond))
	return spoke
}

// startInPage clicks button until the server records the question. The page offers Record as soon as
// the peer connection is up, which can be a moment before the server has media from both tracks; the
// server then refuses with no-media, the page shows the error and offers the button again.
func startInPage(t *testing.T, tab context.Context, question, button string) {
	t.Helper()
	// The outcome of one click: "recording", or the error the page shows.
	outcome := fmt.Sprintf(`(() => {
		const state = %s.dataset.state, status = document.querySelector('#status');
		if (state === 'recording') return 'recording';
		if (state !== 'starting' && status.dataset.kind === 'error') return 'refused: ' + status.textContent;
		return '';
	})()`, questionRow(question))
	deadline := time.Now().Add(pageStartTimeout)
	for attempt := 1; ; attempt++ {
		browsertest.Click(t, tab, pageUITimeout, button)
		ctx, cancel := context.WithTimeout(tab, time.Until(deadline))
		got, err := chromedp.Run(ctx, chromedp.Poll[string](outcome, chromedp.WithPollingInterval(20*time.Millisecond)))
		cancel()
		switch {
		case err != nil:
			t.Fatalf("%s, attempt %d: no recording within %v: %v", button, attempt, pageStartTimeout, err)
		case got == "recording":
			return
		case time.Now().After(deadline):
			t.Fatalf("%s, attempt %d: %s", button, attempt, got)
		}
		t.Logf("%s, attempt %d: %s; trying again", button, attempt, got)
		select { // give the media a moment to arrive
		case <-time.After(200 * time.Millisecond):
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		}
	}
}

// pagePlayerState is what the page's player says about the take it plays.
type pagePlayerState struct {
	Src      string  `json:"src"`
	Finite   bool    `json:"finite"`
	Duration float64 `json:"duration"` // seconds; -1 when not finite
	Time     float64 `json:"time"`     // currentTime, seconds
	Error    string  `json:"error"`
}

// pagePlayerJS defines, in an expression, the page's player v and once(name), which resolves at the player's
// next event of that name and rejects at a media error.
const pagePlayerJS = `const v = document.querySelector('video#playback');
	const once = (name) => new Promise((resolve, reject) => {
		v.addEventListener(name, resolve, {once: true});
		v.addEventListener('error', () => reject(new Error('media error ' + v.error.code + ': ' + v.error.message)), {once: true});
	});
	const state = () => ({src: v.src, finite: Number.isFinite(v.duration), duration: Number.isFinite(v.duration) ? v.duration : -1,
		time: v.currentTime, error: v.error ? v.error.code + ': ' + v.error.message : ''});`

// checkPagePlayer checks that the page plays the take back from url: the player knows the take's duration
// from its metadata, seeks to the middle and plays on from there.
func checkPagePlayer(t *testing.T, tab context.Context, url string, spoke time.Duration) {
	t.Helper()
	browsertest.WaitFor(t, tab, pageUITimeout, "the player", `document.querySelector('video#playback') !== null`)
	meta := browsertest.Eval[pagePlayerState](t, tab, pageMediaTimeout, `(async () => { `+pagePlayerJS+`
		if (v.readyState < HTMLMediaElement.HAVE_METADATA) await once('loadedmetadata');
		return state();
	})()`)
	if meta.Src != url {
		t.Errorf("player src %q, want %q", meta.Src, url)
	}
	want := spoke.Seconds()
	if !meta.Finite || math.Abs(meta.Duration-want) > want/10 {
		t.Fatalf("player duration %.3f s (finite %v), want %.3f s ± 10%%", meta.Duration, meta.Finite, want)
	}

	mid := meta.Duration / 2
	seeked := browsertest.Eval[pagePlayerState](t, tab, pageMediaTimeout, fmt.Sprintf(`(async () => { `+pagePlayerJS+`
		const done = once('seeked');
		v.currentTime = %f;
		await done;
		return state();
	})()`, mid))
	if math.Abs(seeked.Time-mid) > 0.1 {
		t.Errorf("after seeking to %.3f s the player is at %.3f s", mid, seeked.Time)
	}

	// Muted: the page's own rule is that playback must not reach the microphone.
	played := browsertest.Eval[pagePlayerState](t, tab, pageMediaTimeout, `(async () => { `+pagePlayerJS+`
		const from = v.currentTime;
		v.muted = true;
		await v.play();
		await new Promise((resolve, reject) => {
			const stuck = setTimeout(() => reject(new Error('currentTime stuck at ' + v.currentTime + ' from ' + from)), 5000);
			const check = () => {
				if (v.currentTime < from + 0.3) return;
				clearTimeout(stuck);
				v.removeEventListener('timeupdate', check);
				resolve();
			};
			v.addEventListener('timeupdate', check);
		});
		v.pause();
		return state();
	})()`)
	if played.Time <= seeked.Time || played.Error != "" {
		t.Errorf("playing from %.3f s reached %.3f s (error %q)", seeked.Time, played.Time, played.Error)
	}
	t.Logf("player: %s, duration %.3f s, seeked to %.3f s, played to %.3f s", meta.Src, meta.Duration, seeked.Time, played.Time)
}

// checkBrowserTake judges a take the browser recorded: VP8 and Opus that decode cleanly, about as long as
// the candidate spoke.
func checkBrowserTake(t *testing.T, path string, spoke time.Duration) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("saved take: %v", err)
	}
	pr := mediatest.Probe(t, path)
	v, okV := pr.Stream("video")
	a, okA := pr.Stream("audio")
	if !okV || !okA || len(pr.Streams) != 2 || v.CodecName != "vp8" || a.CodecName != "opus" {
		t.Errorf("%s: streams %+v, want one vp8 and one opus", path, pr.Streams)
	}
	if diff := pr.Duration - spoke; diff > spoke/10 || -diff > spoke/10 {
		t.Errorf("%s: duration %v, want %v ± 10%%", path, pr.Duration, spoke.Round(time.Millisecond))
	}
	if out := mediatest.DecodeErrors(t, path); out != "" {
		t.Errorf("%s: ffmpeg decoding errors:\n%s", path, out)
	}
	t.Logf("%s: %dx%d vp8 + opus, %v", path, v.Width, v.Height, pr.Duration)
}
