package loadgen

import (
	"errors"
	"fmt"
	"os"

	"github.com/takes/takes/recorder/webm"
)

// Match compares a take's file with the video frames its peer sent.
type Match struct {
	// Sent is how many frames the peer sent from the file's first keyframe to its last video block;
	// Written is how many video blocks the file has. Frames the peer sent after that span (while stop
	// was on its way) are not counted: they belong to no take.
	Sent, Written int
	// Unmatched counts the file's video blocks at a time when the peer sent no frame, or whose keyframe
	// flag differs from the frame's: a file that is not what was sent.
	Unmatched int
}

// MatchTake lines up a take's file with the frames sent during it. The file's video blocks (in file
// order, timecodes in milliseconds from its first block) start at one of the sent keyframes: it is the
// first one from which every block falls on a sent frame. Frames are placed by their RTP timestamps, so
// the comparison is exact whatever the network did to their arrival.
func MatchTake(sent []SentFrame, video []webm.Block) (Match, error) {
	if len(video) == 0 {
		return Match{}, errors.New("loadgen: the file has no video")
	}
	best := Match{Unmatched: len(video) + 1}
	for c, f := range sent {
		if !f.Key {
			continue
		}
		m := matchFrom(sent[c:], video)
		if m.Unmatched < best.Unmatched {
			best = m
		}
		if m.Unmatched == 0 {
			break
		}
	}
	if best.Unmatched > len(video) {
		return Match{}, errors.New("loadgen: no keyframe was sent during the take")
	}
	return best, nil
}

// matchFrom matches the blocks with the frames, the first of which is taken to be the file's first.
func matchFrom(sent []SentFrame, video []webm.Block) Match {
	ms := func(f SentFrame) int64 { return int64(f.TS-sent[0].TS) * 1000 / 90000 }
	m := Match{Written: len(video)}
	j := 0
	for _, b := range video {
		for j < len(sent) && ms(sent[j]) < b.Timecode-1 {
			j++
		}
		if j < len(sent) && ms(sent[j]) <= b.Timecode+1 && sent[j].Key == b.Keyframe {
			j++
			continue
		}
		m.Unmatched++
	}
	last := video[len(video)-1].Timecode
	for _, f := range sent {
		if ms(f) <= last+1 {
			m.Sent++
		}
	}
	return m
}

// TakeFile is what a take's WebM file holds, read with the recorder's own reader.
type TakeFile struct {
	Video      []webm.Block // the video blocks, without their data
	AudioCount int          // audio blocks
}

// ReadTakeFile reads a take's file.
func ReadTakeFile(path string) (TakeFile, error) {
	var tf TakeFile
	f, err := os.Open(path)
	if err != nil {
		return tf, fmt.Errorf("loadgen: %w", err)
	}
	defer f.Close()
	var video uint64
	err = webm.Read(f, func(tracks []webm.Track) error {
		for _, t := range tracks {
			if t.Video {
				video = t.Number
			}
		}
		return nil
	}, func(b webm.Block) error {
		if b.Track == video {
			b.Data = nil
			tf.Video = append(tf.Video, b)
		} else {
			tf.AudioCount++
		}
		return nil
	})
	if err != nil {
		return tf, fmt.Errorf("loadgen: read %s: %w", path, err)
	}
	return tf, nil
}
