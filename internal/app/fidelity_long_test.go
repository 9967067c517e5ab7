package app

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
)

// TestFidelityAVSyncLong is TestFidelityAVSync over one long take, to see that sound
// and picture do not drift apart. It takes as long as the take, so it runs only when
// TAKES_LONG_SYNC gives the take's length (e.g. TAKES_LONG_SYNC=10m); make test leaves it out.
func TestFidelityAVSyncLong(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("TAKES_LONG_SYNC"))
	if err != nil || d < 10*time.Second {
		t.Skip("set TAKES_LONG_SYNC to a take length of 10s or more (e.g. 10m) to run this measurement")
	}
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), d+2*time.Minute)
	defer cancel()
	clip := mediatest.MakeSyncClip(t, t.TempDir(), d+30*time.Second)
	p := dialPeer(t, ctx, s, testpeer.Options{Clip: clip, KeepClipTime: true})
	q := s.iv.Questions[0].ID
	saved, spoke := recordTake(t, ctx, p, "record", q, d)
	path := s.takePath(s.key(q, saved.Take))
	checkFile(t, path, spoke, "320x240")
	checkSync(t, path, 1)
}
