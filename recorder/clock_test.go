package recorder

import (
	"testing"
	"time"
)

func TestUnwrapAcrossWrap(t *testing.T) {
	var u unwrapper
	start := uint32(0xFFFFF000)
	if got := u.unwrap(start); got != int64(start) {
		t.Fatalf("first: %d", got)
	}
	if got := u.unwrap(start + 0x2000); got != int64(start)+0x2000 {
		t.Errorf("after wrap: %d, want %d", got, int64(start)+0x2000)
	}
	if got := u.nearest(start); got != int64(start) {
		t.Errorf("nearest before wrap: %d", got)
	}
	if got := u.unwrap(start + 0x1000); got != int64(start)+0x1000 {
		t.Errorf("reordered back across the wrap: %d", got)
	}
}

func TestMappingIsExactOverLongTakes(t *testing.T) {
	m := mapping{refRTP: 1 << 40, refTime: 5e9, rate: 90000}
	// Ten hours of 90 kHz ticks later: no overflow, exact to the nanosecond.
	ticks := int64(10 * 3600 * 90000)
	if got, want := m.at(m.refRTP+ticks), int64(5e9)+10*3600*int64(time.Second); got != want {
		t.Errorf("at(+10h) = %d, want %d", got, want)
	}
	if got, want := m.at(m.refRTP-90), int64(5e9)-int64(time.Millisecond); got != want {
		t.Errorf("at(-1ms) = %d, want %d", got, want)
	}
}

func TestSenderReportsAlignTracks(t *testing.T) {
	v := &trackClock{rate: 90000}
	a := &trackClock{rate: 48000}
	now := time.Now()
	v.packet(1000, now)
	a.packet(5000, now.Add(80*time.Millisecond)) // audio arrived late: arrival anchoring is off by 80 ms
	// Both sender reports say: at NTP second 100, video was at 1000+90000, audio at 5000+48000.
	ntp := uint64(2208988800+100) << 32
	v.senderReport(ntp, 1000+90000)
	a.senderReport(ntp, 5000+48000)
	vm, am, ok := freezeMappings(v, a)
	if !ok {
		t.Fatal("no mapping")
	}
	if d := vm.at(1000) - am.at(5000); d != 0 {
		t.Errorf("with sender reports the first packets are %v apart, want 0", time.Duration(d))
	}
}
