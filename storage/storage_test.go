package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTest(t *testing.T) (*DB, *Invitation, *Interview) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	iv := &Interview{Title: "T", Questions: []Question{{Text: "one"}, {Text: "two"}}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	inv := &Invitation{InterviewID: iv.ID}
	if err := db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDetails(inv.ID, map[string]string{"name": "A"}); err != nil {
		t.Fatal(err)
	}
	return db, inv, iv
}

func TestInvitationToken(t *testing.T) {
	db, inv, _ := openTest(t)
	if !ValidToken(inv.Token) || len(inv.Token) < 22 {
		t.Fatalf("token %q is too short or malformed", inv.Token)
	}
	got, err := db.InvitationByToken(inv.Token)
	if err != nil || got.ID != inv.ID {
		t.Fatalf("by token: %v %v", got, err)
	}
	if _, err := db.InvitationByToken("nope-nope-nope-nope-nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown token: %v, want ErrNotFound", err)
	}
	if err := db.CreateInvitation(&Invitation{InterviewID: "missing"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invitation to a missing interview: %v", err)
	}
}

func TestTakeLifecycle(t *testing.T) {
	db, inv, iv := openTest(t)
	q := iv.Questions[0].ID

	t1, err := db.BeginTake(inv, q)
	if err != nil || t1.N != 1 || t1.State != TakeRecording {
		t.Fatalf("begin: %+v %v", t1, err)
	}
	if _, err := db.BeginTake(inv, q); !errors.Is(err, ErrTakeExists) {
		t.Fatalf("second begin: %v, want ErrTakeExists", err)
	}
	if _, err := db.FinishTake(t1.TakeKey, Finish{DurationMs: 1000, Bytes: 5000, End: EndStop}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishTake(t1.TakeKey, Finish{DurationMs: 1000, Bytes: 5000, End: EndStop}); !errors.Is(err, ErrBadState) {
		t.Fatalf("finishing twice: %v", err)
	}

	old, next, err := db.ReplaceTake(inv, q, 0)
	if err != nil || old.N != 1 || next.N != 2 {
		t.Fatalf("replace: %+v %+v %v", old, next, err)
	}
	if _, err := db.Take(t1.TakeKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("replaced take's record still there: %v", err)
	}
	db.FinishTake(next.TakeKey, Finish{DurationMs: 2000, Bytes: 9000, End: EndCut})
	cur, _ := db.CurrentTakes(inv.ID)
	if c := cur[q]; c.N != 2 || c.State != TakeDraft || c.End != EndCut || c.DurationMs != 2000 {
		t.Fatalf("current take: %+v", c)
	}

	removed, err := db.RemoveTake(inv, q)
	if err != nil || removed.State != TakeRemoved {
		t.Fatalf("remove: %+v %v", removed, err)
	}
	if _, err := db.RemoveTake(inv, q); !errors.Is(err, ErrNoTake) {
		t.Fatalf("removing again: %v, want ErrNoTake", err)
	}
	if _, _, err := db.ReplaceTake(inv, q, 0); !errors.Is(err, ErrNoTake) {
		t.Fatalf("replacing nothing: %v, want ErrNoTake", err)
	}
	cur, _ = db.CurrentTakes(inv.ID)
	if len(cur) != 0 {
		t.Fatalf("current takes after removal: %+v", cur)
	}

	t3, err := db.BeginTake(inv, q)
	if err != nil || t3.N != 3 {
		t.Fatalf("numbers are never reused: %+v %v", t3, err)
	}
	if err := db.DeleteTake(t3.TakeKey); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginTake(inv, q); err != nil {
		t.Fatalf("begin after a deleted take: %v", err)
	}
	all, _ := db.Takes(inv.ID)
	if len(all) != 2 { // the removed tombstone (2) and the new take (4)
		t.Fatalf("takes: %+v", all)
	}
}

func TestDiskPartFiles(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	k := TakeKey{Interview: NewID(), Invitation: NewID(), Question: NewID(), N: 1}
	f, err := d.Create(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create(k); err == nil {
		t.Fatal("a second Create of the same take succeeded")
	}
	f.WriteAt([]byte("hello"), 0)
	if d.Exists(k) {
		t.Fatal("a take being written is visible as a take")
	}
	parts, _ := d.PartFiles()
	if len(parts) != 1 || parts[0] != k {
		t.Fatalf("part files: %+v, want %+v", parts, k)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	p, _ := MediaPath(k)
	fi, err := os.Stat(filepath.Join(dir, p))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("committed file: %v %v", fi, err)
	}
	if parts, _ := d.PartFiles(); len(parts) != 0 {
		t.Fatalf("part files after commit: %+v", parts)
	}
	if err := d.Remove(k); err != nil || d.Exists(k) {
		t.Fatalf("remove: %v", err)
	}
}

func TestMediaPathRejectsClientText(t *testing.T) {
	for _, k := range []TakeKey{
		{Interview: "..", Invitation: "a", Question: "b", N: 1},
		{Interview: "a", Invitation: "b/c", Question: "d", N: 1},
		{Interview: "a", Invitation: "b", Question: "C", N: 1},
		{Interview: "a", Invitation: "b", Question: "c", N: 0},
	} {
		if _, err := MediaPath(k); !errors.Is(err, ErrBadKey) {
			t.Errorf("MediaPath(%+v) = %v, want ErrBadKey", k, err)
		}
	}
}

func TestStagesAndSubmit(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	iv := &Interview{Title: "T", Questions: []Question{{Text: "one"}, {Text: "two", Optional: true}, {Text: "three", RetakeLimit: 1}}}
	db.CreateInterview(iv)
	inv := &Invitation{InterviewID: iv.ID}
	db.CreateInvitation(inv)
	q1, q3 := iv.Questions[0].ID, iv.Questions[2].ID

	if _, err := db.BeginTake(inv, q1); !errors.Is(err, ErrWrongStage) {
		t.Fatalf("take before privacy: %v, want ErrWrongStage", err)
	}
	if _, err := db.SaveDetails(inv.ID, nil); !errors.Is(err, ErrWrongStage) {
		t.Fatalf("details before privacy: %v, want ErrWrongStage", err)
	}
	got, _ := db.AcceptPrivacy(inv.ID)
	if got.Stage() != StageDetails {
		t.Fatalf("stage after privacy: %s", got.Stage())
	}
	got, _ = db.SaveDetails(inv.ID, map[string]string{"name": "A"})
	if got.Stage() != StageQuestions {
		t.Fatalf("stage after details: %s", got.Stage())
	}

	var missing *MissingAnswersError
	if _, err := db.Submit(iv, inv.ID); !errors.As(err, &missing) || len(missing.Questions) != 2 {
		t.Fatalf("submit with no answers: %v, want q1 and q3 missing", err)
	}
	for _, q := range []string{q1, q3} {
		tk, _ := db.BeginTake(inv, q)
		db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, Bytes: 100, End: EndStop})
	}
	if _, _, err := db.ReplaceTake(inv, q3, 1); err != nil {
		t.Fatalf("first retake: %v", err)
	}
	if _, _, err := db.ReplaceTake(inv, q3, 1); !errors.Is(err, ErrRetakeLimit) {
		t.Fatalf("second retake: %v, want ErrRetakeLimit", err)
	}
	if used, _ := db.RetakesUsed(inv.ID); used[q3] != 1 {
		t.Fatalf("retakes used: %v", used)
	}
	// q3's retake is still recording: it does not count as an answer.
	if _, err := db.Submit(iv, inv.ID); !errors.As(err, &missing) || len(missing.Questions) != 1 || missing.Questions[0] != q3 {
		t.Fatalf("submit with q3 recording: %v", err)
	}
	cur, _ := db.CurrentTakes(inv.ID)
	db.FinishTake(cur[q3].TakeKey, Finish{DurationMs: 1000, Bytes: 100, End: EndStop})
	done, err := db.Submit(iv, inv.ID)
	if err != nil || done.Stage() != StageSubmitted {
		t.Fatalf("submit: %v", err)
	}
	cur, _ = db.CurrentTakes(inv.ID)
	for q, tk := range cur {
		if tk.State != TakeSubmitted {
			t.Errorf("question %s take state %s after submit", q, tk.State)
		}
	}
	for name, err := range map[string]error{
		"begin":  func() error { _, err := db.BeginTake(inv, iv.Questions[1].ID); return err }(),
		"remove": func() error { _, err := db.RemoveTake(inv, q1); return err }(),
		"retake": func() error { _, _, err := db.ReplaceTake(inv, q1, 0); return err }(),
		"submit": func() error { _, err := db.Submit(iv, inv.ID); return err }(),
	} {
		if !errors.Is(err, ErrSubmitted) {
			t.Errorf("%s after submission: %v, want ErrSubmitted", name, err)
		}
	}
}

