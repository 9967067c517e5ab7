package app

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// Fidelity tests: what reaches the file when the network is poor, and whether the file keeps the sound in
// step with the picture, a change of picture size, and time across a silence. Each logs its measured
// figures for the project's notes.

// TestFidelityLossAndReorder records over a path with loss, reordering and 50 ms of jitter each way.
// With 2% random loss NACK repairs nearly every loss and nearly every frame reaches the file. When losses
// cannot be repaired (the packet is lost again each time it is sent), the frames that depend on what is
// missing are left out rather than written broken, and a keyframe is asked for: the file still decodes
// without an error, and the picture never freezes for long.
func TestFidelityLossAndReorder(t *testing.T) {
	tests := []struct {
		name      string
		imp       testpeer.Impairment
		minFrames int // per cent of the frames of the take's length
	}{
		{"random", testpeer.Impairment{Loss: 0.02, Reorder: 0.01, Jitter: 50 * time.Millisecond, Seed: 5}, 90},
		{"unrepairable", testpeer.Impairment{Loss: 0.005, Reorder: 0.01, Jitter: 50 * time.Millisecond,
			Unrepairable: true, Seed: 7}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recordLossy(t, tt.imp, tt.minFrames)
		})
	}
}

// recordLossy records a 5 s take over a network with the given impairment, judges it, and logs the figures.
func recordLossy(t *testing.T, imp testpeer.Impairment, minFrames int) {
	netw, err := testpeer.NewImpairedNetwork(imp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { netw.Close() }) // after the server and the peer, whose cleanups come later
	s, quality := startServerRecorder(t, recorder.Config{Net: netw.Server})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	p := dialPeer(t, ctx, s, testpeer.Options{Clip: clip, Net: netw.Peer})
	q := s.iv.Questions[0].ID

	peer0, net0 := p.Stats(), netw.Stats()
	saved, spoke := recordTake(t, ctx, p, "record", q, 5*time.Second)
	peer1, net1 := p.Stats(), netw.Stats()
	path := s.takePath(s.key(q, saved.Take))
	checkFile(t, path, spoke, "320x240")

	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	video, _ := info.Track("video")
	if !slices.IsSorted(video.Times) {
		t.Errorf("video blocks are not in time order: %v", video.Times)
	}
	freeze, at := largestGap(video.Times)
	up0, up, down0, down := net0.Up, net1.Up, net0.Down, net1.Down
	upVideo, upDropped, recovered := up.Video-up0.Video, up.VideoDropped-up0.VideoDropped, up.VideoRecovered-up0.VideoRecovered
	want := int(spoke.Seconds() * float64(clip.FPS))
	rec := quality.saved(t)
	t.Logf("network up: %d video packets sent (retransmissions too), %d dropped (%.1f%%), %d of them recovered by NACK, "+
		"%d never delivered; %d audio packets, %d dropped; %d RTP packets held back; %d of %d RTCP dropped; jitter %v–%v (mean %v)",
		upVideo, upDropped, 100*float64(upDropped)/float64(max(upVideo, 1)), recovered, up.VideoUndelivered-up0.VideoUndelivered,
		up.Audio-up0.Audio, up.AudioDropped-up0.AudioDropped, up.RTPHeld-up0.RTPHeld,
		up.RTCPDropped-up0.RTCPDropped, up.RTCP-up0.RTCP, up.MinDelay, up.MaxDelay, up.MeanDelay.Round(time.Millisecond))
	t.Logf("network down: %d of %d RTCP dropped, %d held back", down.RTCPDropped-down0.RTCPDropped,
		down.RTCP-down0.RTCP, down.RTCPHeld-down0.RTCPHeld)
	t.Logf("frames: %d sent from record to saved, %d in %v, %d written (%.1f%%); server: %s packets lost, %s frames dropped; "+
		"%d PLIs received; largest gap between frames %v (at %v)",
		peer1.VideoFrames-peer0.VideoFrames, want, spoke.Round(time.Millisecond), video.Blocks,
		100*float64(video.Blocks)/float64(want), rec["lost"], rec["dropped"], peer1.PLIs-peer0.PLIs, freeze, at)

	if video.Blocks < want*minFrames/100 {
		t.Errorf("%d video frames written, want at least %d%% of %d", video.Blocks, minFrames, want)
	}
	if freeze > time.Second {
		t.Errorf("the picture freezes for %v at %v, want at most 1 s", freeze, at)
	}
	if !imp.Unrepairable && recovered*2 < upDropped {
		t.Errorf("NACK recovered %d of %d dropped video packets, want most", recovered, upDropped)
	}
	// The take's quality record counts the packets that came late and filled a gap.
	if tk, err := s.app.DB().Take(s.key(q, saved.Take)); err != nil || tk.Quality == nil {
		t.Errorf("take's quality record: %+v, %v", tk, err)
	} else if !imp.Unrepairable && recovered > 0 && tk.Quality.PacketsRecovered == 0 {
		t.Errorf("NACK recovered %d packets, yet the quality record counts none recovered: %+v", recovered, *tk.Quality)
	}
	// A packet lost just before Stop is waited for too: the take's frames behind it
	// are given up and counted, not left out silently.
	if imp.Unrepairable && up.VideoUndelivered > up0.VideoUndelivered && rec["dropped"] == "0" {
		t.Errorf("%d video packets never arrived, yet the server dropped no frame", up.VideoUndelivered-up0.VideoUndelivered)
	}
}

