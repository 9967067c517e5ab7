package storage

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// APIToken is a key an applicant tracking system uses to call the JSON API.
// Only the SHA-256 of its secret is stored, as the record's key; the secret
// itself is shown once, when the token is made.
type APIToken struct {
	ID   string `json:"id"`
	Name string `json:"name"` // says who uses it, e.g. "Greenhouse"; shown in the audit log
	// Role is what the token may do: RoleReviewer reads results, RoleAdmin does everything.
	Role       Role      `json:"role"`
	CreatedBy  string    `json:"createdBy"` // the email of the admin who made it
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
}

// APITokenPrefix starts every API token's secret, so that a leaked one is easy to recognise.
const APITokenPrefix = "tk_"

// apiTokenTouchEvery is how stale LastUsedAt may get before a use writes it again:
// writing it on every request would make each API call a write transaction.
const apiTokenTouchEvery = time.Minute

// maxAPITokenName bounds a token's name, in characters.
const maxAPITokenName = 100

// Revoked reports whether the token was withdrawn.
func (t *APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// apiTokenKey is the key of a token's record: the SHA-256 of its secret. Looking
// a secret up by its hash keeps the lookup's time independent of how much of a
// guessed secret is right.
func apiTokenKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateAPIToken makes a token with the given name and role, made by createdBy,
// and returns its secret, which is not stored and cannot be shown again.
func (db *DB) CreateAPIToken(name string, role Role, createdBy string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxAPITokenName {
		return "", APIToken{}, ErrBadTokenName
	}
	if !role.Valid() {
		return "", APIToken{}, ErrBadRole
	}
	t := APIToken{ID: NewID(), Name: name, Role: role, CreatedBy: createdBy, CreatedAt: time.Now().UTC()}
	secret := APITokenPrefix + NewToken()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAPITokens), apiTokenKey(secret), &t)
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("storage: create API token: %w", err)
	}
	return secret, t, nil
}

// APITokenBySecret returns the token whose secret is secret, revoked or not: the
// caller refuses revoked ones. It notes the use in LastUsedAt, at most once a minute.
// It returns ErrNotFound when no token has this secret.
func (db *DB) APITokenBySecret(secret string) (*APIToken, error) {
	key := apiTokenKey(secret)
	var t APIToken
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketAPITokens), key, &t)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: API token: %w", err)
	}
	now := time.Now().UTC()
	if t.Revoked() || now.Sub(t.LastUsedAt) < apiTokenTouchEvery {
		return &t, nil
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return updateAPIToken(tx, key, func(t *APIToken) { t.LastUsedAt = now })
	})
	if err != nil {
		return nil, fmt.Errorf("storage: note use of API token %s: %w", t.ID, err)
	}
	t.LastUsedAt = now
	return &t, nil
}

// APITokens returns every API token, revoked ones included, oldest first.
func (db *DB) APITokens() ([]APIToken, error) {
	var out []APIToken
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAPITokens).ForEach(func(_, v []byte) error {
			var t APIToken
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list API tokens: %w", err)
	}
	slices.SortFunc(out, func(x, y APIToken) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return out, nil
}

// RevokeAPIToken withdraws the token with the given ID; its secret then opens
// nothing. Revoking a revoked token keeps its first revocation time.
// It returns the token, or ErrNotFound.
func (db *DB) RevokeAPIToken(id string) (*APIToken, error) {
	var out APIToken
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := apiTokenKeyByID(tx, id)
		if err != nil {
			return err
		}
		return updateAPIToken(tx, key, func(t *APIToken) {
			if !t.Revoked() {
				t.RevokedAt = time.Now().UTC()
			}
			out = *t
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: revoke API token %s: %w", id, err)
	}
	return &out, nil
}

// apiTokenKeyByID finds the key of the token with the given ID. There are few
// tokens, so a scan is cheaper than keeping a second index in step.
func apiTokenKeyByID(tx *bolt.Tx, id string) ([]byte, error) {
	var found []byte
	err := tx.Bucket(bucketAPITokens).ForEach(func(k, v []byte) error {
		var t APIToken
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if t.ID == id {
			found = append([]byte(nil), k...)
		}
		return nil
	})
	if err == nil && found == nil {
		err = ErrNotFound
	}
	return found, err
}

func updateAPIToken(tx *bolt.Tx, key []byte, fn func(t *APIToken)) error {
	b := tx.Bucket(bucketAPITokens)
	var t APIToken
	if err := getJSON(b, key, &t); err != nil {
		return err
	}
	fn(&t)
	return putJSON(b, key, &t)
}

// SetWebhook sets the webhook told of the interview's submissions; nil removes it.
// It returns ErrNotFound when there is no such interview.
func (db *DB) SetWebhook(interviewID string, wh *Webhook) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInterviews)
		var iv Interview
		if err := getJSON(b, []byte(interviewID), &iv); err != nil {
			return err
		}
		iv.Webhook = wh
		return putJSON(b, []byte(interviewID), &iv)
	})
	if err != nil {
		return fmt.Errorf("storage: set webhook of interview %s: %w", interviewID, err)
	}
	return nil
}
