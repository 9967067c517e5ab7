package mediatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Clips and measurements for fidelity tests: does a recording keep the picture and the sound in step,
// survive a change of picture size, and keep time across a silence?

// syncFlashEvery is the period of MakeSyncClip's flashes and clicks.
const syncFlashEvery = time.Second

// MakeSyncClip makes a VP8 clip (320x240, 30 fps, a keyframe every 15 frames) of black frames where the
// first frame of every second is white, with Opus audio that is silent but for a 10 ms 1 kHz click at the
// start of every second: in a recording that keeps audio and video in step, each flash and its click fall
// at the same time. The clip is d long; make it longer than the test streams it, so the peer never loops
// it (audio and video loops differ by a packet, which would shift one against the other).
func MakeSyncClip(t testing.TB, dir string, d time.Duration) Clip {
	t.Helper()
	RequireTools(t)
	opts, err := ClipOptions{Duration: d}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	clip := Clip{
		ClipOptions:    opts,
		VideoPath:      filepath.Join(dir, "sync.ivf"),
		AudioPath:      filepath.Join(dir, "sync.ogg"),
		FrameDuration:  time.Second / time.Duration(opts.FPS),
		PacketDuration: opusFrame,
	}
	flashEvery := strconv.Itoa(int(syncFlashEvery.Seconds()) * opts.FPS)
	video := []string{
		"-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("color=c=black:size=%dx%d:rate=%d", opts.Width, opts.Height, opts.FPS),
		"-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(mod(n," + flashEvery + "),0)'",
	}
	video = append(video, encodeArgs(opts, clip.VideoPath)...)
	secs := strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	audio := []string{
		"-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*1000*t)*lt(mod(t,1),0.01)':s=48000:d=" + secs,
		"-ac", "1", "-c:a", "libopus", "-b:a", "64000", "-frame_duration", "20", "-f", "ogg", clip.AudioPath,
	}
	ctx, cancel := context.WithTimeout(t.Context(), generateTimeout+d) // long clips take longer to encode
	defer cancel()
	for _, args := range [][]string{video, audio} {
		if _, _, err := run(ctx, "ffmpeg", args...); err != nil {
			t.Fatal(err)
		}
	}
	if clip, err = clip.count(); err != nil {
		t.Fatal(err)
	}
	return clip
}

// JoinClips makes one clip whose video is the video of each part in turn (each part starts with a
// keyframe, so a change of picture size between parts happens on a keyframe, as when a browser's camera
// or its encoder changes resolution), with audio as long as the whole. The parts must share codec and
// frame rate; the clip's Width and Height are the first part's.
func JoinClips(t testing.TB, dir string, parts ...ClipOptions) Clip {
	t.Helper()
	RequireTools(t)
	if len(parts) == 0 {
		t.Fatal("mediatest: JoinClips without parts")
	}
	var frames []VideoFrame
	var total time.Duration
	var first Clip
	var header *IVF
	for i, p := range parts {
		part := MakeClip(t, dir, p)
		if i == 0 {
			first = part
		} else if part.Codec != first.Codec || part.FPS != first.FPS {
			t.Fatalf("mediatest: JoinClips: part %d (%s, %d fps) differs from the first", i, part.Codec, part.FPS)
		}
		ivf, err := ReadIVF(part.VideoPath)
		if err != nil {
			t.Fatal(err)
		}
		if header == nil {
			header = ivf
		}
		frames = append(frames, ivf.Frames...)
		total += part.Duration
	}
	opts := first.ClipOptions
	opts.Duration = total
	clip := Clip{
		ClipOptions:    opts,
		VideoPath:      filepath.Join(dir, "joined-"+opts.baseName()+".ivf"),
		AudioPath:      filepath.Join(dir, fmt.Sprintf("opus-%dms.ogg", total.Milliseconds())),
		FrameDuration:  time.Second / time.Duration(opts.FPS),
		PacketDuration: opusFrame,
	}
	if err := writeIVF(clip.VideoPath, header, frames); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t.Context(), "ffmpeg", audioArgs(opts, clip.AudioPath)...); err != nil {
		t.Fatal(err)
	}
	clip, err := clip.count()
	if err != nil {
		t.Fatal(err)
	}
	return clip
}

