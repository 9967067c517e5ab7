package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/takes/takes/storage"
	"github.com/takes/takes/webhook"
)

var secretOnPage = regexp.MustCompile(`whsec_[A-Za-z0-9_-]{32}`)

func TestWebhookSettingsAuthorization(t *testing.T) {
	f := newAPIFixture(t)
	f.addUser("admin@example.com", storage.RoleAdmin, false)
	f.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, _ := f.signIn("admin@example.com")
	rev, revCSRF := f.signIn("rev@example.com")
	base := "/admin/interviews/" + f.iv.ID + "/webhook"
	form := url.Values{"url": {"https://ats.example.com/hook"}}
	tests := []struct {
		name string
		rq   request
		code int
	}{
		{"reviewer sees", request{method: "GET", path: base, cookie: rev}, 403},
		{"reviewer saves", request{method: "POST", path: base, cookie: rev, form: url.Values{"csrf": {revCSRF}, "url": form["url"]}}, 403},
		{"no CSRF", request{method: "POST", path: base, cookie: admin, form: form}, 403},
		{"no CSRF test", request{method: "POST", path: base + "/test", cookie: admin, form: url.Values{}}, 403},
		{"no CSRF remove", request{method: "POST", path: base + "/remove", cookie: admin, form: url.Values{}}, 403},
		{"not signed in", request{method: "GET", path: base}, 303},
		{"unknown interview", request{method: "GET", path: "/admin/interviews/nosuchinterview/webhook", cookie: admin}, 404},
		{"admin sees", request{method: "GET", path: base, cookie: admin}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, f.do(tt.rq), tt.code, "")
		})
	}
	if iv, _ := f.db.Interview(f.iv.ID); iv.Webhook != nil {
		t.Fatalf("a refused request set the webhook: %+v", iv.Webhook)
	}
}

func TestWebhookSettings(t *testing.T) {
	f := newAPIFixture(t)
	f.addUser("admin@example.com", storage.RoleAdmin, false)
	admin, csrf := f.signIn("admin@example.com")
	base := "/admin/interviews/" + f.iv.ID + "/webhook"
	post := func(path string, v url.Values) *httptest.ResponseRecorder {
		v.Set("csrf", csrf)
		return f.do(request{method: "POST", path: path, cookie: admin, form: v})
	}

	var status atomic.Int32
	status.Store(200)
	var verified atomic.Bool
	var secret atomic.Value
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(webhook.HeaderTimestamp), 10, 64)
		s, _ := secret.Load().(string)
		verified.Store(r.Header.Get(webhook.HeaderEvent) == "test" &&
			webhook.Verify(s, ts, body, r.Header.Get(webhook.HeaderSignature)) &&
			strings.Contains(string(body), `"interviewId":"`+f.iv.ID+`"`))
		w.WriteHeader(int(status.Load()))
	}))
	defer recv.Close()

	rec := post(base, url.Values{"url": {"http://ats.example.com/hook"}})
	wantStatus(t, rec, 422, "")
	if !strings.Contains(rec.Body.String(), "Use an https URL") {
		t.Fatalf("no reason given: %s", rec.Body)
	}
	rec = post(base+"/test", url.Values{})
	wantStatus(t, rec, 409, "")

	rec = post(base, url.Values{"url": {recv.URL + "/hook"}})
	wantStatus(t, rec, 200, "")
	shown := secretOnPage.FindString(rec.Body.String())
	iv, _ := f.db.Interview(f.iv.ID)
	if iv.Webhook == nil || iv.Webhook.URL != recv.URL+"/hook" || shown == "" || iv.Webhook.Secret != shown {
		t.Fatalf("stored %+v, shown %q", iv.Webhook, shown)
	}
	secret.Store(shown)
	if page := f.do(request{method: "GET", path: base, cookie: admin}); strings.Contains(page.Body.String(), shown) {
		t.Fatal("the secret is shown again")
	}

	rec = post(base+"/test", url.Values{})
	wantStatus(t, rec, 200, "")
	if !strings.Contains(rec.Body.String(), "the receiver accepted it") || !verified.Load() {
		t.Fatalf("test event: verified %v: %s", verified.Load(), rec.Body)
	}
	status.Store(500)
	rec = post(base+"/test", url.Values{})
	if !strings.Contains(rec.Body.String(), "was not accepted") || !strings.Contains(rec.Body.String(), "500") {
		t.Fatalf("a failed test event is not reported: %s", rec.Body)
	}

	// A changed URL keeps the secret; a new secret replaces it.
	rec = post(base, url.Values{"url": {recv.URL + "/other"}})
	if secretOnPage.MatchString(rec.Body.String()) {
		t.Fatal("changing the URL showed a secret")
	}
	if iv, _ := f.db.Interview(f.iv.ID); iv.Webhook.Secret != shown || iv.Webhook.URL != recv.URL+"/other" {
		t.Fatalf("after changing the URL: %+v", iv.Webhook)
	}
	rec = post(base+"/secret", url.Values{})
	fresh := secretOnPage.FindString(rec.Body.String())
	if iv, _ := f.db.Interview(f.iv.ID); fresh == "" || fresh == shown || iv.Webhook.Secret != fresh {
		t.Fatalf("new secret %q, stored %+v", fresh, iv.Webhook)
	}

	rec = post(base+"/remove", url.Values{})
	wantStatus(t, rec, 200, "")
	if iv, _ := f.db.Interview(f.iv.ID); iv.Webhook != nil {
		t.Fatalf("not removed: %+v", iv.Webhook)
	}
}
