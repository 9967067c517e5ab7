package app

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// testServer is a real Takes on a loopback port with its own data directory.
type testServer struct {
	app  *App
	http *httptest.Server
	data string
	iv   *storage.Interview
	inv  *storage.Invitation
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	return startServerWith(t, nil)
}

func startServerWith(t *testing.T, wrapMedia func(storage.Media) storage.Media) *testServer {
	t.Helper()
	return startServerIn(t, t.TempDir(), wrapMedia)
}

// startServerIn starts a server whose data directory is data.
func startServerIn(t *testing.T, data string, wrapMedia func(storage.Media) storage.Media) *testServer {
	t.Helper()
	mediatest.RequireTools(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := build(Config{DataDir: data, Recorder: recorder.Config{LoopbackOnly: true}, Logger: log}, wrapMedia)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		a.Close() // a test may have closed it already
		srv.Close()
	})
	iv := &storage.Interview{Title: "E2E", Questions: []storage.Question{{Text: "First?"}, {Text: "Second?"}}}
	if err := a.DB().CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	inv := &storage.Invitation{InterviewID: iv.ID}
	if err := a.DB().CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	// The candidate has accepted the privacy policy and given their details.
	if _, err := a.DB().AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	if inv, err = a.DB().SaveDetails(inv.ID, map[string]string{"name": "Test Candidate", "email": "test@example.com"}); err != nil {
		t.Fatal(err)
	}
	return &testServer{app: a, http: srv, data: data, iv: iv, inv: inv}
}

// testWriter sends the server's log to the test's log, shown when a test fails.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (s *testServer) wsURL(token string) string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/ws/" + token
}

func (s *testServer) dial(t *testing.T, ctx context.Context) *testpeer.Peer {
	t.Helper()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	p, err := testpeer.Dial(ctx, s.wsURL(s.inv.Token), testpeer.Options{Clip: clip})
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

func (s *testServer) takePath(k storage.TakeKey) string {
	p, _ := storage.MediaPath(k)
	return filepath.Join(s.data, "media", p)
}

func (s *testServer) key(question string, n int) storage.TakeKey {
	return storage.TakeKey{Interview: s.iv.ID, Invitation: s.inv.ID, Question: question, N: n}
}

// recordTake records question for about d and returns the saved event and the
// time from the recording event to the stop command.
func recordTake(t *testing.T, ctx context.Context, p *testpeer.Peer, cmd, question string, d time.Duration) (testpeer.Event, time.Duration) {
	t.Helper()
	var err error
	if cmd == "retake" {
		err = p.Retake(question)
	} else {
		err = p.Record(question)
	}
	if err != nil {
		t.Fatal(err)
	}
	rec, err := p.WaitFor(ctx, "recording")
	if err != nil {
		t.Fatalf("%s %s: %v", cmd, question, err)
	}
	began := time.Now()
	if rec.Question != question {
		t.Fatalf("recording event for %q, want %q", rec.Question, question)
	}
	select { // the candidate speaks for d
	case <-time.After(d):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	spoke := time.Since(began)
	saved, err := p.WaitFor(ctx, "saved")
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
	t.Logf("%s %s take %d: spoke %v, saved %d ms, %d bytes (%.0f kB/s), stop→saved %v",
		cmd, question, saved.Take, spoke.Round(time.Millisecond), saved.DurationMs, saved.Bytes,
		float64(saved.Bytes)/1000/(float64(saved.DurationMs)/1000), time.Since(began.Add(spoke)).Round(time.Millisecond))
	if saved.Question != question || saved.Take != rec.Take {
		t.Fatalf("saved %+v does not match recording %+v", saved, rec)
	}
	return saved, spoke
}

// checkTakeFile judges a saved take from the outside, as any player would see it.
func checkTakeFile(t *testing.T, path string, spoke time.Duration) {
	t.Helper()
	checkFile(t, path, spoke, "320x240")
}

func TestRecordRetakeRemove(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1, q2 := s.iv.Questions[0].ID, s.iv.Questions[1].ID

	saved, spoke := recordTake(t, ctx, p, "record", q1, 3*time.Second)
	first := s.takePath(s.key(q1, 1))
	checkTakeFile(t, first, spoke)
	checkQuality(t, s, s.key(q1, 1), saved.DurationMs)
	checkPlayback(t, s.http.URL+saved.URL, saved.Bytes)

	saved, spoke = recordTake(t, ctx, p, "retake", q1, 2*time.Second)
	if saved.Take != 2 {
		t.Fatalf("retake saved take %d, want 2", saved.Take)
	}
	if _, err := os.Stat(first); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("replaced take's file still on disk: %v", err)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 2)), spoke)

	_, spoke = recordTake(t, ctx, p, "record", q2, 2*time.Second)
	checkTakeFile(t, s.takePath(s.key(q2, 1)), spoke)
	if err := p.RemoveTake(q2); err != nil {
		t.Fatal(err)
	}
	if ev, err := p.WaitFor(ctx, "removed"); err != nil || ev.Question != q2 {
		t.Fatalf("remove-take: %+v %v", ev, err)
	}

	// The store: q1 has take 2 as a draft, q2 has only a removed tombstone.
	takes, err := s.app.DB().Takes(s.inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[storage.TakeKey]storage.TakeState{}
	for _, tk := range takes {
		got[tk.TakeKey] = tk.State
	}
	want := map[storage.TakeKey]storage.TakeState{s.key(q1, 2): storage.TakeDraft, s.key(q2, 1): storage.TakeRemoved}
	if len(got) != len(want) || got[s.key(q1, 2)] != want[s.key(q1, 2)] || got[s.key(q2, 1)] != want[s.key(q2, 1)] {
		t.Errorf("take records %v, want %v", got, want)
	}
	// The disk: exactly the one draft's file, and no .part anywhere.
	files := mediaFiles(t, s.data)
	if len(files) != 1 || files[0] != s.takePath(s.key(q1, 2)) {
		t.Errorf("media files %v, want only %s", files, s.takePath(s.key(q1, 2)))
	}
}

