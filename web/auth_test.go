package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/takes/takes/storage"
)

// testServer is a Server on a real store in a temporary directory, with cheap password hashes.
type testServer struct {
	t     *testing.T
	srv   *Server
	db    *storage.DB
	media *storage.Disk
	// mediaDir is where media keeps its files, for tests that look at the disk.
	mediaDir string
	h        http.Handler
}

func newTestServer(t *testing.T, cfg AuthConfig) *testServer {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mediaDir := filepath.Join(dir, "media")
	media, err := storage.OpenDisk(mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { media.Close() })
	cfg.PasswordCost = bcrypt.MinCost
	srv, err := NewServer(db, media, Handlers{Candidate: http.NotFoundHandler()}, slog.New(slog.DiscardHandler), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, srv: srv, db: db, media: media, mediaDir: mediaDir, h: srv.Handler()}
}

const testPassword = "a good long password"

func (ts *testServer) addUser(email string, role storage.Role, mustChange bool) *storage.User {
	ts.t.Helper()
	hash, err := storage.HashPassword(testPassword, bcrypt.MinCost)
	if err != nil {
		ts.t.Fatal(err)
	}
	u := &storage.User{Email: email, Name: "Name of " + email, Role: role, PasswordHash: hash, MustChangePassword: mustChange}
	if err := ts.db.CreateUser(u); err != nil {
		ts.t.Fatal(err)
	}
	return u
}

// request describes one request to the server.
type request struct {
	method, path string
	form         url.Values
	cookie       *http.Cookie
	header       map[string]string
	remote       string // client address, host:port
}

func (ts *testServer) do(rq request) *httptest.ResponseRecorder {
	ts.t.Helper()
	var req *http.Request
	if rq.form != nil {
		req = httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(rq.method, rq.path, nil)
	}
	if rq.cookie != nil {
		req.AddCookie(rq.cookie)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	if rq.remote != "" {
		req.RemoteAddr = rq.remote
	}
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return rec
}

func (ts *testServer) login(email, password, remote string) *httptest.ResponseRecorder {
	ts.t.Helper()
	return ts.do(request{method: "POST", path: "/login", remote: remote,
		form: url.Values{"email": {email}, "password": {password}}})
}

// signIn signs email in and returns its session cookie and CSRF token.
func (ts *testServer) signIn(email string) (*http.Cookie, string) {
	ts.t.Helper()
	rec := ts.login(email, testPassword, "")
	c := sessionCookieOf(rec)
	if rec.Code != http.StatusSeeOther || c == nil {
		ts.t.Fatalf("sign in %s: %d %s", email, rec.Code, rec.Body)
	}
	s, err := ts.db.SessionByToken(c.Value)
	if err != nil {
		ts.t.Fatal(err)
	}
	return c, s.CSRFToken
}

func sessionCookieOf(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, code int, location string) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, code, rec.Body)
	}
	if got := rec.Header().Get("Location"); location != "" && got != location {
		t.Fatalf("redirect to %q, want %q", got, location)
	}
}

func TestLogin(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("bob@example.com", storage.RoleReviewer, false)
	ts.addUser("new@example.com", storage.RoleReviewer, true)

	tests := []struct {
		name, email, password string
		code                  int
		location              string
	}{
		{"ok", "bob@example.com", testPassword, http.StatusSeeOther, "/admin/"},
		{"email in another case", " Bob@Example.com", testPassword, http.StatusSeeOther, "/admin/"},
		{"one-time password", "new@example.com", testPassword, http.StatusSeeOther, "/admin/password"},
		{"bad password", "bob@example.com", testPassword + "!", http.StatusUnauthorized, ""},
		{"unknown email", "eve@example.com", testPassword, http.StatusUnauthorized, ""},
		{"no password", "bob@example.com", "", http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.login(tt.email, tt.password, "")
			wantStatus(t, rec, tt.code, tt.location)
			c := sessionCookieOf(rec)
			if tt.code != http.StatusSeeOther {
				if c != nil {
					t.Fatal("a failed sign-in set a session cookie")
				}
				if !strings.Contains(rec.Body.String(), "Wrong email or password.") {
					t.Fatalf("body does not say why: %s", rec.Body)
				}
				return
			}
			if c == nil {
				t.Fatal("no session cookie")
			}
			if _, err := ts.db.SessionByToken(c.Value); err != nil {
				t.Fatalf("the cookie's session: %v", err)
			}
		})
	}
	u, _ := ts.db.UserByEmail("bob@example.com")
	if u.LastLoginAt.IsZero() {
		t.Fatal("last sign-in not recorded")
	}
}

