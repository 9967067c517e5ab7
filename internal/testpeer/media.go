package testpeer

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/takes/takes/internal/mediatest"
)

// clipMedia is a clip read into memory.
type clipMedia struct {
	frames     []mediatest.VideoFrame
	keyframes  []int // indexes into frames, ascending
	frameDur   time.Duration
	packets    []mediatest.AudioPacket
	packetsDur time.Duration
}

// loadClip reads a clip's files.
func loadClip(c mediatest.Clip) (*clipMedia, error) {
	ivf, err := mediatest.ReadIVF(c.VideoPath)
	if err != nil {
		return nil, fmt.Errorf("testpeer: load clip: %w", err)
	}
	packets, err := mediatest.ReadOggOpus(c.AudioPath)
	if err != nil {
		return nil, fmt.Errorf("testpeer: load clip: %w", err)
	}
	m := &clipMedia{frames: ivf.Frames, frameDur: c.FrameDuration, packets: packets, packetsDur: c.PacketDuration}
	for i, f := range ivf.Frames {
		if f.Keyframe {
			m.keyframes = append(m.keyframes, i)
		}
	}
	if len(m.keyframes) == 0 || m.keyframes[0] != 0 || len(packets) == 0 || m.frameDur <= 0 || m.packetsDur <= 0 {
		return nil, errors.New("testpeer: load clip: the clip must start with a keyframe and have audio and durations")
	}
	return m, nil
}

// nextKeyframe returns the index of the first keyframe at or after frame i, looping to the clip's start.
func (m *clipMedia) nextKeyframe(i int) int {
	for _, k := range m.keyframes {
		if k >= i {
			return k
		}
	}
	return 0
}

// counters are the peer's statistics, updated atomically by its goroutines.
type counters struct {
	videoFrames, keyframes, audioPackets, plis, firs atomic.Int64
}

// Stats is a snapshot of what the peer sent and received.
type Stats struct {
	VideoFrames  int64 // video frames written to the track
	Keyframes    int64 // of which keyframes
	AudioPackets int64 // Opus packets written to the track
	PLIs         int64 // RTCP Picture Loss Indications received for the video track
	FIRs         int64 // RTCP Full Intra Requests received for the video track
}

// Stats returns the peer's counters.
func (p *Peer) Stats() Stats {
	c := &p.stats
	return Stats{
		VideoFrames: c.videoFrames.Load(), Keyframes: c.keyframes.Load(), AudioPackets: c.audioPackets.Load(),
		PLIs: c.plis.Load(), FIRs: c.firs.Load(),
	}
}

// waitConnected waits until the peer connection is up; it reports false if the peer was closed first.
func (p *Peer) waitConnected() bool {
	select {
	case <-p.connected:
		return true
	case <-p.peerStop:
		return false
	}
}

// sendVideo writes the clip's frames in a loop, one per frame duration, from the first connection until
// ClosePeer. After a keyframe request it skips ahead to the next keyframe of the clip (unless
// Options.KeepClipTime).
func (p *Peer) sendVideo() {
	defer p.wg.Done()
	if !p.waitConnected() {
		return
	}
	pace := newPacer(p.mediaStart(), p.media.frameDur)
	defer pace.stop()
	for i := 0; ; i = (i + 1) % len(p.media.frames) {
		select {
		case <-p.keyframeReq:
			if !p.keepTime {
				i = p.media.nextKeyframe(i)
			}
		default:
		}
		f := p.media.frames[i]
		// An error means the track is not bound (yet, or any more): the frame is lost, as in a browser.
		if p.video.WriteSample(media.Sample{Data: f.Data, Duration: p.media.frameDur}) == nil {
			p.countFrame(f.Keyframe)
		}
		if !p.tick(pace) {
			return
		}
	}
}

// countFrame counts one video frame sent.
func (p *Peer) countFrame(keyframe bool) {
	p.stats.videoFrames.Add(1)
	if keyframe {
		p.stats.keyframes.Add(1)
	}
}

// sendAudio writes the clip's Opus packets in a loop, one per packet duration, until ClosePeer. A pause
// asked for with MuteAudio or StallAudio starts after the next packet.
func (p *Peer) sendAudio() {
	defer p.wg.Done()
	if !p.waitConnected() {
		return
	}
	pace := newPacer(p.mediaStart(), p.media.packetsDur)
	defer pace.stop()
	for i := 0; ; i = (i + 1) % len(p.media.packets) {
		pkt := p.media.packets[i]
		var pause audioPause
		select {
		case pause = <-p.mute:
		default:
		}
		skip := int(pause.d / p.media.packetsDur)
		// The packet before a pause carries the pause in its duration, so that the next packet's RTP
		// timestamp is where the sender's clock has got to, as in a browser; unless the clock stops.
		dur := pkt.Duration
		if pause.clockRuns {
			dur += time.Duration(skip) * p.media.packetsDur
		}
		if p.audio.WriteSample(media.Sample{Data: pkt.Data, Duration: dur}) == nil {
			p.stats.audioPackets.Add(1)
		}
		for range skip + 1 {
			if !p.tick(pace) {
				return
			}
		}
		i = (i + skip) % len(p.media.packets)
	}
}

