package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/internal/mediatest"
)

// The fake camera: a still test picture of this size, so that every recorded frame can be compared with it.
const (
	stillWidth  = 320
	stillHeight = 240
	minPSNR     = 30.0 // dB, for every frame of every take
)

// fakeDevices makes the fake camera (a still test picture, looped by Chromium) and microphone (a 1 kHz
// tone) for browsertest.Options.
func fakeDevices(t *testing.T) (camera, microphone string) {
	t.Helper()
	dir := t.TempDir()
	camera = mediatest.MakeStill(t, dir, stillWidth, stillHeight)
	microphone = filepath.Join(dir, "tone.wav")
	out, err := exec.CommandContext(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "5", microphone).CombinedOutput()
	if err != nil {
		t.Fatalf("making the fake microphone: %v %s", err, out)
	}
	return camera, microphone
}

// candidatePage drives the candidate page in one Chromium tab the way a candidate does: by the labels on the
// screen. It keeps what the tab said on its console and what went over the wire, and takes screenshots.
type candidatePage struct {
	t       *testing.T
	tab     context.Context
	console *browsertest.Console
	wire    *wireLog
	shots   string
	shotN   int
}

// openCandidate opens a tab that records the network traffic and keeps a handle on the page's WebSockets
// (window.__takesSockets), then loads url.
func openCandidate(t *testing.T, b *browsertest.Browser, shots, url string) *candidatePage {
	t.Helper()
	tab, console := b.NewTab(t)
	p := &candidatePage{t: t, tab: tab, console: console, wire: watchWire(t, tab), shots: shots}
	// The page's own socket, for sending what its form would never send. A subclass that only remembers
	// each socket; the page sees the same WebSocket API.
	const keepSockets = `(() => {
		const Native = window.WebSocket;
		const sockets = [];
		window.WebSocket = class extends Native {
			constructor(...args) { super(...args); sockets.push(this); }
		};
		Object.defineProperty(window, '__takesSockets', { value: sockets });
	})();`
	ctx, cancel := context.WithTimeout(tab, pageUITimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: keepSockets}); err != nil {
		t.Fatalf("installing the socket handle: %v", err)
	}
	p.navigate(url)
	return p
}

func (p *candidatePage) navigate(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, pageConnectTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("opening %s: %v", url, err)
	}
}

// reload reloads the page, as the candidate's F5 does.
func (p *candidatePage) reload() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, pageConnectTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		p.t.Fatalf("reloading: %v", err)
	}
}

// shot writes a screenshot of the whole page, numbered in the order taken, and logs where.
func (p *candidatePage) shot(name string) {
	p.t.Helper()
	p.shotN++
	if path := browsertest.Screenshot(p.t, p.tab, p.shots, fmt.Sprintf("%02d-%s", p.shotN, name)); path != "" {
		p.t.Logf("screenshot %s", path)
	}
}

// checkConsole fails the test for every exception and console error of the page; it logs everything else.
func (p *candidatePage) checkConsole() {
	p.t.Helper()
	p.console.Log(p.t)
	for _, m := range p.console.Errors() {
		p.t.Errorf("page console: %s", browsertest.Describe(m))
	}
}

// waitFor waits until the JavaScript expression is truthy.
func (p *candidatePage) waitFor(timeout time.Duration, what, expr string) {
	p.t.Helper()
	browsertest.WaitFor(p.t, p.tab, timeout, what, expr)
}

// pageEval evaluates a JavaScript expression (awaiting a promise) into a T.
func pageEval[T any](p *candidatePage, timeout time.Duration, expr string) T {
	p.t.Helper()
	return browsertest.Eval[T](p.t, p.tab, timeout, expr)
}

// jsString quotes a Go string for JavaScript.
func jsString(s string) string { return strconv.Quote(s) }

// accessibleText is a JavaScript function giving the text a person sees on an element: its text without
// decorations hidden from assistive technology (icons) or from the eye (screen-reader-only words).
const accessibleText = `(el) => {
	const c = el.cloneNode(true);
	for (const n of c.querySelectorAll('[aria-hidden="true"], .visually-hidden')) n.remove();
	return c.textContent.replace(/\s+/g, ' ').trim();
}`