// TestFidelityAVSync records a clip whose picture flashes white at the very instant of an audio click,
// once a second, and checks every flash against its click in the saved file. The first take starts as
// soon as media flows, before any RTCP sender report (so the recorder times the tracks by the arrival of
// their first packets); the second after several sender reports (so it times them by the sender's clock).
func TestFidelityAVSync(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeSyncClip(t, t.TempDir(), 20*time.Second)
	// The clip is long enough not to loop, and the peer keeps the picture in step with the sound when a
	// keyframe is asked for.
	p := dialPeer(t, ctx, s, testpeer.Options{Clip: clip, KeepClipTime: true})
	var paths []string
	var spoken []time.Duration
	for _, q := range []string{s.iv.Questions[0].ID, s.iv.Questions[1].ID} {
		saved, spoke := recordTake(t, ctx, p, "record", q, 6*time.Second)
		paths, spoken = append(paths, s.takePath(s.key(q, saved.Take))), append(spoken, spoke)
	}
	if sent := p.Stats().VideoFrames; sent >= int64(clip.Frames) {
		t.Fatalf("the peer sent %d frames of a %d-frame clip: it looped, and its sound slipped", sent, clip.Frames)
	}
	for i, path := range paths {
		checkFile(t, path, spoken[i], "320x240")
		checkSync(t, path, i+1)
	}
}

// checkSync finds the flashes and clicks of a take of the sync clip and checks that each flash has its
// click within 40 ms (about a frame: what a viewer cannot notice). A flash within 100 ms of either end of
// the take may have lost its click to the cut, and is not judged.
func checkSync(t *testing.T, path string, take int) {
	t.Helper()
	const tolerance, edge = 40 * time.Millisecond, 100 * time.Millisecond
	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	// Either end of the take may cut a flash from its click: leave both ends out.
	inside := func(ts []time.Duration) []time.Duration {
		return slices.DeleteFunc(ts, func(x time.Duration) bool { return x < edge || x > info.Duration-edge })
	}
	flashes, clicks := inside(mediatest.Flashes(t, path)), inside(mediatest.Clicks(t, path))
	if len(flashes) < 4 || len(clicks) < len(flashes)-1 || len(clicks) > len(flashes)+1 {
		t.Fatalf("take %d: flashes at %v, clicks at %v; want one of each a second", take, flashes, clicks)
	}
	var offsets []time.Duration
	for _, f := range flashes {
		c := nearest(clicks, f)
		if (f-c).Abs() > tolerance && (f < edge || f > info.Duration-edge) {
			continue
		}
		offsets = append(offsets, f-c)
		if (f - c).Abs() > tolerance {
			t.Errorf("take %d: flash at %v, nearest click at %v: picture %v after sound", take, f, c, f-c)
		}
	}
	if len(offsets) < 4 {
		t.Fatalf("take %d: only %d flashes judged (flashes %v, clicks %v)", take, len(offsets), flashes, clicks)
	}
	sorted := slices.Sorted(slices.Values(offsets))
	video, _ := info.Track("video")
	audio, _ := info.Track("audio")
	t.Logf("take %d (%v; last video block %v, last audio block %v): flashes at %v, clicks at %v; "+
		"picture after sound by min %v, median %v, max %v",
		take, info.Duration, video.Times[len(video.Times)-1], audio.Times[len(audio.Times)-1], flashes, clicks,
		sorted[0], sorted[len(sorted)/2], sorted[len(sorted)-1])
}

// nearest returns the element of ts nearest to x; ts is not empty.
func nearest(ts []time.Duration, x time.Duration) time.Duration {
	best := ts[0]
	for _, v := range ts[1:] {
		if (v - x).Abs() < (best - x).Abs() {
			best = v
		}
	}
	return best
}

