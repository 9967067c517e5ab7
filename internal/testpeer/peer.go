// Package testpeer is an in-process WebRTC client that plays a candidate's browser against the server: it
// speaks the signaling protocol of docs/protocol.md over a real WebSocket and streams a test clip (from
// package mediatest) over a real Pion peer connection, restricted to loopback (or to a virtual network that
// impairs the media path: see Options.Net and ImpairedNetwork).
//
// A Peer owns its goroutines (a socket reader, a socket writer, one sender per track, one RTCP reader per
// track); Close stops them all and waits for them.
package testpeer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"github.com/takes/takes/internal/mediatest"
)

// Options configure a Peer.
type Options struct {
	// Clip is the media to stream, looped; it is required (see mediatest.MakeClip).
	Clip mediatest.Clip
	// Codec is the video codec to offer, "vp8" or "vp9"; it defaults to the clip's and must match it.
	Codec string
	// Header is sent with the WebSocket upgrade request (cookies, Origin, …).
	Header http.Header
	// IgnorePings makes the peer leave the server's pings unanswered, as a dead client would.
	IgnorePings bool
	// Net, when set, is the network the peer connection uses instead of the host's loopback: a
	// virtual network (github.com/pion/transport/v5/vnet) whose router can impair the media path.
	// The peer then gathers the network's non-loopback UDP4 candidates.
	Net transport.Net
	// KeepClipTime keeps the video in step with the clip's audio: a keyframe request is counted but
	// not answered by skipping ahead in the clip, so the clip's own keyframes serve. A browser answers
	// with a keyframe of the present picture; skipping ahead would shift the picture against the sound.
	KeepClipTime bool
}

// Peer is one fake candidate browser, connected to the server.
type Peer struct {
	welcome Welcome

	conn    *websocket.Conn
	out     chan outbound
	sigStop chan struct{} // closed when the socket is closed, by either side
	sigOnce sync.Once
	events  *eventQueue

	pc            *webrtc.PeerConnection
	video, audio  *webrtc.TrackLocalStaticSample
	videoSender   *webrtc.RTPSender
	audioSender   *webrtc.RTPSender
	answers       chan error                // result of applying each answer; capacity 1
	remotes       []webrtc.ICECandidateInit // server candidates that came before the answer; reader goroutine only
	locals        heldCandidates
	connected     chan struct{}
	connectedOnce sync.Once
	peerStop      chan struct{} // closed by ClosePeer
	peerOnce      sync.Once

	media       *clipMedia
	keyframeReq chan struct{}   // capacity 1: a keyframe was asked for
	keepTime    bool            // Options.KeepClipTime
	mute        chan audioPause // capacity 1: a pause of the audio was asked for
	startOnce   sync.Once
	start0      time.Time // when the first sample of each track is due; see mediaStart
	stats       counters

	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Dial connects to the server's WebSocket at wsURL (ws://host/ws/{token}), reads the welcome, and offers
// a peer connection with one video and one audio track; it returns once the server's answer is applied.
// Media starts flowing when the connection is up (see ConnectedMedia). ctx bounds the dial and the
// negotiation only. A refused upgrade returns a *HandshakeError.
func Dial(ctx context.Context, wsURL string, opts Options) (*Peer, error) {
	codec, media, err := opts.load()
	if err != nil {
		return nil, err
	}
	conn, err := dialSocket(ctx, wsURL, opts.Header)
	if err != nil {
		return nil, err
	}
	welcome, err := readWelcome(ctx, conn)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	p := newPeer(conn, welcome, media)
	p.keepTime = opts.KeepClipTime
	if opts.IgnorePings {
		conn.SetPingHandler(func(string) error { return nil })
	}
	// The peer connection exists before the reader goroutine starts, since the reader applies answers
	// and candidates to it.
	if err := p.startWebRTC(codec, opts.Net); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	p.start(p.readLoop, p.writeLoop, p.sendVideo, p.sendAudio, p.readVideoRTCP, p.readAudioRTCP)
	if err := p.negotiate(ctx, nil); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	return p, nil
}

// load checks the options and reads the clip into memory.
func (o Options) load() (string, *clipMedia, error) {
	codec := o.Codec
	if codec == "" {
		codec = o.Clip.Codec
	}
	if _, ok := videoCodecs[codec]; !ok || codec != o.Clip.Codec {
		return "", nil, fmt.Errorf("testpeer: codec %q with a %q clip (want vp8 or vp9, matching)", codec, o.Clip.Codec)
	}
	media, err := loadClip(o.Clip)
	return codec, media, err
}

// newPeer returns a Peer around an open socket, with no goroutines started.
func newPeer(conn *websocket.Conn, welcome Welcome, media *clipMedia) *Peer {
	return &Peer{
		welcome:     welcome,
		conn:        conn,
		out:         make(chan outbound),
		sigStop:     make(chan struct{}),
		events:      newEventQueue(),
		answers:     make(chan error, 1),
		connected:   make(chan struct{}),
		peerStop:    make(chan struct{}),
		media:       media,
		keyframeReq: make(chan struct{}, 1),
		mute:        make(chan audioPause, 1),
	}
}

// start runs the functions as goroutines owned by the peer; each calls p.wg.Done when it returns.
func (p *Peer) start(fns ...func()) {
	p.wg.Add(len(fns))
	for _, fn := range fns {
		go fn()
	}
}

// Welcome returns the server's welcome message.
func (p *Peer) Welcome() Welcome {
	return p.welcome
}

// PeerConnection returns the peer's Pion peer connection, for tests that look deeper (stats, states).
func (p *Peer) PeerConnection() *webrtc.PeerConnection {
	return p.pc
}

// ClosePeer closes only the peer connection, to simulate a lost media path; the media stops and the
// WebSocket stays open. Pion closes politely (a DTLS close alert), so the server notices at once rather
// than after an ICE timeout.
func (p *Peer) ClosePeer() error {
	p.peerOnce.Do(func() {
		close(p.peerStop)
		if p.pc != nil {
			if err := p.pc.Close(); err != nil {
				p.closeErr = fmt.Errorf("testpeer: close peer connection: %w", err)
			}
		}
	})
	return p.closeErr
}

// Close closes the WebSocket (with a normal close frame) and the peer connection, and waits for all the
// peer's goroutines to end. It may be called more than once.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		p.closeSignalingGracefully()
		_ = p.ClosePeer()
		p.wg.Wait()
	})
	return p.closeErr
}
