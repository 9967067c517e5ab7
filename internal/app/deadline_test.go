package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/storage"
)

// newCandidate invites a candidate to iv who has accepted the privacy policy and given their details;
// deadline, when not zero, is their own deadline.
func newCandidate(t *testing.T, s *testServer, iv *storage.Interview, deadline time.Time) *storage.Invitation {
	t.Helper()
	db := s.app.DB()
	inv := &storage.Invitation{InterviewID: iv.ID, Deadline: deadline}
	if err := db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	inv, err := db.SaveDetails(inv.ID, map[string]string{"name": "Test Candidate", "email": "test@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// dialCandidate connects a test peer as the candidate of token, with media flowing.
func dialCandidate(t *testing.T, ctx context.Context, s *testServer, token string) *testpeer.Peer {
	t.Helper()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	p, err := testpeer.Dial(ctx, s.wsURL(token), testpeer.Options{Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := p.ConnectedMedia(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	return p
}

// expectRefusal sends a command and checks that the server's next event refuses it with code.
func expectRefusal(t *testing.T, ctx context.Context, p *testpeer.Peer, send func() error, code string) {
	t.Helper()
	if err := send(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ev, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "error" || ev.Code != code || ev.Message == "" {
		t.Fatalf("got %s, want the error %q with a message", ev.Raw, code)
	}
}

// welcomeOf decodes the welcome of a peer.
func welcomeOf(t *testing.T, p *testpeer.Peer) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(p.Welcome().Raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// closesAt reads the deadline of a state message.
func closesAt(t *testing.T, m map[string]any) time.Time {
	t.Helper()
	s, ok := m["closesAt"].(string)
	if !ok {
		t.Fatalf("no closesAt in %v", m)
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("closesAt %q: %v", s, err)
	}
	return at
}

// TestDeadline checks over the wire that after the deadline no take starts (closed), that a take being
// recorded when it passes is finished as usual, that drafts can still be sent, and that a candidate's own,
// later deadline reopens recording for that candidate only, at once on the same connection.
func TestDeadline(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	db := s.app.DB()
	passed := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	iv := &storage.Interview{Title: "Deadline", Deadline: passed, Questions: []storage.Question{
		{Text: "Prepared?", PrepTime: 30 * time.Second}, {Text: "Optional", Optional: true},
	}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID
	extended := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	a := newCandidate(t, s, iv, extended)
	b := newCandidate(t, s, iv, time.Time{})

	// A has an extension: open, with their own deadline, and the question's preparation time.
	pa := dialCandidate(t, ctx, s, a.Token)
	w := welcomeOf(t, pa)
	if got := closesAt(t, w); !got.Equal(extended) || w["closed"] != nil {
		t.Errorf("A's welcome: closesAt %v closed %v, want %v and no closed", got, w["closed"], extended)
	}
	qs, _ := w["questions"].([]any)
	if len(qs) != 2 || qs[0].(map[string]any)["prepMs"] != 30000.0 || qs[1].(map[string]any)["prepMs"] != nil {
		t.Errorf("prepMs of the questions: %v", qs)
	}

	// A take in progress when A's deadline passes is finished as usual.
	if err := pa.Record(q1); err != nil {
		t.Fatal(err)
	}
	rec, err := pa.WaitFor(ctx, "recording")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if _, err := db.SetInvitationDeadline(a.ID, time.Now().Add(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	sleepCtx(t, 2*time.Second)
	if err := pa.Stop(); err != nil {
		t.Fatal(err)
	}
	spoke := time.Since(began)
	saved, err := pa.WaitFor(ctx, "saved")
	if err != nil || saved.Reason != "stop" || saved.Take != rec.Take || saved.DurationMs < 1800 {
		t.Fatalf("the take across the deadline: %+v %v", saved, err)
	}
	checkTakeFile(t, s.takePath(storage.TakeKey{Interview: iv.ID, Invitation: a.ID, Question: q1, N: saved.Take}), spoke)

	// Then no new take, neither a record nor a retake.
	expectRefusal(t, ctx, pa, func() error { return pa.Record(q2) }, "closed")
	expectRefusal(t, ctx, pa, func() error { return pa.Retake(q1) }, "closed")

	// B has only the interview's deadline, which has passed: closed from the start.
	pb := dialCandidate(t, ctx, s, b.Token)
	w = welcomeOf(t, pb)
	if got := closesAt(t, w); !got.Equal(passed) || w["closed"] != true {
		t.Errorf("B's welcome: closesAt %v closed %v, want %v and closed", got, w["closed"], passed)
	}
	expectRefusal(t, ctx, pb, func() error { return pb.Record(q1) }, "closed")
	// An extension for B counts at once, on the same connection, and for B only.
	if _, err := db.SetInvitationDeadline(b.ID, extended); err != nil {
		t.Fatal(err)
	}
	recordTake(t, ctx, pb, "record", q1, time.Second)
	expectRefusal(t, ctx, pa, func() error { return pa.Record(q2) }, "closed")

	// A sends the draft recorded before the deadline.
	if err := pa.Send(map[string]string{"type": "submit"}); err != nil {
		t.Fatal(err)
	}
	st, err := pa.WaitFor(ctx, "state")
	if err != nil || !strings.Contains(string(st.Raw), `"stage":"submitted"`) {
		t.Fatalf("submit after the deadline: %s %v", st.Raw, err)
	}
	if tk, _ := db.Take(storage.TakeKey{Interview: iv.ID, Invitation: a.ID, Question: q1, N: saved.Take}); tk.State != storage.TakeSubmitted {
		t.Errorf("A's take after submitting: %s, want submitted", tk.State)
	}
	// A fresh welcome of A says closed, with A's own deadline.
	c := dialRaw(t, s.wsURL(a.Token))
	w = c.next()
	if at := closesAt(t, w); w["stage"] != "submitted" || w["closed"] != true || at.After(time.Now()) {
		t.Errorf("A's welcome after submitting: %v", w)
	}
}

// TestWithdrawnLink checks a link withdrawn while its candidate is connected: the take in progress is
// kept, nothing else changes on that socket, and afterwards the page answers 410 with a plain message,
// the socket 410 before the upgrade, and the candidate's media 404.
func TestWithdrawnLink(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	q1, q2 := s.iv.Questions[0].ID, s.iv.Questions[1].ID
	page := s.http.URL + "/i/" + s.inv.Token
	if code := getStatus(t, page); code != http.StatusOK {
		t.Fatalf("the page before: %d", code)
	}
	p := s.dial(t, ctx)
	first, _ := recordTake(t, ctx, p, "record", q1, time.Second)
	media := s.http.URL + first.URL
	if code := getStatus(t, media); code != http.StatusOK {
		t.Fatalf("the take before: %d", code)
	}

	// Withdrawn while q2 is being recorded: that take is finished and kept.
	if err := p.Record(q2); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB().RevokeInvitation(s.inv.ID); err != nil {
		t.Fatal(err)
	}
	sleepCtx(t, time.Second)
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if saved, err := p.WaitFor(ctx, "saved"); err != nil || saved.Question != q2 || saved.Reason != "stop" {
		t.Fatalf("the take in progress: %+v %v", saved, err)
	}
	expectRefusal(t, ctx, p, func() error { return p.Retake(q1) }, "revoked")
	expectRefusal(t, ctx, p, func() error { return p.RemoveTake(q1) }, "revoked")
	expectRefusal(t, ctx, p, func() error { return p.Send(map[string]string{"type": "submit"}) }, "revoked")
	if _, err := os.Stat(s.takePath(s.key(q1, 1))); err != nil {
		t.Errorf("the first take after the refusals: %v", err)
	}
	if got, _ := s.app.DB().Invitation(s.inv.ID); !got.SubmittedAt.IsZero() {
		t.Error("a withdrawn link submitted its answers")
	}

	// The page: 410 and a plain message.
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "This interview link was withdrawn.") ||
		!strings.Contains(string(body), "If you think this is a mistake, contact the person who invited you.") {
		t.Errorf("the page after: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// The socket: 410 before the upgrade.
	_, err = testpeer.Dial(ctx, s.wsURL(s.inv.Token), testpeer.Options{Clip: mediatest.MakeClip(t, "", mediatest.ClipOptions{})})
	var he *testpeer.HandshakeError
	if !errors.As(err, &he) || he.StatusCode != http.StatusGone {
		t.Errorf("the socket after: %v, want HTTP 410", err)
	}
	// The media: 404.
	if code := getStatus(t, media); code != http.StatusNotFound {
		t.Errorf("the take after: %d, want 404", code)
	}
	// Another candidate's link still opens.
	other := &storage.Invitation{InterviewID: s.iv.ID}
	if err := s.app.DB().CreateInvitation(other); err != nil {
		t.Fatal(err)
	}
	if code := getStatus(t, s.http.URL+"/i/"+other.Token); code != http.StatusOK {
		t.Errorf("another candidate's page: %d", code)
	}
}
