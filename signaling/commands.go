package signaling

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// takeSignal carries a take's events from the media goroutines to the connection's
// loop without ever blocking them: flags, and a poke on a one-slot channel.
type takeSignal struct {
	started  atomic.Bool
	limited  atomic.Bool
	failed   atomic.Pointer[error]
	notify   chan struct{}
	reported bool // the loop has sent "recording"
}

func newTakeSignal() *takeSignal { return &takeSignal{notify: make(chan struct{}, 1)} }

// TakeStarted implements recorder.TakeEvents.
func (s *takeSignal) TakeStarted() {
	s.started.Store(true)
	s.poke()
}

// TakeFailed implements recorder.TakeEvents.
func (s *takeSignal) TakeFailed(err error) {
	s.failed.CompareAndSwap(nil, &err)
	s.poke()
}

// TakeLimitReached implements recorder.TakeEvents.
func (s *takeSignal) TakeLimitReached() {
	s.limited.Store(true)
	s.poke()
}

func (s *takeSignal) poke() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// takeNews reports what the media goroutines said about the take in progress.
func (c *conn) takeNews() {
	r := c.rec
	if r.signal.failed.Load() != nil {
		c.finishTake(storage.EndStop) // reports the write error and discards the take
		return
	}
	if r.signal.started.Load() && !r.signal.reported {
		r.signal.reported = true
		c.send(recordingMsg{Type: "recording", Question: r.take.Question, Take: r.take.N, LimitMs: r.limit.Milliseconds()})
	}
	if r.signal.limited.Load() {
		c.finishTake(storage.EndLimit)
	}
}

func (c *conn) record(question string) error {
	if err := c.canRecord(question); err != nil {
		return err
	}
	q, _ := c.iv.Question(question)
	t, err := c.h.store.BeginTakeWithin(c.inv, question, q.RetakeLimit)
	if err != nil {
		return err
	}
	return c.startTake(t)
}

func (c *conn) retake(question string) error {
	if err := c.canRecord(question); err != nil {
		return err
	}
	q, _ := c.iv.Question(question)
	old, next, err := c.h.store.ReplaceTake(c.inv, question, q.RetakeLimit)
	if err != nil {
		return err
	}
	if err := c.h.media.Remove(old.TakeKey); err != nil {
		// The record is gone; a file left behind is found and removed at the next start.
		c.log.Error("removing replaced take", slog.String("take", old.TakeKey.String()), slog.Any("err", err))
	}
	c.log.Info("take replaced", slog.String("take", old.TakeKey.String()))
	return c.startTake(next)
}

// canRecord checks what can be checked before any record changes.
func (c *conn) canRecord(question string) error {
	if err := c.question(question); err != nil {
		return err
	}
	if c.rec != nil {
		return errAlreadyRecording
	}
	if err := c.checkOpen(true); err != nil {
		return err
	}
	if c.sess == nil || !c.sess.Ready() {
		return errNoMedia
	}
	return nil
}

// startTake opens the file of a take just recorded in the store and starts the recorder on it.
// On failure the take's record is deleted again.
func (c *conn) startTake(t storage.Take) error {
	f, err := c.h.media.Create(t.TakeKey)
	if err != nil {
		c.dropRecord(t)
		c.log.Error("creating take file", slog.Any("err", err))
		return errWriteFailed
	}
	sig := newTakeSignal()
	q, _ := c.iv.Question(t.Question)
	if err := c.sess.StartTake(f, sig, q.TimeLimit); err != nil {
		f.Abort()
		c.dropRecord(t)
		return err
	}
	c.rec = &recording{take: t, file: f, signal: sig, limit: q.TimeLimit}
	c.log.Info("take armed", slog.String("take", t.TakeKey.String()))
	return nil
}

func (c *conn) dropRecord(t storage.Take) {
	if err := c.h.store.DeleteTake(t.TakeKey); err != nil {
		c.log.Error("deleting take record", slog.String("take", t.TakeKey.String()), slog.Any("err", err))
	}
}

func (c *conn) stop() error {
	if c.rec == nil {
		return errNotRecording
	}
	return c.finishTake(storage.EndStop)
}

