package loadgen

import (
	"context"
	"errors"
	"time"
)

// TakeReport is one take as a peer saw it.
type TakeReport struct {
	Question string `json:"question"`
	N        int    `json:"n"`       // the take's number, from the server's `recording`
	Command  string `json:"command"` // record or retake
	// Replaced says a later retake deleted this take; Removed that remove-take did.
	Replaced bool `json:"replaced,omitempty"`
	Removed  bool `json:"removed,omitempty"`
	// RecordingMs is the time from sending the command to hearing `recording`; StopSavedMs from sending
	// `stop` to hearing `saved`.
	RecordingMs float64 `json:"recordingMs"`
	StopSavedMs float64 `json:"stopSavedMs"`
	Reason      string  `json:"reason,omitempty"` // of `saved`: stop, limit or cut
	DurationMs  int64   `json:"durationMs"`
	Bytes       int64   `json:"bytes"`
	Err         string  `json:"err,omitempty"`
	// Sent are the video frames sent from a second before the command to `saved`, a span that holds the
	// take's; VideoSent counts them, AudioSent the Opus packets from the command to `saved`.
	Sent      []SentFrame `json:"-"`
	VideoSent int         `json:"videoSent"`
	AudioSent int         `json:"audioSent"`
}

// cycle records takes until hold is done: record → stop, every RetakeEvery-th time a retake of the same
// question → stop, every RemoveEvery-th time remove-take, then a pause. The take in progress when hold
// ends runs to its length: stopping every peer's take at the same instant would measure a burst no
// candidates make. It returns an error when the peer cannot go on.
func (p *peer) cycle(ctx, hold context.Context) error {
	cfg := &p.run.cfg
	for i := 0; hold.Err() == nil; i++ {
		q := p.questions[i%len(p.questions)]
		if err := p.take(ctx, q); err != nil {
			return err
		}
		if every(i, cfg.RetakeEvery) && hold.Err() == nil {
			if err := p.take(ctx, q); err != nil {
				return err
			}
		}
		if every(i, cfg.RemoveEvery) {
			if err := p.removeTake(ctx, q); err != nil {
				return err
			}
		}
		select {
		case <-time.After(cfg.Gap):
		case <-hold.Done():
		}
	}
	return nil
}

// every reports whether the i-th (from 0) time is one of every k-th; k ≤ 0 is never.
func every(i, k int) bool {
	return k > 0 && i%k == k-1
}

// take records one take of question q: record (or retake, when q has a take), TakeDuration, stop. A
// refusal by the server is kept in the take's report; only a broken peer is an error.
func (p *peer) take(ctx context.Context, q string) error {
	t := TakeReport{Question: q, Command: "record"}
	if p.hasTake[q] {
		t.Command = "retake"
	}
	p.snd.startLog()
	defer func() {
		t.Sent, t.AudioSent = p.snd.stopLog()
		t.VideoSent = len(t.Sent)
		p.report.Takes = append(p.report.Takes, t)
	}()
	start := time.Now()
	if _, err := p.reply(ctx, map[string]string{"type": t.Command, "question": q}, "recording"); err != nil {
		return t.fail(err)
	}
	t.RecordingMs = msSince(start)
	if t.Command == "retake" {
		p.markLast(q, func(r *TakeReport) { r.Replaced = true })
	}
	p.hasTake[q] = true

	// Wait for the take's length; the server may end the take itself meanwhile.
	rec, cancel := context.WithTimeout(ctx, p.run.cfg.TakeDuration)
	ev, err := p.waitFor(rec, "saved")
	cancel()
	var se *ServerError
	switch {
	case err == nil: // a time limit or a cut
	case errors.As(err, &se) || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded):
		return t.fail(err)
	default:
		stop := time.Now()
		if ev, err = p.reply(ctx, map[string]string{"type": "stop"}, "saved"); err != nil {
			return t.fail(err)
		}
		t.StopSavedMs = msSince(stop)
	}
	t.N, t.Reason, t.DurationMs, t.Bytes = ev.Take, ev.Reason, ev.DurationMs, ev.Bytes
	return nil
}

// fail records err in the take's report and returns it if the peer cannot go on.
func (t *TakeReport) fail(err error) error {
	t.Err = err.Error()
	var se *ServerError
	if errors.As(err, &se) {
		return nil
	}
	return err
}

// removeTake removes question q's take.
func (p *peer) removeTake(ctx context.Context, q string) error {
	if _, err := p.reply(ctx, map[string]string{"type": "remove-take", "question": q}, "removed"); err != nil {
		var se *ServerError
		if errors.As(err, &se) {
			p.report.Errors = append(p.report.Errors, err.Error())
			return nil
		}
		return err
	}
	p.markLast(q, func(r *TakeReport) { r.Removed = true })
	p.hasTake[q] = false
	return nil
}

// reply sends a command and waits, at most replyTimeout, for the event of type want.
func (p *peer) reply(ctx context.Context, msg any, want string) (event, error) {
	ctx, cancel := context.WithTimeout(ctx, replyTimeout)
	defer cancel()
	return p.command(ctx, msg, want)
}

// markLast changes the report of question q's latest saved take.
func (p *peer) markLast(q string, fn func(*TakeReport)) {
	for i := len(p.report.Takes) - 1; i >= 0; i-- {
		if r := &p.report.Takes[i]; r.Question == q && r.Err == "" {
			fn(r)
			return
		}
	}
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
