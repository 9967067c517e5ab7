package testpeer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
)

// Impairment describes what an ImpairedNetwork does to the RTP and RTCP packets crossing it, each way.
// ICE and DTLS packets are never dropped or held back, so the connection comes up as on a good network.
type Impairment struct {
	// Loss is the probability that a packet is dropped.
	Loss float64
	// Reorder is the probability that a packet is held back for 10 to 40 ms, behind later packets.
	Reorder float64
	// Jitter is the range of the one-way delay: it wanders between zero and Jitter, packets keeping
	// their order, as through a queue that fills and empties.
	Jitter time.Duration
	// Unrepairable drops a video packet again each time it is retransmitted, so that NACK cannot repair
	// the loss and the receiver must do without the frame.
	Unrepairable bool
	// Seed seeds every random choice, so that a run can be repeated (as far as goroutine timing allows).
	Seed uint64
}

const (
	// holdMin and holdMax bound the extra delay of a held-back packet.
	holdMin = 10 * time.Millisecond
	holdMax = 40 * time.Millisecond
	// jitterStep bounds the change of the jitter delay from one packet to the next.
	jitterStep = 4 * time.Millisecond
)

// Addresses on the virtual network.
const (
	serverIP = "10.0.0.1"
	peerIP   = "10.0.0.2"
)

// ImpairedNetwork is a virtual network (Pion's vnet) with two hosts, the server and the peer, joined by a
// router that drops, holds back and delays packets as its Impairment says. Give Server to the server's
// Pion SettingEngine (SetNet) and Peer to Options.Net.
//
// vnet has no per-packet delay of its own, so the router's filters build one: every packet is copied by a
// DuplicationFilter, which sends the copy through the router again 10 to 40 ms later; a packet chosen to
// be held back goes through as its copy only, and any other packet as itself only. The jitter is a
// DelayFilter in front of each host whose delay is moved a little at every packet.
type ImpairedNetwork struct {
	Server, Peer *vnet.Net

	router  *vnet.Router
	started bool
	dup     *vnet.DuplicationFilter
	delays  map[string]*vnet.DelayFilter // by the host's IP

	mu      sync.Mutex
	imp     Impairment
	rng     *rand.Rand
	pending map[string]fate // by chunk tag, until the packet's copy comes back
	delay   map[string]time.Duration
	lost    map[uint64]bool // RTP packets to the server dropped and not delivered since, by SSRC and sequence number
	stats   NetworkStats
}

// NetworkStats counts what an ImpairedNetwork did.
type NetworkStats struct {
	Up   PathStats // from the peer to the server: media, and the peer's RTCP
	Down PathStats // from the server to the peer: RTCP (receiver reports, NACKs, PLIs)
}

// PathStats counts one direction's RTP and RTCP packets. Retransmitted packets count again.
type PathStats struct {
	RTP, RTPDropped, RTPHeld    int
	RTCP, RTCPDropped, RTCPHeld int
	Video, VideoDropped         int // RTP packets of the video payload type
	// VideoRecovered counts dropped video packets that got through later, retransmitted after a NACK;
	// VideoUndelivered those that have not (yet).
	VideoRecovered, VideoUndelivered int
	Audio, AudioDropped              int
	// MinDelay, MaxDelay and MeanDelay describe the jitter delay given to the packets.
	MinDelay, MaxDelay, MeanDelay time.Duration
	delaySum                      time.Duration
	delayed                       int
}

// NewImpairedNetwork builds and starts the network; Close stops it.
func NewImpairedNetwork(imp Impairment) (*ImpairedNetwork, error) {
	lf := logging.NewDefaultLoggerFactory()
	router, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", LoggerFactory: lf})
	if err != nil {
		return nil, fmt.Errorf("testpeer: vnet router: %w", err)
	}
	n := &ImpairedNetwork{
		router: router, delays: map[string]*vnet.DelayFilter{},
		imp: imp, rng: rand.New(rand.NewPCG(imp.Seed, imp.Seed^0x9e3779b97f4a7c15)),
		pending: map[string]fate{}, delay: map[string]time.Duration{}, lost: map[uint64]bool{},
	}
	if n.Server, err = n.addHost(serverIP); err != nil {
		return nil, errors.Join(err, n.Close())
	}
	if n.Peer, err = n.addHost(peerIP); err != nil {
		return nil, errors.Join(err, n.Close())
	}
	n.dup, err = vnet.NewDuplicationFilter(router, vnet.WithDuplicationProbability(1),
		vnet.WithDuplicationExtraDelay(holdMin, holdMax), vnet.WithDuplicationSeed(int64(imp.Seed)))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("testpeer: vnet duplication filter: %w", err), n.Close())
	}
	router.AddChunkFilter(n.choose)
	router.AddChunkFilter(n.dup.ChunkFilter())
	router.AddChunkFilter(n.deliver)
	if err := router.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("testpeer: vnet start: %w", err), n.Close())
	}
	n.started = true
	return n, nil
}

// addHost adds a host with the given address behind a delay filter.
func (n *ImpairedNetwork) addHost(ip string) (*vnet.Net, error) {
	host, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
	if err != nil {
		return nil, fmt.Errorf("testpeer: vnet host: %w", err)
	}
	df, err := vnet.NewDelayFilter(host)
	if err != nil {
		return nil, fmt.Errorf("testpeer: vnet delay: %w", err)
	}
	n.delays[ip] = df
	if err := n.router.AddNet(df); err != nil {
		return nil, fmt.Errorf("testpeer: vnet add host: %w", err)
	}
	return host, nil
}

