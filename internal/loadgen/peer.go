package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"
)

// Timeouts of one peer's steps.
const (
	connectTimeout = 30 * time.Second // socket, stages, negotiation, first media
	replyTimeout   = 15 * time.Second // a command's answer: recording, saved, removed
	writeTimeout   = 10 * time.Second
)

// event is a server message, with the fields of every type the peer reads.
type event struct {
	Type       string                   `json:"type"`
	Stage      string                   `json:"stage"`
	Questions  []eventQuestion          `json:"questions"`
	Question   string                   `json:"question"`
	Take       int                      `json:"take"`
	DurationMs int64                    `json:"durationMs"`
	Bytes      int64                    `json:"bytes"`
	Reason     string                   `json:"reason"`
	Code       string                   `json:"code"`
	Message    string                   `json:"message"`
	Request    string                   `json:"request"`
	SDP        string                   `json:"sdp"`
	Candidate  *webrtc.ICECandidateInit `json:"candidate"`
}

type eventQuestion struct {
	ID   string          `json:"id"`
	Take json.RawMessage `json:"take"`
}

// ServerError is an `error` event of the server in answer to a peer's command.
type ServerError struct {
	Code, Message, Request string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("server refused %q: %s (%s)", e.Request, e.Code, e.Message)
}

// errClosed is returned when the server closed the socket.
var errClosed = errors.New("loadgen: signaling socket closed")

// peer is one fake candidate: a WebSocket with a reader and a writer goroutine, a Pion peer connection
// whose sender is paced by the run's pacer, and two RTCP readers. The goroutine that calls connect and
// cycle owns it and closes it.
type peer struct {
	run   *runner
	index int
	token string

	ws       *websocket.Conn
	out      chan []byte
	events   chan event
	answered chan error
	done     chan struct{} // closed by close
	wg       sync.WaitGroup

	pc  *webrtc.PeerConnection
	snd *sender
	// paced says the sender is with the pacer. Pion reports connection states from goroutines of
	// their own, in any order: a report that comes after close must not hand the sender back.
	pacedMu sync.Mutex
	paced   bool
	closing bool

	questions []string
	hasTake   map[string]bool
	report    PeerReport
}

// connect opens the socket, goes through the privacy and details stages if the invitation is not past
// them, negotiates the peer connection and waits until the server says media has arrived.
func (p *peer) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, p.run.wsURL+p.token, nil)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(1 << 20)
	p.ws = ws
	if err := p.newPeerConnection(); err != nil {
		return err
	}
	p.wg.Add(2)
	go p.readLoop()
	go p.writeLoop()
	welcome, err := p.waitFor(ctx, "welcome")
	if err != nil {
		return err
	}
	if err := p.stages(ctx, welcome); err != nil {
		return err
	}
	if err := p.negotiate(ctx); err != nil {
		return err
	}
	_, err = p.waitFor(ctx, "media")
	return err
}

// stages accepts the privacy policy and gives details, as far as the invitation needs, and keeps the
// interview's questions.
func (p *peer) stages(ctx context.Context, ev event) error {
	var err error
	if ev.Stage == "privacy" {
		if ev, err = p.command(ctx, map[string]any{"type": "accept-privacy"}, "state"); err != nil {
			return err
		}
	}
	if ev.Stage == "details" {
		values := map[string]string{"name": fmt.Sprintf("Load Peer %d", p.index), "email": fmt.Sprintf("peer%d@example.com", p.index)}
		if ev, err = p.command(ctx, map[string]any{"type": "details", "values": values}, "state"); err != nil {
			return err
		}
	}
	if ev.Stage != "questions" || len(ev.Questions) == 0 {
		return fmt.Errorf("interview at stage %q with %d questions: nothing to record", ev.Stage, len(ev.Questions))
	}
	for _, q := range ev.Questions {
		p.questions = append(p.questions, q.ID)
		p.hasTake[q.ID] = len(q.Take) > 0 && string(q.Take) != "null"
	}
	return nil
}

// newPeerConnection makes the peer connection with send-only VP8 or VP9 and Opus tracks.
func (p *peer) newPeerConnection() error {
	pc, err := p.run.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return fmt.Errorf("peer connection: %w", err)
	}
	p.pc = pc
	video, err := webrtc.NewTrackLocalStaticRTP(p.run.videoCodec, "video", "loadgen")
	if err != nil {
		return err
	}
	audio, err := webrtc.NewTrackLocalStaticRTP(opusCodec, "audio", "loadgen")
	if err != nil {
		return err
	}
	p.snd = newSender(p.run.media, video, audio, &p.run.sent)
	for i, t := range []*webrtc.TrackLocalStaticRTP{video, audio} {
		tr, err := pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return fmt.Errorf("add track: %w", err)
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.snd.readRTCP(tr.Sender(), i)
		}()
	}
	pc.OnConnectionStateChange(p.connectionState)
	return nil
}

// connectionState hands the sender to the pacer while the connection is up.
func (p *peer) connectionState(st webrtc.PeerConnectionState) {
	p.setPaced(st == webrtc.PeerConnectionStateConnected)
}

