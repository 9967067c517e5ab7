package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// startRecruiterServer starts a real Takes with an empty store (no interview, no account) and passwords
// hashed at bcrypt's lowest cost, so that signing in is quick.
func startRecruiterServer(t *testing.T) *testServer {
	t.Helper()
	mediatest.RequireTools(t)
	data := t.TempDir()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := build(Config{DataDir: data, Recorder: recorder.Config{LoopbackOnly: true}, Logger: log,
		PasswordCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		a.Close()
		srv.Close()
	})
	return &testServer{app: a, http: srv, data: data}
}

// recruiterPassword is the password of the accounts addRecruiter makes.
const recruiterPassword = "correct horse battery staple"

// addRecruiter makes an account with recruiterPassword that needs no password change.
func addRecruiter(t *testing.T, db *storage.DB, email string, role storage.Role) *storage.User {
	t.Helper()
	hash, err := storage.HashPassword(recruiterPassword, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u := &storage.User{Email: email, Name: "Test " + string(role), Role: role, PasswordHash: hash}
	if err := db.CreateUser(u); err != nil {
		t.Fatal(err)
	}
	return u
}

// questionVideoFile is where a recruiter's video question is kept on disk.
func questionVideoFile(s *testServer, interview, question string) string {
	return filepath.Join(s.data, "media", interview, "_questions", question+".webm")
}

// recruiterPage drives the recruiters' pages in one tab. It reuses the candidate page's helpers (find,
// click, fill, waitFor, playVideo, checkConsole) and adds navigation: most recruiter actions are forms
// that load a new page.
type recruiterPage struct {
	*candidatePage
	base      string // the server's URL
	browser   *browsertest.Browser
	shareLink string // the review link the recruiter made
}

// openRecruiter opens a tab for a recruiter, at the server's URL base.
func openRecruiter(t *testing.T, b *browsertest.Browser, shots, base string) *recruiterPage {
	t.Helper()
	tab, console := b.NewTab(t)
	return &recruiterPage{candidatePage: &candidatePage{t: t, tab: tab, console: console, shots: shots}, base: base, browser: b}
}

// openIsolatedCandidate opens the candidate's page at url in a browser context of its own, as a second
// browser would: no cookie of the recruiter's tab reaches it.
func openIsolatedCandidate(t *testing.T, b *browsertest.Browser, shots, url string) *candidatePage {
	t.Helper()
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	tab, console := b.NewIsolatedTab(t)
	p := &candidatePage{t: t, tab: tab, console: console, wire: watchWire(t, tab), shots: shots}
	p.navigate(url)
	return p
}

// shot writes a screenshot of the whole page as recruiter-NN-name.png.
func (r *recruiterPage) shot(name string) {
	r.t.Helper()
	r.shotN++
	if path := browsertest.Screenshot(r.t, r.tab, r.shots, fmt.Sprintf("recruiter-%02d-%s", r.shotN, name)); path != "" {
		r.t.Logf("screenshot %s", path)
	}
}

// open loads path (on the server) and returns the response of the page it ends at, after redirects.
func (r *recruiterPage) open(path string) *network.Response {
	r.t.Helper()
	return r.navigation("opening "+path, chromedp.Navigate(r.base+path))
}

// submit clicks the element sel (a submit button or a link) and waits for the page it loads.
func (r *recruiterPage) submit(sel string) *network.Response {
	r.t.Helper()
	css := chromedp.CSS(sel)
	return r.navigation("clicking "+sel, chromedp.WaitVisible(css), chromedp.Click(css, chromedp.NodeVisible))
}

// submitLabel clicks the one visible button or link under scope that says label, and waits for the page.
func (r *recruiterPage) submitLabel(scope, label string) *network.Response {
	r.t.Helper()
	return r.submit(r.find(scope, label).Selector)
}

// reload reloads the page and waits for it.
func (r *recruiterPage) reload() *network.Response {
	r.t.Helper()
	return r.navigation("reloading", chromedp.Reload())
}

// navigation runs actions that load a page, and fails the test unless the page loads with status 200.
func (r *recruiterPage) navigation(what string, actions ...chromedp.Action[chromedp.Void]) *network.Response {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.tab, pageConnectTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != 200 {
		r.t.Fatalf("%s: %s answered %d %s", what, resp.URL, resp.Status, resp.StatusText)
	}
	return resp
}

// path returns the path of the tab's page.
func (r *recruiterPage) path() string {
	r.t.Helper()
	return pageEval[string](r.candidatePage, pageUITimeout, `location.pathname`)
}

// wantPath fails the test unless the tab shows the page at path.
func (r *recruiterPage) wantPath(path string) {
	r.t.Helper()
	if got := r.path(); got != path {
		r.t.Fatalf("the browser is at %s, want %s", got, path)
	}
}

// typeInto replaces the value of the field sel with text, typed key by key.
func (r *recruiterPage) typeInto(sel, text string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.tab, pageUITimeout)
	defer cancel()
	css := chromedp.CSS(sel)
	clear := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ''`, jsString(sel)))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css), clear, chromedp.SendKeys(css, text)); err != nil {
		r.t.Fatalf("typing into %s: %v", sel, err)
	}
}

// text returns the visible text of the first element sel matches, with white space collapsed.
func (r *recruiterPage) text(sel string) string {
	r.t.Helper()
	return pageEval[string](r.candidatePage, pageUITimeout, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		return el ? (%s)(el) : '';
	})()`, jsString(sel), accessibleText))
}

