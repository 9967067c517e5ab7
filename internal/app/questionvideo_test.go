package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/signaling"
	"github.com/takes/takes/storage"
)

// sessionHeader returns the headers of a browser tab of the server signed in as a
// new account of the given role: its session cookie and the server's Origin.
func (s *testServer) sessionHeader(t *testing.T, email string, role storage.Role) http.Header {
	t.Helper()
	hash, err := storage.HashPassword("a good long password", 4)
	if err != nil {
		t.Fatal(err)
	}
	u := &storage.User{Email: email, Role: role, PasswordHash: hash}
	if err := s.app.DB().CreateUser(u); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.app.DB().CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{"Cookie": {"takes_session=" + token}, "Origin": {s.http.URL}}
}

// get fetches url with header and returns the status and body.
func get(t *testing.T, url string, header http.Header) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// An admin records a video question through the App's own route, with real VP8 and
// Opus; candidates then see it in their welcome and play it from their link.
// Reviewers cannot open the recording socket.
func TestRecordQuestionVideo(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	q := s.iv.Questions[1].ID
	admin := s.sessionHeader(t, "admin@example.com", storage.RoleAdmin)
	reviewer := s.sessionHeader(t, "reviewer@example.com", storage.RoleReviewer)
	wsURL := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/admin/interviews/" + s.iv.ID + "/questions/" + q + "/video/ws"
	candidateURL := s.http.URL + signaling.QuestionVideoURL(s.inv.Token, q)
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})

	var he *testpeer.HandshakeError
	if _, err := testpeer.Dial(ctx, wsURL, testpeer.Options{Clip: clip, Header: reviewer}); !errors.As(err, &he) || he.StatusCode != http.StatusForbidden {
		t.Fatalf("reviewer's socket: %v, want 403", err)
	}
	if code, _ := get(t, candidateURL, nil); code != http.StatusNotFound {
		t.Fatalf("candidate's video before any recording: %d, want 404", code)
	}

	p, err := testpeer.Dial(ctx, wsURL, testpeer.Options{Clip: clip, Header: admin})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ConnectedMedia(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	saved, spoke := recordTake(t, ctx, p, "record", q, 2*time.Second)
	p.Close()

	code, video := get(t, candidateURL, nil)
	if code != http.StatusOK || int64(len(video)) != saved.Bytes {
		t.Fatalf("candidate's video: %d, %d bytes, want %d", code, len(video), saved.Bytes)
	}
	path := filepath.Join(t.TempDir(), "question.webm")
	if err := os.WriteFile(path, video, 0o600); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, spoke, "320x240")
	checkPlayback(t, candidateURL, saved.Bytes)
	if code, body := get(t, s.http.URL+saved.URL, reviewer); code != http.StatusOK || string(body) != string(video) {
		t.Errorf("reviewer's playback of %s: %d, %d bytes", saved.URL, code, len(body))
	}

	c := s.dial(t, ctx)
	if !strings.Contains(string(c.Welcome().Raw), `"videoUrl":"`+signaling.QuestionVideoURL(s.inv.Token, q)+`"`) {
		t.Errorf("the candidate's welcome does not offer the video: %s", c.Welcome().Raw)
	}
}
