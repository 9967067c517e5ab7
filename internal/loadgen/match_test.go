package loadgen

import (
	"testing"

	"github.com/takes/takes/recorder/webm"
)

// frames returns n frames sent 1/30 s apart from the RTP timestamp ts0 (near the wrap), keyframes at keys.
func frames(ts0 uint32, n int, keys ...int) []SentFrame {
	out := make([]SentFrame, n)
	for i := range out {
		out[i].TS = ts0 + uint32(i)*3000
	}
	for _, k := range keys {
		out[k].Key = true
	}
	return out
}

// blocks returns the video blocks a file has for the frames first..last of a 30 fps stream, as the
// server writes them (timecodes in whole milliseconds from the first), without the frames in skip.
func blocks(first, last int, keys []int, skip ...int) []webm.Block {
	var out []webm.Block
	for i := first; i <= last; i++ {
		if contains(skip, i) {
			continue
		}
		out = append(out, webm.Block{Track: 1, Timecode: int64(i-first) * 1000 / 30, Keyframe: contains(keys, i)})
	}
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestMatchTake(t *testing.T) {
	tests := []struct {
		name  string
		sent  []SentFrame
		video []webm.Block
		want  Match
	}{
		{"every frame", frames(0xFFFF0000, 120, 3, 93), blocks(3, 110, []int{3, 93}), Match{Sent: 108, Written: 108}},
		{"a keyframe before the take", frames(7, 120, 1, 4, 94), blocks(4, 100, []int{4, 94}), Match{Sent: 97, Written: 97}},
		{"a frame missing", frames(7, 60, 0, 30), blocks(0, 50, []int{0, 30}, 17), Match{Sent: 51, Written: 50}},
		{"a block at no frame's time", frames(7, 60, 0), append(blocks(0, 10, []int{0}), webm.Block{Timecode: 350}),
			Match{Sent: 11, Written: 12, Unmatched: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MatchTake(tt.sent, tt.video)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := MatchTake(frames(0, 10), blocks(0, 5, []int{0})); err == nil {
		t.Error("no keyframe sent: no error")
	}
}
