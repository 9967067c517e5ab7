package web

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// shareFixture is a reviewFixture (see review_test.go) for the sharing and
// deletion tests, which also look at the media directory (testServer.mediaDir).
type shareFixture struct {
	*reviewFixture
}

func newShareFixture(t *testing.T, cfg AuthConfig) *shareFixture {
	t.Helper()
	return &shareFixture{newReviewFixtureWith(t, cfg)}
}

// share makes a review link to inv that expires at expires, straight in the store.
func (f *shareFixture) share(inv *storage.Invitation, expires time.Time) *storage.Share {
	f.t.Helper()
	sh := &storage.Share{InvitationID: inv.ID, CreatedBy: f.admin.Email, ExpiresAt: expires}
	if err := f.db.CreateShare(sh); err != nil {
		f.t.Fatal(err)
	}
	return sh
}

func TestShareRoutesAccess(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	sh := f.share(f.sub, time.Now().Add(time.Hour))
	routes := []request{
		{method: "GET", path: sharesPath(f.sub.ID)},
		{method: "POST", path: sharesPath(f.sub.ID), form: url.Values{"days": {"7"}}},
		{method: "POST", path: "/admin/shares/" + sh.ID + "/revoke", form: url.Values{}},
	}
	for _, rq := range routes {
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
	all, _ := f.db.SharesFor(f.sub.ID)
	if len(all) != 1 || all[0].Revoked() {
		t.Fatalf("a refused request changed the links: %+v", all)
	}
}

func TestShareCreate(t *testing.T) {
	for name, publicURL := range map[string]string{"request host": "", "public URL": "https://takes.example.org/"} {
		t.Run(name, func(t *testing.T) {
			f := newShareFixture(t, AuthConfig{PublicURL: publicURL})
			before := time.Now()
			rec := f.post(sharesPath(f.sub.ID), f.adminCookie, f.adminCSRF, url.Values{"days": {"30"}})
			rec.want(t, http.StatusSeeOther)
			all, err := f.db.SharesFor(f.sub.ID)
			if err != nil || len(all) != 1 {
				t.Fatalf("shares: %+v, %v", all, err)
			}
			sh := all[0]
			if want := sharesPath(f.sub.ID) + "?new=" + sh.ID + "#share-" + sh.ID; rec.Header.Get("Location") != want {
				t.Fatalf("redirect to %q, want %q", rec.Header.Get("Location"), want)
			}
			if d := sh.ExpiresAt.Sub(before); d < 30*24*time.Hour || d > 30*24*time.Hour+time.Minute {
				t.Fatalf("expires in %v, want 30 days", d)
			}
			if sh.CreatedBy != f.admin.Email {
				t.Fatalf("made by %q", sh.CreatedBy)
			}
			page := f.get(sharesPath(f.sub.ID)+"?new="+sh.ID, f.adminCookie, nil)
			page.want(t, http.StatusOK)
			base := "http://example.com"
			if publicURL != "" {
				base = "https://takes.example.org"
			}
			for _, want := range []string{`value="` + base + "/s/" + sh.Token + `"`, "The new review link is ready", "New link: copy it"} {
				if !bytes.Contains(page.Body, []byte(want)) {
					t.Fatalf("the links page does not show %q:\n%s", want, page.Body)
				}
			}
			if got := f.auditActions(f.sub.ID); len(got) != 1 || got[0] != f.admin.Email+": create share link" {
				t.Fatalf("audit: %q", got)
			}
		})
	}
}

func TestShareCreateBadInput(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	tests := []struct {
		name, inv, days string
		code            int
		says            string
	}{
		{"no expiry", f.sub.ID, "", http.StatusUnprocessableEntity, "in 1, 7 or 30 days"},
		{"other expiry", f.sub.ID, "2", http.StatusUnprocessableEntity, "in 1, 7 or 30 days"},
		{"not a number", f.sub.ID, "week", http.StatusUnprocessableEntity, "in 1, 7 or 30 days"},
		{"not submitted", f.draft.ID, "7", http.StatusConflict, "Only submitted answers can be shared"},
		{"unknown candidate", storage.NewID(), "7", http.StatusNotFound, "no candidate at this address"},
		{"malformed candidate", "NOT-AN-ID", "7", http.StatusNotFound, "no candidate at this address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.post(sharesPath(tt.inv), f.adminCookie, f.adminCSRF, url.Values{"days": {tt.days}})
			rec.want(t, tt.code)
			if !bytes.Contains(rec.Body, []byte(tt.says)) {
				t.Fatalf("the page does not say %q: %s", tt.says, rec.Body)
			}
		})
	}
	for _, inv := range []*storage.Invitation{f.sub, f.draft} {
		if all, _ := f.db.SharesFor(inv.ID); len(all) != 0 {
			t.Fatalf("a refused request made a link: %+v", all)
		}
	}
	f.get(sharesPath(f.draft.ID), f.adminCookie, nil).want(t, http.StatusNotFound)
}

