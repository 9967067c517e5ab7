package recorder

import (
	"sync"
	"time"
)

// syncable is a take file that can be flushed to stable storage.
type syncable interface {
	Sync() error
}

// syncer flushes take files to disk in the background, about once a SyncInterval,
// so that a power cut loses little of a take in progress. Media goroutines only
// mark files dirty; they never wait for the disk.
type syncer struct {
	mu    sync.Mutex
	dirty map[syncable]struct{}
	spare map[syncable]struct{}
	stop  chan struct{}
	done  chan struct{}
}

func newSyncer(interval time.Duration) *syncer {
	s := &syncer{
		dirty: make(map[syncable]struct{}), spare: make(map[syncable]struct{}),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go s.run(interval)
	return s
}

// mark notes that f has new data to flush.
func (s *syncer) mark(f syncable) {
	s.mu.Lock()
	s.dirty[f] = struct{}{}
	s.mu.Unlock()
}

// forget drops f, whose owner is about to sync and close it.
func (s *syncer) forget(f syncable) {
	s.mu.Lock()
	delete(s.dirty, f)
	s.mu.Unlock()
}

func (s *syncer) run(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.flush()
		}
	}
}

// flush syncs every dirty file, outside the lock. A file closed meanwhile just
// returns an error, which is of no consequence: its owner synced it on close.
func (s *syncer) flush() {
	s.mu.Lock()
	batch := s.dirty
	s.dirty, s.spare = s.spare, nil
	s.mu.Unlock()
	for f := range batch {
		f.Sync()
		delete(batch, f)
	}
	s.mu.Lock()
	s.spare = batch
	s.mu.Unlock()
}

func (s *syncer) close() {
	close(s.stop)
	<-s.done
}