// labelHit is the one visible control that carries a label.
type labelHit struct {
	Selector string `json:"selector"`
	ID       string `json:"id"`
	Count    int    `json:"count"`
}

// find waits until exactly one visible button, link or label under scope (a CSS selector; "" is the whole
// page) shows the text label, and returns a selector for it.
func (p *candidatePage) find(scope, label string) labelHit {
	p.t.Helper()
	expr := fmt.Sprintf(`(() => {
		const text = %s;
		const root = %s ? document.querySelector(%[2]s) : document;
		if (!root) return null;
		const hits = [...root.querySelectorAll('button, a[href], label')].filter((el) => el.checkVisibility() && text(el) === %s);
		if (hits.length === 0) return null;
		if (hits.length > 1) return {selector: '', id: '', count: hits.length};
		const el = hits[0];
		if (!el.dataset.testLabel) el.dataset.testLabel = String(window.__testLabels = (window.__testLabels || 0) + 1);
		return {selector: '[data-test-label="' + el.dataset.testLabel + '"]', id: el.id, count: 1};
	})()`, accessibleText, jsString(scope), jsString(label))
	ctx, cancel := context.WithTimeout(p.tab, pageUITimeout)
	defer cancel()
	hit, err := chromedp.Run(ctx, chromedp.Poll[labelHit](expr, chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(pageUITimeout)))
	if err != nil {
		p.t.Fatalf("no visible %q on the page (in %q) within %v: %v", label, cmp.Or(scope, "the page"), pageUITimeout, err)
	}
	if hit.Count != 1 {
		p.t.Fatalf("%d visible controls say %q (in %q)", hit.Count, label, cmp.Or(scope, "the page"))
	}
	return hit
}

// click clicks the one visible control under scope that says label, with the mouse, once it is enabled.
// It returns the control's id, so that a test can check it is the control it means.
func (p *candidatePage) click(scope, label string) string {
	p.t.Helper()
	hit := p.find(scope, label)
	browsertest.Click(p.t, p.tab, pageUITimeout, hit.Selector)
	return hit.ID
}

// clickExpecting is click, checking that the label is on the control with the page's documented id.
func (p *candidatePage) clickExpecting(scope, label, id string) {
	p.t.Helper()
	if got := p.click(scope, label); got != id {
		p.t.Errorf("%q is on #%s, want #%s", label, got, id)
	}
}

// fill types value into the text field labelled label.
func (p *candidatePage) fill(label, value string) {
	p.t.Helper()
	id := pageEval[string](p, pageUITimeout, fmt.Sprintf(`(() => {
		const text = %s;
		const l = [...document.querySelectorAll('label')].find((el) => el.checkVisibility() && text(el) === %s);
		return l && l.control ? l.control.id : '';
	})()`, accessibleText, jsString(label)))
	if id == "" {
		p.t.Fatalf("no visible field labelled %q", label)
	}
	ctx, cancel := context.WithTimeout(p.tab, pageUITimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#"+id), value)); err != nil {
		p.t.Fatalf("typing into %q: %v", label, err)
	}
}

// waitScreen waits until screen is the one screen shown (#screen-<screen>, all others hidden).
func (p *candidatePage) waitScreen(screen string) {
	p.t.Helper()
	p.waitFor(pageConnectTimeout, "the "+screen+" screen", fmt.Sprintf(`(() => {
		const shown = [...document.querySelectorAll('main > section.screen')].filter((s) => !s.hidden && s.checkVisibility());
		return shown.length === 1 && shown[0].id === %s;
	})()`, jsString("screen-"+screen)))
}

// waitConnected waits until the page says it is connected, camera included once it has one.
func (p *candidatePage) waitConnected() {
	p.t.Helper()
	p.waitFor(pageConnectTimeout, "the page to be connected", `document.querySelector('#connection').dataset.state === 'connected'`)
}

// waitQuestionState waits until the question list shows question in state (data-state).
func (p *candidatePage) waitQuestionState(timeout time.Duration, question, state string) {
	p.t.Helper()
	p.waitFor(timeout, fmt.Sprintf("question %s to be %s", question, state),
		fmt.Sprintf(`%s?.dataset.state === %s`, questionRow(question), jsString(state)))
}

