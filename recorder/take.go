package recorder

import (
	"errors"
	"io"
	"time"

	"github.com/takes/takes/recorder/webm"
)

const (
	trackVideo = 0
	trackAudio = 1
)

// Opus in WebM: the OpusHead identification header (version 1, 2 channels, 48 kHz)
// with a pre-skip of 0, and no CodecDelay. A take is cut from the middle of a
// running stream: the encoder's start-up delay was spent long before, so there is
// nothing to skip, and a CodecDelay would give the first audio block a negative
// time, which Chromium's demuxer cannot seek in. The 80 ms of SeekPreRoll let the
// decoder settle after a seek, as the Matroska mapping asks.
var opusHead = []byte{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0, 0, 0x80, 0xBB, 0, 0, 0, 0, 0}

const (
	opusSeekPreRoll = 80 * time.Millisecond
	// opusLookahead is how much later than its RTP time an Opus frame's sound comes
	// out of the decoder (the encoder's look-ahead, 312 samples at 48 kHz).
	opusLookahead = 6500 * time.Microsecond
	// reanchorAfter is how far a track's clock may drift from arrival times before
	// it is re-anchored.
	reanchorAfter = 1500 * time.Millisecond
	// maxFrameDuration bounds the duration given to the last frame of a track, so
	// that a gap in the media (the network was down) does not lengthen the take.
	maxFrameDuration = 100 * time.Millisecond
	// interleaveHold is how long one track's frames wait for the other track's before
	// they are written anyway (a muted microphone, Opus DTX, a stalled stream).
	interleaveHold = 300 * time.Millisecond
	// preRoll is how much audio is kept while waiting for the first keyframe, so the
	// take has sound from its first picture.
	preRoll = 500 * time.Millisecond
)

// Result describes a finished take.
type Result struct {
	Duration time.Duration
	Bytes    int64
	Stats    Stats
}

// Stats counts what happened to a take's media while it was recorded.
type Stats struct {
	VideoFrames      uint64 // written
	AudioFrames      uint64 // written
	KeyframeRequests uint64
	PacketsLost      uint64
	PacketsRecovered uint64 // came late but in time: retransmitted after a NACK, or reordered
	FramesDropped    uint64
	// FirstFrameDelay is the time from the record command to the first keyframe written.
	FirstFrameDelay time.Duration
	// AudioStart is the time of the first audio frame in the file (the picture starts at 0).
	AudioStart time.Duration
	// Reanchors counts the times a track's clock jumped and was re-anchored.
	Reanchors uint64
	// BlocksDropped counts frames too far out of order to be written.
	BlocksDropped uint64
}

// queued is a frame waiting to be written in timestamp order.
type queued struct {
	t    int64 // ns on the connection's timeline
	key  bool
	data []byte
}

// takeWriter writes one take. It opens the file at the first video keyframe and then
// writes both tracks in timestamp order. The session's lock guards it.
type takeWriter struct {
	file       io.WriterAt
	events     TakeEvents
	videoCodec codec
	hasAudio   bool
	maps       [2]mapping
	armedAt    time.Time
	sync       *syncer // flushes the file in the background, when it can be synced
	syncFile   syncable
	limit      int64 // ns; zero for none
	limited    bool  // the limit was reached

	mux     *webm.Writer
	t0      int64 // timeline time of the first keyframe, ns
	queues  [2][]queued
	latest  [2]int64 // newest frame queued per track, ns
	lastDur [2]int64 // duration of the last written frame per track, ns
	lastT   [2]int64
	lastTC  [2]int64 // block time of the last written frame per track, ms
	written [2]bool  // whether lastTC is set
	skew    [2]int64 // timeline time minus arrival time of each track's first frame, ns
	skewSet [2]bool
	endT    int64 // end of the last written frame, ns
	stopAt  int64 // arrival time (Unix ns) of Stop, once it was asked for; later frames are not the take's
	free    [][]byte
	stats   Stats
	// Loss counters of the tracks when the take began, to count the take's own.
	base lossCounts
	err  error // the first write error; the take is over
}

