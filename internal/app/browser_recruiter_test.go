package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/storage"
)

// TestRecruiterBrowser is the recruiter's round in headless Chromium against a real server, as a new user
// does it: sign in with the first admin's one-time password and choose a password; create an interview
// with a required, timed question and an optional one; record a video question with the fake camera;
// invite a candidate; answer as that candidate in a second, isolated browser context; then find the
// submission, play a take, seek to its middle, rate it, comment on it and download it. Every recruiter
// page is photographed at 1280×800.
func TestRecruiterBrowser(t *testing.T) {
	began := time.Now()
	s := startRecruiterServer(t)
	email, oneTime, created, err := s.app.EnsureAdmin()
	if err != nil || !created {
		t.Fatalf("first admin: created %v, %v", created, err)
	}
	camera, microphone := fakeDevices(t)
	b := browsertest.Start(t, browsertest.Options{VideoFile: camera, AudioFile: microphone,
		Width: browsertest.DesktopWidth, Height: browsertest.DesktopHeight})
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	t.Logf("screenshots in %s", shots)
	r := openRecruiter(t, b, shots, s.http.URL)
	defer r.checkConsole()

	signInFirstTime(t, r, email, oneTime)
	ivID := createInterview(t, r)
	iv, err := s.app.DB().Interview(ivID)
	if err != nil {
		t.Fatal(err)
	}
	checkCreatedInterview(t, iv)
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID
	recordVideoQuestion(t, s, r, ivID, q1)
	link := inviteCandidate(t, s, r, ivID)

	answerAsCandidate(t, s, b, filepath.Join(shots, "candidate"), link, q1, q2)
	inv := submittedInvitation(t, s, ivID)

	reviewSubmission(t, s, r, ivID, inv, q1, q2)
	t.Logf("the recruiter's round took %v", time.Since(began).Round(time.Millisecond))
}

// signInFirstTime signs in with the one-time password and chooses a new one, landing on the dashboard.
func signInFirstTime(t *testing.T, r *recruiterPage, email, oneTime string) {
	t.Helper()
	r.open("/admin/")
	r.wantPath("/login") // not signed in yet
	r.shot("login")
	r.typeInto("#email", email)
	r.typeInto("#password", oneTime)
	r.submitLabel("main form", "Sign in")
	r.wantPath("/admin/password")
	r.shot("password")
	r.typeInto("#current", oneTime)
	r.typeInto("#new", recruiterPassword)
	r.typeInto("#confirm", recruiterPassword)
	r.submitLabel("main form", "Change password")
	r.wantPath("/admin/")
	if got := r.text("main"); !strings.Contains(got, "There are no interviews yet") {
		t.Errorf("the empty dashboard says %q", got)
	}
	r.shot("dashboard-empty")
}

// The interview the recruiter types.
const (
	recTitle     = "Harbour pilot"
	recWelcome   = "Welcome. Two short questions, answered on video in your own time."
	recQuestion1 = "Tell us about the most difficult harbour you have navigated."
	recQuestion2 = "Anything else you would like us to know?"
	recComment   = "Clear and calm; good example of the Kiel canal."
)

// createInterview fills in the new-interview form and saves it; it returns the interview's ID.
func createInterview(t *testing.T, r *recruiterPage) string {
	t.Helper()
	r.submitLabel("main", "New interview")
	r.wantPath("/admin/interviews/new")
	r.shot("interview-new")
	r.typeInto("#title", recTitle)
	r.typeInto("#welcome", recWelcome)
	r.typeInto("#q-0-text", recQuestion1)
	r.typeInto("#q-0-min", "2")
	r.typeInto("#q-0-sec", "0")
	r.submitLabel(".questions", "Add a question")
	r.waitFor(pageUITimeout, "the second question", `document.querySelector('#q-1-text') !== null`)
	if got := pageEval[string](r.candidatePage, pageUITimeout, `document.querySelector('#q-0-text').value`); got != recQuestion1 {
		t.Errorf("adding a question changed the first one's text to %q", got)
	}
	r.typeInto("#q-1-text", recQuestion2)
	// The second question is optional: untick Required.
	if pageEval[bool](r.candidatePage, pageUITimeout, `document.querySelector('#q-1-required').checked`) {
		r.click("#q-1", "Required: candidates must answer it before they can send their answers")
	}
	r.waitFor(pageUITimeout, "the second question to be optional", `!document.querySelector('#q-1-required').checked`)
	r.shot("interview-filled")
	r.submit(".form-actions button[value=save]")
	path := r.path()
	id, ok := strings.CutPrefix(path, "/admin/interviews/")
	if !ok || !storage.ValidID(id) {
		t.Fatalf("after saving the interview the browser is at %s, want its page", path)
	}
	if got := r.text("h1"); got != recTitle {
		t.Errorf("the interview's page is headed %q", got)
	}
	r.shot("interview-overview-new")
	return id
}