// finishTake ends the take in progress. A take with media becomes a draft and the
// browser hears "saved"; one without is discarded and the browser hears why.
func (c *conn) finishTake(end storage.TakeEnd) error {
	r := c.rec
	c.rec = nil
	res, err := c.sess.StopTake()
	if err == nil {
		err = r.file.Commit()
	} else {
		r.file.Abort()
	}
	if err != nil {
		c.dropRecord(r.take)
		pe := errWriteFailed
		if errors.Is(err, recorder.ErrEmptyTake) {
			pe = errEmptyTake
		} else {
			c.log.Error("take failed", slog.String("take", r.take.TakeKey.String()), slog.Any("err", err))
		}
		c.refuse(pe, "")
		return nil
	}
	st := res.Stats
	t, err := c.h.store.FinishTake(r.take.TakeKey, storage.Finish{
		DurationMs: res.Duration.Milliseconds(), Bytes: res.Bytes, End: end,
		Quality: &storage.Quality{
			VideoFrames: st.VideoFrames, AudioFrames: st.AudioFrames, PacketsLost: st.PacketsLost,
			PacketsRecovered: st.PacketsRecovered,
			FramesDropped:    st.FramesDropped, KeyframeRequests: st.KeyframeRequests,
			FirstFrameMs: st.FirstFrameDelay.Milliseconds(), AudioStartMs: st.AudioStart.Milliseconds(),
		},
	})
	if err != nil {
		c.log.Error("recording finished take", slog.String("take", r.take.TakeKey.String()), slog.Any("err", err))
		c.refuse(errWriteFailed, "")
		return nil
	}
	c.log.Info("take saved", slog.String("take", t.TakeKey.String()), slog.Int64("ms", t.DurationMs),
		slog.Int64("bytes", t.Bytes), slog.String("end", string(end)), slog.Duration("firstFrame", res.Stats.FirstFrameDelay),
		slog.Uint64("lost", res.Stats.PacketsLost), slog.Uint64("dropped", res.Stats.FramesDropped))
	m := savedMsg{Type: "saved", Question: t.Question, Take: t.N, DurationMs: t.DurationMs,
		Bytes: t.Bytes, URL: TakeURL(c.token, t.TakeKey), Reason: string(end)}
	if q, _ := c.iv.Question(t.Question); q.RetakeLimit != 0 {
		if used, err := c.h.store.RetakesUsed(c.inv.ID); err == nil {
			left, _ := storage.RetakesLeft(q.RetakeLimit, used[t.Question])
			m.RetakesLeft = &left
		}
	}
	c.send(m)
	return nil
}

func (c *conn) removeTake(question string) error {
	if err := c.question(question); err != nil {
		return err
	}
	if c.rec != nil {
		return errAlreadyRecording
	}
	if err := c.checkOpen(false); err != nil {
		return err
	}
	t, err := c.h.store.RemoveTake(c.inv, question)
	if err != nil {
		return err
	}
	if err := c.h.media.Remove(t.TakeKey); err != nil {
		c.log.Error("removing take file", slog.String("take", t.TakeKey.String()), slog.Any("err", err))
	}
	c.send(removedMsg{Type: "removed", Question: question})
	return nil
}

func (c *conn) acceptPrivacy() error {
	inv, err := c.h.store.AcceptPrivacy(c.inv.ID)
	if err != nil {
		return err
	}
	c.inv = inv
	return c.sendState("state")
}

// detailsError carries, per field, what is wrong with the candidate's details.
type detailsError struct {
	fields map[string]string
}

func (e *detailsError) Error() string { return "signaling: invalid details" }

func (c *conn) details(values map[string]string) error {
	if c.inv.Stage() == storage.StagePrivacy {
		return errWrongStage
	}
	clean, problems := storage.CheckDetails(c.iv.AskedFields(), values)
	if len(problems) > 0 {
		return &detailsError{fields: problems}
	}
	inv, err := c.h.store.SaveDetails(c.inv.ID, clean)
	if err != nil {
		return err
	}
	c.inv = inv
	return c.sendState("state")
}

func (c *conn) submit() error {
	if c.rec != nil {
		return errAlreadyRecording
	}
	if err := c.checkOpen(false); err != nil {
		return err
	}
	inv, err := c.h.store.Submit(c.iv, c.inv.ID)
	if err != nil {
		return err
	}
	c.inv = inv
	c.log.Info("answers submitted")
	if c.h.opts.Submitted != nil {
		c.h.opts.Submitted(c.iv, inv)
	}
	return c.sendState("state")
}
