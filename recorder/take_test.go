package recorder

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/takes/takes/recorder/webm"
)

// memFile is an in-memory file for a take.
type memFile struct{ b []byte }

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(f.b) {
		f.b = append(f.b, make([]byte, end-len(f.b))...)
	}
	return copy(f.b[off:], p), nil
}

// blocksOf reads a finished take back: the timecodes of each track's blocks.
func blocksOf(t *testing.T, f *memFile) map[uint64][]int64 {
	t.Helper()
	out := map[uint64][]int64{}
	err := webm.Read(bytes.NewReader(f.b), func([]webm.Track) error { return nil }, func(b webm.Block) error {
		out[b.Track] = append(out[b.Track], b.Timecode)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runDelayed feeds frames video frames (and their audio) whose packets arrive
// delay(i) after they were sent, in order, as from a queue that drains late.
func (p *pipeline) runDelayed(s *stream, frames int, delay func(i int) time.Duration) {
	sent, last := p.now, p.now
	for i := range frames {
		sent = sent.Add(time.Second / 30)
		p.now = sent.Add(delay(i))
		if p.now.Before(last) {
			p.now = last // a queue: nothing overtakes what was sent before it
		}
		last = p.now
		for s.audioSent*3 <= s.n*5 {
			p.push(trackAudio, s.nextAudio())
		}
		for _, pkt := range s.next() {
			p.push(trackVideo, pkt)
		}
	}
}

// checkTimeline asserts that each track's blocks strictly increase in time (ffmpeg
// calls anything else "non monotonically increasing dts") and that at least
// wantVideo video frames were written.
func checkTimeline(t *testing.T, f *memFile, wantVideo int) {
	t.Helper()
	for track, tcs := range blocksOf(t, f) {
		for i := 1; i < len(tcs); i++ {
			if tcs[i] <= tcs[i-1] {
				t.Fatalf("track %d: block %d at %d ms after one at %d ms", track, i, tcs[i], tcs[i-1])
			}
		}
		if track == 1 && len(tcs) < wantVideo {
			t.Errorf("%d video frames written, want at least %d", len(tcs), wantVideo)
		}
	}
}

// TestLateStartKeepsEveryFrame: a take's first two seconds arrive in one burst,
// two seconds late (a server busy at that moment), then packets come on time. The
// frames' own clock is right; none may be dropped for arriving "early".
func TestLateStartKeepsEveryFrame(t *testing.T) {
	f := &memFile{}
	s := newStream()
	p := newPipeline(f)
	p.runDelayed(s, 300, func(i int) time.Duration {
		if i < 60 {
			return 2*time.Second - time.Duration(i)*time.Second/30
		}
		return 0
	})
	if _, err := p.take.finish(); err != nil {
		t.Fatal(err)
	}
	checkTimeline(t, f, 299)
}

// TestJitteryArrivalKeepsTimelineMonotonic delivers packets with delays that swing
// by seconds, as an overloaded server does: whatever is kept, each track's block
// times strictly increase.
func TestJitteryArrivalKeepsTimelineMonotonic(t *testing.T) {
	for seed := range uint64(20) {
		f := &memFile{}
		s := newStream()
		p := newPipeline(f)
		r := rand.New(rand.NewPCG(seed, 1))
		delay := time.Duration(0)
		p.runDelayed(s, 600, func(int) time.Duration {
			switch r.IntN(40) {
			case 0:
				delay = time.Duration(r.IntN(3000)) * time.Millisecond
			case 1:
				delay = 0
			}
			return delay + time.Duration(r.IntN(30))*time.Millisecond
		})
		if _, err := p.take.finish(); err != nil {
			t.Fatal(err)
		}
		checkTimeline(t, f, 0)
	}
}
