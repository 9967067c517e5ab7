package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// TestWithdrawWhileRecording: a recruiter revokes the link, or deletes the candidate,
// while the candidate is recording. The live connection is ended at once with
// "revoked" (no waiting for the page to go), its take saved first; a deleted
// candidate leaves nothing on disk.
func TestWithdrawWhileRecording(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		form       url.Values
	}{
		{"revoke", "/admin/invitations/%s/revoke", url.Values{}},
		{"delete", "/admin/candidates/%s/delete", url.Values{"confirm": {"yes"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			addRecruiter(t, s.app.DB(), "admin@example.com", storage.RoleAdmin)
			admin := signInOverHTTP(t, s.http.URL, "admin", "admin@example.com")
			p := s.dial(t, ctx)
			q := s.iv.Questions[0].ID
			if err := p.Record(q); err != nil {
				t.Fatal(err)
			}
			if _, err := p.WaitFor(ctx, "recording"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second) // a second of media

			resp := admin.send(t, "POST", fmt.Sprintf(tc.path, s.inv.ID), tc.form, "", true)
			if resp.status != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", tc.name, resp.status, resp.body)
			}
			ev, err := p.WaitFor(ctx, "error")
			if err != nil || ev.Code != "revoked" {
				t.Fatalf("the candidate heard %+v, %v; want error revoked", ev, err)
			}
			switch tc.name {
			case "revoke":
				tk, err := s.app.DB().Take(s.key(q, 1))
				if err != nil || tk.State != storage.TakeDraft || tk.End != storage.EndCut || tk.DurationMs < 500 {
					t.Fatalf("take %+v, %v: want a draft of about a second, cut", tk, err)
				}
				checkFile(t, s.takePath(s.key(q, 1)), time.Duration(tk.DurationMs)*time.Millisecond, "")
			case "delete":
				dir := filepath.Join(s.data, "media", s.iv.ID, s.inv.ID)
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Fatalf("the deleted candidate's media directory: %v", err)
				}
				if _, err := s.app.DB().Invitation(s.inv.ID); err == nil {
					t.Fatal("the deleted candidate's invitation is still stored")
				}
			}
		})
	}
}
