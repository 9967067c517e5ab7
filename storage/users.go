package storage

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

var (
	bucketUsers      = []byte("users")
	bucketUserEmails = []byte("user_emails") // lower-case email → user ID
	bucketSessions   = []byte("sessions")    // SHA-256 of the session token → Session
)

// Role says what a recruiter-side account may do.
type Role string

// The roles.
const (
	RoleAdmin    Role = "admin"    // everything a reviewer does, and manages accounts
	RoleReviewer Role = "reviewer" // sees interviews and candidates' answers
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleReviewer }

// User is a recruiter-side account.
type User struct {
	ID           string `json:"id"`
	Email        string `json:"email"` // lower-case, unique
	Name         string `json:"name,omitempty"`
	Role         Role   `json:"role"`
	PasswordHash []byte `json:"passwordHash"` // bcrypt
	// MustChangePassword is set while the password is a one-time password that
	// someone other than the user has seen.
	MustChangePassword bool      `json:"mustChangePassword,omitempty"`
	CreatedAt          time.Time `json:"createdAt"`
	LastLoginAt        time.Time `json:"lastLoginAt,omitzero"`
}

// IsAdmin reports whether the user has the admin role.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// DisplayName returns the user's name, or their email when they have none.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// NormalizeEmail returns the form of an email address accounts are stored and looked up by.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// validEmail reports whether email, already normalized, is a bare address such as a@b.
func validEmail(email string) bool {
	if len(email) > 254 {
		return false
	}
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email
}

// CreateUser stores a new account, giving it an ID and lower-casing its email.
// It returns ErrEmailTaken when another account has the email, ErrBadEmail or
// ErrBadRole when those are malformed.
func (db *DB) CreateUser(u *User) error {
	u.Email = NormalizeEmail(u.Email)
	switch {
	case !validEmail(u.Email):
		return fmt.Errorf("storage: create user %q: %w", u.Email, ErrBadEmail)
	case !u.Role.Valid():
		return fmt.Errorf("storage: create user %q: %w", u.Email, ErrBadRole)
	case len(u.PasswordHash) == 0:
		return fmt.Errorf("storage: create user %q: no password hash", u.Email)
	}
	u.ID = NewID()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		emails := tx.Bucket(bucketUserEmails)
		if emails.Get([]byte(u.Email)) != nil {
			return ErrEmailTaken
		}
		if err := putJSON(tx.Bucket(bucketUsers), []byte(u.ID), u); err != nil {
			return err
		}
		return emails.Put([]byte(u.Email), []byte(u.ID))
	})
	if err != nil {
		return fmt.Errorf("storage: create user %q: %w", u.Email, err)
	}
	return nil
}

// User returns the account with the given ID.
func (db *DB) User(id string) (*User, error) {
	var u User
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketUsers), []byte(id), &u)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: user %s: %w", id, err)
	}
	return &u, nil
}

// UserByEmail returns the account with the given email, in any case.
func (db *DB) UserByEmail(email string) (*User, error) {
	var u User
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketUserEmails).Get([]byte(NormalizeEmail(email)))
		if id == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketUsers), id, &u)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: user by email: %w", err)
	}
	return &u, nil
}

// Users returns every account, in email order.
func (db *DB) Users() ([]User, error) {
	var out []User
	err := db.bolt.View(func(tx *bolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		return tx.Bucket(bucketUserEmails).ForEach(func(email, id []byte) error {
			var u User
			if err := getJSON(users, id, &u); err != nil {
				return fmt.Errorf("user %s (%s): %w", id, email, err)
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list users: %w", err)
	}
	return out, nil
}

// SetPassword replaces an account's password hash and sets whether the password
// must be changed at the next sign-in.
func (db *DB) SetPassword(id string, hash []byte, mustChange bool) error {
	if len(hash) == 0 {
		return fmt.Errorf("storage: set password of %s: no password hash", id)
	}
	return db.updateUser(id, "set password", func(u *User) {
		u.PasswordHash = hash
		u.MustChangePassword = mustChange
	})
}

// RecordLogin notes that the account signed in now.
func (db *DB) RecordLogin(id string) error {
	return db.updateUser(id, "record login", func(u *User) {
		u.LastLoginAt = time.Now().UTC()
	})
}

func (db *DB) updateUser(id, what string, fn func(u *User)) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), []byte(id), &u); err != nil {
			return err
		}
		fn(&u)
		return putJSON(tx.Bucket(bucketUsers), []byte(id), &u)
	})
	if err != nil {
		return fmt.Errorf("storage: %s of user %s: %w", what, id, err)
	}
	return nil
}