// checkCreatedInterview checks what the form stored.
func checkCreatedInterview(t *testing.T, iv *storage.Interview) {
	t.Helper()
	if iv.Title != recTitle || iv.Welcome != recWelcome || len(iv.Questions) != 2 {
		t.Fatalf("stored interview: %+v", iv)
	}
	first, second := iv.Questions[0], iv.Questions[1]
	if first.Text != recQuestion1 || first.Optional || first.TimeLimit != 2*time.Minute {
		t.Errorf("first question: %+v, want required with 2 min", first)
	}
	if second.Text != recQuestion2 || !second.Optional {
		t.Errorf("second question: %+v, want optional", second)
	}
}

// recordVideoQuestion records the first question on video from the interview's editor: about 2 s of
// the fake camera, saved by the server and played back on the page.
func recordVideoQuestion(t *testing.T, s *testServer, r *recruiterPage, ivID, q string) {
	t.Helper()
	r.submitLabel("main", "Edit interview")
	r.wantPath("/admin/interviews/" + ivID + "/edit")
	r.shot("interview-edit")
	r.submit(fmt.Sprintf(`a[href="/admin/interviews/%s/questions/%s/video"]`, ivID, q))
	r.shot("question-video")
	r.clickExpecting("#qv", "Turn on camera", "camera-on")
	r.waitFor(pageConnectTimeout, "Record to be offered", `(() => {
		const b = document.querySelector('#record');
		return !b.hidden && !b.disabled;
	})()`)
	r.waitFor(pageMediaTimeout, "the camera preview", `(() => {
		const v = document.querySelector('#preview');
		return v.srcObject && v.readyState >= 2 && v.videoWidth > 0;
	})()`)
	r.shot("question-video-camera")
	r.clickExpecting("#qv", "Record", "record")
	r.waitFor(pageStartTimeout, "the recording", `(() => {
		const badge = document.querySelector('#qv-badge'), stop = document.querySelector('#stop');
		return !badge.hidden && !stop.hidden && !stop.disabled;
	})()`)
	started := time.Now()
	r.shot("question-video-recording")
	sleepCtx(t, time.Until(started.Add(2*time.Second)))
	r.clickExpecting("#qv", "Stop", "stop")
	r.waitFor(pageSaveTimeout, "the saved video", `(() => {
		const fig = document.querySelector('#qv-saved'), v = document.querySelector('#saved-video');
		return !fig.hidden && v.getAttribute('src') && document.querySelector('#qv-status').textContent.startsWith('Saved');
	})()`)
	spoke := time.Since(started)
	got := r.playVideo("#saved-video", 0.5)
	if !got.Finite || math.Abs(got.Duration-spoke.Seconds()) > 1 || got.Error != "" {
		t.Errorf("the saved video question: %+v, want about %.1f s that plays", got, spoke.Seconds())
	}
	r.shot("question-video-saved")
	if iv, err := s.app.DB().Interview(ivID); err != nil || !iv.Questions[0].Video {
		t.Errorf("the question has no video on record: %v", err)
	}
	file := questionVideoFile(s, ivID, q)
	pr := mediatest.Probe(t, file)
	if v, ok := pr.Stream("video"); !ok || v.CodecName != "vp8" || pr.Duration < time.Second || pr.Duration > 4*time.Second {
		t.Errorf("%s: %+v, want about 2 s of VP8", file, pr)
	}
}

