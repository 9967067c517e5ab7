package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/storage"
)

// TestBadInput sends every kind of bad message to a connection that has a saved take,
// and checks each gets a clear refusal while the take stays intact.
func TestBadInput(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	_, spoke := recordTake(t, ctx, p, "record", q1, 2*time.Second)
	saved := s.takePath(s.key(q1, 1))

	refusals := []struct {
		name string
		send func() error
		code string
	}{
		{"malformed JSON", func() error { return p.SendRaw([]byte(`{"type":"record",`)) }, "bad-message"},
		{"wrong field type", func() error { return p.SendRaw([]byte(`{"type":"record","question":7}`)) }, "bad-message"},
		{"unknown command", func() error { return p.Send(map[string]string{"type": "dance"}) }, "unknown-type"},
		{"stop while idle", p.Stop, "not-recording"},
		{"unknown question", func() error { return p.Record("nosuchquestion") }, "unknown-question"},
		{"client text as question", func() error { return p.Record("../../etc") }, "unknown-question"},
		{"record over a saved take", func() error { return p.Record(q1) }, "take-exists"},
		{"retake of an unanswered question", func() error { return p.Retake(s.iv.Questions[1].ID) }, "no-take"},
		{"remove-take of an unanswered question", func() error { return p.RemoveTake(s.iv.Questions[1].ID) }, "no-take"},
		{"candidate without a body", func() error { return p.Send(map[string]string{"type": "candidate"}) }, "bad-message"},
		{"offer that is not SDP", func() error { return p.Send(map[string]string{"type": "offer", "sdp": "hello"}) }, "bad-sdp"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			if err := r.send(); err != nil {
				t.Fatal(err)
			}
			ev, err := p.WaitFor(ctx, "error")
			if err != nil {
				t.Fatal(err)
			}
			if ev.Code != r.code || ev.Message == "" {
				t.Errorf("got error %q %q, want code %q with a message", ev.Code, ev.Message, r.code)
			}
		})
	}

	t.Run("record while recording", func(t *testing.T) {
		q2 := s.iv.Questions[1].ID
		p.Record(q2)
		if _, err := p.WaitFor(ctx, "recording"); err != nil {
			t.Fatal(err)
		}
		p.Record(q2)
		ev, err := p.WaitFor(ctx, "error")
		if err != nil || ev.Code != "already-recording" {
			t.Fatalf("second record: %+v %v", ev, err)
		}
		p.Stop()
		if _, err := p.WaitFor(ctx, "saved"); err != nil {
			t.Fatalf("the take in progress was not saved after the refusal: %v", err)
		}
	})

	t.Run("message over the limit", func(t *testing.T) {
		big := `{"type":"offer","sdp":"` + strings.Repeat("a", 70<<10) + `"}`
		if err := p.SendRaw([]byte(big)); err != nil {
			t.Fatal(err)
		}
		ev, err := p.WaitFor(ctx, "error")
		if err != nil || ev.Code != "too-large" {
			t.Fatalf("got %+v %v, want a too-large error", ev, err)
		}
		if _, err := p.Next(ctx); err == nil {
			t.Fatal("the socket stayed open after an oversized message")
		}
	})

	// Nothing of the above touched the saved take.
	tk, err := s.app.DB().Take(s.key(q1, 1))
	if err != nil || tk.State != storage.TakeDraft {
		t.Fatalf("saved take after bad input: %+v %v", tk, err)
	}
	checkTakeFile(t, saved, spoke)

	// A new connection sees both drafts in its welcome.
	p2 := s.dial(t, ctx)
	answered := 0
	for _, q := range p2.Welcome().Questions {
		if q.Take != nil && q.Take.State == "draft" {
			answered++
		}
	}
	if answered != 2 {
		t.Errorf("welcome after reconnecting shows %d drafts, want 2: %s", answered, p2.Welcome().Raw)
	}
}

func TestTokens(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	for _, token := range []string{storage.NewToken(), "short", s.inv.Token + "x", strings.ToUpper(s.inv.Token)} {
		_, err := testpeer.Dial(ctx, s.wsURL(token), testpeer.Options{Clip: clip})
		var he *testpeer.HandshakeError
		if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound {
			t.Errorf("token %q: %v, want the upgrade refused with 404", token, err)
		}
	}
	for _, path := range []string{"/i/" + storage.NewToken(), "/media/" + storage.NewToken() + "/a/1", "/media/" + s.inv.Token + "/" + s.iv.Questions[0].ID + "/1"} {
		resp, err := http.Get(s.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	resp, err := http.Get(s.http.URL + "/i/" + s.inv.Token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("candidate page: %s, CSP %q", resp.Status, resp.Header.Get("Content-Security-Policy"))
	}
}
