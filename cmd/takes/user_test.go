package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/takes/takes/storage"
)

// runCmd runs the command line args and returns its output.
func runCmd(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(args, &out, &errOut)
	return out.String(), err
}

var passwordLine = regexp.MustCompile(`One-time password \(shown only this once\): (\S+)\n`)

func TestUserAdd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	out, err := runCmd(t, "user", "add", "--data", dir, "--email", "Alice@Example.com", "--role", "admin",
		"--name", "Alice", "--password-cost", "4")
	if err != nil {
		t.Fatal(err)
	}
	m := passwordLine.FindStringSubmatch(out)
	if m == nil || strings.Count(out, m[1]) != 1 {
		t.Fatalf("the password is not printed exactly once:\n%s", out)
	}

	db, err := storage.Open(filepath.Join(dir, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByEmail("alice@example.com")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != storage.RoleAdmin || u.Name != "Alice" || !u.MustChangePassword || !storage.PasswordMatches(u.PasswordHash, m[1]) {
		t.Fatalf("stored account: %+v", u)
	}

	if _, err := runCmd(t, "user", "add", "--data", dir, "--email", "alice@example.com", "--password-cost", "4"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Fatalf("adding the same email again: %v", err)
	}
	if _, err := runCmd(t, "user", "add", "--data", dir, "--email", "bob@example.com", "--password-cost", "4"); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "user", "list", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "alice@example.com") || !strings.Contains(lines[1], "admin") ||
		!strings.Contains(lines[2], "bob@example.com") || !strings.Contains(lines[2], "reviewer") || !strings.Contains(lines[2], "one-time") {
		t.Fatalf("list:\n%s", out)
	}
}

func TestUserAddRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no email", []string{"user", "add", "--data", dir}, "--email is required"},
		{"bad email", []string{"user", "add", "--data", dir, "--email", "alice", "--password-cost", "4"}, "not an email address"},
		{"bad role", []string{"user", "add", "--data", dir, "--email", "a@example.com", "--role", "owner"}, "choose reviewer or admin"},
		{"no subcommand", []string{"user"}, "add or list"},
		{"unknown subcommand", []string{"user", "remove"}, "unknown command"},
		{"list without a database", []string{"user", "list", "--data", filepath.Join(dir, "missing")}, "no database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := runCmd(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// A running server holds the database; the command must say so rather than hang or fail obscurely.
func TestUserAddWhileServerRuns(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = runCmd(t, "user", "add", "--data", dir, "--email", "a@example.com", "--password-cost", "4")
	if err == nil || !strings.Contains(err.Error(), "stop the Takes server first") {
		t.Fatalf("error %v", err)
	}
}
