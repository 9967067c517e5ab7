package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake camera and microphone that Chromium plays in a loop. A y4m file is raw video (about 3.5 MB a
// second at this size), so it is short and small.
const (
	fakeVideoSource = "testsrc2=size=320x240:rate=30"
	fakeAudioSource = "sine=frequency=1000:sample_rate=48000"
	fakeSeconds     = "10"
	makeTimeout     = time.Minute
)

// fakeMedia makes the files once per process. They are left in a temporary directory when the process
// ends (about 35 MB), like the clips of internal/mediatest.
var fakeMedia = sync.OnceValues(func() ([2]string, error) {
	dir, err := os.MkdirTemp("", "takes-browsertest-")
	if err != nil {
		return [2]string{}, fmt.Errorf("browsertest: make media directory: %w", err)
	}
	files := [2]string{filepath.Join(dir, "camera.y4m"), filepath.Join(dir, "microphone.wav")}
	// Not a test's context: the files outlive the test that asked for them first.
	ctx, cancel := context.WithTimeout(context.Background(), makeTimeout)
	defer cancel()
	if err := ffmpeg(ctx, fakeVideoSource, "-pix_fmt", "yuv420p", files[0]); err != nil {
		return [2]string{}, err
	}
	if err := ffmpeg(ctx, fakeAudioSource, files[1]); err != nil {
		return [2]string{}, err
	}
	return files, nil
})

// FakeMedia returns the default fake camera, a 320×240 test pattern at 30 fps in a 10 s y4m file, and
// the default fake microphone, a 1 kHz tone at 48 kHz in a 10 s wav file. They are made with ffmpeg on
// first use in the process; the test fails if ffmpeg is missing or fails.
func FakeMedia(t testing.TB) (video, audio string) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("browsertest: ffmpeg not found in PATH; install it with " +
			"`apt-get install -y --no-install-recommends ffmpeg` (make test does this)")
	}
	files, err := fakeMedia()
	if err != nil {
		t.Fatal(err)
	}
	return files[0], files[1]
}

// ffmpeg renders fakeSeconds of a lavfi source into out, with the output options before it.
func ffmpeg(ctx context.Context, source string, outArgs ...string) error {
	args := append([]string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", fakeSeconds}, outArgs...)
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("browsertest: ffmpeg %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