// setPaced gives the sender to the pacer or takes it back; once the peer is closing, only back.
func (p *peer) setPaced(on bool) {
	p.pacedMu.Lock()
	defer p.pacedMu.Unlock()
	on = on && !p.closing
	switch {
	case on && !p.paced:
		p.run.pacer.add(p.snd)
	case !on && p.paced:
		p.run.pacer.remove(p.snd)
	}
	p.paced = on
}

// negotiate sends an offer with every candidate in it (gathering on loopback is immediate) and waits
// until the reader has applied the answer.
func (p *peer) negotiate(ctx context.Context) error {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return fmt.Errorf("gathering candidates: %w", ctx.Err())
	}
	if err := p.send(map[string]string{"type": "offer", "sdp": p.pc.LocalDescription().SDP}); err != nil {
		return err
	}
	select {
	case err := <-p.answered:
		return err
	case <-p.done:
		return errClosed
	case <-ctx.Done():
		return fmt.Errorf("waiting for the answer: %w", ctx.Err())
	}
}

// readLoop is the socket's one reader: it applies answers and candidates and queues other events.
func (p *peer) readLoop() {
	defer p.wg.Done()
	defer close(p.events)
	var early []webrtc.ICECandidateInit
	for {
		_, data, err := p.ws.ReadMessage()
		if err != nil {
			return
		}
		var ev event
		if err := json.Unmarshal(data, &ev); err != nil {
			continue
		}
		switch {
		case ev.Type == "answer":
			err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ev.SDP})
			for _, c := range early {
				err = errors.Join(err, p.pc.AddICECandidate(c))
			}
			early = nil
			select {
			case p.answered <- err:
			default: // an answer no one asked for
			}
		case ev.Type == "candidate" && ev.Candidate != nil:
			if p.pc.RemoteDescription() == nil {
				early = append(early, *ev.Candidate)
			} else {
				_ = p.pc.AddICECandidate(*ev.Candidate)
			}
		default:
			select {
			case p.events <- ev:
			case <-p.done:
				return
			}
		}
	}
}

// writeLoop is the socket's one writer.
func (p *peer) writeLoop() {
	defer p.wg.Done()
	for {
		select {
		case data := <-p.out:
			_ = p.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := p.ws.WriteMessage(websocket.TextMessage, data); err != nil {
				_ = p.ws.Close()
				return
			}
		case <-p.done:
			return
		}
	}
}

// send queues one JSON message for the writer.
func (p *peer) send(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	select {
	case p.out <- data:
		return nil
	case <-p.done:
		return errClosed
	}
}

// command sends a message and waits for the event of type want, or the server's refusal.
func (p *peer) command(ctx context.Context, msg any, want string) (event, error) {
	if err := p.send(msg); err != nil {
		return event{}, err
	}
	return p.waitFor(ctx, want)
}

// waitFor returns the next event of type typ, skipping others; an `error` event comes back as a
// *ServerError.
func (p *peer) waitFor(ctx context.Context, typ string) (event, error) {
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				return event{}, errClosed
			}
			if ev.Type == typ {
				return ev, nil
			}
			if ev.Type == "error" {
				return ev, &ServerError{Code: ev.Code, Message: ev.Message, Request: ev.Request}
			}
		case <-ctx.Done():
			return event{}, fmt.Errorf("waiting for %q: %w", typ, ctx.Err())
		}
	}
}

// close stops the media, says goodbye on the socket, closes everything and waits for the peer's
// goroutines.
func (p *peer) close() {
	p.pacedMu.Lock()
	p.closing = true
	p.pacedMu.Unlock()
	if p.snd != nil {
		p.setPaced(false)
	}
	if p.ws != nil {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = p.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
	close(p.done)
	if p.ws != nil {
		_ = p.ws.Close()
	}
	if p.pc != nil {
		_ = p.pc.Close()
	}
	p.wg.Wait()
}

// Codecs the peers offer, as a browser does.
var (
	videoCodecs = map[string]webrtc.RTPCodecCapability{
		"vp8": {MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		"vp9": {MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"},
	}
	opusCodec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
		SDPFmtpLine: "minptime=10;useinbandfec=1"}
)

// newAPI builds the Pion API all peers share: one video codec and Opus, ICE on IPv4 loopback only, and
// the interceptors a browser's sender has: it answers NACKs, sends sender reports and stamps every packet
// with a transport-wide sequence number, so that the server does its TWCC feedback work as for a
// browser. Pion's statistics interceptor is left out: nothing reads it, and the generator's CPU counts.
func newAPI(video webrtc.RTPCodecCapability) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	video.RTCPFeedback = []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "transport-cc"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"},
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: video, PayloadType: 96}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opusCodec, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	// A send-only peer receives no media: the NACK generator and the receiver reports, which would each
	// run a ticking goroutine per peer, are left out.
	responder, err := nack.NewResponderInterceptor()
	if err != nil {
		return nil, err
	}
	reports, err := report.NewSenderInterceptor()
	if err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	ir.Add(responder)
	ir.Add(reports)
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(m, ir); err != nil {
		return nil, err
	}
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	s.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(s)), nil
}
