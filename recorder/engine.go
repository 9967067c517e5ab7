// Package recorder receives a candidate's camera and microphone over WebRTC and
// writes the spans between record and stop to WebM files.
//
// One Session is one peer connection. Each remote track has one reader goroutine
// that reorders packets and assembles frames; frames go to the session's current
// take, if any, under the session's lock. The recorder knows nothing of
// interviews or signaling: it is given a file to write and reports through TakeEvents.
package recorder

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"
)

// Config holds the recorder's settings.
type Config struct {
	// LoopbackOnly gathers and accepts only loopback ICE candidates (tests, a local demo).
	LoopbackOnly bool
	// UDPPortMin and UDPPortMax bound the UDP ports used for media; zero means any.
	UDPPortMin, UDPPortMax uint16
	// UDPMux, when set, is one IPv4 address and port (e.g. "127.0.0.1:8443") on
	// which every session's media arrives, read in batches; the port range is then
	// not used.
	UDPMux string
	// PublicIPs are announced instead of the host's own addresses (1:1 NAT).
	PublicIPs []string
	// KeyframeInterval is how often a keyframe is requested while recording, so the
	// file can be seeked finely. Zero means 3 s.
	KeyframeInterval time.Duration
	// MaxLate is how long a video frame with a missing packet is waited for (NACK may
	// still bring it) before it is given up. Zero means 500 ms.
	MaxLate time.Duration
	// SyncInterval is how often takes in progress are flushed to stable storage,
	// so a power cut loses about that much. Zero means 1 s.
	SyncInterval time.Duration
	// Net, when set, is the network Pion uses instead of the host's: tests pass a
	// virtual network (github.com/pion/transport/v5/vnet) to impair the media path.
	Net    transport.Net
	Logger *slog.Logger
}

// Engine makes sessions. It is safe for concurrent use.
type Engine struct {
	api    *webrtc.API
	cfg    Config
	log    *slog.Logger
	syncer *syncer
	mux    ice.UDPMux   // nil unless cfg.UDPMux
	muxAt  *net.UDPAddr // where mux listens
}

// MuxAddr returns the address of the shared media socket, or nil without one.
func (e *Engine) MuxAddr() *net.UDPAddr { return e.muxAt }

// NewEngine builds the WebRTC stack: VP8, VP9 and Opus only, Pion's default
// interceptors (NACK, RTCP reports, TWCC), and the network settings of cfg.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.KeyframeInterval <= 0 {
		cfg.KeyframeInterval = 3 * time.Second
	}
	if cfg.MaxLate <= 0 {
		cfg.MaxLate = 500 * time.Millisecond
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		return nil, fmt.Errorf("recorder: codecs: %w", err)
	}
	ir, err := interceptors(me)
	if err != nil {
		return nil, fmt.Errorf("recorder: interceptors: %w", err)
	}
	se, err := settings(cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: cfg.Logger}
	if cfg.UDPMux != "" {
		mux, conn, err := listenMux(cfg.UDPMux, cfg)
		if err != nil {
			return nil, err
		}
		se.SetICEUDPMux(mux)
		e.mux, e.muxAt = mux, conn.LocalAddr().(*net.UDPAddr)
	}
	e.api = webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	e.syncer = newSyncer(cfg.SyncInterval)
	return e, nil
}

// interceptors are Pion's defaults less the two a recorder has no use for: the
// stats interceptor (we never call GetStats; it cost ~9 % of the server's CPU
// under load) and simulcast's header extensions (a candidate sends one layer).
// NACK repairs losses, RTCP reports keep the browser's sender informed, and TWCC
// feedback drives the browser's bandwidth estimate.
func interceptors(me *webrtc.MediaEngine) (*interceptor.Registry, error) {
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureNack(me, ir); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(me, ir); err != nil {
		return nil, err
	}
	return ir, nil
}

func registerCodecs(me *webrtc.MediaEngine) error {
	videoFB := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	codecs := []struct {
		params webrtc.RTPCodecParameters
		kind   webrtc.RTPCodecType
	}{
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFB}, PayloadType: 96}, webrtc.RTPCodecTypeVideo},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0", RTCPFeedback: videoFB}, PayloadType: 98}, webrtc.RTPCodecTypeVideo},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}, webrtc.RTPCodecTypeAudio},
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c.params, c.kind); err != nil {
			return err
		}
	}
	return nil
}

func settings(cfg Config) (webrtc.SettingEngine, error) {
	se := webrtc.SettingEngine{LoggerFactory: &slogFactory{log: cfg.Logger}}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if cfg.UDPPortMin != 0 || cfg.UDPPortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return se, fmt.Errorf("recorder: UDP port range: %w", err)
		}
	}
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	se.SetIncludeLoopbackCandidate(true)
	if cfg.Net != nil {
		se.SetNet(cfg.Net)
	}
	if cfg.LoopbackOnly {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}
	return se, nil
}

// Close stops the engine's background work. Sessions should be closed first.
func (e *Engine) Close() {
	e.syncer.close()
	if e.mux != nil {
		e.mux.Close()
	}
}
