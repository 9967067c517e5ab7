// Package loadgen plays many candidates at once against a Takes server, to measure what recording costs
// it. Each peer speaks the real signaling protocol over a WebSocket and sends a real VP8 (or VP9) and Opus
// clip over a Pion peer connection, paced as a browser sends it (30 fps video at a constant bit rate,
// 20 ms Opus packets, a keyframe only when asked), and records takes in a cycle: record → stop, sometimes
// retake → stop, sometimes remove-take. Every peer logs the video frames it sent during each take, so
// that they can be compared with the frames in the saved file.
//
// Peers are started at a bounded rate (the ramp); once all are connected the run holds for a bounded
// time, then each peer finishes the take it is recording and leaves. Only loopback servers are accepted.
package loadgen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// Bounds of a run.
const (
	MaxPeers = 1000
	MaxHold  = time.Hour
)

// Config is one run of the generator.
type Config struct {
	// URL is the server's base URL, such as http://127.0.0.1:8080. Its host must be a loopback address.
	URL string
	// Tokens are invitation tokens, one per peer; there must be at least N. An invitation still at the
	// privacy or details stage is taken through them.
	Tokens []string
	// N is the number of peers, at most MaxPeers.
	N int
	// TakeDuration is the length of each take; 10 s when zero.
	TakeDuration time.Duration
	// Gap is the pause between takes, as a candidate reads the next question; 1 s when zero.
	Gap time.Duration
	// Hold is how long the run goes on once every peer is connected; 60 s when zero, at most MaxHold.
	// The takes in progress then run to their length.
	Hold time.Duration
	// Ramp is how many peers are started per second; 10 when zero.
	Ramp float64
	// Clip is the media every peer sends (see MakeClip); its codec is the one offered.
	Clip Clip
	// Pacing chooses how the media is paced; PacingShared when empty.
	Pacing Pacing
	// RetakeEvery makes every k-th take be retaken, and RemoveEvery every k-th be removed after; 3 and 5
	// when zero, never when negative.
	RetakeEvery, RemoveEvery int
	// OnPhase, when set, is called as the run enters each phase, from the run's goroutine.
	OnPhase func(Phase)
}

// Phase is a stage of a run.
type Phase string

// The phases of a run, in order. Peers start recording as soon as they are connected, during the ramp.
const (
	PhaseSteady Phase = "steady" // every peer is connected (or failed to); the hold begins
	PhaseDrain  Phase = "drain"  // the hold is over: peers finish their takes and leave
	PhaseDone   Phase = "done"   // every peer has left
)

func (c Config) check() (Config, error) {
	c.TakeDuration = cmp.Or(c.TakeDuration, 10*time.Second)
	c.Gap = cmp.Or(c.Gap, time.Second)
	c.Hold = cmp.Or(c.Hold, 60*time.Second)
	c.Ramp = cmp.Or(c.Ramp, 10)
	c.RetakeEvery = cmp.Or(c.RetakeEvery, 3)
	c.RemoveEvery = cmp.Or(c.RemoveEvery, 5)
	switch {
	case c.N < 1 || c.N > MaxPeers:
		return c, fmt.Errorf("loadgen: %d peers (want 1 to %d)", c.N, MaxPeers)
	case len(c.Tokens) < c.N:
		return c, fmt.Errorf("loadgen: %d tokens for %d peers", len(c.Tokens), c.N)
	case c.Hold < 0 || c.Hold > MaxHold:
		return c, fmt.Errorf("loadgen: hold %v (want at most %v)", c.Hold, MaxHold)
	case c.TakeDuration < 0 || c.TakeDuration > 30*time.Minute || c.Gap < 0 || c.Ramp < 0:
		return c, errors.New("loadgen: take duration, gap and ramp must be positive and bounded")
	}
	return c, nil
}

// wsBase turns the server's URL into the base of its candidate WebSocket URLs, refusing any host that
// is not a loopback address.
func wsBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("loadgen: server URL: %w", err)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("loadgen: server %q is not on loopback", host)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("loadgen: server URL %q: want http or https", raw)
	}
	return strings.TrimSuffix(u.String(), "/") + "/ws/", nil
}

