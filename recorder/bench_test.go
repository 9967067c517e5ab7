package recorder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// nopEvents ignores a take's events.
type nopEvents struct{}

func (nopEvents) TakeStarted()      {}
func (nopEvents) TakeFailed(error)  {}
func (nopEvents) TakeLimitReached() {}

// discardFile is a file that keeps nothing.
type discardFile struct{}

func (discardFile) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

// stream makes the packets of a synthetic 1.5 Mbit/s, 30 fps VP8 stream with 20 ms
// Opus beside it, starting near the RTP timestamp and sequence number wrap.
type stream struct {
	vseq, aseq uint16
	vts, ats   uint32
	n          int // video frames made
	audioSent  int
	frame      []byte
	pkts       []*rtp.Packet
	audio      rtp.Packet
}

func newStream() *stream {
	s := &stream{vseq: 65000, aseq: 65500, vts: 0xFFFF0000, ats: 0xFFFFF000}
	s.frame = make([]byte, 1500*1000/8/30) // 6250 bytes a frame: 1.5 Mbit/s
	s.audio.Payload = make([]byte, 80)
	return s
}

// next returns the video packets of the next frame, a keyframe every 90 frames.
// The packets are made once and renumbered, so the generator allocates nothing.
func (s *stream) next() []*rtp.Packet {
	if s.pkts == nil {
		s.pkts = vp8Packets(0, 0, s.frame, 1100)
	}
	key := byte(1)
	if s.n%90 == 0 {
		key = 0
	}
	for _, p := range s.pkts {
		p.SequenceNumber, p.Timestamp = s.vseq, s.vts
		s.vseq++
	}
	s.pkts[0].Payload[1] = key // the first byte of the VP8 frame, after the descriptor
	s.vts += 3000
	s.n++
	return s.pkts
}

// nextAudio returns the next Opus packet; there are 5 for every 3 video frames.
func (s *stream) nextAudio() *rtp.Packet {
	s.audio.SequenceNumber, s.audio.Timestamp, s.audio.Marker = s.aseq, s.ats, false
	s.aseq++
	s.ats += 960
	s.audioSent++
	return &s.audio
}

// pipeline is a session's media path without the network: clocks, assemblers, a take.
type pipeline struct {
	vclock, aclock trackClock
	vasm, aasm     *assembler
	take           *takeWriter
	now            time.Time
}

func newPipeline(file interface {
	WriteAt([]byte, int64) (int, error)
}) *pipeline {
	p := &pipeline{
		vclock: trackClock{rate: 90000}, aclock: trackClock{rate: 48000},
		vasm: newAssembler(codecVP8, 512, 500*time.Millisecond), aasm: newAssembler(codecOpus, 64, 100*time.Millisecond),
		now: time.Unix(1e9, 0),
	}
	p.take = &takeWriter{file: file, events: nopEvents{}, videoCodec: codecVP8, hasAudio: true, armedAt: p.now}
	return p
}

func (p *pipeline) push(kind int, pkt *rtp.Packet) {
	clock, asm := &p.vclock, p.vasm
	if kind == trackAudio {
		clock, asm = &p.aclock, p.aasm
	}
	clock.packet(pkt.Timestamp, p.now)
	asm.push(pkt, p.now, func(f frame) {
		if p.take.maps[0].rate == 0 {
			vm, am, _ := freezeMappings(&p.vclock, &p.aclock)
			p.take.maps = [2]mapping{vm, am}
		}
		if p.take.maps[0].rate != 0 {
			p.take.push(kind, clock.nearest(f.ts), f.keyframe, f.data, p.now)
		}
	})
}

// run feeds frames video frames (and their audio) through the pipeline.
func (p *pipeline) run(s *stream, frames int) {
	for range frames {
		p.now = p.now.Add(time.Second / 30)
		for s.audioSent*3 <= s.n*5 { // 20 ms of audio for every 33.3 ms of video
			p.push(trackAudio, s.nextAudio())
		}
		for _, pkt := range s.next() {
			p.push(trackVideo, pkt)
		}
	}
}

// BenchmarkPacketPath measures the per-packet cost of the recording path once warm:
// reorder, assemble, interleave and write. Reported per video frame of ~6 packets
// (plus its share of Opus packets).
func BenchmarkPacketPath(b *testing.B) {
	s := newStream()
	p := newPipeline(discardFile{})
	p.run(s, 300) // warm up: buffers grown, take open
	if !p.take.started() {
		b.Fatal("take did not start")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.run(s, 1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/7.67, "ns/packet")
}

// TestPacketPathAllocatesNothing asserts what BenchmarkPacketPath measures: no
// allocation per packet in steady state (cue points, one per keyframe, aside).
func TestPacketPathAllocatesNothing(t *testing.T) {
	s := newStream()
	p := newPipeline(discardFile{})
	p.run(s, 300)
	allocs := testing.AllocsPerRun(89, func() { p.run(s, 1) }) // 89 frames: at most one keyframe
	if allocs > 0.05 {
		t.Errorf("%.2f allocations per frame on the write path, want 0", allocs)
	}
}

// BenchmarkLongTake writes a 30-minute take as fast as it can, across RTP
// timestamp and sequence number wraps and thousands of clusters, and checks the
// file's duration. Run with -bench LongTake -benchtime 1x.
func BenchmarkLongTake(b *testing.B) {
	for range b.N {
		path := filepath.Join(b.TempDir(), "long.webm")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		s := newStream()
		p := newPipeline(f)
		const frames = 30 * 60 * 30
		p.run(s, frames)
		res, err := p.take.finish()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		want := time.Duration(frames-1) * time.Second / 30
		if d := res.Duration - want; d < -100*time.Millisecond || d > 100*time.Millisecond {
			b.Fatalf("duration %v, want %v", res.Duration, want)
		}
		b.ReportMetric(float64(res.Bytes)/(1<<20), "MiB")
	}
}

// TestGapDoesNotLengthenTake stops the media for ten seconds mid-take, as a network
// outage does: the take's duration ends with its last frame, not a gap later.
func TestGapDoesNotLengthenTake(t *testing.T) {
	s := newStream()
	p := newPipeline(discardFile{})
	p.run(s, 60)
	s.vts += 10 * 90000 // ten seconds without media
	s.ats += 10 * 48000
	p.now = p.now.Add(10 * time.Second)
	p.run(s, 60)
	res, err := p.take.finish()
	if err != nil {
		t.Fatal(err)
	}
	want := 10*time.Second + 119*time.Second/30 + time.Second/30
	if d := res.Duration - want; d < -50*time.Millisecond || d > 50*time.Millisecond {
		t.Errorf("duration %v, want %v", res.Duration, want)
	}
}
