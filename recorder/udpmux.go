package recorder

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"golang.org/x/net/ipv4"
)

// batchSize is how many datagrams one read of the shared socket may take.
const batchSize = 64

// batchConn is the shared media socket. Its reads take every datagram waiting (up
// to batchSize) in one system call, recvmmsg, and hand them out one at a time: under
// load that is one system call for dozens of packets instead of one each. Pion's
// UDP mux is its only reader.
type batchConn struct {
	*net.UDPConn
	pc *ipv4.PacketConn

	mu         sync.Mutex
	msgs       []ipv4.Message
	have, next int
}

func newBatchConn(c *net.UDPConn) *batchConn {
	b := &batchConn{UDPConn: c, pc: ipv4.NewPacketConn(c), msgs: make([]ipv4.Message, batchSize)}
	for i := range b.msgs {
		b.msgs[i].Buffers = [][]byte{make([]byte, 1500)}
	}
	return b
}

// ReadFromAddrPort returns the next datagram, reading a new batch when none is left.
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == b.have {
		n, err := b.pc.ReadBatch(b.msgs, 0)
		if err != nil {
			return 0, netip.AddrPort{}, err
		}
		b.have, b.next = n, 0
	}
	m := &b.msgs[b.next]
	b.next++
	addr, ok := m.Addr.(*net.UDPAddr)
	if !ok {
		return 0, netip.AddrPort{}, errors.New("recorder: datagram without a UDP address")
	}
	return copy(p, m.Buffers[0][:m.N]), addr.AddrPort(), nil
}

// ReadFrom is ReadFromAddrPort for callers that want a net.Addr.
func (b *batchConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, ap, err := b.ReadFromAddrPort(p)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(ap), nil
}

// listenMux opens the one UDP socket that all sessions share, at addr (an IPv4
// address and port), and the ICE mux over it.
func listenMux(addr string, cfg Config) (ice.UDPMux, *net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("recorder: media address %q: %w", addr, err)
	}
	if ua.IP == nil || ua.IP.IsUnspecified() {
		return nil, nil, fmt.Errorf("recorder: media address %q: give the IPv4 address to listen on", addr)
	}
	c, err := net.ListenUDP("udp4", ua)
	if err != nil {
		return nil, nil, fmt.Errorf("recorder: media socket: %w", err)
	}
	// Room for bursts while the reader is busy: 4 MiB (the kernel caps it at rmem_max).
	c.SetReadBuffer(4 << 20)
	c.SetWriteBuffer(1 << 20)
	logger := (&slogFactory{log: cfg.Logger}).NewLogger("ice")
	return webrtc.NewICEUDPMux(logger, newBatchConn(c)), c, nil
}
