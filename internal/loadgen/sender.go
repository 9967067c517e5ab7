package loadgen

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// maxLag is how far a track may fall behind its schedule before the sender gives up the frames it missed,
// as a browser's encoder drops frames when the machine is busy: their time passes (the RTP timestamp
// jumps) but nothing is sent, and the bitstream stays whole because the clip does not skip ahead.
const maxLag = 200 * time.Millisecond

// SentFrame is one video frame a peer sent: its RTP timestamp and whether it was a keyframe.
type SentFrame struct {
	TS  uint32
	Key bool
}

// sender writes one peer's clip to its two tracks on the pacer's schedule. Only the pacer's goroutine
// calls due; the log and the counters are shared with the peer's other goroutines.
type sender struct {
	m            *media
	video, audio *webrtc.TrackLocalStaticRTP
	total        *counter // what every peer of the run sent

	pkt                  rtp.Packet // reused for every packet
	vi, ai               int        // next frame and next Opus packet of the clip
	vseq, aseq           uint16
	vts, ats             uint32
	nextVideo, nextAudio time.Time
	keyReq               atomic.Bool // a keyframe was asked for

	mu        sync.Mutex
	logging   bool
	log       []SentFrame
	audioLogd int
	// recent are the last frames sent, a ring: a take's log starts with them, since a keyframe sent
	// just before record may reach the server's recorder after it (the media path can lag the socket).
	recent [recentFrames]SentFrame
	nSent  int

	stats senderStats
}

// senderStats are what a peer sent and heard back, updated atomically.
type senderStats struct {
	videoFrames, keyframes, audioPackets, packets, bytes, skipped atomic.Int64
	plis, firs, nacked                                            atomic.Int64
	// rrLost is, per track (video, audio), the receiver's latest count of packets lost.
	rrLost [2]atomic.Int64
}

func newSender(m *media, video, audio *webrtc.TrackLocalStaticRTP, total *counter) *sender {
	return &sender{m: m, video: video, audio: audio, total: total,
		vseq: uint16(rand.Uint32()), aseq: uint16(rand.Uint32()), vts: rand.Uint32(), ats: rand.Uint32()}
}

// start sets the first due times, spread over one period so that peers do not send in step.
func (s *sender) start(now time.Time) {
	s.nextVideo = now.Add(rand.N(s.m.frameDur))
	s.nextAudio = now.Add(rand.N(audioDur))
}

// due sends every frame and Opus packet whose time has come.
func (s *sender) due(now time.Time) {
	for !s.nextVideo.After(now) {
		if now.Sub(s.nextVideo) > maxLag {
			s.vts += s.m.frameTicks
			s.stats.skipped.Add(1)
		} else {
			s.sendFrame()
		}
		s.nextVideo = s.nextVideo.Add(s.m.frameDur)
	}
	for !s.nextAudio.After(now) {
		if now.Sub(s.nextAudio) > maxLag {
			s.ats += audioTicks
		} else {
			s.sendAudio()
		}
		s.nextAudio = s.nextAudio.Add(audioDur)
	}
}

// sendFrame sends the next video frame; after a keyframe request it is the clip's next keyframe.
func (s *sender) sendFrame() {
	if s.keyReq.Swap(false) {
		s.vi = s.m.nextKeyframe(s.vi)
	}
	f := &s.m.frames[s.vi]
	ok := true
	for i, p := range f.payloads {
		ok = s.write(s.video, s.vseq, s.vts, i == len(f.payloads)-1, p) && ok
		s.vseq++
	}
	if ok {
		s.stats.videoFrames.Add(1)
		if f.key {
			s.stats.keyframes.Add(1)
		}
		sf := SentFrame{TS: s.vts, Key: f.key}
		s.mu.Lock()
		if s.logging {
			s.log = append(s.log, sf)
		}
		s.recent[s.nSent%recentFrames] = sf
		s.nSent++
		s.mu.Unlock()
	}
	s.vts += s.m.frameTicks
	s.vi = (s.vi + 1) % len(s.m.frames)
}

// sendAudio sends the next Opus packet.
func (s *sender) sendAudio() {
	if s.write(s.audio, s.aseq, s.ats, false, s.m.audio[s.ai]) {
		s.stats.audioPackets.Add(1)
		s.mu.Lock()
		if s.logging {
			s.audioLogd++
		}
		s.mu.Unlock()
	}
	s.aseq++
	s.ats += audioTicks
	s.ai = (s.ai + 1) % len(s.m.audio)
}

// write sends one RTP packet; Pion sets its SSRC and payload type.
func (s *sender) write(t *webrtc.TrackLocalStaticRTP, seq uint16, ts uint32, marker bool, payload []byte) bool {
	s.pkt.Header = rtp.Header{Version: 2, Marker: marker, SequenceNumber: seq, Timestamp: ts}
	s.pkt.Payload = payload
	if t.WriteRTP(&s.pkt) != nil {
		return false
	}
	s.stats.packets.Add(1)
	s.stats.bytes.Add(int64(len(payload)))
	s.total.packets.Add(1)
	s.total.bytes.Add(int64(len(payload)))
	return true
}

// recentFrames is how many of the last frames sent a take's log starts with: one second's worth.
const recentFrames = 30

// startLog starts recording the video frames sent, for the take about to begin, beginning with the
// last second's.
func (s *sender) startLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logging, s.log, s.audioLogd = true, make([]SentFrame, 0, 512), 0
	for i := max(s.nSent-recentFrames, 0); i < s.nSent; i++ {
		s.log = append(s.log, s.recent[i%recentFrames])
	}
}

// stopLog stops recording and returns the video frames and the number of Opus packets sent meanwhile.
func (s *sender) stopLog() ([]SentFrame, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logging = false
	return s.log, s.audioLogd
}

// readRTCP reads one RTP sender's RTCP until the sender stops: Pion's interceptors (NACK, reports) act
// on it only when it is read. Keyframe requests go to the pacer; NACKs and receiver reports are counted.
func (s *sender) readRTCP(r *webrtc.RTPSender, track int) {
	ssrc := uint32(r.GetParameters().Encodings[0].SSRC)
	for {
		pkts, _, err := r.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			s.heard(p, ssrc, &s.stats.rrLost[track])
		}
	}
}

func (s *sender) heard(p rtcp.Packet, ssrc uint32, lost *atomic.Int64) {
	switch p := p.(type) {
	case *rtcp.PictureLossIndication:
		s.stats.plis.Add(1)
		s.keyReq.Store(true)
	case *rtcp.FullIntraRequest:
		s.stats.firs.Add(1)
		s.keyReq.Store(true)
	case *rtcp.TransportLayerNack:
		for _, pair := range p.Nacks {
			s.stats.nacked.Add(int64(len(pair.PacketList())))
		}
	case *rtcp.ReceiverReport:
		for _, r := range p.Reports {
			if r.SSRC == ssrc {
				lost.Store(int64(r.TotalLost))
			}
		}
	}
}
