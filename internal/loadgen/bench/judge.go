package bench

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/takes/takes/internal/loadgen"
	"github.com/takes/takes/storage"
)

// verdict is what the files and the store say of one step's takes, read after the server stopped.
type verdict struct {
	Takes   int // takes the peers recorded without error
	Kept    int // of which still on disk (not replaced or removed)
	Judged  int // files read and matched with what was sent
	Missing []string

	FramesSent, FramesWritten int
	Unmatched                 int      // video blocks that match no frame sent
	Mismatches                []string // the first few takes whose file differs from what was sent
	CountMismatch             int      // files whose video block count differs from the store's record

	// From the store's quality records of every take, removed ones included.
	Records       int
	PacketsLost   uint64
	FramesDropped uint64
	FirstFrameMs  []float64
	AudioLateMax  int64 // latest start of the audio after the first picture, ms
	NotStopped    int   // takes that ended otherwise than by stop (cut, limit, interrupted)

	Decoded      int
	DecodeFailed int
	DecodeErrors []string // the first few
}

// judge reads the store of dataDir and the files of the kept takes, compares them with the report, and
// decodes every file with ffmpeg, workers at a time.
func judge(ctx context.Context, dataDir string, invs []loadgen.Invitation, rep *loadgen.Report, workers int) (*verdict, error) {
	db, err := storage.Open(filepath.Join(dataDir, "takes.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	v := &verdict{}
	var files []string
	for _, p := range rep.Peers {
		records, err := db.Takes(invs[p.Index].ID)
		if err != nil {
			return nil, err
		}
		v.addRecords(records)
		for _, t := range p.Takes {
			if path, ok := v.matchTake(dataDir, invs[p.Index].ID, records, t); ok {
				files = append(files, path)
			}
		}
	}
	v.decode(ctx, files, workers)
	return v, nil
}

// addRecords adds up the store's quality records of one invitation's takes.
func (v *verdict) addRecords(records []storage.Take) {
	for _, r := range records {
		if r.Quality == nil {
			continue
		}
		v.Records++
		q := r.Quality
		v.PacketsLost += q.PacketsLost
		v.FramesDropped += q.FramesDropped
		v.FirstFrameMs = append(v.FirstFrameMs, float64(q.FirstFrameMs))
		v.AudioLateMax = max(v.AudioLateMax, q.AudioStartMs)
		if r.End != storage.EndStop {
			v.NotStopped++
		}
	}
}

// matchTake compares one take the peer kept with its file, and returns the file's path.
func (v *verdict) matchTake(dataDir, invitation string, records []storage.Take, t loadgen.TakeReport) (string, bool) {
	if t.Err != "" {
		return "", false
	}
	v.Takes++
	if t.Replaced || t.Removed {
		return "", false
	}
	v.Kept++
	var rec *storage.Take
	for i := range records {
		if r := &records[i]; r.Question == t.Question && r.N == t.N && r.State == storage.TakeDraft {
			rec = r
		}
	}
	name := fmt.Sprintf("%s/%s/%d", invitation, t.Question, t.N)
	if rec == nil {
		v.Missing = append(v.Missing, name+": no record")
		return "", false
	}
	rel, err := storage.MediaPath(rec.TakeKey)
	if err != nil {
		v.Missing = append(v.Missing, name+": "+err.Error())
		return "", false
	}
	path := filepath.Join(dataDir, "media", rel)
	tf, err := loadgen.ReadTakeFile(path)
	if err != nil {
		v.Missing = append(v.Missing, name+": "+err.Error())
		return "", false
	}
	m, err := loadgen.MatchTake(t.Sent, tf.Video)
	if err != nil {
		v.Missing = append(v.Missing, name+": "+err.Error())
		return path, true
	}
	v.Judged++
	if (m.Unmatched > 0 || m.Sent != m.Written) && len(v.Mismatches) < 10 {
		v.Mismatches = append(v.Mismatches, fmt.Sprintf("%s: %d frames written of %d sent, %d not matching; keyframes in the file at %v ms, sent at %v ms",
			name, m.Written, m.Sent, m.Unmatched, fileKeys(tf), sentKeys(t.Sent)))
	}
	v.FramesSent += m.Sent
	v.FramesWritten += m.Written
	v.Unmatched += m.Unmatched
	if rec.Quality != nil && rec.Quality.VideoFrames != uint64(len(tf.Video)) {
		v.CountMismatch++
	}
	return path, true
}

// decode runs ffmpeg over every file, demuxing and decoding all streams; anything it prints is an error.
func (v *verdict) decode(ctx context.Context, files []string, workers int) {
	jobs := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				msg := decodeErrors(ctx, path)
				mu.Lock()
				v.Decoded++
				if msg != "" {
					v.DecodeFailed++
				}
				if msg != "" && len(v.DecodeErrors) < 20 {
					v.DecodeErrors = append(v.DecodeErrors, shortPath(path)+": "+msg)
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
}

// decodeErrors decodes a file with one ffmpeg thread and returns what ffmpeg complained of. The two
// timing options keep the null muxer from reporting a WebRTC recording's variable frame timing.
func decodeErrors(ctx context.Context, path string) string {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-threads", "1", "-v", "error", "-i", path,
		"-enc_time_base", "-1", "-fps_mode", "passthrough", "-f", "null", "-")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	msg := strings.TrimSpace(out.String())
	if err != nil && msg == "" {
		msg = err.Error()
	}
	return msg
}

// fileKeys lists the timecodes of a file's video keyframes, and its last video block's.
func fileKeys(tf loadgen.TakeFile) string {
	var b strings.Builder
	for _, blk := range tf.Video {
		if blk.Keyframe {
			fmt.Fprintf(&b, "%d ", blk.Timecode)
		}
	}
	fmt.Fprintf(&b, "(last %d, %d blocks)", tf.Video[len(tf.Video)-1].Timecode, len(tf.Video))
	return b.String()
}

// sentKeys lists when the keyframes of a take's log were sent, in ms from the log's first frame.
func sentKeys(sent []loadgen.SentFrame) string {
	var b strings.Builder
	for _, f := range sent {
		if f.Key {
			fmt.Fprintf(&b, "%d ", int64(f.TS-sent[0].TS)/90)
		}
	}
	if len(sent) > 0 {
		fmt.Fprintf(&b, "(last %d, %d frames)", int64(sent[len(sent)-1].TS-sent[0].TS)/90, len(sent))
	}
	return b.String()
}

// shortPath names a take's file by its invitation, question and take.
func shortPath(path string) string {
	q := filepath.Dir(path)
	return filepath.Join(filepath.Base(filepath.Dir(q)), filepath.Base(q), filepath.Base(path))
}
