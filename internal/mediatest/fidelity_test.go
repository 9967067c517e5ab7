package mediatest

import (
	"slices"
	"testing"
	"time"
)

// TestSyncClip checks MakeSyncClip, Flashes and Clicks on the clip's own files: a flash and a click at
// each whole second, to the millisecond. (A file muxed by ffmpeg would not do: its WebM muxer starts the
// video 6.5 ms late, by Opus's pre-skip.)
func TestSyncClip(t *testing.T) {
	clip := MakeSyncClip(t, t.TempDir(), 4*time.Second)
	flashes, clicks := Flashes(t, clip.VideoPath), Clicks(t, clip.AudioPath)
	want := []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}
	near := func(a, b time.Duration) bool { return a-b <= time.Millisecond && b-a <= time.Millisecond }
	if !slices.EqualFunc(flashes, want, near) || !slices.EqualFunc(clicks, want, near) {
		t.Errorf("flashes at %v, clicks at %v; want both at %v", flashes, clicks, want)
	}
}

// TestJoinClips checks that a joined clip changes picture size at the join, on a keyframe.
func TestJoinClips(t *testing.T) {
	clip := JoinClips(t, t.TempDir(),
		ClipOptions{Duration: time.Second},
		ClipOptions{Width: 640, Height: 480, Duration: time.Second})
	if clip.Frames != 60 || !slices.Contains(clip.Keyframes, 30) || clip.Width != 320 || clip.AudioPackets < 50 {
		t.Errorf("clip = %+v", clip)
	}
	sizes := FrameSizes(t, clip.VideoPath)
	if len(sizes) != 60 || sizes[29] != "320x240" || sizes[30] != "640x480" {
		t.Errorf("frame sizes %v", sizes)
	}
	if msg := DecodeErrors(t, clip.VideoPath); msg != "" {
		t.Errorf("DecodeErrors = %q", msg)
	}
}

func TestRisingEdges(t *testing.T) {
	ms := time.Millisecond
	values := []timedValue{{0, 1}, {10 * ms, 0}, {20 * ms, 1}, {30 * ms, 1}, {200 * ms, 0}, {400 * ms, 1}}
	if got := risingEdges(values, 0.5, 0); !slices.Equal(got, []time.Duration{0, 20 * ms, 400 * ms}) {
		t.Errorf("without quiet: %v", got)
	}
	if got := risingEdges(values, 0.5, 100*ms); !slices.Equal(got, []time.Duration{0, 400 * ms}) {
		t.Errorf("with 100 ms quiet: %v", got)
	}
}
