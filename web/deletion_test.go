package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

func TestDeletionRoutesAccess(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	path := "/admin/candidates/" + f.sub.ID + "/delete"
	for _, rq := range []request{
		{method: "GET", path: path},
		{method: "POST", path: path, form: url.Values{"confirm": {"yes"}}},
		{method: "GET", path: "/admin/audit"},
	} {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			rq.cookie = nil
			wantStatus(t, f.do(rq), http.StatusSeeOther, "/login")
			rq.cookie = f.revCookie
			if rq.form != nil {
				rq.form.Set("csrf", f.reviewerCSRF)
			}
			rec := f.do(rq)
			wantStatus(t, rec, http.StatusForbidden, "")
			if !strings.Contains(rec.Body.String(), "Only admins can do this") {
				t.Fatalf("the refusal does not say why: %s", rec.Body)
			}
			if rq.method == "POST" {
				rq.cookie = f.adminCookie
				rq.form.Del("csrf")
				wantStatus(t, f.do(rq), http.StatusForbidden, "")
			}
		})
	}
	if _, err := f.db.InvitationByToken(f.sub.Token); err != nil {
		t.Fatalf("a refused request deleted the candidate: %v", err)
	}
	for _, id := range []string{storage.NewID(), "NOT-AN-ID"} {
		f.get("/admin/candidates/"+id+"/delete", f.adminCookie, nil).want(t, http.StatusNotFound)
		f.post("/admin/candidates/"+id+"/delete", f.adminCookie, f.adminCSRF, url.Values{"confirm": {"yes"}}).want(t, http.StatusNotFound)
	}
}

// The deletion asks first: the confirmation page, and a post without the confirmation, delete nothing.
func TestDeletionConfirm(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	path := "/admin/candidates/" + f.sub.ID + "/delete"
	page := f.get(path, f.adminCookie, nil)
	page.want(t, http.StatusOK)
	for _, want := range []string{"Delete Ada Lovelace?", "2 recordings", `name="confirm" value="yes"`, "Delete for good"} {
		if !bytes.Contains(page.Body, []byte(want)) {
			t.Fatalf("the confirmation page does not show %q:\n%s", want, page.Body)
		}
	}
	rec := f.post(path, f.adminCookie, f.adminCSRF, nil)
	rec.want(t, http.StatusUnprocessableEntity)
	if !bytes.Contains(rec.Body, []byte("Nothing was deleted")) {
		t.Fatalf("the page does not say nothing was deleted: %s", rec.Body)
	}
	if _, err := f.db.InvitationByToken(f.sub.Token); err != nil {
		t.Fatalf("an unconfirmed deletion deleted: %v", err)
	}
	if got := f.auditActions(f.sub.ID); len(got) != 0 {
		t.Fatalf("audit: %q", got)
	}
}

func TestDeleteCandidate(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	if err := f.db.Rate(f.sub.ID, f.q(0), f.reviewer.ID, 4); err != nil {
		t.Fatal(err)
	}
	sh := f.share(f.sub, time.Now().Add(time.Hour))
	other := f.candidate("Grace Hopper", "grace@example.com", true)
	for name, inv := range map[string]*storage.Invitation{"submitted": f.sub, "not submitted": f.draft} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(f.mediaDir, inv.InterviewID, inv.ID)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("the candidate has no files to delete: %v", err)
			}
			rec := f.post("/admin/candidates/"+inv.ID+"/delete", f.adminCookie, f.adminCSRF, url.Values{"confirm": {"yes"}})
			rec.want(t, http.StatusSeeOther)
			if loc := rec.Header.Get("Location"); loc != "/admin/interviews/"+f.iv.ID+"?notice=deleted" {
				t.Fatalf("redirect to %q", loc)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the candidate's files are still on disk: %v", err)
			}
			if _, err := f.db.InvitationByToken(inv.Token); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("invitation by token: %v", err)
			}
			if takes, err := f.db.Takes(inv.ID); err != nil || len(takes) != 0 {
				t.Fatalf("takes: %v, %v", takes, err)
			}
			if rv, err := f.db.Reviews(inv.ID); err != nil || len(rv) != 0 {
				t.Fatalf("reviews: %v, %v", rv, err)
			}
			entries, err := f.db.AuditLog(storage.AuditFilter{InvitationID: inv.ID})
			if err != nil || len(entries) != 1 || entries[0].Action != "delete candidate" ||
				entries[0].Actor != f.admin.Email || entries[0].Detail != inv.Name || entries[0].InterviewID != f.iv.ID {
				t.Fatalf("audit: %+v, %v", entries, err)
			}
			f.get("/admin/candidates/"+inv.ID+"/delete", f.adminCookie, nil).want(t, http.StatusNotFound)
		})
	}
	f.get("/s/"+sh.Token, nil, nil).want(t, http.StatusNotFound)
	if _, err := os.Stat(filepath.Join(f.mediaDir, other.InterviewID, other.ID)); err != nil {
		t.Fatalf("another candidate's files went too: %v", err)
	}
	if _, err := f.db.InvitationByToken(other.Token); err != nil {
		t.Fatalf("another candidate went too: %v", err)
	}
}
