package testpeer

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"
)

// Payload types the peer offers, as a browser commonly does.
const (
	videoPayloadType = 96
	audioPayloadType = 111
)

// videoCodecs maps Options.Codec to the codec the peer offers.
var videoCodecs = map[string]webrtc.RTPCodecCapability{
	"vp8": {MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
	"vp9": {MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"},
}

// opusCodec is the audio codec the peer offers.
var opusCodec = webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
}

// newAPI builds a Pion API that offers only the given video codec and Opus, with the default interceptors
// (NACK, RTCP reports, TWCC) and ICE restricted to loopback, or to the network n when it is not nil.
func newAPI(video webrtc.RTPCodecCapability, n transport.Net) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	video.RTCPFeedback = []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"},
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: video, PayloadType: videoPayloadType},
		webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("testpeer: register video codec: %w", err)
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opusCodec, PayloadType: audioPayloadType},
		webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("testpeer: register audio codec: %w", err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, fmt.Errorf("testpeer: register interceptors: %w", err)
	}
	se := LoopbackSettings()
	if n != nil {
		se = NetSettings(n)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(se)), nil
}

// NetSettings returns a Pion SettingEngine that uses the network n (a virtual one, in tests) and
// gathers its non-loopback IPv4 UDP candidates, without mDNS.
func NetSettings(n transport.Net) webrtc.SettingEngine {
	var s webrtc.SettingEngine
	s.SetNet(n)
	s.SetIPFilter(func(ip net.IP) bool { return !ip.IsLoopback() })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return s
}

// LoopbackSettings returns a Pion SettingEngine that gathers and accepts only IPv4 loopback UDP
// candidates, without mDNS: what the peer uses, and what a fake answering peer in a test can use too.
func LoopbackSettings() webrtc.SettingEngine {
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	s.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return s
}

// startWebRTC creates the peer connection and its two send-only tracks, and hooks up its callbacks.
func (p *Peer) startWebRTC(codec string, n transport.Net) error {
	api, err := newAPI(videoCodecs[codec], n)
	if err != nil {
		return err
	}
	if p.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return fmt.Errorf("testpeer: new peer connection: %w", err)
	}
	p.pc.OnICECandidate(p.localCandidate)
	p.pc.OnConnectionStateChange(p.connectionState)
	if p.videoSender, p.video, err = p.addTrack(videoCodecs[codec], "video"); err != nil {
		return err
	}
	p.audioSender, p.audio, err = p.addTrack(opusCodec, "audio")
	return err
}

// addTrack adds one send-only sample track.
func (p *Peer) addTrack(c webrtc.RTPCodecCapability, id string) (*webrtc.RTPSender, *webrtc.TrackLocalStaticSample, error) {
	track, err := webrtc.NewTrackLocalStaticSample(c, id, "testpeer")
	if err != nil {
		return nil, nil, fmt.Errorf("testpeer: new %s track: %w", id, err)
	}
	tr, err := p.pc.AddTransceiverFromTrack(track,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, nil, fmt.Errorf("testpeer: add %s track: %w", id, err)
	}
	return tr.Sender(), track, nil
}

// connectionState follows the peer connection's state for ConnectedMedia.
func (p *Peer) connectionState(s webrtc.PeerConnectionState) {
	if s == webrtc.PeerConnectionStateConnected {
		p.connectedOnce.Do(func() { close(p.connected) })
	}
}

// ConnectedMedia waits until the peer connection is connected (ICE and DTLS), and so media flows.
func (p *Peer) ConnectedMedia(ctx context.Context) error {
	select {
	case <-p.connected:
		return nil
	case <-p.peerStop:
		return ErrPeerClosed
	case <-ctx.Done():
		return fmt.Errorf("testpeer: waiting for media, connection %s: %w",
			p.pc.ConnectionState(), context.Cause(ctx))
	}
}

// RestartICE sends a new offer with new ICE credentials and waits for its answer, as a browser does after
// a network change.
func (p *Peer) RestartICE(ctx context.Context) error {
	return p.negotiate(ctx, &webrtc.OfferOptions{ICERestart: true})
}