// seekState is what the review page's player says before and after a seek to the middle.
type seekState struct {
	Duration  float64 `json:"duration"` // -1 when not finite
	Played    float64 `json:"played"`   // currentTime after the first play
	Target    float64 `json:"target"`   // duration / 2
	AfterSeek float64 `json:"afterSeek"`
	Later     float64 `json:"later"` // currentTime once playback went on after the seek
	Paused    bool    `json:"paused"`
	Error     string  `json:"error"`
	Src       string  `json:"src"`
}

// playAndSeek plays the video sel (muted), seeks to the middle, and waits until playback has gone on
// by advance seconds from there.
func (r *recruiterPage) playAndSeek(sel string, advance float64) seekState {
	r.t.Helper()
	return pageEval[seekState](r.candidatePage, 3*pageMediaTimeout, fmt.Sprintf(`(async () => {
		const v = document.querySelector(%s);
		const failed = () => new Error('media error ' + (v.error ? v.error.code + ': ' + v.error.message : '?'));
		const until = (what, ok, ms) => new Promise((resolve, reject) => {
			const stuck = setTimeout(() => reject(new Error(what + ': stuck at ' + v.currentTime)), ms);
			const check = () => {
				if (v.error) { clearTimeout(stuck); reject(failed()); return; }
				if (ok()) { clearTimeout(stuck); resolve(); return; }
				setTimeout(check, 20);
			};
			check();
		});
		v.muted = true;
		await until('metadata', () => v.readyState >= HTMLMediaElement.HAVE_METADATA, 5000);
		await v.play();
		await until('first playback', () => v.currentTime >= 0.3, 5000);
		const played = v.currentTime;
		const duration = v.duration;
		if (!Number.isFinite(duration)) return {duration: -1, played, error: v.error ? String(v.error.code) : ''};
		const target = duration / 2;
		const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, {once: true}));
		v.currentTime = target;
		await seeked;
		const afterSeek = v.currentTime;
		await until('playback after the seek', () => v.currentTime >= target + %f, 5000);
		const later = v.currentTime, paused = v.paused;
		v.pause();
		return {duration, played, target, afterSeek, later, paused, error: v.error ? String(v.error.code) : '', src: v.currentSrc};
	})()`, jsString(sel), advance))
}

// fetched is what a fetch() of the page got.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Size        int    `json:"size"`
	Base64      string `json:"base64"` // the body, when asked for
}

// fetchLink fetches the href of the element sel from the page, with the page's cookies, and returns
// the status, headers and size (and the body in base64 when body is set).
func (r *recruiterPage) fetchLink(sel string, body bool) fetched {
	r.t.Helper()
	return pageEval[fetched](r.candidatePage, pageMediaTimeout, fmt.Sprintf(`(async () => {
		const a = document.querySelector(%s);
		if (!a) throw new Error('no link %s');
		const resp = await fetch(a.href);
		const buf = new Uint8Array(await resp.arrayBuffer());
		let b64 = '';
		if (%t) {
			let s = '';
			for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
			b64 = btoa(s);
		}
		return {status: resp.status, type: resp.headers.get('Content-Type') || '',
			disposition: resp.headers.get('Content-Disposition') || '', size: buf.length, base64: b64};
	})()`, jsString(sel), strings.ReplaceAll(sel, "'", ""), body))
}
