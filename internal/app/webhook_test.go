package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// hookRequest is what a test receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
	at     time.Time
}

// newReceiver starts a webhook receiver that sends each request on got, then
// answers with respond (given the attempt's number from 1).
func newReceiver(t *testing.T, respond func(w http.ResponseWriter, attempt int)) (*httptest.Server, chan hookRequest) {
	t.Helper()
	got := make(chan hookRequest, 16)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- hookRequest{header: r.Header.Clone(), body: body, at: time.Now()}
		respond(w, int(n.Add(1)))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func receive(t *testing.T, got chan hookRequest, within time.Duration) hookRequest {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(within):
		t.Fatalf("no delivery within %v", within)
	}
	return hookRequest{}
}

// checkSignature verifies a delivery as docs/api.md tells a receiver to, with
// the standard library only.
func checkSignature(t *testing.T, r hookRequest, secret string) {
	t.Helper()
	ts := r.header.Get("X-Takes-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		t.Fatalf("timestamp %q is not the current Unix time", ts)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(r.body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.header.Get("X-Takes-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		t.Fatalf("signature %q, want %q", got, want)
	}
}

// A candidate's submission reaches the webhook, signed, and the candidate is not
// kept waiting by a receiver that takes its time to answer.
func TestWebhookOnSubmission(t *testing.T) {
	s := startServer(t)
	release := make(chan struct{})
	recv, got := newReceiver(t, func(w http.ResponseWriter, _ int) { <-release })
	defer close(release) // before the receiver closes, which waits for its handlers

	iv := &storage.Interview{Title: "Hooked", Questions: []storage.Question{{Text: "Optional?", Optional: true}}}
	s.app.DB().CreateInterview(iv)
	inv := &storage.Invitation{InterviewID: iv.ID, Name: "Ana Lima", Email: "ana@example.com"}
	s.app.DB().CreateInvitation(inv)

	c := dialRaw(t, s.wsURL(inv.Token))
	if w := c.next(); w["type"] != "welcome" {
		t.Fatalf("welcome: %v", w)
	}
	// Set after the candidate connected: the announcement reads the interview afresh.
	const secret = "whsec_test-secret"
	if err := s.app.DB().SetWebhook(iv.ID, &storage.Webhook{URL: recv.URL + "/hooks/takes", Secret: secret}); err != nil {
		t.Fatal(err)
	}
	c.send(map[string]string{"type": "accept-privacy"})
	c.next()
	c.send(map[string]any{"type": "details", "values": map[string]string{"name": "Ana", "email": "ana@example.com"}})
	c.next()
	start := time.Now()
	c.send(map[string]string{"type": "submit"})
	if m := c.next(); m["stage"] != "submitted" {
		t.Fatalf("after submit: %v", m)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("submission took %v with a receiver that does not answer", took)
	}

	r := receive(t, got, 10*time.Second)
	checkSignature(t, r, secret)
	if r.header.Get("X-Takes-Event") != "submission.created" || !storage.ValidID(r.header.Get("X-Takes-Delivery")) ||
		r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", r.header)
	}
	var ev struct {
		Event, InterviewID, InvitationID, ResultsURL string
		Candidate                                    struct{ Name, Email string }
		SubmittedAt                                  time.Time
	}
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.app.DB().Invitation(inv.ID)
	if ev.Event != "submission.created" || ev.InterviewID != iv.ID || ev.InvitationID != inv.ID ||
		ev.Candidate.Name != "Ana Lima" || ev.Candidate.Email != "ana@example.com" ||
		!ev.SubmittedAt.Equal(stored.SubmittedAt) || ev.ResultsURL != "/api/v1/invitations/"+inv.ID+"/results" {
		t.Fatalf("event %s", r.body)
	}
}

// Failed deliveries are retried with the backoff while a retry may help, with the
// same delivery ID; redirects are never followed.
func TestWebhookRetries(t *testing.T) {
	s := startServer(t)
	q := s.app.webhooks()
	q.backoff = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	outcomes := make(chan error, 1)
	q.sent = func(_ delivery, err error) { outcomes <- err }

	elsewhere, elsewhereGot := newReceiver(t, func(w http.ResponseWriter, _ int) {})
	tests := []struct {
		name     string
		statuses []int // answered to attempts 1, 2, …; the last one repeats
		attempts int
		ok       bool
	}{
		{"500 then 200", []int{500, 200}, 2, true},
		{"always 503", []int{503}, 4, false},
		{"429 then 204", []int{429, 204}, 2, true},
		{"404 is not retried", []int{404}, 1, false},
		{"redirect is not followed", []int{302}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv, got := newReceiver(t, func(w http.ResponseWriter, n int) {
				code := tt.statuses[min(n, len(tt.statuses))-1]
				if code == 302 {
					w.Header().Set("Location", elsewhere.URL)
				}
				w.WriteHeader(code)
			})
			const secret = "whsec_retry"
			s.app.DB().SetWebhook(s.iv.ID, &storage.Webhook{URL: recv.URL, Secret: secret})
			inv := *s.inv
			inv.SubmittedAt = time.Now().UTC()
			s.app.announceSubmission(s.iv, &inv)

			var err error
			select {
			case err = <-outcomes:
			case <-time.After(10 * time.Second):
				t.Fatal("the delivery never ended")
			}
			if (err == nil) != tt.ok {
				t.Fatalf("outcome %v, want success %v", err, tt.ok)
			}
			if len(got) != tt.attempts {
				t.Fatalf("%d attempts, want %d", len(got), tt.attempts)
			}
			first := <-got
			checkSignature(t, first, secret)
			for range tt.attempts - 1 {
				r := <-got
				checkSignature(t, r, secret)
				if r.header.Get("X-Takes-Delivery") != first.header.Get("X-Takes-Delivery") {
					t.Fatal("a retry has another delivery ID")
				}
				if wait := r.at.Sub(first.at); wait < q.backoff[0] {
					t.Fatalf("retried after %v, before the backoff's %v", wait, q.backoff[0])
				}
			}
		})
	}
	if len(elsewhereGot) != 0 {
		t.Fatal("a redirect was followed")
	}
}

// Close does not wait for a delivery's backoff.
func TestWebhookStopsOnClose(t *testing.T) {
	s := startServer(t)
	recv, got := newReceiver(t, func(w http.ResponseWriter, _ int) { w.WriteHeader(500) })
	s.app.DB().SetWebhook(s.iv.ID, &storage.Webhook{URL: recv.URL, Secret: "whsec_x"})
	s.app.announceSubmission(s.iv, s.inv)
	receive(t, got, 10*time.Second) // the first attempt failed; the worker now waits 1 s, then 5 s, then 25 s
	start := time.Now()
	s.app.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Close took %v while a delivery waited to retry", took)
	}
	if s.app.webhooks() != nil {
		t.Fatal("the queue outlived its App")
	}
}

// A full queue drops announcements instead of blocking the submission.
func TestWebhookQueueBounded(t *testing.T) {
	q := newWebhookQueue(slog.New(slog.DiscardHandler)) // no worker: nothing drains it
	done := make(chan struct{})
	go func() {
		for range webhookQueueSize + 10 {
			q.enqueue(delivery{id: storage.NewID()})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("enqueue blocked on a full queue")
	}
	if len(q.pending) != webhookQueueSize {
		t.Fatalf("%d queued, want the bound %d", len(q.pending), webhookQueueSize)
	}
}
