package recorder

import (
	"sync/atomic"
	"testing"
	"time"
)

type countingFile struct{ syncs atomic.Int32 }

func (f *countingFile) Sync() error { f.syncs.Add(1); return nil }

func TestSyncerFlushesDirtyFiles(t *testing.T) {
	s := newSyncer(time.Hour) // flushed by hand below
	defer s.close()
	a, b := &countingFile{}, &countingFile{}
	s.mark(a)
	s.mark(a)
	s.mark(b)
	s.forget(b)
	s.flush()
	if a.syncs.Load() != 1 || b.syncs.Load() != 0 {
		t.Fatalf("syncs: a %d (want 1), b %d (want 0, forgotten)", a.syncs.Load(), b.syncs.Load())
	}
	s.flush()
	if a.syncs.Load() != 1 {
		t.Errorf("a clean file was synced again")
	}
	s.mark(a)
	s.flush()
	if a.syncs.Load() != 2 {
		t.Errorf("a file marked again was not synced")
	}
}
