package recorder

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// TakeEvents hears what happens to a take while it is recorded. Calls come from
// media goroutines with the session locked: they must return at once and must not
// call back into the session.
type TakeEvents interface {
	// TakeStarted is called once the first video keyframe is in the file.
	TakeStarted()
	// TakeFailed is called once if the file cannot be written; the take is over and
	// StopTake returns the error.
	TakeFailed(err error)
	// TakeLimitReached is called once when the take reaches its time limit; later
	// media is not written, and the owner should stop the take.
	TakeLimitReached()
}

// SessionOptions are the callbacks of a session. They must not block.
type SessionOptions struct {
	// OnICECandidate receives each local ICE candidate to trickle to the browser.
	OnICECandidate func(webrtc.ICECandidateInit)
	// OnStateChange receives the peer connection's state.
	OnStateChange func(webrtc.PeerConnectionState)
	// OnMediaReady is called once, when both camera and microphone media have arrived
	// and a take can start.
	OnMediaReady func()
	Logger       *slog.Logger
}

// Session is one candidate's peer connection and the take being recorded from it.
type Session struct {
	eng *Engine
	pc  *webrtc.PeerConnection
	log *slog.Logger
	wg  sync.WaitGroup // one reader goroutine per track and per receiver's RTCP

	mu      sync.Mutex
	video   *remoteTrack
	audio   *remoteTrack
	take    *takeWriter
	lastPLI time.Time
	lastKey time.Time // arrival of the last video keyframe
	closed  bool
	ready   bool // OnMediaReady was called
	onReady func()
}

// remoteTrack is one incoming track. Its assembler belongs to its reader goroutine.
type remoteTrack struct {
	kind  int // trackVideo or trackAudio
	codec codec
	ssrc  uint32
	clock trackClock
	asm   *assembler
}

// NewSession creates a peer connection that will receive the browser's offer.
func (e *Engine) NewSession(opts SessionOptions) (*Session, error) {
	pc, err := e.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("recorder: new peer connection: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = e.log
	}
	s := &Session{eng: e, pc: pc, log: log, onReady: opts.OnMediaReady}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil && opts.OnICECandidate != nil {
			opts.OnICECandidate(c.ToJSON())
		}
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if opts.OnStateChange != nil {
			opts.OnStateChange(st)
		}
	})
	pc.OnTrack(s.onTrack)
	return s, nil
}

// HandleOffer applies the browser's offer and returns the answer.
func (s *Session) HandleOffer(sdp string) (string, error) {
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}
	if err := s.pc.SetRemoteDescription(offer); err != nil {
		return "", fmt.Errorf("recorder: offer: %w", err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("recorder: answer: %w", err)
	}
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("recorder: answer: %w", err)
	}
	return s.pc.LocalDescription().SDP, nil
}

// AddICECandidate adds a candidate trickled by the browser.
func (s *Session) AddICECandidate(c webrtc.ICECandidateInit) error {
	if c.Candidate == "" {
		return nil // end of candidates
	}
	if err := s.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("recorder: candidate: %w", err)
	}
	return nil
}

func (s *Session) onTrack(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	rt := &remoteTrack{ssrc: uint32(t.SSRC())}
	switch strings.ToLower(t.Codec().MimeType) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		rt.kind, rt.codec = trackVideo, codecVP8
	case strings.ToLower(webrtc.MimeTypeVP9):
		rt.kind, rt.codec = trackVideo, codecVP9
	case strings.ToLower(webrtc.MimeTypeOpus):
		rt.kind, rt.codec = trackAudio, codecOpus
	default:
		s.log.Warn("ignoring track with unsupported codec", slog.String("codec", t.Codec().MimeType))
		return
	}
	if rt.kind == trackVideo {
		rt.clock.rate = 90000
		rt.asm = newAssembler(rt.codec, 512, s.eng.cfg.MaxLate)
	} else {
		rt.clock.rate = 48000
		rt.asm = newAssembler(rt.codec, 64, 100*time.Millisecond)
	}
	s.mu.Lock()
	if s.closed || (rt.kind == trackVideo && s.video != nil) || (rt.kind == trackAudio && s.audio != nil) {
		s.mu.Unlock()
		return
	}
	if rt.kind == trackVideo {
		s.video = rt
	} else {
		s.audio = rt
	}
	s.wg.Add(2)
	s.mu.Unlock()
	go s.readRTP(t, rt)
	go s.readRTCP(r, rt)
}

// readRTP is the track's one reader: it reorders, assembles and hands frames to the take.
func (s *Session) readRTP(t *webrtc.TrackRemote, rt *remoteTrack) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	emit := func(f frame) { s.onFrame(rt, f) }
	first := true
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.log.Debug("track read ended", slog.Any("err", err))
			}
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		now := time.Now()
		rt.clock.packet(pkt.Timestamp, now)
		if first {
			first = false
			s.checkReady()
		}
		if rt.asm.push(&pkt, now, emit) {
			s.requestKeyframe(now, false)
		}
	}
}

// checkReady calls OnMediaReady once both tracks have delivered a packet.
func (s *Session) checkReady() {
	s.mu.Lock()
	fire := !s.ready && s.video != nil && s.audio != nil && s.video.clock.started() && s.audio.clock.started()
	s.ready = s.ready || fire
	s.mu.Unlock()
	if fire && s.onReady != nil {
		s.onReady()
	}
}

// readRTCP reads the receiver's RTCP, which also drives the interceptors, and
// keeps the track's latest sender report.
func (s *Session) readRTCP(r *webrtc.RTPReceiver, rt *remoteTrack) {
	defer s.wg.Done()
	for {
		pkts, _, err := r.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok && sr.SSRC == rt.ssrc {
				rt.clock.senderReport(sr.NTPTime, sr.RTPTime)
			}
		}
	}
}