func TestLoginUnknownEmailHashes(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.login("eve@example.com", "guess", "")
	if ts.srv.dummy == nil {
		t.Fatal("an unknown email was answered without hashing the password")
	}
}

func TestSessionCookie(t *testing.T) {
	tests := []struct {
		name, publicURL, target string
		secure                  bool
	}{
		{"plain http", "", "/login", false},
		{"http public URL", "http://takes.example.com", "/login", false},
		{"TLS", "", "https://takes.example.com/login", true},
		{"https public URL behind a proxy", "https://takes.example.com", "/login", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, AuthConfig{PublicURL: tt.publicURL})
			ts.addUser("bob@example.com", storage.RoleReviewer, false)
			rec := ts.do(request{method: "POST", path: tt.target,
				form: url.Values{"email": {"bob@example.com"}, "password": {testPassword}}})
			c := sessionCookieOf(rec)
			if c == nil {
				t.Fatalf("no cookie: %d %s", rec.Code, rec.Body)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != tt.secure {
				t.Fatalf("cookie %+v; want HttpOnly, SameSite=Strict, Path=/, Secure=%v", c, tt.secure)
			}
			if len(c.Value) < 43 || c.Expires.Before(time.Now().Add(time.Hour)) {
				t.Fatalf("cookie value or expiry: %+v", c)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		ts := newTestServer(t, AuthConfig{})
		ts.addUser("bob@example.com", storage.RoleReviewer, false)
		const ip = "198.51.100.7:4000"
		for i := range loginFailures {
			wantStatus(t, ts.login("user"+strconv.Itoa(i)+"@example.com", "guess", ip), http.StatusUnauthorized, "")
		}
		rec := ts.login("bob@example.com", testPassword, ip)
		wantTooMany(t, rec)
		// Another address is not held back.
		wantStatus(t, ts.login("bob@example.com", testPassword, "198.51.100.8:4000"), http.StatusSeeOther, "/admin/")
	})
	t.Run("per email", func(t *testing.T) {
		ts := newTestServer(t, AuthConfig{})
		ts.addUser("bob@example.com", storage.RoleReviewer, false)
		for i := range loginFailures {
			ip := "203.0.113." + strconv.Itoa(i+1) + ":5000"
			wantStatus(t, ts.login("bob@example.com", "guess", ip), http.StatusUnauthorized, "")
		}
		// Even the right password is refused now, from a fresh address.
		wantTooMany(t, ts.login("BOB@example.com", testPassword, "203.0.113.99:5000"))
		wantStatus(t, ts.login("other@example.com", "guess", "203.0.113.99:5000"), http.StatusUnauthorized, "")
	})
}

func wantTooMany(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	wantStatus(t, rec, http.StatusTooManyRequests, "")
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs <= 0 || secs > int(loginWindow/time.Second) {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(rec.Body.String(), "Too many failed attempts") || !strings.Contains(rec.Body.String(), "15 minutes") {
		t.Fatalf("429 body does not say what to do: %s", rec.Body)
	}
	if sessionCookieOf(rec) != nil {
		t.Fatal("a limited sign-in set a cookie")
	}
}

func TestRequireUser(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	ts.addUser("new@example.com", storage.RoleReviewer, true)
	admin, _ := ts.signIn("admin@example.com")
	rev, _ := ts.signIn("rev@example.com")
	fresh, _ := ts.signIn("new@example.com")
	bogus := &http.Cookie{Name: sessionCookie, Value: strings.Repeat("x", 43)}
	jsonAccept := map[string]string{"Accept": "application/json"}

	tests := []struct {
		name     string
		path     string
		cookie   *http.Cookie
		header   map[string]string
		code     int
		location string
		body     string
	}{
		{"no cookie", "/admin/", nil, nil, http.StatusSeeOther, "/login", ""},
		{"no slash", "/admin", nil, nil, http.StatusMovedPermanently, "/admin/", ""},
		{"unknown session", "/admin/", bogus, nil, http.StatusSeeOther, "/login", ""},
		{"no cookie, JSON", "/admin/", nil, jsonAccept, http.StatusUnauthorized, "", `"error":"Sign in first."`},
		{"reviewer", "/admin/", rev, nil, http.StatusOK, "", "Interviews"},
		{"admin on an admin page", "/admin/users", admin, nil, http.StatusOK, "", "Accounts"},
		{"reviewer on an admin page", "/admin/users", rev, nil, http.StatusForbidden, "", "Only admins can do this"},
		{"reviewer on an admin page, JSON", "/admin/users", rev, jsonAccept, http.StatusForbidden, "", `"error":"Only admins`},
		{"one-time password", "/admin/", fresh, nil, http.StatusSeeOther, "/admin/password", ""},
		{"one-time password, on the password page", "/admin/password", fresh, nil, http.StatusOK, "", "Choose your own password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(request{method: "GET", path: tt.path, cookie: tt.cookie, header: tt.header})
			wantStatus(t, rec, tt.code, tt.location)
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("body lacks %q: %s", tt.body, rec.Body)
			}
		})
	}
	if c := sessionCookieOf(ts.do(request{method: "GET", path: "/admin/", cookie: bogus})); c == nil || c.MaxAge >= 0 {
		t.Fatalf("a dead session's cookie was not cleared: %+v", c)
	}
}

