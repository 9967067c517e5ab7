package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/takes/takes/storage"
)

// dashboardPage is the data of the recruiter's first page.
type dashboardPage struct {
	page
	Interviews []dashboardRow
}

// dashboard lists the interviews, newest first, with how many candidates were
// invited and submitted (see interviews.go).
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	rows, err := s.dashboardRows()
	if err != nil {
		s.serverError(w, r, "list interviews", err)
		return
	}
	s.render(w, http.StatusOK, "dashboard", dashboardPage{page: s.pageFor(r, "Interviews"), Interviews: rows})
}

// passwordPage shows the form to change one's password.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "password", s.passwordForm(r, ""))
}

func (s *Server) passwordForm(r *http.Request, errMsg string) page {
	p := s.pageFor(r, "Change your password")
	p.Error = errMsg
	if p.User.MustChangePassword {
		p.Notice = "You signed in with a one-time password. Choose your own password to go on."
	}
	return p
}

// changePassword sets a new password, given the current one. It signs the user
// out everywhere else, and starts a fresh session here.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r)
	current, next := r.PostFormValue("current"), r.PostFormValue("new")
	key, now := emailKey(u.Email), time.Now()
	if wait := s.logins.blocked(now, key); wait > 0 {
		s.render(w, http.StatusTooManyRequests, "password", s.passwordForm(r, retryAfter(w, wait)))
		return
	}
	if !storage.PasswordMatches(u.PasswordHash, current) {
		s.logins.fail(now, key)
		s.render(w, http.StatusUnprocessableEntity, "password", s.passwordForm(r, "Your current password is not right."))
		return
	}
	if msg := checkNewPassword(current, next, r.PostFormValue("confirm")); msg != "" {
		s.render(w, http.StatusUnprocessableEntity, "password", s.passwordForm(r, msg))
		return
	}
	if err := s.setPassword(u, next); err != nil {
		s.serverError(w, r, "change password", err)
		return
	}
	s.log.Info("password changed", slog.String("user", u.ID), slog.String("email", u.Email))
	u.MustChangePassword = false
	s.signIn(w, r, u)
}

// setPassword stores the new password of u and ends all of u's sessions.
func (s *Server) setPassword(u *storage.User, password string) error {
	hash, err := storage.HashPassword(password, s.auth.PasswordCost)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(u.ID, hash, false); err != nil {
		return err
	}
	return s.store.DeleteUserSessions(u.ID)
}

// checkNewPassword returns what is wrong with a new password, or "".
func checkNewPassword(current, next, confirm string) string {
	switch {
	case utf8.RuneCountInString(next) < minPasswordChars:
		return "Choose a password of at least 10 characters."
	case len(next) > storage.MaxPasswordBytes:
		return "Choose a shorter password: at most 72 characters."
	case next != confirm:
		return "The two new passwords are not the same. Type the same password twice."
	case next == current:
		return "Choose a password different from your current one."
	}
	return ""
}

// usersPage is the data of the accounts page.
type usersPage struct {
	page
	Users   []storage.User
	Form    userForm
	Created *createdUser // the account just created, shown once
}

// userForm is what was typed in the form that creates an account.
type userForm struct {
	Email, Name string
	Admin       bool
}

// maxNameChars is the longest name of an account.
const maxNameChars = 100

type createdUser struct {
	Email, Password string
}

// users lists the accounts, with a form to add one.
func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	s.showUsers(w, r, http.StatusOK, usersPage{page: s.pageFor(r, "Accounts")})
}

// createUser adds an account with a one-time password, which the page shows once.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	form := userForm{
		Email: storage.NormalizeEmail(r.PostFormValue("email")),
		Name:  strings.TrimSpace(r.PostFormValue("name")),
		Admin: r.PostFormValue("role") == string(storage.RoleAdmin),
	}
	data := usersPage{page: s.pageFor(r, "Accounts"), Form: form}
	created, msg, err := s.newUser(form, storage.Role(r.PostFormValue("role")))
	switch {
	case err != nil:
		s.serverError(w, r, "create user", err)
	case msg != "":
		data.Error = msg
		s.showUsers(w, r, http.StatusUnprocessableEntity, data)
	default:
		s.log.Info("account created", slog.String("by", userFrom(r).Email), slog.String("email", created.Email))
		data.Form, data.Created = userForm{}, created
		s.showUsers(w, r, http.StatusOK, data)
	}
}

// newUser creates the account the form describes, with a new one-time password.
// When the form is wrong it returns what to tell the admin instead.
func (s *Server) newUser(form userForm, role storage.Role) (*createdUser, string, error) {
	if utf8.RuneCountInString(form.Name) > maxNameChars {
		return nil, "Enter a name of at most 100 characters.", nil
	}
	password := storage.NewPassword()
	hash, err := storage.HashPassword(password, s.auth.PasswordCost)
	if err != nil {
		return nil, "", err
	}
	u := &storage.User{Email: form.Email, Name: form.Name, Role: role, PasswordHash: hash, MustChangePassword: true}
	err = s.store.CreateUser(u)
	if msg := userError(err); msg != "" {
		return nil, msg, nil
	}
	if err != nil {
		return nil, "", err
	}
	return &createdUser{Email: u.Email, Password: password}, "", nil
}

// userError returns what to tell the admin about err from newUser, or "" when it is not their mistake.
func userError(err error) string {
	switch {
	case errors.Is(err, storage.ErrEmailTaken):
		return "An account with this email already exists."
	case errors.Is(err, storage.ErrBadEmail):
		return "Enter an email address, such as name@example.com."
	case errors.Is(err, storage.ErrBadRole):
		return "Choose a role: reviewer or admin."
	}
	return ""
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, data usersPage) {
	users, err := s.store.Users()
	if err != nil {
		s.serverError(w, r, "list users", err)
		return
	}
	data.Users = users
	s.render(w, status, "users", data)
}
