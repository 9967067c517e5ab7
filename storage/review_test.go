package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// submitTest returns a store with a candidate who submitted answers to both
// questions, and a second candidate who has not submitted.
func submitTest(t *testing.T) (db *DB, submitted, draft *Invitation, iv *Interview) {
	t.Helper()
	db, submitted, iv = openTest(t)
	for _, q := range iv.Questions {
		tk, err := db.BeginTake(submitted, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, Bytes: 10, End: EndStop}); err != nil {
			t.Fatal(err)
		}
	}
	submitted, err := db.Submit(iv, submitted.ID)
	if err != nil {
		t.Fatal(err)
	}
	draft = &Invitation{InterviewID: iv.ID}
	if err := db.CreateInvitation(draft); err != nil {
		t.Fatal(err)
	}
	return db, submitted, draft, iv
}

func TestRatings(t *testing.T) {
	db, inv, draft, iv := submitTest(t)
	q1, q2 := iv.Questions[0].ID, iv.Questions[1].ID
	for _, r := range []struct {
		q, user string
		stars   int
	}{{q1, "ann", 4}, {q1, "bob", 2}, {q1, "ann", 5}, {q2, "bob", 3}} {
		if err := db.Rate(inv.ID, r.q, r.user, r.stars); err != nil {
			t.Fatalf("rate %+v: %v", r, err)
		}
	}
	rv, err := db.Reviews(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := rv[q1].Ratings
	if len(got) != 2 || got[0].UserID != "ann" || got[0].Stars != 5 || got[1].UserID != "bob" || got[1].Stars != 2 {
		t.Fatalf("ratings of q1: %+v, want ann 5 (rated again) and bob 2", got)
	}
	if avg, n := rv.Average(); n != 3 || avg != 10.0/3 {
		t.Fatalf("average %v of %d, want 3.33 of 3", avg, n)
	}
	if err := db.Rate(inv.ID, q1, "ann", 0); err != nil {
		t.Fatal(err)
	}
	rv, _ = db.Reviews(inv.ID)
	if avg, n := rv[q1].Average(); n != 1 || avg != 2 {
		t.Fatalf("q1 after ann cleared hers: %v of %d", avg, n)
	}

	for name, tt := range map[string]struct {
		inv, q string
		stars  int
		want   error
	}{
		"six stars":         {inv.ID, q1, 6, ErrBadRating},
		"negative":          {inv.ID, q1, -1, ErrBadRating},
		"unknown question":  {inv.ID, "nope", 3, ErrNotFound},
		"draft candidate":   {draft.ID, q1, 3, ErrWrongStage},
		"unknown candidate": {"nope", q1, 3, ErrNotFound},
	} {
		if err := db.Rate(tt.inv, tt.q, "ann", tt.stars); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
}

func TestComments(t *testing.T) {
	db, inv, draft, iv := submitTest(t)
	q1 := iv.Questions[0].ID
	first, err := db.AddComment(inv.ID, q1, "ann", "  Clear answer.  ")
	if err != nil || first.Text != "Clear answer." || first.ID == "" {
		t.Fatalf("add: %+v %v", first, err)
	}
	second, _ := db.AddComment(inv.ID, q1, "bob", "Agreed.")
	rv, _ := db.Reviews(inv.ID)
	cs := rv[q1].Comments
	if len(cs) != 2 || cs[0].ID != first.ID || cs[1].ID != second.ID || cs[1].UserID != "bob" {
		t.Fatalf("comments: %+v, want ann's then bob's", cs)
	}

	for name, tt := range map[string]struct {
		inv, text string
		want      error
	}{
		"empty":           {inv.ID, " \n ", ErrBadComment},
		"too long":        {inv.ID, strings.Repeat("é", MaxCommentChars+1), ErrBadComment},
		"draft candidate": {draft.ID, "hi", ErrWrongStage},
	} {
		if _, err := db.AddComment(tt.inv, q1, "ann", tt.text); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	if _, err := db.AddComment(inv.ID, q1, "ann", strings.Repeat("é", MaxCommentChars)); err != nil {
		t.Errorf("a comment of exactly the limit: %v", err)
	}

	if err := db.DeleteComment(inv.ID, q1, first.ID, "bob"); !errors.Is(err, ErrNotAuthor) {
		t.Fatalf("bob deleting ann's comment: %v, want ErrNotAuthor", err)
	}
	if err := db.DeleteComment(inv.ID, q1, first.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteComment(inv.ID, q1, first.ID, "ann"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v, want ErrNotFound", err)
	}
	rv, _ = db.Reviews(inv.ID)
	if cs := rv[q1].Comments; len(cs) != 2 || cs[0].ID != second.ID {
		t.Fatalf("comments after deletion: %+v", cs)
	}
}

func TestReviewStage(t *testing.T) {
	db, inv, draft, iv := submitTest(t)
	if got := inv.ReviewStageIn(iv); got != "new" {
		t.Fatalf("first stage %q, want new", got)
	}
	got, err := db.SetReviewStage(inv.ID, "shortlisted")
	if err != nil || got.ReviewStage != "shortlisted" {
		t.Fatalf("set stage: %+v %v", got, err)
	}
	if stored, _ := db.Invitation(inv.ID); stored.ReviewStageIn(iv) != "shortlisted" {
		t.Fatalf("stored stage %q", stored.ReviewStage)
	}
	if _, err := db.SetReviewStage(inv.ID, "promoted"); !errors.Is(err, ErrBadStage) {
		t.Fatalf("unknown stage: %v, want ErrBadStage", err)
	}
	if _, err := db.SetReviewStage(draft.ID, "new"); !errors.Is(err, ErrWrongStage) {
		t.Fatalf("stage of a draft: %v, want ErrWrongStage", err)
	}
	own := &Interview{Stages: []string{"screen", "panel"}}
	if got := (&Invitation{ReviewStage: "shortlisted"}).ReviewStageIn(own); got != "screen" {
		t.Fatalf("a stage the interview no longer has shows as %q, want its first", got)
	}
}

func TestSubmittedInvitations(t *testing.T) {
	db, first, _, iv := submitTest(t)
	second := &Invitation{InterviewID: iv.ID}
	db.CreateInvitation(second)
	db.AcceptPrivacy(second.ID)
	db.SaveDetails(second.ID, map[string]string{"name": "B"})
	for _, q := range iv.Questions {
		tk, _ := db.BeginTake(second, q.ID)
		db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, End: EndStop})
	}
	time.Sleep(time.Millisecond) // submission times must differ to be ordered
	if _, err := db.Submit(iv, second.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.SubmittedInvitations(iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
		t.Fatalf("submitted: %+v, want the second then the first, and no draft", got)
	}
}

func TestDeleteReviews(t *testing.T) {
	db, inv, _, iv := submitTest(t)
	q := iv.Questions[0].ID
	db.Rate(inv.ID, q, "ann", 4)
	db.AddComment(inv.ID, q, "ann", "good")
	// A second submitted candidate of the same store keeps their reviews.
	keep := &Invitation{InterviewID: iv.ID}
	db.CreateInvitation(keep)
	db.AcceptPrivacy(keep.ID)
	db.SaveDetails(keep.ID, map[string]string{"name": "K"})
	for _, q := range iv.Questions {
		tk, _ := db.BeginTake(keep, q.ID)
		db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, End: EndStop})
	}
	db.Submit(iv, keep.ID)
	if err := db.Rate(keep.ID, q, "ann", 3); err != nil {
		t.Fatal(err)
	}

	err := db.bolt.Update(func(tx *bolt.Tx) error { return deleteReviews(tx, inv.ID) })
	if err != nil {
		t.Fatal(err)
	}
	if rv, _ := db.Reviews(inv.ID); len(rv) != 0 {
		t.Fatalf("reviews left after deletion: %+v", rv)
	}
	if rv, _ := db.Reviews(keep.ID); len(rv[q].Ratings) != 1 {
		t.Fatalf("another candidate's reviews were touched: %+v", rv)
	}
}
