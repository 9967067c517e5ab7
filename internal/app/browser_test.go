package app

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/storage"
)

// Time limits of the browser tests' steps.
const (
	pageConnectTimeout = 20 * time.Second // page load, camera, WebSocket, ICE and DTLS
	pageStartTimeout   = 10 * time.Second // Record clicked until the server records: the 3 s countdown, then the keyframe
	pageSaveTimeout    = 10 * time.Second // Stop clicked until the page shows the saved take
	pageUITimeout      = 5 * time.Second  // one click or one look at the page
	pageMediaTimeout   = 10 * time.Second // a player loads, seeks or plays
)

// TestBrowserInterview walks the candidate's whole interview in headless Chromium, on a desktop and on a
// phone, against a real server: the page sends a fake camera (a still test picture) and microphone over
// WebRTC, and every take on disk is judged against that picture.
func TestBrowserInterview(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts browsertest.Options
	}{
		{"desktop", browsertest.Options{Width: browsertest.DesktopWidth, Height: browsertest.DesktopHeight}},
		{"phone", browsertest.Options{Width: browsertest.PhoneWidth, Height: browsertest.PhoneHeight, Mobile: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the two browsers mostly wait (countdowns, takes): together they take the time of one
			walkInterview(t, tc.opts)
		})
	}
}