// TestFidelityResolutionChange records a camera whose picture grows from 320x240 to 640x480 (on a
// keyframe) and back: the take is one file that decodes cleanly across the changes, at the right length.
func TestFidelityResolutionChange(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	// A 6 s loop of two 3 s halves: any 5 s take holds at least one change.
	clip := mediatest.JoinClips(t, t.TempDir(),
		mediatest.ClipOptions{Duration: 3 * time.Second},
		mediatest.ClipOptions{Width: 640, Height: 480, Duration: 3 * time.Second})
	p := dialPeer(t, ctx, s, testpeer.Options{Clip: clip})
	q := s.iv.Questions[0].ID
	saved, spoke := recordTake(t, ctx, p, "record", q, 5*time.Second)
	path := s.takePath(s.key(q, saved.Take))
	checkFile(t, path, spoke, "")

	sizes := mediatest.FrameSizes(t, path)
	var changes []string
	for i := 1; i < len(sizes); i++ {
		if sizes[i] != sizes[i-1] {
			changes = append(changes, sizes[i-1]+"→"+sizes[i]+" at frame "+strconv.Itoa(i))
		}
	}
	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	video, _ := info.Track("video")
	t.Logf("%d frames decoded (%d blocks), first %s; changes: %v", len(sizes), video.Blocks, sizes[0], changes)
	if len(changes) == 0 {
		t.Errorf("no change of picture size in the take (first frame %s)", sizes[0])
	}
	if len(sizes) != video.Blocks {
		t.Errorf("%d frames decoded of %d written", len(sizes), video.Blocks)
	}
	for _, sz := range sizes {
		if sz != "320x240" && sz != "640x480" {
			t.Fatalf("a frame decodes at %s", sz)
		}
	}
}

// TestFidelityMutedAudio mutes the microphone for 2 s in the middle of a take (no audio packet is sent):
// the take keeps its length, both tracks decode, the silence sits where it happened, and the sound after
// it is at its time, not pulled earlier into the gap. A browser's RTP clock runs on through the mute;
// some clients' stop, and the recorder re-anchors such a track to arrival times.
func TestFidelityMutedAudio(t *testing.T) {
	tests := []struct {
		name  string
		pause func(p *testpeer.Peer, d time.Duration)
	}{
		{"clock runs", (*testpeer.Peer).MuteAudio},
		{"clock stops", (*testpeer.Peer).StallAudio},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recordMuted(t, tt.pause)
		})
	}
}

// recordMuted records a 5.5 s take with the audio paused from 1.5 s to 3.5 s, and judges it.
func recordMuted(t *testing.T, pause func(p *testpeer.Peer, d time.Duration)) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	p := dialPeer(t, ctx, s, testpeer.Options{Clip: clip})
	q := s.iv.Questions[0].ID
	const mutedAt, muted, length = 1500 * time.Millisecond, 2 * time.Second, 5500 * time.Millisecond

	if err := p.Record(q); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	waitUntil(t, ctx, began.Add(mutedAt))
	pause(p, muted)
	waitUntil(t, ctx, began.Add(length))
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	spoke := time.Since(began)
	saved, err := p.WaitFor(ctx, "saved")
	if err != nil {
		t.Fatal(err)
	}
	path := s.takePath(s.key(q, saved.Take))
	checkFile(t, path, spoke, "320x240")

	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	video, _ := info.Track("video")
	audio, _ := info.Track("audio")
	gap, at := largestGap(audio.Times)
	vgap, _ := largestGap(video.Times)
	endV, endA := video.Times[len(video.Times)-1], audio.Times[len(audio.Times)-1]
	t.Logf("spoke %v, file %v; audio: %d blocks from %v to %v, silent %v from %v; video: %d blocks to %v, largest gap %v",
		spoke.Round(time.Millisecond), info.Duration.Round(time.Millisecond), audio.Blocks, audio.Times[0], endA,
		gap, at, video.Blocks, endV, vgap)
	if gap < muted-100*time.Millisecond || gap > muted+200*time.Millisecond {
		t.Errorf("the audio's largest gap is %v, want the %v of the mute", gap, muted)
	}
	if at < mutedAt-500*time.Millisecond || at > mutedAt+500*time.Millisecond {
		t.Errorf("the audio falls silent at %v, want about %v", at, mutedAt)
	}
	if d := endA - endV; d.Abs() > 200*time.Millisecond {
		t.Errorf("audio ends at %v and video at %v: the sound after the mute is %v off", endA, endV, d)
	}
	if vgap > 200*time.Millisecond {
		t.Errorf("the picture stalls for %v while the microphone is muted", vgap)
	}
}

