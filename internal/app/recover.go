package app

import (
	"errors"
	"io"
	"log/slog"

	"github.com/takes/takes/recorder/webm"
	"github.com/takes/takes/storage"
)

// recoverTakes puts the store and the media directory back in agreement after a
// crash. A take that was being recorded is rebuilt from what reached the disk into
// a finished, seekable draft marked interrupted; a take with nothing on disk loses
// its record; a file that no record names is deleted.
func (a *App) recoverTakes() error {
	takes, err := a.db.AllTakes()
	if err != nil {
		return err
	}
	known := make(map[storage.TakeKey]storage.TakeState, len(takes))
	for _, t := range takes {
		known[t.TakeKey] = t.State
		if t.State == storage.TakeRecording {
			a.rebuild(t)
		}
	}
	if err := a.removeOrphans(known); err != nil {
		return err
	}
	for _, t := range takes {
		if (t.State == storage.TakeDraft || t.State == storage.TakeSubmitted) && !a.disk.Exists(t.TakeKey) {
			a.log.Error("a take's file is missing", slog.String("take", t.TakeKey.String()), slog.String("state", string(t.State)))
		}
	}
	return nil
}

func (a *App) rebuild(t storage.Take) {
	log := a.log.With(slog.String("take", t.TakeKey.String()))
	var d int64
	var size int64
	err := a.disk.Rebuild(t.TakeKey, func(in io.Reader, out io.WriterAt) error {
		dur, n, err := webm.Rebuild(in, out, webm.Options{})
		d, size = dur.Milliseconds(), n
		return err
	})
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, webm.ErrEmpty) || errors.Is(err, webm.ErrNotWebM) {
		log.Warn("an unfinished take had no media on disk; its record is removed", slog.Any("err", err))
		if err := a.disk.Remove(t.TakeKey); err != nil {
			log.Error("removing the unfinished take's file", slog.Any("err", err))
		}
		if err := a.db.DeleteTake(t.TakeKey); err != nil {
			log.Error("removing the unfinished take's record", slog.Any("err", err))
		}
		return
	}
	if err != nil {
		log.Error("rebuilding an unfinished take failed; it is left as it was", slog.Any("err", err))
		return
	}
	if _, err := a.db.FinishTake(t.TakeKey, storage.Finish{DurationMs: d, Bytes: size, End: storage.EndInterrupted}); err != nil {
		log.Error("recording a rebuilt take", slog.Any("err", err))
		return
	}
	log.Warn("an interrupted take was recovered as a draft", slog.Int64("ms", d), slog.Int64("bytes", size))
}

// removeOrphans deletes files that no take record names, and files of removed takes.
func (a *App) removeOrphans(known map[storage.TakeKey]storage.TakeState) error {
	parts, err := a.disk.PartFiles()
	if err != nil {
		return err
	}
	files, err := a.disk.TakeFiles()
	if err != nil {
		return err
	}
	for _, k := range append(parts, files...) {
		st, ok := known[k]
		if ok && st != storage.TakeRemoved {
			continue
		}
		a.log.Warn("removing a take file without a take", slog.String("take", k.String()))
		if err := a.disk.Remove(k); err != nil {
			return err
		}
	}
	return nil
}