// questionSelector is a CSS selector for the question's row in the page's list.
func questionSelector(question string) string {
	return fmt.Sprintf("li.question[data-question-id=%s]", strconv.Quote(question))
}

// questionRow is a JavaScript expression for the question's row.
func questionRow(question string) string {
	return fmt.Sprintf("document.querySelector(%s)", strconv.Quote(questionSelector(question)))
}

// checkDevices checks the device check of the recording screen: the camera's preview plays, and the
// microphone meter moves. It returns the camera track's settings.
func (p *candidatePage) checkDevices() map[string]any {
	p.t.Helper()
	p.waitFor(pageConnectTimeout, "the device check", `(() => {
		const check = document.querySelector('#device-check'), v = document.querySelector('#preview');
		return check.checkVisibility() && v.srcObject && !v.paused && v.readyState >= 2 && v.videoWidth > 0;
	})()`)
	p.waitFor(pageMediaTimeout, "the microphone meter to move", `document.querySelector('#mic-level').value > 0`)
	got := pageEval[map[string]any](p, pageMediaTimeout, `(async () => {
		const v = document.querySelector('#preview');
		const from = v.currentTime;
		await new Promise((resolve, reject) => {
			const stuck = setTimeout(() => reject(new Error('the preview is stuck at ' + v.currentTime)), 3000);
			const check = () => { if (v.currentTime >= from + 0.3) { clearTimeout(stuck); resolve(); } else setTimeout(check, 20); };
			check();
		});
		const s = v.srcObject.getVideoTracks()[0].getSettings();
		return {width: s.width, height: s.height, frameRate: s.frameRate, videoWidth: v.videoWidth, videoHeight: v.videoHeight,
			played: v.currentTime - from, mic: document.querySelector('#mic-level').value,
			hint: document.querySelector('#mic-hint').textContent};
	})()`)
	p.t.Logf("device check: camera %v", got)
	return got
}

// recordTake clicks button ("Record" or "Retake"), waits through the countdown until the page shows that
// the server records, lets the candidate speak for d, clicks "Stop" and waits until the take is saved.
// name prefixes the screenshots. It returns the time from the page showing "recording" to the Stop click.
func (p *candidatePage) recordTake(button, question string, d time.Duration, name string) time.Duration {
	p.t.Helper()
	p.click(".record-actions", button)
	p.waitFor(pageUITimeout, "the countdown", `/^[123]$/.test(document.querySelector('#countdown').textContent)`)
	p.shot(name + "-countdown")
	began := p.waitRecording(question)
	p.shot(name + "-recording")
	stop := p.find(".record-actions", "Stop")
	sleepCtx(p.t, time.Until(began.Add(d)))
	browsertest.Click(p.t, p.tab, pageUITimeout, stop.Selector)
	spoke := time.Since(began)
	p.waitQuestionState(pageSaveTimeout, question, "draft")
	p.t.Logf("%s: spoke %v, saved %v after the click", button, spoke.Round(time.Millisecond),
		(time.Since(began) - spoke).Round(time.Millisecond))
	return spoke
}

// waitRecording waits until the page shows that question is being recorded, and returns when it saw that.
func (p *candidatePage) waitRecording(question string) time.Time {
	p.t.Helper()
	expr := fmt.Sprintf(`(() => {
		const state = %s?.dataset.state, status = document.querySelector('#status');
		if (state === 'recording') return 'recording';
		if (status.dataset.kind === 'error') return 'refused: ' + status.textContent;
		return '';
	})()`, questionRow(question))
	ctx, cancel := context.WithTimeout(p.tab, pageStartTimeout)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Poll[string](expr, chromedp.WithPollingInterval(10*time.Millisecond),
		chromedp.WithPollingTimeout(pageStartTimeout)))
	seen := time.Now()
	if err != nil {
		p.t.Fatalf("the page did not show recording within %v: %v", pageStartTimeout, err)
	}
	if got != "recording" {
		p.t.Fatalf("recording %s: %s", question, got)
	}
	return seen
}

func sleepCtx(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-time.After(d):
	case <-t.Context().Done():
		t.Fatal(t.Context().Err())
	}
}

