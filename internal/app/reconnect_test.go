package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/storage"
)

// waitFor lets time pass while media flows.
func waitFor(t *testing.T, ctx context.Context, d time.Duration) {
	t.Helper()
	select {
	case <-time.After(d):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
}

// TestDroppedSocketKeepsTake drops the candidate's socket mid-take, as a lost
// network does: what reached the server is saved as a draft marked cut, and a new
// connection sees it and can retake.
func TestDroppedSocketKeepsTake(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	p.Record(q1)
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	waitFor(t, ctx, 2*time.Second)
	p.CloseSignaling()
	cutAt := time.Since(began)

	p2 := s.dial(t, ctx) // waits for the server to have media on the new connection
	var take *testpeer.Take
	for _, q := range p2.Welcome().Questions {
		if q.ID == q1 {
			take = q.Take
		}
	}
	if take == nil || take.State != "draft" || !strings.Contains(string(p2.Welcome().Raw), `"reason":"cut"`) {
		t.Fatalf("after the drop the welcome shows %s", p2.Welcome().Raw)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 1)), cutAt)
	if _, spoke := recordTake(t, ctx, p2, "retake", q1, time.Second); spoke <= 0 {
		t.Fatal("no retake")
	}
}

// TestICERestartKeepsRecording restarts ICE mid-take, as a browser does after a
// network change: the take goes on and is one clean file.
func TestICERestartKeepsRecording(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	p.Record(q1)
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	waitFor(t, ctx, time.Second)
	if err := p.RestartICE(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 2*time.Second)
	p.Stop()
	spoke := time.Since(began)
	saved, err := p.WaitFor(ctx, "saved")
	if err != nil || saved.Reason != "stop" {
		t.Fatalf("saved after ICE restart: %+v %v", saved, err)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 1)), spoke)
}

// TestNewPeerConnectionCutsTake replaces the browser's peer connection on the same
// socket, as the page does when ICE cannot be restarted: the take in progress is
// kept as cut, and the new connection records.
func TestNewPeerConnectionCutsTake(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1, q2 := s.iv.Questions[0].ID, s.iv.Questions[1].ID
	p.Record(q1)
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 2*time.Second)
	if err := p.ClosePeer(); err != nil { // the server sees its peer connection close
		t.Fatal(err)
	}
	saved, err := p.WaitFor(ctx, "saved")
	if err != nil || saved.Reason != "cut" {
		t.Fatalf("after the peer closed: %+v %v", saved, err)
	}
	tk, _ := s.app.DB().Take(s.key(q1, 1))
	if tk.State != storage.TakeDraft || tk.End != storage.EndCut {
		t.Errorf("cut take record: %+v", tk)
	}
	p.Close()

	// A second peer on a fresh socket records the next question.
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	p2, err := testpeer.Dial(ctx, s.wsURL(s.inv.Token), testpeer.Options{Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := p2.WaitFor(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	_, spoke := recordTake(t, ctx, p2, "record", q2, time.Second)
	checkTakeFile(t, s.takePath(s.key(q2, 1)), spoke)
}

// TestVP9 records a take from a VP9 sender.
func TestVP9(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Codec: "vp9"})
	p, err := testpeer.Dial(ctx, s.wsURL(s.inv.Token), testpeer.Options{Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.WaitFor(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	q1 := s.iv.Questions[0].ID
	_, spoke := recordTake(t, ctx, p, "record", q1, 2*time.Second)
	path := s.takePath(s.key(q1, 1))
	pr := mediatest.Probe(t, path)
	if v, ok := pr.Stream("video"); !ok || v.CodecName != "vp9" || v.Width != 320 {
		t.Fatalf("streams %+v, want vp9 320x240", pr.Streams)
	}
	if d := pr.Duration - spoke; d > spoke/10 || -d > spoke/10 {
		t.Errorf("duration %v, want %v", pr.Duration, spoke)
	}
	if out := mediatest.DecodeErrors(t, path); out != "" {
		t.Errorf("decoding errors:\n%s", out)
	}
	if !mediatest.FirstVideoBlockIsKeyframe(t, path) {
		t.Error("first video block is not a keyframe")
	}
}

// TestSecondConnectionReplacesFirst opens the same invitation twice while the first
// connection records: the first saves its take and hears that it was replaced, and
// the second's welcome already shows that take.
func TestSecondConnectionReplacesFirst(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	p.Record(q1)
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, time.Second)

	c := dialRaw(t, s.wsURL(s.inv.Token))
	w := c.next()
	if !strings.Contains(c.seen.String(), `"reason":"cut"`) {
		t.Errorf("the new connection's welcome does not show the cut take: %v", w)
	}
	if saved, err := p.WaitFor(ctx, "saved"); err != nil || saved.Reason != "cut" {
		t.Fatalf("first connection: %+v %v, want its take saved as cut", saved, err)
	}
	if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != "replaced" {
		t.Fatalf("first connection: %+v %v, want error replaced", ev, err)
	}
	if _, err := p.Next(ctx); err == nil {
		t.Error("the replaced socket stayed open")
	}
}
