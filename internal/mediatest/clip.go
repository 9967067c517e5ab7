package mediatest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Default clip parameters, used for the zero values of ClipOptions.
const (
	DefaultCodec            = "vp8"
	DefaultWidth            = 320
	DefaultHeight           = 240
	DefaultFPS              = 30
	DefaultDuration         = 4 * time.Second
	DefaultKeyframeInterval = 15
)

// ClipOptions describes a test clip. The zero value asks for the defaults: VP8, 320x240 at 30 fps, 4 s,
// a keyframe every 15 frames.
type ClipOptions struct {
	Codec            string        // "vp8" or "vp9"
	Width, Height    int           // picture size in pixels
	FPS              int           // frames per second
	Duration         time.Duration // length of both the video and the audio
	KeyframeInterval int           // frames from one keyframe to the next
}

// Clip is a generated pair of files: VP8 or VP9 video in IVF, and Opus audio (mono, 48 kHz, 20 ms packets,
// a 440 Hz tone) in Ogg. Both are as long as the options asked.
type Clip struct {
	ClipOptions                  // the options the clip was made with, defaults filled in
	VideoPath      string        // the IVF file
	AudioPath      string        // the Ogg Opus file
	Frames         int           // number of video frames
	Keyframes      []int         // indexes of the video keyframes, ascending; the first is 0
	AudioPackets   int           // number of Opus packets (headers not counted)
	FrameDuration  time.Duration // duration of one video frame (1/FPS)
	PacketDuration time.Duration // duration of one Opus packet (20 ms)
}

// clipEntry is one generated clip of the process-wide cache.
type clipEntry struct {
	once sync.Once
	clip Clip
	err  error
}

// The cache is the one mutable package-level state, on purpose: generating a clip takes a few hundred
// milliseconds of ffmpeg, and every peer test of the process wants the same few clips. The files are left
// in a temporary directory when the process ends.
var (
	clipCache sync.Map // ClipOptions, defaults filled in → *clipEntry
	sharedDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "takes-mediatest-") })
)

