package signaling

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/leaktest"
	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

const questionTestTimeout = time.Minute

// questionServer is a QuestionRecorder on a real store, media directory and
// recorder, on a loopback port.
type questionServer struct {
	srv   *httptest.Server
	db    *storage.DB
	disk  *storage.Disk
	media string // the media directory
	iv    *storage.Interview
	ended chan struct{} // one value each time the handler returns
}

func startQuestionServer(t *testing.T) *questionServer {
	t.Helper()
	mediatest.RequireTools(t)
	leaktest.Check(t)
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	media := filepath.Join(dir, "media")
	disk, err := storage.OpenDisk(media)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	eng, err := recorder.NewEngine(recorder.Config{LoopbackOnly: true, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	qr := NewQuestionRecorder(ctx, db, disk, eng, log, Options{})
	mux := http.NewServeMux()
	ended := make(chan struct{}, 64)
	mux.HandleFunc("GET /q/{id}/{q}", func(w http.ResponseWriter, r *http.Request) {
		qr.ServeHTTP(w, r)
		ended <- struct{}{}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		cancel()
		qr.Wait()
		srv.Close()
		eng.Close()
		disk.Close()
		db.Close()
	})
	iv := &storage.Interview{Title: "Video questions", Questions: []storage.Question{{Text: "Who are you?"}, {Text: "Why us?"}}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	return &questionServer{srv: srv, db: db, disk: disk, media: media, iv: iv, ended: ended}
}

// testLog sends the server's log to the test's log, shown when a test fails.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (s *questionServer) url(interview, question string) string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/q/" + interview + "/" + question
}

// dial connects a peer sending clip for the question and waits until its media reached the server.
func (s *questionServer) dial(t *testing.T, ctx context.Context, question string, opts testpeer.Options) *testpeer.Peer {
	t.Helper()
	if opts.Clip.VideoPath == "" {
		opts.Clip = mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	}
	p, err := testpeer.Dial(ctx, s.url(s.iv.ID, question), opts)
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

// recordFor records the question for about d and returns the saved event.
// The record command names sent, which may be empty.
func recordFor(t *testing.T, ctx context.Context, p *testpeer.Peer, sent, question string, d time.Duration) testpeer.Event {
	t.Helper()
	if err := p.Record(sent); err != nil {
		t.Fatal(err)
	}
	if ev, err := p.WaitFor(ctx, "recording"); err != nil || ev.Question != question {
		t.Fatalf("recording: %+v %v", ev, err)
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	saved, err := p.WaitFor(ctx, "saved")
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
	if saved.Question != question || saved.Reason != "stop" || saved.Bytes == 0 {
		t.Fatalf("saved %+v", saved)
	}
	return saved
}

// video returns the question's stored video, and whether the question is marked as having one.
func (s *questionServer) video(t *testing.T, question string) ([]byte, bool) {
	t.Helper()
	iv, err := s.db.Interview(s.iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := iv.Question(question)
	f, err := s.disk.OpenQuestionVideo(s.iv.ID, question)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, q.Video
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data, q.Video
}

// checkVideo probes a stored video: VP8 and Opus, about as long as recorded.
func checkVideo(t *testing.T, data []byte, want time.Duration) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "question.webm")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pr := mediatest.Probe(t, path)
	v, okv := pr.Stream("video")
	a, oka := pr.Stream("audio")
	if !okv || !oka || v.CodecName != "vp8" || a.CodecName != "opus" {
		t.Errorf("streams %+v, want vp8 and opus", pr.Streams)
	}
	if d := pr.Duration - want; d < -400*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("duration %v, want about %v", pr.Duration, want)
	}
	if msg := mediatest.DecodeErrors(t, path); msg != "" {
		t.Errorf("decoding: %s", msg)
	}
}

// noPartFiles fails the test if a .part file is left in the media directory.
func (s *questionServer) noPartFiles(t *testing.T) {
	t.Helper()
	filepath.WalkDir(s.media, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".part") {
			t.Errorf("left behind: %s", p)
		}
		return err
	})
}

