package mediatest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/at-wat/ebml-go/mkvcore"
	"github.com/at-wat/ebml-go/webm"
)

// muxWebM copies a clip's video and audio into a WebM file with ffmpeg.
func muxWebM(t *testing.T, clip Clip) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clip.webm")
	_, _, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-i", clip.VideoPath, "-i", clip.AudioPath,
		"-c", "copy", out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJudgeMuxedClip(t *testing.T) {
	for _, codec := range []string{"vp8", "vp9"} {
		t.Run(codec, func(t *testing.T) {
			clip := MakeClip(t, "", ClipOptions{Codec: codec})
			path := muxWebM(t, clip)

			p := Probe(t, path)
			video, okV := p.Stream("video")
			audio, okA := p.Stream("audio")
			if !okV || video.CodecName != codec || video.Width != 320 || video.Height != 240 ||
				!okA || audio.CodecName != "opus" {
				t.Errorf("streams = %+v", p.Streams)
			}
			if d := p.Duration - clip.Duration; d < -50*time.Millisecond || d > 50*time.Millisecond {
				t.Errorf("duration = %v, want about %v", p.Duration, clip.Duration)
			}
			if msg := DecodeErrors(t, path); msg != "" {
				t.Errorf("DecodeErrors = %q", msg)
			}
			if !FirstVideoBlockIsKeyframe(t, path) {
				t.Error("first video block is not a keyframe")
			}
			checkWebMInfo(t, path, clip)
		})
	}
}

// checkWebMInfo checks ParseWebM's counts of a muxed clip against the clip.
func checkWebMInfo(t *testing.T, path string, clip Clip) {
	t.Helper()
	info, err := ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	video, _ := info.Track("video")
	audio, _ := info.Track("audio")
	if video.Blocks != clip.Frames || video.Keyframes != len(clip.Keyframes) || video.CodecID != "V_"+strings.ToUpper(clip.Codec) {
		t.Errorf("video track = %+v, want %d blocks, %d keyframes", video, clip.Frames, len(clip.Keyframes))
	}
	if audio.Blocks != clip.AudioPackets || audio.CodecID != "A_OPUS" {
		t.Errorf("audio track = %+v, want %d blocks", audio, clip.AudioPackets)
	}
	if info.Clusters == 0 || info.CuePoints == 0 || info.Duration < clip.Duration-50*time.Millisecond {
		t.Errorf("info = %+v", info)
	}
	// Every frame's timestamp, across clusters: frame i at i/FPS after the first (ffmpeg may start the
	// video a few milliseconds in, to make room for Opus's pre-skip).
	if len(video.Times) != clip.Frames {
		t.Fatalf("%d video block times for %d frames", len(video.Times), clip.Frames)
	}
	for i, ts := range video.Times {
		want := video.Times[0] + time.Duration(i)*clip.FrameDuration
		if ts-want > time.Millisecond || want-ts > time.Millisecond {
			t.Fatalf("video block %d at %v, want %v", i, ts, want)
		}
	}
}

// writeWebM writes the IVF frames from index first onward into a video-only WebM file with ebml-go.
func writeWebM(t *testing.T, clip Clip, first int) string {
	t.Helper()
	ivf, err := ReadIVF(clip.VideoPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.webm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tracks := []webm.TrackEntry{{
		TrackNumber: 1, TrackUID: 1, CodecID: "V_VP8", TrackType: trackTypeVideo,
		Video: &webm.Video{PixelWidth: 320, PixelHeight: 240},
	}}
	ws, err := webm.NewSimpleBlockWriter(f, tracks,
		mkvcore.WithSegmentInfo(&webm.Info{TimecodeScale: 1_000_000, MuxingApp: "mediatest", WritingApp: "mediatest"}))
	if err != nil {
		t.Fatal(err)
	}
	for i, fr := range ivf.Frames[first:] {
		if _, err := ws[0].Write(fr.Keyframe, int64(i)*33, fr.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws[0].Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFirstVideoBlockIsKeyframe(t *testing.T) {
	clip := MakeClip(t, "", ClipOptions{})
	tests := []struct {
		name  string
		first int
		want  bool
	}{
		{"starts on a keyframe", clip.Keyframes[1], true},
		{"starts between keyframes", clip.Keyframes[1] + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeWebM(t, clip, tt.first)
			if got := FirstVideoBlockIsKeyframe(t, path); got != tt.want {
				t.Errorf("FirstVideoBlockIsKeyframe = %v, want %v", got, tt.want)
			}
			info, err := ParseWebM(path)
			if err != nil {
				t.Fatal(err)
			}
			if video, _ := info.Track("video"); video.Blocks != clip.Frames-tt.first {
				t.Errorf("video blocks = %d, want %d", video.Blocks, clip.Frames-tt.first)
			}
			// ffmpeg cannot decode inter frames before the first keyframe, and says so.
			if msg := DecodeErrors(t, path); (msg == "") != tt.want {
				t.Errorf("DecodeErrors = %q", msg)
			}
		})
	}
}

func TestDecodeErrorsOnCorruptFile(t *testing.T) {
	clip := MakeClip(t, "", ClipOptions{})
	path := muxWebM(t, clip)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 3; i < 2*len(data)/3; i += 97 {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg := DecodeErrors(t, path); msg == "" {
		t.Error("DecodeErrors is empty for a corrupt file")
	} else {
		t.Logf("ffmpeg says: %.200s", msg)
	}
}

func TestRequireTools(t *testing.T) {
	RequireTools(t) // the Makefile installs them: this must pass
}