// DeleteUser deletes an account and signs it out everywhere.
func (db *DB) DeleteUser(id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), []byte(id), &u); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUserEmails).Delete([]byte(u.Email)); err != nil {
			return err
		}
		if err := deleteSessions(tx, func(s *Session) bool { return s.UserID == id }); err != nil {
			return err
		}
		return tx.Bucket(bucketUsers).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("storage: delete user %s: %w", id, err)
	}
	return nil
}

// Session is a signed-in browser. It is stored under a hash of its token, so the
// token, which only the browser's cookie holds, cannot be read from the database.
type Session struct {
	UserID string `json:"userId"`
	// CSRFToken must accompany every request of the session that changes something.
	CSRFToken string    `json:"csrfToken"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Expired reports whether the session has ended at time now.
func (s *Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// CreateSession signs an existing account in for ttl. It returns the session's
// secret token, for the cookie. Expired sessions are deleted on the way, so
// sessions that are never looked up again do not pile up.
func (db *DB) CreateSession(userID string, ttl time.Duration) (string, Session, error) {
	token := newSecret()
	now := time.Now().UTC()
	s := Session{UserID: userID, CSRFToken: newSecret(), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(userID)) == nil {
			return ErrNotFound
		}
		if err := deleteSessions(tx, func(s *Session) bool { return s.Expired(now) }); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketSessions), sessionKey(token), &s)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("storage: create session for %s: %w", userID, err)
	}
	return token, s, nil
}

// SessionByToken returns the session whose token is token. An expired session is
// deleted, and reported as ErrNotFound.
func (db *DB) SessionByToken(token string) (Session, error) {
	if !ValidToken(token) {
		return Session{}, fmt.Errorf("storage: session by token: %w", ErrNotFound)
	}
	var s Session
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketSessions), sessionKey(token), &s)
	})
	if err == nil && s.Expired(time.Now()) {
		err = db.DeleteSession(token)
		if err == nil {
			err = ErrNotFound
		}
	}
	if err != nil {
		return Session{}, fmt.Errorf("storage: session by token: %w", err)
	}
	return s, nil
}

// DeleteSession signs one browser out. Deleting a session that does not exist is not an error.
func (db *DB) DeleteSession(token string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(sessionKey(token))
	})
	if err != nil {
		return fmt.Errorf("storage: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs an account out of every browser.
func (db *DB) DeleteUserSessions(userID string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return deleteSessions(tx, func(s *Session) bool { return s.UserID == userID })
	})
	if err != nil {
		return fmt.Errorf("storage: delete sessions of %s: %w", userID, err)
	}
	return nil
}

// deleteSessions deletes the sessions for which match is true.
func deleteSessions(tx *bolt.Tx, match func(s *Session) bool) error {
	b := tx.Bucket(bucketSessions)
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var s Session
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("session %x: %w", k, err)
		}
		if match(&s) {
			doomed = append(doomed, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// bbolt forbids deleting while iterating, so the keys were collected first.
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func sessionKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newSecret returns a random 256-bit URL-safe token.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// PasswordCost is the bcrypt cost of password hashes in production.
const PasswordCost = 12

// MaxPasswordBytes is the longest password bcrypt hashes.
const MaxPasswordBytes = 72

// HashPassword returns the bcrypt hash of password at the given cost;
// a cost of 0 means PasswordCost.
func HashPassword(password string, cost int) ([]byte, error) {
	if cost == 0 {
		cost = PasswordCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, fmt.Errorf("storage: hash password: %w", err)
	}
	return h, nil
}

// PasswordMatches reports whether password is the one hash was made from.
// It takes as long whether it matches or not.
func PasswordMatches(hash []byte, password string) bool {
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// passwordAlphabet has no letters or digits that are easily mistaken for others (0/o, 1/l/i).
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewPassword returns a random one-time password of four groups of five letters
// and digits (about 99 bits), easy to read out and type.
func NewPassword() string {
	var b strings.Builder
	for i := range 20 {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(passwordAlphabet[randIntn(len(passwordAlphabet))])
	}
	return b.String()
}

// randIntn returns a uniform random number in [0, n) for a small n.
func randIntn(n int) int {
	limit := 256 - 256%n // reject bytes past the last whole multiple of n, so there is no bias
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