func TestSessionExpires(t *testing.T) {
	ts := newTestServer(t, AuthConfig{SessionTTL: time.Nanosecond})
	ts.addUser("bob@example.com", storage.RoleReviewer, false)
	rec := ts.login("bob@example.com", testPassword, "")
	wantStatus(t, rec, http.StatusSeeOther, "/admin/")
	wantStatus(t, ts.do(request{method: "GET", path: "/admin/", cookie: sessionCookieOf(rec)}), http.StatusSeeOther, "/login")
}

func TestCSRF(t *testing.T) {
	ts := newTestServer(t, AuthConfig{PublicURL: "https://takes.example.com"})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	cookie, csrf := ts.signIn("admin@example.com")
	n := 0
	form := func(token string) url.Values {
		n++
		v := url.Values{"email": {"r" + strconv.Itoa(n) + "@example.com"}, "role": {"reviewer"}}
		if token != "" {
			v.Set("csrf", token)
		}
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
		code   int
	}{
		{"no token", form(""), nil, http.StatusForbidden},
		{"wrong token", form(strings.Repeat("A", len(csrf))), nil, http.StatusForbidden},
		{"token of the right length, one byte off", form(csrf[:len(csrf)-1] + "_"), nil, http.StatusForbidden},
		{"other origin", form(csrf), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"other site says the browser", form(csrf), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"form field", form(csrf), nil, http.StatusOK},
		{"header", form(""), map[string]string{"X-CSRF-Token": csrf}, http.StatusOK},
		{"same host origin", form(csrf), map[string]string{"Origin": "http://example.com"}, http.StatusOK},
		{"public URL origin", form(csrf), map[string]string{"Origin": "https://takes.example.com"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.do(request{method: "POST", path: "/admin/users", form: tt.form, cookie: cookie, header: tt.header})
			wantStatus(t, rec, tt.code, "")
			created := !errors.Is(userErr(ts.db.UserByEmail(tt.form.Get("email"))), storage.ErrNotFound)
			if created != (tt.code == http.StatusOK) {
				t.Fatalf("account created: %v, with status %d", created, rec.Code)
			}
			if tt.code == http.StatusForbidden && !strings.Contains(rec.Body.String(), msgForged) {
				t.Fatalf("403 body: %s", rec.Body)
			}
		})
	}
	t.Run("sign-in from another origin", func(t *testing.T) {
		rec := ts.do(request{method: "POST", path: "/login", header: map[string]string{"Origin": "https://evil.example"},
			form: url.Values{"email": {"admin@example.com"}, "password": {testPassword}}})
		wantStatus(t, rec, http.StatusForbidden, "")
		if sessionCookieOf(rec) != nil {
			t.Fatal("cross-origin sign-in set a cookie")
		}
	})
}

func userErr(_ *storage.User, err error) error { return err }

func TestFormTooLarge(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	cookie, csrf := ts.signIn("admin@example.com")
	big := url.Values{"csrf": {csrf}, "email": {"big@example.com"}, "name": {strings.Repeat("x", maxFormBytes)}}
	rec := ts.do(request{method: "POST", path: "/admin/users", form: big, cookie: cookie})
	wantStatus(t, rec, http.StatusRequestEntityTooLarge, "")
	if !strings.Contains(rec.Body.String(), "too large") {
		t.Errorf("body does not say the form is too large: %s", rec.Body)
	}
	if _, err := ts.db.UserByEmail("big@example.com"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a too-large form created an account: %v", err)
	}
}