// playerState is what a video element of the page says about what it plays.
type playerState struct {
	Src      string  `json:"src"`
	URL      string  `json:"url"`
	Finite   bool    `json:"finite"`
	Duration float64 `json:"duration"` // seconds; -1 when not finite
	From     float64 `json:"from"`
	Time     float64 `json:"time"` // currentTime, seconds
	Error    string  `json:"error"`
}

// playVideo plays the video element sel (muted, so that it cannot reach the microphone) until its
// currentTime has advanced by advance seconds, after its metadata is known, and returns its state.
func (p *candidatePage) playVideo(sel string, advance float64) playerState {
	p.t.Helper()
	return pageEval[playerState](p, pageMediaTimeout, fmt.Sprintf(`(async () => {
		const v = document.querySelector(%s);
		const failed = () => new Error('media error ' + (v.error ? v.error.code + ': ' + v.error.message : '?'));
		if (v.error) throw failed();
		if (v.readyState < HTMLMediaElement.HAVE_METADATA) {
			await new Promise((resolve, reject) => {
				v.addEventListener('loadedmetadata', resolve, {once: true});
				v.addEventListener('error', () => reject(failed()), {once: true});
			});
		}
		v.muted = true;
		const from = v.currentTime;
		await v.play();
		await new Promise((resolve, reject) => {
			const stuck = setTimeout(() => reject(new Error('currentTime stuck at ' + v.currentTime + ' from ' + from)), 5000);
			const check = () => {
				if (v.error) { clearTimeout(stuck); reject(failed()); return; }
				if (v.currentTime >= from + %f) { clearTimeout(stuck); resolve(); return; }
				setTimeout(check, 20);
			};
			check();
		});
		v.pause();
		return {src: v.currentSrc, url: v.dataset.url || '', finite: Number.isFinite(v.duration),
			duration: Number.isFinite(v.duration) ? v.duration : -1, from, time: v.currentTime,
			error: v.error ? String(v.error.code) : ''};
	})()`, jsString(sel), advance))
}

// checkReview checks that the page plays the saved take back from url: the player knows the take's
// duration (within 10 %% of the time spoken) and plays.
func (p *candidatePage) checkReview(url string, spoke time.Duration) {
	p.t.Helper()
	p.waitFor(pageUITimeout, "the player of "+url, fmt.Sprintf(`document.querySelector('video#playback')?.dataset.url === %s`, jsString(url)))
	got := p.playVideo("video#playback", 0.5)
	want := spoke.Seconds()
	if !got.Finite || math.Abs(got.Duration-want) > want/10 {
		p.t.Errorf("review player: duration %.3f s (finite %v), want %.3f s ± 10%%", got.Duration, got.Finite, want)
	}
	if got.Time < got.From+0.5 || got.Error != "" {
		p.t.Errorf("review player: played from %.3f s to %.3f s (error %q)", got.From, got.Time, got.Error)
	}
	p.t.Logf("review player: %s, duration %.3f s, played %.3f → %.3f s", got.URL, got.Duration, got.From, got.Time)
}

// judgeTake judges a take the browser recorded, from the file on disk: VP8 and Opus, as long as the
// candidate spoke (± 10 %), decoding without a single error, and every frame the fake camera's still
// picture (PSNR ≥ minPSNR dB).
func judgeTake(t *testing.T, path string, spoke time.Duration, still string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("saved take: %v", err)
		return
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
	psnr := mediatest.FramePSNR(t, path, still, stillWidth, stillHeight)
	if least := spoke.Seconds() * 10; float64(len(psnr)) < least {
		t.Errorf("%s: %d video frames compared, want at least %.0f (10 fps)", path, len(psnr), least)
	}
	var bad []string
	for i, db := range psnr {
		if db < minPSNR {
			bad = append(bad, fmt.Sprintf("frame %d: %.1f dB", i, db))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d of %d frames differ from the camera's picture (PSNR < %.0f dB): %s",
			path, len(bad), len(psnr), minPSNR, strings.Join(bad[:min(len(bad), 10)], ", "))
	}
	lo, med := psnrSummary(psnr)
	t.Logf("%s: %dx%d vp8 + opus, %v (spoke %v), %d frames, PSNR min %.1f dB, median %.1f dB",
		filepath.Base(path), v.Width, v.Height, pr.Duration, spoke.Round(time.Millisecond), len(psnr), lo, med)
}

