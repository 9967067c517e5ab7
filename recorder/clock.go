package recorder

import (
	"sync"
	"time"
)

// unwrapper extends 32-bit RTP timestamps to 64 bits across wrap-arounds.
type unwrapper struct {
	started bool
	last    uint32
	value   int64
}

func (u *unwrapper) unwrap(ts uint32) int64 {
	if !u.started {
		u.started, u.last, u.value = true, ts, int64(ts)
		return u.value
	}
	u.value += int64(int32(ts - u.last))
	u.last = ts
	return u.value
}

// nearest extends ts to 64 bits near the last unwrapped value, without advancing.
func (u *unwrapper) nearest(ts uint32) int64 {
	return u.value + int64(int32(ts-u.last))
}

// mapping turns a track's unwrapped RTP timestamps into times on a timeline shared
// by the tracks of one connection, in nanoseconds.
type mapping struct {
	refRTP  int64
	refTime int64 // ns
	rate    int64
}

func (m mapping) at(rtp int64) int64 {
	d := rtp - m.refRTP
	// Split to keep d*1e9 from overflowing on very long streams.
	return m.refTime + d/m.rate*int64(time.Second) + d%m.rate*int64(time.Second)/m.rate
}

// trackClock holds what is known about a track's timing: the arrival of its first
// packet and its latest RTCP sender report. The RTP reader and the RTCP reader update
// it; a take freezes a mapping from it when it starts, so timing never jumps mid-take.
type trackClock struct {
	rate int64

	mu       sync.Mutex
	unwrap   unwrapper
	anchor   mapping // from the first packet's arrival time
	anchored bool
	sr       mapping // from the latest sender report (NTP time)
	hasSR    bool
}

// packet records an RTP timestamp and returns it unwrapped.
func (c *trackClock) packet(ts uint32, arrival time.Time) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.unwrap.unwrap(ts)
	if !c.anchored {
		c.anchored = true
		c.anchor = mapping{refRTP: v, refTime: arrival.UnixNano(), rate: c.rate}
	}
	return v
}

// started reports whether the track has seen a packet.
func (c *trackClock) started() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.anchored
}

// nearest unwraps a timestamp seen before, such as a frame's, near the latest packet's.
func (c *trackClock) nearest(ts uint32) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unwrap.nearest(ts)
}

// senderReport records an RTCP sender report's NTP time for an RTP timestamp.
func (c *trackClock) senderReport(ntp uint64, rtpTS uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.unwrap.started {
		return
	}
	c.sr = mapping{refRTP: c.unwrap.nearest(rtpTS), refTime: ntpToUnixNano(ntp), rate: c.rate}
	c.hasSR = true
}

// mappings returns the mappings of both tracks to one timeline: from sender reports
// when both have one (the sender's own clock, so lip sync is the sender's), otherwise
// from arrival times. ok is false while a track has seen no packet.
func freezeMappings(a, b *trackClock) (ma, mb mapping, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !a.anchored || !b.anchored {
		return mapping{}, mapping{}, false
	}
	if a.hasSR && b.hasSR {
		return a.sr, b.sr, true
	}
	return a.anchor, b.anchor, true
}

// freezeMapping returns a lone track's mapping, for a connection without a second track.
func (c *trackClock) freezeMapping() (mapping, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hasSR {
		return c.sr, true
	}
	return c.anchor, c.anchored
}

// ntpToUnixNano converts a 64-bit NTP timestamp to Unix nanoseconds.
func ntpToUnixNano(ntp uint64) int64 {
	const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970
	secs := int64(ntp>>32) - ntpEpochOffset
	frac := int64((ntp & 0xFFFFFFFF) * uint64(time.Second) >> 32)
	return secs*int64(time.Second) + frac
}