// MakeClip returns a clip made with ffmpeg. With dir empty, the clip is generated once per process for
// each set of options, in a temporary directory shared by the whole process; otherwise it is generated
// afresh into dir (for example t.TempDir()). It fails the test if ffmpeg is missing or fails.
func MakeClip(t testing.TB, dir string, opts ClipOptions) Clip {
	t.Helper()
	RequireTools(t)
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	var clip Clip
	if dir != "" {
		clip, err = generateClip(dir, opts)
	} else {
		clip, err = cachedClip(opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	return clip
}

// cachedClip returns the process-wide clip for opts, generating it on first use.
func cachedClip(opts ClipOptions) (Clip, error) {
	dir, err := sharedDir()
	if err != nil {
		return Clip{}, fmt.Errorf("mediatest: make clip directory: %w", err)
	}
	v, _ := clipCache.LoadOrStore(opts, &clipEntry{})
	e := v.(*clipEntry)
	e.once.Do(func() { e.clip, e.err = generateClip(dir, opts) })
	clip := e.clip
	clip.Keyframes = slices.Clone(clip.Keyframes) // callers may not share the cache's slice
	return clip, e.err
}

// withDefaults fills in zero fields and checks the codec.
func (o ClipOptions) withDefaults() (ClipOptions, error) {
	o.Codec = cmp.Or(o.Codec, DefaultCodec)
	o.Width = cmp.Or(o.Width, DefaultWidth)
	o.Height = cmp.Or(o.Height, DefaultHeight)
	o.FPS = cmp.Or(o.FPS, DefaultFPS)
	o.Duration = cmp.Or(o.Duration, DefaultDuration)
	o.KeyframeInterval = cmp.Or(o.KeyframeInterval, DefaultKeyframeInterval)
	if _, ok := videoEncoders[o.Codec]; !ok {
		return o, fmt.Errorf("mediatest: unsupported clip codec %q (want vp8 or vp9)", o.Codec)
	}
	return o, nil
}

// videoEncoders maps a clip codec to ffmpeg's encoder for it.
var videoEncoders = map[string]string{"vp8": "libvpx", "vp9": "libvpx-vp9"}

const (
	videoBitrate = 1_000_000
	audioBitrate = 32_000
	opusFrame    = 20 * time.Millisecond

	generateTimeout = 2 * time.Minute
)

// baseName names the files of a clip after its options, so clips with different options can share a
// directory.
func (o ClipOptions) baseName() string {
	return fmt.Sprintf("%s-%dx%d-%dfps-%dms-g%d", o.Codec, o.Width, o.Height, o.FPS,
		o.Duration.Milliseconds(), o.KeyframeInterval)
}

// generateClip runs ffmpeg to make the clip's files in dir and reads them back to count frames.
func generateClip(dir string, opts ClipOptions) (Clip, error) {
	clip := Clip{
		ClipOptions:    opts,
		VideoPath:      filepath.Join(dir, opts.baseName()+".ivf"),
		AudioPath:      filepath.Join(dir, fmt.Sprintf("opus-%dms.ogg", opts.Duration.Milliseconds())),
		FrameDuration:  time.Second / time.Duration(opts.FPS),
		PacketDuration: opusFrame,
	}
	// Not the test's context: a cached clip outlives the test that asked for it first.
	ctx, cancel := context.WithTimeout(context.Background(), generateTimeout)
	defer cancel()
	if _, _, err := run(ctx, "ffmpeg", videoArgs(opts, clip.VideoPath)...); err != nil {
		return Clip{}, err
	}
	if _, _, err := run(ctx, "ffmpeg", audioArgs(opts, clip.AudioPath)...); err != nil {
		return Clip{}, err
	}
	return clip.count()
}

// videoArgs is the ffmpeg command line that encodes the test pattern. Alt-ref frames are off, so every
// IVF frame is one shown frame, as a browser's real-time encoder sends them.
func videoArgs(o ClipOptions, out string) []string {
	return append([]string{
		"-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", o.Width, o.Height, o.FPS),
	}, encodeArgs(o, out)...)
}

// encodeArgs is the encoding half of an ffmpeg command line for a clip's video: its number of frames, in
// its codec, as IVF.
func encodeArgs(o ClipOptions, out string) []string {
	frames := int(o.Duration.Seconds() * float64(o.FPS))
	g := strconv.Itoa(o.KeyframeInterval)
	return []string{
		"-frames:v", strconv.Itoa(frames), "-pix_fmt", "yuv420p",
		"-c:v", videoEncoders[o.Codec], "-b:v", strconv.Itoa(videoBitrate),
		"-g", g, "-keyint_min", g, "-deadline", "realtime", "-auto-alt-ref", "0",
		"-f", "ivf", out,
	}
}

// audioArgs is the ffmpeg command line that encodes the tone.
func audioArgs(o ClipOptions, out string) []string {
	return []string{
		"-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64), "-ac", "1",
		"-c:a", "libopus", "-b:a", strconv.Itoa(audioBitrate), "-frame_duration", "20",
		"-f", "ogg", out,
	}
}

// count reads the generated files back and fills in the frame and packet counts.
func (c Clip) count() (Clip, error) {
	ivf, err := ReadIVF(c.VideoPath)
	if err != nil {
		return Clip{}, err
	}
	c.Frames = len(ivf.Frames)
	for i, f := range ivf.Frames {
		if f.Keyframe {
			c.Keyframes = append(c.Keyframes, i)
		}
	}
	packets, err := ReadOggOpus(c.AudioPath)
	if err != nil {
		return Clip{}, err
	}
	c.AudioPackets = len(packets)
	if c.Frames == 0 || len(c.Keyframes) == 0 || c.Keyframes[0] != 0 || c.AudioPackets == 0 {
		return Clip{}, fmt.Errorf("mediatest: clip %s: %d frames, keyframes %v, %d audio packets",
			c.VideoPath, c.Frames, c.Keyframes, c.AudioPackets)
	}
	return c, nil
}