// sdpMessage is an offer.
type sdpMessage struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// negotiate sends an offer and waits until the server's answer is applied.
func (p *Peer) negotiate(ctx context.Context, opts *webrtc.OfferOptions) error {
	offer, err := p.pc.CreateOffer(opts)
	if err != nil {
		return fmt.Errorf("testpeer: create offer: %w", err)
	}
	select {
	case <-p.answers: // an answer no one waited for: not this offer's
	default:
	}
	p.locals.hold()
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("testpeer: set offer: %w", err)
	}
	if err := p.Send(sdpMessage{Type: "offer", SDP: offer.SDP}); err != nil {
		return err
	}
	for _, c := range p.locals.release() {
		_ = p.sendCandidate(c)
	}
	select {
	case err := <-p.answers:
		return err
	case <-p.sigStop:
		return fmt.Errorf("testpeer: waiting for the answer: %w", ErrSignalingClosed)
	case <-ctx.Done():
		return fmt.Errorf("testpeer: waiting for the answer: %w", context.Cause(ctx))
	}
}

// applyAnswer sets the server's answer, then the candidates that came before it. It runs on the reader
// goroutine, which alone touches p.remotes.
func (p *Peer) applyAnswer(sdp string) error {
	err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
	if err != nil {
		return fmt.Errorf("testpeer: set answer: %w", err)
	}
	for _, c := range p.remotes {
		if err := p.pc.AddICECandidate(c); err != nil {
			return fmt.Errorf("testpeer: add early candidate: %w", err)
		}
	}
	p.remotes = nil
	return nil
}

// answered hands the result of an answer to the negotiation waiting for it; one no one waits for is
// dropped.
func (p *Peer) answered(err error) {
	select {
	case p.answers <- err:
	default:
	}
}

// addRemoteCandidate applies a server candidate, or keeps it until the answer is set. It runs on the
// reader goroutine.
func (p *Peer) addRemoteCandidate(c *webrtc.ICECandidateInit) {
	if c == nil {
		p.events.push(Event{Type: "candidate"}, fmt.Errorf("testpeer: candidate message without candidate"))
		return
	}
	if p.pc.RemoteDescription() == nil {
		p.remotes = append(p.remotes, *c)
		return
	}
	if err := p.pc.AddICECandidate(*c); err != nil {
		p.events.push(Event{Type: "candidate"}, fmt.Errorf("testpeer: add candidate %q: %w", c.Candidate, err))
	}
}

// candidateMessage is a trickled candidate.
type candidateMessage struct {
	Type      string                  `json:"type"`
	Candidate webrtc.ICECandidateInit `json:"candidate"`
}

// localCandidate trickles a local candidate to the server, unless its offer is not sent yet.
func (p *Peer) localCandidate(c *webrtc.ICECandidate) {
	if c == nil {
		return // gathering is complete; the protocol has no message for it
	}
	if init := c.ToJSON(); !p.locals.keep(init) {
		_ = p.sendCandidate(init)
	}
}

// sendCandidate sends one local candidate.
func (p *Peer) sendCandidate(c webrtc.ICECandidateInit) error {
	return p.Send(candidateMessage{Type: "candidate", Candidate: c})
}

// heldCandidates holds local candidates gathered between setting an offer and sending it, so that the
// server never gets a candidate before the offer it belongs to.
type heldCandidates struct {
	mu      sync.Mutex
	holding bool
	held    []webrtc.ICECandidateInit
}

// hold starts holding candidates.
func (h *heldCandidates) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holding = true
}

// keep holds c and reports true while holding; otherwise it reports false.
func (h *heldCandidates) keep(c webrtc.ICECandidateInit) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holding {
		h.held = append(h.held, c)
	}
	return h.holding
}

// release stops holding and returns what was held.
func (h *heldCandidates) release() []webrtc.ICECandidateInit {
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.held
	h.holding, h.held = false, nil
	return held
}
