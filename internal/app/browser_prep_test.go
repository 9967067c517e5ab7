package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/storage"
)

// TestBrowserPrepAndDeadline checks in headless Chromium that a question with a preparation time shows
// "Recording starts in 0:0x" and "Start recording now", then records by itself; and that once the deadline
// has passed, the page says so, offers no way to record, and still sends the draft; and that a page whose
// link is withdrawn says so once its socket is refused.
func TestBrowserPrepAndDeadline(t *testing.T) {
	began := time.Now()
	s := startServer(t)
	db := s.app.DB()
	iv := &storage.Interview{Title: "Prepared answers", Questions: []storage.Question{
		{Text: "Take a moment, then tell us about a hard decision.", PrepTime: 2 * time.Second},
		{Text: "Anything else?", Optional: true},
	}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	inv := newCandidate(t, s, iv, time.Now().Add(time.Hour))
	s.iv, s.inv = iv, inv
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID

	camera, microphone := fakeDevices(t)
	b := browsertest.Start(t, browsertest.Options{Width: browsertest.DesktopWidth, Height: browsertest.DesktopHeight,
		VideoFile: camera, AudioFile: microphone})
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	p := openCandidate(t, b, shots, s.http.URL+"/i/"+inv.Token)
	defer p.checkConsole()

	// Before the deadline: when to send by.
	p.waitScreen("questions")
	p.waitFor(pageUITimeout, "the deadline", `(() => {
		const d = document.querySelector('#deadline');
		return d.checkVisibility() && d.dataset.closed === 'false' && d.textContent.trim().startsWith('Please send your answers by ');
	})()`)
	p.click(questionSelector(q1), "Record your response")
	p.waitScreen("record")
	p.waitFor(pageConnectTimeout, "Record to be offered", `!document.querySelector('#record-button').disabled`)

	// Record: the preparation time runs first, and nothing is asked of the server yet.
	clicked := time.Now()
	p.click(".record-actions", "Record")
	p.waitFor(pageUITimeout, "the preparation countdown", `(() => {
		const c = document.querySelector('#prep-clock');
		return c.checkVisibility() && /^Recording starts in 0:0[12]$/.test(c.textContent);
	})()`)
	p.find(".record-actions", "Start recording now")
	p.find(".record-actions", "Cancel")
	p.shot("prep")
	for _, m := range p.wire.frames("sent") {
		if m["type"] == "record" {
			t.Fatal("record was sent during the preparation time")
		}
	}
	// Then the 3, 2, 1 countdown and the recording, by themselves.
	p.waitFor(pageStartTimeout, "the countdown", `/^[123]$/.test(document.querySelector('#countdown').textContent) &&
		!document.querySelector('#prep-clock').checkVisibility()`)
	recording := p.waitRecording(q1)
	if d := recording.Sub(clicked); d < 4500*time.Millisecond {
		t.Errorf("recording began %v after Record, want the 2 s preparation and the 3 s countdown first", d)
	}
	p.shot("recording")
	sleepCtx(t, time.Second)
	p.clickExpecting(".record-actions", "Stop", "stop-button")
	p.waitQuestionState(pageSaveTimeout, q1, "draft")
	if tk := currentTake(t, s, q1); tk.State != storage.TakeDraft || tk.DurationMs < 800 {
		t.Errorf("the take on record: %+v", tk)
	}

	// The deadline passes: the page says so, and shows no way to record.
	if _, err := db.SetInvitationDeadline(inv.ID, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	p.reload()
	p.waitScreen("questions")
	p.waitQuestionState(pageConnectTimeout, q1, "draft")
	p.waitFor(pageUITimeout, "the deadline passed", `(() => {
		const d = document.querySelector('#deadline');
		return d.checkVisibility() && d.dataset.closed === 'true' &&
			d.textContent.includes('The deadline for this interview has passed. You can no longer record answers.');
	})()`)
	p.shot("closed")
	hidden := pageEval[bool](p, pageUITimeout, fmt.Sprintf(`!%s.querySelector('.record-response').checkVisibility()`, questionRow(q2)))
	if !hidden {
		t.Error("the unanswered question still offers to record after the deadline")
	}
	p.click(questionSelector(q1), "Review your response")
	p.waitScreen("record")
	p.waitFor(pageUITimeout, "the review", `document.querySelector('#review').checkVisibility()`)
	buttons := pageEval[string](p, pageUITimeout, `[...document.querySelectorAll('.record-actions button')]
		.filter((b) => b.checkVisibility()).map((b) => b.id).join(' ')`)
	if strings.Contains(buttons, "record-button") || strings.Contains(buttons, "retake-button") {
		t.Errorf("buttons after the deadline: %s", buttons)
	}
	p.clickExpecting(".record-actions", "Back to questions", "review-done")

	// The draft can still be sent.
	p.clickExpecting("#screen-questions", "Send answers and close interview", "submit-button")
	p.waitScreen("submit")
	p.clickExpecting("#screen-submit", "Confirm", "confirm-button")
	p.waitScreen("done")
	if got, _ := db.Invitation(inv.ID); got.SubmittedAt.IsZero() {
		t.Error("the answers were not sent after the deadline")
	}

	// Another candidate's link is withdrawn while their page is open: once its socket drops, the page
	// finds the link refused and says so instead of trying again and again.
	other := newCandidate(t, s, iv, time.Time{})
	p2 := openCandidate(t, b, shots, s.http.URL+"/i/"+other.Token)
	defer p2.checkConsoleExcept("410")
	p2.waitScreen("questions")
	if _, err := db.RevokeInvitation(other.ID); err != nil {
		t.Fatal(err)
	}
	p2.waitFor(pageUITimeout, "the socket to close", `(() => { window.__takesSockets.at(-1).close(); return true; })()`)
	p2.waitScreen("withdrawn")
	p2.waitFor(pageUITimeout, "the withdrawn message", `document.querySelector('#screen-withdrawn').textContent.includes(
		'If you think this is a mistake, contact the person who invited you.') && document.querySelector('#connection').dataset.state === 'error'`)
	p2.shot("withdrawn")
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}

// checkConsoleExcept is checkConsole, leaving out the console errors that contain what: those the
// browser itself logs for an expected refusal.
func (p *candidatePage) checkConsoleExcept(what string) {
	p.t.Helper()
	p.console.Log(p.t)
	for _, m := range p.console.Errors() {
		if d := browsertest.Describe(m); !strings.Contains(d, what) {
			p.t.Errorf("page console: %s", d)
		}
	}
}