func (w *takeWriter) started() bool { return w.mux != nil }

// push takes one complete frame of a track, with its unwrapped RTP timestamp.
func (w *takeWriter) push(track int, rtpTime int64, key bool, data []byte, now time.Time) {
	if w.err != nil {
		return
	}
	t := w.timeOf(track, rtpTime, now)
	if !w.started() {
		if track == trackAudio {
			w.enqueue(track, t, key, data)
			w.pruneBefore(trackAudio, t-int64(preRoll))
			return
		}
		if !key || !w.open(data, t, now) {
			return
		}
	}
	if t < w.t0 || t < w.latest[track] {
		return // before the take began, or out of order
	}
	if w.stopAt != 0 && t-w.skew[track] > w.stopAt {
		return // sent after Stop, while the take waited for a repair
	}
	if w.limit > 0 && t-w.t0 >= w.limit {
		if !w.limited {
			w.limited = true
			w.events.TakeLimitReached()
		}
		return
	}
	w.enqueue(track, t, key, data)
	w.drain(false)
}

// timeOf places a frame on the take's timeline. Opus output lags its RTP time by the
// encoder's look-ahead, so audio is moved earlier by it to stay in sync with the
// picture. A track whose clock falls behind real time by more than reanchorAfter
// (some browsers stop the audio clock while muted) is re-anchored to the frame's
// arrival, so its media lands where it was heard, not seconds off. The reference
// is the track's least-delayed frame so far: frames arriving sooner than the first
// ones (which a busy server or network held back) mean the first were late, not
// that the track's clock jumped, and they keep their place.
func (w *takeWriter) timeOf(track int, rtpTime int64, now time.Time) int64 {
	t := w.maps[track].at(rtpTime)
	if track == trackAudio {
		t -= int64(opusLookahead)
	}
	skew := t - now.UnixNano()
	if !w.skewSet[track] || skew > w.skew[track] {
		w.skew[track], w.skewSet[track] = skew, true
		return t
	}
	if w.skew[track]-skew > int64(reanchorAfter) {
		m := &w.maps[track]
		m.refRTP, m.refTime = rtpTime, now.UnixNano()+w.skew[track]
		if track == trackAudio {
			m.refTime += int64(opusLookahead)
		}
		w.stats.Reanchors++
		t = now.UnixNano() + w.skew[track]
	}
	return t
}

// open starts the file at a keyframe.
func (w *takeWriter) open(key []byte, t int64, now time.Time) bool {
	width, height, ok := frameSize(w.videoCodec, key)
	if !ok {
		width, height = 640, 480 // the decoder reads the real size from the stream
	}
	tracks := []webm.Track{{Number: 1, Video: true, CodecID: codecID(w.videoCodec), Width: width, Height: height}}
	if w.hasAudio {
		tracks = append(tracks, webm.Track{
			Number: 2, CodecID: "A_OPUS", CodecPrivate: opusHead,
			SeekPreRoll: opusSeekPreRoll, SampleRate: 48000, Channels: 2,
		})
	}
	mux, err := webm.NewWriter(w.file, tracks, webm.Options{})
	if err != nil {
		w.fail(err)
		return false
	}
	w.mux, w.t0 = mux, t
	w.stats.FirstFrameDelay = now.Sub(w.armedAt)
	w.pruneBefore(trackAudio, t)
	w.events.TakeStarted()
	return true
}

func codecID(c codec) string {
	if c == codecVP9 {
		return "V_VP9"
	}
	return "V_VP8"
}

func (w *takeWriter) enqueue(track int, t int64, key bool, data []byte) {
	var buf []byte
	if n := len(w.free); n > 0 {
		buf, w.free = w.free[n-1][:0], w.free[:n-1]
	}
	w.queues[track] = append(w.queues[track], queued{t: t, key: key, data: append(buf, data...)})
	w.latest[track] = t
}