func TestCheckDetails(t *testing.T) {
	fields := DefaultFields()
	tests := []struct {
		name     string
		values   map[string]string
		problems []string
	}{
		{"all good", map[string]string{"name": " Ada ", "email": "ada@example.com", "phone": "+44 (20) 7946-0000"}, nil},
		{"phone is optional", map[string]string{"name": "Ada", "email": "ada@example.com"}, nil},
		{"missing required", map[string]string{"email": "ada@example.com"}, []string{"name"}},
		{"bad email", map[string]string{"name": "Ada", "email": "ada@"}, []string{"email"}},
		{"email with a name part", map[string]string{"name": "Ada", "email": "Ada <ada@example.com>"}, []string{"email"}},
		{"letters in phone", map[string]string{"name": "Ada", "email": "a@b.co", "phone": "call me"}, []string{"phone"}},
		{"short phone", map[string]string{"name": "Ada", "email": "a@b.co", "phone": "123"}, []string{"phone"}},
		{"too long", map[string]string{"name": strings.Repeat("a", 201), "email": "a@b.co"}, []string{"name"}},
		{"newline", map[string]string{"name": "a\nb", "email": "a@b.co"}, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean, problems := CheckDetails(fields, tt.values)
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %v", problems, tt.problems)
			}
			for _, f := range tt.problems {
				if problems[f] == "" {
					t.Errorf("no problem reported for %s: %v", f, problems)
				}
			}
			if len(problems) == 0 && clean["name"] != strings.TrimSpace(tt.values["name"]) {
				t.Errorf("clean name %q", clean["name"])
			}
		})
	}
}

