package webm_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/recorder/webm"
)

var opusHead = []byte{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 1, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0}

// writeClip muxes a generated clip with the writer, frames interleaved by time, and
// returns the file's path. With close false the file is left as a crash leaves it.
func writeClip(t *testing.T, clip mediatest.Clip, closeIt bool) string {
	t.Helper()
	ivf, err := mediatest.ReadIVF(clip.VideoPath)
	if err != nil {
		t.Fatal(err)
	}
	audio, err := mediatest.ReadOggOpus(clip.AudioPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "take.webm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := webm.NewWriter(f, []webm.Track{
		{Number: 1, Video: true, CodecID: "V_VP8", Width: clip.Width, Height: clip.Height},
		{Number: 2, CodecID: "A_OPUS", CodecPrivate: opusHead, CodecDelay: 6500 * time.Microsecond,
			SeekPreRoll: 80 * time.Millisecond, SampleRate: 48000, Channels: 1},
	}, webm.Options{MaxClusterDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	vi, ai := 0, 0
	for vi < len(ivf.Frames) || ai < len(audio) {
		vt := time.Duration(vi) * clip.FrameDuration
		at := time.Duration(ai) * clip.PacketDuration
		if vi < len(ivf.Frames) && (ai >= len(audio) || vt <= at) {
			err = w.WriteBlock(1, ivf.Frames[vi].Keyframe, vt.Milliseconds(), ivf.Frames[vi].Data)
			vi++
		} else {
			err = w.WriteBlock(2, true, at.Milliseconds(), audio[ai].Data)
			ai++
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if closeIt {
		if err := w.Close(clip.Duration); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestWriterMakesSeekableFile(t *testing.T) {
	mediatest.RequireTools(t)
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: 6 * time.Second, KeyframeInterval: 45})
	path := writeClip(t, clip, true)

	pr := mediatest.Probe(t, path)
	if d := pr.Duration - clip.Duration; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("duration %v, want %v", pr.Duration, clip.Duration)
	}
	if out := mediatest.DecodeErrors(t, path); out != "" {
		t.Errorf("decoding errors:\n%s", out)
	}
	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := info.Track("video")
	a, _ := info.Track("audio")
	if v.Blocks != clip.Frames || a.Blocks != clip.AudioPackets || !v.FirstIsKeyframe {
		t.Errorf("blocks: video %d/%d (first key %v), audio %d/%d", v.Blocks, clip.Frames, v.FirstIsKeyframe, a.Blocks, clip.AudioPackets)
	}
	// A cue per keyframe, each at a cluster that starts on it.
	if info.CuePoints != len(clip.Keyframes) || info.Clusters < len(clip.Keyframes) {
		t.Errorf("%d cue points and %d clusters for %d keyframes", info.CuePoints, info.Clusters, len(clip.Keyframes))
	}
}

func TestCrashLeavesReadableFile(t *testing.T) {
	mediatest.RequireTools(t)
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: 4 * time.Second})
	path := writeClip(t, clip, false) // no Close: the process died
	pr := mediatest.Probe(t, path)
	if _, ok := pr.Stream("video"); !ok {
		t.Fatalf("cut file has no video stream: %+v", pr)
	}
	if out := mediatest.DecodeErrors(t, path); out != "" {
		t.Errorf("cut file decoding errors:\n%s", out)
	}
	info, err := mediatest.ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := info.Track("video")
	if lost := clip.Frames - v.Blocks; lost > clip.FPS { // at most the last second
		t.Errorf("cut file keeps %d of %d frames", v.Blocks, clip.Frames)
	}
}

type discard struct{}

func (discard) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

func TestWriteBlockAllocatesNothing(t *testing.T) {
	w, err := webm.NewWriter(discard{}, []webm.Track{{Number: 1, Video: true, CodecID: "V_VP8", Width: 64, Height: 64}}, webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 1200)
	tc := int64(0)
	allocs := testing.AllocsPerRun(1000, func() {
		tc += 33
		w.WriteBlock(1, false, tc, data)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per block, want 0", allocs)
	}
}

func TestRebuildCutFile(t *testing.T) {
	mediatest.RequireTools(t)
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: 6 * time.Second, KeyframeInterval: 45})
	for _, tc := range []struct {
		name  string
		close bool
		cut   int64 // bytes to cut off the end: a crash in the middle of a block
	}{
		{"finished file", true, 0},
		{"crash", false, 0},
		{"crash mid-block", false, 777},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeClip(t, clip, tc.close)
			if tc.cut > 0 {
				fi, _ := os.Stat(path)
				os.Truncate(path, fi.Size()-tc.cut)
			}
			in, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			outPath := filepath.Join(t.TempDir(), "rebuilt.webm")
			out, _ := os.Create(outPath)
			defer out.Close()
			d, size, err := webm.Rebuild(in, out, webm.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(outPath)
			if fi.Size() != size {
				t.Errorf("Rebuild says %d bytes, the file has %d", size, fi.Size())
			}
			if tc.close && (d < clip.Duration-40*time.Millisecond || d > clip.Duration+40*time.Millisecond) {
				t.Errorf("rebuilt duration %v, want %v", d, clip.Duration)
			}
			if d < clip.Duration-time.Second-100*time.Millisecond {
				t.Errorf("rebuilt duration %v lost more than the last second of %v", d, clip.Duration)
			}
			if out := mediatest.DecodeErrors(t, outPath); out != "" {
				t.Errorf("rebuilt file decoding errors:\n%s", out)
			}
			info, err := mediatest.ParseWebM(outPath)
			if err != nil {
				t.Fatal(err)
			}
			pr := mediatest.Probe(t, outPath)
			if info.CuePoints == 0 || pr.Duration < d-50*time.Millisecond || pr.Duration > d+50*time.Millisecond {
				t.Errorf("rebuilt file: %d cues, ffprobe duration %v, want %v", info.CuePoints, pr.Duration, d)
			}
		})
	}
}

func TestReadRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{"", "hello", "\x1a\x45\xdf\xa3\x80\x00\x00"} {
		err := webm.Read(strings.NewReader(in), func([]webm.Track) error { return nil }, func(webm.Block) error { return nil })
		if !errors.Is(err, webm.ErrNotWebM) {
			t.Errorf("Read(%q) = nil", in)
		}
	}
}
