package web

import (
	"testing"

	"github.com/takes/takes/storage"
)

func TestQualityDetail(t *testing.T) {
	for _, tc := range []struct {
		q    *storage.Quality
		want string
	}{
		{nil, ""},
		{&storage.Quality{PacketsLost: 2, PacketsRecovered: 41, FramesDropped: 1, KeyframeRequests: 3, AudioFrames: 90, AudioStartMs: 6},
			"Recording quality: 2 packets lost, 41 recovered (resent or reordered) · 1 frame dropped · 3 keyframe requests · sound starts 6 ms after the picture"},
		{&storage.Quality{PacketsLost: 1, KeyframeRequests: 1},
			"Recording quality: 1 packet lost, 0 recovered (resent or reordered) · 0 frames dropped · 1 keyframe request · no sound"},
	} {
		if got := qualityDetail(tc.q); got != tc.want {
			t.Errorf("qualityDetail(%+v)\n got %q\nwant %q", tc.q, got, tc.want)
		}
	}
}
