package recorder

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// codec is a media codec the recorder can write.
type codec int

const (
	codecVP8 codec = iota + 1
	codecVP9
	codecOpus
)

// frame is one complete, decodable unit of a track, ready to be written.
type frame struct {
	ts       uint32 // RTP timestamp
	keyframe bool
	data     []byte // valid until the next call into the assembler
}

// slot holds one received packet, depacketized.
type slot struct {
	present  bool
	filler   bool // padding only: takes a sequence number but carries no media
	seq      uint16
	ts       uint32
	start    bool // first packet of a frame
	end      bool // last packet of a frame
	keyframe bool // set on a start packet that begins a keyframe
	payload  []byte
}

// assemblerStats counts what an assembler saw; they only grow. Other goroutines read them.
type assemblerStats struct {
	packets       atomic.Uint64 // packets accepted
	late          atomic.Uint64 // packets that came after their frame was given up
	lost          atomic.Uint64 // sequence numbers never received
	recovered     atomic.Uint64 // packets that came late and filled a gap: retransmitted after a NACK, or reordered
	framesDropped atomic.Uint64 // frames given up: incomplete, or not decodable after a loss
	// gapSince is when the frame at the head began to wait for a missing packet
	// (Unix ns), or zero while nothing waits.
	gapSince atomic.Int64
}

// assembler reorders one RTP stream's packets and joins them into frames. A frame
// missing a packet is waited for up to maxLate (NACK can still repair it), then given
// up. After a video frame is given up, later frames depend on what is missing, so
// frames are dropped until the next keyframe and needKeyframe asks for one.
type assembler struct {
	codec   codec
	slots   []slot
	mask    uint16
	maxLate time.Duration

	started      bool
	emitted      bool   // a frame has been emitted or given up
	next         uint16 // first sequence number not yet emitted or skipped
	highest      uint16
	gapSince     time.Time
	waitKeyframe bool
	frame        []byte
	free         [][]byte // payload buffers for reuse, so steady state allocates nothing

	vp8 codecs.VP8Packet
	vp9 codecs.VP9Packet

	stats assemblerStats
}

// newAssembler returns an assembler with room for size packets (a power of two).
func newAssembler(c codec, size int, maxLate time.Duration) *assembler {
	return &assembler{codec: c, slots: make([]slot, size), mask: uint16(size - 1), maxLate: maxLate}
}

// push adds a packet and calls emit for every frame it completes, in order.
// It returns true when a keyframe is needed to resume decodable video.
func (a *assembler) push(p *rtp.Packet, now time.Time, emit func(frame)) (needKeyframe bool) {
	var s slot
	media, ok := a.parse(p, &s)
	if !ok {
		return false
	}
	if !a.started {
		a.started, a.next, a.highest = true, s.seq, s.seq
		a.waitKeyframe = a.codec != codecOpus
	}
	d := int16(s.seq - a.next)
	if d < 0 && !a.emitted && int(-d) < len(a.slots)/2 {
		// Before the first frame, an earlier packet moves the start back.
		a.next, d = s.seq, 0
	}
	if d < 0 {
		a.stats.late.Add(1)
		return false
	}
	if int(d) >= len(a.slots) {
		// Far ahead of what is buffered: what is missing will not come in time.
		needKeyframe = a.skipTo(s.seq - uint16(len(a.slots)/2))
	}
	if int16(s.seq-a.highest) > 0 {
		a.highest = s.seq
	}
	a.store(&s, media)
	a.stats.packets.Add(1)
	return a.drain(now, emit) || needKeyframe
}

// parse fills s from p's header and payload descriptor and returns the media bytes.
func (a *assembler) parse(p *rtp.Packet, s *slot) (media []byte, ok bool) {
	s.seq, s.ts, s.present = p.SequenceNumber, p.Timestamp, true
	if len(p.Payload) == 0 {
		s.filler = true
		return nil, true
	}
	switch a.codec {
	case codecVP8:
		if _, err := a.vp8.Unmarshal(p.Payload); err != nil {
			return nil, false
		}
		s.start = a.vp8.S == 1 && a.vp8.PID == 0
		s.end = p.Marker
		s.keyframe = s.start && len(a.vp8.Payload) > 0 && a.vp8.Payload[0]&1 == 0
		return a.vp8.Payload, true
	case codecVP9:
		if _, err := a.vp9.Unmarshal(p.Payload); err != nil {
			return nil, false
		}
		s.start = a.vp9.B && a.vp9.SID == 0
		s.end = p.Marker
		s.keyframe = s.start && !a.vp9.P
		return a.vp9.Payload, true
	}
	s.start, s.end = true, true
	return p.Payload, true
}

