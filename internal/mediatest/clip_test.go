package mediatest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMakeClip(t *testing.T) {
	tests := []struct {
		name string
		opts ClipOptions
	}{
		{"vp8 defaults", ClipOptions{}},
		{"vp9", ClipOptions{Codec: "vp9"}},
		{"vp8 sparse keyframes", ClipOptions{Duration: 2 * time.Second, KeyframeInterval: 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clip := MakeClip(t, "", tt.opts)
			opts, _ := tt.opts.withDefaults()
			wantFrames := int(opts.Duration.Seconds()) * opts.FPS
			if clip.Frames != wantFrames {
				t.Errorf("Frames = %d, want %d", clip.Frames, wantFrames)
			}
			var wantKeys []int
			for i := 0; i < wantFrames; i += opts.KeyframeInterval {
				wantKeys = append(wantKeys, i)
			}
			if !slices.Equal(clip.Keyframes, wantKeys) {
				t.Errorf("Keyframes = %v, want %v", clip.Keyframes, wantKeys)
			}
			if got := ffprobeKeyframes(t, clip.VideoPath); !slices.Equal(got, clip.Keyframes) {
				t.Errorf("ffprobe sees keyframes %v, our reader %v", got, clip.Keyframes)
			}
			wantPackets := int(opts.Duration / clip.PacketDuration)
			if clip.AudioPackets < wantPackets || clip.AudioPackets > wantPackets+5 {
				t.Errorf("AudioPackets = %d, want about %d", clip.AudioPackets, wantPackets)
			}
			if again := MakeClip(t, "", tt.opts); again.VideoPath != clip.VideoPath {
				t.Errorf("second MakeClip made %s, want the cached %s", again.VideoPath, clip.VideoPath)
			}
		})
	}
}

func TestMakeClipInDir(t *testing.T) {
	dir := t.TempDir()
	clip := MakeClip(t, dir, ClipOptions{Duration: time.Second})
	for _, p := range []string{clip.VideoPath, clip.AudioPath} {
		if filepath.Dir(p) != dir {
			t.Errorf("%s is not in %s", p, dir)
		}
	}
	packets, err := ReadOggOpus(clip.AudioPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range packets {
		if p.Duration != 20*time.Millisecond {
			t.Fatalf("packet %d lasts %v, want 20ms", i, p.Duration)
		}
	}
	ivf, err := ReadIVF(clip.VideoPath)
	if err != nil {
		t.Fatal(err)
	}
	if ivf.FourCC != "VP80" || ivf.Width != 320 || ivf.Height != 240 || ivf.TimebaseNum != 1 || ivf.TimebaseDen != 30 {
		t.Errorf("IVF header = %+v", *ivf)
	}
}

func TestMakeClipBadCodec(t *testing.T) {
	if _, err := (ClipOptions{Codec: "h264"}).withDefaults(); err == nil {
		t.Fatal("no error for codec h264")
	}
}

// ffprobeKeyframes lists the indexes of the packets ffprobe flags as keyframes.
func ffprobeKeyframes(t *testing.T, path string) []int {
	t.Helper()
	out, _, err := run(t.Context(), "ffprobe", "-v", "error", "-show_entries", "packet=flags", "-of", "csv=p=0", path)
	if err != nil {
		t.Fatal(err)
	}
	var keys []int
	for i, line := range strings.Fields(string(out)) {
		if strings.HasPrefix(line, "K") {
			keys = append(keys, i)
		}
	}
	return keys
}