func TestLogout(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("bob@example.com", storage.RoleReviewer, false)
	cookie, csrf := ts.signIn("bob@example.com")

	wantStatus(t, ts.do(request{method: "POST", path: "/logout", cookie: cookie, form: url.Values{}}), http.StatusForbidden, "")
	rec := ts.do(request{method: "POST", path: "/logout", cookie: cookie, form: url.Values{"csrf": {csrf}}})
	wantStatus(t, rec, http.StatusSeeOther, "/login")
	if c := sessionCookieOf(rec); c == nil || c.MaxAge >= 0 {
		t.Fatalf("cookie not cleared: %+v", c)
	}
	if _, err := ts.db.SessionByToken(cookie.Value); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("session after sign-out: %v", err)
	}
	wantStatus(t, ts.do(request{method: "GET", path: "/admin/", cookie: cookie}), http.StatusSeeOther, "/login")
}

func TestChangePassword(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	u := ts.addUser("new@example.com", storage.RoleReviewer, true)
	other, _ := ts.signIn("new@example.com") // another device
	cookie, csrf := ts.signIn("new@example.com")
	const next = "my very own password"
	change := func(current, pw, confirm string) *httptest.ResponseRecorder {
		return ts.do(request{method: "POST", path: "/admin/password", cookie: cookie,
			form: url.Values{"csrf": {csrf}, "current": {current}, "new": {pw}, "confirm": {confirm}}})
	}

	tests := []struct {
		name, current, pw, confirm, body string
	}{
		{"wrong current password", "nope", next, next, "Your current password is not right."},
		{"too short", testPassword, "short1234", "short1234", "at least 10 characters"},
		{"too long", testPassword, strings.Repeat("x", 73), strings.Repeat("x", 73), "at most 72 characters"},
		{"not the same twice", testPassword, next, next + "!", "not the same"},
		{"unchanged", testPassword, testPassword, testPassword, "different from your current one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := change(tt.current, tt.pw, tt.confirm)
			wantStatus(t, rec, http.StatusUnprocessableEntity, "")
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("body lacks %q: %s", tt.body, rec.Body)
			}
		})
	}

	rec := change(testPassword, next, next)
	wantStatus(t, rec, http.StatusSeeOther, "/admin/")
	fresh := sessionCookieOf(rec)
	if fresh == nil || fresh.Value == cookie.Value {
		t.Fatalf("no fresh session cookie: %+v", fresh)
	}
	got, _ := ts.db.User(u.ID)
	if got.MustChangePassword || !storage.PasswordMatches(got.PasswordHash, next) {
		t.Fatalf("after the change: %+v", got)
	}
	for _, c := range []*http.Cookie{other, cookie} {
		if _, err := ts.db.SessionByToken(c.Value); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("an old session survived the change: %v", err)
		}
	}
	wantStatus(t, ts.do(request{method: "GET", path: "/admin/", cookie: fresh}), http.StatusOK, "")
	wantStatus(t, ts.login("new@example.com", testPassword, ""), http.StatusUnauthorized, "")
	wantStatus(t, ts.login("new@example.com", next, ""), http.StatusSeeOther, "/admin/")
}

