package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/storage"
)

// rawClient speaks the protocol without media, and keeps every byte it received.
type rawClient struct {
	t    *testing.T
	ws   *websocket.Conn
	seen bytes.Buffer
}

func dialRaw(t *testing.T, url string) *rawClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &rawClient{t: t, ws: ws}
}

func (c *rawClient) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// next returns the next message, decoded into a map.
func (c *rawClient) next() map[string]any {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatal(err)
	}
	c.seen.Write(data)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *rawClient) expectError(code string) map[string]any {
	c.t.Helper()
	m := c.next()
	if m["type"] != "error" || m["code"] != code {
		c.t.Fatalf("got %v, want error %q", m, code)
	}
	return m
}

// addQuestionVideo stores a video question made with ffmpeg.
func addQuestionVideo(t *testing.T, s *testServer, question string) {
	t.Helper()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: 2 * time.Second})
	out := filepath.Join(t.TempDir(), "q.webm")
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", clip.VideoPath, "-i", clip.AudioPath, "-c", "copy", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.app.media.CreateQuestionVideo(s.iv.ID, question)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestStagesRevealQuestionsOnlyAfterConsent walks privacy and details over the wire and
// checks that no question reaches the browser before the candidate has accepted and
// given valid details.
func TestStagesRevealQuestionsOnlyAfterConsent(t *testing.T) {
	s := startServer(t)
	iv := &storage.Interview{Title: "Stages", Questions: []storage.Question{
		{Text: "Secret question one?", Video: true}, {Text: "Secret question two?", Optional: true},
	}}
	if err := s.app.DB().CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	s.iv = iv
	inv := &storage.Invitation{InterviewID: iv.ID}
	if err := s.app.DB().CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	addQuestionVideo(t, s, iv.Questions[0].ID)
	videoURL := s.http.URL + "/i/" + inv.Token + "/question/" + iv.Questions[0].ID + "/video"

	c := dialRaw(t, s.wsURL(inv.Token))
	w := c.next()
	if w["type"] != "welcome" || w["stage"] != "privacy" || w["questions"] != nil {
		t.Fatalf("welcome: %v", w)
	}
	c.send(map[string]string{"type": "record", "question": iv.Questions[0].ID})
	c.expectError("wrong-stage")
	c.send(map[string]string{"type": "offer", "sdp": "v=0"})
	c.expectError("wrong-stage")
	c.send(map[string]any{"type": "details", "values": map[string]string{"name": "A", "email": "a@b.co"}})
	c.expectError("wrong-stage")
	if code := getStatus(t, videoURL); code != http.StatusNotFound {
		t.Errorf("video question before consent: %d, want 404", code)
	}

	c.send(map[string]string{"type": "accept-privacy"})
	if m := c.next(); m["type"] != "state" || m["stage"] != "details" || m["questions"] != nil {
		t.Fatalf("after accepting: %v", m)
	}
	c.send(map[string]any{"type": "details", "values": map[string]string{"name": "", "email": "ada@"}})
	e := c.expectError("invalid-details")
	fields, _ := e["fields"].(map[string]any)
	if fields["name"] == nil || fields["email"] == nil || fields["phone"] != nil {
		t.Errorf("invalid-details fields: %v", e["fields"])
	}
	if strings.Contains(c.seen.String(), "Secret question") {
		t.Fatal("a question was sent before the candidate accepted and gave details")
	}

	c.send(map[string]any{"type": "details", "values": map[string]string{"name": "Ada", "email": "ada@example.com"}})
	m := c.next()
	qs, _ := m["questions"].([]any)
	if m["stage"] != "questions" || len(qs) != 2 || !strings.Contains(c.seen.String(), "Secret question one?") {
		t.Fatalf("after details: %v", m)
	}
	if q0 := qs[0].(map[string]any); q0["videoUrl"] == nil || q0["required"] != true {
		t.Errorf("first question: %v", q0)
	}
	if code := getStatus(t, videoURL); code != http.StatusOK {
		t.Errorf("video question after consent: %d, want 200", code)
	}
	c.send(map[string]string{"type": "submit"})
	e = c.expectError("missing-answers")
	if missing, _ := e["questions"].([]any); len(missing) != 1 || missing[0] != iv.Questions[0].ID {
		t.Errorf("missing answers: %v, want only the required question", e["questions"])
	}
	got, _ := s.app.DB().Invitation(inv.ID)
	if got.Details["name"] != "Ada" || got.PrivacyAcceptedAt.IsZero() || got.OpenedAt.IsZero() {
		t.Errorf("invitation record: %+v", got)
	}
}

// TestLimitsAndSubmission checks the server-enforced time and retake limits, and that
// nothing changes after submission.
func TestLimitsAndSubmission(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	iv := &storage.Interview{Title: "Limits", Questions: []storage.Question{
		{Text: "Timed", TimeLimit: 2 * time.Second, RetakeLimit: 1}, {Text: "Optional", Optional: true},
	}}
	s.app.DB().CreateInterview(iv)
	inv := &storage.Invitation{InterviewID: iv.ID}
	s.app.DB().CreateInvitation(inv)
	s.app.DB().AcceptPrivacy(inv.ID)
	inv, _ = s.app.DB().SaveDetails(inv.ID, map[string]string{"name": "A", "email": "a@b.co"})
	s.iv, s.inv = iv, inv
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID
	p := s.dial(t, ctx)

	p.Record(q1)
	rec, err := p.WaitFor(ctx, "recording")
	if err != nil || !strings.Contains(string(rec.Raw), `"limitMs":2000`) {
		t.Fatalf("recording: %s %v", rec.Raw, err)
	}
	saved, err := p.WaitFor(ctx, "saved") // no Stop: the server ends the take
	if err != nil {
		t.Fatal(err)
	}
	if saved.Reason != "limit" || saved.DurationMs < 1900 || saved.DurationMs > 2100 || !strings.Contains(string(saved.Raw), `"retakesLeft":1`) {
		t.Errorf("limited take: %s", saved.Raw)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 1)), 2*time.Second)

	_, _ = recordTake(t, ctx, p, "retake", q1, time.Second)
	p.Retake(q1)
	if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != "retake-limit" {
		t.Fatalf("third take: %+v %v, want retake-limit", ev, err)
	}
	if _, err := os.Stat(s.takePath(s.key(q1, 2))); err != nil {
		t.Fatalf("refused retake touched the take: %v", err)
	}

	p.Send(map[string]string{"type": "submit"})
	st, err := p.WaitFor(ctx, "state")
	if err != nil || !strings.Contains(string(st.Raw), `"stage":"submitted"`) {
		t.Fatalf("submit: %s %v", st.Raw, err)
	}
	if tk, _ := s.app.DB().Take(s.key(q1, 2)); tk.State != storage.TakeSubmitted {
		t.Errorf("take state after submit: %s", tk.State)
	}
	for _, send := range []func() error{
		func() error { return p.Record(q2) },
		func() error { return p.RemoveTake(q1) },
		func() error { return p.Retake(q1) },
		func() error { return p.Send(map[string]string{"type": "submit"}) },
	} {
		send()
		if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != "submitted" {
			t.Errorf("after submission: %+v %v, want submitted", ev, err)
		}
	}
	c := dialRaw(t, s.wsURL(inv.Token))
	if w := c.next(); w["stage"] != "submitted" || w["submittedAt"] == nil {
		t.Errorf("welcome after submission: %v", w)
	}
}
