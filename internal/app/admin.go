package app

import (
	"fmt"
	"log/slog"

	"github.com/takes/takes/storage"
)

// FirstAdminEmail is the email of the account EnsureAdmin creates.
const FirstAdminEmail = "admin@localhost"

// EnsureAdmin creates the first recruiter account when the store has none: an
// admin, FirstAdminEmail, with a random one-time password to be changed at the
// first sign-in. It returns the email and password when it created the account,
// and created false, with nothing else, when an account existed.
func (a *App) EnsureAdmin() (email, password string, created bool, err error) {
	users, err := a.db.Users()
	if err != nil {
		return "", "", false, fmt.Errorf("first admin: %w", err)
	}
	if len(users) > 0 {
		return "", "", false, nil
	}
	password = storage.NewPassword()
	hash, err := storage.HashPassword(password, a.cfg.PasswordCost)
	if err != nil {
		return "", "", false, fmt.Errorf("first admin: %w", err)
	}
	u := storage.User{Email: FirstAdminEmail, Name: "Administrator", Role: storage.RoleAdmin,
		PasswordHash: hash, MustChangePassword: true}
	if err := a.db.CreateUser(&u); err != nil {
		return "", "", false, fmt.Errorf("first admin: %w", err)
	}
	a.log.Info("created the first admin account", slog.String("email", u.Email))
	return u.Email, password, true, nil
}