// Close stops the network. Close the peer connections that use it first.
func (n *ImpairedNetwork) Close() error {
	var errs []error
	if n.dup != nil {
		errs = append(errs, n.dup.Close())
	}
	if n.started {
		errs = append(errs, n.router.Stop())
	}
	for _, df := range n.delays {
		errs = append(errs, df.Close())
	}
	return errors.Join(errs...)
}

// Stats returns what the network has done so far.
func (n *ImpairedNetwork) Stats() NetworkStats {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.stats
	s.Up.VideoUndelivered = len(n.lost)
	for _, p := range []*PathStats{&s.Up, &s.Down} {
		if p.delayed > 0 {
			p.MeanDelay = p.delaySum / time.Duration(p.delayed)
		}
	}
	return s
}

// packetKind is what a UDP payload is, as far as the network cares (RFC 7983 demultiplexing).
type packetKind int

const (
	kindOther packetKind = iota // STUN, DTLS: never impaired
	kindRTP
	kindRTCP
)

// classify tells RTP from RTCP (SRTP leaves their headers in clear) and from the rest.
func classify(b []byte) packetKind {
	if len(b) < 12 || b[0] < 128 || b[0] > 191 {
		return kindOther
	}
	if pt := b[1] & 0x7f; pt >= 64 && pt <= 95 { // RTCP packet types 192-223 with rtcp-mux
		return kindRTCP
	}
	return kindRTP
}

// path returns the counters of the direction a chunk travels in.
func (n *ImpairedNetwork) path(c vnet.Chunk) *PathStats {
	if chunkIP(c.DestinationAddr()) == serverIP {
		return &n.stats.Up
	}
	return &n.stats.Down
}

func chunkIP(a net.Addr) string {
	if u, ok := a.(*net.UDPAddr); ok {
		return u.IP.String()
	}
	return ""
}

// fate is what happens to a packet that the first filter let on, until its copy comes back.
type fate int

const (
	goesDirect fate = iota + 1 // the packet goes through; its copy will be dropped
	goesHeld                   // the packet will be dropped; its copy will go through
	copyComing                 // the packet was dropped; its copy is on its way
)

// choose is the first filter: it drops a packet, or lets it on to go through as itself or, held back,
// as its copy. When a copy comes back, it lets it on if its packet was held back, and drops it otherwise.
func (n *ImpairedNetwork) choose(c vnet.Chunk) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if f, ok := n.pending[c.Tag()]; ok {
		if f == goesDirect {
			delete(n.pending, c.Tag())
			return false
		}
		return true
	}
	kind := classify(c.UserData())
	if kind == kindOther {
		n.pending[c.Tag()] = goesDirect
		return true
	}
	r := n.rng.Float64()
	drop, held := r < n.imp.Loss, r >= n.imp.Loss && r < n.imp.Loss+n.imp.Reorder
	if n.imp.Unrepairable && kind == kindRTP && n.lost[rtpKey(c.UserData())] {
		drop, held = true, false
	}
	n.count(n.path(c), kind, c.UserData(), drop, held)
	switch {
	case drop:
		return false
	case held:
		n.pending[c.Tag()] = goesHeld
	default:
		n.pending[c.Tag()] = goesDirect
	}
	return true
}

// count adds a packet to the counters of its path.
func (n *ImpairedNetwork) count(p *PathStats, kind packetKind, b []byte, drop, held bool) {
	if kind == kindRTCP {
		p.RTCP++
		p.RTCPDropped += b2i(drop)
		p.RTCPHeld += b2i(held)
		return
	}
	p.RTP++
	p.RTPDropped += b2i(drop)
	p.RTPHeld += b2i(held)
	switch b[1] & 0x7f {
	case videoPayloadType:
		p.Video++
		p.VideoDropped += b2i(drop)
		if p == &n.stats.Up && drop {
			n.lost[rtpKey(b)] = true
		}
	case audioPayloadType:
		p.Audio++
		p.AudioDropped += b2i(drop)
	}
}

// rtpKey identifies an RTP packet by SSRC and sequence number.
func rtpKey(b []byte) uint64 {
	return uint64(binary.BigEndian.Uint32(b[8:12]))<<16 | uint64(binary.BigEndian.Uint16(b[2:4]))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// deliver is the last filter, after the duplication filter: it drops a held-back packet (its copy will
// come), and gives any other packet its jitter delay.
func (n *ImpairedNetwork) deliver(c vnet.Chunk) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch n.pending[c.Tag()] {
	case goesHeld:
		n.pending[c.Tag()] = copyComing
		return false
	case copyComing:
		delete(n.pending, c.Tag())
	}
	dst := chunkIP(c.DestinationAddr())
	df := n.delays[dst]
	if df == nil {
		return true
	}
	d := n.delay[dst] + time.Duration((n.rng.Float64()*2-1)*float64(jitterStep))
	d = max(0, min(d, n.imp.Jitter))
	n.delay[dst] = d
	df.SetDelay(d)
	if kind := classify(c.UserData()); kind != kindOther {
		n.delivered(n.path(c), kind, c.UserData(), d)
	}
	return true
}

// delivered counts a packet that goes through, and a dropped video packet that got through after all.
func (n *ImpairedNetwork) delivered(p *PathStats, kind packetKind, b []byte, d time.Duration) {
	if p.delayed == 0 || d < p.MinDelay {
		p.MinDelay = d
	}
	p.MaxDelay = max(p.MaxDelay, d)
	p.delaySum += d
	p.delayed++
	if kind != kindRTP || p != &n.stats.Up || b[1]&0x7f != videoPayloadType {
		return
	}
	if k := rtpKey(b); n.lost[k] {
		delete(n.lost, k)
		p.VideoRecovered++
	}
}
