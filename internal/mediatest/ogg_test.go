package mediatest

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// oggPageBytes builds one Ogg page of serial 1 with the given lacing values and body.
func oggPageBytes(flags byte, seq uint32, lacing, body []byte) []byte {
	h := make([]byte, oggHeaderSize, oggHeaderSize+len(lacing)+len(body))
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint32(h[14:], 1)
	binary.LittleEndian.PutUint32(h[18:], seq)
	h[26] = byte(len(lacing))
	page := append(append(h, lacing...), body...)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(0, page))
	return page
}

// lacingFor returns the lacing values of a packet of n bytes.
func lacingFor(n int) []byte {
	l := bytes.Repeat([]byte{255}, n/255)
	return append(l, byte(n%255))
}

// packetOf returns a packet of n bytes with the given TOC byte, filled with a pattern.
func packetOf(toc byte, n int) []byte {
	p := make([]byte, n)
	p[0] = toc
	for i := 1; i < n; i++ {
		p[i] = byte(i)
	}
	return p
}

// spanningStream is an Ogg Opus stream whose packets b and d span pages, and whose packet c is exactly
// 255 bytes long (so it ends with a zero lacing value).
func spanningStream() (stream []byte, want [][]byte) {
	head := append([]byte("OpusHead"), 1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0)
	tags := append([]byte("OpusTags"), 0, 0, 0, 0, 0, 0, 0, 0)
	a, b, c, d := packetOf(0x78, 300), packetOf(0x78, 700), packetOf(0x78, 255), packetOf(0x78, 600)
	stream = slices.Concat(
		oggPageBytes(oggBOS, 0, lacingFor(len(head)), head),
		oggPageBytes(0, 1, lacingFor(len(tags)), tags),
		// a, then the first 510 bytes of b
		oggPageBytes(0, 2, []byte{255, 45, 255, 255}, slices.Concat(a, b[:510])),
		// the last 190 bytes of b, c, then the first 255 bytes of d
		oggPageBytes(oggContinued, 3, []byte{190, 255, 0, 255}, slices.Concat(b[510:], c, d[:255])),
		// the last 345 bytes of d
		oggPageBytes(oggContinued|oggEOS, 4, []byte{255, 90}, d[255:]),
	)
	return stream, [][]byte{a, b, c, d}
}

func TestParseOggOpusSpanningPackets(t *testing.T) {
	stream, want := spanningStream()
	packets, err := ParseOggOpus(bytes.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(packets) != len(want) {
		t.Fatalf("got %d packets, want %d", len(packets), len(want))
	}
	for i := range want {
		if !bytes.Equal(packets[i].Data, want[i]) {
			t.Errorf("packet %d: got %d bytes, want %d", i, len(packets[i].Data), len(want[i]))
		}
		if packets[i].Duration != 20*time.Millisecond {
			t.Errorf("packet %d lasts %v, want 20ms", i, packets[i].Duration)
		}
	}
}

func TestParseOggOpusErrors(t *testing.T) {
	stream, _ := spanningStream()
	pages := splitPages(t, stream)
	corrupt := slices.Clone(stream)
	corrupt[len(corrupt)-1] ^= 0xff
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad checksum", corrupt},
		{"missing page", slices.Concat(pages[0], pages[1], pages[2], pages[4])},
		{"truncated last packet", slices.Concat(pages[0], pages[1], pages[2])},
		{"truncated page", stream[:len(stream)-10]},
		{"not opus", oggPageBytes(oggBOS|oggEOS, 0, []byte{3}, []byte("abc"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseOggOpus(bytes.NewReader(tt.data)); err == nil {
				t.Error("no error")
			} else {
				t.Log(err)
			}
		})
	}
}

// splitPages cuts a stream into its pages.
func splitPages(t *testing.T, stream []byte) [][]byte {
	t.Helper()
	var pages [][]byte
	for len(stream) > 0 {
		n := oggHeaderSize + int(stream[26])
		for _, l := range stream[oggHeaderSize:n] {
			n += int(l)
		}
		pages, stream = append(pages, stream[:n]), stream[n:]
	}
	return pages
}

func TestOpusPacketDuration(t *testing.T) {
	tests := []struct {
		name   string
		packet []byte
		want   time.Duration
	}{
		{"SILK 10 ms", []byte{0 << 3}, 10 * time.Millisecond},
		{"SILK 60 ms", []byte{3 << 3}, 60 * time.Millisecond},
		{"hybrid 20 ms", []byte{13 << 3}, 20 * time.Millisecond},
		{"CELT 2.5 ms", []byte{16 << 3}, 2500 * time.Microsecond},
		{"CELT 20 ms", []byte{31 << 3}, 20 * time.Millisecond},
		{"CELT 20 ms, two frames", []byte{31<<3 | 1}, 40 * time.Millisecond},
		{"CELT 10 ms, code 3, three frames", []byte{18<<3 | 3, 3}, 30 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := opusPacketDuration(tt.packet)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