// Frame buffers are reused, but not many, nor big ones (keyframes): kept, every
// buffer would grow to the largest frame and stay that size for the whole take.
const (
	maxFreeFrames  = 32
	maxPooledFrame = 16 << 10
)

func (w *takeWriter) recycle(b []byte) {
	if len(w.free) < maxFreeFrames && cap(b) <= maxPooledFrame {
		w.free = append(w.free, b)
	}
}

func (w *takeWriter) pruneBefore(track int, t int64) {
	q := w.queues[track]
	i := 0
	for i < len(q) && q[i].t < t {
		w.recycle(q[i].data)
		i++
	}
	w.queues[track] = append(q[:0], q[i:]...)
}

// drain writes queued frames while their order is certain: a frame is written once the
// other track has caught up with it, or after interleaveHold. With all, it writes everything.
func (w *takeWriter) drain(all bool) {
	for w.err == nil {
		tr := w.nextTrack(all)
		if tr < 0 {
			return
		}
		q := w.queues[tr]
		f := q[0]
		w.write(tr, f)
		w.recycle(f.data)
		w.queues[tr] = append(q[:0], q[1:]...)
	}
}

func (w *takeWriter) nextTrack(all bool) int {
	v, a := w.queues[trackVideo], w.queues[trackAudio]
	switch {
	case len(v) > 0 && len(a) > 0:
		if a[0].t < v[0].t {
			return trackAudio
		}
		return trackVideo
	case len(v) > 0:
		if all || !w.hasAudio || v[0].t <= w.latest[trackAudio] || w.latest[trackVideo]-v[0].t > int64(interleaveHold) {
			return trackVideo
		}
	case len(a) > 0:
		if all || a[0].t <= w.latest[trackVideo] || w.latest[trackAudio]-a[0].t > int64(interleaveHold) {
			return trackAudio
		}
	}
	return -1
}

func (w *takeWriter) write(track int, f queued) {
	// Block times are whole milliseconds: two frames of a track less than 1 ms
	// apart (after a re-anchor) would share one, which players take for a
	// timestamp going backwards. The later one moves 1 ms on.
	tc := (f.t - w.t0) / int64(time.Millisecond)
	if w.written[track] && tc <= w.lastTC[track] {
		tc = w.lastTC[track] + 1
	}
	err := w.mux.WriteBlock(uint64(track+1), f.key, tc, f.data)
	if w.sync != nil {
		w.sync.mark(w.syncFile)
	}
	if errors.Is(err, webm.ErrTimecode) {
		w.stats.BlocksDropped++ // one frame out of place is not worth the take
		return
	}
	if err != nil {
		w.fail(err)
		return
	}
	w.lastTC[track], w.written[track] = tc, true
	if w.lastT[track] != 0 && f.t > w.lastT[track] {
		w.lastDur[track] = min(f.t-w.lastT[track], int64(maxFrameDuration))
	}
	w.lastT[track] = f.t
	w.endT = max(w.endT, f.t+w.lastDur[track])
	if track == trackVideo {
		w.stats.VideoFrames++
		return
	}
	if w.stats.AudioFrames == 0 {
		w.stats.AudioStart = time.Duration(f.t - w.t0)
	}
	w.stats.AudioFrames++
}

func (w *takeWriter) fail(err error) {
	if w.err != nil {
		return
	}
	w.err = err
	w.events.TakeFailed(err)
}

// finish writes what is queued and closes the file's structure. The caller owns the file.
func (w *takeWriter) finish() (Result, error) {
	if w.sync != nil {
		w.sync.forget(w.syncFile)
	}
	if w.err != nil {
		return Result{}, w.err
	}
	if !w.started() {
		return Result{}, ErrEmptyTake
	}
	w.drain(true)
	if w.err != nil {
		return Result{}, w.err
	}
	d := time.Duration(w.endT - w.t0)
	if err := w.mux.Close(d); err != nil {
		return Result{}, err
	}
	return Result{Duration: d, Bytes: w.mux.Size(), Stats: w.stats}, nil
}
