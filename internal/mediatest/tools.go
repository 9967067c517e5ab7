// Package mediatest makes test media and judges recorded files.
//
// It is a test-support package: it is imported only from _test.go files, but it is an ordinary package so
// that the signaling, recorder and end-to-end tests can share it. Media is generated at test time with
// ffmpeg (nothing binary is committed), and recorded WebM files are judged with ffprobe, a decoding pass of
// ffmpeg, and a WebM parse of our own with ebml-go.
package mediatest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// tools lists the external programs the helpers of this package run.
var tools = []string{"ffmpeg", "ffprobe"}

// RequireTools fails the test at once, with a message that says how to fix it, when ffmpeg or ffprobe is
// not installed. It never skips: the Makefile installs the tools, so their absence is a broken setup.
func RequireTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("mediatest: %s not found in PATH; install it with "+
			"`apt-get install -y --no-install-recommends ffmpeg` (make test does this)",
			strings.Join(missing, " and "))
	}
}

// run runs a program and returns what it printed on stdout and stderr. The error, if any, carries the
// command line and the program's stderr, so a failing test says what went wrong.
func run(ctx context.Context, name string, args ...string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout = &outBuf
	cmd.Stderr = &errBuf
	err = cmd.Run()
	if err != nil {
		err = fmt.Errorf("mediatest: %s %s: %w: %s",
			name, strings.Join(args, " "), err, strings.TrimSpace(errBuf.String()))
	}
	return outBuf.Bytes(), errBuf.Bytes(), err
}
