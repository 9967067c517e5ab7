package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// apiFixture is a test server with API tokens, an interview, a candidate who
// submitted a real WebM take and one who only has a draft.
type apiFixture struct {
	*testServer
	admin, reviewer, revoked string // token secrets
	iv                       *storage.Interview
	submitted, draft, fresh  *storage.Invitation // fresh was only invited
	takeBytes                int64               // size of the submitted take's file
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	f := &apiFixture{testServer: newTestServer(t, AuthConfig{PublicURL: "https://takes.example.com"})}
	f.admin = f.token("ATS admin", storage.RoleAdmin)
	f.reviewer = f.token("ATS reader", storage.RoleReviewer)
	f.revoked = f.token("Old", storage.RoleAdmin)
	list, _ := f.db.APITokens()
	for _, tk := range list {
		if tk.Name == "Old" {
			f.db.RevokeAPIToken(tk.ID)
		}
	}
	f.iv = &storage.Interview{Title: "Backend engineer", Questions: []storage.Question{
		{Text: "Tell us about yourself.", TimeLimit: time.Minute},
		{Text: "Anything else?", Optional: true},
	}}
	if err := f.db.CreateInterview(f.iv); err != nil {
		t.Fatal(err)
	}
	f.submitted = f.candidate("Ana Submitted", true)
	f.draft = f.candidate("Dan Draft", false)
	f.fresh = &storage.Invitation{InterviewID: f.iv.ID, Name: "Fay Fresh"}
	if err := f.db.CreateInvitation(f.fresh); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *apiFixture) token(name string, role storage.Role) string {
	f.t.Helper()
	secret, _, err := f.db.CreateAPIToken(name, role, "admin@example.com")
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// candidate invites name, who records a take of the first question and submits when submit is set.
func (f *apiFixture) candidate(name string, submit bool) *storage.Invitation {
	t := f.t
	t.Helper()
	inv := &storage.Invitation{InterviewID: f.iv.ID, Name: name, Email: "c@example.com"}
	if err := f.db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SaveDetails(inv.ID, map[string]string{"name": name, "email": "c@example.com"}); err != nil {
		t.Fatal(err)
	}
	take, err := f.db.BeginTake(inv, f.iv.Questions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	f.takeBytes = int64(len(f.writeTake(take.TakeKey, 30)))
	if _, err := f.db.FinishTake(take.TakeKey, storage.Finish{DurationMs: 1000, Bytes: f.takeBytes, End: storage.EndStop}); err != nil {
		t.Fatal(err)
	}
	if submit {
		if _, err := f.db.Submit(f.iv, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.db.Invitation(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// call sends an API request with the token secret (none when ""), a JSON body
// (none when "") and extra headers.
func (f *apiFixture) call(method, path, secret, body string, header ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// apiErrorOf decodes an error answer, failing the test if it is not one.
func apiErrorOf(t *testing.T, rec *httptest.ResponseRecorder) apiErrorBody {
	t.Helper()
	var e apiErrorBody
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error answered as %q: %s", ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Fatalf("not an error body (%v): %s", err, rec.Body)
	}
	return e
}

func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// apiEndpoints lists one request to each endpoint, and whether it needs an admin token.
// The ones that change something come last, deleting last of all.
func (f *apiFixture) apiEndpoints() []apiEndpoint {
	iv, sub := f.iv.ID, f.submitted.ID
	return []apiEndpoint{
		{"GET", "/api/v1/interviews", "", false, 200},
		{"GET", "/api/v1/interviews/" + iv, "", false, 200},
		{"GET", "/api/v1/interviews/" + iv + "/invitations", "", false, 200},
		{"GET", "/api/v1/invitations/" + sub, "", false, 200},
		{"GET", "/api/v1/invitations/" + sub + "/results", "", false, 200},
		{"GET", "/api/v1/invitations/" + sub + "/takes/" + f.iv.Questions[0].ID, "", false, 200},
		{"POST", "/api/v1/interviews", `{"title":"T","questions":[{"text":"Q"}]}`, true, 201},
		{"POST", "/api/v1/interviews/" + iv + "/invitations", `{"candidates":[{"name":"N"}]}`, true, 201},
		{"POST", "/api/v1/invitations/" + f.draft.ID + "/deadline", `{"deadline":"2099-01-01T00:00:00Z"}`, true, 200},
		{"POST", "/api/v1/invitations/" + f.draft.ID + "/revoke", "", true, 200},
		{"DELETE", "/api/v1/invitations/" + f.fresh.ID, "", true, 204},
	}
}

// apiEndpoint is one request to an endpoint, whether it needs an admin token,
// and the status that answers it when it succeeds.
type apiEndpoint struct {
	method, path, body string
	admin              bool
	ok                 int
}

func TestAPIAuthentication(t *testing.T) {
	f := newAPIFixture(t)
	cookie, _ := func() (*http.Cookie, string) {
		f.addUser("admin@example.com", storage.RoleAdmin, false)
		return f.signIn("admin@example.com")
	}()
	for _, ep := range f.apiEndpoints() {
		tests := []struct {
			name, auth string
			want       string
		}{
			{"no token", "", "Authorization: Bearer"},
			{"another scheme", "Basic " + f.admin, "Authorization: Bearer"},
			{"unknown token", "Bearer tk_" + storage.NewToken(), "not valid"},
			{"malformed token", "Bearer " + f.admin + "!", "not valid"},
			{"revoked token", "Bearer " + f.revoked, "revoked"},
		}
		for _, tt := range tests {
			t.Run(ep.method+" "+ep.path+"/"+tt.name, func(t *testing.T) {
				rec := f.call(ep.method, ep.path, "", ep.body, "Authorization", tt.auth)
				if rec.Code != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401: %s", rec.Code, rec.Body)
				}
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
				}
				if e := apiErrorOf(t, rec); !strings.Contains(e.Error, tt.want) {
					t.Fatalf("error %q does not say %q", e.Error, tt.want)
				}
			})
		}
		// A signed-in admin's session cookie is not a way into the API.
		t.Run(ep.method+" "+ep.path+"/session cookie", func(t *testing.T) {
			req := httptest.NewRequest(ep.method, ep.path, strings.NewReader(ep.body))
			req.Header.Set("Content-Type", "application/json")
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d with only a session cookie, want 401", rec.Code)
			}
		})
	}
}

func TestAPIRoles(t *testing.T) {
	f := newAPIFixture(t)
	for _, ep := range f.apiEndpoints() {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			rec := f.call(ep.method, ep.path, f.reviewer, ep.body)
			if ep.admin {
				if rec.Code != http.StatusForbidden {
					t.Fatalf("reviewer token: status %d, want 403: %s", rec.Code, rec.Body)
				}
				if e := apiErrorOf(t, rec); !strings.Contains(e.Error, "only admin tokens") {
					t.Fatalf("error %q does not say who may", e.Error)
				}
				return
			}
			if rec.Code != ep.ok {
				t.Fatalf("reviewer token: status %d, want %d: %s", rec.Code, ep.ok, rec.Body)
			}
		})
	}
	for _, ep := range f.apiEndpoints() {
		t.Run(ep.method+" "+ep.path+" as admin", func(t *testing.T) {
			if rec := f.call(ep.method, ep.path, f.admin, ep.body); rec.Code != ep.ok {
				t.Fatalf("admin token: status %d, want %d: %s", rec.Code, ep.ok, rec.Body)
			}
		})
	}
}

func TestAPIUnknownEndpoint(t *testing.T) {
	f := newAPIFixture(t)
	rec := f.call("GET", "/api/v1/candidates", f.admin, "")
	if rec.Code != http.StatusNotFound || !strings.Contains(apiErrorOf(t, rec).Error, "docs/api.md") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	rec = f.call("PUT", "/api/v1/interviews", f.admin, `{}`)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, POST" ||
		!strings.Contains(apiErrorOf(t, rec).Error, "GET or POST") {
		t.Fatalf("PUT: status %d, Allow %q: %s", rec.Code, rec.Header().Get("Allow"), rec.Body)
	}
	rec = f.call("DELETE", "/api/v1/invitations/"+f.draft.ID+"/results", f.admin, "")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" {
		t.Fatalf("DELETE results: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestAPIInterviews(t *testing.T) {
	f := newAPIFixture(t)
	rec := f.call("GET", "/api/v1/interviews", f.reviewer, "")
	list := decodeBody[struct{ Interviews []apiInterview }](t, rec)
	if len(list.Interviews) != 1 || list.Interviews[0].ID != f.iv.ID || len(list.Interviews[0].Questions) != 2 {
		t.Fatalf("list: %s", rec.Body)
	}
	rec = f.call("GET", "/api/v1/interviews/"+f.iv.ID, f.reviewer, "")
	one := decodeBody[apiInterview](t, rec)
	if one.Title != "Backend engineer" || one.Questions[0].TimeLimitSeconds != 60 || !one.Questions[1].Optional ||
		one.Stages[0] != "new" {
		t.Fatalf("one: %s", rec.Body)
	}
	for _, id := range []string{"nosuchinterview", "Bad-ID!"} {
		rec = f.call("GET", "/api/v1/interviews/"+url.PathEscape(id), f.reviewer, "")
		if rec.Code != http.StatusNotFound || !strings.Contains(apiErrorOf(t, rec).Error, "no interview") {
			t.Fatalf("%s: %d %s", id, rec.Code, rec.Body)
		}
	}
}

func TestAPICreateInterview(t *testing.T) {
	f := newAPIFixture(t)
	body := `{"title":"Designer","welcome":"Hello","deadline":"2099-01-31T17:00:00Z","questions":[
		{"text":"Show us your work.","timeLimitSeconds":120,"prepSeconds":30,"retakeLimit":2},
		{"text":"Default limit"},
		{"text":"No limit","timeLimitSeconds":0,"optional":true}]}`
	rec := f.call("POST", "/api/v1/interviews", f.admin, body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := decodeBody[apiInterview](t, rec)
	if rec.Header().Get("Location") != "/api/v1/interviews/"+got.ID {
		t.Fatalf("Location %q", rec.Header().Get("Location"))
	}
	stored, err := f.db.Interview(got.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := stored.Questions
	if stored.Title != "Designer" || stored.Welcome != "Hello" || !stored.Deadline.Equal(time.Date(2099, 1, 31, 17, 0, 0, 0, time.UTC)) ||
		len(q) != 3 || q[0].TimeLimit != 2*time.Minute || q[0].PrepTime != 30*time.Second || q[0].RetakeLimit != 2 ||
		q[1].TimeLimit != storage.DefaultTimeLimit || q[2].TimeLimit != 0 || !q[2].Optional || q[0].ID == "" {
		t.Fatalf("stored %+v", stored)
	}
}

func TestAPICreateInterviewBadInput(t *testing.T) {
	f := newAPIFixture(t)
	tests := []struct {
		name, contentType, body string
		code                    int
		say, field              string // in the message, and a field named in fields
	}{
		{"not JSON", "application/json", `{"title":`, 400, "not valid JSON", ""},
		{"empty body", "application/json", ``, 400, "empty", ""},
		{"two values", "application/json", `{"title":"a"} {}`, 400, "more than one", ""},
		{"form", "application/x-www-form-urlencoded", `title=a`, 415, "Content-Type: application/json", ""},
		{"no content type", "", `{"title":"a"}`, 415, "Content-Type: application/json", ""},
		{"too big", "application/json", `{"title":"` + strings.Repeat("a", maxAPIBody) + `"}`, 413, "1 MiB", ""},
		{"unknown field", "application/json", `{"name":"x"}`, 422, "does not know", "name"},
		{"wrong type", "application/json", `{"title":5}`, 422, "wrong type", "title"},
		{"no title", "application/json", `{"questions":[{"text":"Q"}]}`, 422, "not valid", "title"},
		{"no questions", "application/json", `{"title":"T"}`, 422, "not valid", "questions"},
		{"short limit", "application/json", `{"title":"T","questions":[{"text":"Q","timeLimitSeconds":3}]}`, 422, "not valid", "questions.0.timeLimitSeconds"},
		{"negative prep", "application/json", `{"title":"T","questions":[{"text":"Q","prepSeconds":-1}]}`, 422, "not valid", "questions.0.prepSeconds"},
		{"bad deadline", "application/json", `{"title":"T","questions":[{"text":"Q"}],"deadline":"tomorrow"}`, 422, "not valid", "deadline"},
		{"past deadline", "application/json", `{"title":"T","questions":[{"text":"Q"}],"deadline":"2001-01-01T00:00:00Z"}`, 422, "not valid", "deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/interviews", strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+f.admin)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			e := apiErrorOf(t, rec)
			if !strings.Contains(e.Error, tt.say) {
				t.Fatalf("error %q does not say %q", e.Error, tt.say)
			}
			if tt.field != "" && e.Fields[tt.field] == "" {
				t.Fatalf("fields %v do not name %q", e.Fields, tt.field)
			}
		})
	}
	if ivs, _ := f.db.Interviews(); len(ivs) != 1 {
		t.Fatalf("%d interviews stored after bad input, want the fixture's 1", len(ivs))
	}
}

func TestAPIInvite(t *testing.T) {
	f := newAPIFixture(t)
	path := "/api/v1/interviews/" + f.iv.ID + "/invitations"
	rec := f.call("POST", path, f.admin, `{"candidates":[{"name":" Eve Example ","email":"eve@example.com"},{"name":"Finn"}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := decodeBody[struct{ Invitations []apiInvitation }](t, rec)
	if len(got.Invitations) != 2 || got.Invitations[0].Name != "Eve Example" || got.Invitations[1].Email != "" {
		t.Fatalf("invitations: %s", rec.Body)
	}
	for _, inv := range got.Invitations {
		token, ok := strings.CutPrefix(inv.Link, "https://takes.example.com/i/")
		if !ok || inv.Status != storage.StatusInvited {
			t.Fatalf("invitation %+v", inv)
		}
		if stored, err := f.db.InvitationByToken(token); err != nil || stored.ID != inv.ID {
			t.Fatalf("the link's token opens %v, %v", stored, err)
		}
	}

	bad := []struct{ name, body, field string }{
		{"none", `{"candidates":[]}`, "candidates"},
		{"no name", `{"candidates":[{"name":"A"},{"email":"b@example.com"}]}`, "candidates.1.name"},
		{"bad email", `{"candidates":[{"name":"A","email":"not an email"}]}`, "candidates.0.email"},
		{"unknown field", `{"people":[]}`, "people"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.call("POST", path, f.admin, tt.body)
			if rec.Code != http.StatusUnprocessableEntity || apiErrorOf(t, rec).Fields[tt.field] == "" {
				t.Fatalf("status %d, want 422 naming %s: %s", rec.Code, tt.field, rec.Body)
			}
		})
	}
	if rec := f.call("POST", "/api/v1/interviews/nosuchinterview/invitations", f.admin, `{"candidates":[{"name":"A"}]}`); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown interview: %d", rec.Code)
	}
	if invs, _ := f.db.Invitations(f.iv.ID); len(invs) != 5 {
		t.Fatalf("%d invitations, want the fixture's 3 and 2 new", len(invs))
	}
}

func TestAPIInvitations(t *testing.T) {
	f := newAPIFixture(t)
	want := map[string]storage.Status{
		f.submitted.ID: storage.StatusSubmitted, f.draft.ID: storage.StatusInProgress, f.fresh.ID: storage.StatusInvited,
	}
	for _, tc := range []struct {
		secret string
		links  bool
	}{{f.admin, true}, {f.reviewer, false}} {
		rec := f.call("GET", "/api/v1/interviews/"+f.iv.ID+"/invitations", tc.secret, "")
		got := decodeBody[struct{ Invitations []apiInvitation }](t, rec)
		if len(got.Invitations) != 3 {
			t.Fatalf("%s", rec.Body)
		}
		for _, inv := range got.Invitations {
			if inv.Status != want[inv.ID] || (inv.Link != "") != tc.links {
				t.Fatalf("invitation %+v, want status %s, link shown %v", inv, want[inv.ID], tc.links)
			}
			if (inv.ResultsURL != "") != (inv.ID == f.submitted.ID) || inv.CreatedAt.IsZero() {
				t.Fatalf("invitation %+v", inv)
			}
		}
	}
	rec := f.call("GET", "/api/v1/invitations/"+f.draft.ID, f.reviewer, "")
	one := decodeBody[apiInvitation](t, rec)
	if one.Status != storage.StatusInProgress || one.DetailsAt.IsZero() || !one.SubmittedAt.IsZero() ||
		strings.Contains(rec.Body.String(), "details\"") {
		t.Fatalf("draft invitation: %s", rec.Body)
	}
	if rec := f.call("GET", "/api/v1/invitations/nosuchinvitation", f.reviewer, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown invitation: %d", rec.Code)
	}
}

func TestAPIResults(t *testing.T) {
	f := newAPIFixture(t)
	reviewer := f.addUser("rita@example.com", storage.RoleReviewer, false)
	q1 := f.iv.Questions[0].ID
	if err := f.db.Rate(f.submitted.ID, q1, reviewer.ID, 4); err != nil {
		t.Fatal(err)
	}
	rec := f.call("GET", "/api/v1/invitations/"+f.submitted.ID+"/results", f.reviewer, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	res := decodeBody[apiResults](t, rec)
	if res.Invitation.ID != f.submitted.ID || res.Details["name"] != "Ana Submitted" || res.Stage != "new" || len(res.Answers) != 2 {
		t.Fatalf("results: %s", rec.Body)
	}
	a := res.Answers[0]
	if a.Take == nil || a.Take.DurationMs != 1000 || a.Take.MediaURL != "/api/v1/invitations/"+f.submitted.ID+"/takes/"+q1 {
		t.Fatalf("first answer: %+v", a)
	}
	if len(a.Ratings) != 1 || a.Ratings[0].Stars != 4 || a.Ratings[0].Reviewer != "rita@example.com" {
		t.Fatalf("ratings: %+v", a.Ratings)
	}
	if res.Answers[1].Take != nil {
		t.Fatalf("the unanswered optional question has a take: %+v", res.Answers[1])
	}
	log, _ := f.db.AuditLog(storage.AuditFilter{InvitationID: f.submitted.ID})
	if len(log) != 1 || log[0].Actor != "api ATS reader" || log[0].Action != "view candidate" {
		t.Fatalf("audit log: %+v", log)
	}

	// A draft has no results, and its takes are not served.
	for _, path := range []string{
		"/api/v1/invitations/" + f.draft.ID + "/results",
		"/api/v1/invitations/" + f.draft.ID + "/takes/" + q1,
	} {
		rec := f.call("GET", path, f.admin, "")
		if rec.Code != http.StatusNotFound || !strings.Contains(apiErrorOf(t, rec).Error, "not submitted") {
			t.Fatalf("%s: status %d, want 404: %s", path, rec.Code, rec.Body)
		}
	}
	if log, _ := f.db.AuditLog(storage.AuditFilter{InvitationID: f.draft.ID}); len(log) != 0 {
		t.Fatalf("a refused request was audited: %+v", log)
	}
}

func TestAPITake(t *testing.T) {
	f := newAPIFixture(t)
	q1, q2 := f.iv.Questions[0].ID, f.iv.Questions[1].ID
	path := "/api/v1/invitations/" + f.submitted.ID + "/takes/" + q1
	rec := f.call("GET", path, f.reviewer, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "video/webm" || int64(rec.Body.Len()) != f.takeBytes {
		t.Fatalf("status %d, type %q, %d bytes of %d", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), f.takeBytes)
	}
	if !strings.HasPrefix(rec.Body.String(), "\x1a\x45\xdf\xa3") {
		t.Fatal("the body is not a WebM file")
	}
	rec = f.call("GET", path, f.reviewer, "", "Range", "bytes=100-199")
	if rec.Code != http.StatusPartialContent || rec.Body.Len() != 100 ||
		rec.Header().Get("Content-Range") != "bytes 100-199/"+strconv.FormatInt(f.takeBytes, 10) {
		t.Fatalf("range: status %d, %d bytes, Content-Range %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Range"))
	}
	log, _ := f.db.AuditLog(storage.AuditFilter{InvitationID: f.submitted.ID})
	if len(log) != 1 || log[0].Action != "download take" || log[0].Actor != "api ATS reader" {
		t.Fatalf("audit log: %+v (a download is logged once, not each range)", log)
	}
	for _, q := range []string{q2, "nosuchquestion", "Bad!"} {
		rec := f.call("GET", "/api/v1/invitations/"+f.submitted.ID+"/takes/"+url.PathEscape(q), f.reviewer, "")
		if rec.Code != http.StatusNotFound {
			t.Fatalf("question %s: status %d, want 404", q, rec.Code)
		}
	}
}

func TestAPITokenPage(t *testing.T) {
	f := newAPIFixture(t)
	f.addUser("admin@example.com", storage.RoleAdmin, false)
	f.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, csrf := f.signIn("admin@example.com")
	rev, revCSRF := f.signIn("rev@example.com")

	tests := []struct {
		name   string
		rq     request
		code   int
		saying string
	}{
		{"reviewer sees", request{method: "GET", path: "/admin/tokens", cookie: rev}, 403, "Only admins"},
		{"reviewer makes", request{method: "POST", path: "/admin/tokens", cookie: rev,
			form: url.Values{"csrf": {revCSRF}, "name": {"X"}, "role": {"admin"}}}, 403, "Only admins"},
		{"no CSRF", request{method: "POST", path: "/admin/tokens", cookie: admin,
			form: url.Values{"name": {"X"}, "role": {"admin"}}}, 403, "expired"},
		{"not signed in", request{method: "GET", path: "/admin/tokens"}, 303, ""},
		{"no name", request{method: "POST", path: "/admin/tokens", cookie: admin,
			form: url.Values{"csrf": {csrf}, "name": {" "}, "role": {"admin"}}}, 422, "Give the token a name"},
		{"bad role", request{method: "POST", path: "/admin/tokens", cookie: admin,
			form: url.Values{"csrf": {csrf}, "name": {"X"}, "role": {"owner"}}}, 422, "Choose what the token may do"},
		{"admin sees", request{method: "GET", path: "/admin/tokens", cookie: admin}, 200, "ATS reader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(tt.rq)
			wantStatus(t, rec, tt.code, "")
			if !strings.Contains(rec.Body.String(), tt.saying) {
				t.Fatalf("body does not say %q: %s", tt.saying, rec.Body)
			}
		})
	}
	if list, _ := f.db.APITokens(); len(list) != 3 {
		t.Fatalf("%d tokens after refused requests, want the fixture's 3", len(list))
	}

	// Make a token: its secret is on the page once, and works.
	rec := f.do(request{method: "POST", path: "/admin/tokens", cookie: admin,
		form: url.Values{"csrf": {csrf}, "name": {"Greenhouse"}, "role": {"reviewer"}}})
	wantStatus(t, rec, 200, "")
	i := strings.Index(rec.Body.String(), "tk_")
	if i < 0 {
		t.Fatalf("no secret on the page: %s", rec.Body)
	}
	secret := rec.Body.String()[i : i+len("tk_")+32]
	if got := f.call("GET", "/api/v1/interviews", secret, ""); got.Code != http.StatusOK {
		t.Fatalf("the new token: %d", got.Code)
	}
	if page := f.do(request{method: "GET", path: "/admin/tokens", cookie: admin}); strings.Contains(page.Body.String(), secret) {
		t.Fatal("the secret is shown again")
	}

	// Revoke it: the API refuses it at once.
	var id string
	list, _ := f.db.APITokens()
	for _, tk := range list {
		if tk.Name == "Greenhouse" {
			id = tk.ID
		}
	}
	rec = f.do(request{method: "POST", path: "/admin/tokens/" + id + "/revoke", cookie: admin})
	wantStatus(t, rec, 403, "") // no CSRF token
	rec = f.do(request{method: "POST", path: "/admin/tokens/" + id + "/revoke", cookie: rev, form: url.Values{"csrf": {revCSRF}}})
	wantStatus(t, rec, 403, "")
	if got := f.call("GET", "/api/v1/interviews", secret, ""); got.Code != http.StatusOK {
		t.Fatalf("refused revocations revoked the token: %d", got.Code)
	}
	rec = f.do(request{method: "POST", path: "/admin/tokens/" + id + "/revoke", cookie: admin, form: url.Values{"csrf": {csrf}}})
	wantStatus(t, rec, 200, "")
	if !strings.Contains(rec.Body.String(), "Greenhouse is revoked") {
		t.Fatalf("no notice: %s", rec.Body)
	}
	if got := f.call("GET", "/api/v1/interviews", secret, ""); got.Code != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d, want 401", got.Code)
	}
	rec = f.do(request{method: "POST", path: "/admin/tokens/nosuchtoken/revoke", cookie: admin, form: url.Values{"csrf": {csrf}}})
	wantStatus(t, rec, 404, "")
}

func TestAPIRevokeInvitation(t *testing.T) {
	f := newAPIFixture(t)
	path := "/api/v1/invitations/" + f.draft.ID + "/revoke"
	rec := f.call("POST", path, f.admin, "")
	got := decodeBody[apiInvitation](t, rec)
	if rec.Code != http.StatusOK || got.Status != storage.StatusRevoked || got.RevokedAt.IsZero() {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if inv, _ := f.db.InvitationByToken(f.draft.Token); !inv.Revoked() {
		t.Fatal("the candidate's link still works")
	}
	again := decodeBody[apiInvitation](t, f.call("POST", path, f.admin, ""))
	if !again.RevokedAt.Equal(got.RevokedAt) {
		t.Fatalf("revoking twice moved the time: %v, then %v", got.RevokedAt, again.RevokedAt)
	}
	rec = f.call("POST", "/api/v1/invitations/"+f.submitted.ID+"/revoke", f.admin, "")
	if rec.Code != http.StatusConflict || !strings.Contains(apiErrorOf(t, rec).Error, "already submitted") {
		t.Fatalf("revoking a submitted candidate: %d %s", rec.Code, rec.Body)
	}
	if inv, _ := f.db.Invitation(f.submitted.ID); inv.Revoked() {
		t.Fatal("a submitted candidate was revoked")
	}
	if rec := f.call("POST", "/api/v1/invitations/nosuchinvitation/revoke", f.admin, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown invitation: %d", rec.Code)
	}
}

func TestAPISetDeadline(t *testing.T) {
	f := newAPIFixture(t)
	path := "/api/v1/invitations/" + f.fresh.ID + "/deadline"
	rec := f.call("POST", path, f.admin, `{"deadline":"2099-03-04T05:06:00+01:00"}`)
	got := decodeBody[apiInvitation](t, rec)
	if want := time.Date(2099, 3, 4, 4, 6, 0, 0, time.UTC); rec.Code != http.StatusOK || !got.Deadline.Equal(want) {
		t.Fatalf("set: %d %s", rec.Code, rec.Body)
	}
	if inv, _ := f.db.Invitation(f.fresh.ID); inv.Deadline.IsZero() {
		t.Fatal("not stored")
	}
	for _, body := range []string{`{"deadline":"2001-01-01T00:00:00Z"}`, `{"deadline":"next week"}`} {
		rec := f.call("POST", path, f.admin, body)
		if rec.Code != http.StatusUnprocessableEntity || apiErrorOf(t, rec).Fields["deadline"] == "" {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
	}
	rec = f.call("POST", path, f.admin, `{"deadline":""}`)
	if got := decodeBody[apiInvitation](t, rec); !got.Deadline.IsZero() {
		t.Fatalf("clear: %s", rec.Body)
	}
	rec = f.call("POST", "/api/v1/invitations/"+f.submitted.ID+"/deadline", f.admin, `{"deadline":"2099-01-01T00:00:00Z"}`)
	if rec.Code != http.StatusConflict {
		t.Fatalf("a submitted candidate's deadline: %d %s", rec.Code, rec.Body)
	}
}

func TestAPIDeleteCandidate(t *testing.T) {
	f := newAPIFixture(t)
	takes, _ := f.db.Takes(f.submitted.ID)
	if len(takes) == 0 || !f.media.Exists(takes[0].TakeKey) {
		t.Fatal("the fixture has no take file")
	}
	rec := f.call("DELETE", "/api/v1/invitations/"+f.submitted.ID, f.admin, "")
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	for _, tk := range takes {
		if f.media.Exists(tk.TakeKey) {
			t.Fatalf("take %s is still on disk", tk.TakeKey)
		}
	}
	if _, err := f.db.Invitation(f.submitted.ID); err == nil {
		t.Fatal("the invitation is still stored")
	}
	if rec := f.call("GET", "/api/v1/invitations/"+f.submitted.ID+"/results", f.admin, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("results after deletion: %d", rec.Code)
	}
	log, _ := f.db.AuditLog(storage.AuditFilter{InvitationID: f.submitted.ID})
	if len(log) != 1 || log[0].Action != "delete candidate" || log[0].Actor != "api ATS admin" || log[0].Detail != "Ana Submitted" {
		t.Fatalf("audit log: %+v", log)
	}
	if rec := f.call("DELETE", "/api/v1/invitations/"+f.submitted.ID, f.admin, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("deleting again: %d", rec.Code)
	}
	if _, err := f.db.Invitation(f.draft.ID); err != nil {
		t.Fatalf("another candidate went too: %v", err)
	}
}
