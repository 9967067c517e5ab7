package app

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// The first start creates an admin whose one-time password signs in through the
// real handler; later starts create nothing.
func TestEnsureAdmin(t *testing.T) {
	a, err := New(Config{DataDir: t.TempDir(), PasswordCost: 4, Recorder: recorder.Config{LoopbackOnly: true},
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	email, password, created, err := a.EnsureAdmin()
	if err != nil || !created || email != FirstAdminEmail || len(password) < 20 {
		t.Fatalf("first: %q %q %v %v", email, password, created, err)
	}
	u, err := a.DB().UserByEmail(email)
	if err != nil || u.Role != storage.RoleAdmin || !u.MustChangePassword {
		t.Fatalf("first admin: %+v %v", u, err)
	}
	if e, p, created, err := a.EnsureAdmin(); err != nil || created || e != "" || p != "" {
		t.Fatalf("second: %q %q %v %v", e, p, created, err)
	}

	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/password" {
		t.Fatalf("sign-in: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
}
