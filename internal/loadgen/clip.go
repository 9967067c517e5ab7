package loadgen

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pion/rtp/codecs"
)

// ClipOptions describe the clip every peer sends. The zero value asks for the defaults: VP8, 640x480 at
// 30 fps, 1.5 Mbit/s constant rate, 10 s, a keyframe only at the start.
type ClipOptions struct {
	Codec         string        // "vp8" or "vp9"
	Width, Height int           // picture size in pixels
	FPS           int           // frames per second
	Bitrate       int           // video bits per second, held constant by the encoder
	Duration      time.Duration // length of the clip; the peers loop it
	// KeyframeInterval is the number of frames from one keyframe to the next. With the default (the whole
	// clip) a peer sends a keyframe only when asked, and at the loop.
	KeyframeInterval int
}

func (o ClipOptions) withDefaults() (ClipOptions, error) {
	o.Codec = cmp.Or(o.Codec, "vp8")
	o.Width = cmp.Or(o.Width, 640)
	o.Height = cmp.Or(o.Height, 480)
	o.FPS = cmp.Or(o.FPS, 30)
	o.Bitrate = cmp.Or(o.Bitrate, 1_500_000)
	o.Duration = cmp.Or(o.Duration, 10*time.Second)
	o.KeyframeInterval = cmp.Or(o.KeyframeInterval, int(o.Duration.Seconds()*float64(o.FPS)))
	if o.Codec != "vp8" && o.Codec != "vp9" {
		return o, fmt.Errorf("loadgen: clip codec %q (want vp8 or vp9)", o.Codec)
	}
	if o.Width <= 0 || o.Height <= 0 || o.FPS <= 0 || o.FPS > 60 || o.Bitrate <= 0 ||
		o.Duration < time.Second || o.Duration > 5*time.Minute || o.KeyframeInterval <= 0 {
		return o, fmt.Errorf("loadgen: bad clip options %+v", o)
	}
	return o, nil
}

// Clip names the files of a clip: video as IVF and Opus audio (20 ms packets) as Ogg.
type Clip struct {
	Options   ClipOptions
	VideoPath string
	AudioPath string
}

// MakeClip encodes a clip with ffmpeg into dir, or reuses the files a former call made there with the
// same options. The picture is ffmpeg's moving test pattern, the sound a tone; the video encoder runs in
// real-time mode with alt-ref frames off, so that each frame is one shown frame, as from a browser.
func MakeClip(ctx context.Context, dir string, opts ClipOptions) (Clip, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Clip{}, err
	}
	base := fmt.Sprintf("%s-%dx%d-%dfps-%dk-%ds-g%d", o.Codec, o.Width, o.Height, o.FPS, o.Bitrate/1000,
		int(o.Duration.Seconds()), o.KeyframeInterval)
	c := Clip{Options: o, VideoPath: filepath.Join(dir, base+".ivf"),
		AudioPath: filepath.Join(dir, fmt.Sprintf("opus-%ds.ogg", int(o.Duration.Seconds())))}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Clip{}, fmt.Errorf("loadgen: clip directory: %w", err)
	}
	if err := encodeOnce(ctx, c.VideoPath, videoArgs(o)); err != nil {
		return Clip{}, err
	}
	if err := encodeOnce(ctx, c.AudioPath, audioArgs(o)); err != nil {
		return Clip{}, err
	}
	return c, nil
}

var videoEncoders = map[string]string{"vp8": "libvpx", "vp9": "libvpx-vp9"}

func videoArgs(o ClipOptions) []string {
	rate, g := strconv.Itoa(o.Bitrate), strconv.Itoa(o.KeyframeInterval)
	return []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", o.Width, o.Height, o.FPS),
		"-frames:v", strconv.Itoa(int(o.Duration.Seconds() * float64(o.FPS))), "-pix_fmt", "yuv420p",
		"-c:v", videoEncoders[o.Codec], "-deadline", "realtime", "-cpu-used", "8",
		"-b:v", rate, "-minrate", rate, "-maxrate", rate,
		"-g", g, "-keyint_min", g, "-auto-alt-ref", "0", "-lag-in-frames", "0",
		"-f", "ivf",
	}
}

func audioArgs(o ClipOptions) []string {
	return []string{
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64), "-ac", "1",
		"-c:a", "libopus", "-b:a", "32000", "-frame_duration", "20", "-f", "ogg",
	}
}

// encodeOnce runs ffmpeg with args to make out, unless out exists. It writes a temporary file and renames
// it, so a file that exists is whole.
func encodeOnce(ctx context.Context, out string, args []string) error {
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	tmp := out + ".tmp"
	full := append([]string{"-nostdin", "-v", "error", "-y"}, args...)
	cmd := exec.CommandContext(ctx, "ffmpeg", append(full, tmp)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("loadgen: ffmpeg %s: %w: %s", strings.Join(full, " "), err, strings.TrimSpace(stderr.String()))
	}
	return os.Rename(tmp, out)
}

// rtpMTU is the largest RTP payload the peers send, as Pion's own tracks do.
const rtpMTU = 1200

// media is a clip read into memory and cut into RTP payloads once, shared read-only by every peer.
type media struct {
	codec      string
	frames     []clipFrame
	keyframes  []int // indexes into frames, ascending; the first is 0
	frameTicks uint32
	frameDur   time.Duration
	audio      [][]byte // Opus packets of 20 ms
}