// inviteCandidate invites Ada Lovelace from the interview's page and returns her link as the page shows it.
func inviteCandidate(t *testing.T, s *testServer, r *recruiterPage, ivID string) string {
	t.Helper()
	r.open("/admin/interviews/" + ivID)
	if got := r.text(".inv-section table"); !strings.Contains(got, "video question") {
		t.Errorf("the questions' table does not show the video question: %q", got)
	}
	r.shot("interview-overview")
	r.typeInto("#lines", "Ada Lovelace, ada@example.com")
	r.submitLabel("main", "Create invitation links")
	r.shot("invitations-created")
	link := pageEval[string](r.candidatePage, pageUITimeout, `document.querySelector('input.inv-link-text')?.value || ''`)
	if !strings.HasPrefix(link, s.http.URL+"/i/") {
		t.Fatalf("the invitation's link is %q, want one on %s/i/", link, s.http.URL)
	}
	invs, err := s.app.DB().Invitations(ivID)
	if err != nil || len(invs) != 1 || invs[0].Name != "Ada Lovelace" || invs[0].Email != "ada@example.com" ||
		link != s.http.URL+"/i/"+invs[0].Token {
		t.Fatalf("invitations on record: %+v %v (link %s)", invs, err, link)
	}
	return link
}

// answerAsCandidate walks the candidate's flow in an isolated browser context: cookie notice, privacy
// policy, details, the recruiter's video question, a 3 s take of the required question, sending.
func answerAsCandidate(t *testing.T, s *testServer, b *browsertest.Browser, shots, link, q1, q2 string) {
	t.Helper()
	p := openIsolatedCandidate(t, b, shots, link)
	defer p.checkConsole()
	p.waitScreen("privacy")
	p.waitFor(pageUITimeout, "the cookie notice", `document.querySelector('#cookie-notice').checkVisibility()`)
	p.clickExpecting("#cookie-notice", "OK", "cookie-accept")
	p.waitFor(pageUITimeout, "the cookie notice to go away", `!document.querySelector('#cookie-notice').checkVisibility()`)
	p.shot("privacy")
	p.click("#screen-privacy", "I have read and accept the privacy policy.")
	p.waitFor(pageUITimeout, "the box to be ticked", `document.querySelector('#privacy-accept').checked`)
	p.clickExpecting("#screen-privacy", "Continue", "privacy-continue")

	p.waitScreen("details")
	p.fill("Full name", "Ada Lovelace")
	p.fill("Email", "ada@example.com")
	p.shot("details")
	p.clickExpecting("#screen-details", "Continue", "details-submit")

	p.waitScreen("questions")
	p.waitFor(pageUITimeout, "the questions' texts", fmt.Sprintf(`%s?.textContent.includes(%s) && %s?.textContent.includes(%s)`,
		questionRow(q1), jsString(recQuestion1), questionRow(q2), jsString(recQuestion2)))
	p.shot("questions")
	// The recruiter's video question plays for the candidate.
	p.click(questionSelector(q1), "Play question")
	p.waitFor(pageMediaTimeout, "the recruiter's video question to play", `(() => {
		const d = document.querySelector('#question-dialog'), v = document.querySelector('#question-video');
		return d.open && !v.paused && !v.error && v.currentTime >= 0.5;
	})()`)
	p.shot("question-video")
	p.clickExpecting("#question-dialog", "Close", "question-dialog-close")
	p.waitFor(pageUITimeout, "the question's video to close", `!document.querySelector('#question-dialog').open`)

	p.click(questionSelector(q1), "Record your response")
	p.waitScreen("record")
	p.waitConnected()
	p.waitFor(pageConnectTimeout, "Record to be offered", `!document.querySelector('#record-button').disabled`)
	p.recordTake("Record", q1, 3*time.Second, "take")
	p.clickExpecting(".record-actions", "Back to questions", "review-done")
	p.waitScreen("questions")
	p.clickExpecting("#screen-questions", "Send answers and close interview", "submit-button")
	p.waitScreen("submit")
	p.clickExpecting("#screen-submit", "Confirm", "confirm-button")
	p.waitScreen("done")
	p.shot("done")
}