// walkInterview is the candidate's round, step by step as the candidate guide tells it, clicking the
// labels the candidate sees: cookie notice, privacy policy, details, the question's video, the device
// check, a take, its review, a retake, removing it, another take, a reload, sending the answers.
func walkInterview(t *testing.T, opts browsertest.Options) {
	began := time.Now()
	s := startServer(t)
	iv := &storage.Interview{
		Title:   "Bridge engineer",
		Welcome: "Welcome, and thank you for your time. There are two questions.",
		Privacy: "Northbridge keeps your answers for six months and shows them only to the people hiring for this job.",
		Questions: []storage.Question{
			{Text: "Which bridge did you design first, and what did it teach you?", Video: true, TimeLimit: 2 * time.Minute},
			{Text: "Why would you like to build bridges with us?", Optional: true},
		},
	}
	if err := s.app.DB().CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	inv := &storage.Invitation{InterviewID: iv.ID}
	if err := s.app.DB().CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	s.iv, s.inv = iv, inv
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID
	addQuestionVideo(t, s, q1)
	// What must not reach the browser before the candidate accepted the policy and gave details.
	secrets := []string{iv.Questions[0].Text, iv.Questions[1].Text, q1, q2, "/question/"}

	camera, microphone := fakeDevices(t)
	opts.VideoFile, opts.AudioFile = camera, microphone
	b := browsertest.Start(t, opts)
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	t.Logf("screenshots in %s", shots)
	p := openCandidate(t, b, shots, s.http.URL+"/i/"+inv.Token)
	defer p.checkConsole()

	// 1. The cookie notice, over the privacy policy.
	p.waitScreen("privacy")
	p.waitFor(pageUITimeout, "the cookie notice", `document.querySelector('#cookie-notice').checkVisibility()`)
	p.shot("cookie-notice")
	p.clickExpecting("#cookie-notice", "OK", "cookie-accept")
	p.waitFor(pageUITimeout, "the cookie notice to go away",
		`!document.querySelector('#cookie-notice').checkVisibility() && document.cookie.includes('takes_cookie_notice=1')`)

	// 2. The privacy policy: Continue only once it is accepted, and nothing of the questions on the wire.
	p.waitFor(pageUITimeout, "the privacy policy", fmt.Sprintf(
		`document.querySelector('#privacy-text').textContent === %s && document.querySelector('#privacy-continue').disabled`, jsString(iv.Privacy)))
	p.shot("privacy")
	welcome := p.wire.waitFrame(t, pageUITimeout, "welcome", func(m map[string]any) bool { return m["type"] == "welcome" })
	if welcome["stage"] != "privacy" || welcome["questions"] != nil {
		t.Errorf("welcome before consent: stage %v, questions %v", welcome["stage"], welcome["questions"])
	}
	checkNothingRevealed(t, p, secrets, "before the privacy policy was accepted")
	p.click("#screen-privacy", "I have read and accept the privacy policy.")
	p.waitFor(pageUITimeout, "the box to be ticked", `document.querySelector('#privacy-accept').checked`)
	p.clickExpecting("#screen-privacy", "Continue", "privacy-continue")

	// 3. The details: the page checks them, and so does the server.
	p.waitScreen("details")
	p.shot("details")
	p.clickExpecting("#screen-details", "Continue", "details-submit")
	p.waitFor(pageUITimeout, "the page's own check of the empty form", `['name', 'email'].every((f) =>
		document.querySelector('#details-form [data-field="' + f + '"] .field-error').checkVisibility())`)
	p.shot("details-missing")
	// The same mistake sent past the page's check, on the page's own socket: the server refuses it.
	sent := pageEval[bool](p, pageUITimeout, `(() => {
		const ws = window.__takesSockets.at(-1);
		if (!ws || ws.readyState !== WebSocket.OPEN) return false;
		ws.send(JSON.stringify({type: 'details', values: {name: '', email: 'ada@example.com', phone: ''}}));
		return true;
	})()`)
	if !sent {
		t.Fatal("the page has no open socket")
	}
	refused := p.wire.waitFrame(t, pageUITimeout, "invalid-details error", func(m map[string]any) bool {
		return m["type"] == "error" && m["code"] == "invalid-details"
	})
	if fields, _ := refused["fields"].(map[string]any); fields["name"] == nil || fields["email"] != nil || refused["request"] != "details" {
		t.Errorf("the server's refusal of the missing name: %v", refused)
	}
	// The page shows the server's verdict: the name is marked, the email no longer is.
	p.waitFor(pageUITimeout, "the server's refusal on the form", `
		document.querySelector('#details-form [data-field="name"] .field-error').checkVisibility() &&
		!document.querySelector('#details-form [data-field="email"] .field-error').checkVisibility()`)
	p.fill("Full name", "Ada Lovelace")
	p.fill("Email", "ada@example.com")
	p.fill("Phone", "+44 20 7946 0000")
	p.shot("details-filled")
	p.clickExpecting("#screen-details", "Continue", "details-submit")

	// 4. The questions, revealed only now.
	p.waitScreen("questions")
	p.waitFor(pageUITimeout, "the questions' texts", fmt.Sprintf(`%s?.textContent.includes(%s) && %s?.textContent.includes(%s)`,
		questionRow(q1), jsString(iv.Questions[0].Text), questionRow(q2), jsString(iv.Questions[1].Text)))
	p.shot("questions")
	checkRevealedAfterDetails(t, p, secrets)
	if got, _ := s.app.DB().Invitation(inv.ID); got == nil || got.Details["name"] != "Ada Lovelace" || got.Details["phone"] != "+44 20 7946 0000" {
		t.Errorf("details on record: %+v", got)
	}

	// 5. The question's video plays.
	p.click(questionSelector(q1), "Play question")
	p.waitFor(pageMediaTimeout, "the question's video to play", `(() => {
		const d = document.querySelector('#question-dialog'), v = document.querySelector('#question-video');
		return d.open && !v.paused && !v.error && v.currentTime >= 0.5;
	})()`)
	p.shot("question-video")
	p.clickExpecting("#question-dialog", "Close", "question-dialog-close")
	p.waitFor(pageUITimeout, "the question's video to close",
		`!document.querySelector('#question-dialog').open && document.querySelector('#question-video').paused`)

	// 6. The device check: the camera's picture plays, the microphone meter moves.
	p.click(questionSelector(q1), "Record your response")
	p.waitScreen("record")
	p.checkDevices()
	p.waitConnected()
	p.waitFor(pageConnectTimeout, "Record to be offered", `!document.querySelector('#record-button').disabled`)
	p.shot("device-check")

	// 7. A take of 3 s, reviewed.
	takeURL := func(n int) string { return fmt.Sprintf("/media/%s/%s/%d", inv.Token, q1, n) }
	spoke := p.recordTake("Record", q1, 3*time.Second, "take-1")
	p.checkReview(takeURL(1), spoke)
	p.shot("take-1-review")
	judgeTake(t, s.takePath(s.key(q1, 1)), spoke, camera)

	// 8. A retake replaces it.
	spoke = p.recordTake("Retake", q1, 3*time.Second, "take-2")
	p.checkReview(takeURL(2), spoke)
	p.shot("take-2-review")
	if files := takeFiles(t, s); !slices.Equal(files, []string{s.takePath(s.key(q1, 2))}) {
		t.Errorf("take files after the retake: %v, want only take 2", files)
	}
	judgeTake(t, s.takePath(s.key(q1, 2)), spoke, camera)

	// 9. Remove take: no player, no file.
	p.clickExpecting(".record-actions", "Remove take", "remove-button")
	p.waitFor(pageSaveTimeout, "the take to be removed",
		questionRow(q1)+`.dataset.state === 'none' && !document.querySelector('video#playback')`)
	p.shot("take-removed")
	if files := takeFiles(t, s); len(files) != 0 {
		t.Errorf("take files after removing the take: %v", files)
	}

	// 10. Record again.
	spoke = p.recordTake("Record", q1, 3*time.Second, "take-3")
	p.checkReview(takeURL(3), spoke)
	p.shot("take-3-review")
	judgeTake(t, s.takePath(s.key(q1, 3)), spoke, camera)

	// 11. A reload: the draft is still there, and plays.
	p.reload()
	p.waitScreen("questions")
	p.waitQuestionState(pageConnectTimeout, q1, "draft")
	p.waitConnected()
	if pageEval[bool](p, pageUITimeout, `document.querySelector('#cookie-notice').checkVisibility()`) {
		t.Error("the cookie notice is back after a reload")
	}
	p.shot("reloaded")
	p.click(questionSelector(q1), "Review your response")
	p.waitScreen("record")
	p.checkReview(takeURL(3), spoke)
	p.shot("reloaded-review")
	p.clickExpecting(".record-actions", "Back to questions", "review-done")
	p.waitScreen("questions")

	// 12. Send answers and close interview, Confirm: the confirmation.
	p.clickExpecting("#screen-questions", "Send answers and close interview", "submit-button")
	p.waitScreen("submit")
	p.shot("submit")
	p.clickExpecting("#screen-submit", "Confirm", "confirm-button")
	p.waitScreen("done")
	p.waitFor(pageUITimeout, "the confirmation", `document.querySelector('#confirmation').checkVisibility() &&
		document.querySelector('#done-time').textContent.trim() !== ''`)
	p.shot("done")
	if got, _ := s.app.DB().Invitation(inv.ID); got == nil || got.SubmittedAt.IsZero() {
		t.Errorf("the invitation is not submitted on record: %+v", got)
	}

	// 13. Still closed after a reload, and the server refuses a recording sent by hand.
	p.reload()
	p.waitScreen("done")
	p.waitConnected()
	p.shot("done-reloaded")
	c := dialRaw(t, s.wsURL(inv.Token))
	if w := c.next(); w["type"] != "welcome" || w["stage"] != "submitted" {
		t.Errorf("welcome after submitting: %v", w)
	}
	c.send(map[string]string{"type": "record", "question": q1})
	c.expectError("submitted")
	if files := takeFiles(t, s); !slices.Equal(files, []string{s.takePath(s.key(q1, 3))}) {
		t.Errorf("take files after submitting: %v, want only take 3", files)
	}
	// The details went over the socket exactly twice: the one sent past the page's check, and the valid one.
	var names []any
	for _, m := range p.wire.frames("sent") {
		if m["type"] == "details" {
			values, _ := m["values"].(map[string]any)
			names = append(names, values["name"])
		}
	}
	if len(names) != 2 || names[0] != "" || names[1] != "Ada Lovelace" {
		t.Errorf("names sent in details: %q, want the hand-made empty one, then the form's", names)
	}
	t.Logf("the walk took %v", time.Since(began).Round(time.Millisecond))
}

