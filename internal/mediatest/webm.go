package mediatest

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/at-wat/ebml-go"
	"github.com/at-wat/ebml-go/webm"
)

// WebMTrack is one track of a WebM file and a count of its blocks.
type WebMTrack struct {
	Number          uint64
	CodecID         string // "V_VP8", "V_VP9", "A_OPUS", …
	Type            string // "video", "audio", or "type N" for anything else
	Blocks          int    // SimpleBlocks and BlockGroups of the track
	Keyframes       int    // blocks flagged as keyframes
	FirstIsKeyframe bool   // whether the track's first block (in file order) is a keyframe
	// Times holds each block's timestamp (its cluster's plus its own), in file order.
	Times []time.Duration
}

// WebMInfo is a summary of a WebM file.
type WebMInfo struct {
	Tracks    []WebMTrack
	Clusters  int
	CuePoints int           // 0 when the file has no Cues
	Duration  time.Duration // the Segment Info's Duration; 0 when absent
}

// Track returns the first track of the given type ("video" or "audio").
func (w *WebMInfo) Track(trackType string) (WebMTrack, bool) {
	for _, tr := range w.Tracks {
		if tr.Type == trackType {
			return tr, true
		}
	}
	return WebMTrack{}, false
}

// Matroska track types (TrackType element).
const (
	trackTypeVideo = 1
	trackTypeAudio = 2
)

// webmFile is what ParseWebM unmarshals: the whole file, blocks included.
type webmFile struct {
	Header  webm.EBMLHeader `ebml:"EBML"`
	Segment webm.Segment    `ebml:"Segment"`
}

// ParseWebM reads a whole WebM file and summarizes its tracks, blocks, clusters and cues.
func ParseWebM(path string) (*WebMInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mediatest: parse WebM: %w", err)
	}
	defer f.Close()
	var doc webmFile
	scan := blockScan{groups: make(map[*ebml.Element]int), refs: make(map[*ebml.Element]bool)}
	err = ebml.Unmarshal(bufio.NewReader(f), &doc, ebml.WithElementReadHooks(scan.hook))
	if err != nil && !errors.Is(err, ebml.ErrReadStopped) {
		return nil, fmt.Errorf("mediatest: parse WebM %s: %w", path, err)
	}
	return summarize(&doc.Segment, scan.blocks), nil
}

// FirstVideoBlockIsKeyframe reports whether the first block of the file's video track is a keyframe, as a
// recording that starts cleanly must. It fails the test if the file cannot be parsed or has no video.
func FirstVideoBlockIsKeyframe(t testing.TB, path string) bool {
	t.Helper()
	info, err := ParseWebM(path)
	if err != nil {
		t.Fatal(err)
	}
	video, ok := info.Track("video")
	if !ok || video.Blocks == 0 {
		t.Fatalf("mediatest: %s has no video blocks (tracks %+v)", path, info.Tracks)
	}
	return video.FirstIsKeyframe
}

// summarize builds the WebMInfo of an unmarshalled segment and its blocks in file order.
func summarize(seg *webm.Segment, blocks []blockRef) *WebMInfo {
	info := &WebMInfo{Clusters: len(seg.Cluster)}
	if seg.Cues != nil {
		info.CuePoints = len(seg.Cues.CuePoint)
	}
	scale := cmp.Or(seg.Info.TimecodeScale, 1_000_000)
	info.Duration = time.Duration(seg.Info.Duration * float64(scale))
	for _, e := range seg.Tracks.TrackEntry {
		info.Tracks = append(info.Tracks, WebMTrack{Number: e.TrackNumber, CodecID: e.CodecID, Type: trackType(e.TrackType)})
	}
	for _, b := range blocks {
		for i := range info.Tracks {
			if tr := &info.Tracks[i]; tr.Number == b.track {
				tr.count(b.keyframe)
				tr.Times = append(tr.Times, time.Duration(b.ticks*int64(scale)))
			}
		}
	}
	return info
}

// count adds one block to the track's counts.
func (tr *WebMTrack) count(keyframe bool) {
	if tr.Blocks == 0 {
		tr.FirstIsKeyframe = keyframe
	}
	tr.Blocks++
	if keyframe {
		tr.Keyframes++
	}
}

// trackType names a Matroska track type.
func trackType(t uint64) string {
	switch t {
	case trackTypeVideo:
		return "video"
	case trackTypeAudio:
		return "audio"
	}
	return fmt.Sprintf("type %d", t)
}

// blockRef is one block of the file: its track, whether it is a keyframe, and its timestamp in
// TimecodeScale units.
type blockRef struct {
	track    uint64
	keyframe bool
	ticks    int64
}

// blockScan records the blocks of a file in file order while ebml-go unmarshals it. Unmarshalling into
// the Cluster struct alone would lose the order between a cluster's SimpleBlocks and its BlockGroups.
type blockScan struct {
	blocks []blockRef
	groups map[*ebml.Element]int  // BlockGroup → index of its Block in blocks
	refs   map[*ebml.Element]bool // BlockGroups that have a ReferenceBlock
	// cluster is the Timecode of the cluster being read: it comes before the cluster's blocks.
	cluster int64
}

// hook is called by ebml-go after each element is read, children before their parent. A SimpleBlock
// carries its keyframe flag; a Block in a BlockGroup is a keyframe unless the group has a ReferenceBlock.
func (s *blockScan) hook(e *ebml.Element) {
	switch e.Type {
	case ebml.ElementTimecode:
		if v, ok := e.Value.(uint64); ok && e.Parent != nil && e.Parent.Type == ebml.ElementCluster {
			s.cluster = int64(v)
		}
	case ebml.ElementSimpleBlock:
		b, _ := e.Value.(ebml.Block)
		s.blocks = append(s.blocks, blockRef{track: b.TrackNumber, keyframe: b.Keyframe, ticks: s.cluster + int64(b.Timecode)})
	case ebml.ElementBlock:
		b, _ := e.Value.(ebml.Block)
		s.groups[e.Parent] = len(s.blocks)
		s.blocks = append(s.blocks, blockRef{track: b.TrackNumber, keyframe: !s.refs[e.Parent], ticks: s.cluster + int64(b.Timecode)})
	case ebml.ElementReferenceBlock:
		s.refs[e.Parent] = true
		if i, ok := s.groups[e.Parent]; ok {
			s.blocks[i].keyframe = false
		}
	}
}
