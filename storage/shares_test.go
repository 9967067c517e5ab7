package storage

import (
	"errors"
	"testing"
	"time"
)

// sharedCandidate returns a store with a candidate who submitted an answer to
// each question, and one who has not submitted.
func sharedCandidate(t *testing.T) (db *DB, submitted, draft *Invitation) {
	t.Helper()
	db, inv, iv := openTest(t)
	for _, q := range iv.Questions {
		tk, err := db.BeginTake(inv, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishTake(tk.TakeKey, Finish{DurationMs: 1000, Bytes: 10, End: EndStop}); err != nil {
			t.Fatal(err)
		}
	}
	submitted, err := db.Submit(iv, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	draft = &Invitation{InterviewID: iv.ID}
	if err := db.CreateInvitation(draft); err != nil {
		t.Fatal(err)
	}
	return db, submitted, draft
}

func TestCreateShare(t *testing.T) {
	db, inv, draft := sharedCandidate(t)
	week := time.Now().Add(7 * 24 * time.Hour)
	sh := &Share{InvitationID: inv.ID, CreatedBy: "ann@example.com", ExpiresAt: week}
	if err := db.CreateShare(sh); err != nil {
		t.Fatal(err)
	}
	if !ValidID(sh.ID) || !ValidToken(sh.Token) || sh.InterviewID != inv.InterviewID || sh.CreatedAt.IsZero() {
		t.Fatalf("share not filled in: %+v", sh)
	}
	got, err := db.ShareByToken(sh.Token)
	if err != nil || got.ID != sh.ID || got.InvitationID != inv.ID || !got.Active(time.Now()) {
		t.Fatalf("by token: %+v, %v", got, err)
	}
	if got.Active(week) {
		t.Fatal("a share is still active at its expiry")
	}

	for name, tt := range map[string]struct {
		sh   Share
		want error
	}{
		"draft candidate":   {Share{InvitationID: draft.ID, ExpiresAt: week}, ErrWrongStage},
		"unknown candidate": {Share{InvitationID: "nope", ExpiresAt: week}, ErrNotFound},
		"no expiry":         {Share{InvitationID: inv.ID}, ErrBadExpiry},
	} {
		if err := db.CreateShare(&tt.sh); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	past := &Share{InvitationID: inv.ID, ExpiresAt: time.Now().Add(-time.Minute)}
	if err := db.CreateShare(past); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ShareByToken(past.Token); err != nil || got.Active(time.Now()) || !got.Expired(time.Now()) {
		t.Fatalf("a share made expired: %+v, %v", got, err)
	}
	if _, err := db.ShareByToken("unknown-token-unknown-token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestSharesForAndRevoke(t *testing.T) {
	db, inv, _ := sharedCandidate(t)
	var ids []string
	for i := range 3 {
		sh := &Share{InvitationID: inv.ID, ExpiresAt: time.Now().Add(time.Duration(i+1) * time.Hour)}
		if err := db.CreateShare(sh); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sh.ID)
	}
	revoked, err := db.RevokeShare(ids[1])
	if err != nil || !revoked.Revoked() || revoked.ID != ids[1] {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	again, err := db.RevokeShare(ids[1])
	if err != nil || !again.RevokedAt.Equal(revoked.RevokedAt) {
		t.Fatalf("revoking again changed the time: %v, %v", again.RevokedAt, err)
	}
	if _, err := db.RevokeShare("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	all, err := db.SharesFor(inv.ID)
	if err != nil || len(all) != 3 {
		t.Fatalf("shares: %d, %v", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatal("shares are not newest first")
		}
	}
	for _, sh := range all {
		if sh.Revoked() != (sh.ID == ids[1]) {
			t.Fatalf("share %s revoked=%v", sh.ID, sh.Revoked())
		}
	}
	if other, _ := db.SharesFor("nope"); len(other) != 0 {
		t.Fatalf("an unknown candidate has shares: %v", other)
	}
}
