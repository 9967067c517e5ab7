package webm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Block is one frame read back from a file.
type Block struct {
	Track    uint64
	Keyframe bool
	Timecode int64 // milliseconds from the start of the file
	Data     []byte
}

// ErrNotWebM is returned for input that does not start like a WebM file.
var ErrNotWebM = errors.New("webm: not a WebM file")

// maxElement bounds what the reader allocates for one element, so a corrupt size
// cannot make it allocate without end.
const maxElement = 64 << 20

// Read reads a WebM file as Writer writes it: it calls onTracks with the file's
// tracks, then onBlock with each block, in file order. A file cut short (a crash) is
// read up to its last whole block without error.
func Read(r io.Reader, onTracks func([]Track) error, onBlock func(Block) error) error {
	er := &elementReader{r: bufio.NewReaderSize(r, 64<<10)}
	id, size, err := er.header()
	if err != nil || id != idEBML {
		return ErrNotWebM
	}
	if err := er.skip(size); err != nil {
		return ErrNotWebM
	}
	if id, _, err = er.header(); err != nil || id != idSegment {
		return ErrNotWebM
	}
	err = er.segment(onTracks, onBlock)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // the file was cut short: what was read stands
	}
	return err
}

type elementReader struct {
	r *bufio.Reader
}

// header reads an element's ID and size; size is -1 for "unknown".
func (er *elementReader) header() (id uint32, size int64, err error) {
	b, err := er.r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	n := bitsLen(b)
	if n > 4 {
		return 0, 0, fmt.Errorf("webm: bad element ID byte %#x", b)
	}
	id = uint32(b)
	for range n - 1 {
		c, err := er.r.ReadByte()
		if err != nil {
			return 0, 0, io.ErrUnexpectedEOF
		}
		id = id<<8 | uint32(c)
	}
	size, err = er.vint()
	return id, size, err
}

// bitsLen returns the length of an EBML variable-size integer from its first byte.
func bitsLen(b byte) int {
	for i := 0; i < 8; i++ {
		if b&(0x80>>i) != 0 {
			return i + 1
		}
	}
	return 9
}

func (er *elementReader) vint() (int64, error) {
	b, err := er.r.ReadByte()
	if err != nil {
		return 0, io.ErrUnexpectedEOF
	}
	n := bitsLen(b)
	if n > 8 {
		return 0, fmt.Errorf("webm: bad size byte %#x", b)
	}
	v := uint64(b & (0xFF >> n))
	allOnes := v == uint64(0xFF>>n)
	for range n - 1 {
		c, err := er.r.ReadByte()
		if err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xFF
	}
	if allOnes {
		return -1, nil
	}
	return int64(v), nil
}