func (s *Session) onFrame(rt *remoteTrack, f frame) {
	now := time.Now()
	rtpTime := rt.clock.nearest(f.ts)
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt.kind == trackVideo && f.keyframe {
		s.lastKey = now
	}
	w := s.take
	if w == nil {
		return
	}
	w.push(rt.kind, rtpTime, f.keyframe, f.data, now)
	if rt.kind != trackVideo {
		return
	}
	// Until the take has its first keyframe, ask again every second; then every
	// KeyframeInterval, so the file has a seek point that often.
	if !w.started() && now.Sub(s.lastPLI) > time.Second ||
		w.started() && now.Sub(s.lastKey) >= s.eng.cfg.KeyframeInterval && now.Sub(s.lastPLI) >= s.eng.cfg.KeyframeInterval {
		s.sendPLILocked(now)
	}
}

// requestKeyframe asks the browser for a keyframe, at most every 500 ms unless forced.
func (s *Session) requestKeyframe(now time.Time, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if force || now.Sub(s.lastPLI) >= 500*time.Millisecond {
		s.sendPLILocked(now)
	}
}

func (s *Session) sendPLILocked(now time.Time) {
	if s.video == nil || s.closed {
		return
	}
	s.lastPLI = now
	if s.take != nil {
		s.take.stats.KeyframeRequests++
	}
	err := s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: s.video.ssrc}})
	if err != nil {
		s.log.Debug("keyframe request failed", slog.Any("err", err))
	}
}

// StartTake begins a take into file. The file is opened at the first video keyframe,
// which is requested at once; ev hears when that happens. A take longer than limit
// (when not zero) is cut there.
func (s *Session) StartTake(file io.WriterAt, ev TakeEvents, limit time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.take != nil:
		return ErrRecording
	case s.video == nil || s.audio == nil:
		return ErrNoMedia
	}
	vm, am, ok := freezeMappings(&s.video.clock, &s.audio.clock)
	if !ok {
		return ErrNoMedia
	}
	now := time.Now()
	s.take = &takeWriter{
		file: file, events: ev, videoCodec: s.video.codec, hasAudio: true,
		maps: [2]mapping{vm, am}, armedAt: now, limit: int64(limit),
	}
	if f, ok := file.(syncable); ok {
		s.take.sync, s.take.syncFile = s.eng.syncer, f
	}
	s.take.base = s.lossCounts()
	s.sendPLILocked(now)
	return nil
}

// Recording reports whether a take is in progress.
func (s *Session) Recording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.take != nil
}

// StopTake ends the take in progress and finishes its file's structure. The caller
// then commits or discards the file.
func (s *Session) StopTake() (Result, error) {
	stopAt := time.Now()
	s.mu.Lock()
	if s.take != nil {
		s.take.stopAt = stopAt.UnixNano()
	}
	s.mu.Unlock()
	s.awaitRepair(stopAt)
	s.mu.Lock()
	w := s.take
	s.take = nil
	var end lossCounts
	if w != nil {
		end = s.lossCounts()
	}
	s.mu.Unlock()
	if w == nil {
		return Result{}, ErrNotRecording
	}
	res, err := w.finish()
	res.Stats.PacketsLost = end.lost - w.base.lost
	res.Stats.PacketsRecovered = end.recovered - w.base.recovered
	res.Stats.FramesDropped = end.dropped - w.base.dropped
	return res, err
}

// awaitRepair gives a video packet lost just before Stop its chance to be
// retransmitted: while a frame waits for a missing packet, the frames sent behind
// it (before Stop) are held, and would otherwise end with the take unwritten and
// uncounted. It waits only for a frame that began waiting before Stop, at most
// MaxLate after Stop (and a little more, for the next packet to make the
// assembler give up and count what it drops), and not at all on a dead connection.
func (s *Session) awaitRepair(stopAt time.Time) {
	s.mu.Lock()
	v, closed := s.video, s.closed
	s.mu.Unlock()
	if v == nil || closed || s.Broken() {
		return
	}
	const poll, margin = 10 * time.Millisecond, 50 * time.Millisecond
	deadline := stopAt.Add(s.eng.cfg.MaxLate + margin)
	for {
		since := v.asm.stats.gapSince.Load()
		if since == 0 || since > stopAt.UnixNano() || time.Now().After(deadline) {
			return
		}
		time.Sleep(poll)
	}
}

// lossCounts are a session's loss counters at one moment; a take reports the
// difference between its end and its start.
type lossCounts struct {
	lost, recovered, dropped uint64
}

// lossCounts sums the tracks' lost and recovered packets and dropped video frames so far.
func (s *Session) lossCounts() lossCounts {
	v, a := &s.video.asm.stats, &s.audio.asm.stats
	return lossCounts{
		lost:      v.lost.Load() + a.lost.Load(),
		recovered: v.recovered.Load() + a.recovered.Load(),
		dropped:   v.framesDropped.Load(),
	}
}

// Close closes the peer connection and waits for its readers. A take still in
// progress is left for the caller to stop.
func (s *Session) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	err := s.pc.Close()
	s.wg.Wait()
	return err
}

// Ready reports whether both camera and microphone tracks have arrived.
func (s *Session) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.video != nil && s.audio != nil && !s.closed
}

// Broken reports whether the peer connection has failed or closed, so that a new
// session is needed.
func (s *Session) Broken() bool {
	st := s.pc.ConnectionState()
	return st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed
}