// Report is what a run did.
type Report struct {
	N                         int
	Start, Steady, Drain, End time.Time
	// Steady and Drain count the RTP packets and payload bytes all peers had sent when the hold began
	// and when it ended.
	SteadyCount, DrainCount Count
	Peers                   []PeerReport
}

// PeerReport is what one peer did and heard.
type PeerReport struct {
	Index     int          `json:"index"`
	Token     string       `json:"-"`
	ConnectMs float64      `json:"connectMs"` // from dialing to the server's `media`
	Err       string       `json:"err,omitempty"`
	Errors    []string     `json:"errors,omitempty"` // refusals of remove-take
	Takes     []TakeReport `json:"takes"`
	// What the peer sent, over the whole run.
	VideoFrames, Keyframes, AudioPackets, Packets, Bytes int64
	// Skipped counts video frames not sent because the pacer fell more than 200 ms behind.
	Skipped int64
	// PLIs and FIRs are keyframe requests heard; NACKed counts packets the server asked to resend;
	// LostReported is the packets the server's last receiver reports count as lost (before
	// retransmission), video and audio.
	PLIs, FIRs, NACKed, LostReported int64
}

// runner is one run's shared parts.
type runner struct {
	cfg        Config
	wsURL      string
	api        *webrtc.API
	videoCodec webrtc.RTPCodecCapability
	media      *media
	pacer      pacer
	sent       counter // by all peers
}

// Count is what all peers had sent at a moment.
type Count struct {
	Packets, Bytes int64
}

type counter struct {
	packets, bytes atomic.Int64
}

func (c *counter) load() Count { return Count{c.packets.Load(), c.bytes.Load()} }

// Run runs the generator: it starts cfg.N peers at cfg.Ramp a second, holds for cfg.Hold once all
// are connected, then stops them and reports. Cancelling ctx ends the run early; the report then
// holds what was done.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg}
	if r.wsURL, err = wsBase(cfg.URL); err != nil {
		return nil, err
	}
	if r.media, err = loadMedia(cfg.Clip); err != nil {
		return nil, err
	}
	r.videoCodec = videoCodecs[r.media.codec]
	if r.api, err = newAPI(r.videoCodec); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if r.pacer, err = newPacer(cfg.Pacing); err != nil {
		return nil, err
	}
	defer r.pacer.stop()
	return r.run(ctx), nil
}

func (r *runner) run(ctx context.Context) *Report {
	rep := &Report{N: r.cfg.N, Start: time.Now(), Peers: make([]PeerReport, r.cfg.N)}
	hold, endHold := context.WithCancel(ctx)
	defer endHold()
	connected := make(chan struct{}, r.cfg.N)
	var wg sync.WaitGroup
	started := r.ramp(ctx, func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.Peers[i] = r.runPeer(ctx, hold, i, connected)
		}()
	})
	for range started {
		select {
		case <-connected:
		case <-ctx.Done():
		}
	}
	rep.Steady, rep.SteadyCount = time.Now(), r.sent.load()
	r.phase(PhaseSteady)
	select {
	case <-time.After(r.cfg.Hold):
	case <-ctx.Done():
	}
	endHold()
	rep.Drain, rep.DrainCount = time.Now(), r.sent.load()
	r.phase(PhaseDrain)
	wg.Wait()
	rep.Peers = rep.Peers[:started]
	rep.End = time.Now()
	r.phase(PhaseDone)
	return rep
}

// ramp calls start for each peer, cfg.Ramp a second, and returns how many it started.
func (r *runner) ramp(ctx context.Context, start func(i int)) int {
	interval := time.Duration(float64(time.Second) / r.cfg.Ramp)
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range r.cfg.N {
		if i > 0 {
			select {
			case <-t.C:
			case <-ctx.Done():
				return i
			}
		}
		start(i)
	}
	return r.cfg.N
}