func TestShareView(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	if err := f.db.Rate(f.sub.ID, f.q(0), f.reviewer.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddComment(f.sub.ID, f.q(0), f.reviewer.ID, "A private remark for the team."); err != nil {
		t.Fatal(err)
	}
	sh := f.share(f.sub, time.Now().Add(time.Hour))
	rec := f.get("/s/"+sh.Token, nil, nil)
	rec.want(t, http.StatusOK)
	if rec.Header.Get("Cache-Control") != "no-store" || rec.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("headers: %v", rec.Header)
	}
	body := string(rec.Body)
	for _, want := range []string{"Ada Lovelace", "ada@example.com", "Tell us about yourself.", "Not answered.",
		`src="/s/` + sh.Token + "/takes/" + f.q(0) + `"`, `src="/s/` + sh.Token + "/takes/" + f.q(1) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the shared page does not show %q", want)
		}
	}
	for _, leak := range []string{"A private remark", "Ratings", "Your rating", "csrf", "Download", "/admin/candidates/", f.draft.ID} {
		if strings.Contains(body, leak) {
			t.Errorf("the shared page shows %q", leak)
		}
	}
	if got := f.auditActions(f.sub.ID); len(got) != 1 || got[0] != "share "+sh.ID+": view candidate (share link)" {
		t.Fatalf("audit: %q", got)
	}
}

// A link plays its own candidate's submitted takes, with Range, and nothing else.
func TestShareTakes(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	mine := f.files[f.q(0)]
	other := f.candidate("Grace Hopper", "grace@example.com", true)
	theirKey := storage.TakeKey{Interview: f.iv.ID, Invitation: other.ID, Question: f.q(0), N: 1}
	theirPath, _ := storage.MediaPath(theirKey)
	if err := os.WriteFile(filepath.Join(f.mediaDir, theirPath), []byte("the other candidate's take"), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := f.share(f.sub, time.Now().Add(time.Hour))
	otherShare := f.share(other, time.Now().Add(time.Hour))

	own := f.get("/s/"+sh.Token+"/takes/"+f.q(0), nil, nil)
	own.want(t, http.StatusOK)
	if own.Header.Get("Content-Type") != "video/webm" || !bytes.Equal(own.Body, mine) {
		t.Fatalf("the take: %s, %d bytes", own.Header.Get("Content-Type"), len(own.Body))
	}
	part := f.get("/s/"+sh.Token+"/takes/"+f.q(0), nil, map[string]string{"Range": "bytes=10-19"})
	part.want(t, http.StatusPartialContent)
	if !bytes.Equal(part.Body, mine[10:20]) {
		t.Fatal("the range is not the take's bytes")
	}
	theirs := f.get("/s/"+otherShare.Token+"/takes/"+f.q(0), nil, nil)
	theirs.want(t, http.StatusOK)
	if string(theirs.Body) != "the other candidate's take" {
		t.Fatal("a link served another candidate's take")
	}

	iv2 := &storage.Interview{Title: "Other", Questions: []storage.Question{{Text: "Q?"}}}
	if err := f.db.CreateInterview(iv2); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"unanswered question":           f.q(2),
		"question of another interview": iv2.Questions[0].ID,
		"unknown question":              storage.NewID(),
		"malformed question":            "NOT-AN-ID",
	} {
		if rec := f.get("/s/"+sh.Token+"/takes/"+q, nil, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", name, rec.Code)
		}
	}
	if got := f.auditActions(f.sub.ID); len(got) != 0 {
		t.Fatalf("playing takes wrote page views: %q", got)
	}
}

