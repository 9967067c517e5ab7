// Package webm writes WebM files for recorded takes: one VP8 or VP9 video track and
// one Opus audio track, with clusters that start on video keyframes, a real Duration,
// and Cues, so that every browser can seek in them.
//
// The writer is synchronous and owned by one goroutine at a time: it has no
// goroutines or locks of its own. Output is buffered and written with WriteAt, so
// that sizes, the duration and the seek index can be patched in place when known.
// A file cut short (a crash) is still readable up to its last flush: the segment and
// the last cluster then have the EBML "unknown size".
package webm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Track describes one track of the file.
type Track struct {
	Number uint64 // 1-based
	Video  bool
	// CodecID is the Matroska codec ID: "V_VP8", "V_VP9" or "A_OPUS".
	CodecID      string
	CodecPrivate []byte
	CodecDelay   time.Duration
	SeekPreRoll  time.Duration
	// Video only.
	Width, Height int
	// Audio only.
	SampleRate float64
	Channels   int
}

// Options tune the writer.
type Options struct {
	// MaxClusterDuration starts a new cluster even without a video keyframe.
	// Zero means 5 s. It must stay below 32.767 s, the reach of a block's timecode.
	MaxClusterDuration time.Duration
	// FlushInterval writes buffered data out at least this often in media time, so a
	// crash loses little. Zero means 1 s.
	FlushInterval time.Duration
	// BufferSize is how many bytes are buffered before a write. Zero means 32 KiB.
	BufferSize int
	// WritingApp names the program in the file's Info.
	WritingApp string
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("webm: writer closed")

// ErrTimecode is returned for a block that is too far before its cluster to be written.
var ErrTimecode = errors.New("webm: block timecode out of range")

// seekHeadSpace is reserved after the segment header for the SeekHead, which is
// rewritten at Close to point at the Cues. Three Seek entries take 68 bytes.
const seekHeadSpace = 96

// Writer writes one WebM file.
type Writer struct {
	out  io.WriterAt
	opts Options

	buf []byte // data not yet written; it starts at file offset off
	off int64

	segmentData int64 // offset of the segment's first child
	infoPos     int64
	tracksPos   int64
	durationPos int64 // offset of the Duration float's 8 bytes

	videoTrack uint64
	inCluster  bool
	clusterPos int64 // offset of the current cluster's ID
	clusterTC  int64
	cues       []cuePoint
	flushedTC  int64
	lastTC     int64

	closed bool
	err    error
}

type cuePoint struct {
	tc  int64
	pos int64 // cluster position relative to segmentData
}

// NewWriter writes the file header for tracks to out and returns a writer for the blocks.
func NewWriter(out io.WriterAt, tracks []Track, opts Options) (*Writer, error) {
	if opts.MaxClusterDuration <= 0 || opts.MaxClusterDuration > 30*time.Second {
		opts.MaxClusterDuration = 5 * time.Second
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = time.Second
	}
	if opts.BufferSize <= 0 {
		opts.BufferSize = 32 << 10
	}
	if opts.WritingApp == "" {
		opts.WritingApp = "Takes"
	}
	w := &Writer{out: out, opts: opts, buf: make([]byte, 0, opts.BufferSize+4096)}
	for _, t := range tracks {
		if t.Video && w.videoTrack == 0 {
			w.videoTrack = t.Number
		}
	}
	w.writeHeader(tracks)
	if err := w.flush(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) writeHeader(tracks []Track) {
	var h []byte
	h = appendUint(h, idEBMLVersion, 1)
	h = appendUint(h, idEBMLReadVersion, 1)
	h = appendUint(h, idEBMLMaxIDLength, 4)
	h = appendUint(h, idEBMLMaxSizeLength, 8)
	h = appendString(h, idDocType, "webm")
	h = appendUint(h, idDocTypeVersion, 4)
	h = appendUint(h, idDocTypeReadVersion, 2)
	w.buf = appendMaster(w.buf, idEBML, h)

	w.buf = appendID(w.buf, idSegment)
	w.buf = appendSizeLen(w.buf, unknownSize, 8)
	w.segmentData = w.end()

	w.buf = append(w.buf, make([]byte, seekHeadSpace)...) // filled below, once positions are known

	w.infoPos = w.end()
	var info []byte
	info = appendUint(info, idTimecodeScale, uint64(time.Millisecond))
	info = appendString(info, idMuxingApp, w.opts.WritingApp)
	info = appendString(info, idWritingApp, w.opts.WritingApp)
	epoch := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	info = appendUint8(info, idDateUTC, uint64(time.Since(epoch).Nanoseconds()))
	info = appendFloat(info, idDuration, 0)
	w.buf = appendID(w.buf, idInfo)
	w.buf = appendSize(w.buf, uint64(len(info)))
	w.durationPos = w.end() + int64(len(info)) - 8
	w.buf = append(w.buf, info...)

	w.tracksPos = w.end()
	var ts []byte
	for _, t := range tracks {
		ts = appendMaster(ts, idTrackEntry, trackEntry(t))
	}
	w.buf = appendMaster(w.buf, idTracks, ts)

	w.patch(w.segmentData, w.seekHead(0))
}

func trackEntry(t Track) []byte {
	var e []byte
	e = appendUint(e, idTrackNumber, t.Number)
	e = appendUint(e, idTrackUID, t.Number)
	e = appendUint(e, idFlagLacing, 0)
	e = appendString(e, idCodecID, t.CodecID)
	if len(t.CodecPrivate) > 0 {
		e = appendBytes(e, idCodecPrivate, t.CodecPrivate)
	}
	if t.CodecDelay > 0 {
		e = appendUint(e, idCodecDelay, uint64(t.CodecDelay))
	}
	if t.SeekPreRoll > 0 {
		e = appendUint(e, idSeekPreRoll, uint64(t.SeekPreRoll))
	}
	if t.Video {
		e = appendUint(e, idTrackType, 1)
		var v []byte
		v = appendUint(v, idPixelWidth, uint64(t.Width))
		v = appendUint(v, idPixelHeight, uint64(t.Height))
		return appendMaster(e, idVideo, v)
	}
	e = appendUint(e, idTrackType, 2)
	var a []byte
	a = appendFloat(a, idSamplingFrequency, t.SampleRate)
	a = appendUint(a, idChannels, uint64(t.Channels))
	return appendMaster(e, idAudio, a)
}

// seekHead encodes the SeekHead, padded with a Void to exactly seekHeadSpace bytes.
func (w *Writer) seekHead(cuesPos int64) []byte {
	var s []byte
	s = appendSeek(s, idInfo, w.infoPos-w.segmentData)
	s = appendSeek(s, idTracks, w.tracksPos-w.segmentData)
	if cuesPos > 0 {
		s = appendSeek(s, idCues, cuesPos-w.segmentData)
	}
	out := appendMaster(nil, idSeekHead, s)
	return appendVoid(out, seekHeadSpace-len(out))
}

func appendSeek(b []byte, id uint32, pos int64) []byte {
	var s []byte
	s = appendBytes(s, idSeekID, appendID(nil, id))
	s = appendUint8(s, idSeekPosition, uint64(pos))
	return appendMaster(b, idSeek, s)
}

// WriteBlock writes one frame of a track at timecode tc (milliseconds from the start
// of the file). Blocks should come in timecode order across tracks. A video keyframe
// starts a new cluster and a seek point.
func (w *Writer) WriteBlock(track uint64, keyframe bool, tc int64, data []byte) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	videoKey := keyframe && track == w.videoTrack
	maxCluster := w.opts.MaxClusterDuration.Milliseconds()
	if !w.inCluster || videoKey && tc > w.clusterTC || tc-w.clusterTC >= maxCluster {
		w.startCluster(tc, videoKey || w.videoTrack == 0)
	}
	rel := tc - w.clusterTC
	if rel < math.MinInt16 || rel > math.MaxInt16 {
		return ErrTimecode
	}
	w.buf = append(w.buf, idSimpleBlock)
	w.buf = appendSize(w.buf, uint64(len(data)+4))
	w.buf = append(w.buf, 0x80|byte(track), byte(rel>>8), byte(rel))
	flags := byte(0)
	if keyframe {
		flags = 0x80
	}
	w.buf = append(w.buf, flags)
	w.buf = append(w.buf, data...)
	w.lastTC = max(w.lastTC, tc)
	if len(w.buf) >= w.opts.BufferSize || tc-w.flushedTC >= w.opts.FlushInterval.Milliseconds() {
		w.flushedTC = tc
		w.err = w.flush()
	}
	return w.err
}

func (w *Writer) startCluster(tc int64, cue bool) {
	w.closeCluster()
	w.inCluster = true
	w.clusterTC = max(tc, 0)
	w.clusterPos = w.end()
	if cue {
		w.cues = append(w.cues, cuePoint{tc: w.clusterTC, pos: w.clusterPos - w.segmentData})
	}
	w.buf = appendID(w.buf, idCluster)
	w.buf = appendSizeLen(w.buf, unknownSize, 8)
	w.buf = appendUint(w.buf, idTimecode, uint64(w.clusterTC))
}

// closeCluster gives the open cluster its real size and refreshes the Duration,
// so that a file cut short after this point still reports a sensible length.
func (w *Writer) closeCluster() {
	if !w.inCluster {
		return
	}
	size := w.end() - (w.clusterPos + 4 + 8)
	w.patch(w.clusterPos+4, appendSizeLen(nil, uint64(size), 8))
	w.patch(w.durationPos, binary.BigEndian.AppendUint64(nil, math.Float64bits(float64(w.lastTC))))
	w.inCluster = false
}

// Close finishes the file: the last cluster's size, the Cues, the SeekHead entry for
// them, the Duration (in milliseconds) and the segment size. It does not close out.
func (w *Writer) Close(duration time.Duration) error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	w.closeCluster()
	cuesPos := int64(0)
	if len(w.cues) > 0 {
		cuesPos = w.end()
		w.buf = append(w.buf, w.encodeCues()...)
	}
	w.patch(w.segmentData, w.seekHead(cuesPos))
	d := max(float64(duration)/float64(time.Millisecond), float64(w.lastTC))
	w.patch(w.durationPos, binary.BigEndian.AppendUint64(nil, math.Float64bits(d)))
	w.patch(w.segmentData-8, appendSizeLen(nil, uint64(w.end()-w.segmentData), 8))
	w.err = w.flush()
	return w.err
}