// mediaFiles lists every file under the media directory.
func mediaFiles(t *testing.T, data string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(data, "media"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	return out
}

// checkPlayback fetches a take as the browser does, with a Range request.
func checkPlayback(t *testing.T, url string, size int64) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || len(body) != 100 || resp.Header.Get("Content-Type") != "video/webm" {
		t.Errorf("range request: %s, %d bytes, %q", resp.Status, len(body), resp.Header.Get("Content-Type"))
	}
	if cr := resp.Header.Get("Content-Range"); !strings.HasSuffix(cr, "/"+strconv.FormatInt(size, 10)) {
		t.Errorf("Content-Range %q does not give the take's size %d", cr, size)
	}
}

// checkQuality checks a take's quality record against its duration: a picture
// every 33 ms, audio from the first picture, nothing lost on loopback.
func checkQuality(t *testing.T, s *testServer, k storage.TakeKey, durationMs int64) {
	t.Helper()
	tk, err := s.app.DB().Take(k)
	if err != nil || tk.Quality == nil {
		t.Fatalf("take %s: no quality record: %v", k, err)
	}
	q := tk.Quality
	t.Logf("quality: %+v", *q)
	wantFrames := uint64(durationMs * 30 / 1000)
	if q.VideoFrames < wantFrames*9/10 || q.AudioFrames < uint64(durationMs/20)*9/10 {
		t.Errorf("frames: %d video, %d audio in %d ms", q.VideoFrames, q.AudioFrames, durationMs)
	}
	if q.AudioStartMs > 40 || q.PacketsLost != 0 || q.FramesDropped != 0 || q.KeyframeRequests == 0 {
		t.Errorf("quality %+v: want audio from the first picture, no loss, a keyframe request", *q)
	}
}