// waitUntil waits until the given time, or fails the test when ctx ends first.
func waitUntil(t *testing.T, ctx context.Context, when time.Time) {
	t.Helper()
	select {
	case <-time.After(time.Until(when)):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
}

// checkFile judges a take as checkTakeFile does, but for any picture size ("" for any).
func checkFile(t *testing.T, path string, spoke time.Duration, size string) {
	t.Helper()
	pr := mediatest.Probe(t, path)
	v, okV := pr.Stream("video")
	a, okA := pr.Stream("audio")
	if !okV || !okA || len(pr.Streams) != 2 || v.CodecName != "vp8" || a.CodecName != "opus" {
		t.Fatalf("%s: streams %+v, want one vp8 and one opus", path, pr.Streams)
	}
	if got := strconv.Itoa(v.Width) + "x" + strconv.Itoa(v.Height); size != "" && got != size {
		t.Errorf("%s: picture %s, want %s", path, got, size)
	}
	if diff := pr.Duration - spoke; diff.Abs() > spoke/10 {
		t.Errorf("%s: duration %v, want %v ± 10%%", path, pr.Duration, spoke)
	}
	if out := mediatest.DecodeErrors(t, path); out != "" {
		t.Errorf("%s: ffmpeg decoding errors:\n%s", path, out)
	}
	for kind, start := range mediatest.StartTimes(t, path) {
		if start < 0 || start > 50*time.Millisecond {
			t.Errorf("%s: %s starts at %v, want from 0 to 50 ms", path, kind, start)
		}
	}
	if !mediatest.FirstVideoBlockIsKeyframe(t, path) {
		t.Errorf("%s: first video block is not a keyframe", path)
	}
}

// largestGap returns the largest step between consecutive times, and where it begins.
func largestGap(times []time.Duration) (gap, at time.Duration) {
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d > gap {
			gap, at = d, times[i-1]
		}
	}
	return gap, at
}

// startServerRecorder is startServer with the recorder's settings given (they are LoopbackOnly there),
// and with the figures of each saved take caught from the server's log.
func startServerRecorder(t *testing.T, rc recorder.Config) (*testServer, *savedTakes) {
	t.Helper()
	mediatest.RequireTools(t)
	data := t.TempDir()
	saved := &savedTakes{}
	log := slog.New(&catchSaved{
		Handler: slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}), into: saved})
	a, err := build(Config{DataDir: data, Recorder: rc, Logger: log}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		a.Close()
		srv.Close()
	})
	s := &testServer{app: a, http: srv, data: data}
	s.iv = &storage.Interview{Title: "Fidelity", Questions: []storage.Question{{Text: "First?"}, {Text: "Second?"}}}
	if err := a.DB().CreateInterview(s.iv); err != nil {
		t.Fatal(err)
	}
	s.inv = &storage.Invitation{InterviewID: s.iv.ID}
	if err := a.DB().CreateInvitation(s.inv); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB().AcceptPrivacy(s.inv.ID); err != nil {
		t.Fatal(err)
	}
	if s.inv, err = a.DB().SaveDetails(s.inv.ID, map[string]string{"name": "Test Candidate", "email": "test@example.com"}); err != nil {
		t.Fatal(err)
	}
	return s, saved
}

// dialPeer is testServer.dial with the peer's options given.
func dialPeer(t *testing.T, ctx context.Context, s *testServer, opts testpeer.Options) *testpeer.Peer {
	t.Helper()
	p, err := testpeer.Dial(ctx, s.wsURL(s.inv.Token), opts)
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

// savedTakes holds the attributes of the server's "take saved" log records.
type savedTakes struct {
	mu    sync.Mutex
	takes []map[string]string
}

// saved returns the attributes of the last take saved.
func (s *savedTakes) saved(t *testing.T) map[string]string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.takes) == 0 {
		t.Fatal(`no "take saved" in the server's log`)
	}
	return s.takes[len(s.takes)-1]
}

// catchSaved is a log handler that also keeps the attributes of "take saved" records.
type catchSaved struct {
	slog.Handler
	into  *savedTakes
	attrs []slog.Attr
}

func (h *catchSaved) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "take saved" {
		m := map[string]string{}
		for _, a := range h.attrs {
			m[a.Key] = a.Value.String()
		}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		h.into.mu.Lock()
		h.into.takes = append(h.into.takes, m)
		h.into.mu.Unlock()
	}
	return h.Handler.Handle(ctx, r)
}

func (h *catchSaved) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &catchSaved{Handler: h.Handler.WithAttrs(attrs), into: h.into, attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h *catchSaved) WithGroup(name string) slog.Handler {
	return &catchSaved{Handler: h.Handler.WithGroup(name), into: h.into, attrs: h.attrs}
}