// A recording replaces the question's video only once it is finished: a second
// one replaces the first, and one cut short (before or after its first keyframe)
// leaves the earlier video as it was. remove-video deletes it.
func TestQuestionRecorder(t *testing.T) {
	s := startQuestionServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), questionTestTimeout)
	defer cancel()
	q := s.iv.Questions[1].ID

	p := s.dial(t, ctx, q, testpeer.Options{})
	w := p.Welcome()
	if w.Interview.ID != s.iv.ID || len(w.Questions) != 1 || w.Questions[0].ID != q || w.Questions[0].Text != "Why us?" {
		t.Fatalf("welcome %s", w.Raw)
	}
	saved := recordFor(t, ctx, p, q, q, 2*time.Second)
	if saved.URL != QuestionVideoFileURL(s.iv.ID, q) {
		t.Errorf("saved url %q", saved.URL)
	}
	first, has := s.video(t, q)
	if !has || int64(len(first)) != saved.Bytes {
		t.Fatalf("after the first recording: %d bytes (saved said %d), video flag %v", len(first), saved.Bytes, has)
	}
	checkVideo(t, first, 2*time.Second)

	saved = recordFor(t, ctx, p, "", q, time.Second) // the socket's question by default
	second, has := s.video(t, q)
	if !has || int64(len(second)) != saved.Bytes || bytes.Equal(first, second) {
		t.Fatalf("the second recording did not replace the first: %d bytes, flag %v", len(second), has)
	}
	checkVideo(t, second, time.Second)
	p.Close()
	s.waitEnded(t)

	t.Run("cut before the first keyframe", func(t *testing.T) {
		// The clip has one keyframe at its start, and keyframe requests are not
		// answered: the recording cannot open before the socket closes.
		clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: 20 * time.Second, KeyframeInterval: 600})
		p := s.dial(t, ctx, q, testpeer.Options{Clip: clip, KeepClipTime: true})
		if err := p.Record(q); err != nil {
			t.Fatal(err)
		}
		p.Close()
		s.checkUnchanged(t, q, second)
	})
	t.Run("cut after the first keyframe", func(t *testing.T) {
		p := s.dial(t, ctx, q, testpeer.Options{})
		if err := p.Record(q); err != nil {
			t.Fatal(err)
		}
		if _, err := p.WaitFor(ctx, "recording"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // media is written into the new file meanwhile
		p.CloseSignaling()
		s.checkUnchanged(t, q, second)
	})

	p = s.dial(t, ctx, q, testpeer.Options{})
	if err := p.Send(map[string]string{"type": "remove-video"}); err != nil {
		t.Fatal(err)
	}
	if ev, err := p.WaitFor(ctx, "removed"); err != nil || ev.Question != q {
		t.Fatalf("remove-video: %+v %v", ev, err)
	}
	if data, has := s.video(t, q); data != nil || has {
		t.Fatalf("after remove-video: %d bytes, flag %v", len(data), has)
	}
	if data, has := s.video(t, s.iv.Questions[0].ID); data != nil || has {
		t.Fatalf("the other question has a video: %d bytes, flag %v", len(data), has)
	}
}

// checkUnchanged waits until the server has ended the question's last connection
// and checks that the question's video is still want.
func (s *questionServer) checkUnchanged(t *testing.T, q string, want []byte) {
	t.Helper()
	s.waitEnded(t)
	data, has := s.video(t, q)
	if !has || !bytes.Equal(data, want) {
		t.Fatalf("the earlier video changed: %d bytes (want %d), flag %v", len(data), len(want), has)
	}
	s.noPartFiles(t)
}

// waitEnded waits until the handler has returned for one more connection.
func (s *questionServer) waitEnded(t *testing.T) {
	t.Helper()
	select {
	case <-s.ended:
	case <-time.After(questionTestTimeout):
		t.Fatal("the server did not end the connection")
	}
}

// Unknown interviews and questions are refused before the upgrade; commands that
// cannot be run get their error event; a second socket cannot record or remove a
// question while the first records it.
func TestQuestionRecorderRefusals(t *testing.T) {
	s := startQuestionServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), questionTestTimeout)
	defer cancel()
	q, other := s.iv.Questions[0].ID, s.iv.Questions[1].ID
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	for name, u := range map[string]string{
		"unknown interview": s.url(storage.NewID(), q),
		"unknown question":  s.url(s.iv.ID, storage.NewID()),
		"malformed IDs":     s.url("no.such", "-"),
	} {
		_, err := testpeer.Dial(ctx, u, testpeer.Options{Clip: clip})
		var he *testpeer.HandshakeError
		if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %v, want 404", name, err)
		}
	}

	p := s.dial(t, ctx, q, testpeer.Options{})
	for _, c := range []struct {
		msg  map[string]string
		code string
	}{
		{map[string]string{"type": "stop"}, "not-recording"},
		{map[string]string{"type": "record", "question": other}, "unknown-question"},
		{map[string]string{"type": "remove-video", "question": other}, "unknown-question"},
		{map[string]string{"type": "retake", "question": q}, "unknown-type"},
		{map[string]string{"type": "submit"}, "unknown-type"},
	} {
		if err := p.Send(c.msg); err != nil {
			t.Fatal(err)
		}
		if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != c.code || ev.Request != c.msg["type"] {
			t.Errorf("%v: %s %v, want %s", c.msg, ev.Raw, err, c.code)
		}
	}

	if err := p.Record(q); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	second := s.dial(t, ctx, q, testpeer.Options{})
	for _, typ := range []string{"record", "remove-video"} {
		if err := second.Send(map[string]string{"type": typ}); err != nil {
			t.Fatal(err)
		}
		if ev, err := second.WaitFor(ctx, "error"); err != nil || ev.Code != "busy" {
			t.Errorf("%s while another socket records: %s %v, want busy", typ, ev.Raw, err)
		}
	}
	if err := p.Record(q); err != nil {
		t.Fatal(err)
	}
	if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != "already-recording" {
		t.Errorf("record twice: %s %v", ev.Raw, err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "saved"); err != nil {
		t.Fatal(err)
	}
	// Once saved, the question is free again.
	recordFor(t, ctx, second, q, q, 500*time.Millisecond)
}