// submittedInvitation returns the interview's one invitation, which must be submitted with its details.
func submittedInvitation(t *testing.T, s *testServer, ivID string) *storage.Invitation {
	t.Helper()
	invs, err := s.app.DB().Invitations(ivID)
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %v %v", invs, err)
	}
	inv := &invs[0]
	if inv.SubmittedAt.IsZero() || inv.Details["name"] != "Ada Lovelace" || inv.Details["email"] != "ada@example.com" {
		t.Fatalf("the candidate on record: %+v", inv)
	}
	return inv
}

// reviewSubmission finds the submission as the recruiter, plays the take and seeks to its middle, rates
// and comments, reloads, downloads the take and the zip, and looks at the audit log.
func reviewSubmission(t *testing.T, s *testServer, r *recruiterPage, ivID string, inv *storage.Invitation, q1, q2 string) {
	t.Helper()
	r.open("/admin/interviews/" + ivID)
	if got := r.text("#inv-" + inv.ID); !strings.Contains(got, "submitted") {
		t.Errorf("the candidate's row says %q, want submitted", got)
	}
	r.shot("interview-overview-submitted")
	r.submitLabel("main", "Review submitted candidates")
	r.wantPath("/admin/interviews/" + ivID + "/candidates")
	r.shot("candidates")
	r.submitLabel("table.candidates", "Ada Lovelace")
	r.wantPath("/admin/candidates/" + inv.ID)
	r.shot("review")

	video := fmt.Sprintf(`video.take-video[data-question=%q]`, q1)
	if n := pageEval[int](r.candidatePage, pageUITimeout, `document.querySelectorAll('video.take-video').length`); n != 1 {
		t.Errorf("%d takes on the review page, want 1 (the optional question was not answered)", n)
	}
	got := r.playAndSeek(video, 0.5)
	t.Logf("seek: %+v", got)
	if got.Duration < 2.5 || got.Duration > 4 {
		t.Errorf("the take's duration in the player is %.3f s, want about 3 s", got.Duration)
	}
	if math.Abs(got.AfterSeek-got.Target) > 0.1 {
		t.Errorf("after seeking to %.3f s the player is at %.3f s", got.Target, got.AfterSeek)
	}
	if got.Later < got.Target+0.5 || got.Paused || got.Error != "" {
		t.Errorf("after the seek playback reached %.3f s (paused %v, error %q), want past %.3f s",
			got.Later, got.Paused, got.Error, got.Target+0.5)
	}
	r.shot("review-seeked")

	// The speed buttons change the player's rate.
	browsertest.Click(t, r.tab, pageUITimeout, fmt.Sprintf(`article.answer:has(%s) .speeds button[data-speed="1.5"]`, video))
	r.waitFor(pageUITimeout, "playback at 1.5×", fmt.Sprintf(`document.querySelector(%s).playbackRate === 1.5 &&
		document.querySelector('.speeds button[data-speed="1.5"]').getAttribute('aria-pressed') === 'true'`, jsString(video)))

	rateAndComment(t, s, r, inv, q1)
	setStage(t, s, r, ivID, inv)
	downloadTakes(t, s, r, inv, q1)
	shareWithManager(t, s, r, inv)
	r.open("/admin/users")
	r.shot("users")
	r.open("/admin/tokens")
	r.shot("tokens")
	r.open("/admin/interviews/" + ivID + "/webhook")
	r.shot("webhook")
	deleteCandidate(t, s, r, ivID, inv)

	r.open("/admin/audit")
	log := r.text("main")
	for _, want := range []string{"view candidate", "download take", "create share link", "delete candidate"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log does not show %q", want)
		}
	}
	r.shot("audit")
}

