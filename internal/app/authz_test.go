package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/storage"
)

// authzWorld is the data the authorisation tests work on, made through the real server: one interview
// with a video question; Sam and Tess submitted a real take each, Dee recorded a draft and did not send it.
type authzWorld struct {
	s               *testServer
	iv              *storage.Interview
	q1, q2          string // q1 required, with a video; q2 optional
	sam, tess, dee  *storage.Invitation
	other           *storage.Interview // a second interview, with no candidate
	anon            *httpActor
	reviewer, admin *httpActor
	reviewerAPI     *httpActor // with a reviewer API token
	adminAPI        *httpActor // with an admin API token
	adminComment    string     // a comment of the admin on Sam's q1
	reviewerComment string     // a comment of the reviewer on Sam's q1
	spareToken      string     // an API token the matrix revokes
	shareToRevoke   *storage.Share
}

// newAuthzWorld starts a server and fills it: accounts, API tokens, and candidates with real takes
// recorded over WebRTC by an in-process peer.
func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	s := startRecruiterServer(t)
	db := s.app.DB()
	w := &authzWorld{s: s}
	w.iv = &storage.Interview{Title: "Lighthouse keeper", Questions: []storage.Question{
		{Text: "Why the sea?", TimeLimit: time.Minute},
		{Text: "Anything else?", Optional: true},
	}}
	w.other = &storage.Interview{Title: "Other", Questions: []storage.Question{{Text: "Elsewhere?"}}}
	for _, iv := range []*storage.Interview{w.iv, w.other} {
		if err := db.CreateInterview(iv); err != nil {
			t.Fatal(err)
		}
	}
	w.q1, w.q2 = w.iv.Questions[0].ID, w.iv.Questions[1].ID

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	w.sam = authzCandidate(t, ctx, s, w.iv, clip, "Sam Submitted", w.q1, true)
	w.tess = authzCandidate(t, ctx, s, w.iv, clip, "Tess Second", w.q1, true)
	w.dee = authzCandidate(t, ctx, s, w.iv, clip, "Dee Draft", w.q2, false)
	w.addQuestionVideo(t)
	// Dee's draft is on disk and on record: the recruiters' 404s for it are refusals, not absence.
	if tk, err := db.Take(storage.TakeKey{Interview: w.iv.ID, Invitation: w.dee.ID, Question: w.q2, N: 1}); err != nil || tk.State != storage.TakeDraft {
		t.Fatalf("Dee's take: %+v %v, want a draft", tk, err)
	}
	if _, err := os.Stat(w.takeFile(w.dee, w.q2)); err != nil {
		t.Fatalf("Dee's draft on disk: %v", err)
	}

	addRecruiter(t, db, "admin@example.com", storage.RoleAdmin)
	reviewer := addRecruiter(t, db, "reviewer@example.com", storage.RoleReviewer)
	admin, err := db.UserByEmail("admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w.anon = &httpActor{name: "anonymous", base: s.http.URL, client: plainClient()}
	w.reviewer = signInOverHTTP(t, s.http.URL, "reviewer", "reviewer@example.com")
	w.admin = signInOverHTTP(t, s.http.URL, "admin", "admin@example.com")
	w.reviewerAPI = &httpActor{name: "reviewer token", base: s.http.URL, client: plainClient(), bearer: apiToken(t, db, storage.RoleReviewer)}
	w.adminAPI = &httpActor{name: "admin token", base: s.http.URL, client: plainClient(), bearer: apiToken(t, db, storage.RoleAdmin)}
	_, spare, err := db.CreateAPIToken("spare", storage.RoleReviewer, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w.spareToken = spare.ID

	for _, c := range []struct {
		user string
		dst  *string
	}{{admin.ID, &w.adminComment}, {reviewer.ID, &w.reviewerComment}} {
		cm, err := db.AddComment(w.sam.ID, w.q1, c.user, "A comment to delete.")
		if err != nil {
			t.Fatal(err)
		}
		*c.dst = cm.ID
	}
	w.shareToRevoke = &storage.Share{InvitationID: w.sam.ID, CreatedBy: "admin@example.com", ExpiresAt: time.Now().Add(24 * time.Hour)}
	if err := db.CreateShare(w.shareToRevoke); err != nil {
		t.Fatal(err)
	}
	return w
}

// authzCandidate invites name, who accepts the policy, gives details and records question over the
// server's WebSocket; the answers are sent when submit is set.
func authzCandidate(t *testing.T, ctx context.Context, s *testServer, iv *storage.Interview, clip mediatest.Clip,
	name, question string, submit bool) *storage.Invitation {
	t.Helper()
	db := s.app.DB()
	inv := &storage.Invitation{InterviewID: iv.ID, Name: name}
	if err := db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptPrivacy(inv.ID); err != nil {
		t.Fatal(err)
	}
	email := strings.ToLower(strings.Fields(name)[0]) + "@example.com"
	if _, err := db.SaveDetails(inv.ID, map[string]string{"name": name, "email": email}); err != nil {
		t.Fatal(err)
	}
	p, err := testpeer.Dial(ctx, s.wsURL(inv.Token), testpeer.Options{Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ConnectedMedia(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	recordTake(t, ctx, p, "record", question, time.Second)
	if submit {
		if err := p.Send(map[string]string{"type": "submit"}); err != nil {
			t.Fatal(err)
		}
		if st, err := p.WaitFor(ctx, "state"); err != nil || !strings.Contains(string(st.Raw), `"stage":"submitted"`) {
			t.Fatalf("submitting %s: %s %v", name, st.Raw, err)
		}
	}
	got, err := db.Invitation(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// addQuestionVideo gives q1 a video: Sam's take stands in for the recruiter's recording.
func (w *authzWorld) addQuestionVideo(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(w.takeFile(w.sam, w.q1))
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.s.app.media.CreateQuestionVideo(w.iv.ID, w.q1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.s.app.DB().SetQuestionVideo(w.iv.ID, w.q1, true); err != nil {
		t.Fatal(err)
	}
}

// takeFile is the path of inv's first take of question.
func (w *authzWorld) takeFile(inv *storage.Invitation, question string) string {
	return w.s.takePath(storage.TakeKey{Interview: inv.InterviewID, Invitation: inv.ID, Question: question, N: 1})
}

// apiToken makes an API token of role and returns its secret.
func apiToken(t *testing.T, db *storage.DB, role storage.Role) string {
	t.Helper()
	secret, _, err := db.CreateAPIToken("test "+string(role), role, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// httpActor is someone sending requests: a browser-like client with its own cookies, and for
// signed-in recruiters the session's CSRF token, or an API client with a token.
type httpActor struct {
	name   string
	base   string
	client *http.Client
	csrf   string
	bearer string
}

// plainClient is an HTTP client with a cookie jar that does not follow redirects, so that a test sees them.
func plainClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInOverHTTP signs in at /login as email, as a browser does, and reads the session's CSRF token
// from the dashboard's form.
func signInOverHTTP(t *testing.T, base, name, email string) *httpActor {
	t.Helper()
	a := &httpActor{name: name, base: base, client: plainClient()}
	resp := a.send(t, "POST", "/login", url.Values{"email": {email}, "password": {recruiterPassword}}, "", false)
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/admin/" {
		t.Fatalf("signing in as %s: %d to %q: %s", email, resp.status, resp.header.Get("Location"), resp.body)
	}
	resp = a.send(t, "GET", "/admin/", nil, "", false)
	m := csrfField.FindStringSubmatch(resp.body)
	if resp.status != http.StatusOK || m == nil {
		t.Fatalf("the dashboard of %s: %d, no CSRF token", email, resp.status)
	}
	a.csrf = m[1]
	return a
}

// answer is what the server answered.
type answer struct {
	status int
	header http.Header
	body   string
}

// send sends one request: a form when form is set (with the actor's CSRF token when withCSRF is set),
// JSON when jsonBody is set, with the actor's API token when it has one.
func (a *httpActor) send(t *testing.T, method, path string, form url.Values, jsonBody string, withCSRF bool) answer {
	t.Helper()
	var body io.Reader
	if form != nil || method == "POST" && jsonBody == "" {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if withCSRF && a.csrf != "" {
			f.Set("csrf", a.csrf)
		}
		body = strings.NewReader(f.Encode())
	} else if jsonBody != "" {
		body = strings.NewReader(jsonBody)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case jsonBody != "":
		req.Header.Set("Content-Type", "application/json")
	case body != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

// get sends a GET.
func (a *httpActor) get(t *testing.T, path string) answer {
	t.Helper()
	return a.send(t, "GET", path, nil, "", false)
}

// Messages that tell one refusal from another.
const (
	msgRole   = "Only admins can do this"
	msgForged = "This form has expired or came from another site"
)

// authzRoute is one recruiter route and what each actor gets from it. A status of 0 means the actor's
// request is not sent in the matrix (it would delete what other checks need; a test of its own does it).
type authzRoute struct {
	method, path string
	form         url.Values
	reviewer     int
	admin        int
}

// routeName names a route by the roles of its IDs, e.g. "GET /admin/candidates/{sam}", for stable test names.
func (w *authzWorld) routeName(method, path string) string {
	r := strings.NewReplacer(w.iv.ID, "{interview}", w.q1, "{q1}", w.q2, "{q2}", w.sam.ID, "{sam}", w.tess.ID, "{tess}",
		w.dee.ID, "{dee}", w.shareToRevoke.ID, "{share}", w.spareToken, "{token}",
		"/comments/"+w.adminComment+"/", "/comments/{admin's}/", "/comments/"+w.reviewerComment+"/", "/comments/{reviewer's}/")
	return method + " " + r.Replace(path)
}

// recruiterRoutes is every route of the recruiters' pages, with real IDs.
func (w *authzWorld) recruiterRoutes() []authzRoute {
	iv, sam, dee, tess, q1, q2 := w.iv.ID, w.sam.ID, w.dee.ID, w.tess.ID, w.q1, w.q2
	future := time.Now().Add(30 * 24 * time.Hour).UTC().Format("2006-01-02T15:04")
	f := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	newInterview := f("title", "Made in the matrix", "questions", "1", "q.0.text", "Why?", "q.0.min", "3", "q.0.sec", "0", "q.0.required", "1",
		"ask", "name", "ask", "email", "require", "name", "require", "email")
	return []authzRoute{
		{"GET", "/admin/", nil, 200, 200},
		{"GET", "/admin/password", nil, 200, 200},
		// Changing one's password and signing out are every user's own (web/auth_test.go tests them).
		{"POST", "/admin/password", f("current", recruiterPassword, "new", "another long password", "confirm", "another long password"), 0, 0},
		{"POST", "/logout", nil, 0, 0},
		{"GET", "/admin/users", nil, 403, 200},
		{"POST", "/admin/users", f("email", "new@example.com", "name", "New", "role", "reviewer"), 403, 200},
		{"GET", "/admin/interviews/new", nil, 403, 200},
		{"POST", "/admin/interviews/new", newInterview, 403, 303},
		{"GET", "/admin/interviews/" + iv, nil, 200, 200},
		{"GET", "/admin/interviews/" + iv + "/edit", nil, 403, 200},
		{"POST", "/admin/interviews/" + iv + "/edit", f("action", "add", "title", w.iv.Title), 403, 200},
		{"GET", "/admin/interviews/" + iv + "/invitations.csv", nil, 403, 200},
		{"POST", "/admin/interviews/" + iv + "/invitations", f("lines", "Nia New, nia@example.com"), 403, 200},
		{"POST", "/admin/invitations/" + dee + "/deadline", f("action", "set", "deadline", future), 403, 303},
		{"POST", "/admin/invitations/" + dee + "/revoke", nil, 403, 0},
		{"GET", "/admin/interviews/" + iv + "/questions/" + q1 + "/video", nil, 403, 200},
		{"GET", "/admin/interviews/" + iv + "/questions/" + q1 + "/video/file", nil, 200, 200},
		{"GET", "/admin/interviews/" + iv + "/questions/" + q1 + "/video/ws", nil, 403, 0},
		{"GET", "/admin/interviews/" + iv + "/webhook", nil, 403, 200},
		{"POST", "/admin/interviews/" + iv + "/webhook", f("url", "not a web address"), 403, 422},
		{"POST", "/admin/interviews/" + iv + "/webhook/secret", nil, 403, 409},
		{"POST", "/admin/interviews/" + iv + "/webhook/test", nil, 403, 409},
		{"POST", "/admin/interviews/" + iv + "/webhook/remove", nil, 403, 200},
		{"GET", "/admin/interviews/" + iv + "/candidates", nil, 200, 200},
		{"GET", "/admin/candidates/" + sam, nil, 200, 200},
		{"GET", "/admin/candidates/" + sam + "/takes/" + q1, nil, 200, 200},
		{"GET", "/admin/candidates/" + sam + "/takes/" + q1 + "?download=1", nil, 200, 200},
		{"GET", "/admin/candidates/" + sam + "/takes.zip", nil, 200, 200},
		{"POST", "/admin/candidates/" + sam + "/stage", f("stage", "shortlisted"), 303, 303},
		{"POST", "/admin/candidates/" + sam + "/answers/" + q1 + "/rating", f("stars", "3"), 303, 303},
		{"POST", "/admin/candidates/" + sam + "/answers/" + q1 + "/comments", f("text", "Fine."), 303, 303},
		{"POST", "/admin/candidates/" + sam + "/answers/" + q1 + "/comments/" + w.adminComment + "/delete", nil, 403, 303},
		{"POST", "/admin/candidates/" + sam + "/answers/" + q1 + "/comments/" + w.reviewerComment + "/delete", nil, 303, 0},
		{"GET", "/admin/candidates/" + sam + "/shares", nil, 403, 200},
		{"POST", "/admin/candidates/" + sam + "/shares", f("days", "7"), 403, 303},
		{"POST", "/admin/shares/" + w.shareToRevoke.ID + "/revoke", nil, 403, 0},
		{"GET", "/admin/candidates/" + tess + "/delete", nil, 403, 200},
		{"POST", "/admin/candidates/" + tess + "/delete", f("confirm", "yes"), 403, 0},
		{"GET", "/admin/audit", nil, 403, 200},
		{"GET", "/admin/tokens", nil, 403, 200},
		{"POST", "/admin/tokens", f("name", "ATS", "role", "reviewer"), 403, 200},
		{"POST", "/admin/tokens/" + w.spareToken + "/revoke", nil, 403, 200},

		// Nothing of a candidate who has not submitted, whoever asks.
		{"GET", "/admin/candidates/" + dee, nil, 404, 404},
		{"GET", "/admin/candidates/" + dee + "/takes/" + q2, nil, 404, 404},
		{"GET", "/admin/candidates/" + dee + "/takes/" + q2 + "?download=1", nil, 404, 404},
		{"GET", "/admin/candidates/" + dee + "/takes.zip", nil, 404, 404},
		{"POST", "/admin/candidates/" + dee + "/stage", f("stage", "shortlisted"), 404, 404},
		{"POST", "/admin/candidates/" + dee + "/answers/" + q2 + "/rating", f("stars", "3"), 404, 404},
		{"POST", "/admin/candidates/" + dee + "/answers/" + q2 + "/comments", f("text", "Early."), 404, 404},
		{"GET", "/admin/candidates/" + dee + "/shares", nil, 403, 404},
		{"POST", "/admin/candidates/" + dee + "/shares", f("days", "7"), 403, 409},
	}
}

// TestAuthzMatrix sends every recruiter route as each actor: anonymous people are sent to sign in,
// reviewers are refused what only admins may do, admins get through, and nobody gets a draft.
func TestAuthzMatrix(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	for _, rt := range w.recruiterRoutes() {
		t.Run(w.routeName(rt.method, rt.path), func(t *testing.T) {
			if got := w.anon.send(t, rt.method, rt.path, rt.form, "", false); got.status != http.StatusSeeOther ||
				got.header.Get("Location") != "/login" {
				t.Errorf("anonymous: %d to %q, want 303 to /login", got.status, got.header.Get("Location"))
			}
			for _, c := range []struct {
				a    *httpActor
				want int
			}{{w.reviewer, rt.reviewer}, {w.admin, rt.admin}} {
				if c.want == 0 {
					continue
				}
				got := c.a.send(t, rt.method, rt.path, rt.form, "", true)
				if got.status != c.want {
					t.Errorf("%s: %d, want %d: %.300s", c.a.name, got.status, c.want, textOf(got.body))
				}
				if (c.want == http.StatusNotFound || c.want == http.StatusConflict) && strings.Contains(got.body, "Dee Draft") {
					t.Errorf("%s: the refusal names the draft's candidate: %.300s", c.a.name, textOf(got.body))
				}
				if got.status == http.StatusForbidden && !strings.Contains(got.body, msgRole) &&
					!strings.Contains(got.body, "Only the person who wrote a comment can delete it") {
					t.Errorf("%s: refused without saying why: %.300s", c.a.name, textOf(got.body))
				}
			}
		})
	}
	t.Run("lists show no draft", func(t *testing.T) {
		for _, a := range []*httpActor{w.reviewer, w.admin} {
			got := a.get(t, "/admin/interviews/"+w.iv.ID+"/candidates")
			if !strings.Contains(got.body, "Sam Submitted") || strings.Contains(got.body, "Dee Draft") ||
				strings.Contains(got.body, w.dee.ID) {
				t.Errorf("%s: the list of submitted candidates: %.500s", a.name, textOf(got.body))
			}
		}
	})
	t.Run("reviewer made no account", func(t *testing.T) {
		if _, err := w.s.app.DB().UserByEmail("new@example.com"); err != nil {
			t.Errorf("the admin's account was not made: %v", err) // the admin's POST /admin/users
		}
		users, _ := w.s.app.DB().Users()
		if len(users) != 3 {
			t.Errorf("%d accounts, want 3: the two of the test and the admin's new one", len(users))
		}
	})
}

// TestAuthzCSRF sends every state-changing recruiter route without the CSRF token, as admin and as
// reviewer: each is refused with 403 and changes nothing.
func TestAuthzCSRF(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	for _, rt := range w.recruiterRoutes() {
		if rt.method != "POST" {
			continue
		}
		for _, a := range []*httpActor{w.admin, w.reviewer} {
			got := a.send(t, rt.method, rt.path, rt.form, "", false)
			if got.status != http.StatusForbidden || !strings.Contains(got.body, msgForged) {
				t.Errorf("%s without CSRF, as %s: %d: %.300s", w.routeName(rt.method, rt.path), a.name, got.status, textOf(got.body))
			}
		}
	}
	// Nothing changed: the candidate still exists, the share still works, no interview was made.
	if _, err := w.s.app.DB().Invitation(w.tess.ID); err != nil {
		t.Errorf("Tess after the refused deletion: %v", err)
	}
	if sh, err := w.s.app.DB().ShareByToken(w.shareToRevoke.Token); err != nil || sh.Revoked() {
		t.Errorf("the share after the refused revocation: %+v %v", sh, err)
	}
	if ivs, _ := w.s.app.DB().Interviews(); len(ivs) != 2 {
		t.Errorf("%d interviews after the refused creation, want 2", len(ivs))
	}
	if rv, _ := w.s.app.DB().Reviews(w.sam.ID); len(rv[w.q1].Ratings) != 0 || len(rv[w.q1].Comments) != 2 {
		t.Errorf("Sam's reviews after refused changes: %+v", rv[w.q1])
	}
	// A request from another site is refused even with the token.
	req, _ := http.NewRequest("POST", w.s.http.URL+"/admin/candidates/"+w.sam.ID+"/stage",
		strings.NewReader(url.Values{"csrf": {w.admin.csrf}, "stage": {"hired"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := w.admin.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site POST with the token: %d, want 403", resp.StatusCode)
	}
}

// TestAuthzAPI sends every API endpoint without a token, with a session cookie instead of a token,
// with a reviewer's token and with an admin's.
func TestAuthzAPI(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	iv, sam, dee, tess, q1, q2 := w.iv.ID, w.sam.ID, w.dee.ID, w.tess.ID, w.q1, w.q2
	future := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, rt := range []struct {
		method, path, body string
		reviewer, admin    int
	}{
		{"GET", "/api/v1/interviews", "", 200, 200},
		{"POST", "/api/v1/interviews", `{"title": "By API", "questions": [{"text": "Why?"}]}`, 403, 201},
		{"GET", "/api/v1/interviews/" + iv, "", 200, 200},
		{"GET", "/api/v1/interviews/" + iv + "/invitations", "", 200, 200},
		{"POST", "/api/v1/interviews/" + iv + "/invitations", `{"candidates": [{"name": "Api Person", "email": "api@example.com"}]}`, 403, 201},
		{"GET", "/api/v1/invitations/" + dee, "", 200, 200},
		{"POST", "/api/v1/invitations/" + dee + "/deadline", `{"deadline": "` + future + `"}`, 403, 200},
		{"POST", "/api/v1/invitations/" + dee + "/revoke", "", 403, 0},
		{"DELETE", "/api/v1/invitations/" + tess, "", 403, 0},
		{"GET", "/api/v1/invitations/" + sam + "/results", "", 200, 200},
		{"GET", "/api/v1/invitations/" + sam + "/takes/" + q1, "", 200, 200},
		// Nothing of a draft.
		{"GET", "/api/v1/invitations/" + dee + "/results", "", 404, 404},
		{"GET", "/api/v1/invitations/" + dee + "/takes/" + q2, "", 404, 404},
	} {
		t.Run(w.routeName(rt.method, rt.path), func(t *testing.T) {
			for _, a := range []*httpActor{w.anon, w.admin} { // no token; a session cookie is not one
				if got := a.send(t, rt.method, rt.path, nil, rt.body, false); got.status != http.StatusUnauthorized {
					t.Errorf("%s without a token: %d, want 401", a.name, got.status)
				}
			}
			for _, c := range []struct {
				a    *httpActor
				want int
			}{{w.reviewerAPI, rt.reviewer}, {w.adminAPI, rt.admin}} {
				if c.want == 0 {
					continue
				}
				if got := c.a.send(t, rt.method, rt.path, nil, rt.body, false); got.status != c.want {
					t.Errorf("%s: %d, want %d: %.300s", c.a.name, got.status, c.want, got.body)
				}
			}
		})
	}
	// A candidate's token is no API token.
	candidate := &httpActor{name: "candidate token", base: w.s.http.URL, client: plainClient(), bearer: w.dee.Token}
	if got := candidate.get(t, "/api/v1/invitations/"+sam+"/results"); got.status != http.StatusUnauthorized {
		t.Errorf("a candidate's token on the API: %d, want 401", got.status)
	}
}

// TestAuthzCandidateToken checks that a candidate's link reaches its own invitation and nothing else:
// not another candidate's take, not a review link, not a recruiter page.
func TestAuthzCandidateToken(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	c := w.anon // a candidate has no account: only the token in the link
	own := w.dee.Token
	for _, tc := range []struct {
		name, path string
		want       int
		file       string // the file the body must be
	}{
		{"own page", "/i/" + own, 200, ""},
		{"own draft take", "/media/" + own + "/" + w.q2 + "/1", 200, w.takeFile(w.dee, w.q2)},
		{"own video question", "/i/" + own + "/question/" + w.q1 + "/video", 200, ""},
		{"Sam's take, through Dee's token", "/media/" + own + "/" + w.q1 + "/1", 404, ""},
		{"Sam's take, through Sam's token", "/media/" + w.sam.Token + "/" + w.q1 + "/1", 200, w.takeFile(w.sam, w.q1)},
		{"a question of another interview", "/media/" + own + "/" + w.other.Questions[0].ID + "/1", 404, ""},
		{"the token as a review link", "/s/" + own, 404, ""},
		{"the token as a review link's take", "/s/" + own + "/takes/" + w.q2, 404, ""},
		{"a recruiter page", "/admin/candidates/" + w.dee.ID, 303, ""},
	} {
		got := c.get(t, tc.path)
		if got.status != tc.want {
			t.Errorf("%s (%s): %d, want %d", tc.name, tc.path, got.status, tc.want)
		}
		if tc.file != "" && got.status == 200 {
			wantSameFile(t, tc.name, got.body, tc.file)
		}
	}
	// Revoked, the link opens nothing.
	if got := w.admin.send(t, "POST", "/admin/invitations/"+w.dee.ID+"/revoke", nil, "", true); got.status != http.StatusSeeOther {
		t.Fatalf("revoking Dee's link: %d: %.300s", got.status, textOf(got.body))
	}
	for _, path := range []string{"/i/" + own, "/media/" + own + "/" + w.q2 + "/1", "/i/" + own + "/question/" + w.q1 + "/video"} {
		if got := c.get(t, path); got.status != http.StatusGone && got.status != http.StatusNotFound {
			t.Errorf("%s after the link was revoked: %d, want 410 or 404", path, got.status)
		}
	}
}

// TestAuthzShare checks a review link: it shows its own candidate's answers, nothing of anyone else,
// and nothing once it expired or was withdrawn.
func TestAuthzShare(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	db := w.s.app.DB()
	share := &storage.Share{InvitationID: w.sam.ID, CreatedBy: "admin@example.com", ExpiresAt: time.Now().Add(time.Hour)}
	expired := &storage.Share{InvitationID: w.sam.ID, CreatedBy: "admin@example.com", ExpiresAt: time.Now().Add(-time.Minute)}
	for _, sh := range []*storage.Share{share, expired} {
		if err := db.CreateShare(sh); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateShare(&storage.Share{InvitationID: w.dee.ID, ExpiresAt: time.Now().Add(time.Hour)}); !errors.Is(err, storage.ErrWrongStage) {
		t.Errorf("a share link of a draft: %v, want ErrWrongStage", err)
	}
	m := w.anon // the hiring manager: no account, only the link

	page := m.get(t, "/s/"+share.Token)
	if page.status != 200 || !strings.Contains(page.body, "Sam Submitted") || strings.Contains(page.body, "Tess Second") ||
		strings.Contains(page.body, "Dee Draft") {
		t.Errorf("the review link's page: %d: %.500s", page.status, textOf(page.body))
	}
	take := m.get(t, "/s/"+share.Token+"/takes/"+w.q1)
	if take.status != 200 {
		t.Fatalf("the review link's take: %d", take.status)
	}
	wantSameFile(t, "the review link's take", take.body, w.takeFile(w.sam, w.q1))
	for _, tc := range []struct{ name, path string }{
		{"an unanswered question", "/s/" + share.Token + "/takes/" + w.q2},
		{"a question of another interview", "/s/" + share.Token + "/takes/" + w.other.Questions[0].ID},
		{"Tess's invitation ID as a question", "/s/" + share.Token + "/takes/" + w.tess.ID},
		{"the link as a candidate link", "/i/" + share.Token},
		{"the link as a candidate's media", "/media/" + share.Token + "/" + w.q1 + "/1"},
	} {
		if got := m.get(t, tc.path); got.status != http.StatusNotFound {
			t.Errorf("%s (%s): %d, want 404", tc.name, tc.path, got.status)
		}
	}
	// The link is no key to the recruiters' side or to the API.
	bearer := &httpActor{name: "share token", base: w.s.http.URL, client: plainClient(), bearer: share.Token}
	if got := bearer.get(t, "/api/v1/invitations/"+w.tess.ID+"/results"); got.status != http.StatusUnauthorized {
		t.Errorf("the review link's token on the API: %d, want 401", got.status)
	}
	if got := m.get(t, "/admin/candidates/"+w.tess.ID); got.status != http.StatusSeeOther {
		t.Errorf("Tess's review page after opening a review link: %d, want 303 to sign in", got.status)
	}

	// Expired: nothing.
	for _, path := range []string{"/s/" + expired.Token, "/s/" + expired.Token + "/takes/" + w.q1} {
		if got := m.get(t, path); got.status != http.StatusGone {
			t.Errorf("%s of an expired link: %d, want 410", path, got.status)
		}
	}
	// Withdrawn by the admin: nothing from then on.
	if got := w.reviewer.send(t, "POST", "/admin/shares/"+share.ID+"/revoke", nil, "", true); got.status != http.StatusForbidden {
		t.Errorf("a reviewer withdrawing the link: %d, want 403", got.status)
	}
	if got := m.get(t, "/s/"+share.Token+"/takes/"+w.q1); got.status != 200 {
		t.Errorf("the link after the reviewer's refused withdrawal: %d, want 200", got.status)
	}
	if got := w.admin.send(t, "POST", "/admin/shares/"+share.ID+"/revoke", nil, "", true); got.status != http.StatusSeeOther {
		t.Fatalf("the admin withdrawing the link: %d: %.300s", got.status, textOf(got.body))
	}
	for _, path := range []string{"/s/" + share.Token, "/s/" + share.Token + "/takes/" + w.q1} {
		if got := m.get(t, path); got.status != http.StatusGone {
			t.Errorf("%s of a withdrawn link: %d, want 410", path, got.status)
		}
	}
}

// TestAuthzDeletion deletes a submitted candidate as the admin: their files are gone from disk, and
// their candidate link, review page, media, review link and API results all answer 404.
func TestAuthzDeletion(t *testing.T) {
	t.Parallel() // each has its own server
	w := newAuthzWorld(t)
	db := w.s.app.DB()
	share := &storage.Share{InvitationID: w.tess.ID, CreatedBy: "admin@example.com", ExpiresAt: time.Now().Add(time.Hour)}
	if err := db.CreateShare(share); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.s.data, "media", w.iv.ID, w.tess.ID)
	take := w.takeFile(w.tess, w.q1)
	if _, err := os.Stat(take); err != nil {
		t.Fatalf("Tess's take before the deletion: %v", err)
	}
	path := "/admin/candidates/" + w.tess.ID + "/delete"
	if got := w.reviewer.send(t, "POST", path, url.Values{"confirm": {"yes"}}, "", true); got.status != http.StatusForbidden {
		t.Errorf("a reviewer deleting Tess: %d, want 403", got.status)
	}
	if got := w.admin.send(t, "POST", path, url.Values{}, "", true); got.status != http.StatusUnprocessableEntity {
		t.Errorf("a deletion without confirmation: %d, want 422", got.status)
	}
	if _, err := os.Stat(take); err != nil {
		t.Fatalf("Tess's take after refused deletions: %v", err)
	}
	if got := w.admin.send(t, "POST", path, url.Values{"confirm": {"yes"}}, "", true); got.status != http.StatusSeeOther {
		t.Fatalf("the admin deleting Tess: %d: %.300s", got.status, textOf(got.body))
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Tess's media directory after the deletion: %v, want it gone", err)
	}
	if _, err := db.Invitation(w.tess.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Tess's invitation after the deletion: %v, want ErrNotFound", err)
	}
	for _, tc := range []struct {
		a    *httpActor
		path string
		want []int
	}{
		{w.anon, "/i/" + w.tess.Token, []int{404}},
		{w.anon, "/media/" + w.tess.Token + "/" + w.q1 + "/1", []int{404}},
		{w.anon, "/s/" + share.Token, []int{404, 410}},
		{w.admin, "/admin/candidates/" + w.tess.ID, []int{404}},
		{w.admin, "/admin/candidates/" + w.tess.ID + "/takes/" + w.q1, []int{404}},
		{w.admin, "/admin/candidates/" + w.tess.ID + "/takes.zip", []int{404}},
		{w.adminAPI, "/api/v1/invitations/" + w.tess.ID + "/results", []int{404}},
	} {
		if got := tc.a.get(t, tc.path); !containsInt(tc.want, got.status) {
			t.Errorf("%s as %s after the deletion: %d, want %v", tc.path, tc.a.name, got.status, tc.want)
		}
	}
	// The others are untouched.
	if _, err := os.Stat(w.takeFile(w.sam, w.q1)); err != nil {
		t.Errorf("Sam's take after Tess's deletion: %v", err)
	}
	log, err := db.AuditLog(storage.AuditFilter{InvitationID: w.tess.ID})
	if err != nil || !auditHas(log, "delete candidate") {
		t.Errorf("the audit log of Tess: %+v %v, want the deletion", log, err)
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func auditHas(log []storage.AuditEntry, action string) bool {
	for _, e := range log {
		if e.Action == action {
			return true
		}
	}
	return false
}

// wantSameFile fails the test unless body is the content of the file at path.
func wantSameFile(t *testing.T, what, body, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(body), data) {
		t.Errorf("%s: %d bytes, not the %d bytes of %s", what, len(body), len(data), path)
	}
}

var tags = regexp.MustCompile(`(?s)<[^>]*>|\s+`)

// textOf is an HTML body without its tags, for messages.
func textOf(body string) string {
	return strings.TrimSpace(tags.ReplaceAllString(body, " "))
}