func TestShareStops(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	expired := f.share(f.sub, time.Now().Add(-time.Second))
	revoked := f.share(f.sub, time.Now().Add(time.Hour))
	working := f.share(f.sub, time.Now().Add(time.Hour))

	f.get("/s/"+revoked.Token, nil, nil).want(t, http.StatusOK)
	rec := f.post("/admin/shares/"+revoked.ID+"/revoke", f.adminCookie, f.adminCSRF, nil)
	rec.want(t, http.StatusSeeOther)
	if loc := rec.Header.Get("Location"); loc != sharesPath(f.sub.ID)+"#shares" {
		t.Fatalf("redirect to %q", loc)
	}
	for name, tt := range map[string]struct {
		token string
		code  int
	}{
		"expired":   {expired.Token, http.StatusGone},
		"withdrawn": {revoked.Token, http.StatusGone},
		"unknown":   {storage.NewToken(), http.StatusNotFound},
		"malformed": {"short", http.StatusNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			page := f.get("/s/"+tt.token, nil, nil)
			page.want(t, tt.code)
			if !bytes.Contains(page.Body, []byte("This review link has expired or was withdrawn")) {
				t.Fatalf("the page does not say why: %s", page.Body)
			}
			f.get("/s/"+tt.token+"/takes/"+f.q(0), nil, nil).want(t, tt.code)
		})
	}
	f.get("/s/"+working.Token, nil, nil).want(t, http.StatusOK)

	list := f.get(sharesPath(f.sub.ID), f.adminCookie, nil)
	list.want(t, http.StatusOK)
	if !bytes.Contains(list.Body, []byte("/s/"+working.Token)) || bytes.Contains(list.Body, []byte("/s/"+revoked.Token)) {
		t.Fatalf("the working links listed are not just the working one:\n%s", list.Body)
	}
	if !bytes.Contains(list.Body, []byte("Links that no longer work")) {
		t.Fatal("the past links are not listed")
	}
	for _, id := range []string{storage.NewID(), "NOT-AN-ID"} {
		f.post("/admin/shares/"+id+"/revoke", f.adminCookie, f.adminCSRF, nil).want(t, http.StatusNotFound)
	}
	want := []string{"share " + revoked.ID + ": view candidate (share link)", f.admin.Email + ": withdraw share link",
		"share " + working.ID + ": view candidate (share link)"}
	if got := f.auditActions(f.sub.ID); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit: %q, want %q", got, want)
	}
}

// The review page shows admins the forms to share and delete, and reviewers neither.
func TestShareDeleteOnReviewPage(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	forms := []string{`action="/admin/candidates/` + f.sub.ID + `/shares"`, `name="days"`,
		`action="/admin/candidates/` + f.sub.ID + `/delete"`, "Delete candidate…", `href="` + sharesPath(f.sub.ID) + `"`}
	admin := f.get("/admin/candidates/"+f.sub.ID, f.adminCookie, nil)
	admin.want(t, http.StatusOK)
	reviewer := f.get("/admin/candidates/"+f.sub.ID, f.revCookie, nil)
	reviewer.want(t, http.StatusOK)
	for _, want := range forms {
		if !bytes.Contains(admin.Body, []byte(want)) {
			t.Errorf("the admin's review page does not show %q", want)
		}
		if bytes.Contains(reviewer.Body, []byte(want)) {
			t.Errorf("the reviewer's review page shows %q", want)
		}
	}
}
