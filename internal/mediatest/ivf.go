package mediatest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// VideoFrame is one encoded frame of an IVF file.
type VideoFrame struct {
	Data     []byte
	Keyframe bool
	PTS      uint64 // presentation time, in units of the file's timebase
}

// IVF is an IVF file read into memory.
type IVF struct {
	FourCC        string // "VP80" or "VP90"
	Width, Height int
	// The timebase is TimebaseNum/TimebaseDen seconds; for a 30 fps file it is usually 1/30.
	TimebaseNum, TimebaseDen uint32
	Frames                   []VideoFrame
}

const (
	ivfHeaderSize      = 32
	ivfFrameHeaderSize = 12
	ivfMaxFrame        = 16 << 20 // a sanity bound, far above any test frame
)

// ErrUnknownFourCC is returned for an IVF file whose codec is neither VP8 nor VP9.
var ErrUnknownFourCC = errors.New("mediatest: IVF codec is neither VP8 nor VP9")

// ReadIVF reads a whole IVF file of VP8 or VP9 frames and marks the keyframes.
func ReadIVF(path string) (*IVF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mediatest: read IVF: %w", err)
	}
	defer f.Close()
	ivf, err := ParseIVF(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return ivf, nil
}

// ParseIVF reads an IVF stream of VP8 or VP9 frames until EOF and marks the keyframes.
func ParseIVF(r io.Reader) (*IVF, error) {
	ivf, err := parseIVFHeader(r)
	if err != nil {
		return nil, err
	}
	isKey := IsVP8Keyframe
	if ivf.FourCC == "VP90" {
		isKey = IsVP9Keyframe
	}
	for {
		frame, err := readIVFFrame(r)
		if errors.Is(err, io.EOF) {
			return ivf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("mediatest: IVF frame %d: %w", len(ivf.Frames), err)
		}
		frame.Keyframe = isKey(frame.Data)
		ivf.Frames = append(ivf.Frames, frame)
	}
}

// parseIVFHeader reads the 32-byte file header (and skips the rest of a longer one).
func parseIVFHeader(r io.Reader) (*IVF, error) {
	var h [ivfHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("mediatest: IVF header: %w", err)
	}
	if string(h[0:4]) != "DKIF" {
		return nil, fmt.Errorf("mediatest: IVF header: bad signature %q", h[0:4])
	}
	le := binary.LittleEndian
	if size := int64(le.Uint16(h[6:8])); size > ivfHeaderSize {
		if _, err := io.CopyN(io.Discard, r, size-ivfHeaderSize); err != nil {
			return nil, fmt.Errorf("mediatest: IVF header: %w", err)
		}
	}
	ivf := &IVF{
		FourCC:      string(h[8:12]),
		Width:       int(le.Uint16(h[12:14])),
		Height:      int(le.Uint16(h[14:16])),
		TimebaseDen: le.Uint32(h[16:20]),
		TimebaseNum: le.Uint32(h[20:24]),
	}
	if ivf.FourCC != "VP80" && ivf.FourCC != "VP90" {
		return nil, fmt.Errorf("%w: %q", ErrUnknownFourCC, ivf.FourCC)
	}
	return ivf, nil
}

// readIVFFrame reads one 12-byte frame header and its frame. It returns io.EOF only at a clean end.
func readIVFFrame(r io.Reader) (VideoFrame, error) {
	var h [ivfFrameHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return VideoFrame{}, err
	}
	size := binary.LittleEndian.Uint32(h[0:4])
	if size == 0 || size > ivfMaxFrame {
		return VideoFrame{}, fmt.Errorf("bad frame size %d", size)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return VideoFrame{}, fmt.Errorf("truncated frame: %w", noEOF(err))
	}
	return VideoFrame{Data: data, PTS: binary.LittleEndian.Uint64(h[4:12])}, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF, for reads that must not end where they did.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// IsVP8Keyframe reports whether a VP8 frame is a keyframe: bit 0 of the frame tag is 0 for one (RFC 6386,
// section 9.1), and a keyframe carries the start code 9d 01 2a after the 3-byte tag.
func IsVP8Keyframe(frame []byte) bool {
	return len(frame) >= 6 && frame[0]&1 == 0 && bytes.Equal(frame[3:6], []byte{0x9d, 0x01, 0x2a})
}

// IsVP9Keyframe reports whether a VP9 frame is a keyframe, from the first fields of its uncompressed header
// (VP9 bitstream specification, section 6.2): frame_marker, profile, show_existing_frame, frame_type.
func IsVP9Keyframe(frame []byte) bool {
	b := bitReader{data: frame}
	if b.read(2) != 2 { // frame_marker
		return false
	}
	low := b.read(1)
	profile := b.read(1)<<1 | low
	if profile == 3 {
		b.read(1) // reserved_zero
	}
	if b.read(1) == 1 { // show_existing_frame: a repeat of an earlier frame, no picture data
		return false
	}
	return !b.overrun && b.read(1) == 0 && !b.overrun // frame_type: KEY_FRAME is 0
}

// bitReader reads bits most significant first. Reading past the end gives zeros and sets overrun.
type bitReader struct {
	data    []byte
	pos     int // in bits
	overrun bool
}

// read returns the next n bits (n ≤ 32) as an unsigned number.
func (b *bitReader) read(n int) uint32 {
	var v uint32
	for range n {
		v <<= 1
		if b.pos >= 8*len(b.data) {
			b.overrun = true
			continue
		}
		v |= uint32(b.data[b.pos/8]>>(7-b.pos%8)) & 1
		b.pos++
	}
	return v
}
