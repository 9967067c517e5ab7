package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// AuthConfig holds the settings of the recruiters' sign-in.
type AuthConfig struct {
	// PublicURL is the server's base URL as browsers see it, e.g. https://takes.example.com.
	// When it is https the session cookie is Secure, and forms may be posted from its origin.
	PublicURL string
	// PasswordCost is the bcrypt cost of new password hashes; 0 means storage.PasswordCost.
	PasswordCost int
	// SessionTTL is how long a sign-in lasts; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
}

// DefaultSessionTTL is how long a sign-in lasts unless configured otherwise: a working day.
const DefaultSessionTTL = 12 * time.Hour

const (
	sessionCookie = "takes_session"
	pathPassword  = "/admin/password"
	pathLogout    = "/logout"

	// Sign-in fails at most loginFailures times per client address and per email
	// within loginWindow; then that address or email waits for the window to end.
	loginFailures = 5
	loginWindow   = 15 * time.Minute
	limiterSize   = 10_000 // addresses and emails remembered at most

	minPasswordChars = 10
	maxFormBytes     = 512 << 10 // an interview of 50 long questions fits
)

// msgForged answers a state-changing request without the session's CSRF token or from another origin.
const msgForged = "This form has expired or came from another site. Reload the page and try again."

// checkAuthConfig checks the configuration and fills in defaults.
func checkAuthConfig(c AuthConfig) (AuthConfig, error) {
	if c.PasswordCost == 0 {
		c.PasswordCost = storage.PasswordCost
	}
	if c.PasswordCost < 4 || c.PasswordCost > 31 {
		return c, fmt.Errorf("web: password cost %d is outside bcrypt's 4 to 31", c.PasswordCost)
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	return c, nil
}

// newCrossOrigin returns the check that refuses state-changing requests a browser
// sends from another origin; the public URL's origin is ours too.
func newCrossOrigin(publicURL string) (*http.CrossOriginProtection, error) {
	c := http.NewCrossOriginProtection()
	if publicURL == "" {
		return c, nil
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web: public URL %q is not an absolute URL", publicURL)
	}
	if err := c.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, fmt.Errorf("web: public URL: %w", err)
	}
	return c, nil
}

type ctxKey struct{}

// signedIn is the session of a request's user.
type signedIn struct {
	user    *storage.User
	session storage.Session
	token   string
}

// sessionFrom returns the session requireUser put in the request, or nil.
func sessionFrom(r *http.Request) *signedIn {
	a, _ := r.Context().Value(ctxKey{}).(*signedIn)
	return a
}

// userFrom returns the signed-in user of the request, or nil.
func userFrom(r *http.Request) *storage.User {
	if a := sessionFrom(r); a != nil {
		return a.user
	}
	return nil
}

// pageFor returns the common data of a page for the request's user.
func (s *Server) pageFor(r *http.Request, title string) page {
	p := page{Title: title}
	if a := sessionFrom(r); a != nil {
		p.User, p.CSRF = a.user, a.session.CSRFToken
	}
	return p
}

// loginForm is the data of the sign-in page.
type loginForm struct {
	page
	Email string
}

// loginPage shows the sign-in form, or goes on to the dashboard when already signed in.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if a, err := s.authenticate(r); err == nil {
		http.Redirect(w, r, landing(a.user), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", loginForm{page: page{Title: "Sign in"}})
}

// login checks an email and password and starts a session. Failures are limited
// per client address and per email; an unknown email takes as long as a wrong password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	email := storage.NormalizeEmail(r.PostFormValue("email"))
	keys := []string{"ip:" + clientIP(r), emailKey(email)}
	now := time.Now()
	if wait := s.logins.blocked(now, keys...); wait > 0 {
		form := loginForm{page: page{Title: "Sign in", Error: retryAfter(w, wait)}, Email: email}
		s.render(w, http.StatusTooManyRequests, "login", form)
		return
	}
	u, ok, err := s.checkLogin(email, r.PostFormValue("password"))
	if err != nil {
		s.serverError(w, r, "sign in", err)
		return
	}
	if !ok {
		s.logins.fail(now, keys...)
		s.log.Warn("failed sign-in", slog.String("email", email), slog.String("ip", clientIP(r)))
		form := loginForm{page: page{Title: "Sign in", Error: "Wrong email or password."}, Email: email}
		s.render(w, http.StatusUnauthorized, "login", form)
		return
	}
	s.logins.reset(emailKey(email))
	s.signIn(w, r, u)
}

// signIn starts a session for u and sends the browser on.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u *storage.User) {
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, "start session", err)
		return
	}
	if err := s.store.RecordLogin(u.ID); err != nil {
		s.log.Error("record sign-in", slog.String("user", u.ID), slog.Any("err", err))
	}
	s.log.Info("signed in", slog.String("user", u.ID), slog.String("email", u.Email))
	http.Redirect(w, r, landing(u), http.StatusSeeOther)
}

// checkLogin reports whether password is the password of the account with email.
func (s *Server) checkLogin(email, password string) (*storage.User, bool, error) {
	u, err := s.store.UserByEmail(email)
	if errors.Is(err, storage.ErrNotFound) {
		// Take as long as for a real account, so the time does not tell which emails have one.
		storage.PasswordMatches(s.dummyHash(), password)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u, storage.PasswordMatches(u.PasswordHash, password), nil
}

// dummyHash returns a hash, at the configured cost, that no password matches.
// It is made on first use, as it takes a noticeable time.
func (s *Server) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		h, err := storage.HashPassword(storage.NewPassword(), s.auth.PasswordCost)
		if err != nil {
			s.log.Error("dummy password hash", slog.Any("err", err))
		}
		s.dummy = h
	})
	return s.dummy
}

