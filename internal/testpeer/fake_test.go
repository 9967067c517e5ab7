package testpeer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/takes/takes/internal/mediatest"
)

// fakeServer is a tiny stand-in for the real signaling server: it upgrades /ws/{token}, sends a welcome,
// answers offers with a Pion peer connection that receives the media, trickles candidates, and answers
// record and stop the way the protocol says. It reports what it receives on channels. A session's peer
// connection lives until the end of the test, even when its socket closes.
type fakeServer struct {
	t     *testing.T
	codec string
	srv   *httptest.Server

	stop        chan struct{}     // closed when the test ends
	sessions    chan *fakeSession // each new session, once its peer connection exists
	videoFrames chan bool         // one per video frame received: whether it is a keyframe
	audio       chan struct{}     // one per audio packet received
	pongs       chan struct{}     // one per pong received
}

// newFakeServer starts a fake server for the given video codec; the test's cleanup stops it.
func newFakeServer(t *testing.T, codec string) *fakeServer {
	f := &fakeServer{
		t: t, codec: codec,
		stop:        make(chan struct{}),
		sessions:    make(chan *fakeSession, 4),
		videoFrames: make(chan bool, 4096),
		audio:       make(chan struct{}, 4096),
		pongs:       make(chan struct{}, 16),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws/{token}", f.serveWS)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(f.stop)
		f.srv.Close()
	})
	return f
}

// url returns the WebSocket URL for a token.
func (f *fakeServer) url(token string) string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/" + token
}

var upgrader = websocket.Upgrader{}

// serveWS refuses the token "unknown" and runs a session for any other.
func (f *fakeServer) serveWS(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("token") == "unknown" {
		http.Error(w, "no such invitation", http.StatusNotFound)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	conn.SetPongHandler(func(string) error {
		report(f.pongs, struct{}{})
		return nil
	})
	s := &fakeSession{f: f, conn: conn}
	defer s.close()
	if err := s.start(); err != nil {
		f.t.Errorf("fake server: %v", err)
		return
	}
	f.sessions <- s
	s.serve()
	<-f.stop // like the real server, keep receiving media when the socket drops
}

// fakeSession is one client of the fake server.
type fakeSession struct {
	f       *fakeServer
	conn    *websocket.Conn
	writeMu sync.Mutex // the fake's handler and Pion's callbacks both write; the lock keeps one writer at a time
	pc      *webrtc.PeerConnection
	tracks  sync.WaitGroup

	mu        sync.Mutex
	videoSSRC webrtc.SSRC
	closed    bool
}

// send writes one JSON message.
func (s *fakeSession) send(v any) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.conn.WriteJSON(v)
}

// start sends the welcome and creates the answering peer connection.
func (s *fakeSession) start() error {
	s.send(map[string]any{"type": "welcome",
		"interview": map[string]string{"id": "i1", "title": "Fake interview"},
		"questions": []map[string]any{
			{"id": "q1", "text": "First?"},
			{"id": "q2", "text": "Second?", "take": map[string]any{"n": 1, "state": "draft", "durationMs": 1200, "bytes": 345, "url": "/media/t/q2/1"}},
		}})
	api, err := s.f.api()
	if err != nil {
		return err
	}
	if s.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return err
	}
	s.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			s.send(map[string]any{"type": "candidate", "candidate": c.ToJSON()})
		}
	})
	s.pc.OnTrack(s.onTrack)
	return nil
}

// api builds the answerer's Pion API: the server's codec and Opus, default interceptors, loopback only.
func (f *fakeServer) api() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	video := videoCodecs[f.codec]
	video.RTCPFeedback = []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: video, PayloadType: 96}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opusCodec, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(LoopbackSettings())), nil
}

// serve handles client messages until the socket closes.
func (s *fakeSession) serve() {
	for {
		var m struct {
			Type      string                   `json:"type"`
			SDP       string                   `json:"sdp"`
			Candidate *webrtc.ICECandidateInit `json:"candidate"`
			Question  string                   `json:"question"`
		}
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		if err := json.Unmarshal(data, &m); err != nil {
			s.send(map[string]string{"type": "error", "code": "bad-message", "message": "Not JSON."})
			continue
		}
		s.handle(m.Type, m.SDP, m.Candidate, m.Question)
	}
}

// handle answers one client message.
func (s *fakeSession) handle(typ, sdp string, c *webrtc.ICECandidateInit, question string) {
	switch typ {
	case "offer":
		s.answer(sdp)
	case "candidate":
		if c != nil {
			_ = s.pc.AddICECandidate(*c)
		}
	case "record":
		s.send(map[string]any{"type": "recording", "question": question, "take": 1})
	case "stop":
		s.send(map[string]string{"type": "error", "code": "not-recording", "message": "There is no recording to stop.", "request": "stop"})
	default:
		s.send(map[string]string{"type": "error", "code": "unknown-type", "message": "Unknown type.", "request": typ})
	}
}

// answer applies an offer and sends the answer (candidates trickle separately).
func (s *fakeSession) answer(sdp string) {
	err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp})
	if err != nil {
		s.send(map[string]string{"type": "error", "code": "bad-sdp", "message": err.Error(), "request": "offer"})
		return
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err == nil {
		err = s.pc.SetLocalDescription(answer)
	}
	if err != nil {
		s.f.t.Errorf("fake server: answer: %v", err)
		return
	}
	s.send(map[string]string{"type": "answer", "sdp": answer.SDP})
}

// onTrack reads a received track until the peer connection closes.
func (s *fakeSession) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.tracks.Add(1) // under mu, so never after close has begun waiting
	if track.Kind() == webrtc.RTPCodecTypeVideo {
		s.videoSSRC = track.SSRC()
	}
	s.mu.Unlock()
	defer s.tracks.Done()
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		if track.Kind() == webrtc.RTPCodecTypeAudio {
			report(s.f.audio, struct{}{})
		} else if start, key := s.f.frameStart(pkt.Payload); start {
			report(s.f.videoFrames, key)
		}
	}
}

// report sends v on c unless c is full: the fake must never block on a test that stopped reading.
func report[T any](c chan T, v T) {
	select {
	case c <- v:
	default:
	}
}

// frameStart depacketizes a video RTP payload and reports whether it starts a frame, and a keyframe.
func (f *fakeServer) frameStart(payload []byte) (start, keyframe bool) {
	if f.codec == "vp9" {
		var p codecs.VP9Packet
		data, err := p.Unmarshal(payload)
		if err != nil || !p.B {
			return false, false
		}
		return true, mediatest.IsVP9Keyframe(data)
	}
	var p codecs.VP8Packet
	data, err := p.Unmarshal(payload)
	if err != nil || p.S != 1 || p.PID != 0 {
		return false, false
	}
	return true, mediatest.IsVP8Keyframe(data)
}

// requestKeyframe sends a PLI for the received video track.
func (s *fakeSession) requestKeyframe() error {
	s.mu.Lock()
	ssrc := s.videoSSRC
	s.mu.Unlock()
	return s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(ssrc)}})
}

// ping sends a WebSocket ping.
func (s *fakeSession) ping() error {
	return s.conn.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(time.Second))
}

// close ends the session: the socket, the peer connection, and the track readers.
func (s *fakeSession) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = s.conn.Close()
	if s.pc != nil {
		_ = s.pc.Close()
	}
	s.tracks.Wait()
}
