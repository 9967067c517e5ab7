package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/storage"
)

// fullDisk is a media store whose next take file fails with ENOSPC after some bytes,
// as a disk that fills up while a take is written.
type fullDisk struct {
	storage.Media
	failNext atomic.Bool
	after    int64
}

func (d *fullDisk) Create(k storage.TakeKey) (storage.TakeFile, error) {
	f, err := d.Media.Create(k)
	if err != nil || !d.failNext.CompareAndSwap(true, false) {
		return f, err
	}
	return &fillingFile{TakeFile: f, room: d.after}, nil
}

type fillingFile struct {
	storage.TakeFile
	room int64
}

func (f *fillingFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.room {
		return 0, fmt.Errorf("write take: %w", syscall.ENOSPC)
	}
	return f.TakeFile.WriteAt(p, off)
}

// TestDiskFullFailsOnlyThatTake fills the disk during the second take: the candidate
// hears a clear error, the first take is untouched, and recording works again after.
func TestDiskFullFailsOnlyThatTake(t *testing.T) {
	var disk *fullDisk
	s := startServerWith(t, func(m storage.Media) storage.Media {
		disk = &fullDisk{Media: m, after: 150 << 10}
		return disk
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1, q2 := s.iv.Questions[0].ID, s.iv.Questions[1].ID
	_, spoke := recordTake(t, ctx, p, "record", q1, 2*time.Second)

	disk.failNext.Store(true)
	if err := p.Record(q2); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	ev, err := p.WaitFor(ctx, "error") // about a second in, 150 kB are written
	if err != nil || ev.Code != "write-failed" || ev.Message == "" {
		t.Fatalf("got %+v %v, want a write-failed error", ev, err)
	}
	if cur, _ := s.app.DB().CurrentTakes(s.inv.ID); len(cur) != 1 || cur[q1].State != storage.TakeDraft {
		t.Errorf("after the failed take the store has %+v, want only q1's draft", cur)
	}
	if files := mediaFiles(t, s.data); len(files) != 1 || files[0] != s.takePath(s.key(q1, 1)) {
		t.Errorf("files after the failed take: %v", files)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 1)), spoke)

	// The disk has room again: the same question records.
	_, spoke = recordTake(t, ctx, p, "record", q2, 2*time.Second)
	checkTakeFile(t, s.takePath(s.key(q2, 2)), spoke)
}

// TestShutdownSavesTakeInProgress closes the server while a take is recorded: the
// take is finished and kept as a draft marked cut.
func TestShutdownSavesTakeInProgress(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	if err := p.Record(q1); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	select {
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	// Closing the app is what a SIGTERM leads to in main.
	if err := s.app.Close(); err != nil {
		t.Fatal(err)
	}
	spoke := time.Since(began)
	db, err := storage.Open(s.data + "/takes.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tk, err := db.Take(s.key(q1, 1))
	if err != nil || tk.State != storage.TakeDraft || tk.End != storage.EndCut {
		t.Fatalf("take after shutdown: %+v %v, want a cut draft", tk, err)
	}
	checkTakeFile(t, s.takePath(s.key(q1, 1)), spoke)
}

// TestRealDiskFull records onto a small tmpfs that fills up mid-take: the candidate
// hears a clear error, the take before is intact, and once there is room again the
// same question records. It needs root to mount the tmpfs (CI runs as root).
func TestRealDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	mediatest.RequireTools(t)
	data := t.TempDir()
	media := filepath.Join(data, "media")
	os.MkdirAll(media, 0o700)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", media).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", media).Run() })
	s := startServerIn(t, data, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1, q2 := s.iv.Questions[0].ID, s.iv.Questions[1].ID
	_, spoke := recordTake(t, ctx, p, "record", q1, 2*time.Second)

	// Fill what is left but about 100 kB: the next take runs out within a second.
	var st syscall.Statfs_t
	if err := syscall.Statfs(media, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	filler := filepath.Join(media, "filler")
	if err := os.WriteFile(filler, make([]byte, max(free-100<<10, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	p.Record(q2)
	if _, err := p.WaitFor(ctx, "recording"); err != nil {
		t.Fatal(err)
	}
	ev, err := p.WaitFor(ctx, "error")
	if err != nil || ev.Code != "write-failed" {
		t.Fatalf("got %+v %v, want write-failed", ev, err)
	}
	t.Logf("the full disk was reported as: %s", ev.Message)
	checkTakeFile(t, s.takePath(s.key(q1, 1)), spoke)
	if cur, _ := s.app.DB().CurrentTakes(s.inv.ID); len(cur) != 1 {
		t.Errorf("takes after the full disk: %+v", cur)
	}
	if parts, _ := filepath.Glob(filepath.Join(media, "*", "*", "*", "*.part")); len(parts) != 0 {
		t.Errorf("part files left on the full disk: %v", parts)
	}

	os.Remove(filler)
	_, spoke = recordTake(t, ctx, p, "record", q2, time.Second)
	checkTakeFile(t, s.takePath(s.key(q2, 2)), spoke)
}
