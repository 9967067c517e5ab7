package mediatest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// AudioPacket is one Opus packet of an Ogg Opus file.
type AudioPacket struct {
	Data     []byte
	Duration time.Duration // from the packet's TOC byte (RFC 6716, section 3.1)
}

// Ogg page header flags (RFC 3533, section 6).
const (
	oggContinued = 0x01
	oggBOS       = 0x02
	oggEOS       = 0x04

	oggHeaderSize = 27
)

// ReadOggOpus reads the Opus packets of the first logical stream of an Ogg file, without the OpusHead and
// OpusTags header packets.
func ReadOggOpus(path string) ([]AudioPacket, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mediatest: read Ogg: %w", err)
	}
	defer f.Close()
	packets, err := ParseOggOpus(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return packets, nil
}

// ParseOggOpus is ReadOggOpus on a stream. It checks page checksums and sequence numbers, and joins
// packets that span pages.
func ParseOggOpus(r io.Reader) ([]AudioPacket, error) {
	raw, err := readOggPackets(r)
	if err != nil {
		return nil, err
	}
	if len(raw) < 2 || !bytes.HasPrefix(raw[0], []byte("OpusHead")) || !bytes.HasPrefix(raw[1], []byte("OpusTags")) {
		return nil, errors.New("mediatest: Ogg: not an Opus stream (no OpusHead and OpusTags packets)")
	}
	packets := make([]AudioPacket, 0, len(raw)-2)
	for i, data := range raw[2:] {
		d, err := opusPacketDuration(data)
		if err != nil {
			return nil, fmt.Errorf("mediatest: Opus packet %d: %w", i, err)
		}
		packets = append(packets, AudioPacket{Data: data, Duration: d})
	}
	return packets, nil
}

// oggPage is one parsed page: its header fields and, per segment, the lacing values and body.
type oggPage struct {
	flags  byte
	serial uint32
	seq    uint32
	lacing []byte
	body   []byte
}

// oggStream gathers the packets of one logical bitstream, page by page.
type oggStream struct {
	started bool
	serial  uint32
	lastSeq uint32
	ended   bool
	packets [][]byte
	partial []byte // a packet begun on an earlier page; nil when none
}

// readOggPackets returns every packet of the stream's first logical bitstream, in order.
func readOggPackets(r io.Reader) ([][]byte, error) {
	var s oggStream
	for n := 0; !s.ended; n++ {
		page, err := readOggPage(r)
		if errors.Is(err, io.EOF) && s.started {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mediatest: Ogg page %d: %w", n, err)
		}
		if err := s.add(page); err != nil {
			return nil, fmt.Errorf("mediatest: Ogg page %d: %w", n, err)
		}
	}
	if s.partial != nil {
		return nil, errors.New("mediatest: Ogg: the last packet is truncated")
	}
	return s.packets, nil
}

// add takes the packets of a page, after checking that it follows the previous page of the stream. Pages
// of other logical streams multiplexed with the first one are ignored.
func (s *oggStream) add(p *oggPage) error {
	switch {
	case !s.started && p.flags&oggBOS == 0:
		return errors.New("first page is not a beginning of stream")
	case !s.started:
		s.started, s.serial = true, p.serial
	case p.serial != s.serial:
		return nil
	case p.seq != s.lastSeq+1:
		return fmt.Errorf("page sequence %d after %d: a page is missing", p.seq, s.lastSeq)
	}
	if continued := p.flags&oggContinued != 0; continued != (s.partial != nil) {
		return fmt.Errorf("continued flag %v, but a packet is unfinished: %v", continued, s.partial != nil)
	}
	s.lastSeq, s.ended = p.seq, p.flags&oggEOS != 0
	s.appendPackets(p)
	return nil
}

// appendPackets splits the page body into packets along its lacing values: a packet ends at the first
// lacing value under 255, so a last value of 255 means the packet goes on in the next page.
func (s *oggStream) appendPackets(p *oggPage) {
	body := p.body
	for _, l := range p.lacing {
		if s.partial == nil {
			s.partial = []byte{}
		}
		s.partial = append(s.partial, body[:l]...)
		body = body[l:]
		if l < 255 {
			s.packets = append(s.packets, s.partial)
			s.partial = nil
		}
	}
}

// readOggPage reads and checks one page. It returns io.EOF only at a clean end between pages.
func readOggPage(r io.Reader) (*oggPage, error) {
	var h [oggHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	if string(h[0:4]) != "OggS" || h[4] != 0 {
		return nil, fmt.Errorf("bad capture pattern or version %q %d", h[0:4], h[4])
	}
	lacing := make([]byte, h[26])
	if _, err := io.ReadFull(r, lacing); err != nil {
		return nil, noEOF(err)
	}
	size := 0
	for _, l := range lacing {
		size += int(l)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, noEOF(err)
	}
	if err := checkOggCRC(h, lacing, body); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	return &oggPage{flags: h[5], serial: le.Uint32(h[14:18]), seq: le.Uint32(h[18:22]), lacing: lacing, body: body}, nil
}

// checkOggCRC compares the page's checksum with one computed over the page with the checksum field zeroed.
func checkOggCRC(h [oggHeaderSize]byte, lacing, body []byte) error {
	want := binary.LittleEndian.Uint32(h[22:26])
	clear(h[22:26])
	got := oggCRC(oggCRC(oggCRC(0, h[:]), lacing), body)
	if got != want {
		return fmt.Errorf("checksum %08x, page says %08x", got, want)
	}
	return nil
}

// oggCRCTable is the table of Ogg's CRC-32: generator 0x04c11db7, bits not reflected.
var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// oggCRC continues the Ogg checksum crc over data (start with 0; there is no final inversion).
func oggCRC(crc uint32, data []byte) uint32 {
	for _, b := range data {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^b]
	}
	return crc
}

// opusPacketDuration is the audio length of an Opus packet: the frame size its TOC byte's configuration
// implies, times the number of frames its code says it holds (RFC 6716, sections 3.1 and 3.2).
func opusPacketDuration(p []byte) (time.Duration, error) {
	if len(p) == 0 {
		return 0, errors.New("empty packet")
	}
	frames := 1
	switch p[0] & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(p) < 2 {
			return 0, errors.New("code 3 packet without a frame count")
		}
		frames = int(p[1] & 0x3f)
	}
	return time.Duration(frames) * opusFrameSize(p[0]>>3), nil
}

// opusFrameSize is the duration of one frame of an Opus configuration number (0–31).
func opusFrameSize(config byte) time.Duration {
	silk := [4]time.Duration{10, 20, 40, 60}
	celt := [4]time.Duration{25, 50, 100, 200} // tenths of a millisecond
	switch {
	case config < 12:
		return silk[config%4] * time.Millisecond
	case config < 16:
		return silk[config%2] * time.Millisecond
	default:
		return celt[config%4] * time.Millisecond / 10
	}
}
