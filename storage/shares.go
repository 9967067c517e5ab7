package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The shares bucket holds read-only review links, keyed "<invitation>/<share ID>"
// so that all of a candidate's links sit together; the share tokens bucket maps
// each link's secret token to that key.

// Share is a read-only link to one submitted candidate's answers, for someone
// without an account. It works until it expires or is revoked.
type Share struct {
	ID           string    `json:"id"`
	Token        string    `json:"token"`
	InvitationID string    `json:"invitationId"`
	InterviewID  string    `json:"interviewId"`
	CreatedBy    string    `json:"createdBy"` // the email of the admin who made it
	CreatedAt    time.Time `json:"createdAt"`
	ExpiresAt    time.Time `json:"expiresAt"`
	RevokedAt    time.Time `json:"revokedAt,omitzero"`
}

// Revoked reports whether the link was withdrawn.
func (sh *Share) Revoked() bool { return !sh.RevokedAt.IsZero() }

// Expired reports whether the link's time is up at now.
func (sh *Share) Expired(now time.Time) bool { return !now.Before(sh.ExpiresAt) }

// Active reports whether the link opens the candidate's answers at now.
func (sh *Share) Active(now time.Time) bool { return !sh.Revoked() && !sh.Expired(now) }

func shareKey(invitation, id string) []byte { return []byte(invitation + "/" + id) }

// CreateShare stores a new link to a submitted candidate's answers, giving it an
// ID, a token and its creation time; sh.InvitationID and sh.ExpiresAt must be set
// (the caller chooses the expiry; one in the past makes a link that never works).
// It returns ErrNotFound for an unknown candidate and ErrWrongStage for one who
// has not submitted.
func (db *DB) CreateShare(sh *Share) error {
	if sh.ExpiresAt.IsZero() {
		return fmt.Errorf("storage: create share: %w", ErrBadExpiry)
	}
	sh.ID, sh.Token, sh.CreatedAt, sh.RevokedAt = NewID(), NewToken(), time.Now().UTC(), time.Time{}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		inv, _, err := submittedInvitation(tx, sh.InvitationID)
		if err != nil {
			return err
		}
		sh.InterviewID = inv.InterviewID
		key := shareKey(sh.InvitationID, sh.ID)
		if err := putJSON(tx.Bucket(bucketShares), key, sh); err != nil {
			return err
		}
		return tx.Bucket(bucketShareTokens).Put([]byte(sh.Token), key)
	})
	if err != nil {
		return fmt.Errorf("storage: create share: %w", err)
	}
	return nil
}

// ShareByToken returns the link whose token is token, whether active or not: the
// caller refuses expired and revoked ones. It returns ErrNotFound for an unknown token.
func (db *DB) ShareByToken(token string) (*Share, error) {
	var sh Share
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key := tx.Bucket(bucketShareTokens).Get([]byte(token))
		if key == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketShares), key, &sh)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: share by token: %w", err)
	}
	return &sh, nil
}

// SharesFor returns every link to a candidate's answers, revoked and expired
// ones included, the newest first.
func (db *DB) SharesFor(invitationID string) ([]Share, error) {
	var out []Share
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachShare(tx, invitationID, func(_ []byte, sh *Share) error {
			out = append(out, *sh)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: shares of %s: %w", invitationID, err)
	}
	slices.SortStableFunc(out, func(a, b Share) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// RevokeShare withdraws the link with the given ID and returns it; ErrNotFound
// when there is none. Revoking a revoked link keeps its first revocation time.
func (db *DB) RevokeShare(id string) (*Share, error) {
	var sh Share
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShares)
		key, err := shareKeyByID(tx, id)
		if err != nil {
			return err
		}
		if err := getJSON(b, key, &sh); err != nil {
			return err
		}
		if !sh.Revoked() {
			sh.RevokedAt = time.Now().UTC()
		}
		return putJSON(b, key, &sh)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: revoke share %s: %w", id, err)
	}
	return &sh, nil
}

// shareKeyByID finds the key of the link with the given ID. Links are few, so a
// scan of the keys is cheaper than keeping another index in step.
func shareKeyByID(tx *bolt.Tx, id string) ([]byte, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	suffix := []byte("/" + id)
	c := tx.Bucket(bucketShares).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.HasSuffix(k, suffix) {
			return bytes.Clone(k), nil
		}
	}
	return nil, ErrNotFound
}

// forEachShare calls fn with the key and record of each of a candidate's links.
func forEachShare(tx *bolt.Tx, invitationID string, fn func(k []byte, sh *Share) error) error {
	prefix := []byte(invitationID + "/")
	c := tx.Bucket(bucketShares).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var sh Share
		if err := json.Unmarshal(v, &sh); err != nil {
			return fmt.Errorf("share %s: %w", k, err)
		}
		if err := fn(k, &sh); err != nil {
			return err
		}
	}
	return nil
}

// deleteShares deletes every link to a candidate's answers, and their tokens, in tx.
func deleteShares(tx *bolt.Tx, invitationID string) error {
	var keys [][]byte
	var tokens []string
	err := forEachShare(tx, invitationID, func(k []byte, sh *Share) error {
		keys, tokens = append(keys, bytes.Clone(k)), append(tokens, sh.Token)
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if err := tx.Bucket(bucketShareTokens).Delete([]byte(t)); err != nil {
			return fmt.Errorf("delete share token: %w", err)
		}
	}
	return deleteKeys(tx.Bucket(bucketShares), keys)
}

// deleteKeys deletes keys from b.
func deleteKeys(b *bolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("delete %s: %w", strings.ToValidUTF8(string(k), "?"), err)
		}
	}
	return nil
}