// setStage moves the candidate to the stage "shortlisted" and checks the list of candidates says so.
func setStage(t *testing.T, s *testServer, r *recruiterPage, ivID string, inv *storage.Invitation) {
	t.Helper()
	ctx, cancel := context.WithTimeout(r.tab, pageUITimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#stage-select"), "shortlisted")); err != nil {
		t.Fatalf("choosing the stage: %v", err)
	}
	r.submitLabel("#stage", "Set stage")
	if got := pageEval[string](r.candidatePage, pageUITimeout, `document.querySelector('#stage-select').value`); got != "shortlisted" {
		t.Errorf("after setting the stage the page shows %q", got)
	}
	if got, err := s.app.DB().Invitation(inv.ID); err != nil || got.ReviewStage != "shortlisted" {
		t.Errorf("the stage on record: %+v %v", got, err)
	}
}

// shareWithManager makes a review link on the candidate's page and opens it in a context of its own, as
// a hiring manager without an account: the answer plays there, with nothing to download.
func shareWithManager(t *testing.T, s *testServer, r *recruiterPage, inv *storage.Invitation) {
	t.Helper()
	r.open("/admin/candidates/" + inv.ID)
	r.submitLabel(".share-box", "Create review link")
	r.wantPath("/admin/candidates/" + inv.ID + "/shares")
	r.shot("shares")
	link := pageEval[string](r.candidatePage, pageUITimeout, `document.querySelector('.share-new input.share-url')?.value || ''`)
	if !strings.HasPrefix(link, s.http.URL+"/s/") {
		t.Fatalf("the new review link is %q", link)
	}
	tab, console := r.browser.NewIsolatedTab(t)
	m := &candidatePage{t: t, tab: tab, console: console, shots: r.shots}
	defer m.checkConsole()
	m.navigate(link)
	m.waitFor(pageUITimeout, "the shared answers", `document.querySelector('h1')?.textContent.includes('Ada Lovelace') &&
		document.querySelectorAll('video.take-video').length === 1 && !document.querySelector('a.take-download')`)
	got := m.playVideo("video.take-video", 0.5)
	if !got.Finite || got.Error != "" || got.Time < got.From+0.5 {
		t.Errorf("the shared answer's player: %+v", got)
	}
	browsertest.Screenshot(t, tab, r.shots, "manager-01-share")
	r.shareLink = link
}

// deleteCandidate deletes the candidate from their review page: the files leave the disk, and the
// candidate's links stop working.
func deleteCandidate(t *testing.T, s *testServer, r *recruiterPage, ivID string, inv *storage.Invitation) {
	t.Helper()
	r.open("/admin/candidates/" + inv.ID)
	r.submitLabel(".delete-box", "Delete candidate…")
	r.wantPath("/admin/candidates/" + inv.ID + "/delete")
	r.shot("delete-confirm")
	r.submitLabel("main", "Delete for good")
	r.wantPath("/admin/interviews/" + ivID)
	r.shot("interview-overview-deleted")
	if _, err := os.Stat(filepath.Join(s.data, "media", ivID, inv.ID)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the candidate's media after the deletion: %v, want none", err)
	}
	for _, link := range []string{s.http.URL + "/i/" + inv.Token, r.shareLink} {
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusGone {
			t.Errorf("%s after the deletion: %d, want 404 or 410", link, resp.StatusCode)
		}
	}
}

