package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/takes/takes/storage"
)

const userUsage = `usage:
  takes user add --email E [--role reviewer|admin] [--name N] [--data DIR]
  takes user list [--data DIR]
The server must not be running: its database allows one process at a time.`

// userCmd runs "takes user add" and "takes user list", which work on the data
// directory directly.
func userCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: add or list?\n" + userUsage)
	}
	switch args[0] {
	case "add":
		return userAdd(args[1:], stdout, stderr)
	case "list":
		return userList(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, userUsage)
		return nil
	}
	return fmt.Errorf("user: unknown command %q\n%s", args[0], userUsage)
}

// userFlags returns the flag set of a user subcommand, with its --data flag.
func userFlags(name string, stderr io.Writer, dataDir *string) *flag.FlagSet {
	fs := flag.NewFlagSet("user "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(dataDir, "data", env("TAKES_DATA", "./data"), "data directory: database and media (TAKES_DATA)")
	return fs
}

// userAdd creates an account with a one-time password and prints the password once.
func userAdd(args []string, stdout, stderr io.Writer) error {
	var dataDir, email, name, role string
	var cost int
	fs := userFlags("add", stderr, &dataDir)
	fs.StringVar(&email, "email", "", "the account's email; it signs in with it (required)")
	fs.StringVar(&name, "name", "", "the person's name")
	fs.StringVar(&role, "role", string(storage.RoleReviewer), "reviewer or admin")
	fs.IntVar(&cost, "password-cost", envInt("TAKES_PASSWORD_COST", storage.PasswordCost), "bcrypt cost of the password hash (TAKES_PASSWORD_COST)")
	if err := parseUserFlags(fs, args); err != nil {
		return err
	}
	if email == "" {
		return errors.New("user add: --email is required")
	}
	if !storage.Role(role).Valid() {
		return fmt.Errorf("user add: role %q: choose reviewer or admin", role)
	}
	db, err := openStore(dataDir, true)
	if err != nil {
		return err
	}
	defer db.Close()
	password := storage.NewPassword()
	hash, err := storage.HashPassword(password, cost)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	u := storage.User{Email: email, Name: name, Role: storage.Role(role), PasswordHash: hash, MustChangePassword: true}
	if err := db.CreateUser(&u); err != nil {
		return fmt.Errorf("user add: %w", userAddError(err))
	}
	fmt.Fprintf(stdout, "Created %s account %s in %s.\n", u.Role, u.Email, dataDir)
	fmt.Fprintf(stdout, "One-time password (shown only this once): %s\n", password)
	fmt.Fprintln(stdout, "They sign in at /login and then choose their own password.")
	return nil
}

// userAddError turns the store's refusals into plain sentences.
func userAddError(err error) error {
	switch {
	case errors.Is(err, storage.ErrEmailTaken):
		return errors.New("an account with this email already exists")
	case errors.Is(err, storage.ErrBadEmail):
		return errors.New("not an email address; give one such as name@example.com")
	}
	return err
}

// userList prints every account.
func userList(args []string, stdout, stderr io.Writer) error {
	var dataDir string
	fs := userFlags("list", stderr, &dataDir)
	if err := parseUserFlags(fs, args); err != nil {
		return err
	}
	db, err := openStore(dataDir, false)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users()
	if err != nil {
		return fmt.Errorf("user list: %w", err)
	}
	if len(users) == 0 {
		fmt.Fprintln(stdout, "No accounts yet.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tLAST SIGN-IN\tPASSWORD")
	for _, u := range users {
		last, pw := "never", "own"
		if !u.LastLoginAt.IsZero() {
			last = u.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		if u.MustChangePassword {
			pw = "one-time"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, last, pw)
	}
	return tw.Flush()
}

func parseUserFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// openStore opens the database in dataDir, creating it only when create is set.
func openStore(dataDir string, create bool) (*storage.DB, error) {
	path := filepath.Join(dataDir, "takes.db")
	if create {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: check --data (or TAKES_DATA)", path)
	}
	db, err := storage.Open(path)
	if errors.Is(err, storage.ErrLocked) {
		return nil, fmt.Errorf("%s is in use: stop the Takes server first, then run this again", path)
	}
	return db, err
}