func (a *assembler) store(s *slot, media []byte) {
	i := s.seq & a.mask
	old := &a.slots[i]
	if old.present && old.seq == s.seq {
		return // duplicate (a retransmission that was not needed)
	}
	if old.present {
		a.release(old)
	}
	if int16(s.seq-a.highest) < 0 {
		a.stats.recovered.Add(1)
	}
	s.payload = append(a.take(), media...)
	*old = *s
}

func (a *assembler) take() []byte {
	if n := len(a.free); n > 0 {
		b := a.free[n-1]
		a.free = a.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, 1500)
}

// maxFreePayloads bounds the payload buffers kept for reuse: a burst (a loss
// waited for) needs many at once, but keeping them all afterwards costs memory on
// every connection.
const maxFreePayloads = 64

func (a *assembler) release(s *slot) {
	if s.payload != nil && len(a.free) < maxFreePayloads {
		a.free = append(a.free, s.payload)
	}
	*s = slot{}
}

// drain emits every complete frame at the head of the buffer; a gap that has lasted
// longer than maxLate is given up.
func (a *assembler) drain(now time.Time, emit func(frame)) (needKeyframe bool) {
	for {
		end, complete := a.headFrame()
		if complete {
			needKeyframe = a.emitHead(end, emit) || needKeyframe
			a.endGap()
			continue
		}
		if int16(a.highest-a.next) < 0 || a.slotAt(a.highest) == nil {
			return needKeyframe // nothing buffered past the head
		}
		if a.gapSince.IsZero() {
			a.gapSince = now
			a.stats.gapSince.Store(now.UnixNano())
		}
		if now.Sub(a.gapSince) < a.maxLate && int(uint16(a.highest-a.next)) < len(a.slots)*3/4 {
			return needKeyframe
		}
		needKeyframe = a.giveUp() || needKeyframe
		a.endGap()
	}
}

func (a *assembler) endGap() {
	if !a.gapSince.IsZero() {
		a.gapSince = time.Time{}
		a.stats.gapSince.Store(0)
	}
}

func (a *assembler) slotAt(seq uint16) *slot {
	s := &a.slots[seq&a.mask]
	if !s.present || s.seq != seq {
		return nil
	}
	return s
}

// headFrame reports whether the packets from next on form a whole frame, and its last sequence number.
func (a *assembler) headFrame() (end uint16, complete bool) {
	for {
		s := a.slotAt(a.next)
		if s == nil || !s.filler {
			break
		}
		a.release(s)
		a.next++
	}
	first := a.slotAt(a.next)
	if first == nil || !first.start {
		return 0, false
	}
	for seq := a.next; ; seq++ {
		s := a.slotAt(seq)
		if s == nil || s.ts != first.ts && !s.filler {
			return 0, false
		}
		if s.end {
			return seq, true
		}
		if uint16(seq-a.next) >= uint16(len(a.slots)) {
			return 0, false
		}
	}
}

func (a *assembler) emitHead(end uint16, emit func(frame)) (needKeyframe bool) {
	first := a.slotAt(a.next)
	key, ts := first.keyframe, first.ts
	a.frame = a.frame[:0]
	for seq := a.next; ; seq++ {
		s := a.slotAt(seq)
		a.frame = append(a.frame, s.payload...)
		a.release(s)
		if seq == end {
			break
		}
	}
	a.next = end + 1
	a.emitted = true
	if a.waitKeyframe && !key {
		a.stats.framesDropped.Add(1)
		return true
	}
	a.waitKeyframe = false
	emit(frame{ts: ts, keyframe: key, data: a.frame})
	return false
}

// giveUp drops the incomplete frame at the head and everything up to the next frame start.
func (a *assembler) giveUp() (needKeyframe bool) {
	seq := a.next + 1
	for ; int16(a.highest-seq) >= 0; seq++ {
		if s := a.slotAt(seq); s != nil && s.start {
			break
		}
	}
	return a.skipTo(seq)
}

// skipTo discards everything before seq, counting what was lost.
func (a *assembler) skipTo(seq uint16) (needKeyframe bool) {
	a.emitted = true
	dropped := false
	for ; a.next != seq; a.next++ {
		if s := a.slotAt(a.next); s != nil {
			dropped = dropped || !s.filler
			a.release(s)
		} else {
			a.stats.lost.Add(1)
			dropped = true
		}
	}
	if !dropped || a.codec == codecOpus {
		return false
	}
	a.stats.framesDropped.Add(1)
	a.waitKeyframe = true
	return true
}
