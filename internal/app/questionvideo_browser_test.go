package app

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/storage"
)

// An admin records a video question in Chromium (fake camera and microphone) on
// its page: camera on, Record, Stop, the saved video plays; Record again replaces
// it; Remove video deletes it.
func TestBrowserQuestionVideo(t *testing.T) {
	s := startServer(t)
	q := s.iv.Questions[0].ID
	admin := s.sessionHeader(t, "admin@example.com", storage.RoleAdmin)
	camera, microphone := fakeDevices(t)
	b := browsertest.Start(t, browsertest.Options{VideoFile: camera, AudioFile: microphone})
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	tab, console := b.NewTab(t)
	p := &candidatePage{t: t, tab: tab, console: console, shots: shots}
	setSessionCookie(t, tab, s.http.URL, admin)
	p.navigate(s.http.URL + "/admin/interviews/" + s.iv.ID + "/questions/" + q + "/video")
	p.waitFor(pageConnectTimeout, "the page's welcome", `document.querySelector('#qv-status').textContent.includes('no video yet')`)
	p.shot("question-video-empty")

	recordInBrowser(p, 2*time.Second, "question-video-first")
	if got := questionHasVideo(t, s, q); !got {
		t.Fatal("the question is not marked as having a video")
	}
	first := p.savedDuration()
	if math.Abs(first-2) > 0.6 {
		t.Errorf("saved video plays %.2f s, want about 2", first)
	}

	browsertest.Click(t, tab, pageUITimeout, "#record-again")
	recordInBrowser(p, time.Second, "question-video-again")
	if d := p.savedDuration(); math.Abs(d-1) > 0.6 {
		t.Errorf("the second video plays %.2f s, want about 1", d)
	}

	pageEval[bool](p, pageUITimeout, `(window.confirm = () => true, true)`)
	browsertest.Click(t, tab, pageUITimeout, "#remove")
	p.waitFor(pageConnectTimeout, "the video to be removed", `document.querySelector('#saved-video').offsetParent === null &&
		document.querySelector('#qv-status').textContent.includes('removed')`)
	p.shot("question-video-removed")
	if questionHasVideo(t, s, q) {
		t.Error("the question is still marked as having a video")
	}
	p.checkConsole()
}

// recordInBrowser turns the camera on (unless it is on), records for d and waits until the saved video can play.
func recordInBrowser(p *candidatePage, d time.Duration, shot string) {
	p.t.Helper()
	if pageEval[bool](p, pageUITimeout, `document.querySelector('#camera-on').offsetParent !== null`) {
		browsertest.Click(p.t, p.tab, pageUITimeout, "#camera-on")
	}
	p.waitFor(pageConnectTimeout, "Record to be offered", `!document.querySelector('#record').disabled &&
		document.querySelector('#record').offsetParent !== null`)
	p.shot(shot + "-ready")
	browsertest.Click(p.t, p.tab, pageUITimeout, "#record")
	p.waitFor(pageConnectTimeout, "the recording to start", `document.querySelector('#qv-badge').offsetParent !== null`)
	sleepCtx(p.t, d)
	p.shot(shot + "-recording")
	browsertest.Click(p.t, p.tab, pageUITimeout, "#stop")
	p.waitFor(pageConnectTimeout, "the saved video", `(() => {
		const v = document.querySelector('#saved-video');
		return v.offsetParent !== null && v.readyState >= 1 && Number.isFinite(v.duration) && v.duration > 0;
	})()`)
	p.shot(shot + "-saved")
}

func (p *candidatePage) savedDuration() float64 {
	return pageEval[float64](p, pageUITimeout, `document.querySelector('#saved-video').duration`)
}

func questionHasVideo(t *testing.T, s *testServer, q string) bool {
	t.Helper()
	iv, err := s.app.DB().Interview(s.iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	qq, _ := iv.Question(q)
	return qq.Video
}

// setSessionCookie gives the tab the session cookie of header, as signing in would.
func setSessionCookie(t *testing.T, tab context.Context, url string, header http.Header) {
	t.Helper()
	name, value, _ := strings.Cut(header.Get("Cookie"), "=")
	ctx, cancel := context.WithTimeout(tab, pageUITimeout)
	defer cancel()
	httpOnly := true
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: name, Value: value, URL: url, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
}
