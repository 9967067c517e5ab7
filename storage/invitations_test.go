package storage

import (
	"errors"
	"testing"
	"time"
)

func TestCreateInvitations(t *testing.T) {
	db, first, iv := openTest(t)
	in := []Invitation{{Name: "Ada", Email: "ada@example.com"}, {Name: "Bob"}, {Email: "cy@example.com"},
		{Name: "Ignored fields", ID: "x", Token: "y", InterviewID: "z", SubmittedAt: time.Now()}}
	got, err := db.CreateInvitations(iv.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("%d invitations, want %d", len(got), len(in))
	}
	seen := map[string]bool{first.Token: true}
	for i, inv := range got {
		if !ValidID(inv.ID) || !ValidToken(inv.Token) || inv.InterviewID != iv.ID || inv.CreatedAt.IsZero() {
			t.Fatalf("invitation %d not filled in: %+v", i, inv)
		}
		if inv.Name != in[i].Name || inv.Email != in[i].Email || !inv.SubmittedAt.IsZero() {
			t.Fatalf("invitation %d = %+v, from %+v", i, inv, in[i])
		}
		if seen[inv.Token] {
			t.Fatalf("token %q given twice", inv.Token)
		}
		seen[inv.Token] = true
		byToken, err := db.InvitationByToken(inv.Token)
		if err != nil || byToken.ID != inv.ID {
			t.Fatalf("token of %d resolves to %+v, %v", i, byToken, err)
		}
	}
	sums, err := db.InvitationSummaries(iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1+len(in) {
		t.Fatalf("%d summaries, want %d", len(sums), 1+len(in))
	}
	for i, inv := range got {
		if sums[i+1].ID != inv.ID {
			t.Fatalf("summary %d is %s, want %s: the given order is lost", i+1, sums[i+1].ID, inv.ID)
		}
	}
}

func TestCreateInvitationsUnknownInterview(t *testing.T) {
	db, _, iv := openTest(t)
	_, err := db.CreateInvitations("nosuchinterview", []Invitation{{Name: "Ada"}})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	all, err := db.Invitations("nosuchinterview")
	if err != nil || len(all) != 0 {
		t.Fatalf("stored %d invitations to no interview (%v)", len(all), err)
	}
	if all, _ := db.Invitations(iv.ID); len(all) != 1 {
		t.Fatalf("%d invitations to the real interview, want 1", len(all))
	}
}

func TestRevokeInvitation(t *testing.T) {
	db, inv, draft, _ := submitTest(t)
	got, err := db.RevokeInvitation(draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Revoked() {
		t.Fatal("not revoked")
	}
	again, err := db.RevokeInvitation(draft.ID)
	if err != nil || !again.RevokedAt.Equal(got.RevokedAt) {
		t.Fatalf("revoking again: %v, time %v then %v", err, got.RevokedAt, again.RevokedAt)
	}
	byToken, err := db.InvitationByToken(draft.Token)
	if err != nil || !byToken.Revoked() {
		t.Fatalf("the revoked token no longer resolves to a revoked invitation: %+v, %v", byToken, err)
	}
	if _, err := db.RevokeInvitation(inv.ID); !errors.Is(err, ErrSubmitted) {
		t.Fatalf("revoking a submitted invitation: %v, want ErrSubmitted", err)
	}
	if stored, _ := db.Invitation(inv.ID); stored.Revoked() {
		t.Fatal("a submitted invitation was revoked")
	}
	if _, err := db.RevokeInvitation("nosuchinvitation"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking an unknown invitation: %v, want ErrNotFound", err)
	}
}

func TestSetInvitationDeadline(t *testing.T) {
	db, inv, draft, _ := submitTest(t)
	when := time.Date(2031, 5, 6, 7, 8, 0, 0, time.FixedZone("CEST", 2*3600))
	got, err := db.SetInvitationDeadline(draft.ID, when)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := db.Invitation(draft.ID)
	if !got.Deadline.Equal(when) || !stored.Deadline.Equal(when) || stored.Deadline.Location() != time.UTC {
		t.Fatalf("deadline %v (stored %v), want %v in UTC", got.Deadline, stored.Deadline, when)
	}
	if _, err := db.SetInvitationDeadline(draft.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := db.Invitation(draft.ID); !stored.Deadline.IsZero() {
		t.Fatalf("deadline not cleared: %v", stored.Deadline)
	}
	if _, err := db.SetInvitationDeadline(inv.ID, when); !errors.Is(err, ErrSubmitted) {
		t.Fatalf("deadline of a submitted invitation: %v, want ErrSubmitted", err)
	}
	if _, err := db.SetInvitationDeadline("nosuchinvitation", when); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deadline of an unknown invitation: %v, want ErrNotFound", err)
	}
}

func TestInvitationSummaries(t *testing.T) {
	db, submitted, draft, iv := submitTest(t)
	other := &Interview{Title: "Other", Questions: []Question{{Text: "q"}}}
	if err := db.CreateInterview(other); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateInvitations(other.ID, []Invitation{{Name: "Elsewhere"}}); err != nil {
		t.Fatal(err)
	}
	// retaken: started, then retook, then removed; the take records say removed only.
	retaken := &Invitation{InterviewID: iv.ID}
	if err := db.CreateInvitation(retaken); err != nil {
		t.Fatal(err)
	}
	db.AcceptPrivacy(retaken.ID)
	db.SaveDetails(retaken.ID, map[string]string{"name": "R"})
	tk, err := db.BeginTake(retaken, iv.Questions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteTake(tk.TakeKey); err != nil { // a take that recorded nothing
		t.Fatal(err)
	}
	opened := &Invitation{InterviewID: iv.ID}
	db.CreateInvitation(opened)
	db.MarkOpened(opened.ID)

	sums, err := db.InvitationSummaries(iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		started bool
		takes   int
		status  Status
	}{
		submitted.ID: {true, 2, StatusSubmitted},
		draft.ID:     {false, 0, StatusInvited},
		retaken.ID:   {true, 0, StatusInProgress},
		opened.ID:    {false, 0, StatusOpened},
	}
	if len(sums) != len(want) {
		t.Fatalf("%d summaries, want %d: %+v", len(sums), len(want), sums)
	}
	for _, s := range sums {
		w, ok := want[s.ID]
		if !ok {
			t.Fatalf("summary of another interview's invitation %s", s.ID)
		}
		if s.Started != w.started || s.SubmittedTakes != w.takes || s.Status() != w.status {
			t.Errorf("%s: started %v, %d submitted takes, %s; want %v, %d, %s",
				s.ID, s.Started, s.SubmittedTakes, s.Status(), w.started, w.takes, w.status)
		}
	}
	if _, err := db.InvitationSummaries("nosuchinterview"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("summaries of an unknown interview: %v, want ErrNotFound", err)
	}
}

func TestInvitationSummariesStartedBeforeDetails(t *testing.T) {
	db, inv, iv := openTest(t)
	tk, err := db.BeginTake(inv, iv.Questions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishTake(tk.TakeKey, Finish{DurationMs: 1, Bytes: 1, End: EndStop}); err != nil {
		t.Fatal(err)
	}
	sums, err := db.InvitationSummaries(iv.ID)
	if err != nil || len(sums) != 1 {
		t.Fatalf("%d summaries, %v", len(sums), err)
	}
	if !sums[0].Started || sums[0].SubmittedTakes != 0 {
		t.Fatalf("a draft take: started %v, %d submitted", sums[0].Started, sums[0].SubmittedTakes)
	}
}