// audioPause is a pause of the audio asked for by MuteAudio or StallAudio.
type audioPause struct {
	d         time.Duration
	clockRuns bool
}

// MuteAudio pauses the audio for about d (whole packets), as a browser does when the microphone's track
// is muted or replaced by none: no packet is sent meanwhile, the sequence numbers stay contiguous, and the
// RTP timestamps after the pause jump by its length (RFC 3550: the clock runs whether or not a packet
// is sent). The clip goes on in time, so what follows the pause is what would have been heard then. A
// second call before the pause has begun replaces the first.
func (p *Peer) MuteAudio(d time.Duration) {
	p.pauseAudio(audioPause{d: d, clockRuns: true})
}

// StallAudio pauses the audio as MuteAudio does, but the RTP clock stops with the packets: after the
// pause the timestamps go on as if no time had passed, and only the sender reports (which go on being
// sent, extrapolated from the wall clock) and the arrival times show the gap. Some clients behave so
// across a mute or a replaceTrack(null).
func (p *Peer) StallAudio(d time.Duration) {
	p.pauseAudio(audioPause{d: d})
}

func (p *Peer) pauseAudio(pause audioPause) {
	for {
		select {
		case p.mute <- pause:
			return
		case <-p.mute: // replace a pause not yet begun
		}
	}
}

// pacer releases one sample every period, on the schedule start + n·period. A late sample goes at once,
// so that after a stall the samples catch up with the clock, as a browser's capture clock does; a
// time.Ticker would drop the missed ticks, and the track's RTP clock would fall behind the wall clock (and
// its sender reports), shifting it against the other track.
type pacer struct {
	next   time.Time
	period time.Duration
	timer  *time.Timer
}

// newPacer returns a pacer whose first sample is due at start.
func newPacer(start time.Time, period time.Duration) *pacer {
	return &pacer{next: start, period: period, timer: time.NewTimer(time.Until(start))}
}

func (pc *pacer) stop() { pc.timer.Stop() }

// mediaStart returns the time from which both tracks pace their samples, the same for both, as a
// browser captures camera and microphone on one clock: a track whose goroutine starts late catches up
// rather than being shifted against the other.
func (p *Peer) mediaStart() time.Time {
	p.startOnce.Do(func() { p.start0 = time.Now() })
	return p.start0
}

// tick waits for the pacer's next time; it reports false when the peer connection is closed instead.
func (p *Peer) tick(pc *pacer) bool {
	pc.next = pc.next.Add(pc.period)
	pc.timer.Reset(time.Until(pc.next))
	select {
	case <-pc.timer.C:
		return true
	case <-p.peerStop:
		return false
	}
}

// readVideoRTCP reads the video sender's RTCP (which also drives its interceptors: NACK, reports) and
// turns PLIs and FIRs into keyframe requests for sendVideo.
func (p *Peer) readVideoRTCP() {
	defer p.wg.Done()
	p.readRTCP(p.videoSender, p.keyframeRequests)
}

// readAudioRTCP reads the audio sender's RTCP, for its interceptors.
func (p *Peer) readAudioRTCP() {
	defer p.wg.Done()
	p.readRTCP(p.audioSender, func([]rtcp.Packet) {})
}

// readRTCP reads a sender's RTCP until the sender stops, and hands each compound packet to handle.
func (p *Peer) readRTCP(s *webrtc.RTPSender, handle func([]rtcp.Packet)) {
	buf := make([]byte, 1500)
	for {
		n, _, err := s.Read(buf)
		if err != nil {
			return // the sender is stopped: the peer connection is closed
		}
		if pkts, err := rtcp.Unmarshal(buf[:n]); err == nil {
			handle(pkts)
		}
	}
}

// keyframeRequests counts PLIs and FIRs and asks sendVideo for a keyframe.
func (p *Peer) keyframeRequests(pkts []rtcp.Packet) {
	for _, pkt := range pkts {
		switch pkt.(type) {
		case *rtcp.PictureLossIndication:
			p.stats.plis.Add(1)
		case *rtcp.FullIntraRequest:
			p.stats.firs.Add(1)
		default:
			continue
		}
		select {
		case p.keyframeReq <- struct{}{}:
		default: // one is pending already
		}
	}
}
