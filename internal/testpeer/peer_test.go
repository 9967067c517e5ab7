package testpeer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/takes/takes/internal/leaktest"
	"github.com/takes/takes/internal/mediatest"
)

const testTimeout = 20 * time.Second

// sparseClip is a clip with a keyframe only at its start, so that any other keyframe received was asked
// for.
func sparseClip(t *testing.T, codec string) mediatest.Clip {
	return mediatest.MakeClip(t, "", mediatest.ClipOptions{Codec: codec, KeyframeInterval: 120})
}

// dial dials the fake server and closes the peer at the end of the test.
func dial(t *testing.T, f *fakeServer, clip mediatest.Clip) *Peer {
	t.Helper()
	return dialWith(t, f, Options{Clip: clip, Header: http.Header{"Origin": {f.srv.URL}}})
}

// dialWith dials the fake server with the given options and closes the peer at the end of the test.
func dialWith(t *testing.T, f *fakeServer, opts Options) *Peer {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	p, err := Dial(ctx, f.url("tok"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func TestMediaAndKeyframeRequests(t *testing.T) {
	for _, codec := range []string{"vp8", "vp9"} {
		t.Run(codec, func(t *testing.T) {
			clip := sparseClip(t, codec)
			leaktest.Check(t)
			f := newFakeServer(t, codec)
			p := dial(t, f, clip)
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			if err := p.ConnectedMedia(ctx); err != nil {
				t.Fatal(err)
			}
			s := <-f.sessions

			if keys := receiveFrames(ctx, t, f, 30); keys[0] != 0 || len(keys) != 1 {
				t.Fatalf("keyframes at %v of the first 30 frames, want only the first", keys)
			}
			receiveAudio(ctx, t, f, 50)
			for i := range 2 {
				if err := s.requestKeyframe(); err != nil {
					t.Fatal(err)
				}
				// A few frames may be on their way already when the PLI arrives.
				if keys := receiveFrames(ctx, t, f, 10); len(keys) != 1 {
					t.Fatalf("PLI %d: keyframes at %v of the next 10 frames, want one", i, keys)
				}
			}
			if st := p.Stats(); st.PLIs != 2 || st.Keyframes != 3 || st.VideoFrames < 45 || st.AudioPackets < 45 {
				t.Errorf("stats = %+v, want 2 PLIs, 3 keyframes", st)
			}
		})
	}
}

// receiveFrames reads n video frames from the fake server and returns the indexes of the keyframes.
func receiveFrames(ctx context.Context, t *testing.T, f *fakeServer, n int) []int {
	t.Helper()
	var keys []int
	for i := range n {
		select {
		case key := <-f.videoFrames:
			if key {
				keys = append(keys, i)
			}
		case <-ctx.Done():
			t.Fatalf("received %d video frames of %d", i, n)
		}
	}
	return keys
}

// receiveAudio waits until the fake server has received n audio packets.
func receiveAudio(ctx context.Context, t *testing.T, f *fakeServer, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-f.audio:
		case <-ctx.Done():
			t.Fatalf("received %d audio packets of %d", i, n)
		}
	}
}

func TestEvents(t *testing.T) {
	clip := sparseClip(t, "vp8")
	leaktest.Check(t)
	f := newFakeServer(t, "vp8")
	p := dial(t, f, clip)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()

	w := p.Welcome()
	if w.Interview.Title != "Fake interview" || len(w.Questions) != 2 || w.Questions[0].Take != nil ||
		w.Questions[1].Take == nil || w.Questions[1].Take.State != "draft" {
		t.Fatalf("welcome = %+v", w)
	}
	mustSend(t, p.Record("q1"))
	ev, err := p.WaitFor(ctx, "recording")
	if err != nil || ev.Question != "q1" || ev.Take != 1 || !strings.Contains(string(ev.Raw), `"recording"`) {
		t.Fatalf("recording: %+v, %v", ev, err)
	}

	mustSend(t, p.Stop()) // refused by the fake: not-recording
	mustSend(t, p.Record("q2"))
	_, err = p.WaitFor(ctx, "recording")
	var se *ServerError
	if !errors.As(err, &se) || se.Code != "not-recording" || se.Request != "stop" {
		t.Fatalf("WaitFor after a refused stop: %v, want a not-recording ServerError", err)
	}
	if ev, err := p.Next(ctx); err != nil || ev.Type != "recording" || ev.Question != "q2" {
		t.Fatalf("Next = %+v, %v; want the recording that followed the error", ev, err)
	}

	mustSend(t, p.SendRaw([]byte("{not json")))
	if ev, err := p.WaitFor(ctx, "error"); err != nil || ev.Code != "bad-message" {
		t.Fatalf("WaitFor(error) = %+v, %v", ev, err)
	}
}

func mustSend(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCloseSignalingKeepsMedia(t *testing.T) {
	clip := sparseClip(t, "vp8")
	leaktest.Check(t)
	f := newFakeServer(t, "vp8")
	p := dial(t, f, clip)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	if err := p.ConnectedMedia(ctx); err != nil {
		t.Fatal(err)
	}
	receiveFrames(ctx, t, f, 1)
	p.CloseSignaling()
	if _, err := p.Next(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next after CloseSignaling: %v, want the socket's error", err)
	}
	if err := p.Record("q1"); err == nil {
		t.Error("Record after CloseSignaling succeeded")
	}
	for range len(f.videoFrames) {
		<-f.videoFrames // the frames sent before the drop
	}
	receiveFrames(ctx, t, f, 30)
}

func TestServerCloseEndsEvents(t *testing.T) {
	clip := sparseClip(t, "vp8")
	leaktest.Check(t)
	f := newFakeServer(t, "vp8")
	p := dial(t, f, clip)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := <-f.sessions
	s.send(map[string]string{"type": "removed", "question": "q1"})
	s.writeMu.Lock()
	_ = s.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too-large"))
	s.writeMu.Unlock()

	if ev, err := p.Next(ctx); err != nil || ev.Type != "removed" {
		t.Fatalf("Next = %+v, %v; want the event sent before the close", ev, err)
	}
	_, err := p.Next(ctx)
	if !websocket.IsCloseError(errors.Unwrap(err), websocket.ClosePolicyViolation) {
		t.Fatalf("Next after close: %v, want close 1008", err)
	}
}

func TestRestartICE(t *testing.T) {
	clip := sparseClip(t, "vp8")
	leaktest.Check(t)
	f := newFakeServer(t, "vp8")
	p := dial(t, f, clip)
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	if err := p.ConnectedMedia(ctx); err != nil {
		t.Fatal(err)
	}
	receiveFrames(ctx, t, f, 5)
	before := p.PeerConnection().LocalDescription().SDP
	if err := p.RestartICE(ctx); err != nil {
		t.Fatal(err)
	}
	if ufrag := iceUfrag(p.PeerConnection().LocalDescription().SDP); ufrag == iceUfrag(before) {
		t.Errorf("ICE ufrag %q did not change", ufrag)
	}
	receiveFrames(ctx, t, f, 30)
}

// iceUfrag returns the first ice-ufrag of an SDP.
func iceUfrag(sdp string) string {
	_, rest, _ := strings.Cut(sdp, "a=ice-ufrag:")
	ufrag, _, _ := strings.Cut(rest, "\r\n")
	return ufrag
}

func TestPings(t *testing.T) {
	clip := sparseClip(t, "vp8")
	tests := []struct {
		name   string
		ignore bool
	}{
		{"answered", false},
		{"ignored", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaktest.Check(t)
			f := newFakeServer(t, "vp8")
			dialWith(t, f, Options{Clip: clip, IgnorePings: tt.ignore})
			s := <-f.sessions
			if err := s.ping(); err != nil {
				t.Fatal(err)
			}
			// A pong comes back within a millisecond on loopback; a quarter second is plenty to say none came.
			select {
			case <-f.pongs:
				if tt.ignore {
					t.Error("pong received, want none")
				}
			case <-time.After(250 * time.Millisecond):
				if !tt.ignore {
					t.Error("no pong received")
				}
			}
		})
	}
}

func TestDialRefused(t *testing.T) {
	clip := sparseClip(t, "vp8")
	f := newFakeServer(t, "vp8")
	_, err := Dial(t.Context(), f.url("unknown"), Options{Clip: clip})
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound || he.Body != "no such invitation" {
		t.Fatalf("Dial = %v, want a 404 HandshakeError", err)
	}
}

func TestDialBadOptions(t *testing.T) {
	clip := sparseClip(t, "vp8")
	if _, err := Dial(t.Context(), "ws://127.0.0.1:1/ws/x", Options{Clip: clip, Codec: "vp9"}); err == nil {
		t.Error("Dial with a vp9 codec and a vp8 clip succeeded")
	}
	if _, err := Dial(t.Context(), "ws://127.0.0.1:1/ws/x", Options{}); err == nil {
		t.Error("Dial without a clip succeeded")
	}
}