// checkNothingRevealed checks that no secret has reached the page so far: not in an HTTP response it
// loaded, not in a WebSocket frame it received.
func checkNothingRevealed(t *testing.T, p *candidatePage, secrets []string, when string) {
	t.Helper()
	bodies := p.wire.responseBodies(t, p.tab)
	if len(bodies) == 0 {
		t.Errorf("no HTTP response recorded %s", when)
	}
	var urls []string
	for url, body := range bodies {
		urls = append(urls, url)
		if found := secretsIn(body, secrets); len(found) > 0 {
			t.Errorf("%s: %s contains %q", when, url, found)
		}
	}
	frames := 0
	for _, e := range p.wire.snapshot() {
		if e.kind != "recv" {
			continue
		}
		frames++
		if found := secretsIn([]byte(e.payload), secrets); len(found) > 0 {
			t.Errorf("%s: a WebSocket frame contains %q: %.300s", when, found, e.payload)
		}
	}
	if frames == 0 {
		t.Errorf("no WebSocket frame recorded %s", when)
	}
	slices.Sort(urls)
	t.Logf("%s: %d responses (%s) and %d WebSocket frames, none with a question", when, len(bodies), strings.Join(urls, ", "), frames)
}

// checkRevealedAfterDetails checks the order on the wire: the page sent accept-privacy, then details,
// and no frame it received before the state of stage "questions" had a secret; that state has them all.
func checkRevealedAfterDetails(t *testing.T, p *candidatePage, secrets []string) {
	t.Helper()
	checkNothingRevealedOverHTTP(t, p, secrets)
	var sentTypes []string
	for _, m := range p.wire.frames("sent") {
		sentTypes = append(sentTypes, fmt.Sprint(m["type"]))
	}
	if i := slices.Index(sentTypes, "accept-privacy"); i < 0 || !slices.Contains(sentTypes[i:], "details") {
		t.Errorf("the page sent %v, want accept-privacy and then details", sentTypes)
	}
	var types []string
	for _, e := range p.wire.snapshot() {
		if e.kind != "recv" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(e.payload), &m); err != nil {
			t.Errorf("a frame that is not JSON: %.200s", e.payload)
			continue
		}
		what := fmt.Sprint(m["type"])
		if m["stage"] != nil {
			what += "/" + fmt.Sprint(m["stage"])
		} else if m["code"] != nil {
			what += "/" + fmt.Sprint(m["code"])
		}
		types = append(types, what)
		found := secretsIn([]byte(e.payload), secrets)
		if m["type"] == "state" && m["stage"] == "questions" {
			if len(found) != len(secrets) {
				t.Errorf("the state of stage questions has %q of %q", found, secrets)
			}
			t.Logf("on the socket until the questions: %s", strings.Join(types, " → "))
			return
		}
		if len(found) > 0 {
			t.Errorf("%v before the stage questions contains %q: %.300s", types[len(types)-1], found, e.payload)
		}
	}
	t.Errorf("no state of stage questions on the socket; received %v", types)
}

// checkNothingRevealedOverHTTP checks that no page, script or style the page loaded has a secret.
func checkNothingRevealedOverHTTP(t *testing.T, p *candidatePage, secrets []string) {
	t.Helper()
	for url, body := range p.wire.responseBodies(t, p.tab) {
		if found := secretsIn(body, secrets); len(found) > 0 {
			t.Errorf("%s contains %q", url, found)
		}
	}
}

// takeFiles lists the take files of the test server's invitation.
func takeFiles(t *testing.T, s *testServer) []string {
	t.Helper()
	dir := filepath.Join(s.data, "media", s.iv.ID, s.inv.ID) + string(filepath.Separator)
	var out []string
	for _, f := range mediaFiles(t, s.data) {
		if strings.HasPrefix(f, dir) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}