// TestRemovingIsNoWayAroundTheRetakeLimit: recording again after removing a take
// is a retake, and a question with NoRetakes has exactly one take.
func TestRemovingIsNoWayAroundTheRetakeLimit(t *testing.T) {
	db, inv, iv := openTest(t)
	q := iv.Questions[0].ID
	take := func(limit int) error {
		tk, err := db.BeginTakeWithin(inv, q, limit)
		if err != nil {
			return err
		}
		_, err = db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, End: EndStop})
		return err
	}
	for _, tc := range []struct {
		limit, takes int // takes possible in all
	}{{1, 2}, {NoRetakes, 1}, {2, 3}} {
		db.DeleteCandidate(inv.ID)
		inv = &Invitation{InterviewID: iv.ID}
		if err := db.CreateInvitation(inv); err != nil {
			t.Fatal(err)
		}
		db.AcceptPrivacy(inv.ID)
		db.SaveDetails(inv.ID, map[string]string{"name": "A"})
		for i := range tc.takes {
			if err := take(tc.limit); err != nil {
				t.Fatalf("limit %d: take %d: %v", tc.limit, i+1, err)
			}
			if _, err := db.RemoveTake(inv, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := take(tc.limit); !errors.Is(err, ErrRetakeLimit) {
			t.Fatalf("limit %d: take %d after removals: %v, want ErrRetakeLimit", tc.limit, tc.takes+1, err)
		}
	}
	// Without a limit, removing and recording again never ends.
	for i := range 5 {
		if err := take(0); err != nil {
			t.Fatalf("unlimited: take %d: %v", i+1, err)
		}
		db.RemoveTake(inv, q)
	}
	if !RetakeAllowed(0, 99) || RetakeAllowed(NoRetakes, 0) || RetakeAllowed(2, 2) || !RetakeAllowed(2, 1) {
		t.Error("RetakeAllowed is wrong")
	}
}
