package testpeer

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/takes/takes/internal/leaktest"
)

// TestImpairedNetwork sends numbered RTP-like packets and STUN-like ones from the peer's host to the
// server's over an ImpairedNetwork: about the asked share of the RTP packets is lost or comes late, out of
// order; the STUN-like packets all arrive.
func TestImpairedNetwork(t *testing.T) {
	leaktest.Check(t)
	n, err := NewImpairedNetwork(Impairment{Loss: 0.1, Reorder: 0.1, Jitter: 20 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := n.Close(); err != nil {
			t.Error(err)
		}
	}()
	server, err := n.Server.ListenPacket("udp4", serverIP+":5000")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	client, err := n.Peer.ListenPacket("udp4", peerIP+":6000")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	to := &net.UDPAddr{IP: net.ParseIP(serverIP), Port: 5000}

	const rtpCount, stunCount = 1000, 100
	for i := range rtpCount {
		pkt := make([]byte, 100)
		pkt[0], pkt[1] = 0x80, videoPayloadType
		binary.BigEndian.PutUint16(pkt[2:4], uint16(i))
		binary.BigEndian.PutUint32(pkt[8:12], 1234)
		if _, err := client.WriteTo(pkt, to); err != nil {
			t.Fatal(err)
		}
		if i%(rtpCount/stunCount) == 0 {
			if _, err := client.WriteTo([]byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0}, to); err != nil {
				t.Fatal(err)
			}
		}
		if i%10 == 0 {
			time.Sleep(time.Millisecond) // about 10 packets a millisecond, so that a held packet is overtaken
		}
	}

	var rtp, stun, late int
	highest := -1
	buf := make([]byte, 1500)
	for {
		if err := server.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		size, _, err := server.ReadFrom(buf)
		if err != nil {
			break // quiet for 300 ms: everything has arrived
		}
		if classify(buf[:size]) != kindRTP {
			stun++
			continue
		}
		rtp++
		if seq := int(binary.BigEndian.Uint16(buf[2:4])); seq < highest {
			late++
		} else {
			highest = seq
		}
	}
	st := n.Stats().Up
	t.Logf("RTP: %d sent, %d arrived (%d out of order), stats %+v; STUN: %d of %d arrived", rtpCount, rtp, late, st, stun, stunCount)
	if stun != stunCount {
		t.Errorf("%d of %d STUN-like packets arrived, want all", stun, stunCount)
	}
	if st.RTP != rtpCount || st.Video != rtpCount || rtp != rtpCount-st.RTPDropped {
		t.Errorf("%d RTP packets arrived; stats say %d sent, %d dropped", rtp, st.RTP, st.RTPDropped)
	}
	if st.RTPDropped < rtpCount/20 || st.RTPDropped > rtpCount/5 || st.RTPHeld < rtpCount/20 || st.RTPHeld > rtpCount/5 {
		t.Errorf("%d dropped and %d held of %d, want about 10%% each", st.RTPDropped, st.RTPHeld, rtpCount)
	}
	if late < st.RTPHeld/2 {
		t.Errorf("%d packets arrived out of order, for %d held back", late, st.RTPHeld)
	}
	if st.MaxDelay > 20*time.Millisecond || st.MaxDelay < 10*time.Millisecond {
		t.Errorf("jitter delays from %v to %v, want up to 20 ms", st.MinDelay, st.MaxDelay)
	}
	if st.VideoUndelivered != st.VideoDropped || st.VideoRecovered != 0 {
		t.Errorf("%d dropped, %d undelivered, %d recovered: nothing was sent again", st.VideoDropped, st.VideoUndelivered, st.VideoRecovered)
	}
}