func (r *runner) phase(p Phase) {
	if r.cfg.OnPhase != nil {
		r.cfg.OnPhase(p)
	}
}

// runPeer is one peer's whole life. It signals on connected once it is connected or has failed to.
func (r *runner) runPeer(ctx, hold context.Context, i int, connected chan<- struct{}) PeerReport {
	p := &peer{
		run: r, index: i, token: r.cfg.Tokens[i],
		out: make(chan []byte), events: make(chan event, 64), answered: make(chan error, 1),
		done: make(chan struct{}), hasTake: make(map[string]bool),
	}
	p.report.Index, p.report.Token = i, p.token
	start := time.Now()
	err := p.connect(ctx)
	connected <- struct{}{}
	if err == nil {
		p.report.ConnectMs = msSince(start)
		err = p.cycle(ctx, hold)
	}
	if err != nil {
		p.report.Err = err.Error()
	}
	p.close()
	if p.snd != nil {
		p.snd.stats.fill(&p.report)
	}
	return p.report
}

func (s *senderStats) fill(r *PeerReport) {
	r.VideoFrames, r.Keyframes, r.AudioPackets = s.videoFrames.Load(), s.keyframes.Load(), s.audioPackets.Load()
	r.Packets, r.Bytes, r.Skipped = s.packets.Load(), s.bytes.Load(), s.skipped.Load()
	r.PLIs, r.FIRs, r.NACKed = s.plis.Load(), s.firs.Load(), s.nacked.Load()
	r.LostReported = s.rrLost[0].Load() + s.rrLost[1].Load()
}

// Summary is a report's totals.
type Summary struct {
	Peers, Connected, Failed   int
	Takes, TakeErrors          int
	VideoFrames, Skipped       int64
	AudioPackets, Packets      int64
	MbpsPerPeer                float64 // mean sending rate of a connected peer, from start to end
	NACKed, LostReported       int64
	PLIs                       int64
	RecordingP50, RecordingP99 float64  // ms from record to `recording`
	StopSavedP50, StopSavedP99 float64  // ms from stop to `saved`
	Errors                     []string // the first few errors, for the reader
}

// Summary adds up the report.
func (r *Report) Summary() Summary {
	var s Summary
	var rec, saved []float64
	var bytes int64
	s.Peers = len(r.Peers)
	for _, p := range r.Peers {
		if p.ConnectMs > 0 {
			s.Connected++
		}
		if p.Err != "" {
			s.Failed++
			s.note(fmt.Sprintf("peer %d: %s", p.Index, p.Err))
		}
		for _, e := range p.Errors {
			s.note(fmt.Sprintf("peer %d: %s", p.Index, e))
		}
		s.VideoFrames += p.VideoFrames
		s.Skipped += p.Skipped
		s.AudioPackets += p.AudioPackets
		s.Packets += p.Packets
		s.NACKed += p.NACKed
		s.LostReported += p.LostReported
		s.PLIs += p.PLIs
		bytes += p.Bytes
		for _, t := range p.Takes {
			s.Takes++
			if t.Err != "" {
				s.TakeErrors++
				s.note(fmt.Sprintf("peer %d take of %s: %s", p.Index, t.Question, t.Err))
				continue
			}
			rec = append(rec, t.RecordingMs)
			if t.Reason == "stop" {
				saved = append(saved, t.StopSavedMs)
			}
		}
	}
	if secs := r.End.Sub(r.Start).Seconds(); s.Connected > 0 && secs > 0 {
		s.MbpsPerPeer = float64(bytes*8) / secs / 1e6 / float64(s.Connected)
	}
	s.RecordingP50, s.RecordingP99 = Percentile(rec, 50), Percentile(rec, 99)
	s.StopSavedP50, s.StopSavedP99 = Percentile(saved, 50), Percentile(saved, 99)
	return s
}

func (s *Summary) note(e string) {
	if len(s.Errors) < 10 {
		s.Errors = append(s.Errors, e)
	}
}

// Percentile returns the p-th percentile of xs (nearest rank), or 0 for none.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	i := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}
