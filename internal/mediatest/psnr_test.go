package mediatest

import (
	"path/filepath"
	"testing"
)

func TestFramePSNR(t *testing.T) {
	RequireTools(t)
	dir := t.TempDir()
	still := MakeStill(t, dir, 320, 240)
	good := filepath.Join(dir, "good.webm")
	bad := filepath.Join(dir, "bad.webm")
	// A faithful encoding of the still, and one of another picture.
	if _, _, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-i", still, "-c:v", "libvpx", "-b:v", "1M", good); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "smptebars=size=320x240:rate=30", "-t", "1", "-c:v", "libvpx", bad); err != nil {
		t.Fatal(err)
	}
	ps := FramePSNR(t, good, still, 320, 240)
	if len(ps) < 50 {
		t.Fatalf("%d frames compared, want 60", len(ps))
	}
	for i, p := range ps {
		if p < 30 {
			t.Errorf("faithful frame %d: PSNR %.1f dB", i, p)
		}
	}
	for i, p := range FramePSNR(t, bad, still, 320, 240) {
		if p >= 20 {
			t.Errorf("wrong picture frame %d: PSNR %.1f dB, want < 20", i, p)
		}
	}
}