func (w *Writer) encodeCues() []byte {
	var c []byte
	for _, p := range w.cues {
		var tp []byte
		tp = appendUint(tp, idCueTrack, max(w.videoTrack, 1))
		tp = appendUint(tp, idCueClusterPosition, uint64(p.pos))
		var cp []byte
		cp = appendUint(cp, idCueTime, uint64(p.tc))
		cp = appendMaster(cp, idCueTrackPositions, tp)
		c = appendMaster(c, idCuePoint, cp)
	}
	return appendMaster(nil, idCues, c)
}

// Size returns the number of bytes in the file so far, buffered ones included.
func (w *Writer) Size() int64 { return w.end() }

// Err returns the first write error, if any.
func (w *Writer) Err() error { return w.err }

func (w *Writer) end() int64 { return w.off + int64(len(w.buf)) }

// patch overwrites bytes at file offset pos, in the buffer or in the file.
func (w *Writer) patch(pos int64, b []byte) {
	if w.err != nil {
		return
	}
	if n := w.off - pos; n > 0 {
		head := b[:min(n, int64(len(b)))]
		if _, err := w.out.WriteAt(head, pos); err != nil {
			w.err = fmt.Errorf("webm: patch: %w", err)
			return
		}
		b, pos = b[len(head):], w.off
	}
	copy(w.buf[pos-w.off:], b)
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.out.WriteAt(w.buf, w.off); err != nil {
		return fmt.Errorf("webm: write: %w", err)
	}
	w.off += int64(len(w.buf))
	w.buf = w.buf[:0]
	if cap(w.buf) > 2*w.opts.BufferSize+4096 {
		// A keyframe grew the buffer: give the memory back rather than keep it all take long.
		w.buf = make([]byte, 0, w.opts.BufferSize+4096)
	}
	return nil
}