// retryAfter sets Retry-After to wait and returns the message that says how long to wait.
func retryAfter(w http.ResponseWriter, wait time.Duration) string {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	mins, unit := (secs+59)/60, "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("Too many failed attempts. To protect the account, wait %d %s and try again.", mins, unit)
}

// emailKey is the rate limiter's key of an email, bounded in length.
func emailKey(email string) string {
	if len(email) > 254 {
		email = email[:254]
	}
	return "email:" + email
}

// clientIP returns the address of the client, without its port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// landing is where a user goes after signing in.
func landing(u *storage.User) string {
	if u.MustChangePassword {
		return pathPassword
	}
	return "/admin/"
}

// startSession creates a session for u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *storage.User) error {
	token, sess, err := s.store.CreateSession(u.ID, s.auth.SessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode,
	})
	return nil
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode,
	})
}

// secure reports whether cookies must be Secure: the request came over TLS, or
// the public URL is https (TLS ends at a proxy in front of us).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(s.auth.PublicURL), "https://")
}

// logout ends the request's session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteSession(sessionFrom(r).token); err != nil {
		s.serverError(w, r, "sign out", err)
		return
	}
	s.clearCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// authenticate returns the session of the request's cookie; storage.ErrNotFound
// when there is none, or it expired, or its user is gone.
func (s *Server) authenticate(r *http.Request) (*signedIn, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, storage.ErrNotFound
	}
	sess, err := s.store.SessionByToken(c.Value)
	if err != nil {
		return nil, err
	}
	u, err := s.store.User(sess.UserID)
	if err != nil {
		return nil, err
	}
	return &signedIn{user: u, session: sess, token: c.Value}, nil
}

// requireUser lets through requests of a signed-in user with one of roles (any
// role when none is given), with the user in the request's context. A request
// that changes something must come from our own origin and carry the session's
// CSRF token. A user with a one-time password may only change it or sign out.
func (s *Server) requireUser(next http.HandlerFunc, roles ...storage.Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.authenticate(r)
		if err != nil {
			s.signInFirst(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, a))
		if !safeMethod(r.Method) && !s.checkForgery(w, r, a) {
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, a.user.Role) {
			s.forbidden(w, r, fmt.Sprintf("Only %s can do this; your account is a %s account.", rolesText(roles), a.user.Role))
			return
		}
		if a.user.MustChangePassword && r.URL.Path != pathPassword && r.URL.Path != pathLogout {
			s.passwordFirst(w, r)
			return
		}
		next(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkForgery refuses, and reports false for, a state-changing request from
// another origin or without the session's CSRF token (form field csrf or header X-CSRF-Token).
func (s *Server) checkForgery(w http.ResponseWriter, r *http.Request, a *signedIn) bool {
	if !s.sameOrigin(w, r) {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	token := r.Header.Get("X-CSRF-Token")
	if token == "" {
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.tooLarge(w, r)
				return false
			}
		}
		token = r.PostFormValue("csrf")
	}
	want := a.session.CSRFToken
	if want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		s.log.Warn("refused a request without the CSRF token", slog.String("user", a.user.ID),
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		s.forbidden(w, r, msgForged)
		return false
	}
	return true
}

// tooLarge answers a form bigger than maxFormBytes.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	msg := "This form is too large to send (over 512 KB). Shorten the longest texts and try again."
	if wantsJSON(r) {
		writeJSONError(w, http.StatusRequestEntityTooLarge, msg)
		return
	}
	s.showMessage(w, r, http.StatusRequestEntityTooLarge, "Form too large", msg)
}

// sameOrigin refuses, and reports false for, a state-changing request that a
// browser sent from another origin.
func (s *Server) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	if err := s.crossOrigin.Check(r); err != nil {
		s.log.Warn("refused a cross-origin request", slog.String("origin", r.Header.Get("Origin")),
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		s.forbidden(w, r, msgForged)
		return false
	}
	return true
}

func rolesText(roles []storage.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r) + "s"
	}
	return strings.Join(names, " and ")
}

// signInFirst answers a request without a valid session: 401 for scripts, the sign-in page for people.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, storage.ErrNotFound) {
		s.serverError(w, r, "load session", err)
		return
	}
	if _, cerr := r.Cookie(sessionCookie); cerr == nil {
		s.clearCookie(w, r) // expired or signed out elsewhere
	}
	if wantsJSON(r) {
		writeJSONError(w, http.StatusUnauthorized, "Sign in first.")
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// passwordFirst sends a user with a one-time password to change it.
func (s *Server) passwordFirst(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		writeJSONError(w, http.StatusForbidden, "Change your one-time password first.")
		return
	}
	http.Redirect(w, r, pathPassword, http.StatusSeeOther)
}

// forbidden answers 403 with msg.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	if wantsJSON(r) {
		writeJSONError(w, http.StatusForbidden, msg)
		return
	}
	s.showMessage(w, r, http.StatusForbidden, "Not allowed", msg)
}

// serverError logs err and answers 500 without its detail.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, slog.String("path", r.URL.Path), slog.Any("err", err))
	const msg = "Something went wrong on the server. Try again in a moment."
	if wantsJSON(r) {
		writeJSONError(w, http.StatusInternalServerError, msg)
		return
	}
	s.showMessage(w, r, http.StatusInternalServerError, "Server error", msg)
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{msg})
}
