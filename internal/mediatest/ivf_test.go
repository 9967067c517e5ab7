package mediatest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func TestVP9Keyframe(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		want  bool
	}{
		{"profile 0 key", []byte{0x80, 0x49, 0x83}, true},
		{"profile 0 inter", []byte{0x84, 0x00}, false},
		{"profile 0 show existing", []byte{0x88}, false},
		{"profile 1 key", []byte{0xa0, 0x49}, true},
		{"profile 1 inter", []byte{0xa4, 0x00}, false},
		{"profile 2 key", []byte{0x90, 0x49}, true},
		{"profile 3 key", []byte{0xb0, 0x49}, true},
		{"profile 3 inter", []byte{0xb2, 0x00}, false},
		{"profile 3 show existing", []byte{0xb4, 0x00}, false},
		{"bad frame marker", []byte{0x00, 0x00}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsVP9Keyframe(tt.frame); got != tt.want {
				t.Errorf("IsVP9Keyframe(% x) = %v, want %v", tt.frame, got, tt.want)
			}
		})
	}
}

func TestVP8Keyframe(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		want  bool
	}{
		{"key", []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01}, true},
		{"inter", []byte{0x11, 0x02, 0x00, 0x12, 0x34}, false},
		{"key without start code", []byte{0x10, 0x02, 0x00, 0x00, 0x00, 0x00}, false},
		{"short", []byte{0x10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsVP8Keyframe(tt.frame); got != tt.want {
				t.Errorf("IsVP8Keyframe(% x) = %v, want %v", tt.frame, got, tt.want)
			}
		})
	}
}

// ivfFile builds an IVF stream with the given frames.
func ivfFile(fourcc string, frames ...[]byte) []byte {
	h := make([]byte, ivfHeaderSize)
	copy(h, "DKIF")
	binary.LittleEndian.PutUint16(h[6:], ivfHeaderSize)
	copy(h[8:], fourcc)
	binary.LittleEndian.PutUint16(h[12:], 320)
	binary.LittleEndian.PutUint16(h[14:], 240)
	binary.LittleEndian.PutUint32(h[16:], 30)
	binary.LittleEndian.PutUint32(h[20:], 1)
	for i, f := range frames {
		h = binary.LittleEndian.AppendUint32(h, uint32(len(f)))
		h = binary.LittleEndian.AppendUint64(h, uint64(i))
		h = append(h, f...)
	}
	return h
}

func TestParseIVF(t *testing.T) {
	key := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01}
	inter := []byte{0x11, 0x02, 0x00, 0x12}
	ivf, err := ParseIVF(bytes.NewReader(ivfFile("VP80", key, inter, inter)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ivf.Frames) != 3 || !ivf.Frames[0].Keyframe || ivf.Frames[1].Keyframe || ivf.Frames[2].PTS != 2 {
		t.Errorf("frames = %+v", ivf.Frames)
	}
}

func TestParseIVFErrors(t *testing.T) {
	good := ivfFile("VP80", []byte{1, 2, 3, 4})
	tests := []struct {
		name string
		data []byte
		want error // nil: any error
	}{
		{"empty", nil, io.EOF},
		{"bad signature", append([]byte("RIFF"), good[4:]...), nil},
		{"h264", ivfFile("H264"), ErrUnknownFourCC},
		{"truncated frame", good[:len(good)-1], io.ErrUnexpectedEOF},
		{"truncated frame header", good[:ivfHeaderSize+5], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIVF(bytes.NewReader(tt.data))
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