// writeIVF writes frames into an IVF file with the header fields of like, numbering them afresh.
func writeIVF(path string, like *IVF, frames []VideoFrame) error {
	var b bytes.Buffer
	le := binary.LittleEndian
	h := make([]byte, ivfHeaderSize)
	copy(h[0:4], "DKIF")
	le.PutUint16(h[6:8], ivfHeaderSize)
	copy(h[8:12], like.FourCC)
	le.PutUint16(h[12:14], uint16(like.Width))
	le.PutUint16(h[14:16], uint16(like.Height))
	le.PutUint32(h[16:20], like.TimebaseDen)
	le.PutUint32(h[20:24], like.TimebaseNum)
	le.PutUint32(h[24:28], uint32(len(frames)))
	b.Write(h)
	for i, f := range frames {
		var fh [ivfFrameHeaderSize]byte
		le.PutUint32(fh[0:4], uint32(len(f.Data)))
		le.PutUint64(fh[4:12], uint64(i))
		b.Write(fh[:])
		b.Write(f.Data)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("mediatest: write IVF: %w", err)
	}
	return nil
}

// Flashes decodes the first video stream of a file and returns the presentation times of the frames that
// begin a flash: a frame whose mean luma is above mid-grey after one that was not.
func Flashes(t testing.TB, path string) []time.Duration {
	t.Helper()
	values := frameMetadata(t, path, "0:v:0", "-vf", "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-")
	return risingEdges(values, 128, 0)
}

// Clicks decodes the first audio stream of a file and returns the times where a click begins: the first
// millisecond whose peak is above -20 dBFS after at least 100 ms below it.
func Clicks(t testing.TB, path string) []time.Duration {
	t.Helper()
	values := frameMetadata(t, path, "0:a:0", "-af",
		"aresample=48000,asetnsamples=n=48:p=0,astats=metadata=1:reset=1,"+
			"ametadata=mode=print:key=lavfi.astats.Overall.Peak_level:file=-")
	return risingEdges(values, -20, 100*time.Millisecond)
}

// timedValue is one frame's time and a metadata value of it.
type timedValue struct {
	at    time.Duration
	value float64
}

// frameMetadata runs ffmpeg on one stream of a file with a filter that prints one metadata value per
// frame, and returns the values with their frames' times on the file's own timeline (-copyts: ffmpeg
// would otherwise shift them to start the file at zero).
func frameMetadata(t testing.TB, path, stream string, filter ...string) []timedValue {
	t.Helper()
	args := append([]string{"-nostdin", "-v", "error", "-copyts", "-i", path, "-map", stream}, filter...)
	args = append(args, "-fps_mode", "passthrough", "-f", "null", "-")
	out, _, err := run(t.Context(), "ffmpeg", args...)
	if err != nil {
		t.Fatal(err)
	}
	values, err := parseFrameMetadata(out)
	if err != nil {
		t.Fatalf("mediatest: %s of %s: %v", stream, path, err)
	}
	return values
}

// parseFrameMetadata reads the output of ffmpeg's metadata filter in print mode: a "frame:N pts:P
// pts_time:T" line, then "key=value" lines.
func parseFrameMetadata(out []byte) ([]timedValue, error) {
	var values []timedValue
	var at time.Duration
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "frame:") {
			i := strings.Index(line, "pts_time:")
			if i < 0 {
				return nil, fmt.Errorf("no pts_time in %q", line)
			}
			secs, err := strconv.ParseFloat(strings.Fields(line[i+len("pts_time:"):])[0], 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: %w", line, err)
			}
			at = time.Duration(math.Round(secs * float64(time.Second)))
			continue
		}
		_, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64) // "-inf" for digital silence parses as -Inf
		if err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		values = append(values, timedValue{at: at, value: f})
	}
	return values, sc.Err()
}

// risingEdges returns the times where values go above threshold after staying at or below it for at
// least quiet (and at the start of the stream, if it starts above).
func risingEdges(values []timedValue, threshold float64, quiet time.Duration) []time.Duration {
	var edges []time.Duration
	above, lastAbove := false, time.Duration(math.MinInt64)
	for _, v := range values {
		if v.value > threshold {
			if !above && (lastAbove == math.MinInt64 || v.at-lastAbove > quiet) {
				edges = append(edges, v.at)
			}
			above, lastAbove = true, v.at
			continue
		}
		above = false
	}
	return edges
}

// FrameSizes decodes the first video stream of a file and returns each frame's size as "WxH".
func FrameSizes(t testing.TB, path string) []string {
	t.Helper()
	out, _, err := run(t.Context(), "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "frame=width,height", "-of", "csv=p=0:s=x", path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}
