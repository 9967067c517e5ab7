package mediatest

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Stream is one stream of a media file, as ffprobe sees it.
type Stream struct {
	CodecName string `json:"codec_name"` // "vp8", "vp9", "opus", …
	CodecType string `json:"codec_type"` // "video" or "audio"
	Width     int    `json:"width"`      // 0 for audio
	Height    int    `json:"height"`     // 0 for audio
}

// ProbeResult is what ffprobe says about a media file.
type ProbeResult struct {
	Streams  []Stream
	Duration time.Duration // the container's duration; 0 when ffprobe gives none
}

// Stream returns the first stream of the given type ("video" or "audio").
func (r ProbeResult) Stream(codecType string) (Stream, bool) {
	for _, s := range r.Streams {
		if s.CodecType == codecType {
			return s, true
		}
	}
	return Stream{}, false
}

// Probe runs ffprobe on a file and returns its streams and duration. It fails the test if ffprobe cannot
// read the file.
func Probe(t testing.TB, path string) ProbeResult {
	t.Helper()
	out, _, err := run(t.Context(), "ffprobe", "-v", "error",
		"-show_entries", "format=duration:stream=codec_name,codec_type,width,height", "-of", "json", path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseProbe(out)
	if err != nil {
		t.Fatalf("mediatest: probe %s: %v", path, err)
	}
	return r
}

// parseProbe decodes ffprobe's JSON output.
func parseProbe(out []byte) (ProbeResult, error) {
	var doc struct {
		Streams []Stream `json:"streams"`
		Format  struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return ProbeResult{}, err
	}
	r := ProbeResult{Streams: doc.Streams}
	if doc.Format.Duration != "" && doc.Format.Duration != "N/A" {
		secs, err := strconv.ParseFloat(doc.Format.Duration, 64)
		if err != nil {
			return ProbeResult{}, err
		}
		r.Duration = time.Duration(secs * float64(time.Second))
	}
	return r, nil
}

// DecodeErrors demuxes and decodes every stream of a file with ffmpeg and returns what ffmpeg complained
// about; the empty string means the file decodes cleanly. The two timing options keep the null muxer from
// reporting the variable frame timing of a WebRTC recording as errors.
//
// Clean decoding does not prove a clean picture: it says nothing of frames that decode to the wrong image.
func DecodeErrors(t testing.TB, path string) string {
	t.Helper()
	out, errOut, err := run(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-i", path,
		"-enc_time_base", "-1", "-fps_mode", "passthrough", "-f", "null", "-")
	msg := strings.TrimSpace(string(out) + string(errOut))
	if err != nil && msg == "" {
		msg = err.Error()
	}
	return msg
}