func TestCreateUser(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	admin, adminCSRF := ts.signIn("admin@example.com")
	rev, revCSRF := ts.signIn("rev@example.com")
	createNamed := func(c *http.Cookie, csrf, email, name, role string) *httptest.ResponseRecorder {
		return ts.do(request{method: "POST", path: "/admin/users", cookie: c,
			form: url.Values{"csrf": {csrf}, "email": {email}, "name": {name}, "role": {role}}})
	}
	create := func(c *http.Cookie, csrf, email, role string) *httptest.ResponseRecorder {
		return createNamed(c, csrf, email, "Carol", role)
	}

	rec := create(rev, revCSRF, "carol@example.com", "admin")
	wantStatus(t, rec, http.StatusForbidden, "")
	if _, err := ts.db.UserByEmail("carol@example.com"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a reviewer created an account: %v", err)
	}

	rec = create(admin, adminCSRF, "Carol@Example.com", "admin")
	wantStatus(t, rec, http.StatusOK, "")
	carol, err := ts.db.UserByEmail("carol@example.com")
	if err != nil || carol.Role != storage.RoleAdmin || !carol.MustChangePassword || carol.Name != "Carol" {
		t.Fatalf("created: %+v %v", carol, err)
	}
	password := oneTimePassword(t, rec.Body.String())
	wantStatus(t, ts.login("carol@example.com", password, ""), http.StatusSeeOther, "/admin/password")
	if again := ts.do(request{method: "GET", path: "/admin/users", cookie: admin}); strings.Contains(again.Body.String(), password) {
		t.Fatal("the one-time password is shown again")
	}

	for _, tt := range []struct{ name, email, person, role, body string }{
		{"taken email", "carol@example.com", "Carol", "reviewer", "already exists"},
		{"not an email", "carol", "Carol", "reviewer", "Enter an email address"},
		{"unknown role", "dan@example.com", "Dan", "owner", "Choose a role"},
		{"name too long", "dan@example.com", strings.Repeat("D", 101), "reviewer", "at most 100 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := createNamed(admin, adminCSRF, tt.email, tt.person, tt.role)
			wantStatus(t, rec, http.StatusUnprocessableEntity, "")
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("body lacks %q: %s", tt.body, rec.Body)
			}
			if _, err := ts.db.UserByEmail("dan@example.com"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("a refused account was stored: %v", err)
			}
		})
	}
}

// oneTimePassword finds the password the accounts page shows once.
func oneTimePassword(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `<p class="secret"><code>`)
	pw, _, ok2 := strings.Cut(rest, "</code>")
	if !ok || !ok2 || len(pw) != 23 {
		t.Fatalf("no one-time password on the page: %s", body)
	}
	return pw
}

func TestDashboard(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	for _, title := range []string{"Backend engineer", "Nurse <night shift>"} {
		if err := ts.db.CreateInterview(&storage.Interview{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	cookie, csrf := ts.signIn("rev@example.com")
	rec := ts.do(request{method: "GET", path: "/admin/", cookie: cookie})
	wantStatus(t, rec, http.StatusOK, "")
	body := rec.Body.String()
	for _, want := range []string{"Backend engineer", "Nurse &lt;night shift&gt;", "Name of rev@example.com", "reviewer",
		`action="/logout"`, `name="csrf" value="` + csrf + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, "/admin/users") {
		t.Error("a reviewer's menu links to the accounts page")
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}

// Every page renders under the CSP: no inline script or style.
func TestPagesRender(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	cookie, _ := ts.signIn("admin@example.com")
	for _, path := range []string{"/login", "/admin/", "/admin/password", "/admin/users"} {
		c := cookie
		if path == "/login" {
			c = nil
		}
		rec := ts.do(request{method: "GET", path: path, cookie: c})
		wantStatus(t, rec, http.StatusOK, "")
		body := rec.Body.String()
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
			t.Errorf("%s has inline script or style", path)
		}
		if !strings.Contains(body, `href="/static/admin.css"`) {
			t.Errorf("%s lacks the style sheet", path)
		}
		if strings.Count(body, "<input") > strings.Count(body, `type="hidden"`)+strings.Count(body, ` hidden>`)+strings.Count(body, "<label") {
			t.Errorf("%s has inputs without labels", path)
		}
	}
	if _, err := Assets().Open("admin.css"); err != nil {
		t.Fatalf("admin.css is not embedded: %v", err)
	}
}

func TestSignedInLoginPage(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	cookie, _ := ts.signIn("rev@example.com")
	wantStatus(t, ts.do(request{method: "GET", path: "/login", cookie: cookie}), http.StatusSeeOther, "/admin/")
}

func TestJSONErrorShape(t *testing.T) {
	ts := newTestServer(t, AuthConfig{})
	rec := ts.do(request{method: "GET", path: "/admin/users", header: map[string]string{"Accept": "application/json"}})
	var body struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("401 body %q: %v", rec.Body, err)
	}
}

func TestNewServerRefusesBadConfig(t *testing.T) {
	for _, cfg := range []AuthConfig{{PasswordCost: 3}, {PasswordCost: 40}, {PublicURL: "takes.example.com"}} {
		if _, err := NewServer(nil, nil, Handlers{}, slog.New(slog.DiscardHandler), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
