package mediatest

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartTimes returns each stream's start time as ffprobe reports it, by codec type.
// A negative start (an audio block before the codec delay) breaks seeking in Chromium.
func StartTimes(t testing.TB, path string) map[string]time.Duration {
	t.Helper()
	out, _, err := run(t.Context(), "ffprobe", "-v", "error", "-show_entries", "stream=codec_type,start_time",
		"-of", "csv=p=0", path)
	if err != nil {
		t.Fatal(err)
	}
	starts := make(map[string]time.Duration)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, start, ok := strings.Cut(line, ",")
		if !ok {
			continue
		}
		s, err := strconv.ParseFloat(start, 64)
		if err != nil {
			t.Fatalf("mediatest: ffprobe start_time %q: %v", line, err)
		}
		starts[kind] = time.Duration(s * float64(time.Second))
	}
	return starts
}
