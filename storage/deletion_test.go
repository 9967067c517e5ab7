package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDeleteCandidate(t *testing.T) {
	db, inv, draft := sharedCandidate(t)
	iv, err := db.Interview(inv.InterviewID)
	if err != nil {
		t.Fatal(err)
	}
	q := iv.Questions[0].ID
	if err := db.Rate(inv.ID, q, "ann", 4); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddComment(inv.ID, q, "ann", "Clear answer."); err != nil {
		t.Fatal(err)
	}
	sh := &Share{InvitationID: inv.ID, ExpiresAt: time.Now().Add(time.Hour)}
	if err := db.CreateShare(sh); err != nil {
		t.Fatal(err)
	}

	got, err := db.DeleteCandidate(inv.ID)
	if err != nil || got.ID != inv.ID || got.Details["name"] != "A" {
		t.Fatalf("delete: %+v, %v", got, err)
	}
	if _, err := db.Invitation(inv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("invitation: %v", err)
	}
	if _, err := db.InvitationByToken(inv.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("invitation by token: %v", err)
	}
	if takes, err := db.Takes(inv.ID); err != nil || len(takes) != 0 {
		t.Errorf("takes: %v, %v", takes, err)
	}
	if used, err := db.RetakesUsed(inv.ID); err != nil || len(used) != 0 {
		t.Errorf("answers: %v, %v", used, err)
	}
	if rv, err := db.Reviews(inv.ID); err != nil || len(rv) != 0 {
		t.Errorf("reviews: %v, %v", rv, err)
	}
	if shares, err := db.SharesFor(inv.ID); err != nil || len(shares) != 0 {
		t.Errorf("shares: %v, %v", shares, err)
	}
	if _, err := db.ShareByToken(sh.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("share by token: %v", err)
	}
	if _, err := db.DeleteCandidate(inv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting again: %v", err)
	}
	// The other candidate keeps everything.
	if _, err := db.InvitationByToken(draft.Token); err != nil {
		t.Errorf("the other candidate: %v", err)
	}
	if _, err := db.DeleteCandidate(draft.ID); err != nil {
		t.Errorf("deleting a candidate who never submitted: %v", err)
	}
}

func TestRemoveInvitationMedia(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	keep := TakeKey{Interview: "iv", Invitation: "other", Question: "q1", N: 1}
	gone := []TakeKey{{Interview: "iv", Invitation: "inv", Question: "q1", N: 1}, {Interview: "iv", Invitation: "inv", Question: "q2", N: 3}}
	for _, k := range append(gone, keep) {
		f, err := d.Create(k)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt([]byte("webm"), 0)
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	part, err := d.Create(TakeKey{Interview: "iv", Invitation: "inv", Question: "q2", N: 4})
	if err != nil {
		t.Fatal(err)
	}
	part.(*PartFile).Close()

	if err := d.RemoveInvitation("iv", "inv"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "iv", "inv")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the invitation's folder is still there: %v", err)
	}
	if !d.Exists(keep) {
		t.Fatal("another invitation's take was removed")
	}
	if err := d.RemoveInvitation("iv", "inv"); err != nil {
		t.Fatalf("removing again: %v", err)
	}
	for _, bad := range [][2]string{{"iv", ".."}, {"..", "iv"}, {"iv", ""}, {"iv", "a/b"}} {
		if err := d.RemoveInvitation(bad[0], bad[1]); !errors.Is(err, ErrBadKey) {
			t.Errorf("RemoveInvitation(%q, %q): %v, want ErrBadKey", bad[0], bad[1], err)
		}
	}
}
