package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

func TestAuditPage(t *testing.T) {
	f := newShareFixture(t, AuthConfig{})
	iv2 := &storage.Interview{Title: "Other interview", Questions: []storage.Question{{Text: "Q?"}}}
	if err := f.db.CreateInterview(iv2); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	for i := range 104 {
		e := storage.AuditEntry{At: start.Add(time.Duration(i) * time.Second), Actor: f.reviewer.Email,
			Action: "view candidate", InterviewID: f.iv.ID, InvitationID: f.sub.ID, Detail: "entry " + string(rune('A'+i%26))}
		if i == 0 {
			e.InterviewID, e.InvitationID, e.Detail = iv2.ID, "gonecandidate01", "the oldest"
		}
		if err := f.db.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	rows := regexp.MustCompile(`<tr>\s*<td><time`)

	first := f.get("/admin/audit", f.adminCookie, nil)
	first.want(t, http.StatusOK)
	if n := len(rows.FindAll(first.Body, -1)); n != 100 {
		t.Fatalf("%d rows on the first page, want 100", n)
	}
	if !bytes.Contains(first.Body, []byte(`<a href="/admin/candidates/`+f.sub.ID+`">Ada Lovelace</a>`)) {
		t.Fatal("the candidate is not named and linked")
	}
	older := regexp.MustCompile(`href="(/admin/audit\?before=[^"]+)">Older`).FindSubmatch(first.Body)
	if older == nil {
		t.Fatalf("no link to older entries")
	}
	next := f.get(html2text(string(older[1])), f.adminCookie, nil)
	next.want(t, http.StatusOK)
	if n := len(rows.FindAll(next.Body, -1)); n != 4 {
		t.Fatalf("%d rows on the second page, want 4", n)
	}
	if !bytes.Contains(next.Body, []byte("gonecandidate01")) || !bytes.Contains(next.Body, []byte("the oldest")) {
		t.Fatal("a deleted candidate is not shown by ID")
	}
	if bytes.Contains(next.Body, []byte(">Older<")) {
		t.Fatal("the last page links to older entries")
	}

	only := f.get("/admin/audit?interview="+iv2.ID, f.adminCookie, nil)
	only.want(t, http.StatusOK)
	if n := len(rows.FindAll(only.Body, -1)); n != 1 || !bytes.Contains(only.Body, []byte("the oldest")) {
		t.Fatalf("%d rows for the other interview, want its 1", n)
	}

	for name, q := range map[string]url.Values{
		"bad time":      {"before": {"yesterday"}},
		"bad interview": {"interview": {"../x"}},
	} {
		rec := f.get("/admin/audit?"+q.Encode(), f.adminCookie, nil)
		rec.want(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(rec.Body, []byte(`role="alert"`)) || len(rows.FindAll(rec.Body, -1)) != 100 {
			t.Errorf("%s: no error shown, or not the newest entries instead", name)
		}
	}
}

// html2text undoes the HTML escaping of a URL in an attribute.
func html2text(s string) string {
	return regexp.MustCompile(`&amp;`).ReplaceAllString(s, "&")
}