// psnrSummary returns the smallest and the median of PSNR values.
func psnrSummary(psnr []float64) (lo, med float64) {
	if len(psnr) == 0 {
		return math.NaN(), math.NaN()
	}
	s := slices.Clone(psnr)
	slices.Sort(s)
	return s[0], s[len(s)/2]
}

// wireLog keeps, in order, what the tab received and sent over the network: HTTP responses and WebSocket
// frames in both directions.
type wireLog struct {
	mu     sync.Mutex
	events []wireEvent
}

// wireEvent is one thing that went over the wire.
type wireEvent struct {
	kind    string // "response", "finished" (its body is complete), "recv" or "sent" (a WebSocket text frame)
	id      network.RequestID
	url     string
	mime    string
	payload string
}

// watchWire starts recording the tab's traffic; chromedp enables the Network domain for every tab.
func watchWire(t *testing.T, tab context.Context) *wireLog {
	t.Helper()
	w := &wireLog{}
	err := chromedp.Listen(tab, func(ev any) {
		var e wireEvent
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			e = wireEvent{kind: "response", id: ev.RequestID, url: ev.Response.URL, mime: ev.Response.MimeType}
		case *network.EventLoadingFinished:
			e = wireEvent{kind: "finished", id: ev.RequestID}
		case *network.EventWebSocketFrameReceived:
			e = wireEvent{kind: "recv", id: ev.RequestID, payload: string(ev.Response.PayloadData)}
		case *network.EventWebSocketFrameSent:
			e = wireEvent{kind: "sent", id: ev.RequestID, payload: string(ev.Response.PayloadData)}
		default:
			return
		}
		w.mu.Lock()
		w.events = append(w.events, e)
		w.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("watching the network: %v", err)
	}
	return w
}

func (w *wireLog) snapshot() []wireEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.events)
}

// frames returns the WebSocket frames of one direction ("recv" or "sent") decoded, in order.
func (w *wireLog) frames(kind string) []map[string]any {
	var out []map[string]any
	for _, e := range w.snapshot() {
		if e.kind != kind {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(e.payload), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// waitFrame waits until the tab has received a WebSocket message for which match is true, and returns it.
func (w *wireLog) waitFrame(t *testing.T, timeout time.Duration, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range w.frames("recv") {
			if match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s on the page's socket within %v", what, timeout)
		}
		sleepCtx(t, 20*time.Millisecond)
	}
}

// responseBodies returns the bodies of the text responses (HTML, scripts, styles, JSON, SVG) the tab has
// received completely so far, by URL. Responses still loading are waited for.
func (w *wireLog) responseBodies(t *testing.T, tab context.Context) map[string][]byte {
	t.Helper()
	deadline := time.Now().Add(pageUITimeout)
	for {
		events := w.snapshot()
		finished := map[network.RequestID]bool{}
		for _, e := range events {
			if e.kind == "finished" {
				finished[e.id] = true
			}
		}
		var pending []string
		bodies := map[string][]byte{}
		for _, e := range events {
			if e.kind != "response" || !textMIME(e.mime) {
				continue
			}
			if !finished[e.id] {
				pending = append(pending, e.url)
				continue
			}
			ctx, cancel := context.WithTimeout(tab, pageUITimeout)
			r, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.id})
			cancel()
			if err != nil {
				t.Fatalf("the body of %s: %v", e.url, err)
			}
			bodies[e.url] = r.Body
		}
		if len(pending) == 0 {
			return bodies
		}
		if time.Now().After(deadline) {
			t.Fatalf("responses still loading after %v: %v", pageUITimeout, pending)
		}
		sleepCtx(t, 20*time.Millisecond)
	}
}

func textMIME(mime string) bool {
	return strings.HasPrefix(mime, "text/") || strings.Contains(mime, "javascript") || strings.Contains(mime, "json") ||
		strings.Contains(mime, "svg")
}

// secretsIn returns which of secrets occur in data.
func secretsIn(data []byte, secrets []string) []string {
	var found []string
	for _, s := range secrets {
		if bytes.Contains(data, []byte(s)) {
			found = append(found, s)
		}
	}
	return found
}
