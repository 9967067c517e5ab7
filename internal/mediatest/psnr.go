package mediatest

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// MakeStill makes a still test picture as a Y4M video (what a fake camera plays) of
// the given size, and returns its path. Every frame of it is the same picture, so a
// recording of it can be compared frame by frame without aligning time.
func MakeStill(t testing.TB, dir string, width, height int) string {
	t.Helper()
	size := strconv.Itoa(width) + "x" + strconv.Itoa(height)
	path := filepath.Join(dir, "still-"+size+".y4m")
	// The first frame of testsrc2 has colour bars, gradients and text: detail that a
	// broken decode would smear.
	_, _, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size="+size+":rate=30", "-frames:v", "1",
		"-f", "image2pipe", "-vcodec", "png", filepath.Join(dir, "still-"+size+".png"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-y",
		"-loop", "1", "-i", filepath.Join(dir, "still-"+size+".png"), "-t", "2", "-r", "30",
		"-pix_fmt", "yuv420p", path)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// FramePSNR decodes every video frame of a recording, scales it to the reference's
// size, and returns each frame's PSNR (dB, over Y, U and V) against the reference's
// first frame. An identical frame gives +Inf.
func FramePSNR(t testing.TB, recording, reference string, width, height int) []float64 {
	t.Helper()
	scale := "scale=" + strconv.Itoa(width) + ":" + strconv.Itoa(height) + ":flags=bicubic,format=yuv420p"
	stats := filepath.Join(t.TempDir(), "psnr.log")
	_, _, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error",
		"-i", recording, "-stream_loop", "-1", "-i", reference,
		"-lavfi", "[0:v]"+scale+",setpts=N[a];[1:v]format=yuv420p,setpts=N[b];[a][b]psnr=shortest=1:stats_file="+stats,
		"-an", "-fps_mode", "passthrough", "-f", "null", "-")
	if err != nil {
		t.Fatal(err)
	}
	return parsePSNRStats(t, stats)
}

func parsePSNRStats(t testing.TB, path string) []float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			v, ok := strings.CutPrefix(f, "psnr_avg:")
			if !ok {
				continue
			}
			if v == "inf" {
				out = append(out, math.Inf(1))
				continue
			}
			p, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("mediatest: psnr stats line %q: %v", sc.Text(), err)
			}
			out = append(out, p)
		}
	}
	return out
}
