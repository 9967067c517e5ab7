package app

import (
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

const day = 24 * time.Hour

// retentionCandidate makes a candidate of iv who answered every question, with a
// file per take, and submitted when submit is set.
func retentionCandidate(t *testing.T, db *storage.DB, media storage.Media, iv *storage.Interview, name string, submit bool) *storage.Invitation {
	t.Helper()
	inv := &storage.Invitation{InterviewID: iv.ID, Name: name}
	if err := db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDetails(inv.ID, map[string]string{"name": name}); err != nil {
		t.Fatal(err)
	}
	for _, q := range iv.Questions {
		tk, err := db.BeginTake(inv, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := media.Create(tk.TakeKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("a take"), 0); err != nil {
			t.Fatal(err)
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishTake(tk.TakeKey, storage.Finish{DurationMs: 1000, Bytes: 6, End: storage.EndStop}); err != nil {
			t.Fatal(err)
		}
	}
	if submit {
		var err error
		if inv, err = db.Submit(iv, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

func retentionInterview(t *testing.T, db *storage.DB, days int) *storage.Interview {
	t.Helper()
	iv := &storage.Interview{Title: "Retention", RetentionDays: days, Questions: []storage.Question{{Text: "One?"}, {Text: "Two?"}}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	return iv
}

// wantKept checks that a candidate's records and files are all there, or all gone.
func wantKept(t *testing.T, db *storage.DB, data string, inv *storage.Invitation, kept bool) {
	t.Helper()
	_, err := db.InvitationByToken(inv.Token)
	takes, terr := db.Takes(inv.ID)
	_, serr := os.Stat(filepath.Join(data, "media", inv.InterviewID, inv.ID))
	if terr != nil {
		t.Fatal(terr)
	}
	if kept && (err != nil || len(takes) == 0 || serr != nil) {
		t.Fatalf("%s should be kept: invitation %v, %d takes, files %v", inv.Name, err, len(takes), serr)
	}
	if !kept && (!errors.Is(err, storage.ErrNotFound) || len(takes) != 0 || !errors.Is(serr, os.ErrNotExist)) {
		t.Fatalf("%s should be gone: invitation %v, %d takes, files %v", inv.Name, err, len(takes), serr)
	}
}

// One retention pass at a chosen time deletes the submitted candidates of a
// 30-day interview once their answers are older than 30 days, and nothing else.
func TestRetentionPass(t *testing.T) {
	data := t.TempDir()
	a, err := New(Config{DataDir: data, Recorder: recorder.Config{LoopbackOnly: true},
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	month, forever := retentionInterview(t, a.db, 30), retentionInterview(t, a.db, 0)
	submitted := retentionCandidate(t, a.db, a.media, month, "Submitted", true)
	draft := retentionCandidate(t, a.db, a.media, month, "Draft", false)
	other := retentionCandidate(t, a.db, a.media, forever, "No retention", true)

	if n := a.retentionPass(submitted.SubmittedAt.Add(10 * day)); n != 0 {
		t.Fatalf("10 days after submission, %d candidates were deleted", n)
	}
	wantKept(t, a.db, data, submitted, true)

	if n := a.retentionPass(submitted.SubmittedAt.Add(40 * day)); n != 1 {
		t.Fatalf("40 days after submission, %d candidates were deleted, want 1", n)
	}
	wantKept(t, a.db, data, submitted, false)
	wantKept(t, a.db, data, draft, true)
	wantKept(t, a.db, data, other, true)

	log, err := a.db.AuditLog(storage.AuditFilter{InvitationID: submitted.ID})
	if err != nil || len(log) != 1 || log[0].Actor != "system" || log[0].Action != "delete candidate (retention)" ||
		log[0].Detail == "" || log[0].InterviewID != month.ID {
		t.Fatalf("audit log: %+v, %v", log, err)
	}
}

// The retention job runs when the server starts: a candidate who submitted 40
// days ago under a 30-day retention is gone, one who submitted 10 days ago stays.
func TestRetentionAtStart(t *testing.T) {
	data := t.TempDir()
	db, err := storage.Open(filepath.Join(data, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	media, err := storage.OpenDisk(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	iv := retentionInterview(t, db, 30)
	old := retentionCandidate(t, db, media, iv, "Forty days", true)
	recent := retentionCandidate(t, db, media, iv, "Ten days", true)
	db.Close()
	media.Close()
	backdate(t, filepath.Join(data, "takes.db"), map[string]time.Duration{old.ID: 40 * day, recent.ID: 10 * day})

	a, err := New(Config{DataDir: data, Recorder: recorder.Config{LoopbackOnly: true},
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.Close() // waits for the first pass
	db, err = storage.Open(filepath.Join(data, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantKept(t, db, data, old, false)
	wantKept(t, db, data, recent, true)
}

// backdate moves the submission of each invitation back by its duration, in the
// bbolt file itself: nothing in the product may change a submission's time.
func backdate(t *testing.T, path string, by map[string]time.Duration) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		bucket := tx.Bucket([]byte("invitations"))
		for id, d := range by {
			var inv storage.Invitation
			if err := json.Unmarshal(bucket.Get([]byte(id)), &inv); err != nil {
				return err
			}
			inv.SubmittedAt = inv.SubmittedAt.Add(-d)
			v, err := json.Marshal(&inv)
			if err != nil {
				return err
			}
			if err := bucket.Put([]byte(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
