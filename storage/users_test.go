package storage

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

func openEmpty(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func addUser(t *testing.T, db *DB, email string, role Role) *User {
	t.Helper()
	u := &User{Email: email, Name: "N", Role: role, PasswordHash: []byte("not-a-real-hash")}
	if err := db.CreateUser(u); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	db := openEmpty(t)
	a := addUser(t, db, "  Bob@Example.COM ", RoleAdmin)
	if a.Email != "bob@example.com" || !ValidID(a.ID) || a.CreatedAt.IsZero() {
		t.Fatalf("created user: %+v", a)
	}
	addUser(t, db, "alice@example.com", RoleReviewer)

	got, err := db.UserByEmail("BOB@example.com")
	if err != nil || got.ID != a.ID || got.Role != RoleAdmin {
		t.Fatalf("by email: %+v %v", got, err)
	}
	if got, err := db.User(a.ID); err != nil || got.Email != a.Email {
		t.Fatalf("by id: %+v %v", got, err)
	}
	if _, err := db.UserByEmail("carol@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown email: %v", err)
	}
	all, err := db.Users()
	if err != nil || len(all) != 2 || all[0].Email != "alice@example.com" || all[1].Email != "bob@example.com" {
		t.Fatalf("users, in email order: %+v %v", all, err)
	}

	if err := db.SetPassword(a.ID, []byte("new-hash"), true); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordLogin(a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = db.User(a.ID)
	if string(got.PasswordHash) != "new-hash" || !got.MustChangePassword || got.LastLoginAt.IsZero() {
		t.Fatalf("after set password and login: %+v", got)
	}
	if err := db.SetPassword("nobody", []byte("h"), false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("set password of a missing user: %v", err)
	}
}

func TestCreateUserRefuses(t *testing.T) {
	db := openEmpty(t)
	addUser(t, db, "bob@example.com", RoleAdmin)
	tests := []struct {
		name string
		user User
		want error
	}{
		{"same email in another case", User{Email: "BOB@example.com", Role: RoleReviewer, PasswordHash: []byte("h")}, ErrEmailTaken},
		{"no email", User{Role: RoleReviewer, PasswordHash: []byte("h")}, ErrBadEmail},
		{"display name", User{Email: "Bob <x@example.com>", Role: RoleReviewer, PasswordHash: []byte("h")}, ErrBadEmail},
		{"unknown role", User{Email: "x@example.com", Role: "owner", PasswordHash: []byte("h")}, ErrBadRole},
		{"no hash", User{Email: "x@example.com", Role: RoleReviewer}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.CreateUser(&tt.user)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if all, _ := db.Users(); len(all) != 1 {
		t.Fatalf("refused users were stored: %+v", all)
	}
}

func TestDeleteUser(t *testing.T) {
	db := openEmpty(t)
	u := addUser(t, db, "bob@example.com", RoleReviewer)
	token, _, err := db.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UserByEmail(u.Email); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted user by email: %v", err)
	}
	if _, err := db.SessionByToken(token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted user's session: %v", err)
	}
	addUser(t, db, "bob@example.com", RoleReviewer) // the email is free again
	if err := db.DeleteUser(u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestSessions(t *testing.T) {
	db := openEmpty(t)
	u := addUser(t, db, "bob@example.com", RoleReviewer)
	token, s, err := db.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || len(s.CSRFToken) != 43 || s.CSRFToken == token || s.UserID != u.ID {
		t.Fatalf("session: token %q, %+v", token, s)
	}
	got, err := db.SessionByToken(token)
	if err != nil || got.CSRFToken != s.CSRFToken || !got.ExpiresAt.Equal(s.ExpiresAt) {
		t.Fatalf("by token: %+v %v", got, err)
	}
	if _, err := db.SessionByToken(strings.ToUpper(token)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong token: %v", err)
	}
	if _, _, err := db.CreateSession("nobody", time.Hour); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session of a missing user: %v", err)
	}
	if err := db.DeleteSession(token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
}

// The token is the only way in, so the database must not hold it.
func TestSessionTokenNotStored(t *testing.T) {
	db := openEmpty(t)
	u := addUser(t, db, "bob@example.com", RoleReviewer)
	token, _, err := db.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			if strings.Contains(string(k), token) || strings.Contains(string(v), token) {
				t.Errorf("the session token is stored: %q = %q", k, v)
			}
			return nil
		})
	})
}

func TestSessionExpiry(t *testing.T) {
	db := openEmpty(t)
	u := addUser(t, db, "bob@example.com", RoleReviewer)
	expired, _, err := db.CreateSession(u.ID, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(expired); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if n := countSessions(t, db); n != 0 {
		t.Fatalf("%d sessions left after looking up an expired one", n)
	}

	// One that is never looked up again goes when the next session is made.
	db.CreateSession(u.ID, time.Nanosecond)
	if _, _, err := db.CreateSession(u.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := countSessions(t, db); n != 1 {
		t.Fatalf("%d sessions, want 1 after an expired one was swept", n)
	}
}

func TestDeleteUserSessions(t *testing.T) {
	db := openEmpty(t)
	bob := addUser(t, db, "bob@example.com", RoleReviewer)
	alice := addUser(t, db, "alice@example.com", RoleReviewer)
	b1, _, _ := db.CreateSession(bob.ID, time.Hour)
	b2, _, _ := db.CreateSession(bob.ID, time.Hour)
	a1, _, _ := db.CreateSession(alice.ID, time.Hour)
	if err := db.DeleteUserSessions(bob.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{b1, b2} {
		if _, err := db.SessionByToken(tok); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob's session survived: %v", err)
		}
	}
	if _, err := db.SessionByToken(a1); err != nil {
		t.Fatalf("alice's session: %v", err)
	}
}

func countSessions(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSessions).Stats().KeyN
		return nil
	})
	return n
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !PasswordMatches(h, "correct horse battery") || PasswordMatches(h, "correct horse battery!") {
		t.Fatal("PasswordMatches is wrong")
	}
	if cost, _ := bcrypt.Cost(h); cost != bcrypt.MinCost {
		t.Fatalf("cost %d", cost)
	}
	seen := map[string]bool{}
	for range 100 {
		p := NewPassword()
		if len(p) != 23 || strings.Count(p, "-") != 3 || strings.ContainsAny(p, "01ilo") || seen[p] {
			t.Fatalf("one-time password %q", p)
		}
		seen[p] = true
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "takes.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Open(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}
