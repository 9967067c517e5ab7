package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/signaling"
	"github.com/takes/takes/storage"
)

// newQuestionVideoServer is newTestServer with the real question recorder mounted,
// and an interview of two questions.
func newQuestionVideoServer(t *testing.T) (*testServer, *storage.Interview) {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	media, err := storage.OpenDisk(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := recorder.NewEngine(recorder.Config{LoopbackOnly: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	qr := signaling.NewQuestionRecorder(ctx, db, media, eng, slog.New(slog.DiscardHandler), signaling.Options{})
	t.Cleanup(func() {
		cancel()
		qr.Wait()
		eng.Close()
		media.Close()
		db.Close()
	})
	hs := Handlers{Candidate: http.NotFoundHandler(), QuestionRecorder: qr}
	srv, err := NewServer(db, media, hs, slog.New(slog.DiscardHandler), AuthConfig{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, srv: srv, db: db, media: media, h: srv.Handler()}
	iv := &storage.Interview{Title: "Backend engineer", Questions: []storage.Question{{Text: "Tell us about you."}, {Text: "Why <us>?"}}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	return ts, iv
}

func questionVideoPath(iv *storage.Interview, q int, tail string) string {
	return "/admin/interviews/" + iv.ID + "/questions/" + iv.Questions[q].ID + "/video" + tail
}

func TestQuestionVideoPage(t *testing.T) {
	ts, iv := newQuestionVideoServer(t)
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, _ := ts.signIn("admin@example.com")
	reviewer, _ := ts.signIn("rev@example.com")

	rec := ts.do(request{method: "GET", path: questionVideoPath(iv, 1, ""), cookie: admin})
	wantStatus(t, rec, http.StatusOK, "")
	body := rec.Body.String()
	for _, want := range []string{
		"Video for question 2", "Why &lt;us&gt;?", `id="record"`, `id="stop"`, `id="saved-video"`,
		`id="record-again"`, `id="remove"`, `id="camera"`, `id="microphone"`, `id="mic-level"`,
		`data-socket="` + questionVideoPath(iv, 1, "/ws") + `"`, `href="/admin/interviews/` + iv.ID + `/edit"`,
		`src="/static/questionvideo.js"`, "up to 5 min",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "onclick") {
		t.Error("page has inline style or script, which the CSP forbids")
	}

	tests := []struct {
		name   string
		path   string
		cookie *http.Cookie
		code   int
	}{
		{"reviewer", questionVideoPath(iv, 0, ""), reviewer, http.StatusForbidden},
		{"signed out", questionVideoPath(iv, 0, ""), nil, http.StatusSeeOther},
		{"unknown interview", "/admin/interviews/" + storage.NewID() + "/questions/" + iv.Questions[0].ID + "/video", admin, http.StatusNotFound},
		{"unknown question", "/admin/interviews/" + iv.ID + "/questions/" + storage.NewID() + "/video", admin, http.StatusNotFound},
		{"malformed question", "/admin/interviews/" + iv.ID + "/questions/a.b/video", admin, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(request{method: "GET", path: tt.path, cookie: tt.cookie})
			wantStatus(t, rec, tt.code, "")
			if tt.code == http.StatusNotFound && !strings.Contains(rec.Body.String(), "There is no such question") {
				t.Errorf("404 does not say why: %s", rec.Body)
			}
		})
	}
}

func TestQuestionVideoFile(t *testing.T) {
	ts, iv := newQuestionVideoServer(t)
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, _ := ts.signIn("admin@example.com")
	reviewer, _ := ts.signIn("rev@example.com")
	q := iv.Questions[0].ID
	path := questionVideoPath(iv, 0, "/file")

	wantStatus(t, ts.do(request{method: "GET", path: path, cookie: admin}), http.StatusNotFound, "")
	content := strings.Repeat("webm bytes ", 100)
	f, err := ts.media.CreateQuestionVideo(iv.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(content), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	// A file without the question's flag is not served: the flag says the recording finished.
	wantStatus(t, ts.do(request{method: "GET", path: path, cookie: admin}), http.StatusNotFound, "")
	if err := ts.db.SetQuestionVideo(iv.ID, q, true); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*http.Cookie{"admin": admin, "reviewer": reviewer} {
		rec := ts.do(request{method: "GET", path: path, cookie: c})
		wantStatus(t, rec, http.StatusOK, "")
		if rec.Body.String() != content || rec.Header().Get("Content-Type") != "video/webm" {
			t.Errorf("%s: %q, %d bytes", name, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	}
	rec := ts.do(request{method: "GET", path: path, cookie: reviewer, header: map[string]string{"Range": "bytes=5-9"}})
	wantStatus(t, rec, http.StatusPartialContent, "")
	if rec.Body.String() != content[5:10] {
		t.Errorf("range: %q", rec.Body)
	}
	wantStatus(t, ts.do(request{method: "GET", path: path}), http.StatusSeeOther, "/login")
}

// The socket: only admins, only from our own origin, only for a question that exists.
func TestQuestionVideoSocket(t *testing.T) {
	ts, iv := newQuestionVideoServer(t)
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, _ := ts.signIn("admin@example.com")
	reviewer, _ := ts.signIn("rev@example.com")
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	ours := srv.URL
	wsURL := func(path string) string { return "ws" + strings.TrimPrefix(srv.URL, "http") + path }

	tests := []struct {
		name   string
		path   string
		cookie *http.Cookie
		origin string
		code   int
		says   string // in the refusal's body
	}{
		{"admin", questionVideoPath(iv, 0, "/ws"), admin, ours, http.StatusSwitchingProtocols, ""},
		{"reviewer", questionVideoPath(iv, 0, "/ws"), reviewer, ours, http.StatusForbidden, "Only admins can do this"},
		{"signed out", questionVideoPath(iv, 0, "/ws"), nil, ours, http.StatusUnauthorized, "Sign in first"},
		{"another origin", questionVideoPath(iv, 0, "/ws"), admin, "https://evil.example", http.StatusForbidden, "from this server"},
		{"another port", questionVideoPath(iv, 0, "/ws"), admin, "http://127.0.0.1:1", http.StatusForbidden, "from this server"},
		{"no origin", questionVideoPath(iv, 0, "/ws"), admin, "", http.StatusForbidden, "from this server"},
		{"unknown question", "/admin/interviews/" + iv.ID + "/questions/" + storage.NewID() + "/video/ws", admin, ours, http.StatusNotFound, "no such question"},
		{"unknown interview", "/admin/interviews/" + storage.NewID() + "/questions/" + iv.Questions[0].ID + "/video/ws", admin, ours, http.StatusNotFound, "no such question"},
	}
	dialer := websocket.Dialer{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Accept": {"application/json"}}
			if tt.cookie != nil {
				h.Set("Cookie", tt.cookie.Name+"="+tt.cookie.Value)
			}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			conn, resp, err := dialer.DialContext(t.Context(), wsURL(tt.path), h)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tt.code, err)
			}
			if conn == nil {
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), tt.says) {
					t.Fatalf("refusal does not say %q: %s", tt.says, body)
				}
				return
			}
			defer conn.Close()
			var welcome struct {
				Type      string `json:"type"`
				Questions []struct {
					ID    string `json:"id"`
					Video bool   `json:"video"`
				} `json:"questions"`
				LimitMs int64 `json:"limitMs"`
			}
			_, data, err := conn.ReadMessage()
			if err != nil || json.Unmarshal(data, &welcome) != nil || welcome.Type != "welcome" ||
				len(welcome.Questions) != 1 || welcome.Questions[0].ID != iv.Questions[0].ID || welcome.LimitMs != 300_000 {
				t.Fatalf("welcome: %s %v", data, err)
			}
		})
	}
}