func (er *elementReader) skip(size int64) error {
	if size < 0 {
		return fmt.Errorf("webm: cannot skip an element of unknown size")
	}
	_, err := er.r.Discard(int(size))
	if err != nil {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func (er *elementReader) read(size int64) ([]byte, error) {
	if size < 0 || size > maxElement {
		return nil, fmt.Errorf("webm: element of %d bytes", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(er.r, b); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

// segment reads the children of the Segment: Tracks and Clusters matter, the rest is skipped.
func (er *elementReader) segment(onTracks func([]Track) error, fn func(Block) error) error {
	pending := uint32(0) // an ID already read by a cluster of unknown size
	var psize int64
	for {
		id, size := pending, psize
		if pending == 0 {
			var err error
			if id, size, err = er.header(); err != nil {
				return err
			}
		}
		pending = 0
		switch id {
		case idTracks:
			b, err := er.read(size)
			if err != nil {
				return err
			}
			ts, err := parseTracks(b)
			if err != nil {
				return err
			}
			if err := onTracks(ts); err != nil {
				return err
			}
		case idCluster:
			var err error
			pending, psize, err = er.cluster(size, fn)
			if err != nil {
				return err
			}
		default:
			if err := er.skip(size); err != nil {
				return err
			}
		}
	}
}

// cluster reads one cluster's blocks. A cluster of unknown size ends at the next
// top-level element, whose header it returns.
func (er *elementReader) cluster(size int64, fn func(Block) error) (next uint32, nextSize int64, err error) {
	var base int64
	read := int64(0)
	for size < 0 || read < size {
		id, n, err := er.header()
		if err != nil {
			return 0, 0, err
		}
		if size < 0 && (id == idCluster || id == idCues || id == idTracks) {
			return id, n, nil
		}
		read += int64(len(appendID(nil, id))) + sizeLen(n) + max(n, 0)
		switch id {
		case idTimecode:
			b, err := er.read(n)
			if err != nil {
				return 0, 0, err
			}
			base = int64(readUint(b))
		case idSimpleBlock:
			b, err := er.read(n)
			if err != nil {
				return 0, 0, err
			}
			blk, ok := parseSimpleBlock(b, base)
			if ok {
				if err := fn(blk); err != nil {
					return 0, 0, err
				}
			}
		default:
			if err := er.skip(n); err != nil {
				return 0, 0, err
			}
		}
	}
	return 0, 0, nil
}

// sizeLen is how many bytes the writer's encoding of a size takes.
func sizeLen(n int64) int64 {
	return int64(len(appendSize(nil, uint64(max(n, 0)))))
}

func parseSimpleBlock(b []byte, base int64) (Block, bool) {
	if len(b) < 4 || b[0]&0x80 == 0 {
		return Block{}, false // only one-byte track numbers are written
	}
	rel := int16(binary.BigEndian.Uint16(b[1:3]))
	return Block{Track: uint64(b[0] & 0x7F), Keyframe: b[3]&0x80 != 0, Timecode: base + int64(rel), Data: b[4:]}, true
}

func readUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// parseTracks reads the TrackEntry elements the writer writes.
func parseTracks(b []byte) ([]Track, error) {
	var out []Track
	err := children(b, func(id uint32, v []byte) error {
		if id != idTrackEntry {
			return nil
		}
		var t Track
		err := children(v, func(id uint32, v []byte) error {
			switch id {
			case idTrackNumber:
				t.Number = readUint(v)
			case idTrackType:
				t.Video = readUint(v) == 1
			case idCodecID:
				t.CodecID = string(v)
			case idCodecPrivate:
				t.CodecPrivate = v
			case idCodecDelay:
				t.CodecDelay = time.Duration(readUint(v))
			case idSeekPreRoll:
				t.SeekPreRoll = time.Duration(readUint(v))
			case idVideo:
				return children(v, func(id uint32, v []byte) error {
					switch id {
					case idPixelWidth:
						t.Width = int(readUint(v))
					case idPixelHeight:
						t.Height = int(readUint(v))
					}
					return nil
				})
			case idAudio:
				return children(v, func(id uint32, v []byte) error {
					switch id {
					case idSamplingFrequency:
						if len(v) == 8 {
							t.SampleRate = math.Float64frombits(binary.BigEndian.Uint64(v))
						}
					case idChannels:
						t.Channels = int(readUint(v))
					}
					return nil
				})
			}
			return nil
		})
		out = append(out, t)
		return err
	})
	return out, err
}

// children calls fn for each element inside a master element's bytes.
func children(b []byte, fn func(id uint32, v []byte) error) error {
	er := &elementReader{r: bufio.NewReader(&sliceReader{b: b})}
	for {
		id, size, err := er.header()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := er.read(size)
		if err != nil {
			return err
		}
		if err := fn(id, v); err != nil {
			return err
		}
	}
}

type sliceReader struct{ b []byte }

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// Rebuild reads a file cut short, as a crash leaves it, and writes a finished,
// seekable copy of everything in it to out. It returns the copy's duration; a file
// with no block gives ErrEmpty.
func Rebuild(in io.Reader, out io.WriterAt, opts Options) (time.Duration, int64, error) {
	var w *Writer
	var last, step [128]int64 // per track: last timecode, last frame duration
	end, blocks := int64(0), 0
	err := Read(in, func(tracks []Track) error {
		var err error
		w, err = NewWriter(out, tracks, opts)
		return err
	}, func(b Block) error {
		if w == nil {
			return errNoTracks
		}
		if b.Track < 128 {
			if blocks > 0 && b.Timecode > last[b.Track] {
				step[b.Track] = min(b.Timecode-last[b.Track], 100) // a gap is not a long frame
			}
			last[b.Track] = b.Timecode
			end = max(end, b.Timecode+step[b.Track])
		}
		blocks++
		return w.WriteBlock(b.Track, b.Keyframe, b.Timecode, b.Data)
	})
	if err != nil {
		return 0, 0, err
	}
	if blocks == 0 {
		return 0, 0, ErrEmpty
	}
	d := time.Duration(end) * time.Millisecond
	if err := w.Close(d); err != nil {
		return 0, 0, err
	}
	return d, w.Size(), nil
}

// ErrEmpty is returned by Rebuild for a file that holds no block.
var ErrEmpty = errors.New("webm: no media in file")

var errNoTracks = errors.New("webm: blocks before the tracks")
