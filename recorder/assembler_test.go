package recorder

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// vp8Packets splits a VP8 frame into RTP packets of at most mtu payload bytes,
// each with a one-byte payload descriptor (S bit on the first).
func vp8Packets(seq uint16, ts uint32, data []byte, mtu int) []*rtp.Packet {
	var out []*rtp.Packet
	for i := 0; i < len(data); i += mtu {
		end := min(i+mtu, len(data))
		desc := byte(0)
		if i == 0 {
			desc = 0x10
		}
		out = append(out, &rtp.Packet{
			Header:  rtp.Header{SequenceNumber: seq, Timestamp: ts, Marker: end == len(data)},
			Payload: append([]byte{desc}, data[i:end]...),
		})
		seq++
	}
	return out
}

// testFrame is a VP8 frame body: the first byte's low bit says delta (1) or key (0).
func testFrame(key bool, n int, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, n)
	b[0] = fill&^1 | 1
	if key {
		b[0] = fill &^ 1
	}
	return b
}

type collected struct {
	frames []frame
}

func (c *collected) emit(f frame) {
	f.data = append([]byte(nil), f.data...)
	c.frames = append(c.frames, f)
}

func TestAssemblerReordersAndJoins(t *testing.T) {
	a := newAssembler(codecVP8, 64, 500*time.Millisecond)
	var c collected
	now := time.Now()
	var pkts []*rtp.Packet
	seq := uint16(65530) // across the sequence number wrap
	for i := range 4 {
		ps := vp8Packets(seq, uint32(i*3000), testFrame(i == 0, 2500, byte(0x20+i*2)), 1000)
		pkts = append(pkts, ps...)
		seq += uint16(len(ps))
	}
	// Deliver with neighbours swapped and one duplicate.
	order := []int{1, 0, 2, 4, 3, 5, 5, 7, 6, 8, 10, 9, 11}
	for _, i := range order {
		if a.push(pkts[i], now, c.emit) {
			t.Fatalf("packet %d: keyframe requested without loss", i)
		}
	}
	if len(c.frames) != 4 {
		t.Fatalf("got %d frames, want 4", len(c.frames))
	}
	for i, f := range c.frames {
		want := testFrame(i == 0, 2500, byte(0x20+i*2))
		if f.ts != uint32(i*3000) || f.keyframe != (i == 0) || !bytes.Equal(f.data, want) {
			t.Errorf("frame %d: ts %d key %v len %d", i, f.ts, f.keyframe, len(f.data))
		}
	}
}

func TestAssemblerLossWaitsForKeyframe(t *testing.T) {
	a := newAssembler(codecVP8, 64, 100*time.Millisecond)
	var c collected
	now := time.Now()
	seq := uint16(100)
	var frames [][]*rtp.Packet
	for i := range 6 {
		ps := vp8Packets(seq, uint32(i*3000), testFrame(i == 0 || i == 4, 1500, byte(0x40+i*2)), 1000)
		frames = append(frames, ps)
		seq += uint16(len(ps))
	}
	frames[1] = frames[1][1:] // frame 1 lost its first packet
	needKey := false
	for i, ps := range frames {
		for _, p := range ps {
			needKey = a.push(p, now.Add(time.Duration(i)*40*time.Millisecond), c.emit) || needKey
		}
	}
	if !needKey {
		t.Error("no keyframe was requested after a loss")
	}
	// Frame 0 is written; 1 is incomplete; 2 and 3 depend on it; 4 is a keyframe, 5 follows it.
	var got []uint32
	for _, f := range c.frames {
		got = append(got, f.ts/3000)
	}
	if len(got) != 3 || got[0] != 0 || got[1] != 4 || got[2] != 5 {
		t.Errorf("frames written %v, want [0 4 5]", got)
	}
	if a.stats.lost.Load() != 1 || a.stats.framesDropped.Load() < 1 {
		t.Errorf("lost %d dropped %d", a.stats.lost.Load(), a.stats.framesDropped.Load())
	}
}

func TestAssemblerSkipsPadding(t *testing.T) {
	a := newAssembler(codecVP8, 64, 100*time.Millisecond)
	var c collected
	now := time.Now()
	f0 := vp8Packets(1, 0, testFrame(true, 500, 0x10), 1000)
	pad := &rtp.Packet{Header: rtp.Header{SequenceNumber: 2, Timestamp: 0}}
	f1 := vp8Packets(3, 3000, testFrame(false, 500, 0x12), 1000)
	for _, p := range []*rtp.Packet{f0[0], pad, f1[0]} {
		if a.push(p, now, c.emit) {
			t.Fatal("padding was taken for a loss")
		}
	}
	if len(c.frames) != 2 {
		t.Fatalf("got %d frames, want 2", len(c.frames))
	}
}

func TestAssemblerSteadyStateAllocatesNothing(t *testing.T) {
	a := newAssembler(codecVP8, 512, 500*time.Millisecond)
	now := time.Now()
	seq, ts := uint16(0), uint32(0)
	body := testFrame(true, 3000, 0x30)
	var pkts []*rtp.Packet
	emit := func(frame) {}
	next := func() {
		pkts = pkts[:0]
		for _, p := range vp8Packets(seq, ts, body, 1100) {
			pkts = append(pkts, p)
		}
		seq += uint16(len(pkts))
		ts += 3000
	}
	for range 100 { // warm up the buffers
		next()
		for _, p := range pkts {
			a.push(p, now, emit)
		}
	}
	next()
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range pkts {
			p.SequenceNumber += 3 * 1000 // a fresh frame each run, same packets
		}
		for _, p := range pkts {
			a.push(p, now, emit)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame in steady state, want 0", allocs)
	}
}