// clipFrame is one video frame as RTP payloads (payload descriptor included).
type clipFrame struct {
	payloads [][]byte
	key      bool
}

const (
	audioTicks = 960 // 20 ms at 48 kHz
	audioDur   = 20 * time.Millisecond
)

// loadMedia reads a clip's files and packetizes its frames.
func loadMedia(c Clip) (*media, error) {
	o, err := c.Options.withDefaults()
	if err != nil {
		return nil, err
	}
	frames, err := readIVF(c.VideoPath)
	if err != nil {
		return nil, err
	}
	audio, err := readOggOpus(c.AudioPath)
	if err != nil {
		return nil, err
	}
	m := &media{codec: o.Codec, frameTicks: uint32(90000 / o.FPS), frameDur: time.Second / time.Duration(o.FPS), audio: audio}
	if 90000%o.FPS != 0 {
		return nil, fmt.Errorf("loadgen: %d fps does not divide the 90 kHz clock", o.FPS)
	}
	payload := payloader(o.Codec)
	for i, f := range frames {
		key := isKeyframe(o.Codec, f)
		if key {
			m.keyframes = append(m.keyframes, i)
		}
		m.frames = append(m.frames, clipFrame{payloads: payload(f), key: key})
	}
	if len(m.keyframes) == 0 || m.keyframes[0] != 0 || len(audio) == 0 {
		return nil, fmt.Errorf("loadgen: clip %s must start with a keyframe and have audio", c.VideoPath)
	}
	return m, nil
}

// payloader returns a function that cuts a frame into RTP payloads. VP8 payloads carry no picture ID, so
// they can be shared; VP9 ones carry the frame's index in the clip as the picture ID.
func payloader(codec string) func([]byte) [][]byte {
	if codec == "vp9" {
		p := &codecs.VP9Payloader{InitialPictureIDFn: func() uint16 { return 0 }}
		return func(f []byte) [][]byte { return p.Payload(rtpMTU, f) }
	}
	p := &codecs.VP8Payloader{}
	return func(f []byte) [][]byte { return p.Payload(rtpMTU, f) }
}

// nextKeyframe returns the index of the first keyframe at or after frame i, looping to the clip's start.
func (m *media) nextKeyframe(i int) int {
	for _, k := range m.keyframes {
		if k >= i {
			return k
		}
	}
	return 0
}

// isKeyframe reads the keyframe flag of a VP8 frame tag (RFC 6386, section 9.1) or a VP9 uncompressed
// header (frame_marker, profile, show_existing_frame, frame_type).
func isKeyframe(codec string, f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if codec == "vp8" {
		return f[0]&1 == 0
	}
	b := f[0]
	if b>>6 != 2 {
		return false
	}
	profile := (b>>5)&1 | (b>>4)&1<<1
	at := 4 // bit of show_existing_frame, counted from the top; frame_type follows it
	if profile == 3 {
		at = 5 // after reserved_zero
	}
	if b>>(7-at)&1 == 1 {
		return false
	}
	return b>>(6-at)&1 == 0
}

// readIVF reads the frames of an IVF file.
func readIVF(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loadgen: read clip: %w", err)
	}
	if len(data) < 32 || string(data[:4]) != "DKIF" {
		return nil, fmt.Errorf("loadgen: %s is not an IVF file", path)
	}
	var frames [][]byte
	for off := int(binary.LittleEndian.Uint16(data[6:8])); off < len(data); {
		if off+12 > len(data) {
			return nil, fmt.Errorf("loadgen: %s: truncated frame header", path)
		}
		size := int(binary.LittleEndian.Uint32(data[off : off+4]))
		off += 12
		if size == 0 || off+size > len(data) {
			return nil, fmt.Errorf("loadgen: %s: bad frame size %d", path, size)
		}
		frames = append(frames, data[off:off+size])
		off += size
	}
	return frames, nil
}

// readOggOpus reads the Opus packets of an Ogg file, without its two header packets. It trusts the file
// (one made by MakeClip): no checksum is checked.
func readOggOpus(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loadgen: read clip: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var packets [][]byte
	var partial []byte
	for {
		var h [27]byte
		if _, err := io.ReadFull(r, h[:]); errors.Is(err, io.EOF) {
			break
		} else if err != nil || string(h[:4]) != "OggS" {
			return nil, fmt.Errorf("loadgen: %s: bad Ogg page", path)
		}
		lacing := make([]byte, h[26])
		if _, err := io.ReadFull(r, lacing); err != nil {
			return nil, fmt.Errorf("loadgen: %s: %w", path, err)
		}
		for _, l := range lacing {
			seg := make([]byte, l)
			if _, err := io.ReadFull(r, seg); err != nil {
				return nil, fmt.Errorf("loadgen: %s: %w", path, err)
			}
			partial = append(partial, seg...)
			if l < 255 {
				packets, partial = append(packets, partial), nil
			}
		}
	}
	if len(packets) < 3 || !bytes.HasPrefix(packets[0], []byte("OpusHead")) {
		return nil, fmt.Errorf("loadgen: %s is not an Ogg Opus file", path)
	}
	return packets[2:], nil
}