// rateAndComment gives the answer 4 stars and a comment — saved without leaving the page, so the take
// keeps its place — and checks both after a reload.
func rateAndComment(t *testing.T, s *testServer, r *recruiterPage, inv *storage.Invitation, q string) {
	t.Helper()
	answer := fmt.Sprintf(`article.answer:has(video[data-question=%q])`, q)
	video := jsString(answer + " video.take-video")
	at := pageEval[float64](r.candidatePage, pageUITimeout, fmt.Sprintf(`document.querySelector(%s).currentTime`, video))
	browsertest.Click(t, r.tab, pageUITimeout, fmt.Sprintf(`%s .rating-form label[for=%q]`, answer, "stars-"+q+"-4"))
	r.waitFor(pageUITimeout, "4 stars to be chosen", fmt.Sprintf(`document.querySelector(%s).checked`, jsString("#stars-"+q+"-4")))
	browsertest.Click(t, r.tab, pageUITimeout, answer+" .rating-form button[type=submit]")
	r.waitFor(pageUITimeout, "the rating to be saved", fmt.Sprintf(
		`document.querySelector(%s)?.textContent === 'Rating saved.' && /\(you\)/.test(document.querySelector(%s)?.textContent || '')`,
		jsString(answer+" .review-status"), jsString(answer+" .ratings")))
	r.typeInto("#comment-"+q, recComment)
	browsertest.Click(t, r.tab, pageUITimeout, answer+" .comment-form button[type=submit]")
	r.waitFor(pageUITimeout, "the comment to be added", fmt.Sprintf(
		`document.querySelector(%s)?.textContent === 'Comment added.' && document.querySelector(%s)?.textContent === %s`,
		jsString(answer+" .review-status"), jsString(answer+" .comment-text"), jsString(recComment)))
	if now := pageEval[float64](r.candidatePage, pageUITimeout, fmt.Sprintf(`document.querySelector(%s).currentTime`, video)); at > 0 && now < at {
		t.Errorf("rating and commenting moved the take from %.2f s to %.2f s: the page was reloaded", at, now)
	}
	r.shot("review-rated-in-place")
	r.reload()
	r.wantPath("/admin/candidates/" + inv.ID)
	if !pageEval[bool](r.candidatePage, pageUITimeout, fmt.Sprintf(`document.querySelector(%s)?.checked === true`, jsString("#stars-"+q+"-4"))) {
		t.Error("after a reload the rating form does not show my 4 stars")
	}
	// The stars are drawn, and their number is words for screen readers: read the words.
	ratings := pageEval[string](r.candidatePage, pageUITimeout, fmt.Sprintf(
		`document.querySelector(%s)?.textContent.replace(/\s+/g, ' ') || ''`, jsString(answer+" .ratings")))
	if !strings.Contains(ratings, "(you)") || !strings.Contains(ratings, "4") {
		t.Errorf("after a reload the ratings say %q", ratings)
	}
	if got := r.text(answer + " .comment-text"); got != recComment {
		t.Errorf("after a reload the comment says %q, want %q", got, recComment)
	}
	r.shot("review-rated")
	rv, err := s.app.DB().Reviews(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reviews on record: %+v", rv)
	if avg, n := rv.Average(); n != 1 || avg != 4 {
		t.Errorf("ratings on record: average %v of %d, want 4 of 1", avg, n)
	}
}

// downloadTakes downloads the take and the zip from the review page, with the page's own session.
func downloadTakes(t *testing.T, s *testServer, r *recruiterPage, inv *storage.Invitation, q string) {
	t.Helper()
	takes, err := s.app.DB().CurrentTakes(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	tk, ok := takes[q]
	if !ok || tk.State != storage.TakeSubmitted {
		t.Fatalf("the take on record: %+v", takes)
	}
	fi, err := os.Stat(s.takePath(tk.TakeKey))
	if err != nil {
		t.Fatal(err)
	}
	answer := fmt.Sprintf(`article.answer:has(video[data-question=%q])`, q)
	dl := r.fetchLink(answer+" a.take-download", false)
	if dl.Status != 200 || !strings.HasPrefix(dl.Disposition, "attachment") || int64(dl.Size) != fi.Size() {
		t.Errorf("the take's download: %d, %q, %d bytes; want 200, an attachment, %d bytes", dl.Status, dl.Disposition, dl.Size, fi.Size())
	}
	zipped := r.fetchLink("a.takes-zip", true)
	if zipped.Status != 200 || !strings.HasPrefix(zipped.Disposition, "attachment") {
		t.Errorf("the zip: %d, %q, %q", zipped.Status, zipped.Type, zipped.Disposition)
	}
	body, err := base64.StdEncoding.DecodeString(zipped.Base64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the zip (%d bytes, %s) does not open: %v", len(body), zipped.Type, err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, fmt.Sprintf("%s (%d bytes)", f.Name, f.UncompressedSize64))
	}
	if len(zr.File) != 1 || zr.File[0].UncompressedSize64 != uint64(fi.Size()) {
		t.Errorf("the zip holds %v, want the one take of %d bytes", names, fi.Size())
	}
	t.Logf("downloaded the take (%d bytes, %s) and the zip (%v)", dl.Size, dl.Disposition, names)
}
